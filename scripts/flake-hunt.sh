#!/usr/bin/env bash
# Runs the README's test command N times under CPU load (two busy loops, as
# on a busy 2-core CI machine) and names every test that failed in any run.
# A test that fails here is broken, not flaky: fix it at its cause.
#   scripts/flake-hunt.sh [N]        (default 5)
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
bash scripts/build.sh >/dev/null || exit 2
hogs=()
for _ in 1 2; do
  ( while :; do :; done ) &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
failed_runs=0
declare -A failures
for i in $(seq 1 "$runs"); do
  log="build/flake-hunt-$i.log"
  start=$(date +%s)
  if bash scripts/test.sh >"$log" 2>&1; then
    echo "run $i: passed ($(( $(date +%s) - start )) s)"
  else
    failed_runs=$((failed_runs + 1))
    names=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (\(Failed\|Timeout\|SEGFAULT\|Subprocess aborted\|Exception\).*/\1/p' "$log")
    echo "run $i: FAILED ($(( $(date +%s) - start )) s): ${names:-see $log}"
    for n in $names; do failures[$n]=$(( ${failures[$n]:-0} + 1 )); done
  fi
done
echo "under load: $((runs - failed_runs)) of $runs runs passed"
for n in "${!failures[@]}"; do echo "  $n failed in ${failures[$n]} run(s)"; done
[ "$failed_runs" -eq 0 ]
