#!/usr/bin/env python3
"""Checks the output of `gotrace timeline`.

    timeline-check.py TIMELINE.json
        Structure: valid JSON; one event object per line; "ts" printed with
        three decimals; per (pid, tid) the B/E slices balance and nest and
        ts never decreases (B, E, i; counters per (pid, name)); every async
        b has its e (same cat, id, name) and they nest per id; every pid has
        a process_name and every tid a thread_name.

    timeline-check.py --running TIMELINE.json GOROUTINES.json
        Also: for each goroutine, the total of its "running" slices equals
        exec_time in `gotrace goroutines --json` (GOROUTINES.json); for a
        goroutine ID used again after its goroutine ended, the last goroutine
        of that ID, as Go's summary keeps only that one.

Prints one line per problem (at most 20) and exits 1 when there is any.
Times are compared as integer nanoseconds, never as floats.
"""
import json
import re
import sys

TS_RE = re.compile(r'"ts":-?\d+\.\d{3}[,}]')


def ts_ns(ev):
    """The event's ts (microseconds, 3 decimals) as integer nanoseconds."""
    # The object was parsed with parse_float=str, so ts is its exact text.
    whole, frac = ev["ts"].split(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 1000 + int(frac))


class Checker:
    def __init__(self):
        self.problems = []

    def fail(self, msg):
        self.problems.append(msg)

    def check(self, path):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        try:
            doc = json.loads(text, parse_float=str)
        except ValueError as e:
            self.fail("%s: not valid JSON: %s" % (path, e))
            return None
        if doc.get("displayTimeUnit") != "ns" or not isinstance(doc.get("traceEvents"), list):
            self.fail("%s: no displayTimeUnit ns / traceEvents" % path)
            return None
        lines = text.split("\n")
        if lines[0] != '{"displayTimeUnit":"ns","traceEvents":[' or lines[-2:] != ["]}", ""]:
            self.fail("%s: header or trailer lines differ" % path)
        body = lines[1:-2]
        if len(body) != len(doc["traceEvents"]):
            self.fail("%s: %d event lines for %d events" % (path, len(body), len(doc["traceEvents"])))
        for n, line in enumerate(body, 2):
            obj = line[:-1] if line.endswith(",") else line
            try:
                json.loads(obj)
            except ValueError:
                self.fail("%s:%d: not one event object per line" % (path, n))
                break
            if '"ts":' in obj and not TS_RE.search(obj):
                self.fail("%s:%d: ts not printed with three decimals" % (path, n))
                break
        self.check_events(path, doc["traceEvents"])
        return doc["traceEvents"]

    def check_events(self, path, events):
        process_names, thread_names = set(), set()
        used_pids, used_tracks = set(), set()
        open_slices = {}  # (pid, tid) -> [(name, ts)]
        last_ts = {}      # track -> ts
        open_async = {}   # (cat, id key) -> [(name, ts)]
        for n, ev in enumerate(events):
            ph, pid, tid = ev.get("ph"), ev.get("pid"), ev.get("tid")
            where = "%s: event %d (%s)" % (path, n, json.dumps(ev)[:120])
            if ph == "M":
                name = ev.get("name")
                if name == "process_name":
                    process_names.add(pid)
                elif name == "thread_name":
                    thread_names.add((pid, tid))
                if not isinstance(ev.get("args", {}).get("name"), str):
                    self.fail(where + ": metadata without a name")
                continue
            if ph not in ("B", "E", "b", "e", "i", "C") or "ts" not in ev:
                self.fail(where + ": unexpected event")
                continue
            used_pids.add(pid)
            used_tracks.add((pid, tid))
            ts = ts_ns(ev)
            if ph in ("B", "E", "i", "C"):
                track = (pid, tid) if ph != "C" else (pid, "counter", ev["name"])
                if ts < last_ts.get(track, ts):
                    self.fail(where + ": ts goes back on its track")
                last_ts[track] = ts
            if ph == "B":
                open_slices.setdefault((pid, tid), []).append((ev["name"], ts))
            elif ph == "E":
                stack = open_slices.get((pid, tid))
                if not stack:
                    self.fail(where + ": E without B")
                elif stack[-1][0] != ev["name"]:
                    self.fail(where + ": E does not end the innermost slice %r" % stack[-1][0])
                else:
                    stack.pop()
            elif ph in ("b", "e"):
                if "id2" in ev:
                    key = (ev.get("cat"), "local", pid, ev["id2"].get("local"))
                else:
                    key = (ev.get("cat"), "id", ev.get("id"))
                if key[-1] is None:
                    self.fail(where + ": async event without id")
                stack = open_async.setdefault(key, [])
                if ph == "b":
                    stack.append((ev["name"], ts))
                elif not stack:
                    self.fail(where + ": e without b")
                elif stack[-1][0] != ev["name"]:
                    self.fail(where + ": e does not end the innermost %r" % stack[-1][0])
                else:
                    if ts < stack[-1][1]:
                        self.fail(where + ": e before its b")
                    stack.pop()
        for track, stack in open_slices.items():
            if stack:
                self.fail("%s: track %s ends with open slices %s" % (path, track, stack))
        for key, stack in open_async.items():
            if stack:
                self.fail("%s: async %s ends with open events %s" % (path, key, stack))
        for pid in used_pids - process_names:
            self.fail("%s: pid %s has no process_name" % (path, pid))
        for track in used_tracks - thread_names:
            self.fail("%s: track %s has no thread_name" % (path, track))

    def check_running(self, path, events, goroutines_path):
        with open(goroutines_path) as f:
            summary = json.load(f)
        exec_time = {g["id"]: g["exec_time"] for g in summary["goroutines"]}
        # A goroutine ID created again after its goroutine ended (cgo
        # callbacks reuse theirs) gets a second thread_name; Go's summary
        # keeps only the last goroutine of an ID, so only its slices count.
        running, began = {}, {}
        for ev in events:
            if ev.get("pid") != 1:
                continue
            if ev["ph"] == "M" and ev["name"] == "thread_name":
                running[ev["tid"]] = 0
            elif ev.get("name") != "running":
                continue
            elif ev["ph"] == "B":
                began[ev["tid"]] = ts_ns(ev)
            elif ev["ph"] == "E":
                running[ev["tid"]] = running.get(ev["tid"], 0) + ts_ns(ev) - began.pop(ev["tid"])
        for gid in sorted(set(exec_time) | set(running)):
            want, got = exec_time.get(gid, 0), running.get(gid, 0)
            if want != got:
                self.fail("%s: G%d runs %d ns in the timeline, exec_time %d ns in goroutines --json"
                          % (path, gid, got, want))


def main(argv):
    args = argv[1:]
    running = args[:1] == ["--running"]
    if running:
        args = args[1:]
    if len(args) != (2 if running else 1):
        sys.stderr.write(__doc__)
        return 2
    c = Checker()
    events = c.check(args[0])
    if running and events is not None:
        c.check_running(args[0], events, args[1])
    for p in c.problems[:20]:
        print(p)
    if len(c.problems) > 20:
        print("... and %d more" % (len(c.problems) - 20))
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
