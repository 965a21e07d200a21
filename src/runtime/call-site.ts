/**
 * Where in a test file a call was made, from a stack captured at the call: the line the JUnit
 * failure frame and the GitHub annotations point at. Only read for failed tests (a stack is turned
 * into text when first read), so that Vitest's `includeTaskLocation` (a stack per test) is not needed.
 */

/** A 1-based line and column. */
export interface CallSite {
  line: number
  column: number
}

/**
 * The first frame of `captured`'s stack in `file` (an absolute path), as Vitest's own
 * `includeTaskLocation` finds it (the stack is source-mapped by Vitest's module runner), or undefined.
 */
export function callSiteIn(captured: Error, file: string | undefined): CallSite | undefined {
  if (!file) return undefined
  const stack = captured.stack ?? ''
  for (const frame of stack.split('\n').slice(1)) {
    const at = frame.lastIndexOf(file)
    if (at < 0) continue
    const match = /^:(\d+):(\d+)/.exec(frame.slice(at + file.length))
    if (match) return { line: Number(match[1]), column: Number(match[2]) }
  }
  return undefined
}

/** An error whose stack holds the caller's frames (captured cheaply; formatted only when read). */
export function captureCallSite(): Error {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 15
  const error = new Error('vitest-judge call site')
  Error.stackTraceLimit = limit
  return error
}
