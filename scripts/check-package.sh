#!/usr/bin/env bash
# Proves the CMake package and the .deb from a user's side, after
# scripts/build.sh has built build/:
#  1. installs into a temporary prefix and builds and tests examples/studio
#     against it with find_package(ims_emulator CONFIG);
#  2. builds and tests examples/studio with this tree as a subdirectory (our
#     tests, benchmarks and examples stay off there), then through FetchContent
#     in Release (no -Werror from us, the studio's build type kept);
#  3. builds the .deb (`cpack -G DEB` in build/) and runs the CLI it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install build --prefix "$work/prefix" >/dev/null
cmake -S examples/studio -B "$work/installed" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed" -j "$(nproc)" >/dev/null
ctest --test-dir "$work/installed" --output-on-failure

cmake -S examples/studio -B "$work/subdirectory" -DSTUDIO_EMULATOR_SOURCE="$PWD" >/dev/null
if grep -q 'http_tests\|example-game-server' "$work/subdirectory/Makefile" "$work/subdirectory/ims_emulator/Makefile"; then
  echo "check-package: our tests or examples are built inside a user's project" >&2
  exit 1
fi
cmake --build "$work/subdirectory" -j "$(nproc)" --target studio_tests >/dev/null
ctest --test-dir "$work/subdirectory" --output-on-failure

# In Release, the build type studios use most; it must stay theirs, and our
# -Werror (on in CI) must not reach them.
cmake -S examples/studio -B "$work/fetched" -DSTUDIO_EMULATOR_SOURCE="$PWD" \
  -DSTUDIO_EMULATOR_FETCH=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
if grep -q -- '-Werror' "$work/fetched/compile_commands.json" ||
   ! grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$work/fetched/CMakeCache.txt"; then
  echo "check-package: the emulator changed a studio's flags or build type" >&2
  exit 1
fi
cmake --build "$work/fetched" -j "$(nproc)" --target studio_tests >/dev/null
ctest --test-dir "$work/fetched" --output-on-failure

(cd build && cpack -G DEB >/dev/null)
deb=$(ls build/ims-emulator_*.deb)
dpkg-deb -x "$deb" "$work/deb"
"$work/deb/usr/bin/ims-emulator" --version
echo "check-package: $deb, the installed package, add_subdirectory and FetchContent all work"
