#!/usr/bin/env bash
# Builds the C# kit with mono's mcs (the way a Unity or .NET project would
# compile its sources: netstandard2.0-level C#, Newtonsoft.Json) and runs its
# NUnit tests with NUnit's console.
#   clients/csharp/run-tests.sh OUT_DIR [nunit-console options]
# The tests start $IMS_EMULATOR_BINARY (or attach to $IMS_EMULATOR_URL).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run-tests.sh OUT_DIR}"
shift
mkdir -p "$out"
newtonsoft=$(pkg-config --variable=Libraries newtonsoft-json 2>/dev/null || true)
[ -n "$newtonsoft" ] || newtonsoft=$(ls /usr/lib/cli/Newtonsoft.Json-*/Newtonsoft.Json.dll | head -n 1)
nunit=$(ls /usr/lib/cli/nunit.framework-*/nunit.framework.dll | head -n 1)
cp "$newtonsoft" "$nunit" "$out/"
mcs -nologo -warnaserror -langversion:7 -target:library -out:"$out/ImsEmulator.dll" \
  -r:"$out/Newtonsoft.Json.dll" -r:System.dll -r:System.Core.dll "$here"/Runtime/*.cs
mcs -nologo -warnaserror -langversion:7 -target:library -out:"$out/ImsEmulator.NUnit.dll" \
  -r:"$out/ImsEmulator.dll" -r:"$out/nunit.framework.dll" -r:System.Core.dll "$here"/NUnit/*.cs
mcs -nologo -warnaserror -langversion:7 -target:library -out:"$out/ImsEmulator.Tests.dll" \
  -r:"$out/ImsEmulator.dll" -r:"$out/ImsEmulator.NUnit.dll" -r:"$out/nunit.framework.dll" \
  -r:"$out/Newtonsoft.Json.dll" -r:System.Core.dll "$here"/Tests~/*.cs
cd "$out"
exec nunit-console -nologo -noshadow -result="$out/TestResult.xml" "$@" ImsEmulator.Tests.dll
