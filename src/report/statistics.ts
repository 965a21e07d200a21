/**
 * Significance tests for comparing a run with its baseline, and confidence intervals for trials.
 *
 * Paired (cases matched by name): the **sign-flip permutation test** (Fisher-Pitman paired test)
 * on the mean of the per-case differences. Why this one:
 * - It tests the mean, which is what the report shows and what `gate.maxDrop` is about. Wilcoxon
 *   tests ranks, so six cases falling from 1.0 to 0.75 would weigh as much as six falling to 0.
 * - Eval suites are small and judge scores are discrete (multiples of 0.25, of 1/12 with three
 *   trials), so most differences are zero or tied. Ties need no correction in a sign-flip test, and
 *   zero differences are invariant under a flip: dropping them or keeping them (Pratt) gives the
 *   same p-value, so there is nothing to choose.
 * - It is exact and deterministic when it can be: by dynamic programming over the sums when the
 *   differences lie on a small lattice (judge scores, exact match, counts; differences × span of
 *   the sum up to 10^6, e.g. 400 judge-scored cases), else by enumeration (meet in the middle) for
 *   up to 30 non-zero differences. Beyond that (continuous differences on many cases: latency,
 *   embedding similarity) it draws sign flips from a fixed-seed generator, so the same input always
 *   gives the same p-value, and reports `p = (1 + hits) / (1 + R)`, which is a valid p-value for
 *   any number of resamples R (Phipson & Smyth 2010: it never rejects more often than alpha), with
 *   its Monte Carlo standard error `sqrt(p (1 - p) / R)` in `error`. R is 200,000 for up to 200
 *   differences and falls with n (cost R × n/8 table lookups bounded at 5·10^6) to no fewer than 10,000:
 *   the error at p = 0.05 is at most 0.0022. The normal approximation used before could be far off
 *   when one difference dominates (25 differences, one of 0.9: p = 0.096 where the exact value is
 *   0.00045).
 * - With 6 cases all dropping, the smallest two-sided p-value is 2/64 = 0.031: a real drop on a
 *   small suite can be significant at 0.05; one case out of 20 dropping gives p = 1.
 *
 * Unpaired (cases do not match): the two-sample permutation test on the difference of means, exact
 * by enumeration when there are at most 50,000 ways to split the pooled values, else Welch's t-test,
 * which approximates it for large samples without assuming equal variances.
 */

/** The result of a significance test. */
export interface TestResult {
  /** Two-sided p-value, in [0, 1]. */
  pValue: number
  /**
   * One-sided p-values of the same test: `less` against the alternative that head's mean is below
   * base's (the sum of the differences head - base as small as observed or smaller), `greater` that
   * it is above. The gate uses the one in the metric's worse direction.
   */
  oneSided: { less: number; greater: number }
  /** How it was computed. */
  method: 'sign-flip exact' | 'sign-flip monte carlo' | 'permutation exact' | 'welch t' | 'identical'
  /** Non-zero differences (paired) or pooled size (unpaired). */
  n: number
  /** Monte Carlo standard error of `pValue` (`sign-flip monte carlo` only). */
  error?: number
  /** Resamples drawn (`sign-flip monte carlo` only). */
  resamples?: number
}

/** Largest number of non-zero differences enumerated (2 × 2^15 partial sums). */
const EXACT_ENUMERATION_MAX = 30
/** Most and fewest Monte Carlo resamples, and the bound on resamples × differences. */
const MC_RESAMPLES_MAX = 200_000
const MC_RESAMPLES_MIN = 10_000
const MC_WORK = 5e6
/** Seed of the Monte Carlo sign flips: fixed, so the same input gives the same p-value. */
const MC_SEED = 0x9e3779b9
/** Largest lattice DP (differences × span of the sum) run for an exact paired p-value: a few ms. */
const LATTICE_BUDGET = 1e6
/** Largest span of the lattice sum (memory: two arrays of 2 × span doubles). */
const LATTICE_SPAN_MAX = 1e5
/** Denominators tried when looking for a lattice the differences lie on. */
const LATTICE_SCALES = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 36, 48, 100]
/** Largest number of splits enumerated by the exact unpaired test. */
const EXACT_SPLITS_MAX = 50_000

