#!/usr/bin/env bash
# Writes the synthetic traces (Zipf skew, shifting working set, OLTP with table scans; see
# SyntheticTraces) to DIR and replays them at two cache sizes: scripts/cachesim-synthetic.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/env.sh"
rustydb_find_jdk || exit 1
dir=${1:-$(mktemp -d)}
"$root/rustydb" --version >/dev/null   # builds the CLI (and the bench module) if needed
"$JAVA" -cp "$root/cli/target/rustydb-cli.jar:$root/cli/target/lib/*" \
  org.rustydb.bench.cachesim.SyntheticTraces "$dir" >/dev/null
traces=$(ls "$dir"/syn-*.trace.gz | paste -sd, -)
"$root/rustydb" cachesim --trace "$traces" \
  --policy lru,clock,arc,earc,lirs,alirs,wtinylfu,default,opt --size 500,2000 --format csv
