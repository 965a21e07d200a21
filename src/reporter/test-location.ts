/** Where a test is declared, for the JUnit failure frame and the GitHub annotations. */
import type { TestCase } from 'vitest/node'

/**
 * The test's own location (Vitest's `includeTaskLocation`), else its nearest suite's: the cases of
 * a `describeEval` are declared by the library when the suite is collected, so the line Vitest
 * finds in the eval file is the one of the `describeEval(...)` call.
 */
export function testLocation(testCase: TestCase): { line: number; column: number } | undefined {
  if (testCase.location) return testCase.location
  let parent = testCase.parent
  // Optional: reporters may be handed test cases built by hand, without a parent.
  while (parent?.type === 'suite') {
    if (parent.location) return parent.location
    parent = parent.parent
  }
  return undefined
}