function clampP(p: number): number {
  if (!Number.isFinite(p)) return 1
  return Math.min(1, Math.max(0, p))
}

/**
 * Paired two-sided test of `mean(head - base) = 0`: the sign-flip permutation test (see the module
 * comment). `base[i]` and `head[i]` belong to the same case; non-finite pairs are skipped.
 */
export function pairedTest(base: readonly number[], head: readonly number[]): TestResult {
  const diffs: number[] = []
  let scale = 0
  for (let i = 0; i < Math.min(base.length, head.length); i++) {
    const b = base[i] ?? Number.NaN
    const h = head[i] ?? Number.NaN
    if (!Number.isFinite(b) || !Number.isFinite(h)) continue
    scale = Math.max(scale, Math.abs(b), Math.abs(h))
    diffs.push(h - b)
  }
  return signFlipTest(diffs, scale)
}

/** The sign-flip test on differences; `scale` is the magnitude of the values they came from. */
export function signFlipTest(differences: readonly number[], scale = 1): TestResult {
  // Differences below rounding noise are zero: 0.1 + 0.2 - 0.3 is not a change.
  const eps = 1e-9 * Math.max(1, scale)
  const d = differences.filter((x) => Number.isFinite(x) && Math.abs(x) > eps)
  const m = d.length
  if (m === 0) return { pValue: 1, oneSided: { less: 1, greater: 1 }, method: 'identical', n: 0 }
  const lattice = onLattice(d)
  if (lattice) {
    const span = lattice.reduce((s, k) => s + Math.abs(k), 0)
    if (span <= LATTICE_SPAN_MAX && m * span <= LATTICE_BUDGET) {
      return { ...latticeSignFlip(lattice, span), method: 'sign-flip exact', n: m }
    }
  }
  if (m <= EXACT_ENUMERATION_MAX) return { ...enumerateSignFlip(d), method: 'sign-flip exact', n: m }
  return monteCarloSignFlip(d)
}

/** Two-sided and one-sided p-values of one test. */
type PValues = Pick<TestResult, 'pValue' | 'oneSided'>

/** Resamples for `m` differences: as many as the work bound allows, within [10,000, 200,000]. */
export function monteCarloResamples(m: number): number {
  return Math.max(MC_RESAMPLES_MIN, Math.min(MC_RESAMPLES_MAX, Math.floor(MC_WORK / Math.max(1, Math.ceil(m / 8)))))
}

/** Mulberry32: a small, fast seeded 32-bit generator (unsigned integers), enough for sign flips and bootstraps. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** Seeded Monte Carlo sign-flip p-value `(1 + hits) / (1 + R)` with its standard error. */
function monteCarloSignFlip(d: readonly number[]): TestResult {
  const m = d.length
  const xs = Float64Array.from(d)
  let observed = 0
  let total = 0
  for (const x of d) {
    observed += x
    total += Math.abs(x)
  }
  // The same rounding tolerance as the exact paths: a resample tying the observed sum counts.
  const tol = 1e-9 * total
  const threshold = Math.abs(observed) - tol
  const resamples = monteCarloResamples(m)
  const next = mulberry32(MC_SEED ^ m)
  // The signed sums of every block of 8 differences, by sign pattern: one table lookup per byte of
  // random bits instead of 8 additions (and no unpredictable branch).
  const blocks = Math.ceil(m / 8)
  const table = new Float64Array(blocks * 256)
  for (let b = 0; b < blocks; b++) {
    for (let mask = 0; mask < 256; mask++) {
      let s = 0
      for (let j = 0; j < 8; j++) {
        const i = b * 8 + j
        if (i < m) s += mask & (1 << j) ? (xs[i] as number) : -(xs[i] as number)
      }
      table[b * 256 + mask] = s
    }
  }
  let hits = 0
  let below = 0
  let above = 0
  for (let r = 0; r < resamples; r++) {
    let sum = 0
    let bits = 0
    for (let b = 0; b < blocks; b++) {
      if ((b & 3) === 0) bits = next()
      sum += table[(b << 8) | (bits & 255)] as number
      bits >>>= 8
    }
    if (Math.abs(sum) >= threshold) hits++
    if (sum <= observed + tol) below++
    if (sum >= observed - tol) above++
  }
  const pValue = clampP((1 + hits) / (1 + resamples))
  return {
    pValue,
    oneSided: { less: clampP((1 + below) / (1 + resamples)), greater: clampP((1 + above) / (1 + resamples)) },
    method: 'sign-flip monte carlo',
    n: m,
    error: Math.sqrt((pValue * (1 - pValue)) / resamples),
    resamples,
  }
}

