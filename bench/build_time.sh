#!/usr/bin/env bash
# Times what a fresh clone's scripts/test.sh spends compiling: configures and
# builds a clean copy of the committed tree with every compile timed, then
# prints a Markdown table (wall time, compiler time, the heaviest files).
# Usage: bash bench/build_time.sh [extra cmake flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/imsemu-build-time-XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/src"
times="$work/times.txt"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/time;-a;-o;$times;-f;%e %C" "$@" >/dev/null
start=$(date +%s.%N)
cmake --build "$work/build" -j "$(nproc)" >/dev/null
end=$(date +%s.%N)
python3 - "$times" "$start" "$end" "$(nproc)" "$work/src/" <<'PY'
import sys
times, start, end, cores, src = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = []
for line in open(times):
    parts = line.split()
    if not parts or not parts[0].replace('.', '', 1).isdigit() or '-c' not in parts:
        continue
    source = parts[parts.index('-c') + 1].replace(src, '')
    rows.append((float(parts[0]), source))
total = sum(t for t, _ in rows)
print(f"| fresh build, {cores} jobs: wall (s) | {end - start:.0f} | |")
print(f"| compiler time, all {len(rows)} translation units (s) | {total:.0f} | |")
heavy = sorted(rows, reverse=True)[:5]
print("| heaviest: " + ", ".join(f"`{s}` {t:.0f} s" for t, s in heavy) + " | | |")
PY
