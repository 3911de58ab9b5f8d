#!/usr/bin/env bash
# Installs, builds and runs every test with CTest, in parallel.
#   scripts/test.sh             normal build
#   scripts/test.sh --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build
#   scripts/test.sh --tsan      ThreadSanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh "$@"
dir=build
[ "${1:-}" = "--sanitize" ] && dir=build-sanitize
[ "${1:-}" = "--tsan" ] && dir=build-tsan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp"
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
