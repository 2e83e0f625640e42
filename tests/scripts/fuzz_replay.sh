#!/bin/sh
# Replays every saved fuzz input (fuzz/corpus/TARGET, fuzz/crashes/TARGET),
# Go's fuzz seeds and, for the reader, ../shared's hostile traces through the
# plain replay drivers: no crash, no leak, no sanitizer report (under
# SANITIZE=1), and (reader, v1) the same events and error from the memory
# read and from the one other way each input's hash picks (fuzz/modes.h).
# One case per input.
cd "$ROOT" || exit 1
make -s BUILD="$BUILD" fuzz-replay >/dev/null 2>&1 || { echo "not ok fuzz_replay_build: make fuzz-replay failed"; exit 1; }
for drv in "$BUILD"/fuzz/replay-*; do
  t=${drv##*/replay-}
  extra=""
  case $t in
    reader|validate) [ -n "${SHARED:-}" ] && [ -d "$SHARED/gotests/fuzz" ] && extra="$SHARED/gotests/fuzz" ;;
  esac
  [ "$t" = reader ] && [ -n "${SHARED:-}" ] && [ -d "$SHARED/hostile" ] && extra="$extra $SHARED/hostile"
  "$drv" "fuzz/corpus/$t" "fuzz/crashes/$t" $extra || echo "not ok replay-$t: driver failed"
done
