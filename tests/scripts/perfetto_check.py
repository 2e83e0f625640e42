#!/usr/bin/env python3
"""Checks a `gotrace perfetto` output for what protoc cannot.

Usage: perfetto_check.py DECODED [--goroutines JSON] [--counts TASKS REGIONS LOGS SAMPLES]
                          [--window FROM_NS TO_NS]

DECODED is the output decoded by `protoc --decode=perfetto.protos.Trace`
(text format). Checks:
  - every track is described (track_descriptor) before an event uses it, and
    a track's parent before the track;
  - every interned id (event names, function names, source paths, frames,
    callstacks) is defined on its packet sequence, since the sequence's last
    SEQ_INCREMENTAL_STATE_CLEARED, before it is used (whether the packet says
    SEQ_NEEDS_INCREMENTAL_STATE does not matter: Perfetto only skips such
    packets while the state is invalid, which it never is in a whole file
    once cleared, and gotrace leaves the flag out);
  - timestamps never go backwards within a sequence; a packet's time is
    read as Perfetto does: on its timestamp_clock_id, else its sequence's
    TracePacketDefaults (set since the last SEQ_INCREMENTAL_STATE_CLEARED),
    else the trace clock (BOOTTIME); a sequence-scoped clock (64-127) must
    be defined by a ClockSnapshot on that sequence, and an incremental one
    counts from the snapshot, then from the sequence's previous packet on
    it; the trace clock's times are taken as they are (every snapshot must
    pair it with the same time);
  - begin/end slices balance on every track (in time order, as Perfetto
    reads them), and no end comes without its begin;
  - every flow that ends (terminating_flow_ids) began earlier (flow_ids) on
    an instant, exactly once, and ends on a slice begin.
With --goroutines (the output of `gotrace goroutines --json`): per goroutine,
the Running slices of its track add up to exec_time, and the slices of each
waiting reason to block_time[reason] (reason "forever" excepted: Go's summary
ends the goroutine there). A goroutine ID used again (cgo callbacks) has its
track described again; Go's summary keeps the last goroutine, so only the
slices begun after the track's last description count.
With --counts: task slices, region slices, log instants and "CPU sample"
instants begun on sequence 1 equal the trace's TaskBegin, RegionBegin, Log
and StackSample events.
With --window: every timestamp lies in [FROM_NS, TO_NS].
Prints nothing and exits 0 when all hold; otherwise one line per problem
(at most 20) and exit 1.
"""
import json
import re
import sys
from collections import defaultdict

SEQ_CLEARED = 1
STATE_NAMES = {"Running", "Runnable", "Syscall"}


def packets(path):
    """Yields each packet as nested dicts: field -> list of values. String
    values keep protoc's escapes: names are compared as printed. (Written
    for speed: outputs of a few MB decode to tens of MB of text.)"""
    stack = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            t = line.strip()
            if t == "}":
                d = stack.pop()
                if not stack:
                    yield d
            elif t.endswith(" {"):
                d = {}
                if stack:
                    stack[-1].setdefault(t[:-2], []).append(d)
                stack.append(d)
            else:
                k, sep, v = t.partition(": ")
                if not sep or not stack:
                    raise SystemExit("unparsable line: " + line.rstrip())
                stack[-1].setdefault(k, []).append(v[1:-1] if v[:1] == '"' else v)


