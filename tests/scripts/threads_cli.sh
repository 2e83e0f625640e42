#!/bin/sh
# gotrace --threads N (issue 18, "Read on every core"):
#  - every command that reads a trace gives the same output, byte for byte
#    (standard output, the -o file or directory), the same standard error
#    and the same exit status with --threads 1, 2, 3 and 8 and without the
#    option (the default: the online cores, at most 3), on traces of
#    tests/data and examples, on corpus traces of every format (../shared;
#    skipped, saying so, when absent), on a trace cut short in its middle
#    and read from a pipe;
#  - the threads really start: strace counts the threads created (2 for
#    any N >= 2 on a Go >= 1.22 trace, and for perfetto's packing one more;
#    none for 1, for an old-format trace,
#    and for the commands without a threaded reader: cut, dump --wire);
#    GT_TEST_THREADS, the test hook, decides when --threads is absent;
#  - the option's spellings, after the command or before it (gotrace
#    --threads N COMMAND), and its bad values, usage errors (exit 2).
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
. "$ROOT/tests/scripts/lib/common.sh"
hello=$ROOT/examples/hello.trace
corpus=$SHARED/corpus

# sig OUT CMD...: runs gotrace CMD... (with -o "$tmp/o" where CMD says O)
# and writes to OUT its exit status, the md5 of its standard output, of
# its output file or directory, and its standard error.
sig() {
  s=$1
  shift
  rm -rf "$tmp/o"
  args=
  for a in "$@"; do
    [ "$a" = O ] && a=$tmp/o
    args="$args '$a'"
  done
  eval "\"\$GOTRACE\" $args" 2>"$tmp/err" | md5sum >"$tmp/out"
  # The pipe hides the status: run it again for the status alone (cheap on
  # these traces), its output discarded.
  rm -rf "$tmp/o"
  eval "\"\$GOTRACE\" $args" >/dev/null 2>&1
  echo "status $?" >"$s"
  cat "$tmp/out" >>"$s"
  if [ -d "$tmp/o" ]; then
    (cd "$tmp/o" && for f in $(ls | sort); do echo "$f $(md5sum <"$f")"; done) >>"$s"
  elif [ -f "$tmp/o" ]; then
    echo "file $(md5sum <"$tmp/o")" >>"$s"
  fi
  cat "$tmp/err" >>"$s"
}

# same NAME TRACE CMD [ARGS...]: CMD on TRACE gives the same signature with
# every --threads value and without it. TRACE is the last argument, or
# replaces T in ARGS; O in ARGS is the output.
same() {
  name=$1 trace=$2 cmd=$3
  shift 3
  case " $* " in *" T "*) ;; *) set -- "$@" T ;; esac
  for a in "$@"; do
    shift
    [ "$a" = T ] && a=$trace
    set -- "$@" "$a"
  done
  (unset GT_TEST_THREADS; sig "$tmp/sig.default" "$cmd" "$@")
  for th in 1 2 3 8; do
    sig "$tmp/sig.$th" "$cmd" --threads "$th" "$@"
    if ! cmp -s "$tmp/sig.1" "$tmp/sig.$th"; then
      fail "$name" "--threads $th differs from --threads 1: $(diff "$tmp/sig.1" "$tmp/sig.$th" | head -n 4 | tr '\n' ' ')"
      return
    fi
  done
  if ! cmp -s "$tmp/sig.1" "$tmp/sig.default"; then
    fail "$name" "the default differs from --threads 1: $(diff "$tmp/sig.1" "$tmp/sig.default" | head -n 4 | tr '\n' ' ')"
    return
  fi
  # Not vacuous: the command read the trace (an output or an error).
  if [ "$(head -n 1 "$tmp/sig.1")" = "status 2" ]; then
    fail "$name" "usage error: $(tail -n 2 "$tmp/sig.1" | tr '\n' ' ')"
  else
    ok "$name"
  fi
}

