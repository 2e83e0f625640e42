#!/bin/sh
# gotrace cut / gotrace split:
#  - command line: --help, usage errors (exit 2 with a message, OUT not
#    created), old-format and broken input (exit 1, Go's message), OUT that
#    is IN refused (also through a hard link and a symbolic link), stdin and
#    stdout;
#  - bytes: a cut is the input's header and the byte range of its kept
#    generations as `cut --list` gives them; the whole range is the input;
#    split pieces, without their headers, put back together are the input
#    without its header, each piece within the size unless it holds one
#    generation and a warning says so;
#  - windows: --from/--to select the generations whose span overlaps, with
#    inclusive bounds, on a trace whose spans are known (and `cut --list`
#    gives the same ends as the last event before each Sync of the parse);
#  - events (python3): `gotrace dump` of every cut and of every split piece
#    equals `gotrace dump` of the whole trace over the kept generations,
#    under the rule of tests/scripts/cut_compare.py; traces in the repository
#    (Go 1.22, 1.25, 1.26 formats; a task and sequence numbers across
#    generations);
#  - Go (scripts/go127.sh) : `go tool trace -d=parsed` exits 0 on those cuts
#    and its output follows the same rule against Go's parse of the whole
#    trace; with ../shared, the same on corpus traces of every v2 version
#    with several generations (every generation alone for short traces, a
#    sample for long ones, the rest from generation 2, and a split), against
#    the corpus's .parsed.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
COMPARE="$ROOT/tests/scripts/cut_compare.py"
PY=$(command -v python3 || true)
GO=$(sh "$ROOT/scripts/go127.sh" 2>/dev/null) || GO=
. "$ROOT/tests/scripts/lib/common.sh"

A26=$ROOT/tests/data/analysis/annotate.go127.trace
SC=$ROOT/tests/data/scenarios
LOCAL="$A26 $SC/task-across-generations.trace $SC/task-across-generations-go126.trace \
$SC/confuse-seq-across-generations.trace $SC/sync-clock-snapshots.trace"

ngens() { "$GOTRACE" cut --list "$1" | tail -n +2 | wc -l | tr -d ' '; }
# Offset and size of generation $2 of $1.
gen_range() { "$GOTRACE" cut --list "$1" | awk -v k="$2" 'NR == k + 1 { print $3, $4 }'; }
# Bytes [$2, $2 + $3) of $1.
bytes_of() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; }

# --- command line
if "$GOTRACE" cut --help >"$tmp/out" 2>&1 && grep -q '^usage: gotrace cut' "$tmp/out" &&
   "$GOTRACE" split --help >"$tmp/out" 2>&1 && grep -q '^usage: gotrace split' "$tmp/out"; then
  echo "ok cut_help"
else
  echo "not ok cut_help: no usage on stdout with exit 0"
fi
usage_case() {
  name=$1; shift
  rm -f "$tmp/o.trace"
  "$GOTRACE" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q "^gotrace $1: " "$tmp/err" && [ ! -e "$tmp/o.trace" ]; then
    echo "ok $name"
  else
    echo "not ok $name: exit $rc, want 2, a message and no output; stderr: $(head -n 1 "$tmp/err")"
  fi
}
usage_case cut_usage_no_args cut
usage_case cut_usage_no_out cut "$A26"
usage_case cut_usage_three_files cut "$A26" "$tmp/o.trace" "$tmp/x"
usage_case cut_usage_bad_option cut --frobnicate "$A26" "$tmp/o.trace"
usage_case cut_usage_missing_value cut "$A26" "$tmp/o.trace" --from
usage_case cut_usage_bad_duration cut --from 1d "$A26" "$tmp/o.trace"
usage_case cut_usage_negative cut --from -1s "$A26" "$tmp/o.trace"
usage_case cut_usage_from_after_to cut --from 2s --to 1s "$A26" "$tmp/o.trace"
usage_case cut_usage_generations_zero cut --generations 0 "$A26" "$tmp/o.trace"
usage_case cut_usage_generations_reversed cut --generations 3-2 "$A26" "$tmp/o.trace"
usage_case cut_usage_generations_junk cut --generations 2-x "$A26" "$tmp/o.trace"
usage_case cut_usage_generations_and_time cut --generations 2 --to 1s "$A26" "$tmp/o.trace"
usage_case cut_usage_list_with_window cut --list --from 1s "$A26"
usage_case cut_usage_missing_input cut "$tmp/does-not-exist.trace" "$tmp/o.trace"
usage_case split_usage_no_size split "$A26" "$tmp/o"
usage_case split_usage_bad_size split --size 10XB "$A26" "$tmp/o"
usage_case split_usage_zero_size split --size 0 "$A26" "$tmp/o"
usage_case split_usage_prefix_dash split --size 1MB "$A26" -
"$GOTRACE" cut --from 1d "$A26" "$tmp/o.trace" 2>"$tmp/err"
if grep -q 'time: unknown unit "d" in duration "1d"' "$tmp/err"; then
  echo "ok cut_usage_duration_message"