def one(d, k, default=None):
    v = d.get(k)
    return v[0] if v else default


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    gor_json = counts = window = None
    while args:
        a = args.pop(0)
        if a == "--goroutines":
            gor_json = args.pop(0)
        elif a == "--window":
            window = (int(args.pop(0)), int(args.pop(0)))
        elif a == "--counts":
            counts = [int(args.pop(0)) for _ in range(4)]
    problems = []

    def bad(msg):
        if len(problems) < 20:
            problems.append(msg)
        elif len(problems) == 20:
            problems.append("...")

    tracks = {}          # uuid -> (name, parent)
    last_description = {}  # uuid -> packet number of its latest description
    seq_last_ts = {}
    seq_defaults_clock = {}  # seq -> default timestamp_clock_id
    seq_clocks = {}      # seq -> clock id -> [is_incremental, last value]
    seq_valid = set()    # sequences with incremental state
    interned = {}        # seq -> kind -> set(iid)
    iname = {}           # seq -> event name iid -> name
    slice_events = []    # (ts, order, uuid, type, name, seq, flows_in)
    flow_src = {}        # flow id -> (ts, uuid)
    flow_dst = {}
    n_log = n_sample = 0
    order = 0
    for pk in packets(path):
        order += 1
        seq = int(one(pk, "trusted_packet_sequence_id", "0"))
        flags = int(one(pk, "sequence_flags", "0"))
        if flags & SEQ_CLEARED:
            interned[seq] = defaultdict(set)
            iname[seq] = {}
            seq_valid.add(seq)
            seq_defaults_clock.pop(seq, None)
        defaults = one(pk, "trace_packet_defaults")
        if defaults is not None:
            if seq not in seq_valid:
                bad("packet %d: packet defaults on sequence %d before its state was cleared" % (order, seq))
            c = one(defaults, "timestamp_clock_id")
            if c is not None:
                seq_defaults_clock[seq] = int(c)
        snap = one(pk, "clock_snapshot")
        if snap is not None:
            times = {}
            for clk in snap.get("clocks", []):
                cid = int(one(clk, "clock_id"))
                times[cid] = int(one(clk, "timestamp", "0"))
                if one(clk, "unit_multiplier_ns") not in (None, "1"):
                    bad("packet %d: clock %d has a unit multiplier, which this checker does not read" % (order, cid))
                if 64 <= cid <= 127:
                    seq_clocks.setdefault(seq, {})[cid] = [one(clk, "is_incremental") == "true", times[cid]]
            if 6 not in times:
                bad("packet %d: a clock snapshot without the trace clock (BOOTTIME)" % order)
            elif any(t != times[6] for t in times.values()):
                bad("packet %d: clock snapshot times differ: %s" % (order, times))
        td = one(pk, "track_descriptor")
        if td is not None:
            uuid = int(one(td, "uuid"))
            parent = one(td, "parent_uuid")
            if parent is not None and int(parent) not in tracks:
                bad("track %d described before its parent %s" % (uuid, parent))
            name = one(td, "name", "")
            if one(td, "process") is not None:
                name = one(one(td, "process"), "process_name", "")
            tracks[uuid] = (name, int(parent) if parent is not None else None)
            last_description[uuid] = order
        idata = one(pk, "interned_data")
        uses_interned = False
        if idata is not None:
            if seq not in seq_valid:
                bad("packet %d: interned data on sequence %d before its state was cleared" % (order, seq))
            tables = interned.setdefault(seq, defaultdict(set))
            for kind in ("event_names", "function_names", "source_paths"):
                for e in idata.get(kind, []):
                    tables[kind].add(int(one(e, "iid")))
            for e in idata.get("event_names", []):
                iname.setdefault(seq, {})[int(one(e, "iid"))] = one(e, "name", "")
            for fr in idata.get("frames", []):
                for k, kind in (("function_name_id", "function_names"), ("source_path_iid", "source_paths")):
                    v = one(fr, k)
                    if v is not None and int(v) not in tables[kind]:
                        bad("packet %d: frame uses undefined %s %s" % (order, kind, v))
                tables["frames"].add(int(one(fr, "iid")))
            for cs in idata.get("callstacks", []):
                for fid in cs.get("frame_ids", []):
                    if int(fid) not in tables["frames"]:
                        bad("packet %d: callstack uses undefined frame %s" % (order, fid))
                tables["callstacks"].add(int(one(cs, "iid")))
        te = one(pk, "track_event")
        if te is None:
            continue
        ts = int(one(pk, "timestamp"))
        clock = int(one(pk, "timestamp_clock_id", "0")) or seq_defaults_clock.get(seq, 6)
        if 64 <= clock <= 127:
            c = seq_clocks.get(seq, {}).get(clock)
            if c is None:
                bad("packet %d: clock %d used on sequence %d without a snapshot" % (order, clock, seq))
            elif c[0]:
                c[1] += ts
                ts = c[1]
            else:
                ts = c[1] + ts - c[1]
        elif clock != 6:
            bad("packet %d: timestamp on clock %d" % (order, clock))
        if ts < seq_last_ts.get(seq, -1):
            bad("packet %d: timestamp %d before %d on sequence %d" % (order, ts, seq_last_ts[seq], seq))
        seq_last_ts[seq] = ts
        if window and not window[0] <= ts <= window[1]:
            bad("packet %d: timestamp %d outside the window %d-%d" % (order, ts, window[0], window[1]))
        uuid = int(one(te, "track_uuid"))
        if uuid not in tracks:
            bad("packet %d: track %d used before it is described" % (order, uuid))
        typ = one(te, "type")
        name = one(te, "name")
        tables = interned.get(seq, {})
        for field, kind in (("name_iid", "event_names"), ("callstack_iid", "callstacks")):
            v = one(te, field)
            if v is None:
                continue
            uses_interned = True
            if int(v) not in tables.get(kind, ()):
                bad("packet %d: %s %s undefined on sequence %d" % (order, field, v, seq))
        if uses_interned and seq not in seq_valid:
            bad("packet %d: uses interned data on sequence %d before its state was cleared" % (order, seq))
        if name is None and one(te, "name_iid") is not None:
            name = iname.get(seq, {}).get(int(one(te, "name_iid")), "?")
        for fid in te.get("flow_ids", []):
            if fid in flow_src:
                bad("flow %s begins twice" % fid)
            if typ != "TYPE_INSTANT":
                bad("flow %s begins on a %s" % (fid, typ))
            flow_src[fid] = (ts, uuid)
        for fid in te.get("terminating_flow_ids", []):
            if fid in flow_dst:
                bad("flow %s ends twice" % fid)
            if fid not in flow_src:
                bad("packet %d: flow %s ends without a beginning" % (order, fid))
            elif flow_src[fid][0] > ts:
                bad("flow %s ends before it begins" % fid)
            if typ != "TYPE_SLICE_BEGIN":
                bad("flow %s ends on a %s" % (fid, typ))
            flow_dst[fid] = ts
        if typ == "TYPE_INSTANT" and any(one(d, "name") == "message" for d in te.get("debug_annotations", [])):
            n_log += 1
        if typ == "TYPE_INSTANT" and name == "CPU sample":
            n_sample += 1
        if typ in ("TYPE_SLICE_BEGIN", "TYPE_SLICE_END"):
            slice_events.append((ts, order, uuid, typ, name, seq))

    slice_events.sort(key=lambda e: (e[0], e[1]))
    open_slices = defaultdict(list)   # uuid -> [(ts, name, packet number)]
    durations = defaultdict(lambda: defaultdict(int))  # uuid -> name -> ns
    # A track described again is a new goroutine on a reused ID (the writer
    # forgets the track of a goroutine that ended): Go's summary keeps only
    # the last one, so only slices begun after the last description count.
    for ts, o, uuid, typ, name, seq in slice_events:
        if typ == "TYPE_SLICE_BEGIN":
            open_slices[uuid].append((ts, name, o))
        else:
            if not open_slices[uuid]:
                bad("track %d (%s): end at %d without a begin" % (uuid, tracks.get(uuid, ("?",))[0], ts))
                continue
            bts, bname, border = open_slices[uuid].pop()
            if border > last_description.get(uuid, 0):
                durations[uuid][bname] += ts - bts
    for uuid, st in open_slices.items():
        if st:
            bad("track %d (%s): %d slices never end" % (uuid, tracks.get(uuid, ("?",))[0], len(st)))

    # Which tracks are what, by the hierarchy: Goroutines > function > G track.
    def child_of(uuid, group_name):
        p = tracks.get(uuid, (None, None))[1]
        return p is not None and tracks.get(p, ("",))[0] == group_name

    g_root = [u for u, (n, p) in tracks.items() if n == "Goroutines"]
    gtracks = {}
    for u, (n, p) in tracks.items():
        if p is not None and tracks.get(p, (None, None))[1] in g_root:
            m = re.match(r"G(\d+)", n)
            if m:
                gtracks[int(m.group(1))] = u

    if gor_json:
        with open(gor_json) as f:
            gs = json.load(f)["goroutines"]
        for g in gs:
            u = gtracks.get(g["id"])
            d = durations.get(u, {}) if u is not None else {}
            if d.get("Running", 0) != g["exec_time"]:
                bad("G%d: Running slices %d ns, exec_time %d" % (g["id"], d.get("Running", 0), g["exec_time"]))
            for reason, ns in g["block_time"].items():
                if reason == "forever":
                    continue
                got = d.get(reason if reason else "Waiting", 0)
                if got != ns:
                    bad("G%d: waiting %r slices %d ns, block_time %d" % (g["id"], reason, got, ns))

    if counts:
        task_tracks = set()
        frontier = {u for u, (n, p) in tracks.items() if n == "Tasks"}
        while frontier:
            nxt = {u for u, (n, p) in tracks.items() if p in frontier}
            task_tracks |= nxt
            frontier = nxt
        region_tracks = {u for u, (n, p) in tracks.items() if n.endswith(" regions")}
        n_task = sum(1 for e in slice_events if e[3] == "TYPE_SLICE_BEGIN" and e[5] == 1 and e[2] in task_tracks)
        n_region = sum(1 for e in slice_events if e[3] == "TYPE_SLICE_BEGIN" and e[5] == 1 and e[2] in region_tracks)
        for what, got, want in (("task", n_task, counts[0]), ("region", n_region, counts[1]), ("log", n_log, counts[2]),
                                ("CPU sample", n_sample, counts[3])):
            if got != want:
                bad("%s slices/instants: %d, trace has %d" % (what, got, want))

    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
