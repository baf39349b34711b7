#!/usr/bin/env bash
# The project's one test command (README: `npm test`; CI: `.ci/run`).
# Makes sure the system parts the tests use are present, builds the package, then runs every test and
# closes with one plain line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run --silent build
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-results.json "$@" || status=$?
node -e '
  const fs = require("node:fs");
  try {
    const r = JSON.parse(fs.readFileSync(".tmp/vitest-results.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  } catch (e) {
    console.log("tests: the results file could not be read (" + e.message + ")");
  }
'
exit "$status"
