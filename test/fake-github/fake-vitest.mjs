// Stands in for `vitest run` in the action tests: records how it was called (arguments, and which
// variables it could see), copies the report the test chose to .vitest-judge/, and exits with the
// code the test chose. FAKE_VITEST_REPORT_<i> is the report of shard i; FAKE_VITEST_SPOOL a store
// spool folder to leave in .vitest-judge/store-spool.
import { appendFileSync, copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs'

const args = process.argv.slice(2)
const shard = args.find((arg) => arg.startsWith('--shard='))?.slice('--shard='.length)
const seen = (name) => (process.env[name] === undefined ? null : process.env[name])
appendFileSync(
  process.env.FAKE_VITEST_LOG,
  `${JSON.stringify({
    args,
    cwd: process.cwd(),
    env: {
      VITEST_JUDGE_BASELINE: seen('VITEST_JUDGE_BASELINE'),
      // Recorded here (a file of the test), never printed: the action must not show it.
      VITEST_JUDGE_STORE_URL: seen('VITEST_JUDGE_STORE_URL'),
      GITHUB_STEP_SUMMARY: seen('GITHUB_STEP_SUMMARY'),
      GITHUB_TOKEN: seen('GITHUB_TOKEN') === null ? null : 'set',
      OPENAI_API_KEY: seen('OPENAI_API_KEY') === null ? null : 'set',
    },
  })}\n`,
)
const source = shard ? process.env[`FAKE_VITEST_REPORT_${shard.split('/')[0]}`] : process.env.FAKE_VITEST_REPORT
if (source) {
  mkdirSync('.vitest-judge', { recursive: true })
  copyFileSync(source, '.vitest-judge/report.json')
  writeFileSync('.vitest-judge/junit.xml', '<testsuites></testsuites>\n')
}
// A store spool the test prepared, as a run whose shared store went away would leave it.
if (process.env.FAKE_VITEST_SPOOL)
  cpSync(process.env.FAKE_VITEST_SPOOL, '.vitest-judge/store-spool', { recursive: true })
process.exit(Number(process.env.FAKE_VITEST_EXIT ?? '0'))
