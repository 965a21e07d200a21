/**
 * A word diff of two outputs (longest common subsequence over words and whitespace runs). Pure:
 * unit-tested in Node.
 */

/** One piece of a diff: kept (`=`), removed (`-`) or added (`+`). */
export type DiffPart = ['=' | '-' | '+', string]

/** The diff from `a` to `b`, or null when they are too long to diff without freezing the page. */
export function wordDiff(a: string, b: string): DiffPart[] | null {
  const A = a.split(/(\s+)/).filter((x) => x !== '')
  const B = b.split(/(\s+)/).filter((x) => x !== '')
  const n = A.length
  const m = B.length
  // Past these sizes the table or the markup would freeze the page: both texts are shown whole instead.
  if ((n + 1) * (m + 1) > 4e6 || n + m > 20000) return null
  const w = m + 1
  const L = new Uint32Array((n + 1) * w)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i * w + j] =
        A[i] === B[j]
          ? (L[(i + 1) * w + j + 1] as number) + 1
          : Math.max(L[(i + 1) * w + j] as number, L[i * w + j + 1] as number)
    }
  }
  const out: DiffPart[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (A[i] === B[j]) {
      out.push(['=', A[i++] as string])
      j++
    } else if ((L[(i + 1) * w + j] as number) >= (L[i * w + j + 1] as number)) out.push(['-', A[i++] as string])
    else out.push(['+', B[j++] as string])
  }
  while (i < n) out.push(['-', A[i++] as string])
  while (j < m) out.push(['+', B[j++] as string])
  return out
}