/**
 * The differences as integers on the coarsest lattice `k / scale` that fits them all, if any. A
 * difference must sit on the lattice up to floating-point noise and must not round to 0: a
 * difference counted as non-zero (above the `1e-9` threshold) is never dropped from the sum.
 */
function onLattice(d: readonly number[]): number[] | null {
  for (const scale of LATTICE_SCALES) {
    const ks: number[] = []
    let ok = true
    for (const x of d) {
      const k = Math.round(x * scale)
      if (k === 0 || Math.abs(x * scale - k) > 1e-9 * Math.max(1, Math.abs(k)) || Math.abs(k) > 1e6) {
        ok = false
        break
      }
      ks.push(k)
    }
    if (ok) return ks
  }
  return null
}

/** Exact sign-flip p-values over integer differences: distribution of Σ±k by dynamic programming. */
function latticeSignFlip(ks: readonly number[], span: number): PValues {
  let signed = 0
  for (const k of ks) signed += k
  const observed = Math.abs(signed)
  // Probabilities rather than counts: counts overflow 2^53 beyond 53 differences.
  let dist = new Float64Array(2 * span + 1)
  let next = new Float64Array(2 * span + 1)
  dist[span] = 1
  let reach = 0
  for (const kSigned of ks) {
    const k = Math.abs(kSigned)
    next.fill(0, span - reach - k, span + reach + k + 1)
    for (let s = span - reach; s <= span + reach; s++) {
      const p = dist[s] ?? 0
      if (p === 0) continue
      next[s - k] = (next[s - k] ?? 0) + p / 2
      next[s + k] = (next[s + k] ?? 0) + p / 2
    }
    reach += k
    const swap = dist
    dist = next
    next = swap
  }
  let p = 0
  let less = 0
  let greater = 0
  for (let s = 0; s < dist.length; s++) {
    const q = dist[s] ?? 0
    if (Math.abs(s - span) >= observed) p += q
    if (s - span <= signed) less += q
    if (s - span >= signed) greater += q
  }
  return { pValue: clampP(p), oneSided: { less: clampP(less), greater: clampP(greater) } }
}

/** All 2^n sums of ±x over `xs`, sorted. */
function signedSums(xs: readonly number[]): Float64Array {
  const sums = new Float64Array(2 ** xs.length)
  let size = 1
  for (const x of xs) {
    for (let i = 0; i < size; i++) {
      const s = sums[i] ?? 0
      sums[i] = s + x
      sums[i + size] = s - x
    }
    size *= 2
  }
  return sums.sort()
}

