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
# Every comparison is exact, old-format traces (Go 1.11-1.21) included:
# gotrace orders their events of equal time as Go 1.27 does (src/v1/order.c).
# (Go's own order for them varies between runs only on traces with more than
# 8 Ps or whose map iteration matters, see tests/scripts/v1.sh; the corpus
# has none.)
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

# compare NAME KIND: $tmp/go.{out,rc} against $tmp/c.{out,rc}.
compare() {
  grc=$(cat "$tmp/go.rc"); crc=$(cat "$tmp/c.rc")
  if [ "$grc" -ne 0 ]; then
    if [ "$crc" -ne 0 ]; then report ok "$1"; else report fail "$1" "Go failed ($(head -c 200 "$tmp/go.err")), gotrace did not"; fi
    return
  fi
  if [ "$crc" -ne 0 ] && [ ! -s "$tmp/c.out" ]; then
    report fail "$1" "gotrace exit $crc: $(head -c 200 "$tmp/c.err")"; return
  fi
  if python3 "$root/scripts/goref/compare.py" "$2" "$tmp/go.out" "$tmp/c.out" >"$tmp/diff" 2>&1; then
    report ok "$1"
  else
    report fail "$1" "$(head -n 5 "$tmp/diff" | tr '\n' ';')"
  fi
}

for trace in "$@"; do
  base=$(basename "$trace" .trace)
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
        # An old-format trace without a GOMAXPROCS metric: Go 1.27 has no
        # function (its /mmu page fails), gotrace starts one at the first
        # Gomaxprocs event as Go 1.21 did (tests/scripts/mmu_v1.sh compares
        # it with Go 1.21). Nothing of Go 1.27's to compare.
        if [ "$(cat "$tmp/go.rc")" -eq 0 ] && grep -q '"series": *0[,}]' "$tmp/go.out" &&
           ! grep -q '"series": *0[,}]' "$tmp/c.out" && ! "$gotrace" dump "$trace" 2>/dev/null | grep -q '/sched/gomaxprocs:threads'; then
          echo "skip $name: Go 1.27 has no utilisation function (no GOMAXPROCS metric); mmu_v1.sh checks Go 1.21's"
          continue
        fi
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
