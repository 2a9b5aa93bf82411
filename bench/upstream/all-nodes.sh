#!/usr/bin/env bash
# Runs every reproduction of bench/upstream (bench/upstream/run.ts) on Node 20, 22 and 24, one version
# after the other, and prints one table: cause x Node version.
#
#   bench/upstream/all-nodes.sh                    # 20.20.2, 22.23.5 and 24.22.3
#   bench/upstream/all-nodes.sh 22.23.5 24.22.3    # other versions
#
# A version that is not the `node` on PATH is installed with scripts/node-runtime.sh (from the npm
# registry). Each version's own table is printed as it finishes; its JSON is kept in a temporary
# directory named at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(20.20.2 22.23.5 24.22.3)
out=$(mktemp -d -t moa-upstream-XXXXXX)
files=()
for version in "${versions[@]}"; do
  if [ "$(node --version 2>/dev/null)" = "v$version" ]; then
    bin=$(dirname "$(command -v node)")
  else
    scripts/node-runtime.sh install "$version" >&2
    bin=$(scripts/node-runtime.sh bin "$version")
  fi
  echo "## Node $version" >&2
  "$bin/node" --import tsx bench/upstream/run.ts --json "$out/$version.json"
  echo
  files+=("$out/$version.json")
done

echo "## All versions"
echo
node --import tsx bench/upstream/run.ts --merge "${files[@]}"
echo
echo "(results: $out)"
