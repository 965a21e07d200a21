// The `hyphen` package ships no types; this is the part of its API used by src/metrics/readability.ts.
declare module 'hyphen/en-us/index.js' {
  export function hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string
}
