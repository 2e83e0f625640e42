#!/bin/sh
# regen-regress.sh [--from-go] [--check]: maintains the project's own trace
# regression cases, tests/data/regress/NAME.test, and their golden outputs
# NAME.golden (what `gotrace test NAME.test` prints).
#
# 1. Recomputes the size= of every EventBatch line in the .test files (the
#    byte length of the batch's encoded events), so cases can be edited by
#    hand. Only plain events are supported: every argument a varint (String
#    and Stack lines with data or frames are not).
# 2. Writes NAME.golden from `gotrace test` (default) or, with --from-go,
#    from Go's own reader and validator (scripts/gotest-ref), used while
#    gotrace cannot read the cases yet.
# 3. Cross-checks: when Go is available, every golden must equal Go's
#    output; a difference is reported and the script exits 1.
# --check: change nothing; only report stale sizes and goldens.
#
# Environment: BUILD (default build), GOTRACE (default $BUILD/gotrace).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/tests/data/regress
gotrace=${GOTRACE:-$root/${BUILD:-build}/gotrace}
from_go=0 check_only=0
for a in "$@"; do
  case $a in
    --from-go) from_go=1 ;;
    --check) check_only=1 ;;
    *) echo "usage: regen-regress.sh [--from-go] [--check]" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints the .test file with each EventBatch size= recomputed. The length of
# a varint depends only on the value's magnitude, so awk's doubles suffice.
fix_sizes() {
  awk '
    function vlen(s,   x, n) { x = s + 0; n = 1; while (x >= 128) { x = x / 128; n++ } return n }
    function flush() { if (hdr != "") { sub(/size=[0-9]+/, "size=" size, hdr); print hdr; printf "%s", body } hdr = ""; body = "" }
    /^-- .* --$/ { flush(); intrace = ($0 == "-- trace --"); print; next }
    !intrace { print; next }
    /^EventBatch / { flush(); hdr = $0; size = 0; next }
    hdr == "" { print; next }
    {
      body = body $0 "\n"
      if ($0 ~ /^[ \t]*$/) next
      size += 1
      for (i = 2; i <= NF; i++) { split($i, kv, "="); size += vlen(kv[2]) }
    }
    END { flush() }
  ' "$1"
}

# Whether two outputs agree: byte for byte, except that Go prints a stuck
# reader's state (the "failed to advance" dump) from maps in random order,
# so there only the multiset of lines must agree.
same_output() {
  cmp -s "$1" "$2" ||
    { grep -q '^ERROR: broken trace: failed to advance' "$2" &&
      [ "$(sort "$1")" = "$(sort "$2")" ]; }
}

status=0
for t in "$dir"/*.test; do
  fix_sizes "$t" > "$tmp/fixed"
  if ! cmp -s "$tmp/fixed" "$t"; then
    if [ $check_only = 1 ]; then echo "stale sizes: $t"; status=1; else cp "$tmp/fixed" "$t"; echo "sizes fixed: $(basename "$t")"; fi
  fi
done

goref=
if goref=$("$root/scripts/gotest-ref/build" 2>"$tmp/goerr" | tail -n 1) && [ -x "$goref" ]; then :; else
  goref=
  echo "regen-regress: Go not available, no cross-check ($(tail -n 1 "$tmp/goerr"))" >&2
fi
if [ $from_go = 1 ] && [ -z "$goref" ]; then echo "regen-regress: --from-go needs Go" >&2; exit 1; fi

for t in "$dir"/*.test; do
  name=$(basename "$t" .test)
  golden=$dir/$name.golden
  if [ $from_go = 1 ]; then
    (cd "$dir" && TZ=UTC "$goref" "$name.test") > "$tmp/out" 2>"$tmp/err" || true
  else
    (cd "$dir" && "$gotrace" test "$name.test") > "$tmp/out" 2>"$tmp/err" || true
  fi
  if [ -s "$tmp/err" ]; then echo "$name: stderr: $(cat "$tmp/err")" >&2; status=1; continue; fi
  if [ -n "$goref" ]; then
    (cd "$dir" && TZ=UTC "$goref" "$name.test") > "$tmp/go" 2>&1 || true
    if ! same_output "$tmp/out" "$tmp/go"; then
      echo "$name: differs from Go:" >&2
      diff "$tmp/go" "$tmp/out" | head -n 10 >&2 || true
      status=1
      continue
    fi
  fi
  # gotrace's output is deterministic: its golden must match byte for byte.
  # Go's dumps are not: from Go, only rewrite a golden that really differs.
  if [ ! -f "$golden" ] || { [ $from_go = 0 ] && ! cmp -s "$tmp/out" "$golden"; } ||
     ! same_output "$tmp/out" "$golden"; then
    if [ $check_only = 1 ]; then echo "stale golden: $name"; status=1; else cp "$tmp/out" "$golden"; echo "golden written: $name"; fi
  fi
done
exit $status
