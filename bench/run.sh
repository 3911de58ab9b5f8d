#!/usr/bin/env bash
# Builds and runs every benchmark, and writes docs/performance.md.
# Usage: bash bench/run.sh [seconds-per-throughput-measure]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-6}"
bash scripts/build.sh >/dev/null
out=docs/performance.md
{
  echo "# Performance"
  echo
  echo "Measured by \`bash bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "($(uname -m)), RelWithDebInfo build. Each ratio is measured side by side in"
  echo "one run (interleaved rounds, median); numbers from a shared machine vary"
  echo "by ±15% from run to run."
  echo
  echo "## Payload Local API and start-up (\`build/bench/payload_api_bench $seconds\`)"
  echo
  build/bench/payload_api_bench "$seconds" fixtures/default.json
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
