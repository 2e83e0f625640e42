#!/bin/sh
# Regenerates tests/data/scenarios: the scenario binaries and `.test` texts
# written by the trace builder (tests/unit/test_scenarios --write), the
# mutants (tests/unit/test_mutations --write), and for each binary what Go
# 1.27's reader makes of it: NAME.parsed (stdout of
# `TZ=UTC go tool trace -d=parsed`) and NAME.status ("exit=N", then stderr).
# Fails when a scenario's expected outcome (in tests/lib/scenario.c) is not
# Go's. Deterministic: running it twice changes nothing.
#
# Environment: GO (default: Go 1.27 from /root/.cache/gotrace-go, or
# `/work/shared/tools/install-go 1.27`), BUILD (default build-regen).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build-regen}
GO=$("$ROOT/scripts/go127.sh")

make -s BUILD="$BUILD" "$BUILD/tests/test_scenarios" "$BUILD/tests/test_mutations" >/dev/null

DATA=tests/data/scenarios
rm -rf "$DATA"
mkdir -p "$DATA/mutants"
"$BUILD/tests/test_scenarios" --write "$DATA"
"$BUILD/tests/test_mutations" --write "$DATA/mutants"

# Go's reading of one binary: NAME.parsed and NAME.status.
go_parse() {
  stem=${1%.trace}
  set +e
  TZ=UTC "$GO" tool trace -d=parsed "$1" >"$stem.parsed" 2>"$stem.stderr"
  code=$?
  set -e
  { echo "exit=$code"; cat "$stem.stderr"; } >"$stem.status"
  rm -f "$stem.stderr"
}

# Go's testtrace.Validator over a trace Go reads successfully, as Go's golden
# test runs it (GoVersion from the header): NAME.validate holds "ok" or the
# validator's first error. Built from a main package overlaid into GOROOT,
# since internal/trace is internal.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOROOT_DIR=$("$GO" env GOROOT)
cat >"$tmp/main.go" <<'GOEOF'
package main

import (
	"bytes"
	"fmt"
	"internal/trace"
	"internal/trace/testtrace"
	"internal/trace/version"
	"io"
	"os"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println("read:", err)
		os.Exit(2)
	}
	ver, err := version.ReadHeader(bytes.NewReader(data))
	if err != nil {
		fmt.Println("header:", err)
		os.Exit(2)
	}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		fmt.Println("reader:", err)
		os.Exit(2)
	}
	v := testtrace.NewValidator()
	v.GoVersion = ver
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		} else if err != nil {
			fmt.Println("reader:", err)
			os.Exit(2)
		}
		if err := v.Event(ev); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("ok")
}
GOEOF
printf '{"Replace":{"%s/src/internal/trace/gtregenvalidate/main.go":"%s/main.go"}}\n' "$GOROOT_DIR" "$tmp" >"$tmp/overlay.json"
(cd "$tmp" && "$GO" build -overlay overlay.json -o "$tmp/validate" internal/trace/gtregenvalidate)

bad=0
for t in "$DATA"/*.trace "$DATA"/mutants/*.trace; do
  go_parse "$t"
  if [ "$(head -n 1 "${t%.trace}.status")" = exit=0 ]; then
    "$tmp/validate" "$t" >"${t%.trace}.validate"
  fi
done
for e in "$DATA"/*.expect; do
  stem=${e%.expect}
  want=$(cat "$e")
  got=$(tail -n +2 "$stem.status")
  code=$(head -n 1 "$stem.status")
  if [ -z "$want" ]; then
    [ "$code" = exit=0 ] || { echo "regen-scenarios: $(basename "$stem"): expected success, Go: $code $got" >&2; bad=1; }
  else
    [ "$code" = exit=1 ] && [ "$got" = "$want" ] ||
      { echo "regen-scenarios: $(basename "$stem"): expected \"$want\", Go: $code $got" >&2; bad=1; }
  fi
  rm -f "$e"
done
echo "regen-scenarios: $(ls "$DATA"/*.trace | wc -l) scenarios, $(ls "$DATA"/mutants/*.trace 2>/dev/null | wc -l) mutants"
exit $bad
