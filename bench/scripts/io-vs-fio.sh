#!/usr/bin/env bash
# Our I/O engines next to fio: 4k random reads, O_DIRECT, same file, block size and queue depth.
#   fio io_uring  vs  rustydb uring        at depth 1, 8, 32
#   fio psync     vs  rustydb filechannel  at depth 1 (and psync with N jobs vs filechannel depth N)
# Runs are interleaved and repeated (REPS), and the median IOPS is reported, because the machines
# this runs on are shared and noisy. Usage:
#   bench/scripts/io-vs-fio.sh [FILE] [SIZE] [SECONDS] [REPS]     (defaults: /tmp/rustydb-io-vs-fio.dat 1g 4 3)
# The file is created (random data) if missing and deleted at the end unless KEEP=1.
# CALLERS=threads makes our io_uring runs synchronous callers on DEPTH threads (the hand-off path).
# PORTABLE=0 skips the psync / filechannel pair. BASELINE=path-to-an-older-rustydb-launcher adds that
# build's io_uring engine as one more interleaved column (before/after comparisons on a noisy machine).
# "paired" columns: the median over rounds of our run divided by its neighbour fio run of the same round.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
file=${1:-/tmp/rustydb-io-vs-fio.dat}
size=${2:-1g}
secs=${3:-4}
reps=${4:-3}
depths=${DEPTHS:-1 8 32}   # DEPTHS="32" runs one depth only

if ! command -v fio >/dev/null 2>&1; then
  echo "io-vs-fio: installing fio" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y fio >/dev/null; else sudo apt-get install -y fio >/dev/null; fi
fi

rustydb=${RUSTYDB:-$root/rustydb}   # RUSTYDB=path overrides the launcher (e.g. a frozen build)
baseline=${BASELINE:-}
callers=${CALLERS:-callback}   # CALLERS=threads: our io_uring runs use --callers threads (see bench io --help)
portable=${PORTABLE:-1}
raw=$(mktemp)
trap 'rm -f "$raw"; [ "${KEEP:-0}" = 1 ] || rm -f "$file"' EXIT

# Lay the file out once (our runner fills it with random data; fio then reuses it as is).
"$rustydb" bench io --engine filechannel --depth 1 --seconds 0.2 --warmup 0 --file "$file" --size "$size" \
  --format csv >/dev/null

fio_iops() { # engine depth jobs
  fio --name=r --filename="$file" --size="$size" --rw=randread --bs=4k --direct=1 --ioengine="$1" \
      --iodepth="$2" --numjobs="$3" --group_reporting --runtime="$secs" --ramp_time=1 --time_based \
      --norandommap --randrepeat=0 --output-format=terse --terse-version=3 2>/dev/null |
    awk -F';' '{print $8}'   # field 8 of terse v3: read IOPS
}
ours_iops() { # engine depth [launcher]
  local who=callback
  [ "$1" = uring ] && who=$callers
  "${3:-$rustydb}" bench io --engine "$1" --callers "$who" --pattern randread --block 4k --depth "$2" --file "$file" \
      --size "$size" --seconds "$secs" --warmup 1 --format csv | awk -F',' 'NR==2 {print $5}'
}

for rep in $(seq "$reps"); do
  for d in $depths; do
    echo "fio-io_uring $d $(fio_iops io_uring "$d" 1) $rep" >>"$raw"
    echo "uring $d $(ours_iops uring "$d") $rep" >>"$raw"
    if [ -n "$baseline" ]; then echo "baseline $d $(ours_iops uring "$d" "$baseline") $rep" >>"$raw"; fi
    if [ "$portable" = 1 ]; then
      echo "fio-psync $d $(fio_iops psync 1 "$d") $rep" >>"$raw"
      echo "filechannel $d $(ours_iops filechannel "$d") $rep" >>"$raw"
    fi
  done
  echo "io-vs-fio: round $rep of $reps done" >&2
done

median() { # name depth
  awk -v n="$1" -v d="$2" '$1==n && $2==d {print $3}' "$raw" | sort -n |
    awk '{v[NR]=$1} END {print (NR == 0 ? 0 : NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

# The median over rounds of (ours / fio) within one round: runs of a round are seconds apart, so this
# pairs each of our runs with the fio run next to it and cancels load that drifts between rounds.
paired() { # name reference depth
  awk -v n="$1" -v r="$2" -v d="$3" '$2==d && $1==n {a[$4]=$3} $2==d && $1==r {b[$4]=$3}
    END {for (k in a) if (b[k] > 0) print a[k] / b[k]}' "$raw" | sort -g |
    awk '{v[NR]=$1} END {printf "%.0f%%", 100 * (NR == 0 ? 0 : NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

[ -z "${RAW:-}" ] || cp "$raw" "$RAW"   # RAW=path keeps every run's figure (name depth iops round)
echo "randread 4k, O_DIRECT, $size file, ${secs}s per run, median of $reps interleaved runs (IOPS)"
printf '%-6s %14s %14s %7s %7s %14s %14s %7s %7s\n' depth fio-io_uring rustydb-uring ratio paired \
  fio-psync rustydb-fc ratio paired
for d in $depths; do
  fu=$(median fio-io_uring "$d"); ou=$(median uring "$d")
  fp=$(median fio-psync "$d"); of=$(median filechannel "$d")
  pu=$(paired uring fio-io_uring "$d"); pf=$(paired filechannel fio-psync "$d")
  awk -v d="$d" -v fu="$fu" -v ou="$ou" -v fp="$fp" -v of="$of" -v pu="$pu" -v pf="$pf" \
    'BEGIN {printf "%-6s %14.0f %14.0f %6.0f%% %7s %14.0f %14.0f %6.0f%% %7s\n", d, fu, ou, 100*ou/fu, pu, fp, of,
      100*of/(fp>0?fp:1), pf}'
done
if [ -n "$baseline" ]; then
  echo "baseline ($baseline) io_uring engine in the same interleaved runs:"
  printf '%-6s %14s %14s %7s %7s %16s\n' depth fio-io_uring baseline-uring ratio paired "uring/baseline"
  for d in $depths; do
    fu=$(median fio-io_uring "$d"); ob=$(median baseline "$d")
    pb=$(paired baseline fio-io_uring "$d"); pn=$(paired uring baseline "$d")
    awk -v d="$d" -v fu="$fu" -v ob="$ob" -v pb="$pb" -v pn="$pn" \
      'BEGIN {printf "%-6s %14.0f %14.0f %6.0f%% %7s %16s\n", d, fu, ob, 100*ob/fu, pb, pn}'
  done
fi
echo "(fio-psync at depth N runs N jobs: the synchronous analogue of N requests in flight)"
