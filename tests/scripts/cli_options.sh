#!/bin/sh
# The CLI's command lines and inputs (issue 13, "Every command"):
#  - every option of every command is read the same written --opt=VALUE,
#    --opt VALUE, -opt VALUE and -opt=VALUE (flags: --opt and -opt): the
#    outputs are compared byte for byte, and the option must change the
#    output from the run without it (so the comparison is not vacuous);
#  - an unknown option, a missing value, a value given to a flag, and options
#    that other options make meaningless exit 2 saying so;
#  - gotrace help COMMAND prints what gotrace COMMAND --help prints;
#  - pprof refuses to write its binary profile to a terminal (exit 2);
#  - compressed input (gzip, zstd; files, stdin, FIFOs) reads as the plain
#    trace does, byte for byte (standard output, standard error and status)
#    for every command; truncated or corrupt compressed input exits 1 with
#    the decoder's message, for every command; a file that is not a trace
#    says what it is.
# Traces: examples/hello.trace, and one corpus trace when ../shared is there.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
. "$ROOT/tests/scripts/lib/common.sh"
hello=$ROOT/examples/hello.trace

# run OUTFILE CMD...: runs gotrace CMD... into OUTFILE (stderr to OUTFILE.err),
# prints the exit status.
run() {
  o=$1
  shift
  "$GOTRACE" "$@" >"$o" 2>"$o.err"
  echo $?
}

# spellings NAME OPT VALUE CMD [ARGS...]: CMD with OPT written in the four
# ways gives the same output and status, an output that differs from CMD
# without OPT (unless SAME_OK=1: the option is only checked to be accepted
# alike). VALUE "" means OPT is a flag (two spellings).
spellings() {
  name=$1 opt=$2 val=$3 cmd=$4
  shift 4
  base=$(run "$tmp/base" "$cmd" "$@" "$hello")
  if [ -z "$val" ]; then
    r1=$(run "$tmp/f1" "$cmd" "--$opt" "$@" "$hello")
    r2=$(run "$tmp/f2" "$cmd" "-$opt" "$@" "$hello")
    r3=$r1 r4=$r1
    cp "$tmp/f1" "$tmp/f3"
    cp "$tmp/f1" "$tmp/f4"
  else
    r1=$(run "$tmp/f1" "$cmd" "--$opt=$val" "$@" "$hello")
    r2=$(run "$tmp/f2" "$cmd" "-$opt=$val" "$@" "$hello")
    r3=$(run "$tmp/f3" "$cmd" "--$opt" "$val" "$@" "$hello")
    r4=$(run "$tmp/f4" "$cmd" "-$opt" "$val" "$@" "$hello")
  fi
  if [ "$r1" -ne 0 ]; then
    fail "$name" "--$opt exits $r1: $(head -n 1 "$tmp/f1.err")"
  elif [ "${SAME_OK:-0}" != 1 ] && [ "$base" -eq 0 ] && cmp -s "$tmp/base" "$tmp/f1"; then
    fail "$name" "--$opt changes nothing in the output"
  elif [ "$r2$r3$r4" != 000 ] || ! cmp -s "$tmp/f1" "$tmp/f2" || ! cmp -s "$tmp/f1" "$tmp/f3" ||
       ! cmp -s "$tmp/f1" "$tmp/f4"; then
    fail "$name" "the spellings differ (status $r1 $r2 $r3 $r4)"
  else
    ok "$name"
  fi
}

# usage NAME PATTERN CMD...: exits 2 with PATTERN (grep -E) on stderr, nothing
# on stdout.
usage() {
  name=$1 pat=$2
  shift 2
  rc=$(run "$tmp/u" "$@")
  if [ "$rc" -ne 2 ]; then
    fail "$name" "exit status $rc, expected 2"
  elif ! grep -Eq -- "$pat" "$tmp/u.err"; then
    fail "$name" "stderr lacks /$pat/: $(head -n 1 "$tmp/u.err")"
  elif [ -s "$tmp/u" ]; then
    fail "$name" "usage error printed output"
  else
    ok "$name"
  fi
}

if [ ! -f "$hello" ] || [ ! -x "$GOTRACE" ]; then
  echo "skip cli_options: no $hello or $GOTRACE"
  exit 0
fi

# ------------------------------------------------ the same in every spelling
spellings opt_dump_wire wire "" dump
spellings opt_dump_footprint footprint "" dump
# hello.trace passes the clock checks: the option is only accepted alike.
SAME_OK=1 spellings opt_validate_skip_clock skip-clock-checks "" validate
SAME_OK=0
spellings opt_goroutines_json json "" goroutines
spellings opt_goroutines_name name main.worker goroutines
spellings opt_goroutines_id id 1 goroutines
spellings opt_goroutines_sort sort 'Execution time' goroutines --name main.worker
spellings opt_tasks_json json "" tasks
spellings opt_tasks_type type squares tasks
spellings opt_tasks_complete complete "" tasks
spellings opt_tasks_incomplete incomplete "" tasks
spellings opt_tasks_logtext logtext square tasks
spellings opt_tasks_latmin latmin 1ms tasks
spellings opt_tasks_latmax latmax 1s tasks
spellings opt_regions_json json "" regions
spellings opt_regions_type type square regions
spellings opt_regions_latmin latmin 1us regions
spellings opt_regions_latmax latmax 1ms regions
spellings opt_mmu_json json "" mmu
spellings opt_mmu_flags flags stw mmu
spellings opt_mmu_worst worst 1 mmu
spellings opt_mmu_window window 10us mmu
spellings opt_pprof_type type sync pprof
spellings opt_pprof_name name main.worker pprof --type sched
spellings opt_pprof_region_type region-type square pprof --type sched
spellings opt_pprof_latmin latmin 1ms pprof --type sched
spellings opt_pprof_latmax latmax 100ns pprof --type sched
# The PC of the regions' start frame, as gotrace regions prints it.
pc=$("$GOTRACE" regions "$hello" | sed -n 's/.* @ \(0x[0-9a-f]*\)$/\1/p' | head -n 1)
spellings opt_regions_pc pc "$pc" regions
spellings opt_pprof_pc pc "$pc" pprof --type sched
spellings opt_perfetto_compress compress zstd perfetto -o -