else
  echo "not ok cut_usage_duration_message: $(cat "$tmp/err")"
fi

# Old format, not a trace, truncated: exit 1 with the reason, no output.
printf 'go 1.21 trace\000\000\000\001' >"$tmp/old.trace"
printf 'hello\n' >"$tmp/text.trace"
head -c 12000 "$A26" >"$tmp/short.trace"
trace_error() {
  name=$1; want=$2; shift 2
  rm -f "$tmp/o.trace" "$tmp"/.o.trace.gotrace-*
  "$GOTRACE" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q "$want" "$tmp/err" && [ ! -e "$tmp/o.trace" ] &&
     [ -z "$(ls -A "$tmp" | grep gotrace-)" ]; then
    echo "ok $name"
  else
    echo "not ok $name: exit $rc, want 1 and '$want' without output; stderr: $(head -n 1 "$tmp/err")"
  fi
}
trace_error cut_old_format "cannot cut a go 1.21 trace: the old format" cut "$tmp/old.trace" "$tmp/o.trace"
trace_error split_old_format "cannot cut a go 1.21 trace: the old format" split --size 1MB "$tmp/old.trace" "$tmp/o"
trace_error cut_not_a_trace "bad file format: not a Go execution trace?" cut "$tmp/text.trace" "$tmp/o.trace"
trace_error cut_truncated "failed to read full batch: read 155 but wanted 1297 (offset 11818)" \
  cut --generations 3 "$tmp/short.trace" "$tmp/o.trace"
if "$GOTRACE" cut --generations 2 "$tmp/short.trace" "$tmp/o.trace" 2>/dev/null &&
   [ "$(ngens "$tmp/o.trace")" -eq 1 ]; then
  echo "ok cut_before_truncation"
else
  echo "not ok cut_before_truncation: generation 2 of a trace truncated in generation 3 cannot be cut"
fi
trace_error cut_window_after_end "no generation overlaps the window 1s to the end: the trace's 4 generations span 0s to 82.653184ms" \
  cut --from 1s "$A26" "$tmp/o.trace"
trace_error cut_generation_past_end "no generation 5: the trace has 4 generations" \
  cut --generations 5-6 "$A26" "$tmp/o.trace"

# Never the input.
cp "$A26" "$tmp/in.trace"
ln "$tmp/in.trace" "$tmp/hard.trace"
ln -s "$tmp/in.trace" "$tmp/sym.trace"
for out in in hard sym; do
  "$GOTRACE" cut --generations 2 "$tmp/in.trace" "$tmp/$out.trace" >/dev/null 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q 'refusing' "$tmp/err" && cmp -s "$A26" "$tmp/in.trace"; then
    echo "ok cut_refuses_input_$out"
  else
    echo "not ok cut_refuses_input_$out: exit $rc, input changed or no message"
  fi
done
"$GOTRACE" cut --generations 2 - - <"$tmp/in.trace" >>"$tmp/in.trace" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && cmp -s "$A26" "$tmp/in.trace"; then echo "ok cut_refuses_stdout_is_input"
else echo "not ok cut_refuses_stdout_is_input: exit $rc"; fi

