#!/usr/bin/env bash
# Runs every test: installs what is missing, then
#   1. release build (warnings are errors): unit tests + CLI tests against the real binary
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. every libFuzzer target for FUZZ_SECONDS each (default 20) from its seed corpus
# Ends with one line "tests: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

jobs="$(nproc)"
passed=0
failed=0
status=0
logdir="$PWD/build/test-logs"
mkdir -p "$logdir"

count_ctest() {  # reads a ctest log, adds its totals
  local log="$1" line total fails
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}

print_failures() {  # the end of each failed test's own output, so a CI log says why
  awk '
    /^ *[0-9]+\/[0-9]+ Test +#/ { if (keep) flush(); keep = ($0 ~ /\*\*\*(Failed|Timeout|Exception)/); n = 0 }
    keep { buf[n++ % 60] = $0 }
    function flush(  i, s) { s = (n > 60) ? n - 60 : 0; print "---- output of a failed test (last lines):"; for (i = s; i < n; i++) print buf[i % 60]; keep = 0 }
    /tests passed, / { if (keep) flush() }
  ' "$1"
}

run_preset() {
  local preset="$1"
  echo "== $preset: build"
  if ! bash scripts/build.sh "$preset" >"$logdir/build-$preset.log" 2>&1; then
    tail -50 "$logdir/build-$preset.log"
    echo "== $preset: BUILD FAILED"
    failed=$((failed + 1)); status=1; return
  fi
  echo "== $preset: tests"
  ctest --preset "$preset" -j "$jobs" --timeout 900 --output-on-failure 2>&1 | tee "$logdir/ctest-$preset.log" |
    grep -E 'tests passed|\*\*\*Failed|\*\*\*Timeout|Exception|Not Run' || true
  count_ctest "$logdir/ctest-$preset.log"
  print_failures "$logdir/ctest-$preset.log"
  grep -qE '100% tests passed' "$logdir/ctest-$preset.log" || status=1
}

run_fuzz() {
  local seconds="${FUZZ_SECONDS:-20}"
  echo "== fuzz: build"
  if ! bash scripts/build.sh fuzz >"$logdir/build-fuzz.log" 2>&1; then
    tail -50 "$logdir/build-fuzz.log"
    echo "== fuzz: BUILD FAILED"
    failed=$((failed + 1)); status=1; return
  fi
  for bin in build/fuzz/tests/fuzz/*_fuzz; do
    [ -x "$bin" ] || continue
    local name corpus work
    name=$(basename "$bin")
    corpus="tests/fuzz/corpus/$name"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    if "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$logdir/$name-" "$work" >"$logdir/fuzz-$name.log" 2>&1; then
      echo "fuzz $name: ok ($(grep -oE 'stat::number_of_executed_units: [0-9]+' "$logdir/fuzz-$name.log" | awk '{print $2}') runs)"
      passed=$((passed + 1))
    else
      echo "fuzz $name: FAILED (see $logdir/fuzz-$name.log)"
      tail -30 "$logdir/fuzz-$name.log"
      failed=$((failed + 1)); status=1
    fi
    rm -rf "$work"
  done
}

run_preset release
run_preset asan
run_fuzz
echo "tests: $passed passed, $failed failed"
exit $status