# Options naming an output file: the file written is the same.
outfile_spellings() {
  name=$1 opt=$2
  shift 2
  for form in "--$opt=$tmp/o1" "-$opt=$tmp/o2" "--$opt $tmp/o3" "-$opt $tmp/o4"; do
    # shellcheck disable=SC2086
    rc=$(run "$tmp/s" "$@" $form "$hello")
    [ "$rc" -eq 0 ] || { fail "$name" "'$form' exits $rc: $(head -n 1 "$tmp/s.err")"; return; }
  done
  if [ -s "$tmp/o1" ] && cmp -s "$tmp/o1" "$tmp/o2" && cmp -s "$tmp/o1" "$tmp/o3" && cmp -s "$tmp/o1" "$tmp/o4"; then
    ok "$name"
  else
    fail "$name" "the four spellings wrote different files"
  fi
  rm -f "$tmp/o1" "$tmp/o2" "$tmp/o3" "$tmp/o4"
}
outfile_spellings opt_mmu_svg svg mmu
outfile_spellings opt_timeline_o o timeline
outfile_spellings opt_pprof_o o pprof --type sched

"$GOTRACE" convert --to text "$hello" "$tmp/c1" 2>/dev/null
"$GOTRACE" convert -to=text "$hello" "$tmp/c2" 2>/dev/null
"$GOTRACE" convert --to=binary --runtime-layout "$tmp/c1" "$tmp/c3" 2>/dev/null
"$GOTRACE" convert -to binary -runtime-layout "$tmp/c2" "$tmp/c4" 2>/dev/null
if [ -s "$tmp/c1" ] && cmp -s "$tmp/c1" "$tmp/c2" && cmp -s "$tmp/c3" "$tmp/c4" && cmp -s "$tmp/c3" "$hello"; then
  ok opt_convert_to
else
  fail opt_convert_to "--to text / -to=text or --runtime-layout spellings differ"
fi

# ----------------------------------------------------------- usage errors
for cmd in dump convert validate goroutines tasks regions mmu pprof timeline test; do
  usage "opt_unknown_$cmd" "gotrace $cmd: unknown option '--no-such-option'" "$cmd" --no-such-option "$hello"
  usage "opt_unknown_single_$cmd" "gotrace $cmd: unknown option '-nosuch'" "$cmd" -nosuch "$hello"
