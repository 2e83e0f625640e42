#!/usr/bin/env python3
"""compare.py KIND EXPECTED ACTUAL: compares an analysis
result of Go's (goref, or `go tool pprof -raw` of Go's profile) with gotrace's.

KIND is goroutines, tasks, regions or mmu (JSON from goref and `gotrace KIND
--json`), or pprof (two `go tool pprof -raw` listings). Integers must be
equal, floats equal to 1e-9 relative; region lists are compared as multisets
(Go sorts them by start time with an unstable sort), pprof samples as a
multiset of (count, delay, stack of "func file:line"). Exit 0 when equal, 1
otherwise (the first differences on stdout). Old-format traces are
compared as exactly as the others: gotrace orders their events of equal time
as Go does."""
import json
import sys

REL = 1e-9


def region_key(r):
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


def diff(a, b, path, out):
    if len(out) >= 20:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k == "trace_start_ns" and k not in a:
                continue  # gotrace's anchor for its times; Go's pages have none
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'expected' if k in a else 'actual'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items expected, {len(b)} found")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        if a != b or type(a) != type(b):
            out.append(f"{path}: {a!r} expected, {b!r} found")
    else:
        if isinstance(a, float) or isinstance(b, float):
            ok = abs(a - b) <= REL * max(abs(a), abs(b)) or abs(a - b) <= 1e-300
        else:
            ok = a == b
        if not ok:
            out.append(f"{path}: {a!r} expected, {b!r} found")


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


def pprof_diff(a, b, out):
    if a == b:
        return
    sa, sb = set(a), set(b)
    out.append(f"{len(a)} samples expected, {len(b)} found")
    out += [f"missing: {s}" for s in sorted(sa - sb)[:5]]
    out += [f"extra:   {s}" for s in sorted(sb - sa)[:5]]


def main():
    args = sys.argv[1:]
    if len(args) != 3:
        print(__doc__)
        return 2
    kind, exp_path, act_path = args
    out = []
    if kind == "pprof":
        pprof_diff(pprof_samples(exp_path), pprof_samples(act_path), out)
    else:
        with open(exp_path, encoding="utf-8") as f:
            a = normalize(json.load(f))
        with open(act_path, encoding="utf-8") as f:
            b = normalize(json.load(f))
        diff(a, b, kind, out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
