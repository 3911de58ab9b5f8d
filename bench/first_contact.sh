#!/usr/bin/env bash
# First contact: how long a newcomer's `bash scripts/serve.sh` takes, from a
# clean clone of the committed tree to the first answer of
# GET /emulator/v0/health. The clone's serve.sh installs what building needs
# (nothing, where it is already installed: say so beside the figure), builds
# the CLI alone and serves on a free port.
#   bash bench/first_contact.sh            the clean clone on this machine
#   bash bench/first_contact.sh --fresh    the same inside a fresh Debian 12
#                                          (mmdebstrap minbase, as root): apt
#                                          included, from nothing installed
# Prints a Markdown row: the figure and what it included.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=false
case "${1:-}" in
  --fresh) fresh=true ;;
  "") ;;
  *) echo "first_contact.sh: unknown option '$1' (--fresh)" >&2; exit 2 ;;
esac
work=$(mktemp -d /tmp/imsemu-first-contact-XXXXXX)
server=""
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  pkill -f "$work/.*ims-emulator serve" 2>/dev/null || true
  if $fresh; then umount -R "$work/root/proc" "$work/root/dev" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
log=$work/serve.log
if $fresh; then
  # A Debian 12 with nothing but its minimal base (not timed), the clone in
  # /src, its package lists fetched as a new machine's are.
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,curl bookworm "$work/root" \
    "${mirror:-http://deb.debian.org/debian}"
  git clone -q . "$work/root/src"
  mount --bind /proc "$work/root/proc"
  mount --bind /dev "$work/root/dev"
  cp /etc/resolv.conf "$work/root/etc/resolv.conf"
  command=(chroot "$work/root" bash /src/scripts/serve.sh --port 0)
  what="a fresh Debian 12 (minbase), apt included"
else
  git clone -q . "$work/src"
  command=(bash "$work/src/scripts/serve.sh" --port 0)
  what="a clean clone, packages already installed"
fi
start=$(date +%s.%N)
"${command[@]}" >"$log" 2>&1 &
server=$!
url=""
while [ -z "$url" ]; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "serve.sh ended before it served:" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  url=$(sed -n 's/^ims-emulator listening on //p' "$log" | head -1)
  [ -n "$url" ] || sleep 0.2
done
until curl -sf "$url/emulator/v0/health" >/dev/null; do sleep 0.05; done
end=$(date +%s.%N)
compiled=$(grep -c 'Building CXX object' "$log" || true)
printf '| `bash scripts/serve.sh` to the first /health: %s, %s cores (s) | %.0f | %s translation units compiled |\n' \
  "$what" "$(nproc)" "$(echo "$end - $start" | bc)" "$compiled"
