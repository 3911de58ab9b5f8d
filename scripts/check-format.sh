#!/usr/bin/env bash
# Fails if a C++ file is not formatted per .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