# every NAME TRACE: every command reading the trace on TRACE.
every() {
  n=$1 t=$2
  same "$n summary" "$t" summary
  same "$n summary --json" "$t" summary --json
  same "$n dump" "$t" dump
  same "$n dump --wire" "$t" dump --wire
  same "$n goroutines" "$t" goroutines
  same "$n goroutines --json" "$t" goroutines --json
  same "$n tasks" "$t" tasks
  same "$n regions" "$t" regions
  same "$n mmu" "$t" mmu
  same "$n pprof sched" "$t" pprof --type=sched -o O
  same "$n pprof sync" "$t" pprof --type=sync -o O
  same "$n timeline" "$t" timeline -o O
  same "$n perfetto" "$t" perfetto -o O
  same "$n report" "$t" report -o O
  same "$n export csv" "$t" export --format=csv -o O
  same "$n sql" "$t" sql --csv T 'SELECT COUNT(*), SUM(time), SUM(duration) FROM g_transitions'
  same "$n validate" "$t" validate
  same "$n cut --list" "$t" cut --list
}

# cut's OUT comes after IN: its own check.
cut_same() {
  name=$1 trace=$2
  for th in 1 2 3 8; do
    sig "$tmp/sig.$th" cut --threads "$th" --from 1ms "$trace" O
    if ! cmp -s "$tmp/sig.1" "$tmp/sig.$th"; then
      fail "$name" "--threads $th differs from --threads 1"
      return
    fi
  done
  ok "$name"
}

every hello "$hello"
cut_same "hello cut" "$hello"
every scenario "$ROOT/tests/data/scenarios/stacks-and-strings.trace"
same "scenario failing dump" "$ROOT/tests/data/scenarios/fail-first-gen-first.trace" dump
same "scenario failing summary" "$ROOT/tests/data/scenarios/fail-first-gen-first.trace" summary
same "scenario test" "$ROOT/tests/data/scenarios/confuse-seq-across-generations.test" test
same "v1 broken dump" "$ROOT/tests/data/v1/broken/batch_args.trace" dump

# A trace cut short in its middle: the same error, the same loss, the same
# status, whatever the threads.
head -c 30000 "$hello" >"$tmp/short.trace"
every "hello cut short" "$tmp/short.trace"
if [ "$(head -n 1 "$tmp/sig.1")" != "status 1" ]; then
  fail "hello cut short: status" "$(head -n 1 "$tmp/sig.1"), not 1"
fi

# Standard input (a pipe: read as a stream).
for th in 1 2 3; do
  "$GOTRACE" dump --threads "$th" - <"$hello" 2>&1 | md5sum >"$tmp/stdin.$th"
done
if cmp -s "$tmp/stdin.1" "$tmp/stdin.2" && cmp -s "$tmp/stdin.1" "$tmp/stdin.3"; then
  ok "stdin dump"
else
  fail "stdin dump" "the outputs differ"
fi

if [ -d "$corpus" ]; then
  for t in multigen.go124 gcstress.go127 annotate.go124 annotate.go119 churn.go121; do
    if [ -f "$corpus/$t.trace" ]; then
      every "$t" "$corpus/$t.trace"
    else
      skip "$t" "$corpus/$t.trace is absent"
    fi
  done
  big=$corpus/multigen.go124.trace
  if [ -f "$big" ]; then
    cut_same "multigen.go124 cut" "$big"
    size=$(wc -c <"$big")
    head -c $((size / 2)) "$big" >"$tmp/half.trace"
    every "multigen.go124 cut short" "$tmp/half.trace"
    if [ "$(head -n 1 "$tmp/sig.1")" != "status 1" ]; then
      fail "multigen.go124 cut short: status" "$(head -n 1 "$tmp/sig.1"), not 1"
    fi
  fi
else
  skip "corpus" "$corpus is absent"
fi

