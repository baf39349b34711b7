#!/usr/bin/env bash
# The project's one test command (README: `npm test`; CI: `.ci/run`).
# Makes sure the system parts the tests use are present, builds the package, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run --silent build
npx vitest run "$@"
