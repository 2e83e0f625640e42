#!/bin/sh
# Go comparison of the analyses: scripts/compare-analyses.sh on a few corpus
# traces of each wire format (goroutines, tasks, MMU, pprof against Go 1.27).
# Skips when ../shared or the Go toolchain is absent. GT_ANALYSIS_ALL=1 runs
# the whole corpus.
#
# Every comparison is exact, old-format traces (Go <= 1.21) included: their
# events of equal time come out in Go's order (src/v1/order.c).
# gcstress.go119 and netloop.go121 are here because their analyses depended
# on that order (ties on different Ps, renumbered T, T+1, ... by both
# readers) until gotrace reproduced it.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED=${SHARED:-$ROOT/../shared}
if [ ! -d "$SHARED/corpus" ]; then echo "skip analysis_go: no $SHARED/corpus"; exit 0; fi
if [ ! -x "$SHARED/tools/install-go" ] && ! command -v go >/dev/null 2>&1; then
  echo "skip analysis_go: no Go toolchain"; exit 0
fi
set --
if [ "${GT_ANALYSIS_ALL:-}" != 1 ]; then
  # Old-format traces: httpserve.go121, annotate.go119, and gcstress.go119
  # and netloop.go121 (see above). tests/scripts/v1.sh covers the
  # conversion itself.
  for t in annotate.go122 churn.go123 gcstress.go125 syscalls.go127 netloop.go127 httpserve.go121 annotate.go119 \
           gcstress.go119 netloop.go121; do
    [ -f "$SHARED/corpus/$t.trace" ] && set -- "$@" "$SHARED/corpus/$t.trace"
  done
fi
GOTRACE=${GOTRACE:-$ROOT/${BUILD:-build}/gotrace} SHARED=$SHARED sh "$ROOT/scripts/compare-analyses.sh" "$@" |
  sed 's/^\([a-z ]*ok\) /\1 analysis_go:/; s/^skip /skip analysis_go:/' | grep -v ' passed, '
