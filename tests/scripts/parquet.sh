#!/bin/sh
# The Parquet output, read back by a real reader: DuckDB (the npm package
# @duckdb/node-api run by Node.js through tests/scripts/duckdb_query.mjs).
# DuckDB is not in Debian: with SQL_TESTS_DUCKDB=1 or CI set, this script
# installs it from npm into $GOTRACE_DUCKDB_DIR (default
# ~/.cache/gotrace-duckdb), never into the repository; without, it uses an
# installation already there, or skips the cases that need it, saying so.
#
# The writer (cli/parquet.c, driven by $BUILD/parquet/pq-synth from
# tests/parquet/synth.c):
#  - a synthetic table (NULLs in every nullable column, extreme integers,
#    -0, infinities and NaN, empty, long and non-UTF-8 strings, a column
#    always NULL) with small limits: many pages, 5 row groups, dictionaries
#    that overflow into PLAIN. DuckDB reads back exactly every value (every
#    row compared, doubles by their bits, strings by their bytes); the
#    schema (types, repetition, logical types) is the one written; every
#    chunk is zstd compressed, string chunks dictionary encoded; each row
#    group's statistics (min, max, null count) equal what DuckDB computes
#    from the values;
#  - the same table of 100000 rows with the default limits, compared whole;
#  - an empty table: read as 0 rows with its 10 columns;
#  - without DuckDB: the file's magic at both ends, and a full disk gives
#    exit 3 and a message.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$ROOT/../shared}
SYNTH="$ROOT/$BUILD/parquet/pq-synth"
QUERY="$ROOT/tests/scripts/duckdb_query.mjs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ------------------------------------------------------------ DuckDB
DUCKDB_NPM="@duckdb/node-api@1.5.6-r.1"
DUCKDB_DIR=${GOTRACE_DUCKDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gotrace-duckdb}
DUCKDB_NODE_MODULES="$DUCKDB_DIR/node_modules"
export DUCKDB_NODE_MODULES
want_duckdb=${SQL_TESTS_DUCKDB:-}${CI:-}
no_duckdb=""
if ! command -v node >/dev/null 2>&1; then
  no_duckdb="no node (Node.js runs DuckDB's npm package)"
elif [ ! -d "$DUCKDB_NODE_MODULES/@duckdb/node-api" ]; then
  if [ -z "$want_duckdb" ]; then
    no_duckdb="DuckDB not installed; SQL_TESTS_DUCKDB=1 (or CI) installs $DUCKDB_NPM from npm into $DUCKDB_DIR"
  elif ! command -v npm >/dev/null 2>&1; then
    no_duckdb="no npm to install DuckDB"
  else
    # Into a directory of our own, then renamed: another test run may be
    # installing at the same time.
    mkdir -p "$(dirname "$DUCKDB_DIR")"
    stage="$DUCKDB_DIR.install.$$"
    if npm install --prefix "$stage" --no-audit --no-fund --no-save "$DUCKDB_NPM" >"$tmp/npm.log" 2>&1; then
      mv "$stage" "$DUCKDB_DIR" 2>/dev/null || rm -rf "$stage"
    else
      rm -rf "$stage"
    fi
    [ -d "$DUCKDB_NODE_MODULES/@duckdb/node-api" ] ||
      no_duckdb="npm install $DUCKDB_NPM failed: $(tail -n 2 "$tmp/npm.log" | tr '\n' ' ')"
  fi
fi
if [ -z "$no_duckdb" ] && ! node "$QUERY" "select 42" >"$tmp/smoke" 2>&1; then
  no_duckdb="DuckDB does not run: $(head -n 2 "$tmp/smoke" | tr '\n' ' ')"
fi
if [ -n "$no_duckdb" ] && [ -n "$want_duckdb" ]; then
  # Asked for (CI): missing DuckDB is a failure, not a skip.
  echo "not ok parquet_duckdb: $no_duckdb"
fi

