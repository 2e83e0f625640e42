#!/bin/sh
# perfetto-check-bench.sh: the Perfetto checks of tests/scripts/perfetto.sh
# on the benchmark traces (bench/traces, not committed: they are made by
# scripts/make-bench-traces.sh and are too big for `make test`).
#
#   scripts/perfetto-check-bench.sh [TRACE...]
#       default: every bench/traces/*.trace
#
# A whole bench trace's output (1.2 GB for the 100 MB trace) decodes to
# about ten times that as protoc text, so each trace is checked in windows
# of WINDOW_MS milliseconds (default 100): at its start, its middle and its
# end, and (Go 1.22 and later) across the start of its second generation.
# For each window: `gotrace perfetto --no-compress --from
# --to` must decode with protoc against ../shared/perfetto's schema, and
# tests/scripts/perfetto_check.py must pass it with the same window's
# `gotrace goroutines --json --from --to` (per goroutine, Running time =
# exec_time, Waiting time by reason = block_time) and every timestamp inside
# the window. Reading to the last window goes through the whole trace, so
# the reader and tracker meet every generation.
#
# Prints "ok NAME" or "not ok NAME: why" per window; exits 1 when any check
# fails, 2 when a tool or the schema is missing.
set -u
cd "$(dirname "$0")/.."
GOTRACE=${GOTRACE:-build/gotrace}
SHARED=${SHARED:-../shared}
PROTO_DIR=$SHARED/perfetto
WINDOW_MS=${WINDOW_MS:-100}
CHECK=tests/scripts/perfetto_check.py

command -v protoc >/dev/null 2>&1 || { echo "perfetto-check-bench: protoc is not installed (Debian: protobuf-compiler)" >&2; exit 2; }
[ -f "$PROTO_DIR/perfetto_trace.proto" ] || { echo "perfetto-check-bench: no $PROTO_DIR/perfetto_trace.proto" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "perfetto-check-bench: python3 is not installed" >&2; exit 2; }
make -s "$GOTRACE" >/dev/null || exit 2

[ $# -gt 0 ] || set -- bench/traces/*.trace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# check NAME TRACE FROM_NS TO_NS
check() {
  name=$1; trace=$2; from=$3; to=$4
  if ! "$GOTRACE" perfetto --no-compress --from "${from}ns" --to "${to}ns" "$trace" -o "$tmp/w.pb" 2>"$tmp/err"; then
    echo "not ok $name: gotrace perfetto: $(head -n 1 "$tmp/err")"; failed=1; return
  fi
  if ! protoc --decode=perfetto.protos.Trace -I "$PROTO_DIR" perfetto_trace.proto <"$tmp/w.pb" >"$tmp/w.txt" 2>"$tmp/err"; then
    echo "not ok $name: protoc cannot decode it: $(head -n 1 "$tmp/err")"; failed=1; return
  fi
  if ! "$GOTRACE" goroutines --json --from "${from}ns" --to "${to}ns" "$trace" >"$tmp/w.json" 2>"$tmp/err"; then
    echo "not ok $name: gotrace goroutines: $(head -n 1 "$tmp/err")"; failed=1; return
  fi
  if python3 "$CHECK" "$tmp/w.txt" --goroutines "$tmp/w.json" --window "$from" "$to" >"$tmp/check.out" 2>&1; then
    echo "ok $name ($(wc -c <"$tmp/w.pb") bytes of packets)"
  else
    echo "not ok $name: $(head -n 3 "$tmp/check.out" | tr '\n' ';')"; failed=1
  fi
  rm -f "$tmp/w.pb" "$tmp/w.txt" "$tmp/w.json"
}

for trace in "$@"; do
  [ -f "$trace" ] || { echo "perfetto-check-bench: no $trace (scripts/make-bench-traces.sh makes the bench traces)" >&2; exit 2; }
  base=$(basename "$trace" .trace)
  duration=$("$GOTRACE" summary --json "$trace" 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["trace"]["duration_ns"])') || {
    echo "not ok perfetto_bench_$base: gotrace summary failed"; failed=1; continue; }
  w=$((WINDOW_MS * 1000000))
  [ "$duration" -gt "$((3 * w))" ] || { echo "not ok perfetto_bench_$base: shorter than three windows"; failed=1; continue; }
  mid=$((duration / 2))
  check "perfetto_bench_${base}_start" "$trace" 0 "$w"
  check "perfetto_bench_${base}_middle" "$trace" "$mid" "$((mid + w))"
  check "perfetto_bench_${base}_end" "$trace" "$((duration - w))" "$duration"
  # The second generation's start (gotrace cut --list: its 6th column, a Go
  # duration from the trace start); old-format traces have no generations.
  gen2=$("$GOTRACE" cut --list "$trace" 2>/dev/null | awk 'NR == 3 { print $6 }' | python3 -c '
import re, sys
d = sys.stdin.read().strip()
units = {"h": 3600e9, "m": 60e9, "s": 1e9, "ms": 1e6, "us": 1e3, "\u00b5s": 1e3, "ns": 1}
parts = re.findall(r"([0-9.]+)(h|ms|us|\u00b5s|ns|m|s)", d)
print(int(round(sum(float(v) * units[u] for v, u in parts))) if parts else "")')
  if [ -n "$gen2" ] && [ "$gen2" -gt "$((w / 2))" ]; then
    check "perfetto_bench_${base}_generation_2" "$trace" "$((gen2 - w / 2))" "$((gen2 + w / 2))"
  fi
done
exit $failed
