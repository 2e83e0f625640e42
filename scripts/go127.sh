#!/bin/sh
# go127.sh: prints the path of a Go 1.27 `go` command, the oracle of the
# regen scripts: $GO when set, else the toolchain ../shared/tools/install-go
# put in /root/.cache/gotrace-go, installing it when ../shared is present.
# Fails (status 2, with a message) when there is none or it is not Go 1.27.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
go=${GO:-/root/.cache/gotrace-go/usr/lib/go-1.27/bin/go}
if [ -z "${GO:-}" ] && [ ! -x "$go" ] && [ -x "$SHARED/tools/install-go" ]; then
  go="$("$SHARED/tools/install-go" 1.27 | tail -n 1)/bin/go"
fi
if [ ! -x "$go" ]; then echo "go127: no Go 1.27 toolchain (set GO)" >&2; exit 2; fi
case $("$go" version) in *go1.27*) ;; *) echo "go127: $go is not Go 1.27" >&2; exit 2 ;; esac
echo "$go"
