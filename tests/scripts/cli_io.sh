#!/bin/sh
# The CLI's input and output reliability (issue 12, defects 2, 3 and 4):
#  - no command overwrites its input: `convert X X` (X > 1 MiB, binary and
#    text), through a symbolic and a hard link, `X - >> X`, timeline -o,
#    pprof -o and mmu --svg are refused with status 2, X unchanged;
#  - an output file is replaced only when complete: a failed or killed
#    command leaves OUT as it was and no temporary behind;
#  - every command writing to /dev/full exits 3 with
#    "gotrace: write error: No space left on device";
#  - with SIGPIPE ignored, `dump | head -c1` (parsed, --wire, timeline) exits
#    3 with the write error after reading a small part of a large input
#    (counted by dd upstream of it), not all of it;
#  - pprof reads a FIFO and <(cat T) as it reads T, byte for byte; mmu
#    reads a broken trace from a FIFO without waiting forever; and
#    SIGTERM or SIGINT while it spools standard input leaves nothing in
#    $TMPDIR or beside OUT;
#    SIGTERM during timeline -o OUT leaves OUT as it was.
# Every trace is generated here: nothing needs ../shared.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
. "$ROOT/tests/scripts/lib/common.sh"
hello=$ROOT/examples/hello.trace

# body_size FILE: the bytes the event lines of FILE take in a batch.
body_size() {
  { printf 'Trace Go1.26\nEventBatch gen=1 m=1 time=1 size=0\n'; cat "$1"; } >"$tmp/body.txt"
  "$GOTRACE" convert --to=binary "$tmp/body.txt" "$tmp/body.bin" || return 1
  echo $(($(wc -c <"$tmp/body.bin") - 16 - 5))
}

# make_trace OUT GENS: a valid Go 1.26 trace (Go's reader reads it whole) of
# GENS generations of 64 KB, each a Sync batch and one batch of 16000
# HeapAlloc events on a running P. Built from binary pieces: the batch body
# is encoded once, each generation's headers by one small conversion.
make_trace() {
  awk 'BEGIN { print "ProcStatus dt=1 p=0 pstatus=1"; for (i = 0; i < 16000; i++) print "HeapAlloc dt=1 heapalloc_value=1000" }' >"$tmp/events.txt"
  size=$(body_size "$tmp/events.txt") || return 1
  tail -c "$size" "$tmp/body.bin" >"$tmp/events.bin"
  printf 'Sync\nFrequency freq=15625000\nClockSnapshot dt=1 mono=1099511628776 sec=1795739555 nsec=100000001\n' >"$tmp/sync.txt"
  sync_size=$(body_size "$tmp/sync.txt") || return 1
  printf 'Trace Go1.26\nEndOfGeneration\n' >"$tmp/eog.txt"
  "$GOTRACE" convert --to=binary "$tmp/eog.txt" "$tmp/eog.bin" || return 1
  head -c 16 "$tmp/eog.bin" >"$1"
  g=1
  while [ $g -le "$2" ]; do
    t=$((1000000000 + g * 100000000))
    # mono and nsec grow by the generation (same varint lengths throughout).
    printf 'Trace Go1.26\nEventBatch gen=%d m=18446744073709551615 time=%d size=%d\nSync\nFrequency freq=15625000\nClockSnapshot dt=1 mono=%d sec=1795739555 nsec=%d\nEventBatch gen=%d m=1 time=%d size=%d\n' \
      $g $t "$sync_size" $((1099511627776 + g * 1000)) $((100000000 + g)) $g $((t + 10)) "$size" >"$tmp/head.txt"
    "$GOTRACE" convert --to=binary "$tmp/head.txt" "$tmp/head.bin" || return 1
    tail -c +17 "$tmp/head.bin" >>"$1"
    cat "$tmp/events.bin" >>"$1"
    tail -c +17 "$tmp/eog.bin" >>"$1"
    g=$((g + 1))
  done
}

# 20 generations: 1.3 MB, past the 1 MiB the old convert X X kept.
if ! make_trace "$tmp/mid.trace" 20 2>"$tmp/err" ||
   ! "$GOTRACE" dump "$tmp/mid.trace" 2>"$tmp/err" | tail -n 1 | grep -q 'Sync Time=.* N=21$'; then
  fail cli_io_make_trace "generated trace does not read back: $(head -n 2 "$tmp/err")"
  exit 0
fi
ok cli_io_make_trace

