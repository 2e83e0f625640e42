#!/bin/sh
# gotrace perfetto (Perfetto's protobuf trace format):
#  - command line: --help, usage errors (exit 2), binary refused to a
#    terminal is not testable here; -o - and -o FILE give the same bytes;
#    a full disk gives exit 3 and one message;
#  - every output decodes with protoc against ../shared/perfetto's schema
#    (Debian's protobuf-compiler) and passes perfetto_check.py: tracks
#    described before use, interned ids defined in their sequence, begin/end
#    balanced per track, timestamps (read on their clock: sequence 1's are
#    deltas on an incremental clock) in order per sequence, flows between
#    existing slices; per goroutine, Running time = `gotrace goroutines
#    --json` exec_time and Waiting time by reason = its block_time; task,
#    region, log and CPU sample counts = the trace's TaskBegin, RegionBegin,
#    Log and StackSample events;
#  - the checker itself fails on damaged outputs (a description removed, an
#    end removed, a name's interning removed);
#  - --from/--to: a window's output checks too (every timestamp inside the
#    window), and is smaller;
#  - the default compressed output (deflate) holds only compressed_packets
#    that inflate to the --no-compress bytes; --compress=zstd only
#    zstd_compressed_packets that the zstd command unpacks to them; packed
#    on a thread of its own (--threads 2), the same bytes;
#  - a broken trace (the example cut in half): exit 1 and an output that
#    still checks.
# Traces: examples/hello.trace, tests/data/scenarios/*.trace, and with
# ../shared every corpus trace.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
SHARED=${SHARED:-$ROOT/../shared}
CHECK="$ROOT/tests/scripts/perfetto_check.py"
. "$ROOT/tests/scripts/lib/common.sh"

# --- command line
if "$GOTRACE" perfetto --help >"$tmp/out" 2>&1 && grep -q '^usage: gotrace perfetto' "$tmp/out"; then
  echo "ok perfetto_help"
else
  echo "not ok perfetto_help: no usage on stdout with exit 0"
fi
usage_case() {
  name=$1; shift
  "$GOTRACE" perfetto "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then echo "ok $name"; else echo "not ok $name: exit $rc, want 2 and a message"; fi
}
usage_case perfetto_usage_no_file
usage_case perfetto_usage_no_output "$ROOT/examples/hello.trace"
usage_case perfetto_usage_bad_option --frobnicate "$ROOT/examples/hello.trace" -o -
usage_case perfetto_usage_bad_duration --from 1x "$ROOT/examples/hello.trace" -o -
usage_case perfetto_usage_from_after_to --from 2ms --to 1ms "$ROOT/examples/hello.trace" -o -
usage_case perfetto_usage_missing_file "$tmp/does-not-exist.trace" -o -
usage_case perfetto_usage_output_is_input "$ROOT/examples/hello.trace" -o "$ROOT/examples/hello.trace"

"$GOTRACE" perfetto "$ROOT/examples/hello.trace" -o - >"$tmp/stdout.pb" 2>"$tmp/err"
rc=$?
"$GOTRACE" perfetto "$ROOT/examples/hello.trace" -o "$tmp/file.pb" >"$tmp/none" 2>/dev/null
if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
  echo "not ok perfetto_hello_exit: exit $rc, stderr '$(head -n 1 "$tmp/err")'"
elif ! cmp -s "$tmp/stdout.pb" "$tmp/file.pb" || [ -s "$tmp/none" ]; then
  echo "not ok perfetto_output_file: -o FILE differs from -o -"
else
  echo "ok perfetto_stdout_and_output_file"
fi

# A gzip-compressed trace, as a file and on standard input: the same bytes.
if command -v gzip >/dev/null 2>&1; then
  gzip -c "$ROOT/examples/hello.trace" >"$tmp/hello.trace.gz"
  "$GOTRACE" perfetto "$tmp/hello.trace.gz" -o "$tmp/gz.pb" 2>"$tmp/err"
  rc=$?
  "$GOTRACE" perfetto - -o "$tmp/gzin.pb" <"$tmp/hello.trace.gz" 2>/dev/null
  if [ "$rc" -eq 0 ] && cmp -s "$tmp/gz.pb" "$tmp/stdout.pb" && cmp -s "$tmp/gzin.pb" "$tmp/stdout.pb"; then
    echo "ok perfetto_gzip_input"
  else
    echo "not ok perfetto_gzip_input: exit $rc, or other bytes than the plain trace's"
  fi
