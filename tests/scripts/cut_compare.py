#!/usr/bin/env python3
"""Checks that Go's parse of a cut equals Go's parse of the whole trace over
the generations the cut kept, up to exactly the differences Go's reader
(internal/trace, reader.go and order.go) makes between reading a generation
first and reading it after others:

  whole = `go tool trace -d=parsed` (or `gotrace dump`) of the whole trace
  cut   = the same of a cut holding generations A..B (A is 1-based)

The cut's events, without its final Sync, must be the whole trace's events
from the Sync that opens generation A to the last event before the Sync that
opens generation B+1 (or before the final Sync), event for event and stack
line for stack line, except:

 1. Sync events count from 1 in the cut: N(cut) = N(whole) - (A - 1).
 2. Times. The reader makes times strictly increasing (an event at or before
    the previous one's time gets that time + 1). In the whole trace the
    previous time at generation A is the last time L of generation A-1; in
    the cut there is none. So the times may differ only on a leading run of
    events, where the whole trace's times are L+1, L+2, ... (forced) and the
    cut's are earlier; from the first equal time on, all are equal.
 3. Generation A is the cut's first generation (Go's initialGen), so
    a. goroutine and proc status events (GoStatus, ProcStatus) give
       StateTransitions from Undetermined in the cut, where the whole trace
       has the state the resource was in;
    b. threads (M) start with no P and no G in the cut, where the whole trace
       has what generation A-1 left: on each M, the P= and G= of the event
       context may be -1 in the cut where the whole trace names one, on a
       leading run of that M's events, until the status events bind them;
       from the first event where they agree on, they agree.
 3c. A proc whose status event says ProcSyscallAbandoned, while the whole
    trace last saw it in a syscall (ProcSyscall): the whole trace promotes
    it, giving Running->Running in the context of the thread that holds it
    (P= that proc), where the cut, which never saw it, gives
    Undetermined->Idle in the context of the thread that wrote the event.
    Until the proc is stolen, each later status event for it differs the
    same way (Running->Running there, Idle->Idle here, in any generation),
    and the ProcSteal that takes it is Running->Idle there and Idle->Idle
    here (Go's Event.StateTransition for a steal out of SyscallAbandoned).
 4. A task that began before generation A ends (UserTaskEnd, printed as
    TaskEnd) in the cut with no parent and no type (Parent=-1? Type=""),
    since the cut never saw its begin: the cut's TaskEnd may then have
    Parent and Type cleared where the whole trace has them.

Usage: cut_compare.py WHOLE CUT A
Prints nothing and exits 0 when equal; else prints the first difference and
exits 1. WHOLE may be gzipped (.gz).

       cut_compare.py --batch < LIST
LIST has one comparison a line, NAME WHOLE CUT A separated by tabs; prints
"ok NAME" or "not ok NAME: difference" for each (the test protocol) and exits
0. Each whole trace is read once.
"""
import gzip
import re
import sys

EV = re.compile(r'^M=(-?\d+) P=(-?\d+) G=(-?\d+) (\w+) Time=(-?\d+)(.*)$')