# skip_duck NAME: prints the skip line and returns 0 when DuckDB is missing.
skip_duck() {
  [ -n "$no_duckdb" ] || return 1
  echo "skip $1: $no_duckdb"
}
duck() { node "$QUERY" "$@"; }
# .ci/run installs DuckDB up front with GOTRACE_DUCKDB_INSTALL_ONLY=1.
if [ -n "${GOTRACE_DUCKDB_INSTALL_ONLY:-}" ]; then
  [ -n "$no_duckdb" ] || echo "ok parquet_duckdb: $(duck "select version()") in $DUCKDB_DIR"
  exit 0
fi

# -------------------------------------------------- the writer itself
if [ ! -x "$SYNTH" ]; then
  echo "not ok parquet_synth_built: $SYNTH missing (make test builds it)"
  exit 0
fi

small="$tmp/small.parquet"
"$SYNTH" "$small" "$tmp/small.expected" 5000 small 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
  echo "not ok parquet_synth_small: exit $rc: $(head -n 1 "$tmp/err")"
elif [ "$(head -c 4 "$small")" != PAR1 ] || [ "$(tail -c 4 "$small")" != PAR1 ]; then
  echo "not ok parquet_synth_magic: no PAR1 at both ends"
else
  echo "ok parquet_synth_magic"
fi

if [ -w /dev/full ]; then
  "$SYNTH" /dev/full "$tmp/full.expected" 5000 small >/dev/null 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 3 ] && grep -q 'No space left' "$tmp/err"; then
    echo "ok parquet_synth_full_disk"
  else
    echo "not ok parquet_synth_full_disk: exit $rc, stderr '$(head -n 1 "$tmp/err")', want 3 and ENOSPC"
  fi
else
  echo "skip parquet_synth_full_disk: no /dev/full"
fi

# Every value, in the order written.
ALL="epoch_ns(ts), v, d, b, cat, name, long, none, flag"
content_case() {
  name=$1 file=$2 expected=$3
  if duck --exact "select id, $ALL from read_parquet('$file') order by id" >"$tmp/got" 2>"$tmp/err" &&
     cmp -s "$tmp/got" "$expected"; then
    echo "ok $name"
  else
    echo "not ok $name: DuckDB reads other values ($(wc -l <"$tmp/got") lines of $(wc -l <"$expected"); $(head -c 200 "$tmp/err"))"
  fi
}

if ! skip_duck parquet_synth_small_content; then
  content_case parquet_synth_small_content "$small" "$tmp/small.expected"

  # The schema as written.
  duck "select name, type, repetition_type, converted_type, logical_type from parquet_schema('$small')" \
    >"$tmp/schema" 2>&1
  cat >"$tmp/schema.want" <<'EOF'
