#!/usr/bin/env python3
"""summary_check.py: checks `gotrace summary --json` against other results.

  summary_check.py analyses SUMMARY GOROUTINES TASKS REGIONS MMU
      Figures the goroutine, task, region and MMU analyses also give (Go's own
      JSON from scripts/goref, or `gotrace KIND --json`, which
      tests/scripts/analysis*.sh compare with Go's): goroutine groups
      (count, execution time), the goroutine count, time by block reason,
      scheduler wait, mark assist time, task and region counts by type, and
      the MMU at each window the MMU list holds. Exact (the MMU to 1e-9
      relative, as scripts/goref/compare.py).

  summary_check.py events SUMMARY DUMP
      Recomputes from `gotrace dump` output (every state transition), with an
      independent implementation of the summary's definitions: goroutines
      created, ended and at most alive; episode counts by block reason;
      scheduling latency count, total, min, max exact, and each percentile
      (nearest rank) not below the exact one and at most 1/32 above it.

Exit 0 when everything agrees; otherwise 1 with the differences on stdout."""
import json
import math
import re
import sys
from collections import defaultdict

errors = []


def expect(cond, what):
    if not cond:
        errors.append(what)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_analyses(summary, goroutines, tasks, regions, mmu):
    gs = goroutines["goroutines"]
    expect(summary["scheduler"]["goroutines"] == len(gs),
           f"goroutines {summary['scheduler']['goroutines']} != {len(gs)}")

    groups = defaultdict(lambda: [0, 0])
    block = defaultdict(int)
    sched_wait = assist = 0
    for g in gs:
        groups[g["name"]][0] += 1
        groups[g["name"]][1] += g["exec_time"]
        for reason, ns in g["block_time"].items():
            block[reason] += ns
        block["syscall"] += g["syscall_time"] + g["syscall_block_time"]
        sched_wait += g["sched_wait_time"]
        assist += g["range_time"].get("GC mark assist", 0)
    got = {x["name"]: [x["count"], x["exec_ns"]] for x in summary["goroutine_groups"]}
    expect(got == dict(groups), f"groups: summary {sorted(got.items())[:5]} vs {sorted(groups.items())[:5]}")
    execs = [x["exec_ns"] for x in summary["goroutine_groups"]]
    expect(execs == sorted(execs, reverse=True), "groups not by execution time")

    got_block = {b["reason"]: b["time_ns"] for b in summary["blocking"]}
    for reason in set(got_block) | set(block):
        expect(got_block.get(reason, 0) == block.get(reason, 0),
               f"block time {reason!r}: {got_block.get(reason, 0)} != {block.get(reason, 0)}")
    expect(summary["scheduler"]["sched_wait_ns"] == sched_wait,
           f"sched wait {summary['scheduler']['sched_wait_ns']} != {sched_wait}")
    expect(summary["gc"]["mark_assist_ns"] == assist, f"mark assist {summary['gc']['mark_assist_ns']} != {assist}")

    ttypes = defaultdict(lambda: [0, 0])
    for t in tasks["tasks"]:
        ttypes[t["name"]][0] += 1
        ttypes[t["name"]][1] += t["start"] is not None and t["end"] is not None
    got = {t["type"]: [t["count"], t["complete"]] for t in summary["tasks"]}
    expect(got == dict(ttypes), f"task types: summary {sorted(got.items())} vs {sorted(ttypes.items())}")

    rtypes = defaultdict(int)
    for grp in regions["groups"]:
        rtypes[grp["type"]] += grp["count"]
    got = {r["type"]: r["count"] for r in summary["regions"]}
    expect(got == dict(rtypes), f"region types: summary {sorted(got.items())} vs {sorted(rtypes.items())}")

    windows = {w["window"]: w["mmu"] for w in mmu["windows"]}
    length = mmu["length"]
    for m in summary["gc"]["mmu"]:
        w = m["window_ns"]
        if w > length or not mmu["windows"]:
            expect(m["mmu"] is None or not mmu["windows"], f"MMU at {w}: {m['mmu']} for a trace of {length} ns")
            continue
        expect(w in windows, f"MMU window {w} not in the MMU list")
        if w in windows:
            expect(m["mmu"] is not None and abs(m["mmu"] - windows[w]) <= 1e-9 * max(1.0, abs(windows[w])),
                   f"MMU at {w}: {m['mmu']} != {windows[w]}")


TRANSITION = re.compile(r' StateTransition Time=(\d+) GoID=(-?\d+) (\w+)->(\w+) Reason=("(?:[^"\\]|\\.)*")')


def nearest_rank(sorted_values, p):
    rank = max(1, math.ceil(p / 100 * len(sorted_values) - 1e-9))
    return sorted_values[rank - 1]


def check_events(summary, dump_path):
    state = {}      # goroutine -> (state, since, known)
    alive = set()
    created = ended = pre = net = net_max = 0
    counts = defaultdict(int)
    waits = []
    with open(dump_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TRANSITION.search(line)
            if not m:
                continue
            t, g, old, new, reason = int(m[1]), int(m[2]), m[3], m[4], json.loads(m[5])
            if old == new:
                continue
            prev = state.get(g)
            if prev and prev[2] and prev[0] == old and old == "Runnable":
                waits.append(t - prev[1])
            if new == "NotExist":
                if g in alive:
                    alive.discard(g)
                    ended += 1
                    net -= 1
            elif g not in alive and old in ("NotExist", "Undetermined"):
                alive.add(g)
                if old == "Undetermined":
                    pre += 1
                else:
                    created += 1
                    net += 1
                    net_max = max(net_max, net)
            known = old != "Undetermined"
            state[g] = (new, t, known)
            if known and new == "Waiting":
                counts[reason] += 1
            if known and new == "Syscall":
                counts["syscall"] += 1
    s = summary["scheduler"]
    expect(s["goroutines_created"] == created, f"created {s['goroutines_created']} != {created}")
    expect(s["goroutines_ended"] == ended, f"ended {s['goroutines_ended']} != {ended}")
    expect(s["goroutines_peak"] == pre + net_max, f"peak {s['goroutines_peak']} != {pre + net_max}")
    got = {b["reason"]: b["count"] for b in summary["blocking"] if b["count"]}
    expect(got == dict(counts), f"block counts: summary {sorted(got.items())} vs {sorted(counts.items())}")
    lat = s["sched_latency"]
    expect(lat["count"] == len(waits), f"sched latency count {lat['count']} != {len(waits)}")
    if waits:
        waits.sort()
        expect(lat["total_ns"] == sum(waits), f"sched latency total {lat['total_ns']} != {sum(waits)}")
        expect(lat["min_ns"] == waits[0] and lat["max_ns"] == waits[-1],
               f"sched latency min/max {lat['min_ns']}/{lat['max_ns']} != {waits[0]}/{waits[-1]}")
        for p in (50, 90, 99):
            exact, got_p = nearest_rank(waits, p), lat[f"p{p}_ns"]
            expect(exact <= got_p <= exact + exact // 32,
                   f"p{p}: {got_p} not within [{exact}, {exact + exact // 32}]")


def main(argv):
    if len(argv) == 7 and argv[1] == "analyses":
        check_analyses(*(load(p) for p in argv[2:7]))
    elif len(argv) == 4 and argv[1] == "events":
        check_events(load(argv[2]), argv[3])
    else:
        print(__doc__)
        return 2
    for e in errors[:5]:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
