#!/bin/sh
# Replays every saved fuzz input (fuzz/corpus/TARGET, fuzz/crashes/TARGET)
# and Go's fuzz seeds through the plain replay drivers: no crash, no leak, no
# sanitizer report (under SANITIZE=1). One case per input.
cd "$ROOT" || exit 1
make -s BUILD="$BUILD" fuzz-replay >/dev/null 2>&1 || { echo "not ok fuzz_replay_build: make fuzz-replay failed"; exit 1; }
for drv in "$BUILD"/fuzz/replay-*; do
  t=${drv##*/replay-}
  extra=""
  case $t in
    reader|validate) [ -n "${SHARED:-}" ] && [ -d "$SHARED/gotests/fuzz" ] && extra="$SHARED/gotests/fuzz" ;;
  esac
  "$drv" "fuzz/corpus/$t" "fuzz/crashes/$t" $extra || echo "not ok replay-$t: driver failed"
done