# The threads start: strace -f counts the clone calls (the reader's
# producer and read-ahead: 2; no decompression thread on a plain file).
threads_started() {
  # LeakSanitizer cannot work under ptrace (a sanitized build): off here.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=clone,clone3 -o "$tmp/strace" "$GOTRACE" "$@" >/dev/null 2>&1
  grep -c 'clone' "$tmp/strace"
}
# clones NAME WANT CMD...: gotrace CMD... starts WANT threads more than
# gotrace --version (a sanitizer's runtime starts one of its own).
clones() {
  name=$1 want=$((base + $2))
  shift 2
  got=$(threads_started "$@")
  if [ "$got" = "$want" ]; then ok "threads: $name"; else fail "threads: $name" "$got threads started, not $want"; fi
}
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
  ( unset GT_TEST_THREADS
    base=$(threads_started --version)
    clones "--threads 1" 0 summary --threads 1 "$hello"
    clones "--threads 2" 2 summary --threads 2 "$hello"
    clones "--threads=8" 2 goroutines --threads=8 "$hello"
    clones "-threads 3 timeline" 2 timeline -threads 3 -o /dev/null "$hello"
    clones "--threads 2 dump" 2 dump --threads 2 "$hello"
    clones "--threads 2 tasks" 2 tasks --threads 2 "$hello"
    clones "--threads 2 regions" 2 regions --threads 2 "$hello"
    clones "--threads 2 mmu" 2 mmu --threads 2 "$hello"
    # perfetto: one more, which packs the compressed output (not for
    # --compress=none, nor with one thread).
    clones "--threads 2 perfetto" 3 perfetto --threads 2 -o /dev/null "$hello"
    clones "--threads 2 perfetto --compress=zstd" 3 perfetto --threads 2 --compress=zstd -o /dev/null "$hello"
    clones "--threads 2 perfetto --compress=none" 2 perfetto --threads 2 --compress=none -o /dev/null "$hello"
    clones "--threads 1 perfetto" 0 perfetto --threads 1 -o /dev/null "$hello"
    GT_TEST_THREADS=2 clones "GT_TEST_THREADS=2 perfetto" 3 perfetto -o /dev/null "$hello"
    # The library's range for the hook, 1 to GT_TEST_THREADS_MAX (gotrace.h):
    # past it the reader reads on one thread, and the packing follows it.
    max=$(sed -n 's/^#define GT_TEST_THREADS_MAX \([0-9][0-9]*\)$/\1/p' "$ROOT/include/gotrace.h")
    if [ -n "$max" ]; then
      GT_TEST_THREADS=$max clones "GT_TEST_THREADS=$max (GT_TEST_THREADS_MAX) perfetto" 3 perfetto -o /dev/null "$hello"
      GT_TEST_THREADS=$((max + 1)) clones "GT_TEST_THREADS=$((max + 1)) perfetto (out of range: one thread)" 0 \
        perfetto -o /dev/null "$hello"
    else
      fail "threads: GT_TEST_THREADS_MAX" "no #define GT_TEST_THREADS_MAX N in include/gotrace.h"
    fi
    clones "--threads 2 report" 2 report --threads 2 -o /dev/null "$hello"
    clones "--threads 2 export csv" 2 export --format=csv --threads 2 -o "$tmp/csv" "$hello"
    clones "--threads 2 validate" 2 validate --threads 2 "$hello"
    clones "--threads 2 test" 2 test --threads 2 "$ROOT/tests/data/scenarios/confuse-seq-across-generations.test"
    clones "--threads 3 pprof (two passes, two readers)" 4 pprof --type=sched --threads 3 -o /dev/null "$hello"
    clones "--threads 3 export" 2 sql --threads 3 "$hello" 'SELECT 1'
    clones "gotrace --threads 2 summary (before the command)" 2 --threads 2 summary "$hello"
    clones "gotrace -threads=1 goroutines (before the command)" 0 -threads=1 goroutines "$hello"
    clones "gotrace --threads 2 summary --threads 1 (the last wins)" 0 --threads 2 summary --threads 1 "$hello"
    clones "--threads 3 cut (no threaded mode)" 0 cut --threads 3 --list "$hello"
    clones "--threads 3 dump --wire (no threaded mode)" 0 dump --wire --threads 3 "$hello"
    cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    want=2
    [ "$cores" -lt 2 ] && want=0
    clones "default ($cores cores)" "$want" summary "$hello"
    clones "--threads 0 is the default" "$want" summary --threads 0 "$hello"
    GT_TEST_THREADS=1 clones "GT_TEST_THREADS=1, no --threads" 0 summary "$hello"
    GT_TEST_THREADS=3 clones "GT_TEST_THREADS=3, no --threads" 2 summary "$hello"
    GT_TEST_THREADS=3 clones "GT_TEST_THREADS=3, --threads 1" 0 summary --threads 1 "$hello"
    GT_TEST_THREADS=1 clones "GT_TEST_THREADS=1, --threads 2" 2 summary --threads 2 "$hello"
    v1=$corpus/annotate.go119.trace
    if [ -f "$v1" ]; then
      clones "--threads 3 on Go 1.19 (read on one thread)" 0 summary --threads 3 "$v1"
    else
      skip "threads: Go 1.19" "$v1 is absent"
    fi )
