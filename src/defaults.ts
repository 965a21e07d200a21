/**
 * Defaults that pure modules (`report/`, the browser page) need as well as `config.ts`, which
 * resolves every option with them: written once here, in a leaf module anything may import.
 */

/** Significance level of comparisons and the gate (`gate.alpha`, `--alpha`). */
export const DEFAULT_ALPHA = 0.05

/** Judge requests in flight per worker (`concurrency`). */
export const DEFAULT_CONCURRENCY = 8
