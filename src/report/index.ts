/**
 * The report functions shared by the reporter and the CLI: pure functions over the JSON report's
 * plain data (aggregation, comparison and statistics, gate, JUnit, markdown, console, merge).
 */
export * from './aggregate.js'
export * from './collect.js'
export * from './compare.js'
export * from './console.js'
export * from './github-annotations.js'
export * from './json.js'
export * from './junit.js'
export * from './markdown.js'
export * from './statistics.js'
export * from './summary.js'
export * from './text.js'
export type * from './types.js'