else
  skip "threads" "strace is missing or cannot trace here"
fi

# Every command opens its event readers through cli_input_reader or
# cli_reader_open_memory, which
# applies --threads (DEVELOPERS.md): none calls the library's directly.
direct=$(grep -l 'gt_reader_open_' "$ROOT"/cli/*.c | grep -v '/cli/common\.c$')
if [ -z "$direct" ]; then
  ok "readers: every command through cli/common.c"
else
  fail "readers: every command through cli/common.c" "gt_reader_open_* called in $(echo $direct)"
fi

# usage NAME LINE CMD...: gotrace CMD... exits 2, prints nothing on standard
# output and LINE (exactly, as a whole line) on standard error.
usage() {
  name=$1 line=$2
  shift 2
  "$GOTRACE" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -qxF "$line" "$tmp/err"; then
    ok "usage: $name"
  else
    fail "usage: $name" "status $rc: $(head -n 1 "$tmp/err")"
  fi
}
bad="needs a whole number of threads from 1 to 1024 (0: the default)"
for v in -1 abc '' 2x +2 ' 2' 1025 99999999999999999999 1.5; do
  usage "--threads '$v'" "gotrace summary: option --threads $bad, not '$v'" summary --threads "$v" "$hello"
done
usage "-threads without a value" "gotrace goroutines: option -threads needs a value" goroutines "$hello" -threads
usage "cut --threads=x" "gotrace cut: option --threads $bad, not 'x'" cut --threads=x --list "$hello"
# Before the command.
for v in -1 abc 2x; do
  usage "gotrace --threads=$v summary" "gotrace: option --threads $bad, not '$v'" --threads="$v" summary "$hello"
done
usage "gotrace -threads abc summary" "gotrace: option -threads $bad, not 'abc'" -threads abc summary "$hello"

# Before the command: the same output as after it.
"$GOTRACE" --threads 2 dump "$hello" >"$tmp/before" 2>&1
r1=$?
"$GOTRACE" dump --threads 2 "$hello" >"$tmp/after" 2>&1
r2=$?
if [ "$r1$r2" = 00 ] && cmp -s "$tmp/before" "$tmp/after" && [ -s "$tmp/before" ]; then
  ok "gotrace --threads 2 dump"
else
  fail "gotrace --threads 2 dump" "status $r1 $r2, or the outputs differ"
fi

# Every command's --help names the option.
for c in summary report dump convert test validate goroutines tasks regions mmu pprof perfetto timeline cut split sql export; do
  if "$GOTRACE" "$c" --help | grep -q -- '--threads N'; then
    ok "help: $c"
  else
    fail "help: $c" "gotrace $c --help does not name --threads N"
  fi
done