# ------------------------------------------------------------ own input
cp "$tmp/mid.trace" "$tmp/x.trace"
"$GOTRACE" convert --to=text "$tmp/mid.trace" "$tmp/x.txt" 2>/dev/null
ln -s x.trace "$tmp/sym.trace"
ln "$tmp/x.trace" "$tmp/hard.trace"
# refused NAME FILE KEEP CMD...: CMD exits 2 saying why, FILE equals KEEP.
refused() {
  name=$1 file=$2 keep=$3
  shift 3
  "$@" >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 2 ]; then
    fail "$name" "exit $rc, want 2: $(head -n 1 "$tmp/err")"
  elif ! cmp -s "$file" "$keep"; then
    fail "$name" "the input changed"
  elif ! grep -q 'refusing to write .*: it is the input file' "$tmp/err"; then
    fail "$name" "no refusal message: $(head -n 1 "$tmp/err")"
  else
    ok "$name"
  fi
}
refused convert_same_file "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" convert --to=text "$tmp/x.trace" "$tmp/x.trace"
refused convert_same_file_binary "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" convert --to=binary "$tmp/x.trace" "$tmp/x.trace"
cp "$tmp/x.txt" "$tmp/keep.txt"
refused convert_same_file_text "$tmp/x.txt" "$tmp/keep.txt" "$GOTRACE" convert --to=binary "$tmp/x.txt" "$tmp/x.txt"
refused convert_same_file_symlink "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" convert --to=text "$tmp/x.trace" "$tmp/sym.trace"
refused convert_same_file_symlink_input "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" convert --to=text "$tmp/sym.trace" "$tmp/x.trace"
refused convert_same_file_hardlink "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" convert --to=text "$tmp/hard.trace" "$tmp/x.trace"
refused convert_same_file_stdin "$tmp/x.trace" "$tmp/mid.trace" sh -c '"$1" convert --to=text - "$2" <"$2"' sh "$GOTRACE" "$tmp/x.trace"
refused convert_same_file_stdout "$tmp/x.trace" "$tmp/mid.trace" sh -c '"$1" convert --to=binary "$2" - >>"$2"' sh "$GOTRACE" "$tmp/x.trace"
refused timeline_same_file "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" timeline -o "$tmp/sym.trace" "$tmp/x.trace"
refused pprof_same_file "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" pprof --type=sched -o "$tmp/hard.trace" "$tmp/x.trace"
refused mmu_svg_same_file "$tmp/x.trace" "$tmp/mid.trace" "$GOTRACE" mmu --svg "$tmp/x.trace" "$tmp/x.trace"

# An output replaced through a symbolic link stays a link to the new file;
# a broken input keeps what was converted, a failed one the old OUT.
echo old >"$tmp/target.txt"
ln -s target.txt "$tmp/link.txt"
if "$GOTRACE" convert --to=text "$hello" "$tmp/link.txt" 2>"$tmp/err" && [ -L "$tmp/link.txt" ] &&
   "$GOTRACE" convert --to=text "$hello" - | cmp -s - "$tmp/target.txt"; then
  ok convert_through_symlink
else
  fail convert_through_symlink "link replaced or target wrong: $(head -n 1 "$tmp/err")"
fi
printf 'not a trace\n' >"$tmp/bad.trace"
echo old >"$tmp/kept.txt"
"$GOTRACE" timeline -o "$tmp/kept.txt" "$tmp/missing.trace" >/dev/null 2>&1
rc=$?
leftover=$(ls -A "$tmp" | grep -c 'gotrace-')
if [ $rc -eq 2 ] && [ "$(cat "$tmp/kept.txt")" = old ] && [ "$leftover" -eq 0 ]; then
  ok timeline_failed_keeps_output
else
  fail timeline_failed_keeps_output "exit $rc, OUT now '$(head -c 20 "$tmp/kept.txt")', $leftover temporaries left"
fi

