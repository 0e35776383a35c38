#!/usr/bin/env bash
# SYNC commit rate of the WAL next to fio's fdatasync rate on the same disk, in one run.
#
#   bench/scripts/commit-vs-fio.sh [DIR] [SECONDS] [ROUNDS]
#
# DIR (default: a new directory under /var/tmp) must be on the disk to measure; SECONDS per measurement
# (default 5). fio writes 4 KiB blocks sequentially over a preallocated 16 MiB file (--overwrite=1: the
# file is written in full before the timed phase, as the WAL zero-fills its segments) with an fdatasync
# after every write. Shared virtual disks drift by several times within minutes, so fio and a one-thread
# `rustydb bench commit` alternate ROUNDS times (default 5) and the median of the per-round ratios is
# the figure (each ratio pairs two measurements seconds apart); then one run
# of 1, 8, 32 and 128 committer threads. Installs fio when missing (apt-get).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:-$(mktemp -d /var/tmp/rustydb-commit-bench.XXXXXX)}
seconds=${2:-5}
rounds=${3:-5}
mkdir -p "$dir"

if ! command -v fio >/dev/null 2>&1; then
  echo "commit-vs-fio: fio not found, installing it (apt-get install -y fio)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y fio >&2; else sudo apt-get install -y fio >&2; fi
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "# disk: $(df -h "$dir" | awk 'NR==2 {print $1 " mounted on " $6}'), dir $dir"
echo "# fio $(fio --version) --rw=write --bs=4k --size=16m --fdatasync=1 --overwrite=1 --ioengine=sync, ${seconds}s"
echo "round,fio_fdatasync_per_s,rustydb_1_thread_commits_per_s,ratio"
fio_rates=() one_rates=() ratios=()
for ((r = 1; r <= rounds; r++)); do
  f=$(fio --name=fdatasync --directory="$dir" --rw=write --bs=4k --size=16m --fdatasync=1 --overwrite=1 \
    --ioengine=sync --runtime="$seconds" --time_based --output-format=terse --terse-version=3 | awk -F';' '{print $49}')
  rm -f "$dir"/fdatasync.*
  o=$("$root/rustydb" bench commit --dir "$dir" --threads 1 --seconds "$seconds" --format csv | awk -F, 'NR == 2 {print $2}')
  q=$(awk -v a="$o" -v b="$f" 'BEGIN { printf "%.2f", a / b }')
  echo "$r,$f,$o,$q"
  fio_rates+=("$f") one_rates+=("$o") ratios+=("$q")
done
fio_median=$(printf '%s\n' "${fio_rates[@]}" | median)
one_median=$(printf '%s\n' "${one_rates[@]}" | median)
ratio_median=$(printf '%s\n' "${ratios[@]}" | median)
echo "median,$fio_median,$one_median,$ratio_median"
echo

csv=$("$root/rustydb" bench commit --dir "$dir" --threads 1,8,32,128 --seconds "$seconds" --format csv)
echo "$csv"
echo
echo "$csv" | awk -F, -v ratio="$ratio_median" '
  NR == 1 { next }
  { rate[$1] = $2 }
  END {
    printf "1 thread / fio fdatasync (median of the paired rounds): %.0f%% (goal >= 90%%)\n", 100 * ratio
    if (rate[32] != "") printf "32 threads / 1 thread (same run): %.1fx (goal >= 10x)\n", rate[32] / rate[1]
  }'
