/**
 * A per-case async context that costs nothing until it is armed: the one rule traces and the app cache
 * both follow. On Node 20 and 22 an AsyncLocalStorage in use makes every promise of the process
 * slower, so cases run in their own context only once the scope is armed (`arm()`, a mark a project
 * module set on `globalThis`, or `alsoArmed`). Before that, what happens belongs to the one case
 * running; with several running it cannot be told whose it is: `ambiguous` is said once, and the scope
 * arms itself, so that the cases after them each have their own context.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

/** A per-case context, armed on demand. */
export class LazyScope<T extends object> {
  private readonly storage = new AsyncLocalStorage<T | undefined>()
  private armed = false
  /** Cases running without their own context (started before the scope was armed). */
  private readonly unscoped = new Set<T>()
  private warned = false

  /**
   * @param mark the `globalThis` property a project module sets (appended by the plugin's transform)
   * @param ambiguous the warning when a case cannot be told (said once)
   * @param alsoArmed another reason to count as armed (a context in use anyway)
   */
  constructor(
    private readonly mark: string,
    private readonly ambiguous: string,
    private readonly alsoArmed: () => boolean = () => false,
  ) {}

  /** Makes the following cases run in their own context. */
  arm(): void {
    this.armed = true
  }

  /** Whether cases get their own context. */
  isArmed(): boolean {
    return this.armed || (globalThis as Record<string, unknown>)[this.mark] === true || this.alsoArmed()
  }

  /** Runs `fn` as the case `state`: in its own context when armed, else as one of the running cases. */
  run<R>(state: T, fn: () => R): R {
    if (this.isArmed()) return this.storage.run(state, fn)
    this.unscoped.add(state)
    let result: R
    try {
      result = fn()
    } catch (error) {
      this.unscoped.delete(state)
      throw error
    }
    if (result instanceof Promise) return result.finally(() => this.unscoped.delete(state)) as R
    this.unscoped.delete(state)
    return result
  }

  /** The case this is, if it can be told (see the module's comment). */
  current(): T | undefined {
    const state = this.storage.getStore()
    if (state !== undefined || this.unscoped.size === 0) return state
    this.armed = true
    if (this.unscoped.size === 1) return [...this.unscoped][0]
    if (!this.warned) {
      this.warned = true
      process.emitWarning(this.ambiguous)
    }
    return undefined
  }

  /** Runs `fn` outside any case's context (what it does belongs to no case). */
  outside<R>(fn: () => R): R {
    if (this.storage.getStore() === undefined) return fn()
    return this.storage.run(undefined, fn)
  }
}
