#!/usr/bin/env bash
# Encrypted blob store vs plain copy on the same disk, in the same run.
#   bash bench/run-blob-bench.sh [build_dir] [work_dir]
# Writes a 1 GiB file through BlobStore (sealed, hashed, fsync'd) and reads it
# back (every chunk authenticated), next to `cp` of the same source + fsync of
# the copy, and `cat` of the copy. The source is in the page cache for both
# writes; caches are dropped before both reads when we may (root), else both
# reads come from cache. Median of 3 runs.
# Targets: encrypted write >= 0.9x cp+sync, encrypted read >= 0.8x plain read.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
parent="${2:-/var/tmp}"
bench="$build/bench/blob_bench"
runs=3
size_mib=1024

if [[ ! -x "$bench" ]]; then
  echo "no $bench; build it first: cmake --preset release && ninja -C $build blob_bench" >&2
  exit 1
fi
mkdir -p "$parent"
work=$(mktemp -d "$parent/coffer-blob-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

fstype=$(stat -f -c %T "$work")
if [[ "$fstype" == tmpfs || "$fstype" == ramfs ]]; then
  echo "warning: $work is on $fstype, not a disk; figures mean little" >&2
fi

now() { date +%s.%N; }
mibs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

drop_caches() {
  sync
  { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null
}
warm() { cat "$work/source" > /dev/null; }

head -c $((size_mib * 1048576)) /dev/urandom > "$work/source"
bytes=$(stat -c %s "$work/source")
if drop_caches; then
  drop_flag=--drop-caches
  read_note="page cache dropped before each read"
else
  drop_flag=
  read_note="could not drop the page cache (not root?): both reads come from cache"
fi

cp_w=() cat_r=() blob_w=() blob_r=()
for run in $(seq 1 "$runs"); do
  [[ -n "$drop_flag" ]] && drop_caches
  warm
  t0=$(now)
  cp --reflink=never "$work/source" "$work/copy"
  sync "$work/copy"
  t1=$(now)
  cp_w+=("$(mibs "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")")
  [[ -n "$drop_flag" ]] && drop_caches
  t0=$(now)
  cat "$work/copy" > /dev/null
  t1=$(now)
  cat_r+=("$(mibs "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")")
  rm -f "$work/copy"
  sync

  [[ -n "$drop_flag" ]] && drop_caches
  warm
  out=$("$bench" "$work/store" "$work/source" $drop_flag)
  ws=$(sed -n 's/^write_seconds=//p' <<<"$out")
  rs=$(sed -n 's/^read_seconds=//p' <<<"$out")
  blob_w+=("$(mibs "$bytes" "$ws")")
  blob_r+=("$(mibs "$bytes" "$rs")")
  echo "run $run: cp+sync ${cp_w[-1]} MiB/s, blob write ${blob_w[-1]} MiB/s," \
    "cat ${cat_r[-1]} MiB/s, blob read ${blob_r[-1]} MiB/s"
done

mw_cp=$(median "${cp_w[@]}") mr_cat=$(median "${cat_r[@]}")
mw_blob=$(median "${blob_w[@]}") mr_blob=$(median "${blob_r[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "1 GiB on $fstype ($work), median of $runs runs; $read_note"
printf '%-40s %10s\n' "" "MiB/s"
printf '%-40s %10s\n' "cp + sync (plain write)" "$mw_cp"
printf '%-40s %10s   %sx cp+sync (target >= 0.90)\n' "BlobStore write (encrypt, hash, fsync)" \
  "$mw_blob" "$(ratio "$mw_blob" "$mw_cp")"
printf '%-40s %10s\n' "cat > /dev/null (plain read)" "$mr_cat"
printf '%-40s %10s   %sx cat (target >= 0.80)\n' "BlobStore read (decrypt, verify)" \
  "$mr_blob" "$(ratio "$mr_blob" "$mr_cat")"
