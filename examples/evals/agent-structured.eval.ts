import { defineMetric, describeEval, metrics } from 'vitest-judge'
import { z } from 'zod'

// An agent that answers with JSON and calls tools. These metrics need no judge, so this suite runs
// offline as it is; a real task would call your agent and return its reply and tool calls.
const Forecast = z.object({ city: z.string(), forecast: z.enum(['sunny', 'cloudy', 'rain']), celsius: z.number() })

const mentionsCity = defineMetric({
  name: 'mentionsCity',
  score: ({ output, extra }) => output.includes(String(extra?.city)),
})

describeEval('weather agent', {
  data: [
    {
      id: 'paris',
      input: 'What is the weather in Paris?',
      city: 'Paris',
      expectedToolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
    },
    {
      id: 'lyon, fenced reply',
      input: 'And in Lyon, in Celsius?',
      city: 'Lyon',
      expectedToolCalls: [{ name: 'get_weather', arguments: { city: 'Lyon' } }],
    },
  ],
  task: async (_input: string, evalCase) => {
    const city = String(evalCase.city)
    const reply = JSON.stringify({ city, forecast: 'sunny', celsius: 21 })
    return {
      output: city === 'Lyon' ? `Here it is:\n\`\`\`json\n${reply}\n\`\`\`` : reply,
      // OpenAI returns tool-call arguments as a JSON string; an object works too.
      toolCalls: [{ name: 'get_weather', arguments: JSON.stringify({ city, unit: 'C' }) }],
    }
  },
  metrics: [
    metrics.jsonValid(),
    metrics.matchesSchema(Forecast),
    metrics.toolCallAccuracy({ arguments: 'subset' }),
    mentionsCity,
  ],
})
