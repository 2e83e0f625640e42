#!/bin/sh
# Analysis commands against golden outputs kept in tests/data/analysis (made
# by scripts/goref/regen-golden.sh from Go's own analyses; no Go needed here),
# plus usage and error behaviour of the commands.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GOTRACE=${GOTRACE:-$ROOT/${BUILD:-build}/gotrace}
DATA=$ROOT/tests/data/analysis
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ntraces=0
for trace in "$DATA"/*.trace; do
  [ -f "$trace" ] || continue
  ntraces=$((ntraces + 1))
  base=${trace%.trace}; name=$(basename "$base")
  for kind in goroutines tasks mmu regions; do
    golden=$base.$kind.json
    # Every trace kept here has all four goldens (scripts/goref/regen-golden.sh
    # writes them together): a missing one is a defect, not a case to skip.
    if [ ! -f "$golden" ]; then echo "not ok analysis:$name/$kind: golden $(basename "$golden") missing"; continue; fi
    args=--json
    "$GOTRACE" "$kind" $args "$trace" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then echo "not ok analysis:$name/$kind: exit $rc: $(head -c 200 "$tmp/err")"; continue; fi
    if command -v python3 >/dev/null 2>&1; then
      if python3 "$ROOT/scripts/goref/compare.py" "$kind" "$golden" "$tmp/out" >"$tmp/diff"; then
        echo "ok analysis:$name/$kind"
      else
        echo "not ok analysis:$name/$kind: $(head -n 3 "$tmp/diff" | tr '\n' ';')"
      fi
    else
      echo "skip analysis:$name/$kind: no python3 to compare JSON"
    fi
  done
  # Filtered regions: NAME.regions-FILTER.args holds goref's arguments, one a
  # line; gotrace takes the same options with "--".
  for args in "$base".regions-*.args; do
    [ -f "$args" ] || continue
    case_name=$(basename "$args" .args); case_name=${case_name#"$name".}
    set --
    while IFS= read -r a; do
      case $a in -*) set -- "$@" "-$a" ;; *) set -- "$@" "$a" ;; esac
    done <"$args"
    if ! "$GOTRACE" regions --json "$@" "$trace" >"$tmp/out" 2>"$tmp/err"; then
      echo "not ok analysis:$name/$case_name: $(head -c 200 "$tmp/err")"
    elif ! command -v python3 >/dev/null 2>&1; then
      echo "skip analysis:$name/$case_name: no python3 to compare JSON"
    elif python3 "$ROOT/scripts/goref/compare.py" regions "${args%.args}.json" "$tmp/out" >"$tmp/diff"; then
      echo "ok analysis:$name/$case_name"
    else
      echo "not ok analysis:$name/$case_name: $(head -n 3 "$tmp/diff" | tr '\n' ';')"
    fi
  done
  # Standard input gives the same result as the file.
  "$GOTRACE" goroutines --json - <"$trace" >"$tmp/stdin" 2>/dev/null
  "$GOTRACE" goroutines --json "$trace" >"$tmp/file" 2>/dev/null
  if cmp -s "$tmp/stdin" "$tmp/file" && [ -s "$tmp/file" ]; then echo "ok analysis:$name/stdin"
  else echo "not ok analysis:$name/stdin: output differs from the file's"; fi
  # pprof: a gzip stream holding a protobuf, identical from stdin.
  for type in sched sync syscall net; do
    if "$GOTRACE" pprof --type=$type "$trace" >"$tmp/p.gz" 2>"$tmp/err" && gzip -t "$tmp/p.gz" 2>/dev/null &&
       "$GOTRACE" pprof --type=$type - <"$trace" >"$tmp/p2.gz" 2>/dev/null && cmp -s "$tmp/p.gz" "$tmp/p2.gz"; then
      echo "ok analysis:$name/pprof-$type"
    else
      echo "not ok analysis:$name/pprof-$type: $(head -c 200 "$tmp/err")"
    fi
  done
done

[ $ntraces -gt 0 ] || echo "not ok analysis:goldens: no trace in $DATA: nothing compared"

# Usage errors exit 2, a missing file exits 2, --help exits 0.
for cmd in goroutines tasks regions mmu pprof; do
  "$GOTRACE" $cmd >/dev/null 2>&1; rc1=$?
  "$GOTRACE" $cmd --no-such-flag x >/dev/null 2>&1; rc2=$?
  "$GOTRACE" $cmd --help >"$tmp/help" 2>&1; rc3=$?
  "$GOTRACE" $cmd --type=sched "$tmp/does-not-exist" >/dev/null 2>&1; rc4=$?
  if [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 0 ] && grep -q "usage: gotrace $cmd" "$tmp/help" && [ $rc4 -ne 0 ]; then
    echo "ok analysis:usage-$cmd"
  else
    echo "not ok analysis:usage-$cmd: exits $rc1 $rc2 $rc3 $rc4"
  fi
done
# A file that is not a trace fails with exit 1 and no output.
printf 'not a trace' >"$tmp/bad.trace"
"$GOTRACE" goroutines --json "$tmp/bad.trace" >"$tmp/out" 2>/dev/null; rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ]; then echo "ok analysis:not-a-trace"; else echo "not ok analysis:not-a-trace: exit $rc"; fi
"$GOTRACE" pprof --type=bogus "$DATA/x.trace" >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then echo "ok analysis:pprof-bad-type"; else echo "not ok analysis:pprof-bad-type: exit $rc"; fi
