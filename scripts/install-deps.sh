#!/usr/bin/env bash
# Installs the Debian packages ims-emulator needs to build and test, and the
# contract test's npm packages.
# Idempotent: packages already present are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang-format
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev
  libgtest-dev libgmock-dev libcli11-dev libspdlog-dev libbenchmark-dev
  libyaml-cpp-dev python3 clang-14 libclang-rt-14-dev
  # The .deb: its architecture, its stripped CLI, and Debian's own checks.
  dpkg-dev file lintian
  # The dashboard's browser test: headless Chromium driven by Selenium.
  chromium chromium-driver python3-selenium fonts-liberation
  # Containers (scripts/image.sh, payload_spec.image): podman with runc
  # (containers/containers.conf), slirp4netns for a game-server container's
  # way back to the emulator's loopback, binutils' strip for the images.
  podman runc slirp4netns binutils
  # compose.yaml with podman-compose (service names resolve through CNI's
  # dnsname plugin); the Containerfile's base made from the archive.
  podman-compose golang-github-containernetworking-plugin-dnsname mmdebstrap curl
  # The language kits (clients/): Python's through pytest, C#'s built with
  # mono's mcs against Newtonsoft.Json and run by NUnit's console.
  python3-pytest mono-devel nunit-console libnewtonsoft-json-cil-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# The OpenAPI contract test's validators come from npm (Node.js is on these
# machines; Debian's nodejs and npm where it is not).
command -v npm >/dev/null || missing+=(nodejs npm)

if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

# tests/contract's validators and generators, pinned by its package-lock.json
# (installed again when one of package.json's dependencies is missing).
if ! node -e 'const d = require("./tests/contract/package.json").dependencies;
    process.exit(Object.keys(d).every((n) => require("fs").existsSync(
      "tests/contract/node_modules/" + n + "/package.json")) ? 0 : 1)'; then
  npm ci --prefix tests/contract --no-audit --no-fund >/dev/null
fi