done
# A missing value: the option is the last argument.
for pair in goroutines:name goroutines:sort goroutines:id tasks:type tasks:logtext tasks:latmin tasks:latmax \
  regions:type regions:pc regions:latmin regions:latmax mmu:flags mmu:worst mmu:window mmu:svg \
  pprof:type pprof:name pprof:region-type pprof:pc pprof:latmin pprof:latmax pprof:o timeline:o convert:to \
  perfetto:compress; do
  cmd=${pair%%:*} opt=${pair#*:}
  usage "opt_missing_value_${cmd}_$opt" "option -+$opt needs a value" "$cmd" "$hello" "--$opt"
done
for pair in dump:wire dump:footprint validate:skip-clock-checks goroutines:json tasks:json tasks:complete \
  regions:json mmu:json convert:runtime-layout; do
  cmd=${pair%%:*} opt=${pair#*:}
  usage "opt_flag_value_${cmd}_$opt" "option --$opt takes no value" "$cmd" "--$opt=1" "$hello"
done
usage opt_goroutines_sort_without_name "--sort .*needs --name" goroutines --sort 'Execution time' "$hello"
usage opt_goroutines_sort_with_json "--sort .*no --json" goroutines --name main.worker --sort 'Execution time' --json "$hello"
usage opt_goroutines_id_and_name "--id and --name" goroutines --id 1 --name main.worker "$hello"
usage opt_mmu_window_with_json "--window .*--json" mmu --window 1ms --json "$hello"
usage opt_mmu_window_worst_0 "--window with --worst 0" mmu --window 1ms --worst 0 "$hello"
usage opt_tasks_complete_incomplete "--complete and --incomplete" tasks --complete --incomplete "$hello"
usage opt_tasks_incomplete_latency "not with --incomplete" tasks --incomplete --latmin 1ms "$hello"
usage opt_dump_wire_footprint "--wire and --footprint" dump --wire --footprint "$hello"
usage opt_pprof_name_region "--name and the region filters" pprof --type sched --name x --pc 1 "$hello"
usage opt_perfetto_compress_method "--compress: no method 'lz4' \\(deflate, zstd or none\\)" perfetto --compress=lz4 -o - "$hello"
usage opt_two_files "one trace file expected" goroutines "$hello" "$hello"
usage opt_help_unknown_command "unknown command 'nosuch'" help nosuch
usage opt_help_two_commands "help takes one command" help dump goroutines

# ------------------------------------------------------------------ help
for cmd in summary dump convert test validate goroutines tasks regions mmu pprof timeline cut split perfetto; do
  "$GOTRACE" "$cmd" --help >"$tmp/h1" 2>&1
  rc1=$?
  "$GOTRACE" help "$cmd" >"$tmp/h2" 2>&1
  rc2=$?
  if [ "$rc1" -ne 0 ] && grep -q "unknown command" "$tmp/h1"; then
    echo "skip opt_help_$cmd: this build has no $cmd"
  elif [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -s "$tmp/h1" ] && cmp -s "$tmp/h1" "$tmp/h2"; then
    ok "opt_help_$cmd"
  else
    fail "opt_help_$cmd" "help $cmd (status $rc2) differs from $cmd --help (status $rc1)"
  fi
done

# --------------------------------------------------- pprof and a terminal
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
  script -qec "'$GOTRACE' pprof --type sched '$hello'" /dev/null >"$tmp/tty" 2>&1
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q "refusing to write a binary profile to a terminal" "$tmp/tty"; then
    ok opt_pprof_terminal
  else
    fail opt_pprof_terminal "status $rc: $(head -c 200 "$tmp/tty" | tr -d '\0' | head -n 1)"
  fi
  # -o to a file works from a terminal.
  script -qec "'$GOTRACE' pprof --type sched -o '$tmp/p.pb.gz' '$hello'" /dev/null >/dev/null 2>&1
  rc=$?
  "$GOTRACE" pprof --type sched "$hello" >"$tmp/p2.pb.gz" 2>/dev/null
  if [ "$rc" -eq 0 ] && cmp -s "$tmp/p.pb.gz" "$tmp/p2.pb.gz"; then
    ok opt_pprof_terminal_o
  else
    fail opt_pprof_terminal_o "pprof -o from a terminal: status $rc or a different profile"
  fi
else
  echo "skip opt_pprof_terminal: no script(1) to run a command on a terminal"
fi

# ------------------------------------------------------- compressed input
# same NAME TRACE CMD...: CMD on the plain trace, then on its gzip and zstd
# forms (files, standard input, a pipe) gives the same output (standard
# output and standard error, byte for byte) and status. The trace goes where
# an argument IN stands, else last. A file form is compared with the plain
# file, each path replaced by IN; a stdin or pipe form with the plain trace
# on standard input. Compressed input is decompressed on demand through a
# source (cli/decode.c): no thread, no pipe, no spool but for a command that
# reads a pipe twice (pprof).
have_zstd=0
command -v zstd >/dev/null 2>&1 && have_zstd=1
[ $have_zstd = 1 ] || echo "skip compressed_zstd: no zstd command (apt-get install zstd)"
# runin OUT TRACE CMD...: CMD with IN replaced by TRACE (appended when no
# IN), its stdout in OUT and its stderr in OUT.err, TRACE replaced by IN in
# both; prints the status. TRACE "-" reads standard input.
runin() {
  o=$1 t=$2
  shift 2
  has_in=0
  for arg in "$@"; do [ "$arg" = IN ] && has_in=1; done
  set -- "$@" END
  while [ "$1" != END ]; do
    if [ "$1" = IN ]; then set -- "$@" "$t"; else set -- "$@" "$1"; fi
    shift
  done
  shift
  [ $has_in = 1 ] || set -- "$@" "$t"
  "$GOTRACE" "$@" >"$o.out" 2>"$o.raw"
  rc=$?
  if [ "$t" = - ]; then
    mv "$o.out" "$o"
    mv "$o.raw" "$o.err"
  else
    sed "s|$t|IN|g" "$o.out" >"$o"
    sed "s|$t|IN|g" "$o.raw" >"$o.err"
  fi
  echo $rc
}
compressed_same() {
  name=$1 trace=$2
  shift 2
  gzip -c "$trace" >"$tmp/c.gz"
  [ $have_zstd = 1 ] && zstd -q -c "$trace" >"$tmp/c.zst"
  want=$(runin "$tmp/want" "$trace" "$@")
  wants=$(runin "$tmp/wants" - "$@" <"$trace")
  if [ ! -s "$tmp/want" ] && [ ! -s "$tmp/want.err" ]; then
    fail "$name" "the plain trace gives no output (status $want)"
    return
  fi
  for form in gz-file gz-stdin gz-pipe zst-file zst-stdin zst-pipe; do
    case $form in zst-*) [ $have_zstd = 1 ] || continue ;; esac
    f=$tmp/c.${form%%-*}
    w=want wrc=$want
    case $form in
    *-file) got=$(runin "$tmp/got" "$f" "$@") ;;
    *-stdin) got=$(runin "$tmp/got" - "$@" <"$f") w=wants wrc=$wants ;;
    *-pipe) got=$(cat "$f" | runin "$tmp/got" - "$@") w=wants wrc=$wants ;;
    esac
    if [ "$got" != "$wrc" ] || ! cmp -s "$tmp/$w" "$tmp/got" || ! cmp -s "$tmp/$w.err" "$tmp/got.err"; then
      fail "$name" "$form: status $got (plain $wrc) or output differs: $(head -n 1 "$tmp/got.err") / $(head -n 1 "$tmp/$w.err")"
      return
    fi
  done
  ok "$name"
}
compressed_same compressed_dump "$hello" dump
compressed_same compressed_dump_wire "$hello" dump --wire
compressed_same compressed_footprint "$hello" dump --footprint
compressed_same compressed_validate "$hello" validate
compressed_same compressed_goroutines "$hello" goroutines --json
compressed_same compressed_tasks "$hello" tasks --json
compressed_same compressed_regions "$hello" regions
compressed_same compressed_mmu "$hello" mmu --json
compressed_same compressed_pprof "$hello" pprof --type sched
compressed_same compressed_timeline "$hello" timeline
compressed_same compressed_perfetto "$hello" perfetto -o -
compressed_same compressed_report "$hello" report -o -
compressed_same compressed_summary "$hello" summary
compressed_same compressed_summary_json "$hello" summary --json
compressed_same compressed_sql "$hello" sql --csv IN 'SELECT count(*), sum(duration) FROM g_transitions'
compressed_same compressed_convert_text "$hello" convert --to=text IN -
compressed_same compressed_convert_binary "$hello" convert --to=binary IN -
compressed_same compressed_cut "$hello" cut --generations 1 IN -
compressed_same compressed_cut_list "$hello" cut --list
# The text format, compressed: convert reads it whole.
"$GOTRACE" convert --to=text "$hello" "$tmp/hello.txt" 2>/dev/null
compressed_same compressed_convert_from_text "$tmp/hello.txt" convert --to=binary IN -
# export (a directory) and split (files): by hand, gzip and zstd files and
# zstd on standard input. split cuts a trace of several generations when
# the corpus is there (multigen: 4 generations), else hello (one).
st=$hello
[ -n "${SHARED:-}" ] && [ -f "$SHARED/corpus/multigen.go124.trace" ] && st=$SHARED/corpus/multigen.go124.trace
"$GOTRACE" export --format=csv "$hello" -o "$tmp/exp.want" 2>/dev/null
"$GOTRACE" split --size 100kB "$st" "$tmp/split.want" >/dev/null 2>&1
gzip -c "$hello" >"$tmp/h.gz"
gzip -c "$st" >"$tmp/s.gz"
[ $have_zstd = 1 ] && zstd -q -c "$hello" >"$tmp/h.zst" && zstd -q -c "$st" >"$tmp/s.zst"
ok=1
for f in gz zst -; do
  [ $have_zstd = 1 ] || [ $f = gz ] || continue
  rm -rf "$tmp/exp.got" "$tmp"/split.got.*
  if [ "$f" = - ]; then
    "$GOTRACE" export --format=csv - -o "$tmp/exp.got" <"$tmp/h.zst" 2>/dev/null || ok=0
    "$GOTRACE" split --size 100kB - "$tmp/split.got" <"$tmp/s.zst" >/dev/null 2>&1 || ok=0
  else
    "$GOTRACE" export --format=csv "$tmp/h.$f" -o "$tmp/exp.got" 2>/dev/null || ok=0
    "$GOTRACE" split --size 100kB "$tmp/s.$f" "$tmp/split.got" >/dev/null 2>&1 || ok=0
  fi
  # traces.csv names the file (first column): compared without it.
  [ -n "$(ls "$tmp/exp.want")" ] && diff -r -x traces.csv "$tmp/exp.want" "$tmp/exp.got" >/dev/null || ok=0
  [ "$(cut -d, -f2- "$tmp/exp.want/traces.csv")" = "$(cut -d, -f2- "$tmp/exp.got/traces.csv" 2>/dev/null)" ] || ok=0
  for p in "$tmp"/split.want.*; do cmp -s "$p" "$tmp/split.got.${p##*/split.want.}" || ok=0; done
  [ "$(ls "$tmp"/split.want.* | wc -l)" = "$(ls "$tmp"/split.got.* | wc -l)" ] || ok=0