schema	NULL	NULL	NULL	NULL
id	INT64	REQUIRED	INT_64	IntType(bitWidth=@, isSigned=1)
ts	INT64	REQUIRED	NULL	TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=<null>, NANOS=NanoSeconds()))
v	INT64	OPTIONAL	INT_64	IntType(bitWidth=@, isSigned=1)
d	DOUBLE	OPTIONAL	NULL	NULL
b	BOOLEAN	OPTIONAL	NULL	NULL
cat	BYTE_ARRAY	REQUIRED	UTF8	StringType()
name	BYTE_ARRAY	OPTIONAL	UTF8	StringType()
long	BYTE_ARRAY	OPTIONAL	UTF8	StringType()
none	BYTE_ARRAY	OPTIONAL	UTF8	StringType()
flag	BOOLEAN	REQUIRED	NULL	NULL
EOF
  if cmp -s "$tmp/schema" "$tmp/schema.want"; then
    echo "ok parquet_synth_schema"
  else
    echo "not ok parquet_synth_schema: $(diff "$tmp/schema.want" "$tmp/schema" | head -n 4 | tr '\n' ' ')"
  fi

  # Row groups of 1000 rows, zstd everywhere, dictionaries for strings (the
  # name column's overflows: 1000 distinct names do not fit in 2 KiB, so
  # PLAIN pages follow the dictionary's).
  duck "select count(distinct row_group_id), min(row_group_num_rows), max(row_group_num_rows),
               count(*) filter (compression <> 'ZSTD'),
               count(*) filter (path_in_schema in ('cat', 'name') and (dictionary_page_offset is null
                                or encodings not like '%RLE_DICTIONARY%' or encodings not like '%PLAIN%')),
               (select value from parquet_kv_metadata('$small') where key = 'gotrace.test'),
               (select created_by from parquet_file_metadata('$small'))
        from parquet_metadata('$small')" >"$tmp/layout" 2>&1
  want="5	1000	1000	0	0	synthetic	gotrace version "
  case $(cat "$tmp/layout") in
    "$want"*) echo "ok parquet_synth_layout" ;;
    *) echo "not ok parquet_synth_layout: got '$(head -c 200 "$tmp/layout")', want '$want...'" ;;
  esac

  # Each row group's statistics against the values DuckDB reads.
  duck "select row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count
        from parquet_metadata('$small')
        where path_in_schema in ('id', 'v', 'b', 'cat', 'name', 'none', 'flag') order by 1, 2" >"$tmp/stats" 2>&1
  duck "create view t as select id // 1000 as rg, * from read_parquet('$small')" \
    "select * from (
       select rg, 'b' c, min(b)::varchar, max(b)::varchar, count(*) - count(b) from t group by rg union all
       select rg, 'cat', min(cat), max(cat), count(*) - count(cat) from t group by rg union all
       select rg, 'flag', min(flag)::varchar, max(flag)::varchar, count(*) - count(flag) from t group by rg union all
       select rg, 'id', min(id)::varchar, max(id)::varchar, count(*) - count(id) from t group by rg union all
       select rg, 'name', min(name), max(name), count(*) - count(name) from t group by rg union all
       select rg, 'none', min(none), max(none), count(*) - count(none) from t group by rg union all
       select rg, 'v', min(v)::varchar, max(v)::varchar, count(*) - count(v) from t group by rg)
     order by 1, 2" >"$tmp/stats.want" 2>&1
  if [ "$(wc -l <"$tmp/stats")" -eq 35 ] && cmp -s "$tmp/stats" "$tmp/stats.want"; then
    echo "ok parquet_synth_statistics"
  else
    echo "not ok parquet_synth_statistics: $(diff "$tmp/stats.want" "$tmp/stats" | head -n 4 | tr '\n' ' ')"
  fi
fi

if ! skip_duck parquet_synth_default_content; then
  "$SYNTH" "$tmp/big.parquet" "$tmp/big.expected" 100000 2>"$tmp/err" ||
    echo "not ok parquet_synth_default: $(head -n 1 "$tmp/err")"
  content_case parquet_synth_default_content "$tmp/big.parquet" "$tmp/big.expected"
  rm -f "$tmp/big.parquet" "$tmp/big.expected" "$tmp/got"

  "$SYNTH" "$tmp/empty.parquet" "$tmp/empty.expected" 0 2>"$tmp/err"
  got=$(duck "select count(*), (select count(*) from (describe select * from read_parquet('$tmp/empty.parquet')))
              from read_parquet('$tmp/empty.parquet')" 2>&1)
  if [ "$got" = "0	10" ]; then
    echo "ok parquet_synth_empty"
  else
    echo "not ok parquet_synth_empty: got '$got', want 0 rows of 10 columns"
  fi
fi

# ------------------------------------------- gotrace export --format=parquet
hello="$ROOT/examples/hello.trace"
tables=$("$GOTRACE" sql "$hello" "select name from schema_tables order by name" --csv 2>/dev/null |
  tail -n +2 | tr -d '\r')
# select_list TABLE: its columns in order, TEXT as x and the hex of its
# bytes (the sqlite3 command stops printing a string at a NUL byte), in SQL
# that SQLite and DuckDB both run.
"$GOTRACE" sql "$hello" "select table_name, column_name, type from schema_columns" --csv 2>/dev/null |
  tail -n +2 | tr -d '\r' >"$tmp/columns"
select_list() {
  awk -F, -v t="$1" -v x="'x'" '$1 == t { c = $3 == "TEXT" ? "case when " $2 " is null then null else " x " || hex(" $2 ") end" : $2
                                l = l (l == "" ? "" : ", ") c } END { print l }' "$tmp/columns"
}
if ! "$GOTRACE" export --format=parquet "$hello" -o "$tmp/hello" 2>"$tmp/err"; then
  echo "not ok parquet_export_hello: exit $?: $(head -n 1 "$tmp/err")"
  exit 0