cp "$A26" "$tmp/x.000.trace"
"$GOTRACE" split --size 5000 "$tmp/x.000.trace" "$tmp/x" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'refusing' "$tmp/err" && cmp -s "$A26" "$tmp/x.000.trace" && [ ! -e "$tmp/x.001.trace" ]; then
  echo "ok split_refuses_input"
else
  echo "not ok split_refuses_input: exit $rc, a piece that is the input was written or not refused"
fi

# --- bytes
hdr=$(gen_range "$A26" 1 | cut -d' ' -f1)
for t in $LOCAL; do
  name=$(basename "$t" .trace)
  n=$(ngens "$t")
  bad=
  k=1
  while [ "$k" -le "$n" ]; do
    set -- $(gen_range "$t" "$k")
    { head -c "$hdr" "$t"; bytes_of "$t" "$1" "$2"; } >"$tmp/want"
    if ! "$GOTRACE" cut --generations "$k" "$t" "$tmp/got" 2>"$tmp/err" || ! cmp -s "$tmp/want" "$tmp/got"; then
      bad="$bad $k"
    fi
    k=$((k + 1))
  done
  "$GOTRACE" cut --generations 1- "$t" "$tmp/all" 2>/dev/null
  if [ "$n" -lt 2 ]; then echo "not ok cut_bytes:$name: $n generations, want several"
  elif [ -n "$bad" ]; then echo "not ok cut_bytes:$name: generations$bad are not header + their bytes"
  elif ! cmp -s "$t" "$tmp/all"; then echo "not ok cut_bytes:$name: generations 1- differ from the input"
  else echo "ok cut_bytes:$name"; fi
done
"$GOTRACE" cut --generations 2-3 "$A26" "$tmp/file.trace" 2>/dev/null
"$GOTRACE" cut --generations 2-3 - - <"$A26" >"$tmp/stdout.trace" 2>/dev/null
cat "$A26" | "$GOTRACE" cut --generations=2-3 - "$tmp/pipe.trace" 2>/dev/null
if cmp -s "$tmp/file.trace" "$tmp/stdout.trace" && cmp -s "$tmp/file.trace" "$tmp/pipe.trace" && [ -s "$tmp/file.trace" ]; then
  echo "ok cut_stdin_stdout"
else
  echo "not ok cut_stdin_stdout: - as input or output gives other bytes"
fi
# A pipe is read as it comes and no further than the window: after the
# trace, an endless stream of zeros is never reached.
if command -v timeout >/dev/null 2>&1; then
  { cat "$A26"; cat /dev/zero; } | timeout 60 "$GOTRACE" cut --generations 2 - "$tmp/endless.trace" 2>/dev/null
  rc=$?
  "$GOTRACE" cut --generations 2 "$A26" "$tmp/want.trace" 2>/dev/null
  if [ "$rc" -eq 0 ] && cmp -s "$tmp/endless.trace" "$tmp/want.trace"; then echo "ok cut_pipe_stops_after_window"
  else echo "not ok cut_pipe_stops_after_window: exit $rc (124: it read on)"; fi
else
  echo "skip cut_pipe_stops_after_window: no timeout command"
fi
cat "$A26" | TMPDIR=$tmp/no-such-dir "$GOTRACE" cut --generations 2 - "$tmp/o.trace" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "cannot create a spool file in $tmp/no-such-dir" "$tmp/err" && [ ! -e "$tmp/o.trace" ]; then
  echo "ok cut_pipe_spool_error"
else
  echo "not ok cut_pipe_spool_error: exit $rc, stderr $(head -n 1 "$tmp/err")"
fi