def read_events(path):
    opener = gzip.open if path.endswith('.gz') else open
    events = []
    with opener(path, 'rt', encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('M='):
                m = EV.match(line)
                if not m:
                    raise SystemExit('unparsed event line: ' + line)
                events.append({'m': m.group(1), 'p': m.group(2), 'g': m.group(3), 'kind': m.group(4),
                               'time': int(m.group(5)), 'rest': m.group(6), 'more': [], 'line': line})
            elif events:
                events[-1]['more'].append(line)
    return events


SYNC_N = re.compile(r'^ N=(\d+)(.*)$')
TRANSITION = re.compile(r'^ (GoID|ProcID)=(-?\d+) (\w+)->(\w+)(.*)$')
TASK_END = re.compile(r'^ ID=(\d+) Parent=(\d+) Type="((?:[^"\\]|\\.)*)"(.*)$')
NO_TASK = '18446744073709551615'  # Go prints NoTask as this uint64


def compare(whole, cut, first):
    """None when cut (events) is whole (events) over generations first.. under
    the rules above, else the first difference."""

    syncs = [i for i, e in enumerate(whole) if e['kind'] == 'Sync']
    if len(syncs) < first + 1:
        return 'whole trace has %d Syncs, no generation %d' % (len(syncs), first)
    if not cut or cut[-1]['kind'] != 'Sync':
        return 'cut does not end with a Sync'
    cut = cut[:-1]
    begin = syncs[first - 1]
    kept_syncs = sum(1 for e in cut if e['kind'] == 'Sync')
    if first - 1 + kept_syncs >= len(syncs):
        return ('cut has %d generations, the whole trace only %d after generation %d'
                    % (kept_syncs, len(syncs) - first, first))
    end = syncs[first - 1 + kept_syncs]
    seg = whole[begin:end]
    if len(seg) != len(cut):
        return ('cut has %d events, the whole trace %d in those generations' % (len(cut), len(seg)))

    last_before = whole[begin - 1]['time'] if begin > 0 else None
    fixing = first > 1           # rule 2: still in the leading run of forced times
    diverged = {}                # rule 3b: per M, still in the leading run
    tasks_before = set()         # rule 4: tasks begun before A and not ended
    for e in whole[:begin]:
        if e['kind'] == 'TaskBegin':
            tasks_before.add(e['rest'].split()[0][len('ID='):])
        elif e['kind'] == 'TaskEnd':
            tasks_before.discard(e['rest'].split()[0][len('ID='):])

    abandoned = set()            # rule 3c: procs promoted there, idle here
    in_first = True
    for i, (w, c) in enumerate(zip(seg, cut)):
        where = 'event %d of the kept generations\n  whole: %s\n  cut:   %s' % (i + 1, w['line'], c['line'])
        if i > 0 and w['kind'] == 'Sync':
            in_first = False
        if w['kind'] != c['kind'] or w['more'] != c['more']:
            return ('kind or stack differ at ' + where)
        # Rule 2.
        if fixing and w['time'] != c['time']:
            if not (w['time'] == last_before + 1 + i and c['time'] < w['time']):
                return ('time differs outside the leading run of forced times at ' + where)
        else:
            fixing = False
            if w['time'] != c['time']:
                return ('time differs at ' + where)
        # Rule 3c: the context is the holder's there, the writer's here.
        if first > 1 and w['kind'] == 'StateTransition':
            mw, mc = TRANSITION.match(w['rest']), TRANSITION.match(c['rest'])
            if mw and mc and mw.group(1) == mc.group(1) == 'ProcID' and mw.group(2) == mc.group(2) \
                    and mw.group(5) == mc.group(5):
                pid = mw.group(2)
                before = 'Undetermined' if in_first and pid not in abandoned else 'Idle'
                if (mw.group(3), mw.group(4)) == ('Running', 'Running') and w['p'] == pid \
                        and (mc.group(3), mc.group(4)) == (before, 'Idle'):
                    abandoned.add(pid)   # a promoted status event
                    continue
                if pid in abandoned and (mw.group(3), mw.group(4)) == ('Running', 'Idle') \
                        and (mc.group(3), mc.group(4)) == ('Idle', 'Idle') \
                        and (w['m'], w['p'], w['g']) == (c['m'], c['p'], c['g']):
                    abandoned.discard(pid)   # the steal
                    continue
        if w['m'] != c['m']:
            return ('thread differs at ' + where)
        # Rule 3b.
        if first > 1 and in_first and diverged.get(w['m'], True) and (w['p'], w['g']) != (c['p'], c['g']):
            if c['p'] not in (w['p'], '-1') or c['g'] not in (w['g'], '-1'):
                return ('context differs otherwise than by an unbound P or G at ' + where)
            diverged[w['m']] = True
        else:
            diverged[w['m']] = False
            if (w['p'], w['g']) != (c['p'], c['g']):
                return ('context differs at ' + where)
        wr, cr = w['rest'], c['rest']
        if w['kind'] == 'Sync':
            mw, mc = SYNC_N.match(wr), SYNC_N.match(cr)
            if not (mw and mc and int(mc.group(1)) == int(mw.group(1)) - (first - 1) and mw.group(2) == mc.group(2)):
                return ('Sync differs otherwise than by its number at ' + where)
            continue
        if wr == cr:
            continue
        if w['kind'] == 'StateTransition' and first > 1 and in_first:
            mw, mc = TRANSITION.match(wr), TRANSITION.match(cr)
            if (mw and mc and mc.group(3) == 'Undetermined' and mw.group(1, 2, 4, 5) == mc.group(1, 2, 4, 5)):
                continue  # Rule 3a.
        if w['kind'] == 'TaskEnd':
            mw, mc = TASK_END.match(wr), TASK_END.match(cr)
            if (mw and mc and mw.group(1) == mc.group(1) and mw.group(1) in tasks_before
                    and mc.group(2) == NO_TASK and mc.group(3) == '' and mw.group(4) == mc.group(4)):
                continue  # Rule 4.
        return ('event differs at ' + where)
    return None


def main():
    if sys.argv[1:] == ['--batch']:
        wholes = {}
        for line in sys.stdin:
            name, whole_path, cut_path, first = line.rstrip('\n').split('\t')
            if whole_path not in wholes:
                wholes = {whole_path: read_events(whole_path)}
            diff = compare(wholes[whole_path], read_events(cut_path), int(first))
            if diff is None:
                print('ok ' + name)
            else:
                print('not ok %s: %s' % (name, diff.replace('\n', ' ')))
        return 0
    diff = compare(read_events(sys.argv[1]), read_events(sys.argv[2]), int(sys.argv[3]))
    if diff is None:
        return 0
    print(diff)
    return 1


if __name__ == '__main__':
    sys.exit(main())
