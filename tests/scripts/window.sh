#!/bin/sh
# Time windows, --from D --to D (issue 13; gotrace/window.h, man page
# WINDOWS), on dump, goroutines, tasks, regions, mmu, pprof and summary:
#  - every command takes both options in every spelling (--from=D, -from D,
#    ...): `--from 0` gives the whole trace's output byte for byte, a window
#    gives another output that names the window;
#  - errors: a window that ends before it starts, one that starts after the
#    trace's last event, a bad or negative duration: status 2 and a message
#    saying so, for every command;
#  - windowed results against independent computations
#    (tests/scripts/window_check.py): goroutine times over three adjacent
#    windows add up to the whole trace's, goroutine by goroutine and stat by
#    stat; the goroutine times of a window that is a run of whole
#    generations equal those of the analysis of `gotrace cut` of them; the
#    windowed dump is the whole dump's events in the window; windowed
#    regions and tasks are the whole trace's that overlap the window, edges
#    outside it unknown; summary's groups, blocking and MMU of a window are
#    goroutines' and mmu's of the same window; pprof of the whole span is
#    the whole profile.
# Traces: examples/hello.trace, tests/data/analysis/*.trace; with ../shared,
# corpus traces of several versions (old formats included).
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
SHARED=${SHARED:-$ROOT/../shared}
. "$ROOT/tests/scripts/lib/common.sh"
CHECK="$ROOT/tests/scripts/window_check.py"
PY=$(command -v python3 || true)
A=$ROOT/tests/data/analysis/annotate.go127.trace
hello=$ROOT/examples/hello.trace

# --- every command: spellings, --from 0, a window
for cmd in dump goroutines tasks regions mmu summary "goroutines --json" "tasks --json" "regions --json" \
  "mmu --json" "summary --json"; do
  name=window_$(echo "$cmd" | tr -d ' -')
  # shellcheck disable=SC2086
  "$GOTRACE" $cmd "$A" >"$tmp/whole" 2>&1
  # shellcheck disable=SC2086
  "$GOTRACE" $cmd --from 0 "$A" >"$tmp/from0" 2>&1
  rc=0
  for sp in "--from=1ms --to=4ms" "--from 1ms --to 4ms" "-from 1ms -to=4ms" "-to 4ms -from=1000us"; do
    # shellcheck disable=SC2086
    "$GOTRACE" $cmd $sp "$A" >"$tmp/win.$rc" 2>&1 || { rc=x; break; }
    if [ "$rc" != 0 ] && ! cmp -s "$tmp/win.0" "$tmp/win.$rc"; then rc=y; break; fi
    rc=$((rc + 1))
  done
  if [ "$rc" = x ]; then
    fail "$name" "'$cmd $sp' failed: $(head -c 200 "$tmp/win.$rc")"
  elif [ "$rc" = y ]; then
    fail "$name" "'$cmd $sp' differs from '$cmd --from=1ms --to=4ms'"
  elif ! cmp -s "$tmp/whole" "$tmp/from0"; then
    fail "$name" "--from 0 differs from the whole trace's output"
  elif cmp -s "$tmp/whole" "$tmp/win.0"; then
    fail "$name" "the window's output is the whole trace's"
  elif [ "$cmd" != dump ] && ! grep -q 'Window.*1ms to 4ms\|"window_from_ns":1000000,"window_to_ns":4000000' "$tmp/win.0"; then
    fail "$name" "the output does not give the window: $(head -c 200 "$tmp/win.0")"
  else
    ok "$name"
  fi
done

# pprof: --from 0 is the whole profile; a window's profile differs.
"$GOTRACE" pprof --type sched -o "$tmp/p.whole" "$A" 2>/dev/null
"$GOTRACE" pprof --type sched --from 0 -o "$tmp/p.from0" "$A" 2>/dev/null
"$GOTRACE" pprof --type sched --from 1ms --to 4ms -o "$tmp/p.win" "$A" 2>/dev/null
"$GOTRACE" pprof --type sched -from=1ms -to 4ms -o "$tmp/p.win2" "$A" 2>/dev/null
if ! cmp -s "$tmp/p.whole" "$tmp/p.from0"; then
  fail window_pprof "--from 0 differs from the whole profile"
elif cmp -s "$tmp/p.whole" "$tmp/p.win" || ! gzip -t "$tmp/p.win" 2>/dev/null; then
  fail window_pprof "the window's profile is the whole one, or not gzip"
elif ! cmp -s "$tmp/p.win" "$tmp/p.win2"; then
  fail window_pprof "-from=1ms -to 4ms differs from --from 1ms --to 4ms"
else
  ok window_pprof
fi

