#!/bin/sh
# regen-golden.sh: refreshes tests/data/analysis from Go's own analyses:
# copies a few small corpus traces there and writes goref's JSON for each
# (NAME.goroutines.json, NAME.tasks.json, NAME.mmu.json), so the golden test
# (tests/scripts/analysis.sh) runs without Go or ../shared.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
goref=$("$root/scripts/goref/build" | tail -n 1)
out=$root/tests/data/analysis
mkdir -p "$out"
for t in annotate.go127 gcstress.go127 churn.go122; do
  cp "$shared/corpus/$t.trace" "$out/$t.trace"
  for kind in goroutines tasks mmu; do
    "$goref" "$kind" "$out/$t.trace" >"$out/$t.$kind.json"
  done
done
echo "wrote $out"
