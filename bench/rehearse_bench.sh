#!/usr/bin/env bash
# rehearse's speed and memory through the CLI, as users run it: one
# simulated day of 100,000 sessions for one setting, and the same day swept
# over 8 buffer sizes on every core. Prints the rows of docs/performance.md.
# Usage: bash bench/rehearse_bench.sh [BINARY]   (default build/ims-emulator)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/ims-emulator}"
measure() {  # wall seconds, user seconds, max RSS in KB
  /usr/bin/time -f "%e %U %M" -o /tmp/rehearse-bench.$$ "$binary" rehearse "$@" --quiet \
    --json /dev/null >/dev/null
  cat /tmp/rehearse-bench.$$
  rm -f /tmp/rehearse-bench.$$
}
read -r wall user rss < <(measure bench/plans/day-100k.yaml --jobs 1)
read -r swall suser srss < <(measure bench/plans/day-100k-sweep.yaml --jobs "$(nproc)")
sessions=$("$binary" rehearse bench/plans/day-100k.yaml --quiet --json - 2>/dev/null |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["sessions_requested"], r["peak_payloads"])')
read -r players peak <<<"$sessions"
echo "| one simulated day, $players players, one setting (peak $peak payloads): wall (s) | $wall | < 10 |"
echo "| the same: resident memory (MB) | $((rss / 1024)) | < 500 |"
echo "| the same: speed-up over real time | $(python3 -c "print(f'{86400 / max($wall, 0.01):.0f}x')") | |"
echo "| that day swept over 8 buffer sizes, $(nproc) cores: wall (s) | $swall ($suser s of CPU) | < 60 |"
echo "| the sweep: resident memory (MB) | $((srss / 1024)) | < 500 |"
