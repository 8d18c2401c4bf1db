#!/usr/bin/env bash
# Pages of a 1,000,000-entry folder, first and deep, cold-ish and warm
# (target: any page < 20 ms). Works in a temporary directory under /var/tmp and
# removes it afterwards.
#   bash bench/run-listing-bench.sh [build_dir] [entries] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
entries="${2:-1000000}"
runs="${3:-101}"
bin="$build/bench/listing_bench"
if [[ ! -x "$bin" ]]; then
  echo "no $bin: build it first (ninja -C $build listing_bench)" >&2
  exit 2
fi
work=$(mktemp -d /var/tmp/coffer-listing-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" "$work/data" "$entries" "$runs"
