#!/bin/sh
# Makes the benchmark traces in bench/traces/ (not committed) with real Go
# toolchains from ../shared/tools/install-go, from bench/tracegen:
#   go127-100MB.trace, go127-400MB.trace (Go 1.27), go122-50MB.trace (Go 1.22),
#   go121-30MB.trace (Go 1.21, old format).
# Existing files are kept; delete them to remake. Usage: make-bench-traces.sh [NAME...]
set -eu
cd "$(dirname "$0")/.."
install_go=../shared/tools/install-go
out=bench/traces
mkdir -p "$out"
make_one() { # NAME GOVERSION SIZE_MB
  [ -s "$out/$1.trace" ] && { echo "have $out/$1.trace"; return; }
  goroot=$("$install_go" "$2" | tail -n 1)
  tmp=$(mktemp -d)
  cp bench/tracegen/main.go "$tmp/"
  (cd "$tmp" && GO111MODULE=off CGO_ENABLED=0 GOTOOLCHAIN=local GOCACHE="$tmp/cache" \
     "$goroot/bin/go" build -trimpath -o tracegen main.go)
  GOMAXPROCS=4 "$tmp/tracegen" "$out/$1.trace" "$3"
  rm -rf "$tmp"
  echo "made $out/$1.trace: $(wc -c < "$out/$1.trace") bytes"
}
want=${*:-go127-100MB go127-400MB go122-50MB go121-30MB}
for n in $want; do
  case $n in
    go127-100MB) make_one "$n" 1.27 100 ;;
    go127-400MB) make_one "$n" 1.27 400 ;;
    go122-50MB) make_one "$n" 1.22 50 ;;
    go121-30MB) make_one "$n" 1.21 30 ;;
    *) echo "unknown trace $n" >&2; exit 2 ;;
  esac
done