# --list: the generations tile the file after the header; - reads a pipe.
for t in $LOCAL; do
  name=$(basename "$t" .trace)
  "$GOTRACE" cut --list "$t" >"$tmp/list"
  end=$(awk -v h="$hdr" 'NR == 1 { next } { if ($3 != (NR == 2 ? h : at)) bad = 1; at = $3 + $4 } END { print bad ? "gap" : at }' "$tmp/list")
  if [ "$end" = "$(wc -c <"$t" | tr -d ' ')" ] && cat "$t" | "$GOTRACE" cut --list - | cmp -s - "$tmp/list"; then
    echo "ok cut_list_tiles:$name"
  else
    echo "not ok cut_list_tiles:$name: generations end at $end, not at the end of the file, or - lists otherwise"
  fi
done

# Write errors: exit 3 and the message, as every command.
if [ -w /dev/full ]; then
  for spec in 2 1-; do
    "$GOTRACE" cut --generations "$spec" "$A26" /dev/full >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 3 ] && grep -q '^gotrace: write error: ' "$tmp/err"; then echo "ok cut_write_error:$spec"
    else echo "not ok cut_write_error:$spec: exit $rc, stderr $(head -n 1 "$tmp/err")"; fi
  done
else
  echo "skip cut_write_error: no /dev/full"
fi

# --- windows on annotate.go127 (spans: 0s-21.313728ms, 21.267008ms-42.723328ms,
# 42.70144ms-63.120192ms, 63.09696ms-82.653184ms; see cut --list).
"$GOTRACE" dump "$A26" | awk '/^M=/ { t = $5; sub("Time=", "", t); if ($4 == "Sync" && last != "") print last - first; if (first == "") first = t; last = t }' >"$tmp/ends"
"$GOTRACE" cut --list "$A26" | awk 'NR > 1 { print $7 }' >"$tmp/list_ends"
if [ "$(cat "$tmp/ends")" = "$(printf '21313728\n42723328\n63120192\n82653184')" ] &&
   [ "$(cat "$tmp/list_ends")" = "$(printf '21.313728ms\n42.723328ms\n63.120192ms\n82.653184ms')" ]; then
  echo "ok cut_list_ends_are_last_events"
else
  echo "not ok cut_list_ends_are_last_events: parse $(tr '\n' ' ' <"$tmp/ends"), list $(tr '\n' ' ' <"$tmp/list_ends")"
