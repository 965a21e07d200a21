/** The setup file the plugin adds: registers the matchers. The only module with side effects. */
import { expect } from 'vitest'
import { judgeMatchers } from './runtime/matchers.js'

expect.extend(judgeMatchers as unknown as Parameters<typeof expect.extend>[0])
