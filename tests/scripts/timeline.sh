#!/bin/sh
# gotrace timeline (Trace Event Format JSON for Perfetto):
#  - command line: --help, usage errors (exit 2), stdin and -o give the
#    same bytes as stdout;
#  - golden files (tests/data/timeline/NAME.json, scripts/regen-timeline.sh)
#    compared byte for byte;
#  - with python3: scripts/timeline-check.py validates the structure (JSON,
#    one event per line, B/E balanced and nested per track, ts never going
#    back, every async b with its e, every track named) on the example, a
#    few scenarios and, with ../shared, corpus traces of several versions
#    (old formats included); and cross-checks, per goroutine, the total of
#    the "running" slices against exec_time of `gotrace goroutines --json`;
#  - broken traces (the example cut in half, a scenario that breaks after
#    some events, a multi-generation corpus trace cut in half): exit 1, the
#    error and the "Lost" line on stderr, and a stdout that still validates.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
CHECK="$ROOT/scripts/timeline-check.py"
PY=$(command -v python3 || true)
. "$ROOT/tests/scripts/lib/common.sh"

# --- command line
if "$GOTRACE" timeline --help >"$tmp/out" 2>&1 && grep -q '^usage: gotrace timeline' "$tmp/out"; then
  echo "ok timeline_help"
else
  echo "not ok timeline_help: no usage on stdout with exit 0"
fi
usage_case() {
  name=$1; shift
  "$GOTRACE" timeline "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ]; then echo "ok $name"; else echo "not ok $name: exit $rc, want 2 and a message"; fi
}
usage_case timeline_usage_no_file
usage_case timeline_usage_bad_option --frobnicate "$ROOT/examples/hello.trace"
usage_case timeline_usage_two_files "$ROOT/examples/hello.trace" "$ROOT/examples/hello.trace"
usage_case timeline_usage_missing_file "$tmp/does-not-exist.trace"
usage_case timeline_usage_o_without_file "$ROOT/examples/hello.trace" -o

"$GOTRACE" timeline "$ROOT/examples/hello.trace" >"$tmp/stdout.json" 2>"$tmp/err"
rc=$?
"$GOTRACE" timeline - <"$ROOT/examples/hello.trace" >"$tmp/stdin.json" 2>/dev/null
"$GOTRACE" timeline -o "$tmp/file.json" "$ROOT/examples/hello.trace" >"$tmp/none" 2>/dev/null
if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
  echo "not ok timeline_hello_exit: exit $rc, stderr '$(head -n 1 "$tmp/err")'"
elif ! cmp -s "$tmp/stdout.json" "$tmp/stdin.json"; then
  echo "not ok timeline_stdin: reading - gives other bytes than the file"
elif ! cmp -s "$tmp/stdout.json" "$tmp/file.json" || [ -s "$tmp/none" ]; then
  echo "not ok timeline_output_file: -o FILE differs from stdout"
else
  echo "ok timeline_stdin_and_output_file"
fi

