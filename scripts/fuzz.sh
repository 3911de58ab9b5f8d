#!/usr/bin/env bash
# Builds the fuzz targets with clang 14 and libFuzzer (+ASan/UBSan) in
# build-sanitize/ (the sanitizer build: scripts/build.sh --sanitize) and runs
# each for a bounded time on a copy of its corpus.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 10)
# A crash or leak fails the run; the input is saved in build-sanitize/findings/:
# copy it to fuzz/regressions/<target>/ with the fix, so that every build runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"

dir=build-sanitize
targets=$(sed -n '/^set(IMSEMU_FUZZ_TARGETS/,/^)/p' fuzz/CMakeLists.txt | grep -o 'fuzz_[a-z0-9_]*')
build_log=$(mktemp)
# shellcheck disable=SC2086
bash scripts/build.sh --sanitize $targets >"$build_log" 2>&1 || { tail -30 "$build_log"; exit 1; }
rm -f "$build_log"

mkdir -p "$dir/findings"
failed=0
for t in $targets; do
  work="$dir/corpus/$t"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "fuzz/corpus/$t/." "$work/"
  log="$dir/$t.log"
  if "$dir/fuzz/$t" "$work" "fuzz/regressions/$t" -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=4096 -artifact_prefix="$dir/findings/$t-" \
      -print_final_stats=1 >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $t: ${execs:-?} executions in ${seconds} s, no finding"
  else
    failed=1
    echo "fuzz $t: FINDING (log: $log)"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
  fi
done
exit "$failed"
