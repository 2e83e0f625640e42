#!/usr/bin/env python3
"""Checks a database written by `gotrace export --format=sqlite`, read with
Python's sqlite3 module (a reader that is not ours), against what the CLI's
analyses print for the same trace and the events `gotrace dump` prints:

  sql_check.py DB GOROUTINES.json TASKS.json REGIONS.json DUMP.txt

- goroutines: every goroutine of `gotrace goroutines --json` has its row
  (name, pc, times, the whole time breakdown) and its goroutine_times rows,
  and nothing else; the goroutine_groups view equals the groups computed
  from the JSON (count and total execution time per start function);
- tasks: every task of `gotrace tasks --json` has its row (name, parent,
  start, end, numbers of logs, regions, goroutines); the task_types view
  equals the JSON's counts per type and durations of complete tasks;
- regions: the regions table equals `gotrace regions --json`'s regions as a
  multiset (task, name, goroutine, start, end, start frame, breakdown);
  region_types equals the JSON's count and total duration per type and frame;
- row counts equal the event counts of the dump: goroutine and P
  transitions, CPU samples, logs, metrics, labels, all events;
- a database exported with --from/--to is checked against the analyses and
  the dump with the same window (which the JSON then names): the same
  checks, but the traces row still describes the whole trace;
- stacks: every stack ID used exists, with `depth` frames numbered 0...

Prints one line per check, "ok NAME" or "not ok NAME: reason"; NAME is
prefixed by the trace's name (argv[6])."""
import json
import sqlite3
import sys
from collections import Counter

db_path, gpath, tpath, rpath, dpath, name = sys.argv[1:7]
failures = 0


def report(case, cond, why=""):
    global failures
    if cond:
        print(f"ok sql_{name}_{case}")
    else:
        failures += 1
        print(f"not ok sql_{name}_{case}: {why}"[:600])


def nz(v):
    """The CLI's 0 for an unknown time is the table's NULL."""
    return None if v == 0 else v


db = sqlite3.connect(db_path)
db.text_factory = lambda b: b.decode("utf-8", "replace")
q = lambda sql, *a: db.execute(sql, a).fetchall()

G = json.load(open(gpath, encoding="utf-8"))
T = json.load(open(tpath, encoding="utf-8"))
R = json.load(open(rpath, encoding="utf-8"))
(start, end), = q("SELECT start_time, end_time FROM traces")
# Exported with --from/--to (the CLI's JSON then has the window too): a
# region's unknown edges lie at the window's, clipped to the trace, and the
# traces row still counts every event read (the dump only the window's).
windowed = "window_from_ns" in R
if windowed:
    start = max(start, R["trace_start_ns"] + R["window_from_ns"])
    end = min(end, R["trace_start_ns"] + R["window_to_ns"])

# ---------------------------------------------------------- goroutines
STATS = ("exec_time", "sched_wait_time", "syscall_time", "syscall_block_time", "unknown_time", "total_time")


def times_of(obj):
    out = set()
    for kind in ("block", "range"):
        for k, v in obj[kind + "_time"].items():
            out.add((kind, k, v))
    return out


rows = {r[0]: r for r in q("SELECT id, name, pc, creation_time, start_time, end_time, " + ", ".join(STATS) +
                            ", block_time FROM goroutines")}
gtimes = {}
for g, kind, n, t in q("SELECT goroutine, kind, name, time FROM goroutine_times"):
    gtimes.setdefault(g, set()).add((kind, n, t))
bad = []
for g in G["goroutines"]:
    want = (g["id"], g["name"], g["pc"], nz(g["creation_time"]), nz(g["start_time"]), nz(g["end_time"])) + \
        tuple(g[s] for s in STATS) + (sum(g["block_time"].values()),)
    got = rows.get(g["id"])
    if got != want:
        bad.append(f"G{g['id']}: table {got} cli {want}")
    elif gtimes.get(g["id"], set()) != times_of(g):
        bad.append(f"G{g['id']} times: table {sorted(gtimes.get(g['id'], set()))} cli {sorted(times_of(g))}")
if len(rows) != len(G["goroutines"]):
    bad.append(f"{len(rows)} rows, {len(G['goroutines'])} goroutines")
report("goroutines", not bad, "; ".join(bad[:3]))

groups = {}
for g in G["goroutines"]:
    c, e = groups.get(g["name"], (0, 0))
    groups[g["name"]] = (c + 1, e + g["exec_time"])
view = {r[0]: (r[1], r[2]) for r in q("SELECT start_location, count, exec_time FROM goroutine_groups")}
order = [r[0] for r in q("SELECT start_location FROM goroutine_groups")]
want_order = sorted(groups, key=lambda k: (-groups[k][1], k.encode()))
report("view_goroutine_groups", view == groups and [groups[k][1] for k in order] == [groups[k][1] for k in want_order],
       f"view {sorted(view.items())[:5]} cli {sorted(groups.items())[:5]}")

# --------------------------------------------------------------- tasks
rows = {r[0]: r for r in q("SELECT id, name, parent, start_time, end_time, logs, regions, goroutines FROM tasks")}
bad = []
for t in T["tasks"]:
    want = (t["id"], t["name"], t["parent"], t["start"], t["end"], len(t["logs"]), len(t["regions"]),
            len(t["goroutines"]))
    if rows.get(t["id"]) != want:
        bad.append(f"task {t['id']}: table {rows.get(t['id'])} cli {want}")