done
if [ $ok = 1 ]; then ok compressed_export_split; else fail compressed_export_split "export or split of a compressed input differs"; fi
if [ -n "${SHARED:-}" ] && [ -f "$SHARED/corpus/churn.go122.trace" ]; then
  compressed_same compressed_corpus_dump "$SHARED/corpus/churn.go122.trace" dump
  compressed_same compressed_corpus_goroutines "$SHARED/corpus/churn.go122.trace" goroutines --json
  compressed_same compressed_corpus_pprof "$SHARED/corpus/churn.go122.trace" pprof --type sync
else
  echo "skip compressed_corpus: no \$SHARED/corpus/churn.go122.trace"
fi

# A broken trace: the same figures and status. mmu reads a broken regular
# file twice (up to the last Sync): the decoder starts over for the second
# pass.
size=$(wc -c <"$hello")
head -c $((size * 2 / 3)) "$hello" >"$tmp/broken.trace"
compressed_same compressed_broken_mmu "$tmp/broken.trace" mmu --json
compressed_same compressed_broken_dump "$tmp/broken.trace" dump
compressed_same compressed_broken_goroutines "$tmp/broken.trace" goroutines

# gzip members one after another (as gzip -d reads them).
head -c 1000 "$hello" | gzip -c >"$tmp/multi.gz"
tail -c +1001 "$hello" | gzip -c >>"$tmp/multi.gz"
"$GOTRACE" dump "$hello" >"$tmp/want" 2>&1
"$GOTRACE" dump "$tmp/multi.gz" >"$tmp/got" 2>&1
if cmp -s "$tmp/want" "$tmp/got"; then ok compressed_gzip_members; else fail compressed_gzip_members "differs"; fi
if [ $have_zstd = 1 ]; then
  head -c 1000 "$hello" | zstd -q -c >"$tmp/multi.zst"
  tail -c +1001 "$hello" | zstd -q -c >>"$tmp/multi.zst"
  "$GOTRACE" dump "$tmp/multi.zst" >"$tmp/got" 2>&1
  if cmp -s "$tmp/want" "$tmp/got"; then ok compressed_zstd_frames; else fail compressed_zstd_frames "differs"; fi