/** First index in sorted `a` whose value is >= x. */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((a[mid] ?? 0) < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index in sorted `a` whose value is > x. */
function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((a[mid] ?? 0) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Exact sign-flip p-values over real differences, by meet in the middle (2 × 2^(n/2) sums). */
function enumerateSignFlip(d: readonly number[]): PValues {
  let observed = 0
  let total = 0
  for (const x of d) {
    observed += x
    total += Math.abs(x)
  }
  const tol = 1e-9 * total
  const threshold = Math.abs(observed) - tol
  const half = Math.floor(d.length / 2)
  const left = signedSums(d.slice(0, half))
  const right = signedSums(d.slice(half))
  let count = 0
  let below = 0
  let above = 0
  for (const a of left) {
    if (threshold > 0) {
      count += right.length - lowerBound(right, threshold - a)
      count += upperBound(right, -threshold - a)
    }
    below += upperBound(right, observed + tol - a)
    above += right.length - lowerBound(right, observed - tol - a)
  }
  const all = left.length * right.length
  return {
    pValue: threshold <= 0 ? 1 : clampP(count / all),
    oneSided: { less: clampP(below / all), greater: clampP(above / all) },
  }
}

/**
 * Unpaired two-sided test of equal means: the two-sample permutation test on the difference of
 * means, exact when the pooled values can be split at most 50,000 ways, else Welch's t-test.
 */
export function unpairedTest(base: readonly number[], head: readonly number[]): TestResult | null {
  const a = base.filter(Number.isFinite)
  const b = head.filter(Number.isFinite)
  if (a.length === 0 || b.length === 0) return null
  const pooled = [...a, ...b]
  const n = pooled.length
  const scale = pooled.reduce((s, x) => Math.max(s, Math.abs(x)), 0)
  const eps = 1e-9 * Math.max(1, scale)
  if (pooled.every((x) => Math.abs(x - (pooled[0] ?? 0)) <= eps)) {
    return { pValue: 1, oneSided: { less: 1, greater: 1 }, method: 'identical', n }
  }
  const k = Math.min(a.length, b.length)
  if (binomial(n, k) <= EXACT_SPLITS_MAX) return { ...exactTwoSample(a, b), method: 'permutation exact', n }
  if (a.length < 2 || b.length < 2) return null
  return { ...welchPValues(a, b), method: 'welch t', n }
}

function binomial(n: number, k: number): number {
  let c = 1
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i
    if (c > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY
  }
  return Math.round(c)
}

/**
 * Exact two-sample permutation p-values: share of splits whose |mean difference| reaches the
 * observed one (two-sided), and whose difference (b - a) is as low or as high (one-sided).
 */
function exactTwoSample(a: readonly number[], b: readonly number[]): PValues {
  // Enumerate the smaller group; with the total fixed, its sum determines the difference of means.
  const small = a.length <= b.length ? a : b
  const large = small === a ? b : a
  const pooled = [...small, ...large]
  const n = pooled.length
  const k = small.length
  const total = pooled.reduce((s, x) => s + x, 0)
  const diffOf = (sumSmall: number) => sumSmall / k - (total - sumSmall) / (n - k)
  const observedSum = small.reduce((s, x) => s + x, 0)
  const observed = Math.abs(diffOf(observedSum))
  const tol =
    1e-9 *
    Math.max(
      1,
      pooled.reduce((s, x) => Math.max(s, Math.abs(x)), 0),
    )
  // `diffOf` is small - large; the one-sided tests are about b - a.
  const sign = small === a ? -1 : 1
  const signedObserved = sign * diffOf(observedSum)
  let hits = 0
  let below = 0
  let above = 0
  let splits = 0
  const walk = (start: number, chosen: number, sum: number): void => {
    if (chosen === k) {
      splits++
      const diff = diffOf(sum)
      if (Math.abs(diff) >= observed - tol) hits++
      if (sign * diff <= signedObserved + tol) below++
      if (sign * diff >= signedObserved - tol) above++
      return
    }
    for (let i = start; i <= n - (k - chosen); i++) walk(i + 1, chosen + 1, sum + (pooled[i] ?? 0))
  }
  walk(0, 0, 0)
  return { pValue: clampP(hits / splits), oneSided: { less: clampP(below / splits), greater: clampP(above / splits) } }
}

function meanAndVariance(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  const ss = xs.reduce((s, x) => s + (x - mean) * (x - mean), 0)
  return { mean, variance: xs.length > 1 ? ss / (xs.length - 1) : 0 }
}

/** Welch's t-test p-values (two-sided, and one-sided for `mean(b) < mean(a)` and `>`). */
function welchPValues(a: readonly number[], b: readonly number[]): PValues {
  const pValue = welchP(a, b)
  const diff = meanAndVariance(b).mean - meanAndVariance(a).mean
  // The t distribution is symmetric: the tail on the observed side is half the two-sided p.
  const near = pValue / 2
  const far = 1 - pValue / 2
  if (diff === 0) return { pValue, oneSided: { less: far, greater: far } }
  return { pValue, oneSided: diff < 0 ? { less: near, greater: far } : { less: far, greater: near } }
}

/** Welch's two-sided t-test p-value (sample variances, Welch-Satterthwaite degrees of freedom). */
export function welchP(a: readonly number[], b: readonly number[]): number {
  const x = meanAndVariance(a)
  const y = meanAndVariance(b)
  const va = x.variance / a.length
  const vb = y.variance / b.length
  const se = Math.sqrt(va + vb)
  if (se === 0) return x.mean === y.mean ? 1 : 0
  const t = (y.mean - x.mean) / se
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1))
  return clampP(studentTwoSidedP(t, df))
}

