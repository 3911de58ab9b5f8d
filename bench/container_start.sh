#!/usr/bin/env bash
# How long from `podman run` of localhost/ims-emulator to its first answer of
# /emulator/v0/health through the published port (the target: within 1 s),
# over N runs (default 10), and the images' sizes. Needs the images
# (bash scripts/image.sh).
#   bash bench/container_start.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/containers/containers.conf}"
runs=${1:-10}
times=()
for i in $(seq 1 "$runs"); do
  name="ims-emulator-bench-$$-$i"
  start=$(date +%s%N)
  podman run --detach --rm --name "$name" --publish 127.0.0.1::9350 localhost/ims-emulator >/dev/null
  port=$(podman port "$name" 9350/tcp | sed 's/.*://')
  until curl -sf "http://127.0.0.1:$port/emulator/v0/health" >/dev/null; do sleep 0.005; done
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
  podman rm --force --time 0 "$name" >/dev/null
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "podman run -> health answered, $runs runs: min ${sorted[0]} ms, median ${sorted[$((runs / 2))]} ms, max ${sorted[$((runs - 1))]} ms"
for image in localhost/ims-emulator:latest localhost/ims-example-game-server:latest; do
  echo "$image: $(( $(podman image inspect --format '{{.Size}}' "$image") / 1000000 )) MB"
done
