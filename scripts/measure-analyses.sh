#!/bin/sh
# measure-analyses.sh [--go] TRACE...: wall time and peak RSS (/usr/bin/time -v)
# of every analysis command of gotrace on each trace, one run at a time, and
# with --go of what Go needs to serve the same pages: `go tool trace
# -pprof=sched` (parse + profile), and goref (scripts/goref: cmd/trace's
# parse, every event kept, plus the Summarizer or the MMU).
#
#   GOTRACE  the gotrace binary (default: build/gotrace)
#   SHARED   the shared data (default: ../shared beside the repository)
#
# Prints one tab-separated line per run: trace, tool, command, wall seconds,
# peak RSS in MiB, exit status. Outputs go to /dev/null. Mind the machine:
# Go's parse of a large trace needs several GB (see the 100 MB figures
# before running it on anything bigger).
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
gotrace=${GOTRACE:-$root/build/gotrace}
with_go=0
if [ "${1:-}" = --go ]; then with_go=1; shift; fi
if [ ! -x /usr/bin/time ]; then echo "measure-analyses: needs /usr/bin/time (GNU time)" >&2; exit 2; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure TRACE TOOL LABEL CMD...: runs CMD with output to /dev/null.
measure() {
  t=$1; tool=$2; label=$3; shift 3
  /usr/bin/time -v -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err"
  rc=$?
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time" |
         awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time" | awk '{ printf "%.0f", $1 / 1024 }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$t")" "$tool" "$label" "$wall" "$rss" "$rc"
}

printf 'trace\ttool\tcommand\twall_s\tpeak_rss_mib\texit\n'
for t in "$@"; do
  for cmd in goroutines tasks regions mmu; do
    measure "$t" gotrace "$cmd" "$gotrace" "$cmd" "$t"
  done
  measure "$t" gotrace "goroutines --json" "$gotrace" goroutines --json "$t"
  for type in sched sync syscall net; do
    measure "$t" gotrace "pprof --type=$type" "$gotrace" pprof --type=$type "$t"
  done
  if [ $with_go -eq 1 ]; then
    goref=$(SHARED=$shared "$root/scripts/goref/build" 2>/dev/null | tail -n 1)
    gobin=$(SHARED=$shared "$shared/tools/install-go" 1.27 2>/dev/null | tail -n 1)/bin/go
    [ -x "$gobin" ] && measure "$t" go "go tool trace -pprof=sched" env TZ=UTC "$gobin" tool trace -pprof=sched "$t"
    if [ -x "$goref" ]; then
      measure "$t" go "goref goroutines (parse + Summarizer)" "$goref" goroutines "$t"
      measure "$t" go "goref mmu (parse + MutatorUtilizationV2 + MMU)" "$goref" mmu "$t"
    fi
  fi
done
