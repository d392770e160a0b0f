#!/usr/bin/env bash
# Rebuilds the training corpus from Debian packages only: installs MMA, FluidSynth, the
# FluidR3 GM soundfont, LMMS with its demo projects and the Python packages, then renders the
# songs into stems (training/corpus/, ignored by git): MMA grooves (build_corpus.py, ~30 min on
# 2 busy shared cores), then the LMMS demo projects (lmms_corpus.py, ~15 min). Rerunning skips
# the songs already rendered. Extra arguments go to build_corpus.py (e.g. --songs 20);
# LMMS=0 skips the LMMS projects.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" = 0 ] && { ! command -v mma >/dev/null || ! command -v lmms >/dev/null; }; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mma fluidsynth fluid-soundfont-gm lmms lmms-common \
    python3-mido python3-numpy python3-soundfile python3-torch >/dev/null
fi
# Two processes (SHARDS) by default: the synth waits on I/O as much as on the CPU.
shards="${SHARDS:-2}"
pids=()
for ((i = 0; i < shards; i++)); do
  nice -n 10 /usr/bin/python3 "$here/build_corpus.py" --shards "$shards" --shard "$i" "$@" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
if [ "${LMMS:-1}" != 0 ]; then
  # At most two lmms renders at a time (--jobs), niced like the rest.
  nice -n 10 /usr/bin/python3 "$here/lmms_corpus.py" --jobs "$shards"
fi