if len(rows) != len(T["tasks"]):
    bad.append(f"{len(rows)} rows, {len(T['tasks'])} tasks")
report("tasks", not bad, "; ".join(bad[:3]))

types = {}
for t in T["tasks"]:
    d = types.setdefault(t["name"], [0, []])
    d[0] += 1
    if t["start"] is not None and t["end"] is not None:
        d[1].append(t["end"] - t["start"])
want = {k: (c, len(ds), min(ds) if ds else None, max(ds) if ds else None) for k, (c, ds) in types.items()}
view = {r[0]: tuple(r[1:]) for r in q("SELECT type, count, complete, min_duration, max_duration FROM task_types")}
report("view_task_types", view == want, f"view {sorted(view.items())[:4]} cli {sorted(want.items())[:4]}")

# ------------------------------------------------------------- regions
def region_key(r):
    f = r.get("frame") or {}
    has = bool(f) and (f.get("pc") or f.get("func") or f.get("file"))
    return (r["task"], r["name"], r["goroutine"], r["start"], r["end"],
            f.get("func") if has else None, f.get("file") if has else None,
            f.get("line") if has else None, f.get("pc") if has else None) + \
        tuple(r[s] for s in STATS) + (tuple(sorted(times_of(r))),)


rtimes = {}
for rid, kind, n, t in q("SELECT region, kind, name, time FROM region_times"):
    rtimes.setdefault(rid, set()).add((kind, n, t))
got = Counter()
for r in q("SELECT id, task, name, goroutine, start_time, end_time, function, file, line, pc, " +
           ", ".join(STATS) + " FROM regions"):
    got[tuple(r[1:]) + (tuple(sorted(rtimes.get(r[0], set()))),)] += 1
want = Counter(region_key(r) for r in R["regions"])
diff = list((got - want).items())[:2] + list((want - got).items())[:2]
report("regions", got == want, f"{sum(got.values())} rows, {sum(want.values())} regions; differ: {diff}")

groups = {}
for r in R["regions"]:
    k = region_key(r)
    key = (r["name"],) + k[5:9]
    s = r["start"] if r["start"] is not None else start
    e = r["end"] if r["end"] is not None else end
    c, tot = groups.get(key, (0, 0))
    groups[key] = (c + 1, tot + e - s)
view = {tuple(r[:5]): (r[5], r[6]) for r in
        q("SELECT type, function, file, line, pc, count, total_duration FROM region_types")}
report("view_region_types", view == groups, f"view {sorted(view.items(), key=str)[:3]} cli {sorted(groups.items(), key=str)[:3]}")

# -------------------------------------------------------------- counts
kinds = Counter()
events = 0
for line in open(dpath, encoding="utf-8", errors="replace"):
    if not line.startswith("M="):
        continue
    events += 1
    f = line.split()
    k = f[3] if len(f) > 3 else ""
    if k == "StateTransition":
        k = "G" if " GoID=" in line else "P" if " ProcID=" in line else "?"
    kinds[k] += 1
counts = {
    "g_transitions": kinds["G"], "p_transitions": kinds["P"], "cpu_samples": kinds["StackSample"],
    "logs": kinds["Log"], "metrics": kinds["Metric"], "labels": kinds["Label"],
}
bad = []
for table, n in counts.items():
    (got,), = q(f"SELECT count(*) FROM {table}")
    if got != n:
        bad.append(f"{table} {got} rows, dump {n}")
(ev, gens), = q("SELECT events, generations FROM traces")
if windowed:
    pass
elif ev != events:
    bad.append(f"traces.events {ev}, dump {events}")
if not windowed and gens != kinds["Sync"]:
    bad.append(f"traces.generations {gens}, dump {kinds['Sync']} Syncs")
report("counts", not bad, "; ".join(bad))

# -------------------------------------------------------------- stacks
bad = []
used = set()
for table, cols in (("g_transitions", ("stack", "cause_stack")), ("cpu_samples", ("stack",)),
                    ("logs", ("stack",)), ("ranges", ("stack",))):
    for c in cols:
        used |= {r[0] for r in q(f"SELECT DISTINCT {c} FROM {table} WHERE {c} IS NOT NULL")}
ids = {r[0]: r[1] for r in q("SELECT id, depth FROM stacks")}
if not used <= set(ids):
    bad.append(f"stacks used but not described: {sorted(used - set(ids))[:5]}")
if sorted(ids) != list(range(1, len(ids) + 1)):
    bad.append("stack IDs are not 1..n")
frames = {r[0]: (r[1], r[2]) for r in q("SELECT stack, count(*), max(depth) FROM frames GROUP BY stack")}
if any(frames.get(i) != (d, d - 1) for i, d in ids.items()):
    bad.append("frames do not number 0..depth-1 for every stack")
dup = q("SELECT count(*) FROM (SELECT group_concat(pc || ':' || line || ':' || function || ':' || file, '|') AS k "
        "FROM (SELECT * FROM frames ORDER BY stack, depth) GROUP BY stack) GROUP BY k HAVING count(*) > 1")
if dup:
    bad.append(f"{len(dup)} stacks stored more than once")
report("stacks", not bad, "; ".join(bad))
sys.exit(1 if failures else 0)
