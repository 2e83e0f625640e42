#!/bin/sh
# gotrace validate: command-line behaviour, and its findings on real traces
# against Go's own validator (scripts/gotest-ref -validate, the same
# testtrace.Validator and output form): stdout and exit status must agree
# for every trace of ../shared/corpus and ../shared/gotests/expected.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$GOTRACE" validate --help >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^usage: gotrace validate' "$tmp/out"; then echo "ok validate_help"; else echo "not ok validate_help: exit $rc"; fi
"$GOTRACE" validate >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && echo "ok validate_no_file" || echo "not ok validate_no_file: exit $rc, want 2"
"$GOTRACE" validate "$tmp/absent.trace" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && echo "ok validate_missing_file" || echo "not ok validate_missing_file: exit $rc, want 2"
"$GOTRACE" validate a b >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && echo "ok validate_two_files" || echo "not ok validate_two_files: exit $rc, want 2"
printf 'not a trace' >"$tmp/junk"
"$GOTRACE" validate "$tmp/junk" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'not a Go execution trace' "$tmp/err"; then echo "ok validate_not_a_trace"; else echo "not ok validate_not_a_trace: exit $rc: $(head -c 200 "$tmp/err")"; fi

# A truncated trace: the events before the damage are checked, then the
# reader's error with its offset and what was lost, as go tool trace reports it.
head -c 30000 "$ROOT/examples/hello.trace" >"$tmp/cut.trace"
"$GOTRACE" validate "$tmp/cut.trace" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q '^gotrace: .*cut.trace: failed to read full batch: read [0-9]* but wanted [0-9]* (offset [0-9]*)$' "$tmp/err" &&
   grep -q '^gotrace: .*cut.trace: Lost 100.00% of the latest trace data due to error (29.3 KiB of 29.3 KiB)$' "$tmp/err"; then
  echo "ok validate_truncated_reports_loss"
else
  echo "not ok validate_truncated_reports_loss: exit $rc: $(tr '\n' '|' <"$tmp/err")"
fi

# Cut in its last generation, a trace keeps the generations before it: the
# loss is what follows the end of the last complete one.
if [ -n "${SHARED:-}" ] && [ -f "$SHARED/corpus/multigen.go126.trace" ]; then
  head -c 150000 "$SHARED/corpus/multigen.go126.trace" >"$tmp/cut.trace"
  "$GOTRACE" validate "$tmp/cut.trace" >"$tmp/out" 2>"$tmp/err"
  if grep -q '^gotrace: .*cut.trace: Lost 30.93% of the latest trace data due to error (45.3 KiB of 146.5 KiB)$' "$tmp/err"; then
    echo "ok validate_truncated_last_generation_loss"
  else
    echo "not ok validate_truncated_last_generation_loss: $(tr '\n' '|' <"$tmp/err")"
  fi
fi

if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip validate_vs_go: ../shared is absent"
  exit 0
fi
first=$(ls "$SHARED"/gotests/expected/*.trace 2>/dev/null | head -n 1)
if [ -n "$first" ]; then
  "$GOTRACE" validate "$first" >"$tmp/a" 2>/dev/null
  "$GOTRACE" validate - <"$first" >"$tmp/b" 2>/dev/null
  cmp -s "$tmp/a" "$tmp/b" && echo "ok validate_stdin" || echo "not ok validate_stdin: output differs from the path's"
fi

if ! goref=$("$ROOT/scripts/gotest-ref/build" 2>"$tmp/goerr" | tail -n 1) || [ ! -x "$goref" ]; then
  echo "skip validate_vs_go: no Go toolchain ($(tail -n 1 "$tmp/goerr"))"
  exit 0
fi
for t in "$SHARED"/corpus/*.trace "$SHARED"/gotests/expected/*.trace; do
  [ -f "$t" ] || continue
  name=validate_$(basename "$(dirname "$t")")_$(basename "$t" .trace)
  TZ=UTC "$goref" -validate "$t" >"$tmp/want" 2>/dev/null
  want_rc=$?
  "$GOTRACE" validate "$t" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne $want_rc ]; then
    echo "not ok $name: exit $rc, Go's validator $want_rc: $(head -c 200 "$tmp/err" | tr '\n' ' ')"
  elif ! cmp -s "$tmp/got" "$tmp/want"; then
    line=$(cmp "$tmp/got" "$tmp/want" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok $name: differs from Go at line ${line:-?}: got '$(sed -n "${line:-1}p" "$tmp/got")', want '$(sed -n "${line:-1}p" "$tmp/want")'"
  else
    echo "ok $name"
  fi
done
