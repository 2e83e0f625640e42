#!/bin/sh
# gotrace sql and gotrace export --format=sqlite|csv (issue 15), read back
# with Python's sqlite3 and csv modules (readers that are not ours):
#  - on examples/hello.trace and every trace of ../shared/corpus:
#    tests/scripts/sql_check.py compares the database with the CLI's
#    analyses (goroutines, tasks, regions --json: every row and the views
#    goroutine_groups, task_types, region_types) and with the event counts
#    of gotrace dump; the checker is shown to fail on a changed database;
#  - gotrace sql's table, --csv and --json output, several statements,
#    SQL from standard input, the trace from standard input (plain and
#    gzip), --from/--to;
#  - errors: bad SQL and unknown tables (status 2 and SQLite's message), a
#    query failing as it runs (1), a broken trace (1, the rows read kept,
#    traces.error set), usage errors (2), output to /dev/full (3), and a
#    database or CSV file that cannot be written in full (file size limit:
#    3, OUT left as it was, no temporary left);
#  - export --format=csv: one file per table whose rows equal the database's;
#    --tables: each table alone, byte for byte the full export's file, also
#    on a broken trace; its usage errors;
#  - gotrace sql loads only the tables a query reads: the sets for queries
#    of each kind (build/sql/sql-tables-read), and every table and view
#    read alone equal to the same read with every table loaded; at the
#    prompt (a terminal through script(1)) each table loaded once, when
#    first read, the answers those of every table loaded, and a file
#    changed during the session ending it;
#  - the man page documents every table and column, with its unit.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hello=$ROOT/examples/hello.trace

ok() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import sqlite3' 2>/dev/null; then
  echo "skip sql: python3 with its sqlite3 module is needed to read the databases back"
  exit 0
fi

# check_trace T NAME [--from D --to D]: export T (in that window), compare
# with the analyses and the dump (in the same window).
check_trace() {
  t=$1; n=$2; shift 2
  rm -f "$tmp/t.db"
  if ! "$GOTRACE" export --format=sqlite --quiet "$@" "$t" -o "$tmp/t.db" 2>"$tmp/err"; then
    fail "sql_${n}_export" "status $?: $(head -c 300 "$tmp/err")"
    return
  fi
  "$GOTRACE" goroutines --json "$@" "$t" >"$tmp/g.json" &&
    "$GOTRACE" tasks --json "$@" "$t" >"$tmp/t.json" &&
    "$GOTRACE" regions --json "$@" "$t" >"$tmp/r.json" &&
    "$GOTRACE" dump "$@" "$t" >"$tmp/d.txt" || { fail "sql_${n}_cli" "an analysis failed"; return; }
  python3 "$ROOT/tests/scripts/sql_check.py" "$tmp/t.db" "$tmp/g.json" "$tmp/t.json" "$tmp/r.json" "$tmp/d.txt" "$n"
}

check_trace "$hello" hello
# The checker fails when the database differs (one goroutine's time, one
# transition fewer).
cp "$tmp/t.db" "$tmp/bad.db"
python3 - "$tmp/bad.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE goroutines SET exec_time = exec_time + 1 WHERE id = (SELECT min(id) FROM goroutines)")
db.execute("DELETE FROM g_transitions_data WHERE rowid = (SELECT max(rowid) FROM g_transitions_data)")
db.commit()
PY
out=$(python3 "$ROOT/tests/scripts/sql_check.py" "$tmp/bad.db" "$tmp/g.json" "$tmp/t.json" "$tmp/r.json" "$tmp/d.txt" x)
case $out in
  *"not ok sql_x_goroutines"*"not ok sql_x_view_goroutine_groups"*"not ok sql_x_counts"*) ok sql_checker_fails ;;
  *) fail sql_checker_fails "$(echo "$out" | grep -c '^ok') checks passed on a changed database" ;;
esac

