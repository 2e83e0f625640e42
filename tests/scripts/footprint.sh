#!/bin/sh
# gotrace dump --footprint against Go's `go tool trace -d=footprint`:
#  - the cases of tests/data/footprint/cases (repo traces, whole and cut),
#    against the outputs kept beside them: stdout, exit status and the first
#    line of stderr (Go's error text; we add a line with the offset);
#  - when Go 1.27 and ../shared are present: every v2 corpus trace and every
#    gotests/expected trace, and cuts of four corpus traces read from a file
#    and from a pipe, against Go run here;
#  - the alloc/free traces of Go 1.23-1.25, where Go's raw reader stops with
#    "invalid event type: N" (N >= 128): we read them (experimental types
#    are known from 1.23 on, as for dump --wire) and exit 0.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
GO=${GO:-/root/.cache/gotrace-go/usr/lib/go-1.27/bin/go}
[ -x "$GO" ] || GO=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same NAME WANT_OUT WANT_STATUS_FILE: compares $tmp/got, $tmp/err and $rc.
same() {
  if [ "exit=$rc" != "$(head -n 1 "$3")" ]; then
    echo "not ok $1: exit $rc, want $(head -n 1 "$3")"
  elif ! cmp -s "$tmp/got" "$2"; then
    echo "not ok $1: stdout differs from Go's"
    diff "$2" "$tmp/got" | head -n 6 | sed 's/^/# /'
  elif [ "$(sed -n 2p "$3")" != "$(head -n 1 "$tmp/err")" ]; then
    echo "not ok $1: stderr '$(head -n 1 "$tmp/err")', want '$(sed -n 2p "$3")'"
  else
    echo "ok $1"
  fi
}

DIR=$ROOT/tests/data/footprint
grep -v '^#' "$DIR/cases" | while read -r name trace cut; do
  [ -n "$name" ] || continue
  if [ "$cut" = - ]; then cp "$ROOT/$trace" "$tmp/in"; else head -c "$cut" "$ROOT/$trace" >"$tmp/in"; fi
  "$GOTRACE" dump --footprint "$tmp/in" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  same "footprint_$name" "$DIR/$name.footprint" "$DIR/$name.status"
done

if [ -z "$GO" ] || [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip footprint_go: Go 1.27 or ../shared not present"
  exit 0
fi

# oracle FILE: Go's stdout in $tmp/want, "exit=N" and stderr in $tmp/status.
oracle() {
  "$GO" tool trace -d=footprint "$1" >"$tmp/want" 2>"$tmp/goerr"
  { echo "exit=$?"; cat "$tmp/goerr"; } >"$tmp/status"
}

for trace in "$SHARED"/corpus/*.go12[2-9].trace "$SHARED"/gotests/expected/*.trace; do
  [ -f "$trace" ] || continue
  name=footprint_$(basename "$trace" .trace)
  oracle "$trace"
  "$GOTRACE" dump --footprint "$trace" >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if grep -q '^invalid event type: 1[2-9][0-9]$' "$tmp/status"; then
    case $(basename "$trace") in
      allocfree.go12[345].trace)
        if [ $rc -eq 0 ] && [ "$(wc -l <"$tmp/got")" -eq 258 ] && grep -q '^Span ' "$tmp/got"; then
          echo "ok $name (Go stops at an experimental type; we read it)"
        else
          echo "not ok $name: exit $rc, want the full table with experimental rows"
        fi ;;
      *) echo "not ok $name: Go stops with $(sed -n 2p "$tmp/status"), unexpected for this trace" ;;
    esac
    continue
  fi
  same "$name" "$tmp/want" "$tmp/status"
done

# Cuts: inside the header, at its end, inside events and batches; read from a
# file and from a pipe (Go's percentages divide by all the input read).
for base in multigen.go126 churn.go122 cpuprof.go125 annotate.go123; do
  trace=$SHARED/corpus/$base.trace
  [ -f "$trace" ] || { echo "skip footprint_cut_$base: trace absent"; continue; }
  size=$(wc -c <"$trace")
  for cut in 0 5 16 17 33 1000 4097 $((size / 3)) $((size / 2)) $((size - 7)) $((size - 1)); do
    head -c "$cut" "$trace" >"$tmp/in"
    oracle "$tmp/in"
    "$GOTRACE" dump --footprint "$tmp/in" >"$tmp/got" 2>"$tmp/err"
    rc=$?
    same "footprint_cut_$base@$cut" "$tmp/want" "$tmp/status"
    "$GOTRACE" dump --footprint - <"$tmp/in" >"$tmp/got" 2>"$tmp/err"
    rc=$?
    same "footprint_cut_pipe_$base@$cut" "$tmp/want" "$tmp/status"
  done
done
