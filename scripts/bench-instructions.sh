#!/bin/sh
# bench-instructions.sh: instructions executed (valgrind's cachegrind, "I
# refs") by gotrace-bench in each mode on one generation of a trace. Unlike
# time, the count is the same from one run to the next, so a change of a
# few percent shows on a machine whose speed moves by 1.5-2x within minutes;
# compare two builds with BUILD.
#
#   scripts/bench-instructions.sh [TRACE [GENERATIONS]]
#       default: bench/traces/go127-100MB.trace, generation 5 (532351 events)
#   BUILD=build-bench MODES="count consume perfetto" scripts/bench-instructions.sh
#
# Prints one line per mode: mode=M events=N instructions=I per_event=I/N.
# The generations are cut out with `gotrace cut --generations` (Go 1.22 and
# later traces) into a temporary file; valgrind runs the bench with one
# thread (valgrind serializes threads anyway). Needs valgrind (Debian:
# valgrind).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
MODES=${MODES:-count consume perfetto}
trace=${1:-bench/traces/go127-100MB.trace}
gens=${2:-5}

command -v valgrind >/dev/null 2>&1 || { echo "bench-instructions: valgrind is not installed (Debian: valgrind)" >&2; exit 2; }
[ -f "$trace" ] || { echo "bench-instructions: no $trace (scripts/make-bench-traces.sh makes it)" >&2; exit 2; }
make -s bench BUILD="$BUILD" >/dev/null
make -s BUILD="$BUILD" "$BUILD/gotrace" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BUILD/gotrace" cut --generations "$gens" "$trace" "$tmp/cut.trace" 2>/dev/null

for mode in $MODES; do
  case $mode in
    count) flag= ;;
    consume) flag=--consume ;;
    perfetto) flag=--perfetto ;;
    decode) flag=--decode ;;
    *) echo "bench-instructions: unknown mode $mode" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$BUILD/bench/gotrace-bench" $flag --threads 1 "$tmp/cut.trace" >"$tmp/out" 2>"$tmp/err"
  events=$(tr ' ' '\n' <"$tmp/out" | sed -n 's/^events=//p' | head -n 1)
  ir=$(sed -n 's/.*I *refs: *//p' "$tmp/err" | tr -d ',' | head -n 1)
  [ -n "$ir" ] && [ -n "$events" ] || { echo "bench-instructions: $mode: no count"; cat "$tmp/err" >&2; exit 1; }
  echo "mode=$mode events=$events instructions=$ir per_event=$((ir / events))"
done
