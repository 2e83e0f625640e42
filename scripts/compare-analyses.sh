#!/bin/sh
# compare-analyses.sh [-k KINDS] [TRACE...]: runs Go's analyses (scripts/goref,
# and `go tool trace -pprof=TYPE`) and gotrace's on each trace (default: every
# trace of ../shared/corpus) and compares them with scripts/goref/compare.py:
# goroutine and task summaries and region groups exactly, MMU curves to 1e-9 relative, pprof
# profiles by their `go tool pprof -raw` samples and stacks.
#
#   -k KINDS  comma-separated subset of: goroutines,tasks,regions,mmu,
#             mmu-perproc,pprof-sched,pprof-sync,pprof-syscall,pprof-net
#             (default: all)
#   GOTRACE   the gotrace binary (default: build/gotrace)
#   SHARED    the shared data (default: ../shared beside the repository)
#
# Prints "ok NAME", "not ok NAME: reason" or "skip NAME: reason" per trace
# and kind, then "N passed, N failed". Exit 0 when nothing failed; exit 0 with
# one skip line when Go, python3 or the corpus is missing.
#
# Tolerance rule. Version 2 traces (Go >= 1.22) are compared exactly. For an
# old-format trace (header "go 1.11 trace" ... "go 1.21 trace") times may
# differ by a bounded amount, for one reason: the old formats give events on
# different Ps equal timestamps, Go's conversion and ours order such ties
# differently (ours: lower P first, see src/v1/), and both then renumber the
# tie T, T+1, ..., so tied events swap times. The bound is derived per trace
# by scripts/goref/ties.py from Go's `-d=parsed` dump (the corpus's
# NAME.parsed[.gz] beside the trace, else Go is run) and `gotrace dump`: it
# first checks that the two dumps differ only by the order of events inside
# such runs (else: no tolerance, exact comparison), then measures each event's
# shift: MAX (largest) and SUM (total). compare.py --ties MAX SUM then allows
# MAX on an event time, 2*SUM on a duration built from event times,
# min(2*MAX*count, 2*SUM) on a pprof sample's delay, 2*SUM/W on an MMU value of
# window W; counts, names and stacks stay exact. The line says "(ties MAX SUM)"
# when a tolerance was used.
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
gotrace=${GOTRACE:-$root/build/gotrace}
kinds=goroutines,tasks,regions,mmu,mmu-perproc,pprof-sched,pprof-sync,pprof-syscall,pprof-net
if [ "${1:-}" = -k ]; then kinds=$2; shift 2; fi

if ! command -v python3 >/dev/null 2>&1; then echo "skip compare-analyses: no python3"; exit 0; fi
if [ ! -d "$shared/corpus" ] && [ $# -eq 0 ]; then echo "skip compare-analyses: no $shared/corpus"; exit 0; fi
if [ ! -x "$gotrace" ]; then echo "not ok compare-analyses: no $gotrace (build first)"; exit 1; fi
goref=$(SHARED=$shared "$root/scripts/goref/build" 2>/dev/null | tail -n 1)
if [ -z "$goref" ] || [ ! -x "$goref" ]; then echo "skip compare-analyses: cannot build scripts/goref (no Go toolchain)"; exit 0; fi
gobin=$(SHARED=$shared "$shared/tools/install-go" 1.27 2>/dev/null | tail -n 1)/bin/go
[ -x "$gobin" ] || gobin=$(command -v go || true)

if [ $# -eq 0 ]; then set -- "$shared"/corpus/*.trace; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

report() { # status name [reason]
  case $1 in
    ok) echo "ok $2"; pass=$((pass + 1)) ;;
    *) echo "not ok $2: $3"; fail=$((fail + 1)) ;;
  esac
}