else
  echo "skip perfetto_gzip_input: no gzip"
fi

# A full disk: exit 3 and one message, compressed or not, packed inline or
# on a thread of its own (--threads 2).
for mode in "" --no-compress --compress=zstd "--threads 2" "--threads 2 --compress=zstd"; do
  name=perfetto_write_error$(echo "$mode" | tr ' ' '_')
  if [ -w /dev/full ]; then
    # shellcheck disable=SC2086
    "$GOTRACE" perfetto $mode "$ROOT/examples/hello.trace" -o /dev/full >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 3 ] && [ "$(grep -c 'write error' "$tmp/err")" -eq 1 ]; then
      echo "ok $name"
    else
      echo "not ok $name: exit $rc, stderr '$(head -n 2 "$tmp/err" | tr '\n' ';')'"
    fi
  else
    echo "skip $name: no /dev/full"
  fi
done

# --- decoding and checks
PROTO_DIR=$SHARED/perfetto
if ! command -v protoc >/dev/null 2>&1; then
  echo "skip perfetto_decode: protoc not installed (Debian: protobuf-compiler)"
  exit 0
fi
if [ ! -f "$PROTO_DIR/perfetto_trace.proto" ]; then
  echo "skip perfetto_decode: no $PROTO_DIR/perfetto_trace.proto"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "skip perfetto_decode: no python3 for the checker"
  exit 0
fi
decode() {
  protoc --decode=perfetto.protos.Trace -I "$PROTO_DIR" perfetto_trace.proto <"$1" >"$2" 2>"$tmp/protoc.err"
}

# Counts of TaskBegin, RegionBegin, Log and StackSample events in the trace.
counts() {
  "$GOTRACE" dump "$1" >"$tmp/dump" 2>/dev/null || { echo "dump failed"; return; }
  awk <"$tmp/dump" '
    $4 == "TaskBegin" { t++ } $4 == "RegionBegin" { r++ } $4 == "Log" { l++ } $4 == "StackSample" { s++ }
    END { printf "%d %d %d %d\n", t, r, l, s }'
}

