#!/usr/bin/env bash
# Installs what ims-emulator needs, by purpose; each script asks for just its
# own, and no purpose given means all of them (the README's test command).
#   bash scripts/install-deps.sh [build] [test] [containers] [browser] [package]
#   build       compile and run the CLI (scripts/serve.sh)
#   test        the suite: GoogleTest, the sanitizer and fuzz compiler, the
#               language kits' runners, the contract test's npm packages
#   containers  podman and what the images and compose need (scripts/image.sh)
#   browser     headless Chromium and Selenium (the dashboard's test)
#   package     the .deb and Debian's checks of it
# Idempotent: packages already present are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

purposes=("$@")
[ "${#purposes[@]}" -gt 0 ] || purposes=(build test containers browser package)

packages=()
npm_contract=false
for purpose in "${purposes[@]}"; do
  case "$purpose" in
    build)
      packages+=(build-essential cmake pkg-config
                 libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev
                 libcli11-dev libspdlog-dev libyaml-cpp-dev)
      ;;
    test)
      packages+=(build-essential cmake pkg-config clang-format
                 libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev
                 libcli11-dev libspdlog-dev libyaml-cpp-dev
                 libgtest-dev libgmock-dev libbenchmark-dev python3
                 # The sanitizer build and the libFuzzer targets.
                 clang-14 libclang-rt-14-dev
                 # The language kits (clients/): Python's through pytest, C#'s
                 # built with mono's mcs against Newtonsoft.Json and run by
                 # NUnit's console; the C# example game server leaves on
                 # SIGTERM through Mono.Posix.
                 python3-pytest mono-devel nunit-console libnewtonsoft-json-cil-dev
                 libmono-posix4.0-cil)
      npm_contract=true
      ;;
    containers)
      # podman with runc (containers/containers.conf), slirp4netns for a
      # game-server container's way back to the emulator's loopback,
      # binutils' strip for the images; compose.yaml with podman-compose
      # (service names resolve through CNI's dnsname plugin); the
      # Containerfile's base made from the archive.
      packages+=(podman runc slirp4netns binutils
                 podman-compose golang-github-containernetworking-plugin-dnsname mmdebstrap curl)
      ;;
    browser)
      packages+=(chromium chromium-driver python3-selenium fonts-liberation)
      ;;
    package)
      # The .deb: its architecture, its stripped CLI, and Debian's own checks.
      packages+=(dpkg-dev file lintian)
      ;;
    *)
      echo "install-deps.sh: unknown purpose '$purpose' (build, test, containers, browser, package)" >&2
      exit 2
      ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The contract test's validators and the TypeScript kit come from npm
# (Node.js is on these machines; Debian's nodejs and npm where it is not).
if $npm_contract; then
  command -v npm >/dev/null || missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

# tests/contract's validators and generators, pinned by its package-lock.json
# (installed again when one of package.json's dependencies is missing).
if $npm_contract && ! node -e 'const d = require("./tests/contract/package.json").dependencies;
    process.exit(Object.keys(d).every((n) => require("fs").existsSync(
      "tests/contract/node_modules/" + n + "/package.json")) ? 0 : 1)'; then
  npm ci --prefix tests/contract --no-audit --no-fund >/dev/null
fi