# --- errors: status 2 and the message, before or after reading
for cmd in dump goroutines tasks regions mmu summary "pprof --type sched -o $tmp/err.pb"; do
  name=window_errors_$(echo "$cmd" | cut -d' ' -f1)
  bad=
  for c in "--from 2ms --to 1ms|ends before it starts" "--from 1h|after the end of the trace at 82.653185ms" \
    "--from 1x|unknown unit" "--to 5s5|missing unit" "--from -1s|negative" "--to=|invalid duration"; do
    args=${c%%|*}
    want=${c#*|}
    # shellcheck disable=SC2086
    "$GOTRACE" $cmd $args "$A" >"$tmp/err.out" 2>"$tmp/err.err"
    st=$?
    if [ $st -ne 2 ] || ! grep -q "$want" "$tmp/err.err" || ! grep -q "^gotrace" "$tmp/err.err"; then
      bad="'$cmd $args': status $st, stderr: $(head -c 200 "$tmp/err.err")"
      break
    fi
  done
  if [ -n "$bad" ]; then fail "$name" "$bad"; else ok "$name"; fi
done

# --- independent computations
if [ -z "$PY" ]; then
  skip window_checks "python3 not found"
else
  # check NAME ARGS...: window_check.py ARGS, ok with its summary line.
  check() {
    n=$1
    shift
    if out=$("$PY" "$CHECK" "$@" 2>&1); then
      ok "$n ($out)"
    else
      fail "$n" "$out"
    fi
  }
  LOCAL="$hello $ROOT/tests/data/analysis/annotate.go127.trace $ROOT/tests/data/analysis/churn.go122.trace \
$ROOT/tests/data/analysis/gcstress.go127.trace"
  CORPUS=
  if [ -d "$SHARED/corpus" ]; then
    for t in annotate.go119 cgocallback.go127 cpuprof.go126 genstress.go124 httpserve.go122 multigen.go126; do
      [ -f "$SHARED/corpus/$t.trace" ] && CORPUS="$CORPUS $SHARED/corpus/$t.trace"
    done
  else
    skip window_corpus "no $SHARED/corpus"
  fi
  for t in $LOCAL $CORPUS; do
    b=$(basename "$t" .trace)
    check "window_additive_$b" additive "$GOTRACE" "$t" 23% 61%
    check "window_dump_$b" dump "$GOTRACE" "$t" 23% 61%
    check "window_regions_$b" regions "$GOTRACE" "$t" 2% 61%
    check "window_tasks_$b" tasks "$GOTRACE" "$t" 2% 61%
    check "window_summary_$b" summary "$GOTRACE" "$t" 23% 61%
  done
  # A run of whole generations to the trace's end: the cut's analysis.
  for t in "$A" ${CORPUS:+$SHARED/corpus/multigen.go126.trace}; do
    b=$(basename "$t" .trace)
    ng=$("$GOTRACE" cut --list "$t" | tail -n +2 | wc -l)
    from=$("$GOTRACE" cut --list "$t" | awk -v n="$ng" 'NR == n { print $6 }')
    if "$GOTRACE" cut --generations "$((ng - 1))-" "$t" "$tmp/cut.trace" 2>/dev/null; then
      check "window_cut_$b" cut "$GOTRACE" "$t" "$tmp/cut.trace" "$from" 1h
    else
      fail "window_cut_$b" "gotrace cut --generations $((ng - 1))- failed"
    fi
  done
fi

# pprof over the whole span (--to past the end) is the whole profile.
"$GOTRACE" pprof --type sched --from 0 --to 1h -o "$tmp/p.all" "$A" 2>/dev/null
if cmp -s "$tmp/p.all" "$tmp/p.whole"; then
  ok window_pprof_whole_span
else
  fail window_pprof_whole_span "--from 0 --to 1h differs from the whole profile"
fi

# --- every duration option (--from, --to, --latmin, --latmax, --window, cut's
# and perfetto's windows) reads Go's syntax, and a bare number as nanoseconds:
# "1000000" gives what "1ms" and "0.001s" give; "1x" and "-1ms" are refused
# with status 2 and Go's message.
for c in "regions --latmin D|$A" "regions --latmax D|$A" "tasks --latmin D|$A" "pprof --type sync --latmax D -o -|$A" \
  "mmu --window D|$A" "goroutines --from D|$A" "summary --to D|$A" "dump --to D|$A" \
  "perfetto --no-compress --to D -o -|$A" "cut --from 0 --to D|$A -"; do
  cmd=${c%%|*}
  files=${c#*|}
  name=window_duration_$(echo "$cmd" | cut -d' ' -f1-2 | tr -d ' -')
  bad=
  for d in 1000000 1ms 0.001s 1000us; do
    # shellcheck disable=SC2046,SC2086
    "$GOTRACE" $(echo "$cmd" | sed "s/ D/ $d/") $files >"$tmp/d.$d" 2>"$tmp/d.err" || { bad="'$d' refused: $(cat "$tmp/d.err")"; break; }
    if [ "$d" != 1000000 ] && ! cmp -s "$tmp/d.1000000" "$tmp/d.$d"; then bad="'$d' differs from '1000000'"; break; fi
  done
  for d in 1x -1ms; do
    [ -n "$bad" ] && break
    # shellcheck disable=SC2046,SC2086
    "$GOTRACE" $(echo "$cmd" | sed "s/ D/ $d/") $files >/dev/null 2>"$tmp/d.err"
    st=$?
    if [ $st -ne 2 ] || ! grep -q 'unknown unit "x" in duration "1x"\|negative' "$tmp/d.err"; then
      bad="'$d': status $st, $(head -c 200 "$tmp/d.err")"
    fi
  done
  if [ -n "$bad" ]; then fail "$name" "$bad"; else ok "$name"; fi
done