fi
# One file per table of the schema, and nothing else (no temporaries).
want=$(printf '%s\n' $tables | sed 's/$/.parquet/' | LC_ALL=C sort)
got=$(ls "$tmp/hello" | LC_ALL=C sort)
if [ -n "$tables" ] && [ "$got" = "$want" ]; then
  echo "ok parquet_export_files"
else
  echo "not ok parquet_export_files: got '$(echo $got)', want '$(echo $want)'"
fi

# --tables: each table alone, and a pair as a dataset, byte for byte the
# full export's files (the writer is deterministic), and no other file.
bad=""
for t in $tables; do
  rm -rf "$tmp/pt"
  if ! "$GOTRACE" export --format=parquet --tables "$t" "$hello" -o "$tmp/pt" 2>"$tmp/err"; then
    bad="$bad $t:status"; continue
  fi
  [ "$(ls "$tmp/pt")" = "$t.parquet" ] || { bad="$bad $t:files($(ls "$tmp/pt" | tr '\n' ' '))"; continue; }
  cmp -s "$tmp/pt/$t.parquet" "$tmp/hello/$t.parquet" || bad="$bad $t"
done
rm -rf "$tmp/pd" "$tmp/pdfull"
if "$GOTRACE" export --format=parquet --dataset "$hello" -o "$tmp/pdfull" 2>"$tmp/err" &&
   "$GOTRACE" export --format=parquet --dataset --tables frames,g_transitions "$hello" -o "$tmp/pd" 2>"$tmp/err"; then
  got=$(cd "$tmp/pd" && find . -type f | LC_ALL=C sort | tr '\n' ' ')
  [ "$got" = "./frames/trace=hello/part-0.parquet ./g_transitions/trace=hello/part-0.parquet " ] || bad="$bad dataset:files($got)"
  for f in frames g_transitions; do
    cmp -s "$tmp/pd/$f/trace=hello/part-0.parquet" "$tmp/pdfull/$f/trace=hello/part-0.parquet" || bad="$bad dataset:$f"
  done
else
  bad="$bad dataset:status($(head -n 1 "$tmp/err"))"
fi
if [ -n "$tables" ] && [ -z "$bad" ]; then echo "ok parquet_export_tables"; else echo "not ok parquet_export_tables:$bad"; fi

# Usage and failures.
usage_case() {
  name=$1; shift
  "$GOTRACE" export --format=parquet "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ]; then echo "ok $name"; else echo "not ok $name: exit $rc, want 2 and a message"; fi
}
usage_case parquet_export_same_name "$hello" "$tmp/hello.trace" -o "$tmp/u1"
usage_case parquet_export_no_output "$hello"
usage_case parquet_export_tables_unknown --tables frames,nope "$hello" -o "$tmp/u3"
usage_case parquet_export_missing_file "$tmp/none.trace" -o "$tmp/u2/sub"
# A missing input or one that is not a trace leaves nothing behind: no
# file and no directory made for it (-o's missing parents included); in a
# dataset, the other traces' partitions only.
if [ -e "$tmp/u2" ]; then
  echo "not ok parquet_export_missing_file_nothing_left: $tmp/u2 made"
else
  echo "ok parquet_export_missing_file_nothing_left"
fi
printf 'not a trace\n' >"$tmp/text.trace"
"$GOTRACE" export --format=parquet "$tmp/text.trace" -o "$tmp/text/sub" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/text" ]; then
  echo "ok parquet_export_not_a_trace"
else
  echo "not ok parquet_export_not_a_trace: exit $rc (want 1), left '$(find "$tmp/text" 2>/dev/null | head -n 3 | tr '\n' ' ')'"
