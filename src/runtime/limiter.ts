/** A counting semaphore: at most `limit` functions run at once, the rest wait in FIFO order. */

/** A concurrency limit. */
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>
  /** Functions running now. */
  readonly active: number
}

/** Creates a limiter. */
export function createLimiter(limit: number): Limiter {
  let active = 0
  const queue: Array<() => void> = []
  const release = () => {
    active--
    const next = queue.shift()
    if (next) {
      active++
      next()
    }
  }
  return {
    get active() {
      return active
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active < limit) active++
      else await new Promise<void>((resolve) => queue.push(resolve))
      try {
        return await fn()
      } finally {
        release()
      }
    },
  }
}
