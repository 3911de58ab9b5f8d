#!/usr/bin/env bash
# Installs what building needs, builds the CLI alone (no tests, benchmarks
# or test tools: scripts/build.sh --cli) and starts the emulator on its
# built-in world (fixtures/default.json). Extra arguments go to
# `ims-emulator serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --cli
exec build/ims-emulator serve "$@"
