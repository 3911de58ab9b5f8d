#!/usr/bin/env bash
# Installs the dependencies and builds ims-emulator.
#   scripts/build.sh            -> build/            (RelWithDebInfo, -O2 -g1: the CLI, tests,
#                                                     benchmarks and examples)
#   scripts/build.sh --cli      -> build/            (only what serving needs: the CLI,
#                                                     its libraries and built-in files,
#                                                     and the example game server and
#                                                     client, which images pack; the
#                                                     build tools and libraries alone)
#   scripts/build.sh --sanitize -> build-sanitize/   (clang 14, Debug, AddressSanitizer +
#                                                     UBSan; the suite and the libFuzzer targets)
#   scripts/build.sh --tsan     -> build-tsan/       (ThreadSanitizer, httplib built from source)
# Targets, after the option if any, build only those (scripts/build.sh --sanitize fuzz_http).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
# -g1: line tables (a crash or a sanitizer names file and line), not the
# variables a debugger shows, which cost a quarter of the compile time
# (docs/performance.md, Build); configure build/ with -g to debug.
optimized=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
flags=("${optimized[@]}" -DIMSEMU_BUILD_TESTS=ON -DIMSEMU_BUILD_BENCH=ON -DIMSEMU_BUILD_EXAMPLES=ON)
mode=""
case "${1:-}" in --*) mode="$1" && shift ;; esac
purposes=(build test)
case "$mode" in
  "") ;;
  --cli)
    purposes=(build)
    # A build/ configured for the suite builds just these targets as it is.
    if grep -qs '^IMSEMU_BUILD_TESTS:BOOL=ON' "$dir/CMakeCache.txt"; then
      flags=()
    else
      flags=("${optimized[@]}" -DIMSEMU_BUILD_TESTS=OFF -DIMSEMU_BUILD_BENCH=OFF
             -DIMSEMU_BUILD_EXAMPLES=ON)
    fi
    [ "$#" -gt 0 ] || set -- ims-emulator example-game-server example-game-client
    ;;
  --sanitize)
    # One compile for the suite under the sanitizers and the fuzz targets
    # (libFuzzer needs clang; its coverage costs the tests little), instead
    # of a GCC ASan build and a clang fuzz build (docs/performance.md, Build).
    dir=build-sanitize
    # A build-sanitize/ configured with another compiler is started afresh.
    if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*=.*clang++-14$' "$dir/CMakeCache.txt"; then
      rm -rf "$dir"
    fi
    flags=(-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1
           -DIMSEMU_SANITIZE=ON -DIMSEMU_FUZZ=ON -DIMSEMU_BUILD_BENCH=OFF)
    ;;
  --tsan)
    dir=build-tsan
    # -O1 -g1, as ThreadSanitizer's manual suggests: reports keep file and
    # line, and the build is quicker than at -O2 -g.
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
           -DIMSEMU_TSAN=ON -DIMSEMU_BUILD_BENCH=OFF
           -DIMSEMU_HTTPLIB_SOURCE="$PWD/build-deps/cpp-httplib")
    ;;
  *) echo "build.sh: unknown option '$mode' (--cli, --sanitize, --tsan)" >&2; exit 2 ;;
esac
targets=("$@")
bash scripts/install-deps.sh "${purposes[@]}"
[ "$mode" != --tsan ] || bash scripts/httplib-source.sh

# Our own CI sets IMSEMU_WERROR=ON (.ci/run); a user's build never needs it.
cmake -S . -B "$dir" ${flags[@]+"${flags[@]}"} -DIMSEMU_WERROR="${IMSEMU_WERROR:-OFF}" >/dev/null
cmake --build "$dir" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"}
