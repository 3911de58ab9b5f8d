#!/usr/bin/env bash
# Installs, builds and runs every test with CTest, in parallel.
#   scripts/test.sh             normal build, every test
#   scripts/test.sh --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build
#   scripts/test.sh --tsan      ThreadSanitizer build
#   scripts/test.sh --quick     normal build, without the slow and browser tests
#                               (labels: unit, http, process, browser, check, slow,
#                               container, theory, and the kits' csharp, python,
#                               typescript; ctest --test-dir build -L LABEL runs one kind)
# The sanitizer builds leave out the container tests (the images hold the
# normal build's binaries, scripts/image.sh, which those tests are about),
# check/mutations (the table of broken stand-ins judges the verdicts, the same
# code check/cases runs under the sanitizers), the browser tests (the page in
# Chromium; the server code they reach is the http tests'), the rehearsal's
# theory runs and readme/examples (both simulate whole days: minutes under
# the sanitizers, on the code the short simulation tests run there) and the
# language kits (they test the kits; the server code they reach is the http
# tests').
set -euo pipefail
cd "$(dirname "$0")/.."
build_flag=""
select=()
case "${1:-}" in
  --sanitize | --tsan)
    build_flag="$1"
    select=(-LE 'container|browser|theory|csharp|python|typescript' -E 'check/mutations|readme/examples')
    ;;
  --quick) select=(-LE "slow|browser") ;;
  "") ;;
  *) echo "test.sh: unknown option '$1' (--sanitize, --tsan, --quick)" >&2; exit 2 ;;
esac
# Everything the suite needs: the containers, browser and package tests too.
bash scripts/install-deps.sh
bash scripts/build.sh $build_flag
dir=build
[ "$build_flag" = "--sanitize" ] && dir=build-sanitize
[ "$build_flag" = "--tsan" ] && dir=build-tsan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp"
# Twice as many tests as cores at once: most of them wait on processes,
# containers and the network stack (the suite used 42% of 2 cores at -j2);
# under the sanitizers each test is CPU-bound, one per core.
jobs=$(( 2 * $(nproc) ))
[ -z "$build_flag" ] || jobs=$(nproc)
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${select[@]}"
