#!/bin/sh
# gotrace dump --wire against Go's `go tool trace -d=wire` outputs:
#  - every v2 corpus trace whose oracle status is exit=0: stdout identical;
#  - every gotests/expected/*.trace: stdout, exit status and stderr identical;
#  - the alloc/free traces of Go 1.23-1.25, where Go's dumper gives up with
#    "invalid event type: 129": the project reads them instead (experimental
#    types are known from 1.23 on). We check that our output starts with Go's
#    partial output, goes on past it with exit 0, and that the whole dump is
#    faithful: converted back to binary it gives the input byte for byte;
#  - Go's fuzz seeds: no crash, exit 0 or 1.
GOTRACE=${GOTRACE:-build/gotrace}
if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip wire_corpus: ../shared not present"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expected_wire() { # NAME (without extension) -> stdout of Go's -d=wire
  if [ -f "$1.wire.gz" ]; then gzip -dc "$1.wire.gz"; else cat "$1.wire"; fi
}

# Corpus: byte-identical stdout for every trace Go dumps successfully.
n=0; bad=0
for status in "$SHARED"/corpus/*.wire.status; do
  base=${status%.wire.status}
  [ "$(head -n 1 "$status")" = "exit=0" ] || continue
  n=$((n + 1))
  expected_wire "$base" >"$tmp/want"
  "$GOTRACE" dump --wire "$base.trace" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ] || ! cmp -s "$tmp/got" "$tmp/want"; then
    echo "not ok wire_corpus_$(basename "$base"): exit $rc, output differs from Go's"
    bad=$((bad + 1))
  fi
done
if [ $n -eq 0 ]; then
  echo "not ok wire_corpus: $SHARED/corpus holds no trace with a .wire.status of exit=0: nothing compared"
elif [ $bad -eq 0 ]; then
  echo "ok wire_corpus ($n traces identical)"
fi

# Go's test cases encoded by Go: stdout, status and stderr as Go's.
n=0; bad=0
for trace in "$SHARED"/gotests/expected/*.trace; do
  [ -f "$trace" ] || continue
  base=${trace%.trace}
  n=$((n + 1))
  "$GOTRACE" dump --wire "$trace" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  tail -n +2 "$base.wire.status" >"$tmp/want_err"
  if [ "exit=$rc" != "$(head -n 1 "$base.wire.status")" ] || ! cmp -s "$tmp/got" "$base.wire" ||
     ! cmp -s "$tmp/err" "$tmp/want_err"; then
    echo "not ok wire_gotests_$(basename "$base"): exit $rc or output differs from Go's"
    bad=$((bad + 1))
  fi
done
[ $n -eq 0 ] && echo "not ok wire_gotests: $SHARED/gotests/expected holds no trace: nothing compared"
[ $n -gt 0 ] && [ $bad -eq 0 ] && echo "ok wire_gotests ($n traces identical)"

# Alloc/free traces of 1.23-1.25: Go's dumper stops, we go on (project decision).
for base in "$SHARED"/corpus/allocfree.go123 "$SHARED"/corpus/allocfree.go124 "$SHARED"/corpus/allocfree.go125; do
  name=wire_allocfree_$(basename "$base" | sed 's/.*\.//')
  if [ ! -f "$base.trace" ]; then echo "skip $name: trace absent"; continue; fi
  if ! grep -q '^invalid event type: 1[2-3][0-9]$' "$base.wire.status"; then
    echo "skip $name: Go's dumper no longer stops on this trace"; continue
  fi
  expected_wire "$base" >"$tmp/want"
  "$GOTRACE" dump --wire "$base.trace" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  go_lines=$(wc -l <"$tmp/want")
  our_lines=$(wc -l <"$tmp/got")
  if [ $rc -ne 0 ]; then
    echo "not ok $name: exit $rc: $(head -n 1 "$tmp/err")"
  elif ! head -n "$go_lines" "$tmp/got" | cmp -s - "$tmp/want"; then
    echo "not ok $name: the first $go_lines lines differ from Go's partial dump"
  elif [ "$our_lines" -le $((go_lines * 10)) ]; then
    echo "not ok $name: only $our_lines lines; expected far more than Go's $go_lines"
  elif ! sed -n "$((go_lines + 1))p" "$tmp/got" | grep -q '^[A-Z][A-Za-z]* dt='; then
    echo "not ok $name: line $((go_lines + 1)) (where Go stopped) is not an experimental event"
  else
    # The full dump must be faithful: as text it converts back to the input.
    { echo "Trace Go1.$(head -c 8 "$base.trace" | sed 's/go 1\.\([0-9]*\).*/\1/')"; cat "$tmp/got"; } >"$tmp/text"
    if "$GOTRACE" convert --to=binary --runtime-layout "$tmp/text" "$tmp/back" 2>"$tmp/err" && cmp -s "$tmp/back" "$base.trace"; then
      echo "ok $name (Go stops after $go_lines lines, we read $our_lines, round trip identical)"
    else
      echo "not ok $name: dump converted back differs from the trace: $(head -n 1 "$tmp/err")"
    fi
  fi
done

# Fuzz seeds: never crash; exit 0 or 1.
n=0; bad=0
for seed in "$SHARED"/gotests/fuzz/*.bin; do
  [ -f "$seed" ] || continue
  n=$((n + 1))
  "$GOTRACE" dump --wire "$seed" >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    echo "not ok wire_fuzz_$(basename "$seed"): exit $rc"
    bad=$((bad + 1))
  fi
done
[ $n -eq 0 ] && echo "not ok wire_fuzz_seeds: no Go fuzz seed in $SHARED/gotests: nothing checked"
[ $n -gt 0 ] && [ $bad -eq 0 ] && echo "ok wire_fuzz_seeds ($n seeds, exit 0 or 1)"
exit 0
