#!/usr/bin/env bash
# Builds and runs every benchmark, and writes docs/performance.md.
# Usage: bash bench/run.sh [seconds-per-throughput-measure]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-6}"
bash scripts/build.sh >/dev/null
fleet=build/bench/fleet_bench
out=docs/performance.md
{
  echo "# Performance"
  echo
  echo "Measured by \`bash bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "($(uname -m)), RelWithDebInfo build. Each ratio is measured side by side in"
  echo "one run (interleaved rounds, median). Numbers from a shared machine vary by"
  echo "±15% from run to run; no test asserts a time."
  echo
  echo "## Payload Local API and start-up"
  echo
  echo "\`build/bench/payload_api_bench $seconds\`"
  echo
  build/bench/payload_api_bench "$seconds" fixtures/default.json
  echo
  echo "## Session Manager, scale and replay speed"
  echo
  echo "\`$fleet sessions|state|list|own 1000|shared 10000|shared 100000|scenario FILE\` (one process each,"
  echo "so resident memory is each mode's own)"
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  "$fleet" sessions
  "$fleet" state
  "$fleet" list
  "$fleet" own 1000
  "$fleet" shared 10000
  "$fleet" shared 100000
  "$fleet" scenario scenarios/01-seed-flow.yaml
  echo
  echo "Through the CLI, as users run it (\`bench/cli_fleet.py\`: \`serve\` as a process,"
  echo "\`fleet_bench drive\` as its 32 clients):"
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  python3 bench/cli_fleet.py
  echo
  echo "## Cost growth"
  echo
  echo "\`$fleet growth\`: the median of 50 session creates with N Ready payloads;"
  echo "the median List Sessions with N Reserved sessions; one clock advance at which"
  echo "N game servers become Ready together (N timers, N control-loop passes;"
  echo "target: under 10 us a payload at 10,000)."
  echo
  echo "| N payloads | create (ms) | list (ms) | reconcile (ms) |"
  echo "|---|---|---|---|"
  "$fleet" growth
  echo
  echo "## Rehearsals"
  echo
  echo "\`bash bench/rehearse_bench.sh\`: \`ims-emulator rehearse\` through the CLI on"
  echo "\`bench/plans/day-100k.yaml\` (one day, 69.44 players a minute, 20-minute matches,"
  echo "30 s start-up, two retries) and \`day-100k-sweep.yaml\` (the same over 8 buffer"
  echo "sizes, settings simulated in parallel); wall time and peak resident memory by"
  echo "\`/usr/bin/time\`."
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  bash bench/rehearse_bench.sh
  echo
  echo "## Many clients at once"
  echo
  echo "\`build/bench/swarm_bench 8\`: every client on its own keep-alive connection,"
  echo "driven by one epoll loop in the same process; the bare cpp-httplib endpoint"
  echo "(its default thread pool) serves a body of the same size in the same run."
  echo "A request fails on an error answer, a dropped connection or 5 s without an"
  echo "answer. Idle keep-alive connections wait in one epoll watcher, not on a"
  echo "worker (\`emulator/http/idle_connections.h\`)."
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  build/bench/swarm_bench 8
  echo
  echo "## Containers"
  echo
  echo "\`bash bench/container_start.sh 10\`: \`podman run\` of the emulator's image to its"
  echo "first answer of \`/emulator/v0/health\` through the published port (target: within"
  echo "1 s), and the images' sizes (target: the emulator's at most 40 MB)."
  echo
  echo '```'
  bash scripts/image.sh --build-dir build >/dev/null
  bash bench/container_start.sh 10
  echo '```'
  echo
  echo "## Build"
  echo
  echo "\`bash bench/build_time.sh\`: a clean clone of the committed tree built twice,"
  echo "side by side: as \`scripts/build.sh\` does (unity batches of 8, -O2 -g1) and"
  echo "each file alone with full debug info (-O2 -g, as before); dependencies"
  echo "installed, no ccache, every compile timed."
  echo
  bash bench/build_time.sh
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
