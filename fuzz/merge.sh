#!/bin/sh
# Minimises each named target's saved corpus (fuzz/corpus/TARGET) together
# with what fuzz/run.sh found (BUILD/fuzz/work/TARGET) and its seeds
# (BUILD/fuzz/seeds/TARGET): libFuzzer's -merge=1 keeps, smallest inputs
# first, the fewest inputs that reach every coverage edge. Hit counts are
# not features here (-use_counters=0), which keeps the corpus at a few
# hundred files and a few MB while losing no edge. Needs the fuzz binaries
# (make fuzz builds them).
#   BUILD=build sh fuzz/merge.sh reader v1 validate text roundtrip
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.."
status=0
for t in "$@"; do
  out=$BUILD/fuzz/merged-$t
  rm -rf "$out"
  mkdir -p "$out" "fuzz/corpus/$t"
  inputs="fuzz/corpus/$t"
  [ -d "$BUILD/fuzz/work/$t" ] && inputs="$inputs $BUILD/fuzz/work/$t"
  [ -d "$BUILD/fuzz/seeds/$t" ] && inputs="$inputs $BUILD/fuzz/seeds/$t"
  # shellcheck disable=SC2086
  if "$BUILD/fuzz/fuzz-$t" -merge=1 -use_counters=0 -rss_limit_mb=2048 "$out" $inputs \
      >"$BUILD/fuzz/merge-$t.log" 2>&1; then
    rm -rf "fuzz/corpus/$t"
    mv "$out" "fuzz/corpus/$t"
    echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sk "fuzz/corpus/$t" | cut -f1) KB; $(grep MERGE-OUTER "$BUILD/fuzz/merge-$t.log" | tail -n 1)"
  else
    echo "$t: merge failed, see $BUILD/fuzz/merge-$t.log"
    status=1
  fi
done
exit $status