fi

# Damaged compressed data: status 1 and the decompressor's reason, naming
# the file; the events before the damage are printed.
gzip -c "$hello" | head -c $(($(gzip -c "$hello" | wc -c) / 2)) >"$tmp/trunc.gz"
rc=$(run "$tmp/t" dump "$tmp/trunc.gz")
if [ "$rc" -eq 1 ] && grep -q "^gotrace: $tmp/trunc.gz: gzip: unexpected end of data" "$tmp/t.err"; then
  ok compressed_gzip_truncated
else
  fail compressed_gzip_truncated "status $rc: $(cat "$tmp/t.err" | head -n 2)"
fi
# An analysis of a truncated gzip stream covers what was read and exits 1.
rc=$(run "$tmp/t" goroutines "$tmp/trunc.gz")
if [ "$rc" -eq 1 ] && grep -q "gzip: unexpected end of data" "$tmp/t.err" && grep -q "^Start location" "$tmp/t"; then
  ok compressed_gzip_truncated_goroutines
else
  fail compressed_gzip_truncated_goroutines "status $rc: $(head -n 2 "$tmp/t.err")"
fi
if [ $have_zstd = 1 ]; then
  zstd -q -c "$hello" >"$tmp/bad.zst"
  # Flip bytes in the middle of the frame.
  n=$(wc -c <"$tmp/bad.zst")
  { head -c $((n / 2)) "$tmp/bad.zst"; printf 'XXXXXXXXXXXXXXXX'; tail -c +$((n / 2 + 17)) "$tmp/bad.zst"; } >"$tmp/bad2.zst"
  rc=$(run "$tmp/t" dump "$tmp/bad2.zst")
  if [ "$rc" -eq 1 ] && grep -q "^gotrace: $tmp/bad2.zst: zstd: " "$tmp/t.err"; then
    ok compressed_zstd_corrupt
  else
    fail compressed_zstd_corrupt "status $rc: $(head -n 2 "$tmp/t.err")"
  fi
fi

# Every command, on a truncated and on a corrupt gzip and zstd trace, as a
# file and on standard input: exit 1 and "gotrace: NAME: gzip: ..." (NAME the
# path, or "standard input"); truncation is named as such.
gzip -c "$hello" >"$tmp/cz.gz"
n=$(wc -c <"$tmp/cz.gz")
head -c $((n / 2)) "$tmp/cz.gz" >"$tmp/ctrunc.gz"
{ head -c $((n / 2)) "$tmp/cz.gz"; printf 'XXXXXXXXXXXXXXXX'; tail -c +$((n / 2 + 17)) "$tmp/cz.gz"; } >"$tmp/cbad.gz"
# ctail.gz: a whole trace, then bytes that are no gzip member: the trace
# reads whole, the damage is still an error.
{ cat "$tmp/cz.gz"; printf 'not a gzip member'; } >"$tmp/ctail.gz"
kinds="ctrunc.gz cbad.gz ctail.gz"
if [ $have_zstd = 1 ]; then
  zstd -q -c "$hello" >"$tmp/cz.zst"
  n=$(wc -c <"$tmp/cz.zst")
  head -c $((n / 2)) "$tmp/cz.zst" >"$tmp/ctrunc.zst"
  { head -c $((n / 2)) "$tmp/cz.zst"; printf 'XXXXXXXXXXXXXXXX'; tail -c +$((n / 2 + 17)) "$tmp/cz.zst"; } >"$tmp/cbad.zst"
  kinds="$kinds ctrunc.zst cbad.zst"
fi
broken_ok=1 broken_n=0
for cmd in "dump" "dump --wire" "dump --footprint" "validate" "goroutines" "tasks" "regions" "mmu" \
  "pprof --type sched -o OUT" "timeline" "perfetto -o OUT" "report -o OUT" "summary" \
  "sql --csv IN 'SELECT count(*) FROM g_transitions'" "export --format=csv IN -o OUT" \
  "convert --to=text IN OUT" "convert --to=binary IN OUT" "cut --generations 1 IN OUT" "cut --list" \
  "split --size 1MB IN OUT"; do
  for k in $kinds; do
    for via in file stdin; do
      case $k in *.gz) z=gzip ;; *) z=zstd ;; esac
      case $k in ctrunc*) want="$z: unexpected end of data (truncated file?)" ;; *) want="$z: " ;; esac
      if [ $via = file ]; then in=$tmp/$k name=$tmp/$k; else in=- name="standard input"; fi
      c=$(echo "$cmd" | sed "s|OUT|$tmp/bo.out|")
      case $c in *IN*) c=$(echo "$c" | sed "s|IN|$in|") ;; *) c="$c $in" ;; esac
      rm -rf "$tmp"/bo.out*
      sh -c "'$GOTRACE' $c" <"$tmp/$k" >"$tmp/b.out" 2>"$tmp/b.err"
      rc=$?
      broken_n=$((broken_n + 1))
      if [ $rc -ne 1 ] || ! grep -qF "gotrace: $name: $want" "$tmp/b.err"; then
        broken_ok=0
        echo "    $cmd on $k ($via): status $rc: $(tr '\n' ' ' <"$tmp/b.err" | head -c 200)"
      fi
    done
  done
