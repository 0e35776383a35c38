#!/usr/bin/env bash
# Replays every bundled LIRS trace at three cache sizes each through the replacement policies and
# prints one CSV (the figures in docs/benchmarks.md). Usage: scripts/cachesim-lirs-traces.sh [POLICIES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
traces="$root/bench/src/test/resources/traces"
policies=${1:-lru,clock,arc,earc,lirs,alirs,wtinylfu,dlirs,default,opt}
first=1
while read -r name sizes; do
  out=$("$root/rustydb" cachesim --trace "$traces/$name.trace.gz" --policy "$policies" --size "$sizes" --format csv)
  if [ $first = 1 ]; then echo "$out"; first=0; else echo "$out" | tail -n +2; fi
done <<'LIST'
lirs-ps 100,250,500
lirs-cs 100,300,500
lirs-cpp 50,100,200
lirs-gli 250,500,1000
lirs-multi1 500,1000,1500
lirs-multi2 500,1000,2000
lirs-multi3 500,1000,2000
lirs-sprite 100,200,500
lirs-loop 250,500,1000
lirs-2_pools 100,450,1000
lirs-scan 250,500,1000
lirs-zigzag 250,500,1000
LIST