fi
"$GOTRACE" export --format=parquet "$tmp/text.trace" "$hello" -o "$tmp/mixed" >/dev/null 2>"$tmp/err"
rc=$?
left=$(cd "$tmp/mixed" 2>/dev/null && find . -type d -name 'trace=*' | LC_ALL=C sort -u | sed 's,.*/,,' | sort -u | tr '\n' ' ')
ndirs=$(find "$tmp/mixed" -type d -name 'trace=hello' 2>/dev/null | wc -l)
if [ "$rc" -eq 1 ] && [ "$left" = "trace=hello " ] && [ "$ndirs" -eq "$(printf '%s\n' $tables | wc -l)" ] &&
   [ -z "$(find "$tmp/mixed" -type d -empty)" ]; then
  echo "ok parquet_export_dataset_not_a_trace"
else
  echo "not ok parquet_export_dataset_not_a_trace: exit $rc (want 1), partitions '$left', $ndirs trace=hello, empty: $(find "$tmp/mixed" -type d -empty | head -n 2 | tr '\n' ' ')"
fi
# A broken trace: status 1, every table written, traces.error says why.
size=$(wc -c <"$hello")
head -c $((size / 2)) "$hello" >"$tmp/half.trace"
"$GOTRACE" export --format=parquet "$tmp/half.trace" -o "$tmp/half" >/dev/null 2>"$tmp/err"
rc=$?
nfiles=$(ls "$tmp/half" 2>/dev/null | grep -c '\.parquet$')
if skip_duck parquet_export_broken_trace; then :
elif [ "$rc" -eq 1 ] && [ "$nfiles" -eq "$(printf '%s\n' $tables | wc -l)" ] &&
     [ "$(duck "select count(*) from read_parquet('$tmp/half/traces.parquet') where error is not null")" = 1 ]; then
  echo "ok parquet_export_broken_trace"
else
  echo "not ok parquet_export_broken_trace: exit $rc, $nfiles files, traces.error missing"
fi

# Every trace's every table, as DuckDB reads the Parquet files and as
# SQLite holds them (gotrace export --format=sqlite): the same rows. Each
# trace is exported with --dataset into one hive-partitioned dataset, as
# fleet workers do (each export adds its partitions, keeping the others);
# hello.trace also as a single trace (TABLE.parquet).
if skip_duck parquet_export_equals_sqlite; then :
elif ! command -v sqlite3 >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
  echo "skip parquet_export_equals_sqlite: no sqlite3 or python3 command"
else
  set -- "$hello" "$ROOT"/tests/data/scenarios/*.trace
  if [ -d "$SHARED/corpus" ]; then set -- "$@" "$SHARED"/corpus/*.trace; else
    echo "skip parquet_export_corpus: no ../shared/corpus (the scenario traces only)"; fi
  : >"$tmp/sqlite.txt"
  sql_all() {  # DB NAME: every table's rows, each prefixed with TABLE and NAME
    q=""
    for t in $tables; do q="$q select '$t', '$2', $(select_list "$t") from $t;"; done
    sqlite3 -bail -tabs -nullvalue NULL "$1" "$q"
  }
  n=0
  for f in "$@"; do
    name=$(basename "$f" .trace)
    # A trace the reader stops on is still exported (status 1): its rows
    # are compared like the others'.
    "$GOTRACE" export --format=parquet --dataset "$f" -o "$tmp/all" 2>"$tmp/err"
    rc=$?
    [ "$rc" -le 1 ] || { echo "not ok parquet_export_dataset: $f: exit $rc: $(head -n 1 "$tmp/err")"; continue; }
    "$GOTRACE" export --format=sqlite "$f" -o "$tmp/one.db" 2>/dev/null
    rc=$?
    [ "$rc" -le 1 ] || { echo "not ok parquet_export_sqlite: $f: exit $rc"; continue; }
    sql_all "$tmp/one.db" "$name" >>"$tmp/sqlite.txt" 2>"$tmp/err" ||
      echo "not ok parquet_export_sqlite_query: $f: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
    rm -f "$tmp/one.db"
    n=$((n + 1))
  done
  set --
  for t in $tables; do
    set -- "$@" "select '$t', trace, $(select_list "$t") from read_parquet('$tmp/all/$t/*/*.parquet', hive_partitioning = false)"
  done
  duck --all --sqlite "$@" >"$tmp/duck.txt" 2>"$tmp/err" ||
    echo "not ok parquet_export_duckdb_query: $(head -c 300 "$tmp/err")"
  # Parquet strings are UTF-8: the writer replaces each byte that does not
  # begin a well-formed sequence with U+FFFD (as Go's range over a string
  # does); SQLite keeps the bytes. The same replacement on SQLite's side:
  python3 -c '
