#!/usr/bin/env bash
# Builds the TypeScript kit (its types generated from docs/openapi.json) and
# runs its tests with node's test runner, against the image
# (localhost/ims-emulator, scripts/image.sh) through Testcontainers, on the
# Docker API scripts/with-docker-api.sh gives (podman's, without DOCKER_HOST).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/testcontainers ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
npm run --silent build
exec bash ../../scripts/with-docker-api.sh node --test --test-concurrency=1 dist/test/