# check NAME TRACE [perfetto options]: convert, decode, check (with the
# goroutine cross-check for a trace read without error: over the window of
# WINDOW, the same window's `goroutines --json --from --to`; and the counts
# for a whole trace). WINDOW, "FROM_NS TO_NS", is the window the options
# (only --from and --to) give.
check() {
  name=$1; trace=$2; shift 2
  options="$*"
  "$GOTRACE" perfetto --no-compress "$@" "$trace" -o "$tmp/$name.pb" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "not ok perfetto_$name: exit $rc: $(head -n 1 "$tmp/err")"; return
  fi
  if ! decode "$tmp/$name.pb" "$tmp/$name.txt"; then
    echo "not ok perfetto_$name: protoc cannot decode it: $(head -n 1 "$tmp/protoc.err")"; return
  fi
  set --
  # shellcheck disable=SC2086
  [ -n "$WINDOW" ] && set -- --window $WINDOW
  if [ "$rc" -eq 0 ] && [ -n "$WINDOW" ]; then
    # shellcheck disable=SC2086
    if ! "$GOTRACE" goroutines --json $options "$trace" >"$tmp/$name.json" 2>"$tmp/err"; then
      echo "not ok perfetto_$name: gotrace goroutines $options: $(head -n 1 "$tmp/err")"; return
    fi
    set -- "$@" --goroutines "$tmp/$name.json"
  elif [ "$rc" -eq 0 ]; then
    if "$GOTRACE" goroutines --json "$trace" >"$tmp/$name.json" 2>/dev/null; then
      set -- "$@" --goroutines "$tmp/$name.json"
    fi
    c=$(counts "$trace")
    rm -f "$tmp/dump"
    case $c in
      "dump failed") echo "not ok perfetto_$name: gotrace dump failed"; return ;;
    esac
    # shellcheck disable=SC2086
    set -- "$@" --counts $c
  fi
  if python3 "$CHECK" "$tmp/$name.txt" "$@" >"$tmp/check.out" 2>&1; then
    echo "ok perfetto_$name"
  else
    echo "not ok perfetto_$name: $(head -n 3 "$tmp/check.out" | tr '\n' ';')"
  fi
  rm -f "$tmp/$name.pb" "$tmp/$name.txt" "$tmp/$name.json"
}
WINDOW=
check hello "$ROOT/examples/hello.trace"
# CPU samples: a Go 1.27 program (cpu-samples.go.txt) traced with the CPU
# profiler on.
check cpu_samples "$ROOT/tests/data/perfetto/cpu-samples.trace"
for f in "$ROOT"/tests/data/scenarios/*.trace; do
  [ -f "$f" ] || continue
  check "scenario_$(basename "$f" .trace)" "$f"
done
# Long log messages: hello's one log twice (the copy's name is interned
# already, so the writer takes its short path for it), with a message of
# LEN bytes (long_log_trace.py). From 90 to 95 bytes the copy's packet
# outgrows a one-byte length on that path; 80 stays below, 100 takes the
# general path. Both logs must decode with the whole message.
if "$GOTRACE" convert --to=text "$ROOT/examples/hello.trace" "$tmp/hello.txt" 2>"$tmp/err"; then
  for len in 80 90 92 95 100; do
    msg=$(python3 -c "print('m' * $len)")
    if ! python3 "$ROOT/tests/scripts/long_log_trace.py" "$tmp/hello.txt" "$msg" >"$tmp/long.txt" ||
       ! "$GOTRACE" convert --to=binary "$tmp/long.txt" "$tmp/long.trace" 2>"$tmp/err"; then
      echo "not ok perfetto_long_log_$len: no trace: $(head -n 1 "$tmp/err")"; continue
    fi
    check "long_log_$len" "$tmp/long.trace"
    "$GOTRACE" perfetto --no-compress "$tmp/long.trace" -o "$tmp/long.pb" 2>/dev/null
    if ! decode "$tmp/long.pb" "$tmp/long.pbtxt"; then
      echo "not ok perfetto_long_log_${len}_messages: protoc cannot decode it"
    elif python3 - "$tmp/long.pbtxt" "$msg" <<'PY'
import re, sys
text, msg = open(sys.argv[1]).read(), sys.argv[2]
events = [e for e in re.findall(r'\n  track_event \{\n(.*?)\n  \}\n', text, re.S) if '"%s"' % msg in e]
sys.exit(0 if len(events) == 2 and events[0] == events[1] else 1)
PY
    then
      echo "ok perfetto_long_log_${len}_messages"
    else
      echo "not ok perfetto_long_log_${len}_messages: not two equal log events with the whole message"
    fi
  done
else
  echo "not ok perfetto_long_log: hello.trace to text: $(head -n 1 "$tmp/err")"
fi
if [ -d "$SHARED/corpus" ]; then
  for f in "$SHARED"/corpus/*.trace; do
    check "$(basename "$f" .trace)" "$f"
  done
else
  echo "skip perfetto_corpus: no $SHARED/corpus"
fi

# --- compressed output: the default (deflate) holds only compressed_packets,
# --compress=zstd only zstd_compressed_packets, each under 512 KiB, that
# unpack to exactly the plain output's bytes. UNPACK METHOD FILE writes the
# inflated packets (deflate), or the zstd frames as they are, which the
# zstd command then decompresses (a real zstd reader; Python 3.11 has none).
UNPACK='
import sys, zlib
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
field = {"deflate": 50, "zstd": 133}[sys.argv[1]]
d = open(sys.argv[2], "rb").read(); i = 0; out = []
while i < len(d):
    k, i = varint(d, i); n, i = varint(d, i); pk = d[i:i + n]; i += n
    assert k == 0x0a, "not a Trace.packet"
    assert n < 512 << 10, "compressed packet of %d bytes" % n
    k2, j = varint(pk, 0); m, j = varint(pk, j)
    assert k2 == (field << 3 | 2) and j + m == len(pk), "not only field %d" % field
    out.append(zlib.decompress(pk[j:]) if field == 50 else pk[j:])
assert out, "no packet"
sys.stdout.buffer.write(b"".join(out))
'
compressed_case() {
  method=$1; name=$2; trace=$3
  case=perfetto_compressed_$name; [ "$method" = deflate ] || case=perfetto_${method}_$name
  if [ "$method" = zstd ] && ! command -v zstd >/dev/null 2>&1; then
    echo "skip $case: no zstd command (Debian: zstd)"; return
  fi
  "$GOTRACE" perfetto --compress="$method" "$trace" -o "$tmp/c.pb" 2>/dev/null &&
    "$GOTRACE" perfetto --threads 2 --compress="$method" "$trace" -o "$tmp/c2.pb" 2>/dev/null &&
    "$GOTRACE" perfetto --no-compress "$trace" -o "$tmp/p.pb" 2>/dev/null
  if ! cmp -s "$tmp/c.pb" "$tmp/c2.pb"; then
    echo "not ok $case: packed on a thread (--threads 2), the output differs"
  elif ! decode "$tmp/c.pb" "$tmp/c.txt"; then
    echo "not ok $case: protoc cannot decode it"
  elif ! python3 -c "$UNPACK" "$method" "$tmp/c.pb" >"$tmp/c.packed" 2>"$tmp/c.err"; then
    echo "not ok $case: $(tail -n 1 "$tmp/c.err")"
  elif [ "$method" = zstd ] && ! zstd -dcq <"$tmp/c.packed" >"$tmp/c.plain" 2>"$tmp/c.err"; then
    echo "not ok $case: zstd: $(tail -n 1 "$tmp/c.err")"
  elif { [ "$method" = zstd ] || mv "$tmp/c.packed" "$tmp/c.plain"; } && ! cmp -s "$tmp/c.plain" "$tmp/p.pb"; then
    echo "not ok $case: unpacked packets differ from --no-compress"
  elif [ "$(wc -c <"$tmp/c.pb")" -ge "$(wc -c <"$tmp/p.pb")" ]; then
    echo "not ok $case: not smaller"
  else
    echo "ok $case"
  fi
}
# The default is deflate: the same bytes as --compress=deflate.
"$GOTRACE" perfetto "$ROOT/examples/hello.trace" -o "$tmp/d1.pb" 2>/dev/null
"$GOTRACE" perfetto --compress=deflate "$ROOT/examples/hello.trace" -o "$tmp/d2.pb" 2>/dev/null
if [ -s "$tmp/d1.pb" ] && cmp -s "$tmp/d1.pb" "$tmp/d2.pb"; then
  echo "ok perfetto_compress_default_deflate"
else
  echo "not ok perfetto_compress_default_deflate: the default output is not --compress=deflate's"
fi
for method in deflate zstd; do
  compressed_case $method hello "$ROOT/examples/hello.trace"
  [ -f "$SHARED/corpus/multigen.go124.trace" ] && compressed_case $method multigen "$SHARED/corpus/multigen.go124.trace"
done

# --- the checker fails on damaged outputs (each damage must be caught)
"$GOTRACE" perfetto --no-compress "$ROOT/examples/hello.trace" -o "$tmp/h.pb" 2>/dev/null
decode "$tmp/h.pb" "$tmp/h.txt"
"$GOTRACE" goroutines --json "$ROOT/examples/hello.trace" >"$tmp/h.json"
damage() {
  name=$1; prog=$2; shift 2
  awk "$prog" "$tmp/h.txt" >"$tmp/d.txt"
  if cmp -s "$tmp/h.txt" "$tmp/d.txt"; then
    echo "not ok perfetto_checker_$name: the damage changed nothing"
  elif python3 "$CHECK" "$tmp/d.txt" "$@" >/dev/null 2>&1; then
    echo "not ok perfetto_checker_$name: the checker passes a damaged output"
  else
    echo "ok perfetto_checker_$name"
  fi
}
# The first description of a goroutine track ("G1 ...") dropped.
damage no_description '/^packet \{/ { buf = $0; inpk = 1; drop = 0; next }
  inpk { buf = buf "\n" $0; if ($0 ~ /name: "G1 /) drop = 1; if ($0 ~ /^\}/) { inpk = 0; if (!drop || done) print buf; if (drop) done = 1 } next } { print }'
# The 100th slice end dropped.
damage no_end '/^packet \{/ { buf = $0; inpk = 1; e = 0; next }
  inpk { buf = buf "\n" $0; if ($0 ~ /TYPE_SLICE_END/) e = 1; if ($0 ~ /^\}/) { inpk = 0; if (e) n++; if (!(e && n == 100)) print buf } next } { print }'
# The first interned event name dropped.
damage no_interned_name '/^    event_names \{/ && !done { skip = 1; done = 1 }
  skip { if ($0 ~ /^    \}/) skip = 0; next } { print }'
# The first clearing packet's defaults dropped: its events' timestamps, deltas
# on the incremental clock, would be read as absolute times and go backwards.
damage no_clock_defaults '/^  trace_packet_defaults \{/ && !done { skip = 1; done = 1 }
  skip { if ($0 ~ /^  \}/) skip = 0; next } { print }'
# The name "Running" of one generation renamed: the Running time falls short.
damage running_time '/name: "Running"/ && !done { sub(/"Running"/, "\"Runnin\""); done = 1 } { print }' \
  --goroutines "$tmp/h.json"

# --- a window
WINDOW="1000000 2000000"
check window_hello "$ROOT/examples/hello.trace" --from 1ms --to 2ms
whole=$(wc -c <"$tmp/h.pb")
"$GOTRACE" perfetto --no-compress --from 1ms --to 2ms "$ROOT/examples/hello.trace" -o "$tmp/w.pb" 2>/dev/null
part=$(wc -c <"$tmp/w.pb")
if [ "$part" -gt 0 ] && [ "$part" -lt "$whole" ]; then
  echo "ok perfetto_window_smaller"
else
  echo "not ok perfetto_window_smaller: window $part bytes, whole $whole"
fi
# From the start: goroutines the trace shows first after the window's end,
# in its first generation, waited (or ran) since its Sync: their slices
# must be in the window, as the window's goroutine summary counts them.
WINDOW="0 1000000"
check window_hello_start "$ROOT/examples/hello.trace" --to 1ms
if [ -d "$SHARED/corpus" ] && [ -f "$SHARED/corpus/multigen.go125.trace" ]; then
  WINDOW="5000000 40000000"
  check window_multigen "$SHARED/corpus/multigen.go125.trace" --from 5ms --to 40ms
  WINDOW="0 5000000"
  check window_multigen_start "$SHARED/corpus/multigen.go125.trace" --to 5ms
fi
# An old-format trace: its first event (a Sync) is at time -1, and the
# window still ends at --to.
if [ -d "$SHARED/corpus" ] && [ -f "$SHARED/corpus/httpserve.go121.trace" ]; then
  WINDOW="10000000 20000000"
  check window_v1_httpserve "$SHARED/corpus/httpserve.go121.trace" --from 10ms --to 20ms
fi

# --- a broken trace: the first half of the example
size=$(wc -c <"$ROOT/examples/hello.trace")
head -c $((size / 2)) "$ROOT/examples/hello.trace" >"$tmp/half.trace"
"$GOTRACE" perfetto --no-compress "$tmp/half.trace" -o "$tmp/half.pb" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q 'Lost' "$tmp/err"; then
  echo "not ok perfetto_broken_exit: exit $rc, want 1 and the Lost line"
elif ! decode "$tmp/half.pb" "$tmp/half.txt" || ! python3 "$CHECK" "$tmp/half.txt" >"$tmp/check.out" 2>&1; then
  echo "not ok perfetto_broken_output: $(head -n 2 "$tmp/check.out" | tr '\n' ';')"
else
  echo "ok perfetto_broken_trace"
fi
exit 0