import re, sys
def valid(b, i):
    c = b[i]
    if c < 0x80: return 1
    n, lo, hi = (2, 0x80, 0xBF) if 0xC2 <= c <= 0xDF else (3, 0xA0 if c == 0xE0 else 0x80, 0x9F if c == 0xED else 0xBF) \
        if 0xE0 <= c <= 0xEF else (4, 0x90 if c == 0xF0 else 0x80, 0x8F if c == 0xF4 else 0xBF) if 0xF0 <= c <= 0xF4 else (0, 0, 0)
    if n == 0 or i + n > len(b) or not lo <= b[i + 1] <= hi: return 0
    return n if all(0x80 <= x <= 0xBF for x in b[i + 2:i + n]) else 0
def fix(m):
    b, out, i = bytes.fromhex(m.group(1)), bytearray(), 0
    while i < len(b):
        n = valid(b, i)
        out += b[i:i + n] if n else b"\xef\xbf\xbd"
        i += n or 1
    return "x" + out.hex().upper()
for line in sys.stdin:
    sys.stdout.write(re.sub(r"(?:^|(?<=\t))x([0-9A-F]*)(?=\t|$)", fix, line))
' <"$tmp/sqlite.txt" >"$tmp/sqlite.fixed" || echo "not ok parquet_export_utf8: python3 failed"
  mv "$tmp/sqlite.fixed" "$tmp/sqlite.txt"
  LC_ALL=C sort "$tmp/sqlite.txt" >"$tmp/sqlite.sorted"
  LC_ALL=C sort "$tmp/duck.txt" >"$tmp/duck.sorted"
  rows=$(wc -l <"$tmp/sqlite.sorted")
  if [ "$rows" -gt $((n * 10)) ] && cmp -s "$tmp/sqlite.sorted" "$tmp/duck.sorted"; then
    echo "ok parquet_export_equals_sqlite ($n traces, $rows rows)"
  else
    echo "not ok parquet_export_equals_sqlite: $(diff "$tmp/sqlite.sorted" "$tmp/duck.sorted" | head -n 4 | cut -c 1-160 | tr '\n' ' ') $(head -c 200 "$tmp/err")"
  fi
  rm -f "$tmp/sqlite.txt" "$tmp/duck.txt" "$tmp/sqlite.sorted" "$tmp/duck.sorted"

  # The single-trace layout: the same rows as the dataset's partition.
  set --
  for t in $tables; do
    set -- "$@" "select * from (select '$t', * from read_parquet('$tmp/hello/$t.parquet')
                 except all select '$t', * exclude (trace) from read_parquet('$tmp/all/$t/trace=hello/*.parquet'))"
  done
  got=$(duck --all "$@" 2>&1)
  if [ -z "$got" ] && [ -f "$tmp/all/traces/trace=hello/part-0.parquet" ]; then
    echo "ok parquet_export_single_layout"
  else
    echo "not ok parquet_export_single_layout: $(echo "$got" | head -n 2 | cut -c 1-160)"
  fi
  rm -rf "$tmp/all"
fi

# The fleet (docs/fleet.md runs these queries): 20 corpus traces exported
# into one hive-partitioned dataset, four traces per gotrace export, and
# DuckDB's answer over the whole dataset (hive_partitioning) equal to the
# per-trace SQLite answers added up.
fleet=$(ls "$SHARED/corpus" 2>/dev/null | grep -E '^(cpuprof|gcstress|annotate|churn|flightrec)\.go12[2-7]\.trace$' |
  head -n 20)
if skip_duck parquet_fleet; then :
elif ! command -v sqlite3 >/dev/null 2>&1; then
  echo "skip parquet_fleet: no sqlite3 command"
elif [ "$(echo $fleet | wc -w)" -ne 20 ]; then
  echo "skip parquet_fleet: no 20 fleet traces in ../shared/corpus"
