#!/bin/sh
# The project's own regression cases: for each tests/data/regress/NAME.test,
# `gotrace test NAME.test` must print exactly NAME.golden (made and
# cross-checked against Go by scripts/regen-regress.sh), and exit 0, or 1
# for the cases that end in a validator finding. One case per file.
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
  # Cases that show a validator finding fail as Go's golden test would.
  want_rc=0
  [ "$(tail -n 1 "$golden")" = "VALIDATION FAILED" ] && want_rc=1
  # Run from the data folder: messages name the case by its file name.
  (cd "$dir" && "$GOTRACE" test "$name.test") >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if ! cmp -s "$tmp/out" "$golden"; then
    line=$(cmp "$tmp/out" "$golden" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok regress_$name: exit $rc, output differs from $name.golden at line ${line:-?}: got '$(sed -n "${line:-1}p" "$tmp/out")', want '$(sed -n "${line:-1}p" "$golden")' $(head -c 200 "$tmp/err" | tr '\n' ' ')"
  elif [ "$rc" -ne "$want_rc" ]; then
    echo "not ok regress_$name: exit status $rc, want $want_rc"
  else
    echo "ok regress_$name"
  fi
done
