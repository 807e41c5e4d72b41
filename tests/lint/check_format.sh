#!/usr/bin/env bash
# Fails when a C++ file in the repository differs from what .clang-format makes of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
unformatted=()
while IFS= read -r file; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' 2>/dev/null || find src tests fuzz -name '*.[ch]pp' 2>/dev/null)
if ((${#unformatted[@]})); then
  printf 'not clang-formatted (run clang-format -i on them):\n' >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  exit 1
fi
echo "every C++ file is clang-formatted"
