#!/usr/bin/env bash
# Search of the activity record: fills RECORDS records straight into the store
# and times pages of 100 per kind of filter (first page and page 50 through the
# keyset cursor). Works in a temporary directory under /var/tmp, removed after.
#   bash bench/run-audit-search-bench.sh [build_dir] [records] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
records="${2:-2000000}"
repeat="${3:-5}"
bin="$build/bench/audit_search_bench"
if [[ ! -x "$bin" ]]; then
  echo "no $bin: build it first (ninja -C $build audit_search_bench)" >&2
  exit 2
fi
work=$(mktemp -d /var/tmp/coffer-audit-search-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" "$work/data" "$records" "$repeat"
