#!/usr/bin/env bash
# Runs a command with a Docker-compatible API for Testcontainers: the one
# DOCKER_HOST names, or else podman's (`podman system service` on a socket of
# its own for the command's run, with the project's containers.conf).
# Testcontainers' Ryuk reaper is off: its image would be pulled from a
# registry; the tests stop every container they start.
#   scripts/with-docker-api.sh COMMAND [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers/containers.conf}"
export TESTCONTAINERS_RYUK_DISABLED=true
if [ -n "${DOCKER_HOST:-}" ]; then exec "$@"; fi
socket_dir=$(mktemp -d /tmp/imsemu-podman-XXXXXX)
podman system service --time=0 "unix://$socket_dir/podman.sock" &
service=$!
trap 'kill "$service" 2>/dev/null; wait "$service" 2>/dev/null; rm -rf "$socket_dir"' EXIT
# The socket appears once the service listens (at most 10 s).
for _ in $(seq 100); do [ -S "$socket_dir/podman.sock" ] && break; sleep 0.1; done
[ -S "$socket_dir/podman.sock" ] || { echo "with-docker-api.sh: podman's API did not come up" >&2; exit 1; }
export DOCKER_HOST="unix://$socket_dir/podman.sock"
"$@"
