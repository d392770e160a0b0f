#!/usr/bin/env bash
# Service benchmark (docs/BENCHMARKS.md, "Service"):
#   bench/service.sh [BUILD_DIR]          (default: build; MIXMASTER_BIN=… another server binary)
# Starts `mixmaster serve` (embedded defaults, 2 workers) on a free 127.0.0.1 port with a
# temporary data folder, submits 2 jobs of 12 generated stems (60 s each, 48 kHz 24-bit
# stereo; MIXMASTER_BENCH_SERVICE_SECONDS), then, while both run, drives
# GET /v1/jobs/{id} with wrk (Debian package wrk) and prints requests/s and latency
# percentiles. The time from the upload's end to the 202 is the server's own measure
# (after_upload_ms in its log: validation of every file, the store insert, queuing),
# next to curl's total time of the submission. Checks that both jobs were still running
# when wrk ended, and that they then succeed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN=${MIXMASTER_BIN:-$BUILD/mixmaster} # the server under test (default: BUILD's)
SECONDS_LONG=${MIXMASTER_BENCH_SERVICE_SECONDS:-60}
DURATION=${MIXMASTER_BENCH_WRK_SECONDS:-10}
CONNECTIONS=${MIXMASTER_BENCH_WRK_CONNECTIONS:-16}
command -v wrk >/dev/null || { echo "service bench: wrk missing (apt-get install wrk, or scripts/setup.sh)" >&2; exit 2; }
[ -x "$BIN" ] || cmake --build "$BUILD" -j"$(nproc)" --target mixmaster >/dev/null
[ -x "$BUILD/make_bench_stems" ] || cmake --build "$BUILD" -j"$(nproc)" --target make_bench_stems >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mixmaster_service_bench.XXXXXX")
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

STEMS=${MIXMASTER_BENCH_SERVICE_STEMS:-$BUILD/bench_stems_${SECONDS_LONG}s}
if [ ! -f "$STEMS/.complete" ] || [ "$BUILD/make_bench_stems" -nt "$STEMS/.complete" ]; then
  rm -rf "$STEMS"
  echo "service bench: generating 12 stems × ${SECONDS_LONG} s into $STEMS"
  "$BUILD/make_bench_stems" "$STEMS" "$SECONDS_LONG" >/dev/null
  touch "$STEMS/.complete"
fi
mapfile -t FILES < <(ls "$STEMS"/*.wav)

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" --workers 2 --web-dir "" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BASE/healthz" >/dev/null || { echo "service bench: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

args=()
for f in "${FILES[@]}"; do args+=(-F "$(basename "$f")=@$f"); done
ids=()
for i in 1 2; do
  out=$(curl -s -w '\n%{http_code} %{time_total} %{size_upload}' -F "project_id=bench-$i" -F "preset=Pop" "${args[@]}" "$BASE/v1/jobs")
  read -r code total bytes <<<"$(tail -n1 <<<"$out")"
  [ "$code" = 202 ] || { echo "service bench: submission answered $code: $out" >&2; exit 1; }
  id=$(head -n1 <<<"$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
  ids+=("$id")
  awk -v i="$i" -v b="$bytes" -v t="$total" 'BEGIN { printf "submit %d: %.0f MB in %.2f s (curl total)\n", i, b / 1048576, t }'
done
grep -o 'after_upload_ms=[0-9.]*' "$WORK/server.log" | sed 's/^/server: upload end → 202: /; s/after_upload_ms=//; s/$/ ms/' || true

echo "wrk: GET /v1/jobs/{id}, ${DURATION} s, $CONNECTIONS connections, 2 threads, while 2 jobs run"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE/v1/jobs/${ids[0]}" | tee "$WORK/wrk.txt"
for id in "${ids[@]}"; do
  st=$(curl -s "$BASE/v1/jobs/$id" | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["stage"], round(j["progress"], 2))')
  echo "job $id after wrk: $st"
  [[ $st == running* ]] || echo "service bench: WARNING: job $id was not running for the whole measurement; use longer stems" >&2
done
for id in "${ids[@]}"; do
  for _ in $(seq 1200); do
    st=$(curl -s "$BASE/v1/jobs/$id" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case $st in succeeded|failed|cancelled) break ;; esac
    sleep 0.5
  done
  echo "job $id: $st"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