/**
 * Two-sided Student t confidence interval of the mean of `values` (e.g. one case's trial scores),
 * clamped to `bounds` (pass `[0, 1]` for normalized scores). Null with fewer than two values.
 */
export function meanConfidenceInterval(
  values: readonly number[],
  level = 0.95,
  bounds?: readonly [number, number],
): [number, number] | null {
  const xs = values.filter(Number.isFinite)
  if (xs.length < 2) return null
  const { mean, variance } = meanAndVariance(xs)
  const half = studentQuantile(1 - (1 - level) / 2, xs.length - 1) * Math.sqrt(variance / xs.length)
  let lo = mean - half
  let hi = mean + half
  if (bounds) {
    lo = Math.min(Math.max(lo, bounds[0]), bounds[1])
    hi = Math.min(Math.max(hi, bounds[0]), bounds[1])
  }
  return [lo, hi]
}

// --- distributions -------------------------------------------------------------------------

/** Upper tail of the standard normal, P(Z > z). */
export function normalSf(z: number): number {
  return erfc(z / Math.SQRT2) / 2
}

/** Chebyshev coefficients of Numerical Recipes' `erfcc`, constant term first. */
const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
]

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  let poly = 0
  for (let i = ERFC_COEFFICIENTS.length - 1; i >= 0; i--) poly = (ERFC_COEFFICIENTS[i] ?? 0) + t * poly
  const r = t * Math.exp(-z * z + poly)
  return x >= 0 ? r : 2 - r
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const xm = x - 1
  let a = c[0] ?? 1
  const t = xm + 7.5
  for (let i = 1; i < 9; i++) a += (c[i] ?? 0) / (xm + i)
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** Regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/** Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| >= |t|). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0
  return incompleteBeta(df / (df + t * t), df / 2, 0.5)
}

const quantiles = new Map<string, number>()

/** Quantile of Student's t: the `q` (> 0.5) such that P(T <= t) = q, by bisection on the tail (memoized). */
export function studentQuantile(q: number, df: number): number {
  const key = `${q}/${df}`
  let value = quantiles.get(key)
  if (value === undefined) {
    value = bisectQuantile(q, df)
    if (quantiles.size < 1000) quantiles.set(key, value)
  }
  return value
}