if [ -n "${SHARED:-}" ] && [ -d "$SHARED/corpus" ]; then
  for t in "$SHARED"/corpus/*.trace; do
    check_trace "$t" "$(basename "$t" .trace)"
  done
else
  echo "skip sql_corpus: no ../shared/corpus"
fi

# --from/--to: the window of every other command (gotrace/window.h): the
# goroutines, tasks and regions tables and their views equal the windowed
# analyses, and the event tables hold the window's events as the windowed
# dump does.
check_trace "$hello" window_hello --from 1ms --to 3ms
if [ -n "${SHARED:-}" ] && [ -d "$SHARED/corpus" ]; then
  for t in annotate.go119 annotate.go127 gcstress.go125 multigen.go124; do
    [ -f "$SHARED/corpus/$t.trace" ] && check_trace "$SHARED/corpus/$t.trace" "window_$t" --from 20ms --to 40ms
  done
fi

# ------------------------------------------------------------ gotrace sql
ng=$("$GOTRACE" dump "$hello" | grep -c '^M=.* StateTransition .* GoID=')
# The table: a header, a rule as wide as the column, numbers aligned right
# (headers left).
out=$("$GOTRACE" sql "$hello" "SELECT count(*) AS n, 'x' AS name FROM g_transitions")
w=${#ng}
want=$(printf "%-${w}s  name\n%s  ----\n%s  x" n "$(printf "%${w}s" | tr ' ' -)" "$ng")
[ "$out" = "$want" ] && ok sql_table || fail sql_table "got: $out (want $want)"
out=$("$GOTRACE" sql --csv "$hello" "SELECT 'a,b' AS x, NULL AS y, 3 AS z, 'q\"q' AS w")
[ "$out" = "$(printf 'x,y,z,w\r\n"a,b",,3,"q""q"\r')" ] && ok sql_csv || fail sql_csv "got: $out"
out=$("$GOTRACE" sql --json "$hello" "SELECT id, name FROM goroutines ORDER BY id LIMIT 2; SELECT NULL AS n, 1.5 AS d")
if echo "$out" | python3 -c '
import json, sys
text = sys.stdin.read()
dec = json.JSONDecoder(); parts = []; i = 0
while i < len(text.strip()):
    v, j = dec.raw_decode(text, i); parts.append(v); i = j
    while i < len(text) and text[i].isspace(): i += 1
a, b = parts
assert len(a) == 2 and set(a[0]) == {"id", "name"} and a[0]["id"] < a[1]["id"], a
assert b == [{"n": None, "d": 1.5}], b
'; then ok sql_json_statements; else fail sql_json_statements "got: $out"; fi
out=$(echo "SELECT count(*) FROM traces; SELECT 7;" | "$GOTRACE" sql --csv "$hello")
[ "$out" = "$(printf 'count(*)\r\n1\r\n7\r\n7\r')" ] && ok sql_query_stdin || fail sql_query_stdin "got: $out"
a=$("$GOTRACE" sql --csv "$hello" 'SELECT count(*), sum(duration) FROM g_transitions')
b=$("$GOTRACE" sql --csv - 'SELECT count(*), sum(duration) FROM g_transitions' <"$hello")
c=$(gzip -c "$hello" | "$GOTRACE" sql --csv - 'SELECT count(*), sum(duration) FROM g_transitions')
[ "$a" = "$b" ] && [ "$a" = "$c" ] && ok sql_trace_stdin || fail sql_trace_stdin "file $a, stdin $b, gzip $c"
# --from/--to: only the transitions in the window.
out=$("$GOTRACE" sql --csv --from 1ms --to 2ms "$hello" \
  'SELECT count(*), coalesce(min(time) >= (SELECT start_time + 1000000 FROM traces), 1), coalesce(max(time) <= (SELECT start_time + 2000000 FROM traces), 1) FROM g_transitions' | tail -n 1)
want=$("$GOTRACE" sql --csv "$hello" \
  'SELECT count(*), 1, 1 FROM g_transitions WHERE time BETWEEN (SELECT start_time + 1000000 FROM traces) AND (SELECT start_time + 2000000 FROM traces)' | tail -n 1)
[ "$out" = "$want" ] && ok sql_window || fail sql_window "window $out, filtered $want"
# export --from/--to (both spellings): the database of the window holds what
# sql of the same window counts.
rm -f "$tmp/w.db"
if "$GOTRACE" export --format=sqlite --from=1ms --to 2ms "$hello" -o "$tmp/w.db" 2>"$tmp/err"; then
  got=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM g_transitions").fetchone()[0])' "$tmp/w.db" 2>&1)
  all=$("$GOTRACE" sql --csv "$hello" 'SELECT count(*) FROM g_transitions' | tail -n 1)
  [ "$got" = "${out%%,*}" ] && [ "$got" != "$all" ] && ok export_window ||
    fail export_window "window database $got transitions, sql --from/--to ${out%%,*}, whole trace $all"
else
  fail export_window "status $?: $(head -c 200 "$tmp/err")"
fi

# ----------------------------------------------------------------- errors
expect() {  # NAME STATUS PATTERN CMD...: status and a stderr line matching
  name=$1 st=$2 pat=$3; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" = "$st" ] && grep -q -- "$pat" "$tmp/err"; then ok "$name"; else fail "$name" "status $rc, stderr: $(head -c 200 "$tmp/err")"; fi
}
expect sql_error_syntax 2 'gotrace sql: near "SELEC": syntax error' "$GOTRACE" sql "$hello" 'SELEC 1'
expect sql_error_table 2 'gotrace sql: no such table: nope' "$GOTRACE" sql "$hello" 'SELECT * FROM nope'
expect sql_error_column 2 'no such column: nope' "$GOTRACE" sql "$hello" 'SELECT nope FROM goroutines'
expect sql_error_runtime 1 'gotrace sql: integer overflow' "$GOTRACE" sql "$hello" 'SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)'
expect sql_usage_two_modes 2 'exclude' "$GOTRACE" sql --csv --json "$hello" 'SELECT 1'
expect sql_usage_stdin_query 2 'give the QUERY' "$GOTRACE" sql - </dev/null
expect sql_usage_missing 2 'missing trace file' "$GOTRACE" sql
expect sql_usage_nofile 2 "$tmp/none" "$GOTRACE" sql "$tmp/none" 'SELECT 1'
expect export_usage_format 2 'missing --format' "$GOTRACE" export "$hello" -o "$tmp/x"
expect export_usage_unknown 2 "unknown --format 'xml'" "$GOTRACE" export --format=xml "$hello" -o "$tmp/x"
expect export_usage_two 2 'takes one trace file' "$GOTRACE" export --format=csv "$hello" "$hello" -o "$tmp/x"
expect export_usage_out 2 'missing -o' "$GOTRACE" export --format=sqlite "$hello"
expect export_usage_same 2 '' "$GOTRACE" export --format=sqlite "$hello" -o "$hello"
# --from after the trace's last event: every other command's usage error
# (goroutines' text), nothing on standard output, no database, CSV or
# Parquet directory; --from at the last event itself is a window (empty).
want=$("$GOTRACE" goroutines --from 1s "$hello" 2>&1 >/dev/null | head -n 1)
end=${want##* at }
case $want in
  "gotrace goroutines: the window starts at 1s, after the end of the trace at "*) ;;
  *) fail window_after_end_reference "goroutines says: $want" ;;
esac
"$GOTRACE" sql --from 1s "$hello" 'SELECT 1' >"$tmp/out" 2>"$tmp/err"
rc=$?
got=$(head -n 1 "$tmp/err")
[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$got" = "gotrace sql:${want#gotrace goroutines:}" ] && ok sql_window_after_end ||
  fail sql_window_after_end "status $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $got"
for f in sqlite csv parquet; do
  rm -rf "$tmp/late_$f"
  "$GOTRACE" export --format=$f --from 1s "$hello" -o "$tmp/late_$f" 2>"$tmp/err"
  rc=$?
  got=$(head -n 1 "$tmp/err")
  [ "$rc" = 2 ] && [ ! -e "$tmp/late_$f" ] && [ "$got" = "gotrace export:${want#gotrace goroutines:}" ] && ok "export_${f}_window_after_end" ||
    fail "export_${f}_window_after_end" "status $rc, output $(ls -d "$tmp/late_$f" 2>/dev/null), stderr: $got"
done
out=$("$GOTRACE" sql --csv --from "$end" "$hello" 'SELECT count(*) FROM traces' 2>"$tmp/err")
[ "$?" = 0 ] && [ "$out" = "$(printf 'count(*)\r\n1\r')" ] && ok sql_window_at_end ||
  fail sql_window_at_end "--from $end: $out $(head -c 200 "$tmp/err")"
for c in sql export; do
  if "$GOTRACE" help $c >"$tmp/out" && grep -q "usage: gotrace $c" "$tmp/out"; then ok "${c}_help"; else fail "${c}_help" "no usage"; fi
done
expect sql_write_full 3 'gotrace: write error: No space left on device' sh -c "\"$GOTRACE\" sql \"$hello\" 'SELECT * FROM frames' >/dev/full"

# A broken trace: the rows read are there, traces.error says why (status 1).
size=$(wc -c <"$hello")
head -c $((size * 2 / 3)) "$hello" >"$tmp/broken.trace"
rm -f "$tmp/broken.db"
"$GOTRACE" export --format=sqlite "$tmp/broken.trace" -o "$tmp/broken.db" 2>"$tmp/err"
rc=$?
out=$(python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); print(db.execute("SELECT error IS NOT NULL, events > 0 FROM traces").fetchone())' "$tmp/broken.db" 2>&1)
[ "$rc" = 1 ] && [ "$out" = "(1, 1)" ] && ok export_broken || fail export_broken "status $rc, traces: $out, $(head -c 200 "$tmp/err")"

# A missing input (2) or one that is not a trace (1) leaves nothing: no
# database, no CSV directory, no temporary.
printf 'not a trace\n' >"$tmp/text.trace"
for f in sqlite csv; do
  mkdir -p "$tmp/no_$f"
  "$GOTRACE" export --format=$f "$tmp/none.trace" -o "$tmp/no_$f/out" 2>/dev/null
  r1=$?
  "$GOTRACE" export --format=$f "$tmp/text.trace" -o "$tmp/no_$f/out" 2>/dev/null
  r2=$?
  if [ "$r1" = 2 ] && [ "$r2" = 1 ] && [ -z "$(ls -A "$tmp/no_$f")" ]; then
    ok "export_${f}_no_trace"
  else
    fail "export_${f}_no_trace" "status $r1 and $r2 (want 2 and 1), left: $(ls -A "$tmp/no_$f" | tr '\n' ' ')"
  fi
done
expect sql_not_a_trace 1 'not a Go execution trace' "$GOTRACE" sql "$tmp/text.trace" 'SELECT 1'
[ -s "$tmp/out" ] && fail sql_not_a_trace_no_query "the query ran: $(head -c 100 "$tmp/out")" || ok sql_not_a_trace_no_query

# Output that cannot be written in full: a file size limit of 64 KiB
# (SIGXFSZ ignored, so writes fail with EFBIG). Status 3, OUT unchanged,
# no temporary left beside it.
mkdir -p "$tmp/lim" "$tmp/csvlim"
echo old >"$tmp/lim/out.db"
(trap '' XFSZ; ulimit -f 64; exec "$GOTRACE" export --format=sqlite "$hello" -o "$tmp/lim/out.db") 2>"$tmp/err"
rc=$?
if [ "$rc" = 3 ] && grep -q 'write error' "$tmp/err" && [ "$(cat "$tmp/lim/out.db")" = old ] && [ "$(ls -A "$tmp/lim")" = out.db ]; then
  ok export_sqlite_write_error
else
  fail export_sqlite_write_error "status $rc, $(head -c 200 "$tmp/err"), dir: $(ls -A "$tmp/lim" | tr '\n' ' ')"
fi
(trap '' XFSZ; ulimit -f 16; exec "$GOTRACE" export --format=csv "$hello" -o "$tmp/csvlim") 2>"$tmp/err"
rc=$?
if [ "$rc" = 3 ] && grep -q 'write error' "$tmp/err" && [ -z "$(ls -A "$tmp/csvlim")" ]; then
  ok export_csv_write_error
else
  fail export_csv_write_error "status $rc, $(head -c 200 "$tmp/err"), dir: $(ls -A "$tmp/csvlim" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------- CSV
rm -f "$tmp/h.db"
if "$GOTRACE" export --format=sqlite "$hello" -o "$tmp/h.db" && "$GOTRACE" export --format=csv "$hello" -o "$tmp/csv"; then
  if out=$(python3 - "$tmp/h.db" "$tmp/csv" <<'PY'
import csv, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute("SELECT name FROM schema_tables")]
files = sorted(f for f in os.listdir(sys.argv[2]))
assert files == sorted(t + ".csv" for t in tables), files
for t in tables:
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
    rows = sorted(tuple("" if v is None else str(v) for v in r) for r in db.execute(f"SELECT * FROM {t}"))
    with open(os.path.join(sys.argv[2], t + ".csv"), newline="", encoding="utf-8", errors="surrogateescape") as f:
        got = list(csv.reader(f))
    assert got[0] == cols, (t, got[0], cols)
    assert sorted(tuple(r) for r in got[1:]) == rows, (t, len(got) - 1, len(rows))
print(len(tables))
PY
  ); then ok "export_csv_equals_sqlite ($out tables)"; else fail export_csv_equals_sqlite "$out"; fi
else
  fail export_csv_equals_sqlite "export failed"
fi

# ------------------------------------------------------- export --tables
# Each table alone (and two together) gives exactly the full export's file
# for it and no other file; on a broken trace the rows read are kept even
# without the traces table.
tables=$(python3 -c 'import sqlite3, sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT name FROM schema_tables")))' "$tmp/h.db")
# some_traces SKIPNAME NAME...: sets traces_list to examples/hello.trace and
# the corpus traces named (those present), or hello alone, saying SKIPNAME
# is skipped.
some_traces() {
  skip=$1; shift
  traces_list="$hello"
  if [ -n "${SHARED:-}" ] && [ -d "$SHARED/corpus" ]; then
    for t in "$@"; do
      [ -f "$SHARED/corpus/$t.trace" ] && traces_list="$traces_list $SHARED/corpus/$t.trace"
    done
  else
    echo "skip $skip: ../shared is absent (examples/hello.trace only)"
  fi
}
some_traces export_tables_corpus annotate.go127 gcstress.go127 cpuprof.go127 churn.go123 annotate.go121
for t in $traces_list; do
  n=$(basename "$t" .trace)
  rm -rf "$tmp/tfull"
  if ! "$GOTRACE" export --format=csv --quiet "$t" -o "$tmp/tfull" 2>"$tmp/err"; then
    fail "export_tables_$n" "full export: $(head -c 200 "$tmp/err")"; continue
  fi
  bad=""
  for tb in $tables "g_transitions,goroutines"; do
    rm -rf "$tmp/tpart"
    if ! "$GOTRACE" export --format=csv --quiet --tables "$tb" "$t" -o "$tmp/tpart" 2>"$tmp/err"; then
      bad="$bad $tb:status"; continue
    fi
    want=$(echo "$tb" | tr ',' '\n' | sed 's/$/.csv/' | sort | tr '\n' ' ')
    got=$(ls "$tmp/tpart" | sort | tr '\n' ' ')
    [ "$got" = "$want" ] || { bad="$bad $tb:files($got)"; continue; }
    for f in $got; do cmp -s "$tmp/tpart/$f" "$tmp/tfull/$f" || bad="$bad $tb:$f"; done
  done
  if [ -z "$bad" ]; then ok "export_tables_$n ($(echo $tables | wc -w) tables)"; else fail "export_tables_$n" "differs from the full export:$bad"; fi
done
# Cut at 80% of a four-generation trace: three generations' rows are read.
multi=$ROOT/tests/data/analysis/annotate.go127.trace
head -c $(($(wc -c <"$multi") * 4 / 5)) "$multi" >"$tmp/broken4.trace"
rm -rf "$tmp/bfull" "$tmp/bpart"
"$GOTRACE" export --format=csv "$tmp/broken4.trace" -o "$tmp/bfull" 2>/dev/null
rc_full=$?
"$GOTRACE" export --format=csv --tables g_transitions "$tmp/broken4.trace" -o "$tmp/bpart" 2>"$tmp/err"
rc=$?
if [ "$rc_full" = 1 ] && [ "$rc" = 1 ] && [ "$(ls "$tmp/bpart")" = g_transitions.csv ] &&
   [ "$(wc -l <"$tmp/bpart/g_transitions.csv")" -gt 1 ] && cmp -s "$tmp/bpart/g_transitions.csv" "$tmp/bfull/g_transitions.csv"; then
  ok export_tables_broken
else
  fail export_tables_broken "status $rc (full: $rc_full), files: $(ls "$tmp/bpart" 2>&1 | tr '\n' ' '), $(head -c 200 "$tmp/err")"
fi
expect export_tables_unknown 2 "no table 'nope' (tables: traces, goroutines" "$GOTRACE" export --format=csv --tables g_transitions,nope "$hello" -o "$tmp/tx"
expect export_tables_empty 2 "no table ''" "$GOTRACE" export --format=csv --tables frames, "$hello" -o "$tmp/tx"
expect export_tables_sqlite 2 '--tables is for --format=csv and parquet' "$GOTRACE" export --format=sqlite --tables frames "$hello" -o "$tmp/tx.db"
if [ -e "$tmp/tx" ] || [ -e "$tmp/tx.db" ]; then fail export_tables_usage_writes "a usage error left $(ls -d "$tmp"/tx*)"; else ok export_tables_usage_writes; fi

# ----------------------------------------- only the tables a query reads
# gotrace sql loads only the tables its statements read (SQLite names
# them, through views too, as the statements are prepared on the empty
# schema): the sets for queries of each kind, as SQL means them; then every
# table and view read that way equals the same read with every table
# loaded (a statement that writes loads them all).
tables_read=${TABLES_READ:-$ROOT/${BUILD:-build}/sql/sql-tables-read}
if [ -x "$tables_read" ]; then
  bad=""; n=0
  while IFS='|' read -r want q; do
    [ -n "$q" ] || continue
    n=$((n + 1))
    got=$("$tables_read" "$q" 2>&1)
    [ "$got" = "$want" ] || bad="$bad [$q: $got, want $want]"
  done <<'EOF2'
traces tasks|SELECT count(*) FROM tasks
traces goroutines|SELECT * FROM goroutine_groups
traces tasks|SELECT * FROM task_types
traces regions|SELECT * FROM region_types
traces goroutine_times|SELECT * FROM block_reasons
traces frames|SELECT * FROM stack_text
traces g_transitions|SELECT reason, count(*) FROM g_transitions GROUP BY 1
traces goroutines g_transitions|SELECT g.name, count(*) FROM g_transitions t JOIN goroutines g ON g.id = t.goroutine GROUP BY 1
traces g_transitions stacks|SELECT count(*) FROM g_transitions WHERE stack IN (SELECT id FROM stacks)
traces regions|WITH w AS (SELECT * FROM regions) SELECT count(*) FROM w
traces logs|SELECT 1; SELECT count(*) FROM logs
traces|SELECT * FROM schema_columns
traces|SELECT name FROM sqlite_schema
traces|SELECT start_time FROM traces
all|SELECT * FROM strings
all|WITH s AS (SELECT text FROM strings) SELECT count(*) FROM s
all|PRAGMA table_info(tasks)
all|SELECT * FROM pragma_table_info('tasks')
all|CREATE TEMP TABLE x(a); SELECT * FROM x
all|SELECT * FROM nope
all|SELECT * FROM tasks; SELECT * FROM
all|ATTACH ':memory:' AS other
all|SELECT count(*) FROM dbstat
all|BEGIN; SELECT count(*) FROM tasks; COMMIT
all|SAVEPOINT a
EOF2
  if [ -z "$bad" ]; then ok "sql_tables_read ($n queries)"; else fail sql_tables_read "$bad"; fi
  views="goroutine_groups task_types region_types block_reasons stack_text"
  some_traces sql_tables_read_corpus annotate.go127 cpuprof.go127 gcstress.go125 multigen.go124 annotate.go121 annotate.go119
  for t in $traces_list; do
    nm=$(basename "$t" .trace)
    every="CREATE TEMP TABLE every_table(x);"
    : >"$tmp/sel.csv"
    for tb in $tables $views; do
      every="$every SELECT * FROM $tb;"
      "$GOTRACE" sql --csv "$t" "SELECT * FROM $tb" >>"$tmp/sel.csv" 2>"$tmp/err" || echo "status $? for $tb" >>"$tmp/sel.csv"
    done
    "$GOTRACE" sql --csv "$t" "$every" >"$tmp/all.csv" 2>"$tmp/err"
    if [ -s "$tmp/all.csv" ] && cmp -s "$tmp/sel.csv" "$tmp/all.csv"; then
      ok "sql_tables_read_equal_$nm ($(wc -l <"$tmp/all.csv") lines)"
    else
      fail "sql_tables_read_equal_$nm" "one table at a time differs from every table loaded: $(diff "$tmp/sel.csv" "$tmp/all.csv" | head -c 300)"
    fi
  done
else
  fail sql_tables_read "no $tables_read (make test builds it)"
fi

# The prompt (a terminal, through script(1)) loads each table when a
# statement first reads it, saying so on stderr, once: a checksum of every
# table and view read there, one at a time, equals the same read with every
# table loaded first.
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
  python3 - "$tmp/h.db" >"$tmp/sums.sql" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
names = [r[0] for r in db.execute("SELECT name FROM schema_tables")]
views = ["goroutine_groups", "task_types", "region_types", "block_reasons", "stack_text"]
# tasks first (the first load), views among the tables
for n in ["tasks"] + views + [n for n in names if n != "tasks"]:
    cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % n)]
    print("SELECT '%s=' || count(*) || ':' || total(%s) AS x FROM %s;" % (
        n, " + ".join("length(quote(%s))" % c for c in cols), n))
PY
  for t in $hello ${SHARED:+$SHARED/corpus/annotate.go127.trace}; do
    [ -f "$t" ] || continue
    nm=$(basename "$t" .trace)
    # A typo first: reported at once, loading nothing.
    { echo "SELEC count(*) FROM tasks;"; cat "$tmp/sums.sql"; echo .quit; } >"$tmp/prompt.in"
    timeout 300 script -qec "'$GOTRACE' sql '$t' </dev/tty" /dev/null <"$tmp/prompt.in" >"$tmp/prompt.out" 2>&1
    tr -d '\r' <"$tmp/prompt.out" | grep -o '[a-z_]*=[0-9]*:[0-9.e+]*' >"$tmp/prompt.sums"
    "$GOTRACE" sql "$t" "CREATE TEMP TABLE every_table(x); $(cat "$tmp/sums.sql")" 2>&1 |
      grep -o '[a-z_]*=[0-9]*:[0-9.e+]*' >"$tmp/every.sums"
    loads=$(tr -d '\r' <"$tmp/prompt.out" | grep -o 'gotrace sql: loading.*' | sed 's/gotrace sql: loading //')
    first=$(echo "$loads" | head -n 1)
    twice=$(echo "$loads" | tr ' ' '\n' | sort | uniq -d | tr '\n' ' ')
    if [ -s "$tmp/every.sums" ] && cmp -s "$tmp/prompt.sums" "$tmp/every.sums" && [ "$first" = tasks ] && [ -z "$twice" ] &&
       [ "$(wc -l <"$tmp/every.sums")" -eq "$(wc -l <"$tmp/sums.sql")" ] && grep -q 'near "SELEC": syntax error' "$tmp/prompt.out"; then
      ok "sql_prompt_loads_$nm ($(echo "$loads" | wc -l) loads)"
    else
      fail "sql_prompt_loads_$nm" "first load: $first; twice: $twice; $(diff "$tmp/prompt.sums" "$tmp/every.sums" | head -c 300)"
    fi
  done
  # The file changed after the prompt began: a load would mix two traces'
  # tables, so the session ends, status 1, saying why.
  cp "$hello" "$tmp/changing.trace"
  {
    echo 'SELECT count(*) AS n FROM tasks;'
    i=0
    while ! grep -q '(1 row)' "$tmp/changing.out" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    printf x >>"$tmp/changing.trace"
    echo 'SELECT count(*) FROM logs;'
    echo .quit
  } | timeout 300 script -qec "'$GOTRACE' sql '$tmp/changing.trace' </dev/tty; echo status \$?" /dev/null >"$tmp/changing.out" 2>&1
  out=$(tr -d '\r' <"$tmp/changing.out")
  case $out in
    *"(1 row)"*"changed since the session began: its tables cannot be loaded"*"status 1"*) ok sql_prompt_file_changed ;;
    *) fail sql_prompt_file_changed "got: $(echo "$out" | tail -n 4)" ;;
  esac
else
  echo "skip sql_prompt_loads: no script(1) to give gotrace sql a terminal"
fi

# --------------------------------------------------------------- man page
man=$ROOT/man/gotrace.1
if out=$(python3 - "$tmp/h.db" "$man" <<'PY'
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
man = open(sys.argv[2], encoding="utf-8").read()
missing = []
for t, c, unit in db.execute("SELECT table_name, column_name, unit FROM schema_columns"):
    # Each table is a subsection ".SS TABLE" whose columns are ".TP" items
    # "\fBcolumn\fR (unit)" or "\fBcolumn\fR".
    sec = re.search(r"^\.SS %s\n(.*?)(?=^\.SS |^\.SH )" % re.escape(t), man, re.S | re.M)
    item = r"\fB" + c.replace("_", "_") + r"\fR" + (" (" + unit + ")" if unit else "")
    if not sec or item not in sec.group(1):
        missing.append(f"{t}.{c}")
if missing:
    print("undocumented: " + " ".join(missing[:10]))
    sys.exit(1)
PY
); then ok sql_man_schema; else fail sql_man_schema "$out"; fi
