#!/usr/bin/env bash
# Web UI checks: install the pinned packages, type-check and build web/dist, run the
# unit tests, then the end-to-end test against the real `mixmaster serve`.
#
#   web/scripts/test.sh [PATH/TO/mixmaster]     (default: build/mixmaster of the repo)
#
# The e2e test skips (exit 0, "skipped: …") when the server does not serve web/dist
# at / yet, or when chromium is missing. Needs Node >= 20.19 and Debian's chromium.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-${MIXMASTER_BIN:-$web/../build/mixmaster}}"
[ -d "$(dirname "$bin")" ] && bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
cd "$web"
echo "== web: npm ci"
npm ci --no-audit --no-fund
echo "== web: npm run build"
npm run build
echo "== web: unit tests"
npx vitest run
echo "== web: end-to-end ($bin)"
node e2e/e2e.mjs "$bin"
