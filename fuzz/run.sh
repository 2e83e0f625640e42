#!/bin/sh
# Fuzzes each named target for FUZZ_SECONDS with libFuzzer. Seeds: the saved
# corpus (fuzz/corpus/TARGET), Go's fuzz seeds and small corpus traces from
# ../shared when present, and the project's own test traces. New inputs are
# kept in BUILD/fuzz/work/TARGET (merge the useful ones into fuzz/corpus with
# -merge=1); crashes land in fuzz/crashes/TARGET/ and become regression inputs.
set -u
BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/.."
shared=../shared
status=0
for t in "$@"; do
  work=$BUILD/fuzz/work/$t
  mkdir -p "$work" "fuzz/corpus/$t" "fuzz/crashes/$t"
  seeds="fuzz/corpus/$t"
  case $t in
    reader|validate)
      [ -d "$shared/gotests/fuzz" ] && seeds="$seeds $shared/gotests/fuzz"
      [ -d "$shared/gotests/expected" ] && seeds="$seeds $shared/gotests/expected"
      [ -d tests/data/scenarios ] && seeds="$seeds tests/data/scenarios" ;;
    text|roundtrip)
      [ -d "$shared/gotests/tests" ] && seeds="$seeds $shared/gotests/tests" ;;
  esac
  echo "== fuzz $t for ${SECONDS_EACH}s"
  "$BUILD/fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="fuzz/crashes/$t/" "$work" $seeds \
    2>"$BUILD/fuzz/$t.log" || status=1
  grep -E '^(stat::|#[0-9]+ *DONE)' "$BUILD/fuzz/$t.log" | tr '\n' ' '; echo
  grep -E 'cov: [0-9]+' "$BUILD/fuzz/$t.log" | tail -n 1
done
exit $status
