#!/usr/bin/env bash
# Quick start: installs what is missing, builds, creates a data directory on the
# embedded defaults if there is none, and runs the server in the foreground.
#   COFFER_DATA  data directory (default: ./var/coffer)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release --target coffer
data="${COFFER_DATA:-$PWD/var/coffer}"
coffer="$PWD/build/release/src/coffer/coffer"
if [ ! -e "$data/coffer.toml" ]; then
  "$coffer" init --data "$data"
  echo
fi
exec "$coffer" serve --data "$data"
