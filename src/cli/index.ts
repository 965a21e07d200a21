#!/usr/bin/env node
/** The `vitest-judge` command (placeholder until the CLI lands). */
process.stdout.write('usage: vitest-judge <runs|show|compare|tag|export|merge|cache> ...\n')
