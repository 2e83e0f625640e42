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
# that pass --threads themselves, threads_cli.sh, test both), GT_TEST_JOBS
# (how many programs and scripts run at once; default: the number of cores.
# Output stays in the listed order, each test's block printed whole when it
# and every test before it have finished, so a run's output does not depend
# on the jobs; GT_TEST_JOBS=1 runs them one after another).
#
# Each test's count line ends with its wall-clock seconds, "(N s)": where a
# slow run spends its time. Nothing here fails on a duration.
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

# The oracles' toolchains, installed once before tests run side by side:
# ../shared/tools/install-go is not safe to run twice at once, and scripts
# that find no Go skip their comparisons. Failing here (offline) leaves each
# script to try, and skip, as it would alone. Go 1.19 is left out: only
# scripts/make-v1-traces.sh needs it (v1.sh, in CI or with GT_V1_MAKE), and
# no other test installs a toolchain that is missing here.
if [ -n "${SHARED:-}" ] && [ -x "$SHARED/tools/install-go" ] && command -v bash >/dev/null 2>&1; then
  bash "$SHARED/tools/install-go" 1.27 1.21 >/dev/null 2>"$tmp/install-go.err" ||
    echo "# install-go failed, tests that need Go will try again: $(tail -n 1 "$tmp/install-go.err")"
fi

# The tests, in the order their results are printed: NAME<TAB>PATH.
: >"$tmp/list"
add() {
  case $1 in *"${GT_TEST_FILTER:-}"*) ;; *) return ;; esac
  if [ -n "${GT_TEST_SKIP:-}" ]; then case $1 in *"$GT_TEST_SKIP"*) return ;; esac; fi
  printf '%s\t%s\n' "$1" "$2" >>"$tmp/list"
}
for t in "$ROOT/$BUILD"/tests/*; do
  [ -x "$t" ] && [ -f "$t" ] && add "$(basename "$t")" "$t"
done
for t in "$ROOT"/tests/scripts/*.sh; do
  [ -f "$t" ] && add "$(basename "$t" .sh)" "$t"
done

# run_one NAME PATH: runs one test into $tmp/NAME.{out,err}; NAME.done,
# written last, holds its exit status and seconds. Tests read no input:
# stdin is /dev/null, as the worker's own stdin is the list.
run_one() {
  started=$(date +%s)
  case $2 in
    *.sh) sh "$2" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" ;;
    *) "$2" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" ;;
  esac
  rc=$?
  echo "$rc $(($(date +%s) - started))" >"$tmp/$1.tmp" && mv "$tmp/$1.tmp" "$tmp/$1.done"
}

jobs=${GT_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
# A pool of $jobs workers, each taking the next unclaimed test (mkdir is the
# atomic claim); results are read below in list order. The queue starts
# with the tests that take longest (in a local run of .ci/run's first pass:
# v1 404 s, as it makes its old-format traces there, cut 132, perfetto 90,
# summary 75, then 38-48 s), so that no long test starts last while the
# other workers sit idle; the order changes nothing but the run's length.
long_first="v1 cut perfetto summary examples footprint analysis_go test_hostile parquet"
for n in $long_first; do grep "^$n	" "$tmp/list"; done >"$tmp/queue"
grep -v -F -f "$tmp/queue" "$tmp/list" >>"$tmp/queue"
worker() {
  while IFS="$(printf '\t')" read -r name path; do
    mkdir "$tmp/$name.claim" 2>/dev/null || continue
    run_one "$name" "$path"
  done <"$tmp/queue"
}
w=0; workers=""
while [ "$w" -lt "$jobs" ]; do worker & workers="$workers $!"; w=$((w + 1)); done
# Interrupted, stop taking tests (the one a worker runs finishes alone).
trap 'kill $workers 2>/dev/null; exit 130' INT TERM

while IFS="$(printf '\t')" read -r name path; do
  while [ ! -f "$tmp/$name.done" ]; do sleep 1; done
  read -r rc took <"$tmp/$name.done"
  p=$(grep -c '^ok ' "$tmp/$name.out")
  f=$(grep -c '^not ok ' "$tmp/$name.out")
  s=$(grep -c '^skip ' "$tmp/$name.out")
  grep -v '^ok ' "$tmp/$name.out"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok $name: exited with status $rc"
    sed 's/^/    /' "$tmp/$name.err" | tail -n 20
    f=1
  elif [ "$f" -ne 0 ]; then
    sed 's/^/    /' "$tmp/$name.err" | tail -n 20
  fi
  echo "$name: $p passed, $f failed, $s skipped ($took s)"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  rm -f "$tmp/$name.out" "$tmp/$name.err"
done <"$tmp/list"
wait

echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