done
if [ $broken_ok = 1 ]; then ok "compressed_broken_every_command ($broken_n runs)"; else fail compressed_broken_every_command "see above"; fi

# ---------------------------------------------- what a non-trace looks like
# looks NAME FILE MESSAGE: goroutines, dump and validate exit 1 and say
# "gotrace: FILE: MESSAGE".
looks() {
  name=$1 file=$2 msg=$3
  for cmd in goroutines dump validate timeline; do
    rc=$(run "$tmp/l" "$cmd" "$file")
    if [ "$rc" -ne 1 ] || ! grep -qF "gotrace: $file: $msg" "$tmp/l.err"; then
      fail "$name" "$cmd: status $rc: $(tr '\n' ' ' <"$tmp/l.err")"
      return
    fi
  done
  ok "$name"
}
: >"$tmp/empty"
looks looks_empty "$tmp/empty" "empty file"
printf 'hello, world\n' >"$tmp/text"
looks looks_text "$tmp/text" "this is a text file, not a Go execution trace"
gzip -c "$tmp/text" >"$tmp/text.gz"
looks looks_gzip_text "$tmp/text.gz" "this is gzip data that is not a trace: it holds a text file"
gzip -c "$tmp/empty" >"$tmp/empty.gz"
looks looks_gzip_empty "$tmp/empty.gz" "this is gzip data that is not a trace: it holds nothing"
printf '\001\002\003\000binary' >"$tmp/bin"
looks looks_binary "$tmp/bin" "this is binary data, not a Go execution trace"
"$GOTRACE" convert --to=text "$hello" "$tmp/hello.txt" 2>/dev/null
looks looks_text_trace "$tmp/hello.txt" "this is a trace in Go's text format: gotrace convert --to=binary"
if [ $have_zstd = 1 ]; then
  zstd -q -c "$tmp/bin" >"$tmp/bin.zst"
  looks looks_zstd_binary "$tmp/bin.zst" "this is zstd data that is not a trace: it holds binary data"
fi
printf 'hello\n' | "$GOTRACE" goroutines - >/dev/null 2>"$tmp/l.err"
if grep -qF "gotrace: standard input: this is a text file" "$tmp/l.err"; then
  ok looks_stdin
else
  fail looks_stdin "$(tr '\n' ' ' <"$tmp/l.err")"
fi

# -------------------------------------------- times from the trace's start
# The text outputs print times relative to the trace's start as Go
# durations; --json keeps nanoseconds and gives trace_start_ns, which is the
# summary's start_ns. Checked by parsing the text back (python3).
if command -v python3 >/dev/null 2>&1; then
  "$GOTRACE" goroutines --json "$hello" >"$tmp/g.json"
  "$GOTRACE" goroutines --id 9 "$hello" >"$tmp/g.txt"
  "$GOTRACE" tasks --json "$hello" >"$tmp/t.json"
  "$GOTRACE" tasks --type squares "$hello" >"$tmp/t.txt"
  "$GOTRACE" regions --json "$hello" >"$tmp/r.json"
  "$GOTRACE" regions --type square "$hello" >"$tmp/r.txt"
  "$GOTRACE" mmu --json "$hello" >"$tmp/m.json"
  "$GOTRACE" mmu "$hello" >"$tmp/m.txt"
  "$GOTRACE" summary --json "$hello" >"$tmp/s.json" 2>/dev/null
  python3 - "$tmp" <<'PY'
import json, re, sys
d = sys.argv[1]
def dur(s):
    """Go's Duration.String back to ns."""
    if s == "0s": return 0
    total, units = 0, {"h": 3600e9, "m": 60e9, "s": 1e9, "ms": 1e6, "µs": 1e3, "us": 1e3, "ns": 1}
    for num, unit in re.findall(r"([0-9.]+)(h|ms|µs|us|ns|m|s)", s):
        total += float(num) * units[unit]
    return round(total)
def check(name, cond, why):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))
load = lambda f: json.load(open(f"{d}/{f}", encoding="utf-8"))
txt = lambda f: open(f"{d}/{f}", encoding="utf-8").read()
g, t, r, m = load("g.json"), load("t.json"), load("r.json"), load("m.json")
t0 = g["trace_start_ns"]
try:
    s0 = load("s.json")["trace"]["start_ns"]
    check("time_start_is_summary_start", t0 == s0 and t["trace_start_ns"] == t0 and r["trace_start_ns"] == t0 and m["trace_start_ns"] == t0,
          f"trace_start_ns {t0} {t['trace_start_ns']} {r['trace_start_ns']} {m['trace_start_ns']}, summary {s0}")
except Exception as e:
    print(f"skip time_start_is_summary_start: no summary --json ({e})")