# ---------------------------------------------------------- /dev/full
if [ -w /dev/full ]; then
  { printf -- '-- expect --\nSUCCESS\n-- trace --\n'; "$GOTRACE" convert --to=text "$hello" -; } >"$tmp/case.test"
  full() { # NAME CMD...: CMD >/dev/full exits 3 with the message
    name=$1
    shift
    "$@" >/dev/full 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 3 ] && grep -qx 'gotrace: write error: No space left on device' "$tmp/err" &&
       [ "$(grep -c 'write error' "$tmp/err")" -eq 1 ]; then
      ok "$name"
    else
      fail "$name" "exit $rc, stderr: $(head -n 2 "$tmp/err" | tr '\n' '|')"
    fi
  }
  full full_dump "$GOTRACE" dump "$hello"
  full full_dump_wire "$GOTRACE" dump --wire "$hello"
  full full_dump_footprint "$GOTRACE" dump --footprint "$hello"
  full full_validate "$GOTRACE" validate "$hello"
  full full_goroutines "$GOTRACE" goroutines "$hello"
  full full_goroutines_json "$GOTRACE" goroutines --json "$hello"
  full full_tasks "$GOTRACE" tasks "$hello"
  full full_regions "$GOTRACE" regions "$hello"
  full full_regions_json "$GOTRACE" regions --json "$hello"
  full full_mmu "$GOTRACE" mmu "$hello"
  full full_mmu_svg "$GOTRACE" mmu --svg /dev/full "$hello"
  full full_timeline "$GOTRACE" timeline "$hello"
  full full_timeline_o "$GOTRACE" timeline -o /dev/full "$hello"
  full full_pprof "$GOTRACE" pprof --type=sched "$hello"
  full full_pprof_o "$GOTRACE" pprof --type=sched -o /dev/full "$hello"
  full full_convert "$GOTRACE" convert --to=text "$hello" -
  full full_convert_out "$GOTRACE" convert --to=text "$hello" /dev/full
  full full_test "$GOTRACE" test "$tmp/case.test"
  full full_help "$GOTRACE" --help
  full full_version "$GOTRACE" --version
  full full_dump_help "$GOTRACE" dump --help
  # Standard output closed: the same status.
  "$GOTRACE" dump "$hello" >&- 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 3 ] && grep -q '^gotrace: write error: ' "$tmp/err"; then ok closed_stdout; else fail closed_stdout "exit $rc"; fi
else
  echo "skip full: no writable /dev/full"
fi

# ----------------------------------------------------- SIGPIPE ignored
# 125 generations, 8 MB: its dump is some 200 MB. Reading stops at the
# first failed write: dd, upstream, copies the first generations and the
# pipe's buffer, not the 8 MB (the old code read all of it and exited 0).
if make_trace "$tmp/big.trace" 125 2>"$tmp/err"; then
  total=$(wc -c <"$tmp/big.trace")
  epipe() { # NAME ARGS...: gotrace ARGS - fed by dd, read by head -c1
    name=$1
    shift
    (
      trap '' PIPE
      dd if="$tmp/big.trace" bs=65536 2>"$tmp/dd.err" |
        { "$GOTRACE" "$@" - 2>"$tmp/err"; echo $? >"$tmp/rc"; } | head -c 1 >/dev/null
    )
    rc=$(cat "$tmp/rc")
    copied=$(sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p' "$tmp/dd.err")
    if [ "$rc" != 3 ] || ! grep -qx 'gotrace: write error: Broken pipe' "$tmp/err"; then
      fail "$name" "exit $rc, stderr: $(head -n 2 "$tmp/err" | tr '\n' '|')"
    elif [ -z "$copied" ] || [ "$copied" -gt $((total / 4)) ]; then
      fail "$name" "read ${copied:-?} of $total input bytes after its output was gone"
    else
      ok "$name"
    fi
  }
  epipe epipe_dump dump
  epipe epipe_dump_wire dump --wire
  epipe epipe_timeline timeline
else
  fail epipe "cannot make the large trace: $(head -n 1 "$tmp/err")"
fi

# --------------------------------------------------- pprof, non-seekable
"$GOTRACE" pprof --type=sched -o "$tmp/want.pb.gz" "$hello" 2>"$tmp/err" ||
  fail pprof_reference "$(head -n 1 "$tmp/err")"
to=
command -v timeout >/dev/null 2>&1 && to="timeout 20"
mkfifo "$tmp/fifo"
cat "$hello" >"$tmp/fifo" &
writer=$!
$to "$GOTRACE" pprof --type=sched -o "$tmp/fifo.pb.gz" "$tmp/fifo" 2>"$tmp/err"
rc=$?
kill $writer 2>/dev/null
wait $writer 2>/dev/null
if [ $rc -eq 0 ] && cmp -s "$tmp/fifo.pb.gz" "$tmp/want.pb.gz"; then
  ok pprof_fifo
else
  fail pprof_fifo "exit $rc (124: hung), $(head -n 1 "$tmp/err")"
fi
if command -v bash >/dev/null 2>&1; then
  $to bash -c '"$1" pprof --type=sched -o "$2" <(cat "$3")' sh "$GOTRACE" "$tmp/subst.pb.gz" "$hello" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 0 ] && cmp -s "$tmp/subst.pb.gz" "$tmp/want.pb.gz"; then
    ok pprof_process_substitution
  else
    fail pprof_process_substitution "exit $rc, $(head -n 1 "$tmp/err")"
  fi