function bisectQuantile(q: number, df: number): number {
  const target = 2 * (1 - q)
  let lo = 0
  let hi = 1
  while (studentTwoSidedP(hi, df) > target && hi < 1e12) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2
    if (studentTwoSidedP(mid, df) > target) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/**
 * Holm's step-down adjustment (Holm 1979) of a family of p-values: controls the family-wise error
 * rate at any level without assuming independence. Returns the adjusted p-values in the input's
 * order: `p_(i) * (m - i + 1)` for the i-th smallest, made monotone and capped at 1. `null` entries
 * (no test made) stay `null` and do not count in the family.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const order = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null && Number.isFinite(entry.p))
    .sort((a, b) => a.p - b.p || a.index - b.index)
  const m = order.length
  const adjusted: (number | null)[] = pValues.map(() => null)
  let running = 0
  order.forEach((entry, rank) => {
    running = Math.max(running, Math.min(1, entry.p * (m - rank)))
    adjusted[entry.index] = running
  })
  return adjusted
}

/** The result of {@link taroneHolm}. */
export interface TaroneHolmResult {
  /**
   * Adjusted p-values in the input's order: `max_{j <= rank} K_j p_(j)` capped at 1, where `K_j`
   * is Tarone's count at step j. At or under `alpha` exactly when the procedure rejects; since the
   * counts depend on `alpha`, they are to be compared with that `alpha` only.
   */
  adjusted: number[]
  /** Tarone's count at the first step: the `K` the smallest p-value is multiplied by. */
  tests: number
  /** Whether each test is in the first step's family (its smallest attainable p-value is at most `alpha / tests`). */
  inFamily: boolean[]
}

/**
 * Tarone's count for discrete tests (Tarone 1990, "A modified Bonferroni method for discrete
 * data", Biometrics 46:515-522): the smallest K >= 1 such that at most K of the tests can reach
 * `alpha / K` at all (their smallest attainable p-value is at most `alpha / K`). `minPs` sorted
 * ascending. The number of tests that can reach `alpha / K` falls as K grows, so the first K
 * where it is at most K is found by bisection.
 */
export function taroneCount(sortedMinPs: readonly number[], alpha: number): number {
  const reach = (k: number) => upperBoundOf(sortedMinPs, alpha / k)
  let lo = 1
  let hi = Math.max(1, sortedMinPs.length)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (reach(mid) <= mid) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** A p-value reaches a level within this relative float noise (Tarone's count and its family agree on it). */
const P_TOLERANCE = 1 + 1e-12

/** Number of entries of sorted `a` at most `x` (with a relative tolerance for float noise). */
function upperBoundOf(a: readonly number[], x: number): number {
  return upperBound(a, x * P_TOLERANCE)
}

/**
 * Tarone's procedure with Holm's step-down (Hommel & Krummenauer 1998, "Improvements and
 * modifications of Tarone's multiple test procedure for discrete data", Biometrics 54:673-681):
 * family-wise error at most `alpha` for discrete tests, each given with its p-value and the
 * smallest p-value it could attain (0 when unknown: such a test always counts). At step j the
 * smallest remaining p-value is rejected when it is at most `alpha / K_j`, K_j being Tarone's count
 * over the tests not yet rejected; the first that is not stops the procedure. A test that cannot
 * reach `alpha / K` costs nothing, where Holm alone would count every test.
 */
export function taroneHolm(tests: ReadonlyArray<{ p: number; minP: number }>, alpha: number): TaroneHolmResult {
  const n = tests.length
  const order = tests.map((t, index) => ({ ...t, index })).sort((x, y) => x.p - y.p || x.index - y.index)
  const minPs = tests.map((t) => t.minP).sort((x, y) => x - y)
  const adjusted = tests.map(() => 1)
  let first = 1
  let running = 0
  order.forEach((entry, step) => {
    const k = taroneCount(minPs, alpha)
    if (step === 0) first = k
    running = Math.max(running, Math.min(1, k * entry.p))
    adjusted[entry.index] = running
    // The test leaves the remaining set.
    minPs.splice(lowerBound(minPs, entry.minP), 1)
  })
  const limit = (alpha / first) * P_TOLERANCE
  return { adjusted, tests: n === 0 ? 0 : first, inFamily: tests.map((t) => t.minP <= limit) }
}
