#!/usr/bin/env bash
# Builds the Containerfile studios copy, as their Docker would, but without a
# registry: the debian:bookworm-slim it starts from is made here from the
# Debian archive with mmdebstrap (minbase) and tagged with that name, then
# the built image must answer /emulator/v0/health through a published port.
# It is also CI's Release build with GCC 12 and warnings as errors
# (IMSEMU_WERROR=ON, which .ci/run exports).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh containers
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/containers/containers.conf}"
base=docker.io/library/debian:bookworm-slim
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
if ! podman image exists "$base"; then
  tarball=$(mktemp --suffix=.tar)
  mmdebstrap --quiet --variant=minbase bookworm "$tarball" "${mirror:-http://deb.debian.org/debian}"
  podman import --quiet "$tarball" "$base" >/dev/null
  rm -f "$tarball"
fi
podman build --quiet --pull=never --build-arg IMSEMU_WERROR="${IMSEMU_WERROR:-OFF}" \
  -f Containerfile -t localhost/ims-emulator-containerfile:check .
name="ims-emulator-containerfile-$$"
podman run --detach --rm --name "$name" --publish 127.0.0.1::9350 \
  localhost/ims-emulator-containerfile:check >/dev/null
trap 'podman rm --force --time 0 --ignore "$name" >/dev/null' EXIT
port=$(podman port "$name" 9350/tcp | sed 's/.*://')
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$port/emulator/v0/health" >/dev/null; then
    size=$(podman image inspect --format '{{.Size}}' localhost/ims-emulator-containerfile:check)
    echo "check-containerfile: the Containerfile's image answers health ($((size / 1000000)) MB)"
    exit 0
  fi
  sleep 0.1
done
echo "check-containerfile: the Containerfile's image did not answer /emulator/v0/health" >&2
podman logs "$name" >&2 || true
exit 1
