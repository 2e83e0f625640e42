#!/bin/sh
# Regenerates examples/hello.trace with Go 1.27 (installed by
# ../shared/tools/install-go, or GO=/path/to/go).
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-$(../shared/tools/install-go 1.27 | tail -n 1)/bin/go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd examples/hello && GO111MODULE=off CGO_ENABLED=0 "$GO" build -trimpath -o "$tmp/hello" main.go)
GOMAXPROCS=2 "$tmp/hello" examples/hello.trace
echo "wrote examples/hello.trace ($(wc -c < examples/hello.trace) bytes)"
