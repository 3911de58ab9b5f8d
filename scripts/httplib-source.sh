#!/usr/bin/env bash
# Fetches the Debian source package of the installed cpp-httplib (the same
# version, with Debian's patches applied) into build-deps/cpp-httplib/.
#
# Why: Debian ships cpp-httplib as a header of declarations plus a compiled
# library. ThreadSanitizer cannot see inside an uninstrumented library, so it
# reports races from its frames that mean nothing. The ThreadSanitizer build
# (scripts/test.sh --tsan) compiles the upstream header-only httplib.h from
# this source instead, so httplib's own code is instrumented too.
# Uses apt's own Debian sources (as deb-src) in a private apt state: the
# machine's apt configuration is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build-deps/cpp-httplib
version=$(dpkg-query -W -f='${source:Version}' libcpp-httplib-dev)
if [ -f "$dest/httplib.h" ] && [ "$(cat "$dest/.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: .*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$work/parts/src.sources"
else
  grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed 's/^deb /deb-src /' >"$work/parts/src.list"
fi
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/parts"
          -o Dir::State::Lists="$work/lists" -o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only "cpp-httplib=$version" >/dev/null)
dsc=$(ls "$work"/cpp-httplib_*.dsc)
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
# apt checked the files against the signed index; dpkg-source only lacks the uploader key.
dpkg-source -x "$dsc" "$work/src" >/dev/null 2>&1
mkdir -p "$dest"
cp "$work/src/httplib.h" "$work/src/LICENSE" "$dest/"
echo "$version" >"$dest/.version"
echo "cpp-httplib $version source in $dest"
