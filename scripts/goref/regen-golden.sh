#!/bin/sh
# regen-golden.sh: refreshes tests/data/analysis from Go's own analyses:
# copies a few small corpus traces there and writes goref's JSON for each
# (NAME.goroutines.json, NAME.tasks.json, NAME.mmu.json, NAME.regions.json),
# plus filtered region cases (NAME.regions-FILTER.json, the filter's goref
# arguments in NAME.regions-FILTER.args), so the golden test
# (tests/scripts/analysis.sh) runs without Go or ../shared.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
goref=$("$root/scripts/goref/build" | tail -n 1)
out=$root/tests/data/analysis
mkdir -p "$out"
for t in annotate.go127 gcstress.go127 churn.go122; do
  cp "$shared/corpus/$t.trace" "$out/$t.trace"
  for kind in goroutines tasks mmu regions; do
    "$goref" "$kind" "$out/$t.trace" >"$out/$t.$kind.json"
  done
done
# Filtered regions: type, start-frame PC (main.work in annotate.go127) and
# latency bounds, as the /userregion page's query parameters. The .args file
# holds goref's arguments, one a line (gotrace takes them with "--").
filter_case() { # trace name args...
  t=$1; name=$2; shift 2
  printf '%s\n' "$@" >"$out/$t.regions-$name.args"
  "$goref" regions "$@" "$out/$t.trace" >"$out/$t.regions-$name.json"
}
filter_case annotate.go127 compute-pc -type compute -pc 4b5abb
filter_case annotate.go127 latency -latmin 1ms -latmax 2ms
filter_case annotate.go127 unnamed -type ''
echo "wrote $out"
