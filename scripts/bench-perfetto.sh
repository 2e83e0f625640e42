#!/bin/sh
# bench-perfetto.sh: the Perfetto exporter's figures (issue "Perfetto: any
# trace ... as a timeline"), beside the JSON timeline's: output size against
# the input, input MB per second of CPU on one core, wall time, peak RSS.
#
#   scripts/bench-perfetto.sh [TRACE...]      (make bench-perfetto)
#       default: bench/traces/go127-100MB.trace and go127-400MB.trace
#   RUNS=N (default 3): each row is the median of N runs by CPU time
#
# Rows, each one thread unless it says otherwise:
#   exporter      gotrace-bench --perfetto: the library's exporter alone
#                 (reader, tracker, encoder; output counted, not written)
#   none          gotrace perfetto --compress=none
#   deflate       gotrace perfetto (the default output: libdeflate level 1)
#   zstd          gotrace perfetto --compress=zstd (libzstd level 1)
#   deflate-2     gotrace perfetto --threads 2 (the default on two cores:
#                 packing on a thread of its own), CPU of both threads
#   timeline      gotrace timeline (Trace Event Format JSON)
# Output goes to a pipe into wc -c; CPU is user+sys of the gotrace process
# (/usr/bin/time), or the bench's own. MB/s is input MB per CPU second;
# "wall MB/s" input MB per wall second. The bars: output at most 4x the
# input, 40 MB/s on one core, peak RSS at most 32 MB on the 400 MB trace.
# The machine's speed moves from one hour to the next: compare rows of one
# run, and the load average printed with them.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
GOTRACE=$BUILD/gotrace
BENCH=$BUILD/bench/gotrace-bench
[ -x /usr/bin/time ] || { echo "bench-perfetto: /usr/bin/time is missing (Debian: time)" >&2; exit 2; }
make -s "$GOTRACE" "$BENCH" BUILD="$BUILD" >/dev/null
[ $# -gt 0 ] || set -- bench/traces/go127-100MB.trace bench/traces/go127-400MB.trace
for t in "$@"; do
  [ -f "$t" ] || { echo "bench-perfetto: no $t (scripts/make-bench-traces.sh makes the bench traces)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure ROW TRACE: one run; appends "cpu wall rss_kb out_bytes" to $tmp/ROW.
measure() {
  row=$1; trace=$2
  case $row in
    exporter)
      line=$("$BENCH" --perfetto --threads 1 "$trace" 2>&1 | tail -n 1)
      echo "$line" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s %s %d %s\n", v["cpu_s"], v["wall_s"], v["peak_rss_MB"] * 1024, v["out_bytes"] }' >>"$tmp/$row"
      return ;;
    none) set -- perfetto --threads 1 --compress=none "$trace" -o - ;;
    deflate) set -- perfetto --threads 1 "$trace" -o - ;;
    zstd) set -- perfetto --threads 1 --compress=zstd "$trace" -o - ;;
    deflate-2) set -- perfetto --threads 2 "$trace" -o - ;;
    timeline) set -- timeline --threads 1 "$trace" -o - ;;
  esac
  bytes=$(/usr/bin/time -f '%U %S %e %M' -o "$tmp/time" "$GOTRACE" "$@" 2>/dev/null | wc -c)
  awk -v b="$bytes" '{ printf "%.3f %s %s %s\n", $1 + $2, $3, $4, b }' "$tmp/time" >>"$tmp/$row"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), medians of $RUNS"
echo "| trace | row | output | ratio | CPU s | MB/s | wall s | wall MB/s | peak RSS |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for trace in "$@"; do
  size=$(wc -c <"$trace")
  for row in exporter none deflate zstd deflate-2 timeline; do
    rm -f "$tmp/$row"
    i=0
    while [ $i -lt "$RUNS" ]; do measure "$row" "$trace"; i=$((i + 1)); done
    sort -n "$tmp/$row" | awk -v n="$RUNS" -v size="$size" -v t="$(basename "$trace" .trace)" -v row="$row" '
      NR == int((n + 1) / 2) {
        printf "| %s | %s | %.0f MB | %.2fx | %.2f | %.1f | %.2f | %.1f | %.1f MB |\n",
          t, row, $4 / 1e6, $4 / size, $1, size / 1e6 / $1, $2, size / 1e6 / $2, $3 / 1024 }'
  done
done