fi
window_case() {
  want=$1; shift
  "$GOTRACE" cut "$@" "$A26" "$tmp/w.trace" 2>"$tmp/err"
  got=$(sed -n 's/.*: generations \([0-9]*\) to \([0-9]*\) .*/\1-\2/p' "$tmp/err")
  n=$("$GOTRACE" cut --list "$tmp/w.trace" 2>/dev/null | tail -n +2 | wc -l | tr -d ' ')
  if [ "$got" = "$want" ] && [ "$n" -eq $((${want#*-} - ${want%-*} + 1)) ]; then echo "ok cut_window:$want:$*"
  else echo "not ok cut_window:$*: kept '$got' ($n generations), want $want"; fi
}
window_case 2-2 --from 30ms --to 35ms
window_case 2-2 -from=30ms -to=35ms
window_case 1-1 --to 0
window_case 1-2 --from 21.313728ms --to 21.313728ms
window_case 2-2 --from 21313729ns --to 21.4ms
window_case 1-2 --to 21.267008ms
window_case 1-1 --to 21.267007ms
window_case 3-4 --from 63.1ms
window_case 4-4 --from 82.653184ms
window_case 1-4 --from 0s --to 1h

# --- split
# Pieces: 1-2 (11039 bytes), 3-4 (5544).
"$GOTRACE" split --size 12000 "$A26" "$tmp/p" >"$tmp/out" 2>"$tmp/err"
rc=$?
: >"$tmp/joined"
bad=
for piece in "$tmp"/p.*.trace; do
  [ -f "$piece" ] || continue
  size=$(wc -c <"$piece" | tr -d ' ')
  [ "$size" -le 12000 ] || bad="$bad $(basename "$piece"):$size"
  head -c "$hdr" "$piece" >"$tmp/h1"; head -c "$hdr" "$A26" >"$tmp/h2"
  cmp -s "$tmp/h1" "$tmp/h2" || bad="$bad $(basename "$piece"):header"
  tail -c +$((hdr + 1)) "$piece" >>"$tmp/joined"
done
tail -c +$((hdr + 1)) "$A26" >"$tmp/body"
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && cmp -s "$tmp/joined" "$tmp/body" && [ -f "$tmp/p.000.trace" ] &&
   [ -f "$tmp/p.001.trace" ] && [ ! -s "$tmp/err" ] && [ "$(wc -l <"$tmp/out")" -eq "$(ls "$tmp"/p.*.trace | wc -l)" ]; then
  echo "ok split_pieces"
else
  echo "not ok split_pieces: exit $rc, oversize:$bad, stderr $(head -n 1 "$tmp/err")"
fi
rm -f "$tmp"/p.*.trace
"$GOTRACE" split --size 5000 "$A26" "$tmp/p" >"$tmp/out" 2>"$tmp/err"
rc=$?
# Pieces: 1 (8850 bytes, over), 2-3 (4309), 4 (3440).
if [ "$rc" -eq 0 ] && [ "$(ls "$tmp"/p.*.trace | wc -l)" -eq 3 ] &&
   grep -q "warning: .*p.000.trace is 8850 bytes, over the size limit of 5000: generation 1 alone does not fit" "$tmp/err"; then
  echo "ok split_oversize_warning"
else
  echo "not ok split_oversize_warning: exit $rc, stderr $(head -n 1 "$tmp/err")"
fi
rm -f "$tmp"/p.*.trace
cat "$A26" | "$GOTRACE" split --size=100MB - "$tmp/p" >"$tmp/out" 2>"$tmp/err"
if cmp -s "$tmp/p.000.trace" "$A26" && [ ! -e "$tmp/p.001.trace" ]; then echo "ok split_one_piece_stdin"
else echo "not ok split_one_piece_stdin: 100MB of a small trace is not one identical piece"; fi
rm -f "$tmp"/p.*.trace

# --- events (gotrace dump, python3) and Go
# Comparisons are queued (the parse kept in a file) and run by one python3
# per whole trace (flush).
queued=0
# compare NAME WHOLE_PARSE CUT_PARSE FIRST: queues the comparison, taking CUT_PARSE.
compare() {
  queued=$((queued + 1))
  mv "$3" "$tmp/q.$queued"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$tmp/q.$queued" "$4" >>"$tmp/queue"
}
flush() {
  [ -s "$tmp/queue" ] && "$PY" "$COMPARE" --batch <"$tmp/queue"
  rm -f "$tmp/queue" "$tmp"/q.*
}
# check_cut LABEL TRACE WHOLE_DUMP WHOLE_GO SPEC: cut, then compare gotrace dump
# (when WHOLE_DUMP) and go tool trace (when WHOLE_GO) against the whole.
check_cut() {
  label=$1; t=$2; wd=$3; wg=$4; spec=$5
  first=${spec%%-*}
  if ! "$GOTRACE" cut --generations "$spec" "$t" "$tmp/c.trace" 2>"$tmp/err"; then
    echo "not ok $label: cut failed: $(head -n 1 "$tmp/err")"; return
  fi
  if [ -n "$wd" ]; then
    "$GOTRACE" dump "$tmp/c.trace" >"$tmp/c.dump" 2>/dev/null
    compare "$label/dump" "$wd" "$tmp/c.dump" "$first"
  fi
  if [ -n "$wg" ]; then
    if "$GO" tool trace -d=parsed "$tmp/c.trace" >"$tmp/c.go" 2>"$tmp/err"; then
      compare "$label/go" "$wg" "$tmp/c.go" "$first"
    else
      echo "not ok $label/go: go tool trace -d=parsed failed: $(head -n 1 "$tmp/err")"
    fi
  fi
}
# check_split LABEL TRACE WHOLE_DUMP WHOLE_GO SIZE: every piece compared from its
# first generation; the pieces cover the generations 1..N in order.
check_split() {
  label=$1; t=$2; wd=$3; wg=$4; size=$5
  rm -f "$tmp"/s.*.trace
  "$GOTRACE" split --size "$size" "$t" "$tmp/s" >"$tmp/pieces" 2>/dev/null
  next=1
  while read -r piece _ first _ last _; do
    piece=${piece%:}; last=${last%,}
    [ "$first" -eq "$next" ] || { echo "not ok $label: $piece starts at generation $first, want $next"; return; }
    next=$((last + 1))
    if [ -n "$wd" ]; then
      "$GOTRACE" dump "$piece" >"$tmp/c.dump" 2>/dev/null
      compare "$label/$(basename "$piece")/dump" "$wd" "$tmp/c.dump" "$first"
    fi
    if [ -n "$wg" ]; then
      if "$GO" tool trace -d=parsed "$piece" >"$tmp/c.go" 2>"$tmp/err"; then
        compare "$label/$(basename "$piece")/go" "$wg" "$tmp/c.go" "$first"
      else
        echo "not ok $label/$(basename "$piece")/go: go tool trace failed: $(head -n 1 "$tmp/err")"
      fi
    fi
  done <"$tmp/pieces"
  [ "$next" -eq $(($(ngens "$t") + 1)) ] && echo "ok $label/covers" || echo "not ok $label/covers: ends before generation $next"
}
# Generations to cut alone: all of a short trace, a sample of a long one.
sample() {
  n=$1
  if [ "$n" -le 5 ]; then seq 1 "$n"; else printf '1\n2\n3\n%s\n%s\n%s\n' $((n / 2)) $((n - 1)) "$n"; fi
}

if [ -z "$PY" ]; then
  echo "skip cut_events: no python3 to compare parses"
else
  for t in $LOCAL; do
    name=$(basename "$t" .trace)
    "$GOTRACE" dump "$t" >"$tmp/whole.dump" 2>/dev/null
    wg=
    if [ -n "$GO" ]; then
      "$GO" tool trace -d=parsed "$t" >"$tmp/whole.go" 2>/dev/null && wg=$tmp/whole.go
    fi
    n=$(ngens "$t")
    for k in $(sample "$n") 2-; do
      check_cut "cut_events:$name:$k" "$t" "$tmp/whole.dump" "$wg" "$k"
    done
    check_split "split_events:$name" "$t" "$tmp/whole.dump" "$wg" 1
    flush
  done
  [ -n "$GO" ] || echo "skip cut_go_local: no Go 1.27 toolchain (scripts/go127.sh)"
fi

# --- the corpus, against Go's parse of the whole trace
if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/corpus" ]; then
  echo "skip cut_corpus: no ../shared corpus"
elif [ -z "$GO" ]; then
  echo "skip cut_corpus: no Go 1.27 toolchain (scripts/go127.sh)"
elif [ -z "$PY" ]; then
  echo "skip cut_corpus: no python3 to compare parses"
else
  C=$SHARED/corpus
  count=0
  for t in "$C"/*.trace; do
    name=$(basename "$t" .trace)
    head -n 1 "$C/$name.parsed.status" 2>/dev/null | grep -q '^exit=0$' || continue
    case $(head -c 12 "$t") in "go 1.11"*|"go 1.19"*|"go 1.21"*) continue ;; esac
    parsed=$C/$name.parsed
    [ -f "$parsed" ] || parsed=$parsed.gz
    n=$(ngens "$t")
    count=$((count + 1))
    # One generation: the cut is the file itself (cut_bytes checks that).
    [ "$n" -ge 2 ] || continue
    for k in $(sample "$n"); do
      check_cut "cut_corpus:$name:$k" "$t" "" "$parsed" "$k"
    done
    [ "$n" -ge 3 ] && check_cut "cut_corpus:$name:2-" "$t" "" "$parsed" "2-"
    size=$(($(wc -c <"$t") / 3 + 1))
    check_split "split_corpus:$name" "$t" "" "$parsed" "$size"
    flush
  done
  [ "$count" -ge 30 ] && echo "ok cut_corpus_count" || echo "not ok cut_corpus_count: only $count corpus traces listed"
fi
