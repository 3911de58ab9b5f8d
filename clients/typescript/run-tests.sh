#!/usr/bin/env bash
# Builds the TypeScript kit (its types generated from docs/openapi.json) and
# runs its tests with node's test runner, against the image
# (localhost/ims-emulator, scripts/image.sh) through Testcontainers.
# Without DOCKER_HOST, podman's Docker-compatible API serves them on a socket
# of its own for the run (CONTAINERS_CONF: the project's podman settings).
# Testcontainers' Ryuk reaper is off: its image would be pulled from a
# registry; the tests stop every container they start.
set -euo pipefail
cd "$(dirname "$0")"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/../../containers/containers.conf}"
export TESTCONTAINERS_RYUK_DISABLED=true
if [ ! -d node_modules/testcontainers ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
npm run --silent build
if [ -z "${DOCKER_HOST:-}" ]; then
  socket_dir=$(mktemp -d /tmp/imsemu-podman-XXXXXX)
  podman system service --time=0 "unix://$socket_dir/podman.sock" &
  service=$!
  trap 'kill "$service" 2>/dev/null; wait "$service" 2>/dev/null; rm -rf "$socket_dir"' EXIT
  for _ in $(seq 100); do [ -S "$socket_dir/podman.sock" ] && break; sleep 0.1; done
  export DOCKER_HOST="unix://$socket_dir/podman.sock"
fi
node --test --test-concurrency=1 dist/test/
