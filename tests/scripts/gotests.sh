#!/bin/sh
# Go's own trace test cases: for each ../shared/gotests/tests/NAME.test,
# `gotrace test` must print exactly ../shared/gotests/expected/NAME.parsed
# (events, ERROR line, EXPECTATION OK) and exit 0. One case per file.
GOTRACE=${GOTRACE:-build/gotrace}
dir=${SHARED:+$SHARED/gotests}
if [ -z "$dir" ] || [ ! -d "$dir/tests" ]; then
  echo "skip gotests: ../shared/gotests is absent"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$dir"/tests/*.test; do
  name=$(basename "$t" .test)
  want=$dir/expected/$name.parsed
  if [ ! -f "$want" ]; then
    echo "skip gotest_$name: no expected/$name.parsed"
    continue
  fi
  "$GOTRACE" test "$t" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "not ok gotest_$name: exit status $rc: $(head -c 300 "$tmp/err" | tr "\n" " ") $(tail -n 1 "$tmp/out")"
  elif ! cmp -s "$tmp/out" "$want"; then
    line=$(cmp "$tmp/out" "$want" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok gotest_$name: output differs from expected/$name.parsed at line ${line:-?}: got '$(sed -n "${line:-1}p" "$tmp/out")', want '$(sed -n "${line:-1}p" "$want")'"
  else
    echo "ok gotest_$name"
  fi
done