g9 = [x for x in g["goroutines"] if x["id"] == 9][0]
got = {k: dur(re.search(k + r"\s+(\S+)", txt("g.txt")).group(1)) for k in ("Created", "Started", "Ended")}
want = {"Created": g9["creation_time"] - t0, "Started": g9["start_time"] - t0, "Ended": g9["end_time"] - t0}
check("time_goroutines_text", got == want and g9["start_time"] > t0, f"{got} != {want}")
task = t["tasks"][0]
mt = re.search(r"start (\S+)  end (\S+)", txt("t.txt"))
check("time_tasks_text", (dur(mt.group(1)), dur(mt.group(2))) == (task["start"] - t0, task["end"] - t0),
      f"{mt.groups()} vs {task['start'] - t0}, {task['end'] - t0}")
starts = sorted(dur(l.split()[2]) for l in txt("r.txt").splitlines()[1:] if l.strip().endswith("square"))
want_r = sorted(x["start"] - t0 for x in r["regions"] if x["name"] == "square")
check("time_regions_text", starts == want_r and len(starts) == 20, f"{starts[:3]} vs {want_r[:3]}")
w = [x for x in m["windows"] if x["window"] == 1000000][0]["worst"]
rows = txt("m.txt").split("Worst windows of 1ms:")[1].splitlines()[2:]
got_m = [dur(l.split()[0]) for l in rows if l.strip()]
check("time_mmu_text", got_m == [x["time"] - t0 for x in w][:len(got_m)] and got_m, f"{got_m} vs {[x['time'] - t0 for x in w]}")
PY
else
  echo "skip time_text: no python3"
fi

# -------------------------------------------------------- dump --goroutine
# Exactly the blocks of the full dump whose event has G=ID, or is a state
# transition of goroutine ID (GoID=ID), in order (awk over the full dump).
for id in 1 9; do
  "$GOTRACE" dump "$hello" | awk -v id="$id" '
    /^M=/ { keep = ($0 ~ (" G=" id " ") || $0 ~ (" GoID=" id " ")) }
    keep' >"$tmp/want"
  rc=$(run "$tmp/got" dump --goroutine "$id" "$hello")
  if [ "$rc" -eq 0 ] && [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
    ok "dump_goroutine_$id"
  else
    fail "dump_goroutine_$id" "status $rc, $(wc -l <"$tmp/got") lines, want $(wc -l <"$tmp/want")"
  fi
done
spellings opt_dump_goroutine goroutine 9 dump
usage opt_dump_goroutine_wire "--goroutine .*not with --wire" dump --goroutine 1 --wire "$hello"
usage opt_dump_goroutine_bad "bad goroutine ID 'x'" dump --goroutine x "$hello"

# ---------------------------------------------------------------- progress
# GOTRACE_PROGRESS_TEST=1 shows the progress line whatever the trace's size
# (normally above 50 MB); only when stderr is a terminal, never with --quiet;
# also while standard input is copied to a spool.
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
  # (dump --wire and convert read wire events: cli_progress_bytes.)
  for cmd in goroutines dump validate timeline "dump --wire" "convert --to=text"; do
    out=
    case $cmd in convert*) out=- ;; esac
    GOTRACE_PROGRESS_TEST=1 script -qec "'$GOTRACE' $cmd '$hello' $out >'$tmp/p.out'" /dev/null >"$tmp/tty" 2>&1
    GOTRACE_PROGRESS_TEST=1 script -qec "'$GOTRACE' $cmd --quiet '$hello' $out >'$tmp/q.out'" /dev/null >"$tmp/ttyq" 2>&1
    # shellcheck disable=SC2086
    GOTRACE_PROGRESS_TEST=1 "$GOTRACE" $cmd "$hello" $out >"$tmp/n.out" 2>"$tmp/n.err"
    if ! grep -aq "gotrace: [0-9.]* MB of [0-9.]* MB ([0-9]*%), [0-9.]* [MG]B/s, [0-9]*s left" "$tmp/tty"; then
      fail "progress_$(echo "$cmd" | tr -d ' =-')" "no progress line on a terminal: $(head -c 120 "$tmp/tty")"
    elif grep -aq "MB/s" "$tmp/ttyq"; then
      fail "progress_$(echo "$cmd" | tr -d ' =-')" "--quiet still shows progress"
    elif [ -s "$tmp/n.err" ]; then
      fail "progress_$(echo "$cmd" | tr -d ' =-')" "progress on a stderr that is not a terminal: $(head -c 120 "$tmp/n.err")"
    elif ! cmp -s "$tmp/p.out" "$tmp/n.out" || ! cmp -s "$tmp/q.out" "$tmp/n.out"; then
      fail "progress_$(echo "$cmd" | tr -d ' =-')" "the output changes with the progress line or --quiet"
    else
      ok "progress_$(echo "$cmd" | tr -d ' =-')"
    fi
  done
  # Standard input copied to a spool first (pprof, which reads twice): the
  # line says so and counts what was read (a pipe: no total).
  for cmd in "pprof --type=sched"; do
    out=
    case $cmd in convert*) out=- ;; esac
    name=progress_spool_$(echo "$cmd" | cut -d' ' -f1)
    GOTRACE_PROGRESS_TEST=1 script -qec "cat '$hello' | '$GOTRACE' $cmd - $out >'$tmp/p.out'" /dev/null >"$tmp/tty" 2>&1
    GOTRACE_PROGRESS_TEST=1 script -qec "cat '$hello' | '$GOTRACE' $cmd --quiet - $out >'$tmp/q.out'" /dev/null >"$tmp/ttyq" 2>&1
    # shellcheck disable=SC2086
    cat "$hello" | GOTRACE_PROGRESS_TEST=1 "$GOTRACE" $cmd - $out >"$tmp/n.out" 2>"$tmp/n.err"
    if ! grep -aq "gotrace: buffering the input: [0-9.]* MB read, [0-9.]* [MG]B/s" "$tmp/tty"; then
      fail "$name" "no progress line while standard input is spooled: $(head -c 120 "$tmp/tty")"
    elif grep -aq "MB/s" "$tmp/ttyq"; then
      fail "$name" "--quiet still shows progress"
    elif [ -s "$tmp/n.err" ]; then
      fail "$name" "progress on a stderr that is not a terminal: $(head -c 120 "$tmp/n.err")"
    elif [ ! -s "$tmp/n.out" ] || ! cmp -s "$tmp/p.out" "$tmp/n.out" || ! cmp -s "$tmp/q.out" "$tmp/n.out"; then
      fail "$name" "the output changes with the progress line or --quiet"
    else
      ok "$name"
    fi
  done
  # convert reads standard input once, as it comes: no spool, the line
  # counts what was read.
  GOTRACE_PROGRESS_TEST=1 script -qec "cat '$hello' | '$GOTRACE' convert --to=text - - >/dev/null" /dev/null >"$tmp/tty" 2>&1
  if grep -aq "gotrace: [0-9.]* MB read, [0-9.]* [MG]B/s" "$tmp/tty" && ! grep -aq "buffering" "$tmp/tty"; then
    ok progress_stdin_convert
  else
    fail progress_stdin_convert "no progress line, or a spool: $(head -c 120 "$tmp/tty")"
  fi
  gzip -c "$hello" >"$tmp/p.gz"
  size=$(wc -c <"$tmp/p.gz")
  # The compressed file's bytes: "of 0.0 MB" for a 20 kB file (pprof reads
  # it twice, decompressing it again: no spool).
  for cmd in goroutines "convert --to=text" "pprof --type=sched" "dump --wire"; do
    out=
    case $cmd in convert*) out=- ;; esac
    name=progress_compressed_$(echo "$cmd" | cut -d' ' -f1)
    GOTRACE_PROGRESS_TEST=1 script -qec "'$GOTRACE' $cmd -quiet '$tmp/p.gz' $out >/dev/null" /dev/null >"$tmp/ttyq" 2>&1
    GOTRACE_PROGRESS_TEST=1 script -qec "'$GOTRACE' $cmd '$tmp/p.gz' $out >/dev/null" /dev/null >"$tmp/tty" 2>&1
    if grep -aq "MB of 0.0 MB" "$tmp/tty" && ! grep -aq "buffering" "$tmp/tty" && ! grep -aq "MB/s" "$tmp/ttyq"; then
      ok "$name"
    else
      fail "$name" "no progress over the $size compressed bytes, a spool, or -quiet ignored: $(head -c 120 "$tmp/tty")"
    fi
  done
