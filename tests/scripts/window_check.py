#!/usr/bin/env python3
"""Checks windowed analyses against independent computations (window.sh).

additive G TRACE A B: `gotrace goroutines --json` over [0,A], [A,B], [B,end]
  sum, goroutine by goroutine and stat by stat, to the whole trace's figures
  (a goroutine's time inside a window is its time clipped to the window, so
  the three must add up exactly), and every goroutine of a window is alive
  in it.
cut G TRACE CUT FROM TO: the windowed goroutine times equal those of the
  analysis of CUT (a `gotrace cut` whose generations span exactly
  [FROM, TO]), for every goroutine of the cut.
dump G TRACE FROM TO: the windowed dump is the whole dump's events in the
  window, with their stacks.
regions / tasks G TRACE FROM TO: the windowed list is the whole trace's
  regions (tasks) that overlap the window, edges outside it unknown.
summary G TRACE FROM TO: `gotrace summary --json` of a window agrees with
  goroutines and mmu of the same window (groups, blocking, MMU).
"""
import json
import subprocess
import sys

STATS = ["exec_time", "sched_wait_time", "syscall_time", "syscall_block_time", "total_time"]


def run(g, *args):
    p = subprocess.run([g] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s %s: status %d: %s" % (g, " ".join(args), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def stats(g):
    out = {k: g[k] for k in STATS}
    for k, v in g["block_time"].items():
        out["block:" + k] = v
    for k, v in g["range_time"].items():
        out["range:" + k] = v
    return out


def goroutines(g, trace, *window):
    d = run(g, "goroutines", "--json", *window, trace)
    return d, {x["id"]: x for x in d["goroutines"]}


def at_fraction(g, trace, x):
    """x as given, or "F%": that fraction of the trace's duration, in ns."""
    if not x.endswith("%"):
        return x
    d = run(g, "summary", "--json", trace)["trace"]["duration_ns"]
    return "%dns" % (d * float(x[:-1]) // 100)


def additive(g, trace, a, b):
    whole, wg = goroutines(g, trace)
    parts = [goroutines(g, trace, "--from", "0", "--to", a),
             goroutines(g, trace, "--from", a, "--to", b),
             goroutines(g, trace, "--from", b)]
    bad = []
    reused = 0
    for gid, x in wg.items():
        # An ID the trace gives again (cgo callbacks): Go's summary keeps the
        # last goroutine of the ID, a window may hold an earlier one, which
        # existed before the last was created.
        if any(gid in pg and pg[gid]["creation_time"] < x["creation_time"] for _, pg in parts):
            reused += 1
            continue
        want = stats(x)
        got = {}
        for _, pg in parts:
            if gid in pg:
                for k, v in stats(pg[gid]).items():
                    got[k] = got.get(k, 0) + v
        for k in set(want) | set(got):
            if want.get(k, 0) != got.get(k, 0):
                bad.append("G%d %s: whole %d, windows %d" % (gid, k, want.get(k, 0), got.get(k, 0)))
    for d, pg in parts:
        for gid in pg:
            if gid not in wg:
                bad.append("G%d in a window, not in the trace" % gid)
    n = sum(len(pg) for _, pg in parts)
    if bad:
        sys.exit("%d differences, e.g. %s" % (len(bad), "; ".join(bad[:5])))
    if n == 0:
        sys.exit("no goroutine in any window")
    print("%d goroutines, %d window entries (%d IDs given again, not compared)" % (len(wg), n, reused))


def cut(g, trace, cutf, frm, to):
    _, cg = goroutines(g, cutf)
    _, wg = goroutines(g, trace, "--from", frm, "--to", to)
    bad = []
    for gid, x in cg.items():
        if gid not in wg:
            bad.append("G%d of the cut not in the window" % gid)
            continue
        # A cut knows the state of a goroutine blocked at its start but not
        # why (a status event has no reason: Go counts it as block time ""),
        # a window knows the reason: compare the block times' sum.
        want, got = stats(x), stats(wg[gid])
        for d in (want, got):
            d["block"] = sum(v for k, v in d.items() if k.startswith("block:"))
        for k in STATS + ["block"] + [k for k in want if k.startswith("range:")]:
            if want.get(k, 0) != got.get(k, 0):
                bad.append("G%d %s: cut %d, window %d" % (gid, k, want.get(k, 0), got.get(k, 0)))
    if bad:
        sys.exit("%d differences, e.g. %s" % (len(bad), "; ".join(bad[:5])))
    if not cg:
        sys.exit("no goroutine in the cut")
    print("%d goroutines equal" % len(cg))


def dump(g, trace, frm, to):
    """The windowed dump is the whole dump's events (with their stack lines)
    whose time is in the window."""
    def blocks(args):
        p = subprocess.run([g, "dump"] + args + [trace], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("dump %s: status %d: %s" % (args, p.returncode, p.stderr.strip()))
        out = []
        for line in p.stdout.split("\n"):
            if line.startswith("M="):
                out.append([line])
            elif out and line:
                out[-1].append(line)
        return out

    def time(b):
        for w in b[0].split():
            if w.startswith("Time="):
                return int(w[5:])
        sys.exit("no time in " + b[0])

    whole = blocks([])
    win = blocks(["--from", frm, "--to", to])
    t0 = time(whole[0])
    f, t = ns(frm), ns(to)
    want = [b for b in whole if f <= time(b) - t0 <= t]
    if win != want:
        sys.exit("windowed dump: %d events, whole dump's in the window: %d" % (len(win), len(want)))
    if not want or len(want) == len(whole):
        sys.exit("the window selects %d of %d events: nothing tested" % (len(want), len(whole)))
    print("%d of %d events" % (len(want), len(whole)))


def ns(d):
    """A duration as the tests write them: Nns, Nus, Nms, Ns."""
    for unit, mult in (("ns", 1), ("us", 1000), ("ms", 10**6), ("s", 10**9)):
        if d.endswith(unit) and d[:-len(unit)].replace(".", "").isdigit():
            return int(round(float(d[:-len(unit)]) * mult))
    return int(d)


def regions(g, trace, frm, to):
    """The windowed regions are the whole trace's regions that overlap the
    window, with the edges outside it unknown."""
    whole = run(g, "regions", "--json", trace)
    win = run(g, "regions", "--json", "--from", frm, "--to", to, trace)
    t0 = whole["trace_start_ns"]
    f, t = t0 + ns(frm), t0 + ns(to)
    want = []
    for r in whole["regions"]:
        s, e = r["start"], r["end"]
        if (s is not None and s > t) or (e is not None and e < f):
            continue
        want.append((r["goroutine"], r["task"], r["name"], s if s is not None and s >= f else None,
                     e if e is not None and e <= t else None))
    got = [(r["goroutine"], r["task"], r["name"], r["start"], r["end"]) for r in win["regions"]]
    if sorted(got, key=repr) != sorted(want, key=repr):
        sys.exit("windowed regions: %d, overlapping ones of the whole trace: %d (e.g. %s)" %
                 (len(got), len(want), sorted(set(got) ^ set(want), key=repr)[:3]))
    print("%d of %d regions" % (len(got), len(whole["regions"])))


def tasks(g, trace, frm, to):
    """The windowed tasks are the whole trace's tasks not ended before the
    window nor begun after it; a begin or end outside it is unknown."""
    whole = run(g, "tasks", "--json", trace)
    win = run(g, "tasks", "--json", "--from", frm, "--to", to, trace)
    t0 = whole["trace_start_ns"]
    f, t = t0 + ns(frm), t0 + ns(to)
    want = {}
    for k in whole["tasks"]:
        s, e = k["start"], k["end"]
        if (s is not None and s > t) or (e is not None and e < f):
            continue
        # A task the trace only names after the window is not in it.
        times = [s, e] + [x["time"] for x in k["logs"]] + \
            [x[y] for x in k["regions"] for y in ("start", "end")]
        if not any(x is not None and x <= t for x in times):
            continue
        want[k["id"]] = (s if s is not None and s >= f else None, e if e is not None and e <= t else None)
    got = {k["id"]: (k["start"], k["end"]) for k in win["tasks"]}
    if got != want:
        sys.exit("windowed tasks differ from the whole trace's overlapping ones: %s" %
                 sorted(set(got.items()) ^ set(want.items()))[:3])
    print("%d of %d tasks" % (len(got), len(whole["tasks"])))


def summary(g, trace, frm, to):
    """gotrace summary of a window agrees with the other commands' windows:
    execution by group, block time by reason, scheduler wait, and the MMU."""
    w = ["--from", frm, "--to", to]
    sm = run(g, "summary", "--json", *w, trace)
    _, gs = goroutines(g, trace, *w)
    mmu = run(g, "mmu", "--json", *w, trace)
    bad = []
    groups = {}
    for x in gs.values():
        groups[x["name"]] = groups.get(x["name"], 0) + x["exec_time"]
    got = {x["name"]: x["exec_ns"] for x in sm["goroutine_groups"]}
    if got != groups:
        bad.append("groups %s / %s" % (sorted(got.items())[:3], sorted(groups.items())[:3]))
    block = {}
    for x in gs.values():
        for k, v in x["block_time"].items():
            block[k] = block.get(k, 0) + v
        sc = x["syscall_time"] + x["syscall_block_time"]
        if sc:
            block["syscall"] = block.get("syscall", 0) + sc
    got = {x["reason"]: x["time_ns"] for x in sm["blocking"] if x["time_ns"] or x["reason"] in block}
    if got != {k: v for k, v in block.items() if v or k in got}:
        bad.append("blocking %s / %s" % (sorted(got.items())[:3], sorted(block.items())[:3]))
    mm = {x["window"]: x["mmu"] for x in mmu["windows"]}
    n = 0
    for x in sm["gc"]["mmu"]:
        if x.get("mmu") is not None and x["window_ns"] in mm:
            n += 1
            if abs(x["mmu"] - mm[x["window_ns"]]) > 1e-12:
                bad.append("MMU at %d: %r / %r" % (x["window_ns"], x["mmu"], mm[x["window_ns"]]))
    if bad:
        sys.exit("; ".join(bad))
    print("%d groups, %d reasons, %d MMU values agree" % (len(groups), len(block), n))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd != "cut":
        sys.argv[4:6] = [at_fraction(sys.argv[2], sys.argv[3], x) for x in sys.argv[4:6]]
    {"additive": additive, "cut": cut, "dump": dump, "regions": regions, "tasks": tasks,
     "summary": summary}[cmd](*sys.argv[2:])
