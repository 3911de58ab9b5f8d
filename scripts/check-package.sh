#!/usr/bin/env bash
# Proves the CMake package and the .deb from a user's side, after
# scripts/build.sh has built build/:
#  1. installs into a temporary prefix and builds and tests examples/studio
#     against it with find_package(ims_emulator CONFIG);
#  2. configures examples/studio with this tree as a subdirectory (our tests,
#     benchmarks, examples, install rules and CPack stay off there), then
#     builds and tests it through FetchContent (add_subdirectory underneath)
#     in Release (no -Werror from us, the studio's build type kept);
#  3. builds the .deb (`cpack -G DEB` in build/) and runs the CLI it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build test package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install build --prefix "$work/prefix" >/dev/null
cmake -S examples/studio -B "$work/installed" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed" -j "$(nproc)" >/dev/null
ctest --test-dir "$work/installed" --output-on-failure

# A game server links the clients alone: found without the emulator's other
# dependencies (spdlog, yaml-cpp, GoogleTest are made unfindable here).
mkdir -p "$work/clients-only"
cat > "$work/clients-only/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(clients_only LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(ims_emulator CONFIG REQUIRED COMPONENTS clients)
add_executable(game_server main.cc)
target_link_libraries(game_server PRIVATE ims_emulator::clients)
CMAKE
cat > "$work/clients-only/main.cc" <<'CPP'
#include <ims_emulator/clients.h>
int main() { return imsemu::PayloadClient::FromEnvironment().ok() ? 1 : 0; }
CPP
cmake --no-warn-unused-cli -S "$work/clients-only" -B "$work/clients-only/build" \
  -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_DISABLE_FIND_PACKAGE_spdlog=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=TRUE \
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=TRUE >/dev/null
cmake --build "$work/clients-only/build" >/dev/null
env -u ORCHESTRATION_PAYLOAD_API "$work/clients-only/build/game_server"

cmake -S examples/studio -B "$work/subdirectory" -DSTUDIO_EMULATOR_SOURCE="$PWD" >/dev/null
# A subproject builds the libraries only: no tests, examples or CLI of ours,
# and no install rules or CPack (the studio's package stays its own).
if grep -q 'http_tests\|example-game-server\|ims-emulator:' "$work/subdirectory/Makefile" "$work/subdirectory/ims_emulator/Makefile" ||
   grep -q 'ims_emulator\|ims-emulator' "$work/subdirectory/CPackConfig.cmake" 2>/dev/null ||
   grep -q 'libims_emulator' "$work/subdirectory/ims_emulator/cmake_install.cmake"; then
  echo "check-package: our CLI, tests, examples, install rules or CPack leak into a user's project" >&2
  exit 1
fi

# In Release, the build type studios use most; it must stay theirs, and our
# -Werror (on in CI) must not reach them. Each of our files compiled alone
# (IMSEMU_UNITY_BUILD=OFF): every other build here is in unity batches,
# which would hide a file that does not include what it uses.
cmake -S examples/studio -B "$work/fetched" -DSTUDIO_EMULATOR_SOURCE="$PWD" \
  -DSTUDIO_EMULATOR_FETCH=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DIMSEMU_UNITY_BUILD=OFF >/dev/null
if grep -q -- '-Werror' "$work/fetched/compile_commands.json" ||
   grep -q 'Unity/unity_' "$work/fetched/compile_commands.json" ||
   ! grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$work/fetched/CMakeCache.txt"; then
  echo "check-package: the emulator changed a studio's flags or build type" >&2
  exit 1
fi
cmake --build "$work/fetched" -j "$(nproc)" --target studio_tests >/dev/null
ctest --test-dir "$work/fetched" --output-on-failure

(cd build && rm -f ims-emulator_*.deb && cpack -G DEB >/dev/null)
deb=$(ls build/ims-emulator_*.deb)
dpkg-deb -x "$deb" "$work/deb"
"$work/deb/usr/bin/ims-emulator" --version
dpkg-deb -f "$deb" Depends | grep -q 'libsqlite3-dev' ||
  { echo "check-package: the .deb declares no Depends" >&2; exit 1; }
arch_dir=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in "usr/lib/$arch_dir/libims_emulator.a" usr/share/doc/ims-emulator/copyright; do
  [ -f "$work/deb/$f" ] || { echo "check-package: the .deb has no /$f" >&2; exit 1; }
done
if file "$work/deb/usr/bin/ims-emulator" | grep -q 'not stripped'; then
  echo "check-package: the CLI in the .deb is not stripped" >&2
  exit 1
fi
ls -l "$deb" "$work/deb/usr/bin/ims-emulator" "$work/deb/usr/lib/$arch_dir/"*.a | awk '{print "check-package: size", $5, $NF}'
# Debian's own checks: no error and no warning.
lintian --tag-display-limit 0 "$deb" 2>/dev/null | tee "$work/lintian.txt" || true
if grep -q '^[EW]:' "$work/lintian.txt"; then
  echo "check-package: lintian reports errors or warnings" >&2
  exit 1
fi
echo "check-package: $deb, the installed package and FetchContent work; add_subdirectory leaks nothing"
