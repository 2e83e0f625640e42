#!/bin/sh
# The project's own regression cases: for each tests/data/regress/NAME.test,
# `gotrace test NAME.test` must print exactly NAME.golden (made and
# cross-checked against Go by scripts/regen-regress.sh). One case per file.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=$ROOT/tests/data/regress
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$dir"/*.test; do
  name=$(basename "$t" .test)
  golden=$dir/$name.golden
  if [ ! -f "$golden" ]; then
    echo "not ok regress_$name: no $name.golden (run scripts/regen-regress.sh)"
    continue
  fi
  # Run from the data folder: messages name the case by its file name.
  (cd "$dir" && "$GOTRACE" test "$name.test") >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if ! cmp -s "$tmp/out" "$golden"; then
    line=$(cmp "$tmp/out" "$golden" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok regress_$name: exit $rc, output differs from $name.golden at line ${line:-?}: got '$(sed -n "${line:-1}p" "$tmp/out")', want '$(sed -n "${line:-1}p" "$golden")' $(head -c 200 "$tmp/err" | tr '\n' ' ')"
  elif [ "$rc" -ne 0 ]; then
    echo "not ok regress_$name: exit status $rc (expectation not met)"
  else
    echo "ok regress_$name"
  fi
done
