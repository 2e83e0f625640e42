#!/bin/sh
# bench-compare.sh: our reader against Go's own (internal/trace) on the same
# traces, in the same run, alternating Go / ours RUNS times (default 3), and
# prints the medians and the ratios of events/s and peak RSS (VmHWM).
#
#   scripts/bench-compare.sh [TRACE...]        default: bench/traces/{go127-100MB,
#                                              go122-50MB,go121-30MB,go127-400MB}.trace
#   RUNS=5 BUILD=build-bench scripts/bench-compare.sh
#   DUMP=1 ...   also time `gotrace dump` against `go tool trace -d=parsed`
#                (once each: Go's takes minutes on the 100 MB trace)
#                (gotrace dump reads with its default --threads: the cores, at
#                most 3; DUMP_THREADS=N sets it)
#   CEILING=1 .. also time `cat FILE`, `gotrace dump --wire` (decode only)
#
# Modes: count (read every event) and consume (also every stack frame and
# every event's details: refbench's -consume); ours also with --threads 2.
# Go's side comes from ../shared/tools/refbench/build (and ../install-go for
# DUMP); without it only our figures are printed. Traces come from
# scripts/make-bench-traces.sh. Each run's raw line goes to
# $OUT (default $TMPDIR/gotrace-bench-compare.txt) so medians can be rechecked.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-${TMPDIR:-/tmp}/gotrace-bench-compare.txt}
shared=../shared/tools

make -s bench BUILD="$BUILD" >/dev/null
ours=$BUILD/bench/gotrace-bench
gotrace=$BUILD/gotrace
gobench=
if [ -x "$shared/refbench/build" ]; then
  gobench=$("$shared/refbench/build" 2>/dev/null | tail -n 1) || gobench=
fi
[ -n "$gobench" ] && [ -x "$gobench" ] || { echo "note: Go's refbench unavailable: our figures only"; gobench=; }

if [ $# -eq 0 ]; then
  set -- bench/traces/go127-100MB.trace bench/traces/go122-50MB.trace \
         bench/traces/go121-30MB.trace bench/traces/go127-400MB.trace
fi
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

# field NAME LINE: the value of key NAME in a key=value line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a=="-"||b=="-"||b==0) print "-"; else printf "%.2f", a/b }'; }

run() { # LABEL CMD...: one run, recorded; prints the line
  label=$1; shift
  line=$("$@" 2>/dev/null || true)
  printf '%s %s\n' "$label" "$line" >> "$OUT"
  printf '%s\n' "$line"
}

printf '%-22s %-8s %-9s %12s %12s %8s %9s %9s %8s %s\n' trace mode reader "Go ev/s" "ours ev/s" ratio \
  "Go RSS" "ours RSS" "RSS/Go" acc
for trace in "$@"; do
  if [ ! -s "$trace" ]; then echo "skip $trace: absent (scripts/make-bench-traces.sh makes it)"; continue; fi
  name=$(basename "$trace" .trace)
  for mode in count consume; do
    flag=; [ $mode = consume ] && flag=--consume
    gflag=; [ $mode = consume ] && gflag=-consume
    go_eps=; go_rss=; o1_eps=; o1_rss=; o2_eps=; o2_rss=; go_acc=-; o_acc=-
    i=0
    while [ $i -lt "$RUNS" ]; do
      if [ -n "$gobench" ]; then
        l=$(run "go:$name:$mode" "$gobench" $gflag "$trace")
        go_eps="$go_eps $(field events_per_s "$l")"; go_rss="$go_rss $(field peak_rss_MB "$l")"
        go_acc=$(field acc "$l")
      fi
      l=$(run "ours1:$name:$mode" "$ours" $flag "$trace")
      o1_eps="$o1_eps $(field events_per_s "$l")"; o1_rss="$o1_rss $(field peak_rss_MB "$l")"
      o_acc=$(field acc "$l")
      l=$(run "ours2:$name:$mode" "$ours" $flag --threads 2 "$trace")
      o2_eps="$o2_eps $(field events_per_s "$l")"; o2_rss="$o2_rss $(field peak_rss_MB "$l")"
      i=$((i + 1))
    done
    med() { printf '%s\n' $1 | grep -v '^$' | median; }
    g=$( [ -n "$go_eps" ] && med "$go_eps" || echo -); gr=$( [ -n "$go_rss" ] && med "$go_rss" || echo -)
    for t in 1 2; do
      if [ $t = 1 ]; then e=$(med "$o1_eps"); m=$(med "$o1_rss"); else e=$(med "$o2_eps"); m=$(med "$o2_rss"); fi
      printf '%-22s %-8s %-9s %12s %12s %8s %9s %9s %8s %s\n' "$name" "$mode" "ours -j$t" "$g" "$e" \
        "$(ratio "$e" "$g")" "$gr" "$m" "$(ratio "$m" "$gr")" "go=$go_acc ours=$o_acc"
    done
  done
done

time_s() { # CMD...: wall seconds of one run, output discarded
  s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}

if [ "${CEILING:-0}" = 1 ]; then
  echo
  echo "ceiling (median of $RUNS; MB/s of the file, events/s where known):"
  for trace in "$@"; do
    [ -s "$trace" ] || continue
    size=$(wc -c < "$trace")
    c=; w=; i=0
    while [ $i -lt "$RUNS" ]; do
      c="$c $(time_s cat "$trace")"; w="$w $(time_s "$gotrace" dump --wire "$trace")"; i=$((i + 1))
    done
    cm=$(printf '%s\n' $c | median); wm=$(printf '%s\n' $w | median)
    awk -v n="$(basename "$trace")" -v s="$size" -v c="$cm" -v w="$wm" 'BEGIN {
      printf "%-22s cat: %.2f s (%.0f MB/s)   dump --wire (decode + text): %.2f s (%.0f MB/s)\n", n, c, s/1e6/c, w, s/1e6/w }'
  done
fi

if [ "${DUMP:-0}" = 1 ]; then
  echo
  echo "dump to /dev/null (one run each):"
  goroot=
  [ -x "$shared/install-go" ] && goroot=$("$shared/install-go" 1.27 2>/dev/null | tail -n 1) || true
  for trace in "$@"; do
    [ -s "$trace" ] || continue
    case $(basename "$trace") in go121*) continue ;; esac
    o=$(time_s "$gotrace" dump --threads "${DUMP_THREADS:-0}" "$trace")
    g=-
    [ -n "$goroot" ] && g=$(TZ=UTC time_s "$goroot/bin/go" tool trace -d=parsed "$trace")
    printf '%-22s go tool trace -d=parsed: %s s   gotrace dump: %s s   ratio %s\n' "$(basename "$trace")" "$g" "$o" \
      "$(ratio "$g" "$o")"
  done
fi