# v1_ties TRACE: prints "MAX SUM" for an old-format trace whose dump differs
# from Go's only in tie order (see the tolerance rule above); nothing for a
# version 2 trace, or when the dumps differ otherwise (then exact comparison).
v1_ties() {
  case $(head -c 16 "$1" | tr -d '\000') in
    "go 1.1"[0-9]" trace"|"go 1.2"[01]" trace") ;;
    *) return 0 ;;
  esac
  base=${1%.trace}
  if [ -f "$base.parsed" ]; then godump=$base.parsed
  elif [ -f "$base.parsed.gz" ]; then godump=$base.parsed.gz
  else
    [ -x "$gobin" ] || return 0
    godump=$tmp/go.parsed
    TZ=UTC "$gobin" tool trace -d=parsed "$1" >"$godump" 2>/dev/null
  fi
  "$gotrace" dump "$1" >"$tmp/c.parsed" 2>/dev/null
  python3 "$root/scripts/goref/ties.py" "$godump" "$tmp/c.parsed" 2>/dev/null | grep -E '^[0-9]+ [0-9]+$'
}

# compare NAME KIND: $tmp/go.{out,rc} against $tmp/c.{out,rc}, with the
# trace's tie tolerance ($ties) if any.
compare() {
  grc=$(cat "$tmp/go.rc"); crc=$(cat "$tmp/c.rc")
  if [ "$grc" -ne 0 ]; then
    if [ "$crc" -ne 0 ]; then report ok "$1"; else report fail "$1" "Go failed ($(head -c 200 "$tmp/go.err")), gotrace did not"; fi
    return
  fi
  if [ "$crc" -ne 0 ] && [ ! -s "$tmp/c.out" ]; then
    report fail "$1" "gotrace exit $crc: $(head -c 200 "$tmp/c.err")"; return
  fi
  set -- "$1" "$2"
  note=
  if [ -n "$ties" ]; then set -- "$@" --ties $ties; note=" (ties $ties)"; fi
  if python3 "$root/scripts/goref/compare.py" $3 $4 $5 "$2" "$tmp/go.out" "$tmp/c.out" >"$tmp/diff" 2>&1; then
    report ok "$1$note"
  else
    report fail "$1" "$(head -n 5 "$tmp/diff" | tr '\n' ';')"
  fi
}

for trace in "$@"; do
  base=$(basename "$trace" .trace)
  ties=$(v1_ties "$trace")
  case $ties in "0 0") ties= ;; esac  # no tie shifted: exact
  for kind in $(echo "$kinds" | tr ',' ' '); do
    name="$base/$kind"
    case $kind in
      goroutines|tasks|regions)
        "$goref" "$kind" "$trace" >"$tmp/go.out" 2>"$tmp/go.err"; echo $? >"$tmp/go.rc"
        "$gotrace" "$kind" --json "$trace" >"$tmp/c.out" 2>"$tmp/c.err"; echo $? >"$tmp/c.rc"
        compare "$name" "$kind" ;;
      mmu|mmu-perproc)
        flags=stw,background,assist,sweep
        [ "$kind" = mmu-perproc ] && flags=$flags,perproc
        "$goref" mmu -flags "$flags" "$trace" >"$tmp/go.out" 2>"$tmp/go.err"; echo $? >"$tmp/go.rc"
        "$gotrace" mmu --json --flags "$flags" "$trace" >"$tmp/c.out" 2>"$tmp/c.err"; echo $? >"$tmp/c.rc"
        compare "$name" mmu ;;
      pprof-*)
        type=${kind#pprof-}
        if [ ! -x "$gobin" ]; then echo "skip $name: no go command"; continue; fi
        TZ=UTC "$gobin" tool trace -pprof="$type" "$trace" >"$tmp/go.pb" 2>"$tmp/go.err"; echo $? >"$tmp/go.rc"
        "$gotrace" pprof --type="$type" "$trace" >"$tmp/c.pb" 2>"$tmp/c.err"; echo $? >"$tmp/c.rc"
        if [ "$(cat "$tmp/go.rc")" -eq 0 ]; then
          "$gobin" tool pprof -raw "$tmp/go.pb" >"$tmp/go.out" 2>"$tmp/go.err" || echo 1 >"$tmp/go.rc"
        fi
        if [ "$(cat "$tmp/c.rc")" -eq 0 ]; then
          "$gobin" tool pprof -raw "$tmp/c.pb" >"$tmp/c.out" 2>"$tmp/c.err" || echo 1 >"$tmp/c.rc"
        else
          : >"$tmp/c.out"
        fi
        compare "$name" pprof ;;
      *) echo "not ok $name: unknown kind"; fail=$((fail + 1)) ;;
    esac
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
