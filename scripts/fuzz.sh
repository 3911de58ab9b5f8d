#!/usr/bin/env bash
# Builds the fuzz targets with clang 14 and libFuzzer (+ASan/UBSan) in
# build-fuzz/ and runs each for a bounded time on a copy of its corpus.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 10)
# A crash or leak fails the run; the input is saved in build-fuzz/findings/:
# copy it to fuzz/regressions/<target>/ with the fix, so that every build runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"

bash scripts/install-deps.sh
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMSEMU_FUZZ=ON -DIMSEMU_BUILD_TESTS=OFF \
  -DIMSEMU_BUILD_BENCH=OFF -DIMSEMU_WERROR="${IMSEMU_WERROR:-OFF}" >/dev/null
targets=$(sed -n '/^set(IMSEMU_FUZZ_TARGETS/,/^)/p' fuzz/CMakeLists.txt | grep -o 'fuzz_[a-z0-9_]*')
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$(nproc)" --target $targets >build-fuzz/build.log || { tail -30 build-fuzz/build.log; exit 1; }

mkdir -p build-fuzz/findings
failed=0
for t in $targets; do
  work="build-fuzz/corpus/$t"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "fuzz/corpus/$t/." "$work/"
  log="build-fuzz/$t.log"
  if build-fuzz/fuzz/"$t" "$work" "fuzz/regressions/$t" -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=4096 -artifact_prefix="build-fuzz/findings/$t-" \
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
