#!/bin/sh
# gotrace summary: goldens for examples/hello.trace (text and JSON, byte for
# byte), its figures against Go's own analyses (tests/data/analysis, made by
# scripts/goref from Go 1.27) and against an independent recount from the
# event dump (tests/scripts/summary_check.py), every corpus trace (exit 0,
# valid JSON, the same figures as gotrace goroutines/tasks/regions/mmu, which
# analysis_go.sh compares with Go), broken traces, usage and write errors.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GOTRACE=${GOTRACE:-$ROOT/${BUILD:-build}/gotrace}
SHARED=${SHARED:-$ROOT/../shared}
DATA=$ROOT/tests/data/summary
ANALYSIS=$ROOT/tests/data/analysis
CHECK=$ROOT/tests/scripts/summary_check.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

# Golden outputs of the example trace, run as the README does.
for kind in text json; do
  flag=; [ $kind = json ] && flag=--json
  (cd "$ROOT" && "$GOTRACE" summary $flag examples/hello.trace) >"$tmp/out" 2>"$tmp/err"; rc=$?
  golden=$DATA/hello.$kind
  if [ $rc -ne 0 ]; then echo "not ok summary:hello-$kind: exit $rc: $(head -c 200 "$tmp/err")"
  elif [ -s "$tmp/err" ]; then echo "not ok summary:hello-$kind: stderr: $(head -c 200 "$tmp/err")"
  elif cmp -s "$golden" "$tmp/out"; then echo "ok summary:hello-$kind"
  else echo "not ok summary:hello-$kind: differs from $(basename "$golden"): $(diff "$golden" "$tmp/out" | head -n 4 | tr '\n' ';')"
  fi
done

# JSON is valid (json.tool), and the figures agree with Go's analyses and
# with a recount from the events.
json_ok() {  # NAME FILE
  if [ $have_python = 0 ]; then echo "skip summary:$1/json-valid: no python3"; return 1; fi
  if python3 -m json.tool "$2" >/dev/null 2>"$tmp/jerr"; then echo "ok summary:$1/json-valid"; return 0; fi
  echo "not ok summary:$1/json-valid: $(head -c 200 "$tmp/jerr")"; return 1
}
events_check() {  # NAME TRACE SUMMARY_JSON
  "$GOTRACE" dump "$2" >"$tmp/dump" 2>/dev/null
  if python3 "$CHECK" events "$3" "$tmp/dump" >"$tmp/diff"; then echo "ok summary:$1/events"
  else echo "not ok summary:$1/events: $(head -n 3 "$tmp/diff" | tr '\n' ';')"; fi
}
compare() {  # CASE SUMMARY_JSON GOROUTINES TASKS REGIONS MMU (the analyses' JSON)
  case_name=$1; shift
  if python3 "$CHECK" analyses "$@" >"$tmp/diff"; then echo "ok summary:$case_name"
  else echo "not ok summary:$case_name: $(head -n 3 "$tmp/diff" | tr '\n' ';')"; fi
}
commands_check() {  # CASE TRACE SUMMARY_JSON: against gotrace goroutines/tasks/regions/mmu --json
  for kind in goroutines tasks regions mmu; do
    "$GOTRACE" $kind --json "$2" >"$tmp/$kind.json" 2>/dev/null
  done
  compare "$1" "$3" "$tmp/goroutines.json" "$tmp/tasks.json" "$tmp/regions.json" "$tmp/mmu.json"
}
(cd "$ROOT" && "$GOTRACE" summary --json examples/hello.trace) >"$tmp/hello.json" 2>/dev/null
json_ok hello "$tmp/hello.json" && events_check hello "$ROOT/examples/hello.trace" "$tmp/hello.json"

