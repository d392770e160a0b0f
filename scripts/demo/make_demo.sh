#!/usr/bin/env bash
# Regenerates the demo song stems in data/demo/ (deterministic).
#   1. scripts/demo/make_demo.py writes one MIDI file per stem
#   2. fluidsynth renders each with FluidR3_GM (dry: reverb and chorus off)
#   3. sox makes the stems "as delivered": mono where the part is centred,
#      all exactly DURATION s from 0, unbalanced peaks, 16-bit 48 kHz FLAC
#   4. stems.json is written and every stem is measured (check_demo.py)
# Needs: fluidsynth fluid-soundfont-gm sox flac python3 (Debian packages).
# Usage: scripts/demo/make_demo.sh [--install]   (--install: apt-get them first)
set -euo pipefail
cd "$(dirname "$0")/../.."

SF2=/usr/share/sounds/sf2/FluidR3_GM.sf2
OUT=data/demo
DURATION=24.8      # seconds: 12 bars at 120 BPM + the ending chord; the MIDI files end at 25.3 s
FADE=0.4           # fade-out at the very end so the ending chord does not click
RATE=48000

if [ "${1:-}" = "--install" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq fluidsynth fluid-soundfont-gm sox flac python3
fi
for tool in fluidsynth sox python3; do
  command -v "$tool" >/dev/null || { echo "make_demo: $tool missing (run with --install)" >&2; exit 1; }
done
[ -f "$SF2" ] || { echo "make_demo: $SF2 missing (apt-get install fluid-soundfont-gm)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

python3 scripts/demo/make_demo.py "$TMP"

python3 scripts/demo/make_demo.py --list | while read -r name channels peak; do
  fluidsynth -ni -q -R 0 -C 0 -g 1.0 -r "$RATE" -O float -T wav \
    -F "$TMP/$name.wav" "$SF2" "$TMP/$name.mid" >/dev/null 2>&1
  mono=(); [ "$channels" = 1 ] && mono=(channels 1)
  # -R: repeatable; -D: no dither (keeps silence silent and the FLACs small); pad guarantees the length, trim cuts it exactly
  sox -R -D -V1 "$TMP/$name.wav" -r "$RATE" -b 16 -C 8 "$OUT/$name.flac" \
    "${mono[@]}" pad 0 1 trim 0 "$DURATION" fade t 0 "$DURATION" "$FADE" norm "$peak"
  echo "make_demo: $OUT/$name.flac"
done

python3 scripts/demo/make_demo.py --json > "$OUT/stems.json"
python3 scripts/demo/check_demo.py "$OUT"
