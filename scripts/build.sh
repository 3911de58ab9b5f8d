#!/usr/bin/env bash
# Installs the dependencies and builds ims-emulator.
#   scripts/build.sh            -> build/            (RelWithDebInfo)
#   scripts/build.sh --sanitize -> build-sanitize/   (AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-sanitize
  flags=(-DCMAKE_BUILD_TYPE=Debug -DIMSEMU_SANITIZE=ON -DIMSEMU_BUILD_BENCH=OFF)
fi

cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
