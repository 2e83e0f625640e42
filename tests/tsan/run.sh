#!/bin/sh
# Runs the ThreadSanitizer test (tests/tsan/accessors.c, built by
# `make test-tsan`) over the in-tree scenario traces and, when ../shared is
# present, corpus traces with stacks, tasks, GC, CPU samples and experimental
# events (old and new formats). Prints the program's ok / not ok lines, then
# "ok tsan_reports" or "not ok tsan_reports: N ThreadSanitizer reports" (the
# reports themselves follow, shortened), and exits non-zero on any failure.
#
#   sh tests/tsan/run.sh BUILD/tsan/accessors
bin=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${SHARED:-}" ] && [ -d "$ROOT/../shared" ]; then SHARED=$(cd "$ROOT/../shared" && pwd); fi
set -- "$ROOT"/tests/data/scenarios/*.trace
if [ -n "${SHARED:-}" ] && [ -d "$SHARED/corpus" ]; then
  for t in annotate.go127 annotate.go122 gcstress.go127 deepstack.go127 cpuprof.go127 allocfree.go127 \
           multigen.go125 flightrec.go127 annotate.go121 gcstress.go119; do
    [ -f "$SHARED/corpus/$t.trace" ] && set -- "$@" "$SHARED/corpus/$t.trace"
  done
else
  echo "skip tsan_corpus: ../shared is absent (in-tree traces only)"
fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
TSAN_OPTIONS="halt_on_error=0 exitcode=66 history_size=4 ${TSAN_OPTIONS:-}" "$bin" "$@" 2>"$err"
rc=$?
reports=$(grep -c '^WARNING: ThreadSanitizer' "$err")
if [ "$reports" -eq 0 ] && [ "$rc" -eq 0 ]; then
  echo "ok tsan_reports"
  exit 0
fi
if [ "$reports" -gt 0 ]; then
  echo "not ok tsan_reports: $reports ThreadSanitizer reports (exit status $rc)"
else
  echo "not ok tsan_reports: exit status $rc"
fi
head -n 60 "$err" | sed 's/^/    /'
exit 1
