#!/usr/bin/env bash
# CI: formatting and static analysis.
#   clang-format --dry-run -Werror over src, include, tests and fuzz (the repository's
#   .clang-format: LLVM base, 100 columns), then clang-tidy over src/ with the short check list
#   of .clang-tidy (justified in docs/development.md), warnings as errors, on the compile
#   commands of a build/ that CMake exports. Fix a format finding with
#   `clang-format -i FILE`; a tidy finding names the check to read about.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c')
echo "lint: clang-format over $(echo "$files" | wc -w) files"
clang-format --dry-run -Werror $files
build=${RX_LINT_BUILD_DIR:-build}
[ -f "$build/compile_commands.json" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
sources=$(git ls-files 'src/*.c')
echo "lint: clang-tidy over $(echo "$sources" | wc -w) files ($(nproc) at a time)"
# One file per clang-tidy process: before LLVM 19, clang-tidy carries analyzer state from one
# file to the next and then calls every va_list handed to vsnprintf uninitialized in all files
# but the first (llvm/llvm-project#40656). xargs exits 123 when any run failed, after all findings.
echo "$sources" | xargs -P"$(nproc)" -n1 clang-tidy -p "$build" --quiet 2>/dev/null
echo "lint: clean"
