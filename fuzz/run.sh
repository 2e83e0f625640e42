#!/bin/sh
# Fuzzes each named target for FUZZ_SECONDS with libFuzzer, one target after
# the other on one core. Seeds: the saved corpus (fuzz/corpus/TARGET), and
# a seed directory built here (BUILD/fuzz/seeds/TARGET) from Go's fuzz seeds,
# small corpus and hostile traces (<= 32 KB) from ../shared when present,
# cuts of the larger ones (see cut_large), the project's own traces
# (examples/, tests/data/scenarios, tests/data/v1/broken) and, for the text
# targets, the trace sections of Go's .test cases. New inputs are kept in
# BUILD/fuzz/work/TARGET (merge the useful ones into fuzz/corpus with
# fuzz/merge.sh); crashes land in fuzz/crashes/TARGET/ and
# become regression inputs.
set -u
BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/.."
gotrace=${GOTRACE:-$BUILD/gotrace}
shared=../shared

# Small binary traces: the files of $2.. that are at most 32 KB, copied to $1.
copy_small() {
  dst=$1; shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(wc -c <"$f")" -le 32768 ] && cp "$f" "$dst/"
  done
}

# Seeds from the traces of $2.. larger than 32 KB, into $1: their first 32
# KB (a cut inside a generation: the batch and table parsers, the error
# paths), and for new-format traces their first generation alone, whole,
# when it fits in 64 KB (the ordering of real events of every version; big
# traces are the only ones with some event types). The generation is cut
# in the text form (EventBatch lines carry gen=N) and converted back by the
# CLI ($GOTRACE, else BUILD/gotrace; without it, no generation seeds).
cut_large() {
  dst=$1; shift
  for f in "$@"; do
    [ -f "$f" ] && [ "$(wc -c <"$f")" -gt 32768 ] || continue
    b=$(basename "$f" .trace)
    head -c 32768 "$f" >"$dst/$b.cut32k"
    [ -x "$gotrace" ] || continue
    "$gotrace" convert --to=text "$f" - 2>/dev/null |
      awk '/^EventBatch gen=/ { split($2, g, "="); if (g[2] + 0 > 1) exit } { print }' >"$dst/$b.gen1.txt"
    if "$gotrace" convert --to=binary "$dst/$b.gen1.txt" "$dst/$b.gen1" 2>/dev/null &&
        [ "$(wc -c <"$dst/$b.gen1")" -le 65536 ]; then :; else rm -f "$dst/$b.gen1"; fi
    rm -f "$dst/$b.gen1.txt"
  done
}

# The trace sections of the .test cases $2.., converted to binary into $1
# (with the CLI, as in cut_large).
tests_to_binary() {
  dst=$1; shift
  [ -x "$gotrace" ] || return 0
  for f in "$@"; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .test)
    sed -n '/^-- trace --$/,$p' "$f" | tail -n +2 >"$dst/$b.txt"
    "$gotrace" convert --to=binary "$dst/$b.txt" "$dst/$b.test.trace" 2>/dev/null || rm -f "$dst/$b.test.trace"
    rm -f "$dst/$b.txt"
  done
}

make_seeds() {
  t=$1; dst=$BUILD/fuzz/seeds/$t
  rm -rf "$dst"; mkdir -p "$dst"
  case $t in
    reader|validate)
      copy_small "$dst" examples/*.trace tests/data/scenarios/*.trace tests/data/v1/broken/*.trace \
        "$shared"/gotests/fuzz/*.bin "$shared"/gotests/expected/*.trace "$shared"/corpus/*.trace \
        "$shared"/hostile/*.trace
      cut_large "$dst" "$shared"/corpus/*.trace "$shared"/hostile/*.trace
      tests_to_binary "$dst" tests/data/regress/*.test ;;
    v1)
      # The target takes one selector byte (0: 1.11, 1: 1.19, 2: 1.21) and
      # the body after the 16-byte header: the first 32 KB of it (the whole
      # of small traces; old-format traces are read whole before ordering,
      # so a cut still reaches the parser and the batch checks).
      for f in "$shared"/corpus/*.go119.trace "$shared"/corpus/*.go121.trace tests/data/v1/broken/*.trace; do
        [ -f "$f" ] || continue
        case $(head -c 16 "$f") in "go 1.11"*) sel='\000' ;; "go 1.19"*) sel='\001' ;; *) sel='\002' ;; esac
        { printf "$sel"; tail -c +17 "$f" | head -c 32768; } >"$dst/$(basename "$f")"
      done ;;
    text|roundtrip)
      for f in "$shared"/gotests/tests/*.test; do
        [ -f "$f" ] || continue
        sed -n '/^-- trace --$/,$p' "$f" | tail -n +2 >"$dst/$(basename "$f" .test).txt"
      done
      [ "$t" = roundtrip ] && copy_small "$dst" examples/*.trace "$shared"/gotests/expected/*.trace ;;
  esac
}

status=0
for t in "$@"; do
  work=$BUILD/fuzz/work/$t
  mkdir -p "$work" "fuzz/corpus/$t" "fuzz/crashes/$t"
  make_seeds "$t"
  echo "== fuzz $t for ${SECONDS_EACH}s ($(ls "$BUILD/fuzz/seeds/$t" | wc -l) seeds)"
  "$BUILD/fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="fuzz/crashes/$t/" \
    "$work" "fuzz/corpus/$t" "$BUILD/fuzz/seeds/$t" \
    2>"$BUILD/fuzz/$t.log" || status=1
  grep -E '^(stat::|#[0-9]+ *DONE)' "$BUILD/fuzz/$t.log" | tr '\n' ' '; echo
  grep -E 'cov: [0-9]+' "$BUILD/fuzz/$t.log" | tail -n 1
  # A finding: the sanitizer's or libFuzzer's summary and the saved input.
  grep -E '^SUMMARY: |Test unit written to' "$BUILD/fuzz/$t.log" | sed 's/^/FINDING: /'
done
exit $status
