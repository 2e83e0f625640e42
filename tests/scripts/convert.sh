#!/bin/sh
# gotrace convert:
#  - every v2 corpus trace, binary -> text -> binary (--runtime-layout), is
#    byte-identical to the trace the Go runtime wrote;
#  - the `-- trace --` section of every gotests/tests/*.test, converted to
#    binary, equals Go's own encoding gotests/expected/NAME.trace, and that
#    binary converted to text and back is unchanged;
#  - standard input and output ("-"), --help, and usage errors (exit 2).
GOTRACE=${GOTRACE:-build/gotrace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Command line behaviour needs no shared data.
"$GOTRACE" convert --help >"$tmp/help" 2>&1
if [ $? -eq 0 ] && grep -q -- '--to=text|binary' "$tmp/help"; then echo "ok convert_help"; else echo "not ok convert_help: --help"; fi
"$GOTRACE" convert --to=xml a b >/dev/null 2>&1
rc=$?; [ $rc -eq 2 ] && echo "ok convert_usage_bad_format" || echo "not ok convert_usage_bad_format: exit $rc"
"$GOTRACE" convert --to=text only-one >/dev/null 2>&1
rc=$?; [ $rc -eq 2 ] && echo "ok convert_usage_arity" || echo "not ok convert_usage_arity: exit $rc"
"$GOTRACE" convert --to=text "$tmp/does-not-exist" "$tmp/out" >/dev/null 2>&1
rc=$?; [ $rc -eq 2 ] && echo "ok convert_missing_input" || echo "not ok convert_missing_input: exit $rc"
printf 'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=x\n' >"$tmp/bad.txt"
"$GOTRACE" convert --to=binary "$tmp/bad.txt" "$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q ':2: reading args for EventBatch: failed to parse argument value "x" for arg "size"' "$tmp/err"; then
  echo "ok convert_bad_text_exit1"
else
  echo "not ok convert_bad_text_exit1: exit $rc: $(cat "$tmp/err")"
fi

if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip convert_corpus: ../shared not present"
  exit 0
fi

n=0; bad=0
for status in "$SHARED"/corpus/*.wire.status; do
  base=${status%.wire.status}
  [ -f "$base.trace" ] || continue
  n=$((n + 1))
  if ! "$GOTRACE" convert --to=text "$base.trace" "$tmp/t.txt" 2>"$tmp/err" ||
     ! "$GOTRACE" convert --to=binary --runtime-layout "$tmp/t.txt" "$tmp/t.bin" 2>>"$tmp/err" ||
     ! cmp -s "$tmp/t.bin" "$base.trace"; then
    echo "not ok convert_corpus_$(basename "$base"): round trip differs: $(head -n 1 "$tmp/err")"
    bad=$((bad + 1))
  fi
done
if [ $n -eq 0 ]; then
  echo "not ok convert_corpus_round_trip: no trace in $SHARED/corpus: nothing compared"
elif [ $bad -eq 0 ]; then
  echo "ok convert_corpus_round_trip ($n traces byte-identical)"
fi

# Through pipes: stdin to stdout, both directions.
t=$SHARED/corpus/churn.go127.trace
if [ -f "$t" ]; then
  if "$GOTRACE" convert --to=text - - <"$t" | "$GOTRACE" convert --to=binary --runtime-layout - - | cmp -s - "$t"; then
    echo "ok convert_stdin_stdout"
  else
    echo "not ok convert_stdin_stdout: pipe round trip differs"
  fi
fi

n=0; bad=0
for test in "$SHARED"/gotests/tests/*.test; do
  [ -f "$test" ] || continue
  name=$(basename "$test" .test)
  want=$SHARED/gotests/expected/$name.trace
  [ -f "$want" ] || continue
  n=$((n + 1))
  # txtar: the lines after "-- trace --" up to the next "-- NAME --".
  awk '/^-- .* --$/ { section = $2; next } section == "trace"' "$test" >"$tmp/case.txt"
  if ! "$GOTRACE" convert --to=binary "$tmp/case.txt" "$tmp/case.bin" 2>"$tmp/err" || ! cmp -s "$tmp/case.bin" "$want"; then
    echo "not ok convert_gotests_$name: differs from Go's encoding: $(head -n 1 "$tmp/err")"
    bad=$((bad + 1))
  elif ! "$GOTRACE" convert --to=text "$want" "$tmp/back.txt" 2>"$tmp/err" ||
       ! "$GOTRACE" convert --to=binary "$tmp/back.txt" "$tmp/back.bin" 2>>"$tmp/err" || ! cmp -s "$tmp/back.bin" "$want"; then
    echo "not ok convert_gotests_${name}_round_trip: $(head -n 1 "$tmp/err")"
    bad=$((bad + 1))
  fi
done
[ $n -eq 0 ] && echo "not ok convert_gotests: $SHARED/gotests holds no case: nothing compared"
[ $n -gt 0 ] && [ $bad -eq 0 ] && echo "ok convert_gotests ($n .test traces encode as Go encodes them)"
# A Stack whose nframes is past int64: the reader (like Go's) yields it with no
# frames, the writer writes it as given, and the conversion fails on the frame
# line that follows, naming that line (as Go's text reader does).
printf 'Trace Go1.22\nEventBatch gen=1 m=0 time=0 size=1\nStacks\nStack id=1 nframes=18446744073709551615\n\tpc=1 func=2 file=3 line=4\n' >"$tmp/huge.txt"
"$GOTRACE" convert --to=binary "$tmp/huge.txt" "$tmp/huge.bin" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'huge.txt:5: unidentified event: pc=1$' "$tmp/err"; then
  echo "ok convert_stack_nframes_past_int64"
else
  echo "not ok convert_stack_nframes_past_int64: exit $rc: $(head -n 1 "$tmp/err")"
fi
exit 0