else
  D="$tmp/fleet"
  (cd "$SHARED/corpus" && echo $fleet | xargs -n 4 "$GOTRACE" export --format=parquet -o "$D") 2>"$tmp/err" ||
    echo "not ok parquet_fleet_export: $(head -n 1 "$tmp/err")"
  # The same four queries: the per-trace form for SQLite, the dataset's for
  # DuckDB (views over the partitioned tables, so that the SQL reads alike).
  Q1="select count(*), coalesce(sum(exec_time), 0) from goroutines"
  Q2="select reason, count(*), coalesce(sum(duration), 0) from g_transitions where to_state = 'Waiting' group by reason"
  Q3="select f.function, count(*) from cpu_samples s join frames f on f.stack = s.stack and f.depth = 0 group by 1"
  Q4="select count(*), coalesce(sum(duration), 0), coalesce(max(duration), 0) from ranges where name like 'stop-the-world%'"
  : >"$tmp/q1.sqlite"; : >"$tmp/q2.sqlite"; : >"$tmp/q3.sqlite"; : >"$tmp/q4.sqlite"
  for f in $fleet; do
    name=${f%.trace}
    "$GOTRACE" export --format=sqlite "$SHARED/corpus/$f" -o "$tmp/one.db" 2>/dev/null
    sqlite3 -bail -tabs -nullvalue NULL "$tmp/one.db" "select '$name', * from ($Q1)" >>"$tmp/q1.sqlite" &&
      sqlite3 -bail -tabs -nullvalue NULL "$tmp/one.db" "$Q2" >>"$tmp/q2.sqlite" &&
      sqlite3 -bail -tabs -nullvalue NULL "$tmp/one.db" "$Q3" >>"$tmp/q3.sqlite" &&
      sqlite3 -bail -tabs -nullvalue NULL "$tmp/one.db" "$Q4" >>"$tmp/q4.sqlite" ||
      echo "not ok parquet_fleet_sqlite: $f"
    rm -f "$tmp/one.db"
  done
  # Per-trace answers added up: by key (reason, function), or in total.
  awk -F'\t' '{ n[$1] += $2; s[$1] += $3 } END { for (k in n) printf "%s\t%.0f\t%.0f\n", k, n[k], s[k] }' "$tmp/q2.sqlite" |
    LC_ALL=C sort >"$tmp/q2.want"
  awk -F'\t' '{ n[$1] += $2 } END { for (k in n) printf "%s\t%.0f\n", k, n[k] }' "$tmp/q3.sqlite" | LC_ALL=C sort >"$tmp/q3.want"
  awk -F'\t' '{ n += $1; s += $2; if ($3 > m) m = $3 } END { printf "%.0f\t%.0f\t%.0f\n", n, s, m }' "$tmp/q4.sqlite" >"$tmp/q4.want"
  LC_ALL=C sort "$tmp/q1.sqlite" >"$tmp/q1.want"
  views=""
  for t in goroutines g_transitions cpu_samples frames ranges; do
    views="$views create view $t as select * from read_parquet('$D/$t/*/*.parquet', hive_partitioning = true);"
  done
  fleet_case() {  # NAME WANT SQL
    duck "$views" "$3" 2>"$tmp/err" | LC_ALL=C sort >"$tmp/got"
    if [ -s "$2" ] && cmp -s "$tmp/got" "$2"; then
      echo "ok $1 ($(wc -l <"$2") rows)"
    else
      echo "not ok $1: $(diff "$2" "$tmp/got" | head -n 3 | tr '\n' ' ') $(head -c 200 "$tmp/err")"
    fi
  }
  fleet_case parquet_fleet_goroutines_per_trace "$tmp/q1.want" \
    "select trace, count(*), coalesce(sum(exec_time), 0) from goroutines group by trace"
  fleet_case parquet_fleet_blocking_by_reason "$tmp/q2.want" "$Q2"
  fleet_case parquet_fleet_cpu_by_function "$tmp/q3.want" \
    "select f.function, count(*) from cpu_samples s join frames f
       on f.trace = s.trace and f.stack = s.stack and f.depth = 0 group by 1"
  fleet_case parquet_fleet_stop_the_world "$tmp/q4.want" "$Q4"
fi
