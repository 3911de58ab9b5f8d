#!/usr/bin/env bash
# Builds the OCI images, with podman, from this tree and without pulling.
#   bash scripts/image.sh                   builds what the images pack (scripts/build.sh
#                                           --cli: no tests), then the images from build/
#   bash scripts/image.sh --build-dir DIR   the images from DIR's binaries, without building
#   localhost/ims-emulator:latest and :VERSION      (containers/emulator.Containerfile)
#   localhost/ims-example-game-server:latest        (containers/example-game-server.Containerfile)
# Each holds its binaries from build/ (stripped: the emulator; the example
# game server, and the example client for compose.yaml's match) and exactly
# the shared libraries they load, as `ldd` lists them, and a non-root user.
# podman reads containers/containers.conf (CONTAINERS_CONF), never the
# user's own configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build
case "${1:-}" in
  --build-dir) build_dir=${2:?--build-dir needs a folder} ;;
  "") bash scripts/build.sh --cli ;;
  *) echo "image.sh: unknown option '$1' (--build-dir DIR)" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh containers
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/containers/containers.conf}"
version=$(sed -n 's/^project(ims_emulator VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)

# stage DIR BINARY...: DIR/rootfs with each BINARY at /usr/bin, their
# libraries where the loader looks for them, /etc/passwd and /etc/group
# naming user 10001, its home and a /tmp.
stage() {
  local dir=$1 root=$1/rootfs
  shift
  rm -rf "$dir" && mkdir -p "$root/usr/bin" "$root/etc" "$root/tmp" "$root/home/ims"
  for binary in "$@"; do
    strip --strip-unneeded -o "$root/usr/bin/$(basename "$binary")" "$binary"
    ldd "$binary" | awk '/=> \// {print $3} /^\t\// {print $1}' | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
  echo 'ims:x:10001:10001:ims-emulator:/home/ims:/nonexistent' > "$root/etc/passwd"
  echo 'ims:x:10001:' > "$root/etc/group"
  chmod 1777 "$root/tmp"
  chown 10001:10001 "$root/home/ims"
}

out=$build_dir/images
stage "$out/emulator" "$build_dir/ims-emulator"
podman build --quiet -f containers/emulator.Containerfile \
  -t localhost/ims-emulator:latest -t "localhost/ims-emulator:$version" "$out/emulator"
stage "$out/example-game-server" "$build_dir/examples/example-game-server" \
  "$build_dir/examples/example-game-client"
podman build --quiet -f containers/example-game-server.Containerfile \
  -t localhost/ims-example-game-server:latest "$out/example-game-server"
for image in localhost/ims-emulator:latest localhost/ims-example-game-server:latest; do
  size=$(podman image inspect --format '{{.Size}}' "$image")
  echo "$image: $((size / 1000000)) MB"
done
