#!/bin/sh
# Makes old-format traces for tests/scripts/v1.sh (section 4) in
# bench/traces/v1/ (not committed): bench/tracegen's workload (many
# goroutines, channels, mutexes, syscalls, GC, tasks and regions) traced by
# Go 1.19 and Go 1.21 (from ../shared/tools/install-go) with GOMAXPROCS 1, 2,
# 3, 5 and 7, about 3 MB each: gen119-pN.trace, gen121-pN.trace.
# Existing files are kept; delete them to remake. Usage: make-v1-traces.sh
set -eu
cd "$(dirname "$0")/.."
install_go=../shared/tools/install-go
out=bench/traces/v1
mkdir -p "$out"
for v in 19 21; do
  goroot=
  for p in 1 2 3 5 7; do
    t=$out/gen1$v-p$p.trace
    [ -s "$t" ] && { echo "have $t"; continue; }
    if [ -z "$goroot" ]; then
      goroot=$("$install_go" "1.$v" | tail -n 1)
      tmp=$(mktemp -d)
      cp bench/tracegen/main.go "$tmp/"
      (cd "$tmp" && GO111MODULE=off CGO_ENABLED=0 GOTOOLCHAIN=local GOCACHE="$tmp/cache" \
         "$goroot/bin/go" build -trimpath -o tracegen main.go)
    fi
    GOMAXPROCS=$p "$tmp/tracegen" "$t" 3
    echo "made $t: $(wc -c <"$t") bytes"
  done
  [ -z "$goroot" ] || rm -rf "$tmp"
done
