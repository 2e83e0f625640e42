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
