#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds MixMaster in Release and the web UI, runs the
# demo job, then serves the web UI and API in the foreground (Ctrl-C stops it).
# Usage: scripts/setup.sh [--no-build] [--no-serve]
#   --no-build: install only (scripts/test.sh);  --no-serve: stop after the demo job
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git
  libsndfile1-dev libebur128-dev libsoxr-dev libkissfft-dev libeigen3-dev
  nlohmann-json3-dev libcpp-httplib-dev libsqlite3-dev libpqxx-dev libpq-dev
  libcurl4-openssl-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopusenc-dev zlib1g-dev time
  python3-jsonschema
  python3-torch python3-numpy python3-soundfile
  postgresql
  prometheus curl libssl-dev openssl wrk
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

no_build=0 no_serve=0
for arg in "$@"; do
  case "$arg" in
    --no-build) no_build=1 ;;
    --no-serve) no_serve=1 ;;
    *) echo "usage: scripts/setup.sh [--no-build] [--no-serve]" >&2; exit 2 ;;
  esac
done
[ "$no_build" = 1 ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIXMASTER_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"

# The web UI (needs Node.js >= 20.19, which this machine image provides; versions pinned
# in web/package-lock.json). `mixmaster serve` serves web/dist at /.
(cd web && npm ci --no-audit --no-fund && npm run build)

# The main job on the embedded defaults: mix and master the bundled demo song.
echo
echo "== mixmaster run --stems-dir data/demo --meta data/demo/stems.json -o out/demo"
build/mixmaster run --stems-dir data/demo --meta data/demo/stems.json --preset Pop -o out/demo
echo
echo "The mix, master, preview and report are in out/demo/ (see the paths above)."
[ "$no_serve" = 1 ] && exit 0

# The service on the embedded defaults (SQLite job store and files in ./mixmaster-data,
# in-process workers), in the foreground with the web UI at /. MIXMASTER_PORT, … apply.
url="http://${MIXMASTER_HOST:-127.0.0.1}:${MIXMASTER_PORT:-8000}/"
echo
echo "== mixmaster serve: open the web UI at $url  (Ctrl-C stops the service)"
exec build/mixmaster serve
