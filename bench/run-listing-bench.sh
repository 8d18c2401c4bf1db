#!/usr/bin/env bash
# Pages of a 1,000,000-entry folder (target: any page < 20 ms).
#   bash bench/run-listing-bench.sh [build_dir] [entries]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
entries="${2:-1000000}"
work=$(mktemp -d /var/tmp/coffer-listing-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$build/bench/listing_bench" "$work/data" "$entries"
