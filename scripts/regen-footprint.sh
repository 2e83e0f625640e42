#!/bin/sh
# regen-footprint.sh: regenerates the expected outputs of the footprint cases
# (tests/data/footprint/cases) from Go 1.27's `go tool trace -d=footprint`:
# NAME.footprint (stdout) and NAME.status ("exit=N", then stderr).
# tests/scripts/footprint.sh compares `gotrace dump --footprint` with them.
#
# Usage: scripts/regen-footprint.sh [GO]   (GO: a Go 1.27 go command)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
GO=$(GO=${1:-${GO:-}} "$ROOT/scripts/go127.sh")
DIR="$ROOT/tests/data/footprint"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$DIR/cases" | while read -r name trace cut; do
  [ -n "$name" ] || continue
  if [ "$cut" = - ]; then cp "$ROOT/$trace" "$tmp/in"; else head -c "$cut" "$ROOT/$trace" >"$tmp/in"; fi
  set +e
  "$GO" tool trace -d=footprint "$tmp/in" >"$DIR/$name.footprint" 2>"$tmp/err"
  rc=$?
  set -e
  { echo "exit=$rc"; cat "$tmp/err"; } >"$DIR/$name.status"
  echo "$name: exit $rc"
done
