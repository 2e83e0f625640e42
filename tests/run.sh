#!/bin/sh
# Runs every test and prints one summary line "N passed, N failed" last.
#
# Test programs (build/tests/*, from tests/unit/*.c) and scripts
# (tests/scripts/*.sh) print one line per case:
#   ok NAME
#   not ok NAME: reason
#   skip NAME: reason
# Anything else they print is shown but not counted. A program or script that
# exits non-zero without reporting a failure counts as one failure.
#
# Environment: BUILD (default build), SHARED (default ../shared when present),
# GT_TEST_FILTER (only programs/scripts whose name contains it), GT_TEST_SKIP
# (none whose name contains it), GT_TEST_THREADS (the threads of every
# reader whose caller sets none: the library's test hook, gotrace.h; unset,
# it is set to 1 here, so that the gotrace commands the scripts run, which
# otherwise read on up to 3 threads, read on one: `make test` runs
# everything single-threaded, `make test-threads` threaded; the scripts
# that pass --threads themselves, threads_cli.sh, test both).
BUILD=${BUILD:-build}
GT_TEST_THREADS=${GT_TEST_THREADS:-1}
export GT_TEST_THREADS
export BUILD
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
if [ -z "${SHARED:-}" ] && [ -d "$ROOT/../shared" ]; then SHARED=$(cd "$ROOT/../shared" && pwd); fi
export SHARED
export GOTRACE="$ROOT/$BUILD/gotrace"

pass=0; fail=0; skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_one() {
  name=$1; shift
  case $name in *"${GT_TEST_FILTER:-}"*) ;; *) return ;; esac
  if [ -n "${GT_TEST_SKIP:-}" ]; then case $name in *"$GT_TEST_SKIP"*) return ;; esac; fi
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  p=$(grep -c '^ok ' "$tmp/out")
  f=$(grep -c '^not ok ' "$tmp/out")
  s=$(grep -c '^skip ' "$tmp/out")
  grep -v '^ok ' "$tmp/out"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok $name: exited with status $rc"
    sed 's/^/    /' "$tmp/err" | tail -n 20
    f=1
  elif [ "$f" -ne 0 ]; then
    sed 's/^/    /' "$tmp/err" | tail -n 20
  fi
  echo "$name: $p passed, $f failed, $s skipped"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

for t in "$ROOT/$BUILD"/tests/*; do
  [ -x "$t" ] || continue
  run_one "$(basename "$t")" "$t"
done
for t in "$ROOT"/tests/scripts/*.sh; do
  [ -f "$t" ] || continue
  run_one "$(basename "$t" .sh)" sh "$t"
done

echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
