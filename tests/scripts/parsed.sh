#!/bin/sh
# gotrace dump (parsed mode) against Go's own output:
#  - every v2 trace of the shared corpus (NAME.go122.trace .. NAME.go127.trace):
#    stdout identical to NAME.parsed(.gz), exit status as in NAME.parsed.status;
#  - every Go test case encoded in gotests/expected/NAME.trace: stdout equal to
#    the event lines of NAME.parsed, stderr equal to its "ERROR: " line.
# One case per trace. Skips when ../shared is absent.
GOTRACE=${GOTRACE:-build/gotrace}
if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED" ]; then
  echo "skip parsed_corpus: ../shared not found"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

found=0
for f in "$SHARED"/corpus/*.go12[2-9].trace; do
  [ -f "$f" ] || continue
  found=1
  b=${f%.trace}
  name=parsed_$(basename "$b")
  if [ -f "$b.parsed.gz" ]; then gzip -dc "$b.parsed.gz" >"$tmp/exp"; else cp "$b.parsed" "$tmp/exp"; fi
  want=$(head -n 1 "$b.parsed.status" | sed 's/^exit=//')
  "$GOTRACE" dump "$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != "$want" ]; then
    echo "not ok $name: exit status $rc, want $want: $(head -n 1 "$tmp/err")"
  elif ! cmp -s "$tmp/exp" "$tmp/out"; then
    line=$(cmp "$tmp/exp" "$tmp/out" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok $name: output differs from line ${line:-?}: want '$(sed -n "${line:-1}p" "$tmp/exp")' got '$(sed -n "${line:-1}p" "$tmp/out")'"
  else
    echo "ok $name"
  fi
done
[ "$found" = 1 ] || echo "skip parsed_corpus: no v2 traces in $SHARED/corpus"

found=0
for f in "$SHARED"/gotests/expected/*.trace; do
  [ -f "$f" ] || continue
  found=1
  b=${f%.trace}
  name=parsed_gotest_$(basename "$b")
  grep -v '^ERROR: \|^EXPECTATION ' "$b.parsed" >"$tmp/exp"
  want_err=$(sed -n 's/^ERROR: //p' "$b.parsed")
  "$GOTRACE" dump "$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  got_err=$(cat "$tmp/err")
  if ! cmp -s "$tmp/exp" "$tmp/out"; then
    line=$(cmp "$tmp/exp" "$tmp/out" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok $name: output differs from line ${line:-?}"
  elif [ "$got_err" != "$want_err" ]; then
    echo "not ok $name: error '$got_err', want '$want_err'"
  elif [ -n "$want_err" ] && [ "$rc" != 1 ]; then
    echo "not ok $name: exit status $rc on a broken trace, want 1"
  elif [ -z "$want_err" ] && [ "$rc" != 0 ]; then
    echo "not ok $name: exit status $rc, want 0"
  else
    echo "ok $name"
  fi
done
[ "$found" = 1 ] || echo "skip parsed_gotests: no traces in $SHARED/gotests/expected"
exit 0