else
  echo "skip pprof_process_substitution: no bash"
fi
if cat "$hello" | $to "$GOTRACE" pprof --type=sched - >"$tmp/stdin.pb.gz" 2>"$tmp/err" &&
   cmp -s "$tmp/stdin.pb.gz" "$tmp/want.pb.gz"; then
  ok pprof_stdin
else
  fail pprof_stdin "$(head -n 1 "$tmp/err")"
fi

# mmu reads a broken trace again up to its last Sync: from the same open
# file, not by opening the path again (which waits forever on a FIFO).
head -c 500000 "$tmp/mid.trace" >"$tmp/broken.trace"
cat "$tmp/broken.trace" >"$tmp/fifo" &
writer=$!
$to "$GOTRACE" mmu "$tmp/fifo" >"$tmp/mmu.txt" 2>"$tmp/err"
rc=$?
kill $writer 2>/dev/null
wait $writer 2>/dev/null
if [ $rc -eq 1 ] && grep -q '^Utilisation functions' "$tmp/mmu.txt" && grep -q 'failed to read full batch' "$tmp/err"; then
  ok mmu_fifo_broken
else
  fail mmu_fifo_broken "exit $rc (124: hung), $(head -n 1 "$tmp/err")"
fi

# term_while_reading SIG CMD...: runs CMD with standard input from the
# FIFO, writes the trace into it without ending it, and sends signal SIG
# (TERM, INT) a second later; rc is CMD's exit status (128 + the signal's
# number when the signal ended it).
term_while_reading() {
  sig=$1
  shift
  "$@" <"$tmp/fifo" 2>/dev/null &
  pid=$!
  exec 3>"$tmp/fifo"
  cat "$hello" >&3
  sleep 1
  kill -s "$sig" $pid
  # A command that ignores the signal is killed 10 s later (rc 137).
  (sleep 10 && kill -s KILL $pid 2>/dev/null) &
  dog=$!
  wait $pid
  rc=$?
  kill $dog 2>/dev/null
  exec 3>&-
}

# SIGTERM while pprof spools standard input: nothing left in $TMPDIR (the
# spool) or beside -o (the output's temporary).
mkdir "$tmp/spool" "$tmp/outdir"
term_while_reading TERM env TMPDIR="$tmp/spool" "$GOTRACE" pprof --type=sched -o "$tmp/outdir/p.pb.gz" -
left=$(ls -A "$tmp/spool" "$tmp/outdir" | grep -v ':$' | grep -c .)
if [ $rc -eq 143 ] && [ "$left" -eq 0 ]; then
  ok pprof_sigterm_cleans_up
else
  fail pprof_sigterm_cleans_up "exit $rc (want 143), left: $(ls -A "$tmp/spool" "$tmp/outdir" | tr '\n' ' ')"
fi

# The same with SIGINT (^C). A background job of a shell without job
# control starts with SIGINT ignored: env --default-signal restores it.
if env --default-signal=INT true 2>/dev/null; then
  term_while_reading INT env --default-signal=INT TMPDIR="$tmp/spool" "$GOTRACE" pprof --type=sched -o "$tmp/outdir/i.pb.gz" -
  left=$(ls -A "$tmp/spool" "$tmp/outdir" | grep -v ':$' | grep -c .)
  if [ $rc -eq 130 ] && [ "$left" -eq 0 ]; then
    ok pprof_sigint_cleans_up
  else
    fail pprof_sigint_cleans_up "exit $rc (want 130), left: $(ls -A "$tmp/spool" "$tmp/outdir" | tr '\n' ' ')"
  fi
else
  echo "skip pprof_sigint_cleans_up: env --default-signal unsupported"
fi

# SIGTERM while timeline -o OUT reads: OUT is left as it was, with no
# temporary beside it.
echo old >"$tmp/outdir/t.json"
term_while_reading TERM "$GOTRACE" timeline -o "$tmp/outdir/t.json" -
left=$(ls -A "$tmp/outdir" | grep -v '^t.json$' | grep -c .)
if [ $rc -eq 143 ] && [ "$(cat "$tmp/outdir/t.json")" = old ] && [ "$left" -eq 0 ]; then
  ok timeline_sigterm_keeps_output
else
  fail timeline_sigterm_keeps_output "exit $rc (want 143), OUT now '$(head -c 20 "$tmp/outdir/t.json")', left: $(ls -A "$tmp/outdir" | tr '\n' ' ')"
fi
