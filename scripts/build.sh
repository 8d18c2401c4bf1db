#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release). ccache keeps
# rebuilds cheap; the jobs default to the number of cores.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" "$@"
