#!/bin/sh
# Checks the trace builder against Go 1.27 on the scenarios that transcribe
# Go's own testdata cases (go122-*): builds each scenario's binary, then
#  1. Go's reader (`TZ=UTC go tool trace -d=parsed`) and ours (`gotrace dump`)
#     must print the same events and the same error, byte for byte;
#  2. Go's reading of our binary must be Go's reading of its own case
#     (../shared/gotests/expected/CASE.parsed), except for the Time= values:
#     the builder puts its structural batches at the times Go's current
#     testgen does, Go's checked-in go122 cases were written by an older one
#     that put them at 0, which shifts every time equally.
# Prints "ok NAME" / "not ok NAME: reason" / "skip NAME: reason" per case and
# a summary. Skips when Go 1.27 is absent.
#
# Environment: GO (default Go 1.27 from /root/.cache/gotrace-go), BUILD
# (default build-check-go), SHARED (default ../shared).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build-check-go}
GO=${GO:-/root/.cache/gotrace-go/usr/lib/go-1.27/bin/go}
SHARED=${SHARED:-$ROOT/../shared}
if [ ! -x "$GO" ]; then
  echo "skip check-scenarios-with-go: no Go toolchain at $GO"
  exit 0
fi
make -s BUILD="$BUILD" "$BUILD/gotrace" "$BUILD/tests/test_scenarios" >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BUILD/tests/test_scenarios" --write "$tmp" || exit 1

pass=0 fail=0
"$BUILD/tests/test_scenarios" --go-names >"$tmp/names"
while read -r name gocase; do
  t="$tmp/$name.trace"
  TZ=UTC "$GO" tool trace -d=parsed "$t" >"$tmp/go.out" 2>"$tmp/go.err"
  go_code=$?
  "$BUILD/gotrace" dump "$t" >"$tmp/our.out" 2>"$tmp/our.err"
  our_code=$?
  if cmp -s "$tmp/go.out" "$tmp/our.out" && [ "$go_code" = "$our_code" ] &&
     [ "$(cat "$tmp/go.err")" = "$(sed 's/^gotrace: //' "$tmp/our.err")" ]; then
    echo "ok $name/go-reads-like-us"; pass=$((pass + 1))
  else
    echo "not ok $name/go-reads-like-us: Go exit $go_code, ours $our_code; $(diff "$tmp/go.out" "$tmp/our.out" | head -n 3 | tr '\n' ' ')"
    fail=$((fail + 1))
  fi
  ref="$SHARED/gotests/expected/$gocase.parsed"
  if [ ! -f "$ref" ]; then
    echo "skip $name/same-as-go-case: $ref absent"
    continue
  fi
  # Go's reference parse: events, then "ERROR: msg" and "EXPECTATION OK".
  grep -v '^EXPECTATION ' "$ref" | sed 's/ Time=[0-9]*//' >"$tmp/ref"
  { sed 's/ Time=[0-9]*//' "$tmp/go.out"; [ -s "$tmp/go.err" ] && sed 's/^/ERROR: /' "$tmp/go.err"; } >"$tmp/ours-go"
  if cmp -s "$tmp/ref" "$tmp/ours-go"; then
    echo "ok $name/same-as-go-case"; pass=$((pass + 1))
  else
    echo "not ok $name/same-as-go-case: $(diff "$tmp/ref" "$tmp/ours-go" | head -n 3 | tr '\n' ' ')"
    fail=$((fail + 1))
  fi
done <"$tmp/names"
echo "check-scenarios-with-go: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
