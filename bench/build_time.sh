#!/usr/bin/env bash
# Times what a fresh clone's scripts/test.sh spends compiling, side by side
# in one run: a clean copy of the committed tree configured and built
#   1. as scripts/build.sh does (unity batches of 8, -O2 -g1), and
#   2. each file alone with full debug info (-DIMSEMU_UNITY_BUILD=OFF, -O2 -g),
#      the way the tree was built before,
# every compile timed; prints a Markdown table (wall time, compiler time, the
# heaviest compiles). Usage: bash bench/build_time.sh [extra cmake flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/imsemu-build-time-XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/src"
suite=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMSEMU_BUILD_TESTS=ON -DIMSEMU_BUILD_BENCH=ON
       -DIMSEMU_BUILD_EXAMPLES=ON)

# build NAME CMAKE_FLAGS...: one fresh build, its table rows.
build() {
  local name=$1 times="$work/$1.txt"
  shift
  cmake -S "$work/src" -B "$work/$name" "${suite[@]}" \
    "-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/time;-a;-o;$times;-f;%e %U %C" "$@" >/dev/null
  local start end
  start=$(date +%s.%N)
  cmake --build "$work/$name" -j "$(nproc)" >/dev/null
  end=$(date +%s.%N)
  python3 - "$times" "$start" "$end" "$(nproc)" "$work/src/" "$name" <<'PY'
import sys
times, start, end, cores, src, name = sys.argv[1:7]
rows = []
for line in open(times):
    parts = line.split()
    if len(parts) < 3 or not parts[0].replace('.', '', 1).isdigit() or '-c' not in parts:
        continue
    source = parts[parts.index('-c') + 1].replace(src, '')
    rows.append((float(parts[1]), source.split("CMakeFiles/")[-1]))
total = sum(t for t, _ in rows)
print(f"| {name}: fresh build, {cores} jobs, wall (s) | {float(end) - float(start):.0f} |")
print(f"| {name}: compiler CPU time, {len(rows)} compiles (s) | {total:.0f} |")
heavy = sorted(rows, reverse=True)[:4]
print(f"| {name}: heaviest | " + ", ".join(f"`{s}` {t:.0f} s" for t, s in heavy) + " |")
PY
}

echo "| measure | value |"
echo "|---|---|"
build as-build-sh "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "$@"
build file-by-file -DIMSEMU_UNITY_BUILD=OFF "$@"
