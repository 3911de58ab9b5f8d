#!/usr/bin/env bash
# Installs the dependencies and builds ims-emulator.
#   scripts/build.sh            -> build/            (RelWithDebInfo)
#   scripts/build.sh --sanitize -> build-sanitize/   (AddressSanitizer + UBSan)
#   scripts/build.sh --tsan     -> build-tsan/       (ThreadSanitizer, httplib built from source)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
case "${1:-}" in
  --sanitize)
    dir=build-sanitize
    flags=(-DCMAKE_BUILD_TYPE=Debug -DIMSEMU_SANITIZE=ON -DIMSEMU_BUILD_BENCH=OFF)
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
esac

# Our own CI sets IMSEMU_WERROR=ON (.ci/run); a user's build never needs it.
cmake -S . -B "$dir" "${flags[@]}" -DIMSEMU_WERROR="${IMSEMU_WERROR:-OFF}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
