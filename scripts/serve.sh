#!/usr/bin/env bash
# Installs, builds and starts the emulator on fixtures/default.json.
# Extra arguments go to `ims-emulator serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/ims-emulator serve "$@"