else
  echo "skip progress: no script(1) to run a command on a terminal"
fi

# ------------------------------------------------------ timeline --goroutine
# Goroutine 9's lines are those of the full timeline: its goroutine track
# (pid 1, tid 9), its "G9" slices on the Ps (pid 2); no other goroutine's
# track and no counters; valid JSON.
if command -v python3 >/dev/null 2>&1; then
  "$GOTRACE" timeline "$hello" >"$tmp/full.json" 2>/dev/null
  rc=$(run "$tmp/g9.json" timeline --goroutine 9 "$hello")
  python3 - "$tmp/full.json" "$tmp/g9.json" "$rc" <<'PY'
import json, sys
full, g9 = (json.load(open(p, encoding="utf-8"))["traceEvents"] for p in sys.argv[1:3])
key = lambda e: json.dumps(e, sort_keys=True)
sel = lambda evs, f: [key(e) for e in evs if f(e)]
track = lambda e: e.get("pid") == 1 and e.get("tid") == 9
on_p = lambda e: e.get("pid") == 2 and e.get("ph") in "BE" and e.get("name") == "G9"
problems = []
if sys.argv[3] != "0": problems.append("status " + sys.argv[3])
if sel(full, track) != sel(g9, track) or not sel(g9, track): problems.append("goroutine 9's track differs")
if sel(full, on_p) != sel(g9, on_p) or not sel(g9, on_p): problems.append("G9 slices on the Ps differ")
others = [e for e in g9 if e.get("ph") != "M" and (e.get("pid") == 1 and e.get("tid") != 9 or e.get("ph") == "C"
          or e.get("pid") == 2 and e.get("ph") in "BE" and e.get("name") != "G9")]
if others: problems.append(f"{len(others)} events of other tracks, e.g. {others[0]}")
print("ok timeline_goroutine" if not problems else "not ok timeline_goroutine: " + "; ".join(problems))
PY
else
  echo "skip timeline_goroutine: no python3"
fi
spellings opt_timeline_goroutine goroutine 9 timeline
usage opt_timeline_goroutine_bad "bad goroutine ID '-1'" timeline --goroutine -1 "$hello"
