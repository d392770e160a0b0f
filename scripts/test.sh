#!/usr/bin/env bash
# Runs every test: a Release build with -Werror, then once more under ASan + UBSan.
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh --no-build
# The scale-out tests start s3rver (npm, pinned in web/package-lock.json) from web/node_modules.
[ -f web/node_modules/s3rver/bin/s3rver.js ] || (cd web && npm ci --no-audit --no-fund >/dev/null)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIXMASTER_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# The web UI: unit tests (Vitest) and the end-to-end test in headless Chromium against
# the real `mixmaster serve` with the demo stems.
web/scripts/test.sh build/mixmaster

if [ "${1:-}" != "--no-sanitize" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIXMASTER_SANITIZE=ON \
        -DMIXMASTER_WERROR=ON -DMIXMASTER_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
