/** Vitest globalSetup: one fake provider for the whole run, reached in tests through `inject('fakeProviderUrl')`. */
import type { TestProject } from 'vitest/node'
import { startFakeProvider } from './server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the fake provider, `http://127.0.0.1:<port>`; use `fakeTenant(url)` to get SDK base URLs. */
    fakeProviderUrl: string
  }
}

/** Starts the fake provider on a random port and returns its teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeProvider()
  project.provide('fakeProviderUrl', fake.url)
  return () => fake.close()
}