# --- golden files
DIR=$ROOT/tests/data/timeline
for want in "$DIR"/*.json; do
  [ -f "$want" ] || continue
  name=$(basename "$want" .json)
  "$GOTRACE" timeline "$ROOT/tests/data/scenarios/$name.trace" >"$tmp/got" 2>/dev/null
  if cmp -s "$tmp/got" "$want"; then
    echo "ok timeline_golden_$name"
  else
    echo "not ok timeline_golden_$name: differs from $want (scripts/regen-timeline.sh)"
    diff "$want" "$tmp/got" | head -n 6 | sed 's/^/# /'
  fi
done

if [ -z "$PY" ]; then
  echo "skip timeline_check: python3 not present"
  exit 0
fi

# check NAME TRACE [WANT_RC]: the timeline of TRACE exits WANT_RC (default 0)
# and validates; for WANT_RC 1 stderr must hold the error and the Lost line.
check() {
  "$GOTRACE" timeline "$2" >"$tmp/t.json" 2>"$tmp/err"
  rc=$?
  want=${3:-0}
  if [ "$rc" -ne "$want" ]; then
    echo "not ok $1: exit $rc, want $want; $(head -n 1 "$tmp/err")"
  elif [ "$want" -eq 0 ] && [ -s "$tmp/err" ]; then
    echo "not ok $1: stderr '$(head -n 1 "$tmp/err")'"
  elif [ "$want" -eq 1 ] && ! grep -q "^gotrace: .*: Lost .* of the latest trace data due to error" "$tmp/err"; then
    echo "not ok $1: no Lost line on stderr"
  elif [ "$want" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -lt 2 ]; then
    echo "not ok $1: no error message before the Lost line"
  elif ! "$PY" "$CHECK" "$tmp/t.json" >"$tmp/problems" 2>&1; then
    echo "not ok $1: $(head -n 1 "$tmp/problems")"
    sed -n '2,4s/^/# /p' "$tmp/problems"
  else
    echo "ok $1"
  fi
}

# running NAME TRACE: the "running" slices add up to goroutines --json's exec_time.
running() {
  "$GOTRACE" timeline "$2" >"$tmp/t.json" 2>/dev/null
  "$GOTRACE" goroutines --json "$2" >"$tmp/g.json" 2>/dev/null
  if "$PY" "$CHECK" --running "$tmp/t.json" "$tmp/g.json" >"$tmp/problems" 2>&1; then
    echo "ok $1"
  else
    echo "not ok $1: $(head -n 1 "$tmp/problems")"
    sed -n '2,4s/^/# /p' "$tmp/problems"
  fi
}

check timeline_check_hello "$ROOT/examples/hello.trace"
running timeline_running_hello "$ROOT/examples/hello.trace"
for name in stacks-and-strings syscall-steal-simple syscall-steal-ambiguous task-across-generations \
            confuse-seq-across-generations create-syscall-reuse-thread-id; do
  check "timeline_check_$name" "$ROOT/tests/data/scenarios/$name.trace"
  running "timeline_running_$name" "$ROOT/tests/data/scenarios/$name.trace"
done

# Broken: one generation cut in half (nothing read, an empty but valid
# JSON); a scenario that breaks after some events (the open slices closed at
# the last event).
size=$(wc -c <"$ROOT/examples/hello.trace")
head -c $((size / 2)) "$ROOT/examples/hello.trace" >"$tmp/half.trace"
check timeline_truncated_hello "$tmp/half.trace" 1
check timeline_broken_create-syscall-with-p "$ROOT/tests/data/scenarios/create-syscall-with-p.trace" 1

if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip timeline_corpus: ../shared not present"
  exit 0
fi
for prog in tiny annotate gcstress genstress; do
  for v in go119 go121 go122 go123 go125 go127; do
    trace=$SHARED/corpus/$prog.$v.trace
    [ -f "$trace" ] || continue
    check "timeline_check_$prog.$v" "$trace"
  done
done
for trace in "$SHARED"/corpus/annotate.go121.trace "$SHARED"/corpus/gcstress.go119.trace \
             "$SHARED"/corpus/cgocallback.go127.trace "$SHARED"/corpus/gcstress.go127.trace \
             "$SHARED"/corpus/syscalls.go125.trace; do
  [ -f "$trace" ] || continue
  running "timeline_running_$(basename "$trace" .trace)" "$trace"
done
trace=$SHARED/corpus/genstress.go127.trace
if [ -f "$trace" ]; then
  size=$(wc -c <"$trace")
  head -c $((size / 2)) "$trace" >"$tmp/cut.trace"
  check timeline_truncated_genstress.go127 "$tmp/cut.trace" 1
  if [ "$(grep -c '"ph":"B"' "$tmp/t.json")" -eq 0 ]; then
    echo "not ok timeline_truncated_genstress.go127_has_events: no slices before the cut"
  else
    echo "ok timeline_truncated_genstress.go127_has_events"
  fi
fi
exit 0
