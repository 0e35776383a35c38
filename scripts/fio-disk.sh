#!/usr/bin/env bash
# The fio peer of DiskManagerBenchmark: the same 4 KiB patterns on a 128 MiB file, one thread,
# synchronous pread/pwrite (psync, queue depth 1), with and without O_DIRECT. Prints pages (4 KiB I/Os)
# per second. Usage: scripts/fio-disk.sh [DIR] (default: /tmp). Needs fio (apt-get install fio).
set -euo pipefail
dir=${1:-/tmp}
file="$dir/rustydb-fio-$$.dat"
trap 'rm -f "$file"' EXIT
command -v fio >/dev/null || { echo "fio not found: apt-get install fio" >&2; exit 1; }
run() { # name rw direct bs
  local iops
  iops=$(fio --name=t --filename="$file" --size=128M --bs="$4" --rw="$2" --direct="$3" --invalidate=0 \
    --ioengine=psync --iodepth=1 --numjobs=1 --runtime=3 --time_based --output-format=terse \
    --terse-version=3 2>/dev/null | awk -F';' -v rw="$2" '{ print (rw ~ /read/) ? $8 : $49 }')
  local pages=$(( iops * ${4%k} / 4 ))
  printf '%-28s direct=%s bs=%-4s %10d pages/s\n' "$1" "$3" "$4" "$pages"
}
fio --name=layout --filename="$file" --size=128M --bs=1M --rw=write --direct=0 --output-format=terse >/dev/null
cat "$file" >/dev/null # buffered runs read from the page cache, as the JMH benchmark's do
for d in 1 0; do
  run sequentialRead read "$d" 4k
  run randomRead randread "$d" 4k
  run sequentialWrite write "$d" 4k
  run randomWrite randwrite "$d" 4k
done
run "sequentialRead (32k, as read-ahead)" read 1 32k
