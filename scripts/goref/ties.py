#!/usr/bin/env python3
"""ties.py GO_DUMP OUR_DUMP: measures how far gotrace's times of an old-format
(Go 1.11-1.21) trace are from Go's, when the two differ only in the order of
tied events. Both files are `-d=parsed` dumps (`go tool trace -d=parsed`,
`gotrace dump`); either may be gzip-compressed.

Why times can differ at all: the old formats give events on different Ps the
same timestamp; Go 1.27's conversion orders such ties in an order of its own
(map and sort order) and gotrace in a documented one (lower P first), and
both then force times to be strictly increasing, so a tie of L events comes
out as T, T+1, ..., T+L-1 with the events in a different order.

Method: an event record is its `M=...` line plus the stack lines below it.
Both dumps are cut into maximal runs of records whose times step by exactly
1 ns (the runs the renumbering makes). Records outside runs must be equal;
inside a run, the records with their times blanked must be the same
multiset (that is the only freedom the renumbering has). Equal blanked
records are paired in order, and each pair gives the shift of one event:
our time minus Go's.

Prints "MAX SUM" (the largest |shift| and the sum of |shift| over all
events) and exits 0, or prints the first difference that is not a tie
reordering and exits 1: then no tolerance is justified.
"""
import gzip
import re
import sys

TIME = re.compile(r' Time=(-?\d+)')


def open_text(path):
    with open(path, 'rb') as f:
        magic = f.read(2)
    if magic == b'\x1f\x8b':
        return gzip.open(path, 'rt', encoding='utf-8', errors='replace')
    return open(path, encoding='utf-8', errors='replace')


def records(path):
    """(time or None, blanked text) per record, in dump order."""
    out, rec = [], []
    with open_text(path) as f:
        for line in f:
            if line.startswith('M=') and rec:
                out.append(rec)
                rec = []
            rec.append(line)
    if rec:
        out.append(rec)
    res = []
    for r in out:
        m = TIME.search(r[0]) if r[0].startswith('M=') else None
        t = int(m.group(1)) if m else None
        res.append((t, ''.join([TIME.sub(' Time=#', r[0], count=1)] + r[1:])))
    return res


def runs(recs):
    """Maximal runs of records whose times step by exactly 1."""
    i = 0
    while i < len(recs):
        j = i + 1
        if recs[i][0] is not None:
            while j < len(recs) and recs[j][0] is not None and recs[j][0] == recs[j - 1][0] + 1:
                j += 1
        yield recs[i:j]
        i = j


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    go_runs = list(runs(records(sys.argv[1])))
    our_runs = list(runs(records(sys.argv[2])))
    if len(go_runs) != len(our_runs):
        print(f"dumps differ beyond tie order: {len(go_runs)} runs in Go's dump, {len(our_runs)} in ours")
        return 1
    max_shift = total = 0
    for g, o in zip(go_runs, our_runs):
        if [t for t, _ in g] != [t for t, _ in o]:
            print(f"dumps differ beyond tie order: times {[t for t, _ in g][:4]} vs {[t for t, _ in o][:4]}")
            return 1
        if sorted(x for _, x in g) != sorted(x for _, x in o):
            diff = sorted(set(x for _, x in g) ^ set(x for _, x in o))
            print(f"dumps differ beyond tie order near Time={g[0][0]}: {diff[0].splitlines()[0] if diff else 'counts'}")
            return 1
        if len(g) == 1:
            continue
        # Pair equal records in order of appearance.
        go_times = {}
        for t, x in g:
            go_times.setdefault(x, []).append(t)
        for t, x in o:
            shift = abs(t - go_times[x].pop(0))
            max_shift = max(max_shift, shift)
            total += shift
    print(max_shift, total)
    return 0


if __name__ == '__main__':
    sys.exit(main())