ngo=0
for trace in "$ANALYSIS"/*.trace; do
  [ -f "$trace" ] || continue
  base=${trace%.trace}; name=$(basename "$base")
  "$GOTRACE" summary --json "$trace" >"$tmp/s.json" 2>"$tmp/err"; rc=$?
  if [ $rc -ne 0 ]; then echo "not ok summary:$name/go: exit $rc: $(head -c 200 "$tmp/err")"; continue; fi
  json_ok "$name" "$tmp/s.json" || continue
  ngo=$((ngo + 1))
  compare "$name/go" "$tmp/s.json" "$base.goroutines.json" "$base.tasks.json" "$base.regions.json" "$base.mmu.json"
  events_check "$name" "$trace" "$tmp/s.json"
done
[ $have_python = 0 ] || [ $ngo -gt 0 ] || echo "not ok summary:go: no trace in $ANALYSIS: nothing compared"

# The checker itself catches a wrong figure.
if [ $have_python = 1 ] && [ -f "$ANALYSIS/gcstress.go127.trace" ]; then
  b=$ANALYSIS/gcstress.go127
  if ! "$GOTRACE" summary --json "$b.trace" >"$tmp/good.json" 2>"$tmp/err" || ! python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s["goroutine_groups"][0]["exec_ns"] += 1
json.dump(s, open(sys.argv[2], "w"))' "$tmp/good.json" "$tmp/bad.json"; then
    echo "not ok summary:checker-fails: no summary to alter: $(head -c 200 "$tmp/err")"
  elif python3 "$CHECK" analyses "$tmp/bad.json" "$b.goroutines.json" "$b.tasks.json" "$b.regions.json" \
       "$b.mmu.json" >/dev/null; then
    echo "not ok summary:checker-fails: a wrong execution time passed"
  else
    echo "ok summary:checker-fails"
  fi
fi

# Standard input: the same summary, named "-".
(cd "$ROOT" && "$GOTRACE" summary --json - <examples/hello.trace) >"$tmp/stdin.json" 2>/dev/null
sed 's/"file":"-"/"file":"examples\/hello.trace"/' "$tmp/stdin.json" >"$tmp/stdin2.json"
if cmp -s "$tmp/stdin2.json" "$tmp/hello.json" && [ -s "$tmp/hello.json" ]; then echo "ok summary:stdin"
else echo "not ok summary:stdin: differs from the file's"; fi

# Go's single-dash spelling.
(cd "$ROOT" && "$GOTRACE" summary -json examples/hello.trace) >"$tmp/dash.json" 2>/dev/null
if cmp -s "$tmp/dash.json" "$tmp/hello.json"; then echo "ok summary:single-dash-json"
else echo "not ok summary:single-dash-json: differs from --json"; fi

# The CLI's one option parser: a value given to a flag is a usage error;
# --quiet (every command's) is accepted; `gotrace help summary` is --help.
"$GOTRACE" summary --json=yes "$ROOT/examples/hello.trace" >/dev/null 2>"$tmp/err"; rc1=$?
(cd "$ROOT" && "$GOTRACE" summary --quiet --json examples/hello.trace) >"$tmp/quiet.json" 2>/dev/null; rc2=$?
"$GOTRACE" help summary >"$tmp/help1" 2>&1; rc3=$?
"$GOTRACE" summary --help >"$tmp/help2" 2>&1
if [ $rc1 -eq 2 ] && grep -q "option --json takes no value" "$tmp/err" && [ $rc2 -eq 0 ] &&
   cmp -s "$tmp/quiet.json" "$tmp/hello.json" && [ $rc3 -eq 0 ] && cmp -s "$tmp/help1" "$tmp/help2"; then
  echo "ok summary:option-parser"
else
  echo "not ok summary:option-parser: --json=yes exit $rc1, --quiet exit $rc2, help summary exit $rc3"
fi

# Usage: no file, an unknown option, two files exit 2; --help exits 0.
"$GOTRACE" summary >/dev/null 2>&1; rc1=$?
"$GOTRACE" summary --bogus "$ROOT/examples/hello.trace" >/dev/null 2>"$tmp/err"; rc2=$?
"$GOTRACE" summary "$ROOT/examples/hello.trace" "$ROOT/examples/hello.trace" >/dev/null 2>&1; rc3=$?
"$GOTRACE" summary --help >"$tmp/help" 2>&1; rc4=$?
"$GOTRACE" summary "$tmp/does-not-exist" >"$tmp/out" 2>&1; rc5=$?
if [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && grep -q "unknown option '--bogus'" "$tmp/err" && [ $rc3 -eq 2 ] &&
   [ $rc4 -eq 0 ] && grep -q "usage: gotrace summary" "$tmp/help" && [ $rc5 -eq 2 ]; then
  echo "ok summary:usage"
else
  echo "not ok summary:usage: exits $rc1 $rc2 $rc3 $rc4 $rc5"
fi

# Not a trace: exit 1, the reason, no summary.
printf 'not a trace' >"$tmp/bad.trace"
"$GOTRACE" summary "$tmp/bad.trace" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^gotrace: $tmp/bad.trace: " "$tmp/err"; then echo "ok summary:not-a-trace"
else echo "not ok summary:not-a-trace: exit $rc: $(head -c 200 "$tmp/err")"; fi

# A write error (a full disk) is reported, with a non-zero exit.
if [ -w /dev/full ]; then
  (cd "$ROOT" && "$GOTRACE" summary examples/hello.trace) >/dev/full 2>"$tmp/err"; rc=$?
  if [ $rc -ne 0 ] && grep -qi "write error" "$tmp/err"; then echo "ok summary:write-error"
  else echo "not ok summary:write-error: exit $rc: $(head -c 200 "$tmp/err")"; fi
else
  echo "skip summary:write-error: no /dev/full"
fi

# A broken trace: exit 1, the error on stderr, the summary of what was read
# (with the damage) on stdout.
broken_case() {  # NAME TRACE BYTES
  head -c "$3" "$2" >"$tmp/broken.trace"
  if [ "$1" = v1 ]; then
    # The old formats are parsed whole before the first event: nothing was
    # read, so there is nothing to summarise.
    "$GOTRACE" summary "$tmp/broken.trace" >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^gotrace: $tmp/broken.trace: " "$tmp/err"; then
      echo "ok summary:broken-$1"
    else
      echo "not ok summary:broken-$1: exit $rc: $(head -c 200 "$tmp/err")"
    fi
    return
  fi
  "$GOTRACE" summary "$tmp/broken.trace" >"$tmp/out" 2>"$tmp/err"; rc=$?
  "$GOTRACE" summary --json "$tmp/broken.trace" >"$tmp/b.json" 2>/dev/null
  if [ $rc -eq 1 ] && grep -q "^  Damage  *lost " "$tmp/out" && grep -q "^gotrace: $tmp/broken.trace: " "$tmp/err" &&
     { [ $have_python = 0 ] || python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["trace"]
sys.exit(0 if t["error"] and t["lost_bytes"] > 0 and t["events"] > 0 else 1)' "$tmp/b.json"; }; then
    echo "ok summary:broken-$1"
  else
    echo "not ok summary:broken-$1: exit $rc: $(head -c 200 "$tmp/err")"
  fi
  # The same figures as the analysis commands on the broken trace (the MMU
  # too: both stop at the last Sync, as Go).
  [ $have_python = 1 ] && commands_check "broken-$1/analyses" "$tmp/broken.trace" "$tmp/b.json"
}
broken_case hello "$ROOT/examples/hello.trace" 40000

# The corpus: every trace (old formats too) gives a summary whose figures
# equal those of the analysis commands.
if [ ! -d "$SHARED/corpus" ]; then
  echo "skip summary:corpus: no $SHARED/corpus"
  exit 0
fi

# Go's own analyses (scripts/goref: cmd/trace's parse, the Summarizer and the
# MMU of Go 1.27) on corpus traces of each new wire format. Old formats are
# compared through the analysis commands below (analysis_go.sh checks those
# against Go under its rule for events with equal timestamps).
goref=
if [ $have_python = 1 ] && command -v bash >/dev/null 2>&1; then
  goref=$(SHARED=$SHARED bash "$ROOT/scripts/goref/build" 2>/dev/null | tail -n 1)
fi
if [ -x "$goref" ]; then
  for t in annotate.go122 churn.go123 gcstress.go125 syscalls.go127 netloop.go127 multigen.go124 allocfree.go126; do
    trace=$SHARED/corpus/$t.trace
    [ -f "$trace" ] || continue
    ok=1
    for kind in goroutines tasks regions mmu; do
      "$goref" $kind "$trace" >"$tmp/go-$kind.json" 2>/dev/null || ok=0
    done
    "$GOTRACE" summary --json "$trace" >"$tmp/s.json" 2>/dev/null || ok=0
    if [ $ok = 0 ]; then echo "not ok summary:go-corpus/$t: goref or gotrace failed"; continue; fi
    compare "go-corpus/$t" "$tmp/s.json" "$tmp/go-goroutines.json" "$tmp/go-tasks.json" "$tmp/go-regions.json" \
      "$tmp/go-mmu.json"
  done
else
  echo "skip summary:go-corpus: no Go toolchain for scripts/goref"
fi
[ -f "$SHARED/corpus/multigen.go124.trace" ] && broken_case multigen "$SHARED/corpus/multigen.go124.trace" 200000
[ -f "$SHARED/corpus/gcstress.go119.trace" ] && broken_case v1 "$SHARED/corpus/gcstress.go119.trace" 100000
for trace in "$SHARED"/corpus/*.trace; do
  name=corpus/$(basename "$trace" .trace)
  "$GOTRACE" summary "$trace" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -ne 0 ] || [ ! -s "$tmp/out" ] || [ -s "$tmp/err" ]; then
    echo "not ok summary:$name: exit $rc: $(head -c 200 "$tmp/err")"; continue
  fi
  "$GOTRACE" summary --json "$trace" >"$tmp/s.json" 2>/dev/null
  json_ok "$name" "$tmp/s.json" || continue
  commands_check "$name" "$trace" "$tmp/s.json"
  events_check "$name" "$trace" "$tmp/s.json"
done
