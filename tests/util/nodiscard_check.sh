#!/bin/sh
# A dropped Status or StatusOr does not compile; the same code that keeps or
# (void)s it does. Usage: nodiscard_check.sh CXX INCLUDE_DIR
cxx=$1
include=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
compiles() {
  printf '#include "ims_emulator/status.h"\nimsemu::StatusOr<int> F();\nimsemu::Status G();\nvoid H() { %s }\n' "$1" >"$dir/t.cc"
  "$cxx" -std=c++20 -fsyntax-only -Werror=unused-result -I "$include" "$dir/t.cc" 2>"$dir/err"
}
compiles '(void)F(); (void)G(); auto s = G(); (void)s;' || { cat "$dir/err"; echo "kept results must compile"; exit 1; }
for dropped in 'G();' 'F();'; do
  if compiles "$dropped"; then echo "'$dropped' compiled: the result can be dropped"; exit 1; fi
  grep -q 'nodiscard\|unused' "$dir/err" || { cat "$dir/err"; echo "'$dropped' failed for another reason"; exit 1; }
done
echo "dropped results do not compile"
