#!/usr/bin/env bash
# Builds ims-emulator the ways users build it, each from scratch in
# build-matrix/, and times each:
#   scripts/build-matrix.sh [gcc|clang]...
#                                  every CMAKE_BUILD_TYPE (Debug, Release,
#                                  RelWithDebInfo, MinSizeRel) with GCC 12 and
#                                  clang 14, at the top level (the library and
#                                  the CLI) and as a studio's subproject through
#                                  FetchContent (examples/studio, its tests run)
# (CI's Release build with warnings as errors is the Containerfile's,
# scripts/check-containerfile.sh; check-package.sh builds a studio pulling
# the tree with FetchContent in Release.)
# A subproject must never get -Werror from us: the studio's compile commands
# are checked for it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
root="$PWD/build-matrix"
mkdir -p "$root"

compiler_flags() {
  case "$1" in
    gcc) echo "-DCMAKE_CXX_COMPILER=g++" ;;
    clang) echo "-DCMAKE_CXX_COMPILER=clang++-14" ;;
  esac
}

# top COMPILER TYPE [WERROR]: the library and the CLI, as the top-level project.
top() {
  local dir="$root/top-$1-$2"
  rm -rf "$dir"
  local start=$SECONDS
  # shellcheck disable=SC2046
  cmake -S . -B "$dir" $(compiler_flags "$1") -DCMAKE_BUILD_TYPE="$2" \
    -DIMSEMU_BUILD_TESTS=OFF -DIMSEMU_BUILD_BENCH=OFF -DIMSEMU_BUILD_EXAMPLES=OFF \
    -DIMSEMU_WERROR="${3:-OFF}" >/dev/null
  cmake --build "$dir" -j "$(nproc)" >"$dir.log" 2>&1 || { tail -40 "$dir.log"; echo "FAIL top-level $1 $2"; return 1; }
  echo "ok   top-level  $1 $2$([ "${3:-OFF}" = ON ] && echo ' (-Werror)'): $((SECONDS - start)) s, $(grep -c 'warning:' "$dir.log" || true) warnings"
}

# sub COMPILER TYPE: examples/studio pulls this tree with FetchContent.
sub() {
  local dir="$root/sub-$1-$2"
  rm -rf "$dir"
  local start=$SECONDS
  # shellcheck disable=SC2046
  cmake -S examples/studio -B "$dir" $(compiler_flags "$1") -DCMAKE_BUILD_TYPE="$2" \
    -DSTUDIO_EMULATOR_SOURCE="$PWD" -DSTUDIO_EMULATOR_FETCH=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  if grep -q -- '-Werror' "$dir/compile_commands.json"; then
    echo "FAIL subproject $1 $2: -Werror reached the build"; return 1
  fi
  if ! grep -q -- "CMAKE_BUILD_TYPE:STRING=$2" "$dir/CMakeCache.txt"; then
    echo "FAIL subproject $1 $2: the studio's build type was changed"; return 1
  fi
  cmake --build "$dir" -j "$(nproc)" --target studio_tests >"$dir.log" 2>&1 || { tail -40 "$dir.log"; echo "FAIL subproject $1 $2"; return 1; }
  ctest --test-dir "$dir" >"$dir.test.log" 2>&1 || { tail -20 "$dir.test.log"; echo "FAIL subproject $1 $2: its tests"; return 1; }
  echo "ok   subproject $1 $2 (FetchContent, its tests pass): $((SECONDS - start)) s"
}

failed=0
compilers=("$@")
[ "${#compilers[@]}" -eq 0 ] && compilers=(gcc clang)
for compiler in "${compilers[@]}"; do
  for type in Debug Release RelWithDebInfo MinSizeRel; do
    top "$compiler" "$type" || failed=1
    sub "$compiler" "$type" || failed=1
  done
done
exit $failed
