#!/bin/sh
# regen-summary.sh: regenerates the goldens of `gotrace summary` on
# examples/hello.trace (tests/data/summary/hello.text and hello.json), run as
# the README and tests/scripts/summary.sh run it. There is no Go oracle for
# this output (its figures are checked against Go's analyses separately):
# read a changed golden by eye before committing it.
#
# Usage: scripts/regen-summary.sh   (BUILD: the build dir, default build)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GOTRACE=$ROOT/${BUILD:-build}/gotrace
DIR=$ROOT/tests/data/summary
cd "$ROOT"
"$GOTRACE" summary examples/hello.trace >"$DIR/hello.text"
"$GOTRACE" summary --json examples/hello.trace >"$DIR/hello.json"
echo "summary: hello.text $(wc -l <"$DIR/hello.text") lines, hello.json $(wc -c <"$DIR/hello.json") bytes"
