#!/usr/bin/env bash
# The audit chain: fill RECORDS chained records, verify them (records/second),
# and what chaining adds to a 4 KiB upload (target: under 10%). Works in a
# temporary directory under /var/tmp and removes it afterwards.
#   bash bench/run-audit-bench.sh [build_dir] [records] [uploads]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
records="${2:-10000000}"
uploads="${3:-500}"
bin="$build/bench/audit_bench"
if [[ ! -x "$bin" ]]; then
  echo "no $bin: build it first (ninja -C $build audit_bench)" >&2
  exit 2
fi
work=$(mktemp -d /var/tmp/coffer-audit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" "$work/data" "$records" "$uploads"
