#!/bin/sh
# Installs what building and testing gotrace needs on Debian/Ubuntu:
# a C compiler, make, zlib and libzstd headers (the CLI reads gzip and zstd
# traces), libsqlite3 headers (gotrace sql and export --format=sqlite),
# libdeflate headers (gotrace perfetto's compressed packets), gzip and zstd (the tests compress traces) and python3 (the
# timeline tests' checker). Uses sudo when not root.
# Installs nothing when everything is already there.
set -eu
need=""
command -v cc >/dev/null 2>&1 || need="$need gcc libc6-dev"
command -v make >/dev/null 2>&1 || need="$need make"
command -v gzip >/dev/null 2>&1 || need="$need gzip"
[ -f /usr/include/zlib.h ] || need="$need zlib1g-dev"
[ -f /usr/include/zstd.h ] || need="$need libzstd-dev"
[ -f /usr/include/sqlite3.h ] || need="$need libsqlite3-dev"
[ -f /usr/include/libdeflate.h ] || need="$need libdeflate-dev"
command -v zstd >/dev/null 2>&1 || need="$need zstd"
command -v python3 >/dev/null 2>&1 || need="$need python3"
[ -n "$need" ] || exit 0
if [ "$(id -u)" -eq 0 ]; then run=""; else run="sudo"; fi
$run apt-get update -q
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -q $need
