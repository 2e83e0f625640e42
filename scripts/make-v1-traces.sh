#!/bin/sh
# Makes old-format traces for tests/scripts/v1.sh (section 3) in
# bench/traces/v1/ (not committed; or in DIR given as the first argument),
# traced by Go 1.19 and Go 1.21 (from ../shared/tools/install-go), about
# 3 MB each, from three programs of different shapes:
#   gen1V-pN.trace       bench/tracegen: channels, mutexes, pipes, files,
#                        sleeps, deep stacks; GOMAXPROCS 1, 2, 3, 5, 7
#   netserve1V-pN.trace  tests/v1progs/netserve: TCP and HTTP on loopback,
#                        deadlines, timers, sync.Cond, nested tasks and logs;
#                        GOMAXPROCS 2, 4, 7
#   gcpool1V-pN.trace    tests/v1progs/gcpool: worker pool under GC pressure,
#                        explicit GCs, GOMAXPROCS changes while running,
#                        goroutine churn, locked threads, fork/exec;
#                        GOMAXPROCS 2, 4, 7
# Existing files are kept; delete them to remake. Exits 2 (with a message)
# when ../shared/tools/install-go is missing.
# Usage: make-v1-traces.sh [DIR]
set -eu
cd "$(dirname "$0")/.."
install_go=${SHARED:-../shared}/tools/install-go
[ -x "$install_go" ] || { echo "make-v1-traces: no $install_go" >&2; exit 2; }
out=${1:-bench/traces/v1}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# make_all VERSION PROGRAM SOURCE_DIR PROCS...
make_all() {
  v=$1; prog=$2; src=$3; shift 3
  bin=
  for p in "$@"; do
    t=$out/$prog$v-p$p.trace
    [ -s "$t" ] && { echo "have $t"; continue; }
    if [ -z "$bin" ]; then
      goroot=$("$install_go" "1.$v" | tail -n 1)
      mkdir -p "$tmp/$prog$v"
      cp "$src/main.go" "$tmp/$prog$v/"
      (cd "$tmp/$prog$v" && GO111MODULE=off CGO_ENABLED=0 GOTOOLCHAIN=local GOCACHE="$tmp/cache" \
         "$goroot/bin/go" build -trimpath -o "$prog" main.go)
      bin=$tmp/$prog$v/$prog
    fi
    GOMAXPROCS=$p "$bin" "$t.part" 3
    mv "$t.part" "$t"
    echo "made $t: $(wc -c <"$t") bytes"
  done
}

for v in 19 21; do
  make_all "$v" gen bench/tracegen 1 2 3 5 7
  make_all "$v" netserve tests/v1progs/netserve 2 4 7
  make_all "$v" gcpool tests/v1progs/gcpool 2 4 7
done
