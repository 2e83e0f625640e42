#!/bin/sh
# regen-v1-golden.sh: regenerates tests/data/v1/ from Go 1.27 (the oracle).
#
#   tests/data/v1/godata/NAME.parsed.sha256   for each of Go's old-format test
#       traces (GOROOT/src/internal/trace/internal/tracev1/testdata/*_good):
#       sha256 of `TZ=UTC go tool trace -d=parsed`, byte for byte;
#   tests/data/v1/godata/NAME.parsed.norm.sha256  the same after
#       normalize-v1-dump, for the traces whose dump Go itself varies from run
#       to run (map_order_varies in tests/scripts/v1.sh);
#   tests/data/v1/godata/NAME.parsed.gz       the text itself, when small;
#   tests/data/v1/broken/NAME.trace           broken old traces, made here by
#       fixed edits (truncations, byte changes) of small healthy traces;
#   tests/data/v1/broken/NAME.parsed          the oracle's stdout for them,
#       and NAME.status: "exit=N", then its stderr.
#
# tests/scripts/v1.sh compares gotrace with these when Go is not installed.
#
# Usage: scripts/regen-v1-golden.sh [GO]   (GO: a Go 1.27 go command)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
GO=$(GO=${1:-${GO:-}} "$ROOT/scripts/go127.sh")
NORM="$SHARED/tools/normalize-v1-dump"
[ -x "$NORM" ] || { echo "regen-v1-golden: $NORM is missing" >&2; exit 2; }
GOROOT=$("$GO" env GOROOT)
TESTDATA="$GOROOT/src/internal/trace/internal/tracev1/testdata"
OUT="$ROOT/tests/data/v1"
mkdir -p "$OUT/godata" "$OUT/broken"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

oracle() { # oracle TRACE -> $tmp/out (normalized stdout), $tmp/status
  set +e
  TZ=UTC "$GO" tool trace -d=parsed "$1" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  set -e
  "$NORM" <"$tmp/out" >"$tmp/norm"
  { echo "exit=$rc"; cat "$tmp/err"; } >"$tmp/status"
}

for t in "$TESTDATA"/*_good; do
  name=$(basename "$t")
  oracle "$t"
  sha256sum <"$tmp/out" | cut -d' ' -f1 >"$OUT/godata/$name.parsed.sha256"
  sha256sum <"$tmp/norm" | cut -d' ' -f1 >"$OUT/godata/$name.parsed.norm.sha256"
  gzip -9n <"$tmp/out" >"$tmp/out.gz"
  rm -f "$OUT/godata/$name.parsed.gz"
  if [ "$(wc -c <"$tmp/out.gz")" -le 65536 ]; then cp "$tmp/out.gz" "$OUT/godata/$name.parsed.gz"; fi
  cp "$tmp/status" "$OUT/godata/$name.status"
done

# Broken traces: NAME SOURCE EDIT, where EDIT is one of
#   cut:N        keep the first N bytes
#   set:OFF:HEX  overwrite the byte at OFF
#   del:OFF:LEN  delete LEN bytes at OFF
# Offsets were picked to hit distinct errors of Go's old-format parser.
edit() { # edit SRC EDIT DST
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
src, spec, dst = sys.argv[1:]
d = bytearray(open(src, 'rb').read())
kind, *a = spec.split(':')
if kind == 'cut':
    d = d[:int(a[0])]
elif kind == 'set':
    d[int(a[0])] = int(a[1], 16)
elif kind == 'del':
    del d[int(a[0]):int(a[0]) + int(a[1])]
open(dst, 'wb').write(bytes(d))
EOF
}

rm -f "$OUT/broken"/*
while read -r name src spec; do
  case $name in ''|'#'*) continue ;; esac
  case $src in
    go:*) srcpath="$TESTDATA/${src#go:}" ;;
    corpus:*) srcpath="$SHARED/corpus/${src#corpus:}" ;;
  esac
  edit "$srcpath" "$spec" "$OUT/broken/$name.trace"
  oracle "$OUT/broken/$name.trace"
  cp "$tmp/out" "$OUT/broken/$name.parsed"
  cp "$tmp/status" "$OUT/broken/$name.status"
done <"$ROOT/tests/data/v1/broken.list"
echo "regen-v1-golden: wrote $(ls "$OUT/godata" | wc -l) godata and $(ls "$OUT/broken" | wc -l) broken files"
