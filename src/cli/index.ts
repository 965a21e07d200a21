#!/usr/bin/env node
/**
 * The `vitest-judge` command. It reads what the plugin recorded and never imports vitest or a
 * provider SDK: only node builtins, the store, the report functions, errors and config.
 */
import { processIo } from './io.js'
import { runCli } from './main.js'

process.exitCode = await runCli(process.argv.slice(2), processIo())
