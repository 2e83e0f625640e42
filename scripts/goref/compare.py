#!/usr/bin/env python3
"""compare.py [--ties MAX SUM] KIND EXPECTED ACTUAL: compares an analysis
result of Go's (goref, or `go tool pprof -raw` of Go's profile) with gotrace's.

KIND is goroutines, tasks, regions or mmu (JSON from goref and `gotrace KIND
--json`), or pprof (two `go tool pprof -raw` listings). Integers must be
equal, floats equal to 1e-9 relative; region lists are compared as multisets
(Go sorts them by start time with an unstable sort), pprof samples as a
multiset of (count, delay, stack of "func file:line"). Exit 0 when equal, 1
otherwise (the first differences on stdout).

--ties MAX SUM is for old-format traces only, with the figures of ties.py
(the largest and the summed |time shift| of events that the two readers
order differently within a tie; ties.py fails unless that is the only
difference). Then a time that is one event's time (start, end, time,
creation_time, start_time, end_time, a worst window's time) may differ by
MAX; a duration made of event times (exec_time ... unknown_time, block_time
and range_time entries, an MMU trace length) by 2*SUM (each event time enters
such a value at most twice: as an interval's end and, in a snapshot, its
start); a pprof sample's delay by min(2*MAX*count, 2*SUM) (count intervals,
two edges each); an MMU or MUD value of window W by 2*SUM/W (the mutator time
of any window moves by at most the total shift, twice for its two edges).
Counts, names, stacks and everything else stay exact."""
import json
import sys

REL = 1e-9
TIME_KEYS = {"start", "end", "time", "creation_time", "start_time", "end_time"}
DURATION_KEYS = {"exec_time", "sched_wait_time", "syscall_time", "syscall_block_time",
                 "total_time", "unknown_time", "length"}
DURATION_MAPS = {"block_time", "range_time"}
MMU_KEYS = {"mmu", "mu", "mud"}


class Ties:
    """Tolerances of an old-format trace (see --ties); zero = exact."""

    def __init__(self, max_shift=0, sum_shift=0):
        self.max, self.sum = max_shift, sum_shift

    def slack(self, key, parent, window):
        """How far a number under key (inside parent) may be off."""
        if key in TIME_KEYS:
            return self.max
        if key in DURATION_KEYS or parent in DURATION_MAPS:
            return 2 * self.sum
        if key in MMU_KEYS and window:
            return 2 * self.sum / window
        return 0


def region_key(r):
    # Times last, so that regions shifted by tie reordering still pair up.
    return (r.get("name", ""), r.get("task", 0), r.get("goroutine", 0),
            json.dumps(r.get("frame"), sort_keys=True),
            r.get("start") if r.get("start") is not None else -1,
            r.get("end") if r.get("end") is not None else -1,
            json.dumps(r, sort_keys=True))


def normalize(x, key=None):
    if isinstance(x, dict):
        return {k: normalize(v, k) for k, v in x.items()}
    if isinstance(x, list):
        items = [normalize(v) for v in x]
        if key == "regions":
            items.sort(key=region_key)
        return items
    return x


def diff(a, b, path, out, ties, key=None, parent=None, window=0):
    if len(out) >= 20:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if isinstance(a.get("window"), int):
            window = a["window"]
        for k in sorted(set(a) | set(b)):
            if k == "trace_start_ns" and k not in a:
                continue  # gotrace's anchor for its times; Go's pages have none
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'expected' if k in a else 'actual'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out, ties, k, key, window)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items expected, {len(b)} found")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out, ties, key, parent, window)
    elif isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        if a != b or type(a) != type(b):
            out.append(f"{path}: {a!r} expected, {b!r} found")
    else:
        slack = ties.slack(key, parent, window)
        if isinstance(a, float) or isinstance(b, float):
            ok = abs(a - b) <= REL * max(abs(a), abs(b)) or abs(a - b) <= 1e-300 or abs(a - b) <= slack
        else:
            ok = abs(a - b) <= slack
        if not ok:
            out.append(f"{path}: {a!r} expected, {b!r} found" + (f" (slack {slack:g})" if slack else ""))


def pprof_samples(path):
    samples, locs, section = [], {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if s in ("Samples:", "Locations", "Mappings"):
                section = s
                continue
            if section == "Samples:" and ":" in s and s[0].isdigit():
                vals, _, ids = s.partition(":")
                samples.append((tuple(int(v) for v in vals.split()), ids.split()))
            elif section == "Locations" and s and s.split(":")[0].isdigit():
                lid, _, rest = s.partition(":")
                parts = rest.split()
                # addr M=n func file:line:col s=0 -> "func file:line:col"
                locs[lid] = " ".join(p for p in parts[1:] if not p.startswith(("M=", "s=")))
    return sorted((v, tuple(locs.get(i, "?" + i) for i in ids)) for v, ids in samples)


def pprof_diff(a, b, ties, out):
    """Samples grouped by stack (distinct PCs can print as the same stack),
    paired within a group in (count, delay) order: counts exact, delays
    within the tie slack."""
    if a == b:
        return
    groups_a, groups_b = {}, {}
    for vals, stack in a:
        groups_a.setdefault(stack, []).append(vals)
    for vals, stack in b:
        groups_b.setdefault(stack, []).append(vals)
    same_shape = {k: len(v) for k, v in groups_a.items()} == {k: len(v) for k, v in groups_b.items()}
    if not same_shape or not (ties.max or ties.sum):
        sa, sb = set(a), set(b)
        out.append(f"{len(a)} samples expected, {len(b)} found")
        out += [f"missing: {s}" for s in sorted(sa - sb)[:5]]
        out += [f"extra:   {s}" for s in sorted(sb - sa)[:5]]
        return
    for stack in sorted(groups_a):
        for (count_a, delay_a), (count_b, delay_b) in zip(sorted(groups_a[stack]), sorted(groups_b[stack])):
            slack = min(2 * ties.max * count_a, 2 * ties.sum)
            if count_a != count_b or abs(delay_a - delay_b) > slack:
                out.append(f"sample {stack[:2]}: {(count_a, delay_a)} expected, {(count_b, delay_b)} found"
                           f" (delay slack {slack})")


def main():
    args = sys.argv[1:]
    ties = Ties()
    if args[:1] == ["--ties"] and len(args) >= 3:
        ties = Ties(int(args[1]), int(args[2]))
        args = args[3:]
    if len(args) != 3:
        print(__doc__)
        return 2
    kind, exp_path, act_path = args
    out = []
    if kind == "pprof":
        pprof_diff(pprof_samples(exp_path), pprof_samples(act_path), ties, out)
    else:
        with open(exp_path, encoding="utf-8") as f:
            a = normalize(json.load(f))
        with open(act_path, encoding="utf-8") as f:
            b = normalize(json.load(f))
        diff(a, b, kind, out, ties)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
