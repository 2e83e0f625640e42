// Runs SQL in DuckDB (the npm package @duckdb/node-api, installed by
// tests/scripts/parquet.sh outside the repository) and prints every row of
// the last statement's result, values tab-separated, one row per line:
//
//   node duckdb_query.mjs [--exact] [--sqlite] [--all] SQL...
//
// Each SQL argument is one or more statements, run in order on one
// in-memory database; with --all, the rows of every argument's result are
// printed, one after the other. NULL prints as NULL, integers in decimal,
// booleans true/false, or with --sqlite 1/0 as SQLite stores them, and
// with --sqlite a nanosecond timestamp prints as its nanoseconds since the
// epoch (the integer SQLite holds). Doubles print as JavaScript's shortest
// round-trip form, or with --exact as 0x and the 16 hex digits of their
// bits; strings print as they are, or with --exact as the hex of their
// UTF-8 bytes (so that any byte, a tab or a newline included, is compared
// exactly). Any other value (a list, ...) prints as DuckDB's text for it.
//
// DUCKDB_NODE_MODULES names the node_modules directory holding the package.
// Exit status 1 with DuckDB's message on stderr when a statement fails.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.DUCKDB_NODE_MODULES;
if (!modules) {
  console.error('duckdb_query.mjs: DUCKDB_NODE_MODULES is not set');
  process.exit(2);
}
const require = createRequire(path.join(modules, 'noop.js'));
const duckdb = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

let exact = false, sqlite = false, all = false;
const sqls = [];
for (const a of process.argv.slice(2)) {
  if (a === '--exact') exact = true;
  else if (a === '--sqlite') sqlite = true;
  else if (a === '--all') all = true;
  else sqls.push(a);
}
if (sqls.length === 0) {
  console.error('usage: node duckdb_query.mjs [--exact] [--sqlite] [--all] SQL...');
  process.exit(2);
}

function text(v) {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'boolean':
      return sqlite ? (v ? '1' : '0') : v ? 'true' : 'false';
    case 'number': {
      if (!exact) return String(v);
      const dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, v, true);
      return '0x' + dv.getBigUint64(0, true).toString(16).padStart(16, '0');
    }
    case 'string':
      return exact ? Buffer.from(v, 'utf8').toString('hex') : v;
    default:
      if (sqlite && v instanceof duckdb.DuckDBTimestampNanosecondsValue) return v.nanos.toString();
      return String(v);
  }
}

try {
  const db = await duckdb.DuckDBInstance.create(':memory:');
  const con = await db.connect();
  for (let i = 0; i < sqls.length; i++) {
    const result = await con.runAndReadAll(sqls[i]);
    if (!all && i < sqls.length - 1) continue;
    const out = [];
    for (const row of result.getRows()) out.push(row.map(text).join('\t'));
    if (out.length) process.stdout.write(out.join('\n') + '\n');
  }
} catch (e) {
  console.error('duckdb: ' + (e && e.message ? e.message : e));
  process.exit(1);
}
