#!/usr/bin/env bash
# Builds the C# example game server with mono's mcs, as Unity would compile
# it (C# 7, Newtonsoft.Json), into OUT_DIR/GameServer.exe; run it with mono.
#   bash examples/csharp/build.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"
newtonsoft=$(pkg-config --variable=Libraries newtonsoft-json 2>/dev/null || true)
[ -n "$newtonsoft" ] || newtonsoft=$(ls /usr/lib/cli/Newtonsoft.Json-*/Newtonsoft.Json.dll | head -n 1)
cp "$newtonsoft" "$out/"
mcs -nologo -warnaserror -langversion:7 -target:exe -out:"$out/GameServer.exe" \
  -r:"$out/Newtonsoft.Json.dll" -r:Mono.Posix.dll -r:System.dll -r:System.Core.dll \
  "$here/GameServer.cs"
