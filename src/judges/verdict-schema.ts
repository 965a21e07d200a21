/** The verdict's JSON schema, sent to providers that take one (and part of the cache key). */

/** The JSON the judge must answer with. */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  properties: {
    score: { type: 'integer', minimum: 1, maximum: 5, description: 'The grade on the 1-5 rubric.' },
    justification: { type: 'string', description: 'One or two sentences explaining the grade.' },
  },
  required: ['score', 'justification'],
  additionalProperties: false,
} as const
