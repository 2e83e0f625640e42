#!/bin/sh
# Damaged traces through the CLI, against Go. For a few traces (the repo's
# examples/hello.trace always; corpus traces of several versions, v1
# included, when ../shared is present) cut at a sample of batch boundaries
# and of random offsets (fixed seed), then:
#  - gotrace dump, dump --wire, validate and goroutines each finish within
#    10 s with exit 0 or 1 (never a signal, a sanitizer report or exit >= 2);
#  - when Go 1.27 is installed, `gotrace dump` prints exactly what
#    `go tool trace -d=parsed` prints on stdout and stderr, with the same
#    exit status: every complete generation before the damage, then the
#    error.
# One case per trace and cut: damage_cli:NAME:cut@OFFSET.
# (tests/unit/test_damage.c covers every boundary, more random cuts and byte
# flips in-process.)
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
GO=${GO:-/root/.cache/gotrace-go/usr/lib/go-1.27/bin/go}
[ -x "$GO" ] || GO=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A sanitizer report must not pass for the "broken trace" exit status 1.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
export ASAN_OPTIONS UBSAN_OPTIONS

# Offsets of the top-level items (batches, EndOfGeneration) of a v2 trace,
# one a line, found by walking the batch headers: type byte, the experiment
# byte of an ExperimentalBatch (49), then gen, M, time and size varints, then
# size bytes. EndOfGeneration (52, Go 1.26 format) is one byte.
batch_offsets() {
  od -An -v -tu1 "$1" | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    function uvarint(   v, s, c) {
      v = 0; s = 1
      do { if (p >= n) return -1; c = b[p++]; v += (c % 128) * s; s *= 128 } while (c >= 128)
      return v
    }
    END {
      p = 16
      while (p < n) {
        print p
        t = b[p++]
        if (t == 52) continue
        if (t != 1 && t != 49) exit
        if (t == 49) p++
        uvarint(); uvarint(); uvarint(); size = uvarint()
        if (size < 0) exit
        p += size
      }
    }'
}

# Up to $2 lines of stdin, evenly spread (first and last included).
spread() {
  awk -v want="$1" '{ l[n++] = $0 } END {
    if (n <= want) { for (i = 0; i < n; i++) print l[i]; exit }
    for (i = 0; i < want; i++) print l[int(i * (n - 1) / (want - 1))] }'
}

# $1 = name, $2 = file, $3 = cut offset. Prints one case line.
check_cut() {
  name=$1 file=$2 cut=$3
  case_name="damage_cli:$name:cut@$cut"
  head -c "$cut" "$file" >"$tmp/cut.trace"
  for cmd in "dump" "dump --wire" "validate" "goroutines"; do
    # shellcheck disable=SC2086
    timeout 10 "$GOTRACE" $cmd "$tmp/cut.trace" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -gt 1 ] || grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
      echo "not ok $case_name: gotrace $cmd exited with $rc: $(head -c 300 "$tmp/err" | head -n 3)"
      return
    fi
  done
  if [ -z "$GO" ]; then
    echo "ok $case_name"
    return
  fi
  timeout 10 "$GOTRACE" dump "$tmp/cut.trace" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  TZ=UTC timeout 60 "$GO" tool trace -d=parsed "$tmp/cut.trace" >"$tmp/go.out" 2>"$tmp/go.err"
  go_rc=$?
  # Go's "failed to advance" errors dump the ordering state from maps, in
  # random order: compare the first line exactly, the rest as sorted lines.
  sort "$tmp/err" >"$tmp/err.sorted"
  sort "$tmp/go.err" >"$tmp/go.err.sorted"
  if [ "$go_rc" = 2 ] && grep -q '^panic: ' "$tmp/go.err"; then
    echo "ok $case_name"
    echo "skip $case_name:go: Go itself panics: $(grep -m 1 '^panic: ' "$tmp/go.err")"
  elif [ "$rc" != "$go_rc" ]; then
    echo "not ok $case_name: exit status $rc, Go's $go_rc: got '$(head -n 1 "$tmp/err")', Go '$(head -n 1 "$tmp/go.err")'"
  elif ! cmp -s "$tmp/out" "$tmp/go.out"; then
    line=$(cmp "$tmp/out" "$tmp/go.out" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
    echo "not ok $case_name: stdout differs from Go's at line ${line:-?} (of $(wc -l <"$tmp/go.out"))"
  elif [ "$(head -n 1 "$tmp/err")" != "$(head -n 1 "$tmp/go.err")" ] || ! cmp -s "$tmp/err.sorted" "$tmp/go.err.sorted"; then
    echo "not ok $case_name: error '$(head -n 1 "$tmp/err")', Go's '$(head -n 1 "$tmp/go.err")'"
  else
    echo "ok $case_name"
  fi
}

# $1 = name, $2 = file: batch-boundary cuts (v2) and random cuts.
damage_trace() {
  name=$1 file=$2
  size=$(wc -c <"$file")
  {
    batch_offsets "$file" | spread 8
    # Random offsets, fixed seed per trace name.
    awk -v size="$size" -v seed="$(printf '%s' "$name" | cksum | cut -d' ' -f1)" \
      'BEGIN { srand(seed % 100000); for (i = 0; i < 6; i++) print 16 + int(rand() * (size - 16)) }'
  } | sort -n -u >"$tmp/cuts"
  while read -r cut; do
    [ "$cut" -lt "$size" ] && check_cut "$name" "$file" "$cut"
  done <"$tmp/cuts"
}

[ -n "$GO" ] || echo "skip damage_cli_go: Go 1.27 not installed; only checking exit statuses"
damage_trace hello "$ROOT/examples/hello.trace"
if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip damage_cli_corpus: ../shared not found"
  exit 0
fi
for t in annotate.go122 multigen.go123 annotate.go125 flightrec.go126 multigen.go127 annotate.go119 churn.go121; do
  [ -f "$SHARED/corpus/$t.trace" ] && damage_trace "$t" "$SHARED/corpus/$t.trace"
done
exit 0
