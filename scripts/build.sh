#!/usr/bin/env bash
# Installs the dependencies and builds ims-emulator.
#   scripts/build.sh            -> build/            (RelWithDebInfo)
#   scripts/build.sh --sanitize -> build-sanitize/   (clang 14, Debug, AddressSanitizer +
#                                                     UBSan; the suite and the libFuzzer targets)
#   scripts/build.sh --tsan     -> build-tsan/       (ThreadSanitizer, httplib built from source)
# Targets, after the option if any, build only those (scripts/build.sh --sanitize fuzz_http).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
mode=""
case "${1:-}" in --*) mode="$1" && shift ;; esac
case "$mode" in
  "") ;;
  --sanitize)
    # One compile for the suite under the sanitizers and the fuzz targets
    # (libFuzzer needs clang; its coverage costs the tests little), instead
    # of a GCC ASan build and a clang fuzz build (docs/performance.md, Build).
    dir=build-sanitize
    # A build-sanitize/ configured with another compiler is started afresh.
    if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*=.*clang++-14$' "$dir/CMakeCache.txt"; then
      rm -rf "$dir"
    fi
    flags=(-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug
           -DIMSEMU_SANITIZE=ON -DIMSEMU_FUZZ=ON -DIMSEMU_BUILD_BENCH=OFF)
    ;;
  --tsan)
    bash scripts/httplib-source.sh
    dir=build-tsan
    # -O1 -g1, as ThreadSanitizer's manual suggests: reports keep file and
    # line, and the build is quicker than at -O2 -g.
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
           -DIMSEMU_TSAN=ON -DIMSEMU_BUILD_BENCH=OFF
           -DIMSEMU_HTTPLIB_SOURCE="$PWD/build-deps/cpp-httplib")
    ;;
  *) echo "build.sh: unknown option '$mode' (--sanitize, --tsan)" >&2; exit 2 ;;
esac
targets=("$@")

# Our own CI sets IMSEMU_WERROR=ON (.ci/run); a user's build never needs it.
cmake -S . -B "$dir" "${flags[@]}" -DIMSEMU_WERROR="${IMSEMU_WERROR:-OFF}" >/dev/null
cmake --build "$dir" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"}
