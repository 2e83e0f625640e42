#!/bin/sh
# regen-timeline.sh: regenerates the golden outputs of `gotrace timeline`
# (tests/data/timeline/NAME.json) from tests/data/scenarios/NAME.trace, for
# every NAME already there or given. tests/scripts/timeline.sh compares them
# byte for byte. There is no Go oracle for this format: read a changed
# golden by eye before committing it.
#
# Usage: scripts/regen-timeline.sh [NAME...]   (BUILD: the build dir, default build)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GOTRACE=$ROOT/${BUILD:-build}/gotrace
DIR=$ROOT/tests/data/timeline
mkdir -p "$DIR"
if [ $# -eq 0 ]; then
  for f in "$DIR"/*.json; do
    [ -f "$f" ] && set -- "$@" "$(basename "$f" .json)"
  done
fi
for name in "$@"; do
  set +e
  "$GOTRACE" timeline "$ROOT/tests/data/scenarios/$name.trace" >"$DIR/$name.json"
  rc=$?
  set -e
  echo "$name: exit $rc, $(wc -l <"$DIR/$name.json") lines"
done
