#!/usr/bin/env bash
# End-to-end timing on 12 generated stems (4 min, 48 kHz 24-bit stereo each):
#   bench/e2e.sh [BUILD_DIR]        (default: build)
# Generates the stems once into $MIXMASTER_BENCH_STEMS (default: BUILD_DIR/bench_stems,
# regenerated when the generator binary is newer), then times with /usr/bin/time -v:
#   1. mixmaster analyze over all 12 stems;
#   2. mixmaster run --stems-dir DIR -o OUT, once `mixmaster run --help` shows it.
# Prints wall time, CPU time and peak RSS per step. See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
STEMS=${MIXMASTER_BENCH_STEMS:-$BUILD/bench_stems}
SECONDS_LONG=${MIXMASTER_BENCH_SECONDS:-240}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/mixmaster_e2e.XXXXXX")
# MIXMASTER_E2E_KEEP=DIR copies the run's outputs (report.json, mix, master) there.
KEEP=${MIXMASTER_E2E_KEEP:-}
trap 'rm -rf "$OUT"' EXIT

[ -x /usr/bin/time ] || { echo "e2e: /usr/bin/time missing (apt-get install time, or scripts/setup.sh)" >&2; exit 2; }
for t in mixmaster make_bench_stems; do
  if [ ! -x "$BUILD/$t" ]; then
    echo "e2e: building $t in $BUILD"
    cmake --build "$BUILD" -j"$(nproc)" --target "$t" >/dev/null
  fi
done

stamp="$STEMS/.complete_${SECONDS_LONG}s"
if [ ! -f "$stamp" ] || [ "$BUILD/make_bench_stems" -nt "$stamp" ]; then
  rm -rf "$STEMS"
  echo "e2e: generating 12 stems × ${SECONDS_LONG} s into $STEMS"
  "$BUILD/make_bench_stems" "$STEMS" "$SECONDS_LONG"
  touch "$stamp"
fi
mapfile -t FILES < <(ls "$STEMS"/*.wav)
AUDIO_S=$(( ${#FILES[@]} * SECONDS_LONG ))

# timed LABEL CMD...: runs CMD under /usr/bin/time -v, prints one summary line.
timed() {
  local label=$1; shift
  local log="$OUT/time_$label.txt"
  if ! /usr/bin/time -v "$@" >"$OUT/stdout_$label.txt" 2>"$log"; then
    echo "e2e: $label failed:" >&2; tail -20 "$log" >&2; return 1
  fi
  awk -v label="$label" -v audio="$AUDIO_S" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time/   { user = $2 }
    /System time/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%-8s wall %7.2f s  cpu %7.2f s  %6.0f× real time (wall)  peak RSS %6.1f MiB\n",
                 label, wall, user + sys, audio / wall, rss / 1024 }' "$log"
}

echo "e2e: ${#FILES[@]} stems, ${AUDIO_S} s of audio, $(nproc) cores, $BUILD/mixmaster"
timed analyze "$BUILD/mixmaster" analyze "${FILES[@]}"
# CLI11 answers `mixmaster run --help` with the top-level help while `run` does not
# exist, so look for the run command's own option.
if "$BUILD/mixmaster" run --help 2>/dev/null | grep -q -- '--stems-dir'; then
  timed run "$BUILD/mixmaster" run --stems-dir "$STEMS" -o "$OUT/run"
  # Stage timings and the figures a speed-up must not move (report.json).
  if command -v jq >/dev/null && [ -f "$OUT/run/report.json" ]; then
    jq -r '"stages   " + (.timings_s | to_entries | map("\(.key) \(.value) s") | join(", ")),
           "result   mix \(.mix.integrated_lufs) LUFS, master \(.master.integrated_lufs) LUFS / \(.master.true_peak_dbtp) dBTP / LRA \(.master.lra_lu), renders \(.master.chain.renders), qc iterations \(.qc.iterations), passed \(.qc.passed)"' \
      "$OUT/run/report.json"
  fi
  if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$OUT/run/." "$KEEP/"; fi
else
  echo "run      skipped: \`$BUILD/mixmaster run --help\` fails (the run command does not exist yet)"
fi
