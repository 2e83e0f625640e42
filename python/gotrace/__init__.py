"""Read Go execution traces (runtime/trace, go test -trace) from Python.

    import gotrace
    for ev in gotrace.open("trace.out"):       # a path, bytes or a binary file object
        if ev.kind == gotrace.Kind.STATE_TRANSITION:
            print(ev.time, ev.goroutine, ev.details)

Events come in batches from the C library (one ctypes call per few thousand
events) and are decoded lazily. What an event points to (stack, strings,
details) lives in the reader until it has moved two generations further;
read it while iterating (an old event's details raise Error instead of
reading freed memory). Dropping or closing the reader frees everything.

The tables of `gotrace export` / `gotrace sql` come as pandas DataFrames
(pandas optional), built in C a whole column at a time:

    frames = gotrace.dataframes("trace.out")        # {table name: DataFrame}
    g = gotrace.dataframe("trace.out", "g_transitions")
"""
import builtins as _builtins
import ctypes as _c
import enum as _enum
import os as _os
import gzip as _gzip
import struct as _struct
from collections import namedtuple as _nt

from . import _lib as _L

__all__ = ["open", "Reader", "Event", "Error", "Kind", "Frame", "goroutines", "tasks", "regions", "mmu",
           "pprof", "version", "dataframes", "dataframe", "tables"]

_lib = _L.lib


def version():
    """The C library's version, e.g. "0.1.0"."""
    return _lib.gt_version().decode()


class Error(Exception):
    """A trace the library could not read: code (e.g. "truncated", "io"),
    message (Go's text where Go has one) and offset (byte offset in the
    input, or None). Raised by dataframes() after the rows it could read,
    it also has dataframes: {name: DataFrame} of those rows."""

    def __init__(self, code, message, offset=None, generation=0):
        self.code = code
        self.message = message
        self.offset = offset
        self.generation = generation
        where = "" if offset is None else " at offset %d" % offset
        super().__init__("%s%s: %s" % (code, where, message))


def _error(e):
    off = None if e.offset == 2 ** 64 - 1 else e.offset
    return Error(_lib.gt_errcode_name(e.code).decode(), (e.message or b"").decode("utf-8", "replace"), off,
                 e.generation)


class Kind(_enum.IntEnum):
    BAD = 0
    SYNC = 1
    METRIC = 2
    LABEL = 3
    STACK_SAMPLE = 4
    RANGE_BEGIN = 5
    RANGE_ACTIVE = 6
    RANGE_END = 7
    TASK_BEGIN = 8
    TASK_END = 9
    REGION_BEGIN = 10
    REGION_END = 11
    LOG = 12
    STATE_TRANSITION = 13
    EXPERIMENTAL = 14


_KINDS = list(Kind)

Frame = _nt("Frame", "func file line pc")
Metric = _nt("Metric", "name value")
Label = _nt("Label", "label resource")
Range = _nt("Range", "name scope attributes")
Task = _nt("Task", "id parent type")
Region = _nt("Region", "task type")
Log = _nt("Log", "task category message")
StateTransition = _nt("StateTransition", "resource id old new reason stack")
Sync = _nt("Sync", "n clock_trace clock_mono wall_sec wall_nsec")
Experimental = _nt("Experimental", "name experiment args")

_EVENT_SIZE = _c.sizeof(_L.Event)
_UNPACK = _struct.Struct("<qqqqi%dx" % (_EVENT_SIZE - 36))
_BATCH = 4096
_NO_TASK = 2 ** 64 - 1


def _none(v):
    return None if v == -1 else v


def _value(v):
    if v.kind == 1:
        return v.u64
    if v.kind == 2:
        return _L.text(v.str)
    return None


def _resource(r):
    kind = _lib.gt_resource_kind_name(r.kind).decode()
    return (kind, r.id)


class _Batch:
    __slots__ = ("reader", "buf", "base", "sync_at")


class Event:
    """One event. time (ns), goroutine, proc, thread (None when absent) and
    kind (Kind) are plain attributes; stack, details and str(ev) (Go's
    Event.String()) ask the library."""
    __slots__ = ("_t", "_b", "_i")

    time = property(lambda self: self._t[0])
    goroutine = property(lambda self: _none(self._t[1]))
    proc = property(lambda self: _none(self._t[2]))
    thread = property(lambda self: _none(self._t[3]))
    kind = property(lambda self: _KINDS[self._t[4]])

    def _ptr(self):
        b = self._b
        r = b.reader
        epoch = b.base + (1 if b.sync_at is not None and self._i >= b.sync_at else 0)
        if r._r is None:
            raise Error("argument", "the event's reader is closed")
        if r._syncs >= epoch + 2:
            raise Error("argument", "the event's data is gone: the reader has moved two generations on "
                        "(read stacks and details while iterating)")
        return _c.addressof(b.buf) + self._i * _EVENT_SIZE

    @property
    def stack(self):
        """The event's stack: a list of Frame(func, file, line, pc), innermost first."""
        return _frames(_lib.gt_event_stack(self._ptr()))

    @property
    def details(self):
        """The kind's details as a named tuple (None for kinds without any)."""
        p = self._ptr()
        k = self._t[4]
        if k == 2:
            m = _L.Metric()
            _lib.gt_event_metric(p, _c.byref(m))
            return Metric(_L.text(m.name), _value(m.value))
        if k == 3:
            m = _L.Label()
            _lib.gt_event_label(p, _c.byref(m))
            return Label(_L.text(m.label), _resource(m.resource))
        if 5 <= k <= 7:
            m = _L.Range()
            _lib.gt_event_range(p, _c.byref(m))
            attrs = {}
            if k == 7:
                n = _lib.gt_event_range_attributes(p, None, 0)
                if n:
                    arr = (_L.RangeAttribute * n)()
                    _lib.gt_event_range_attributes(p, arr, n)
                    attrs = {_L.text(a.name): _value(a.value) for a in arr}
            return Range(_L.text(m.name), _resource(m.scope), attrs)
        if k in (8, 9):
            m = _L.Task()
            _lib.gt_event_task(p, _c.byref(m))
            return Task(m.id, None if m.parent == _NO_TASK else m.parent, _L.text(m.type))
        if k in (10, 11):
            m = _L.Region()
            _lib.gt_event_region(p, _c.byref(m))
            return Region(m.task, _L.text(m.type))
        if k == 12:
            m = _L.Log()
            _lib.gt_event_log(p, _c.byref(m))
            return Log(m.task, _L.text(m.category), _L.text(m.message))
        if k == 13:
            m = _L.StateTransition()
            _lib.gt_event_state_transition(p, _c.byref(m))
            names = _lib.gt_go_state_name if m.resource.kind == 1 else _lib.gt_proc_state_name
            return StateTransition(_lib.gt_resource_kind_name(m.resource.kind).decode(), m.resource.id,
                                   names(m.old_state).decode(), names(m.new_state).decode(), _L.text(m.reason),
                                   _frames(m.stack))
        if k == 1:
            m = _L.Sync()
            _lib.gt_event_sync(p, _c.byref(m))
            c = m.clock if m.has_clock_snapshot else None
            return Sync(m.n, c and c.trace, c and c.mono, c and c.wall_sec, c and c.wall_nsec)
        if k == 14:
            m = _L.Experimental()
            _lib.gt_event_experimental(p, _c.byref(m))
            return Experimental(_L.text(m.name), _L.text(m.experiment),
                                {_L.text(m.arg_names[i]): _value(m.arg_values[i]) for i in range(m.nargs)})
        return None

    def __str__(self):
        p = self._ptr()
        n = _lib.gt_event_format(p, None, 0)
        buf = _c.create_string_buffer(n + 1)
        _lib.gt_event_format(p, buf, n + 1)
        return buf.raw[:n].decode("utf-8", "surrogateescape")

    def __repr__(self):
        return "<gotrace.Event %s time=%d G=%s P=%s M=%s>" % (self.kind.name, self.time, self.goroutine,
                                                              self.proc, self.thread)


def _frames(stack):
    arr = _c.POINTER(_L.Frame)()
    n = _lib.gt_stack_frames(stack, _c.byref(arr))
    return [Frame(_L.text(f.func), _L.text(f.file), f.line, f.pc) for f in arr[:n]] if n else []


class _FileSource:
    """A Python binary file object as a gt_source (read callback; a failure in
    the file object is kept and re-raised as the cause of the Error)."""

    def __init__(self, f):
        self.f = f
        self.exc = None
        state = [getattr(f, "readinto", None)]

        def read(ctx, buf, cap):
            try:
                if state[0] is not None:
                    try:
                        n = state[0]((_c.c_char * cap).from_address(buf))
                        return n or 0
                    except NotImplementedError:  # io.RawIOBase's default readinto
                        state[0] = None
                data = f.read(cap)
                _c.memmove(buf, data, len(data))
                return len(data)
            except BaseException as e:  # noqa: B902 - kept, re-raised by the reader
                self.exc = e
                return -5  # -EIO
        self.read_fn = _L.READ_FN(read)
        self.src = _L.Source(self.read_fn, _L.READ_AT_FN(), 0, None, _L.CLOSE_FN())


class Reader:
    """An open trace; iterate it for its events. open() makes one."""

    def __init__(self, src):
        self._r = None
        self._keep = None
        self._file = None
        self._syncs = 0
        self._used = False
        self.name = ""
        err = _L.Error()
        if isinstance(src, (bytes, bytearray, memoryview)):
            data = bytes(src)
            self._keep = data
            r = _lib.gt_reader_open_memory(data, len(data), _c.byref(err))
        elif hasattr(src, "read"):
            self._file = _FileSource(src)
            self.name = getattr(src, "name", "")
            r = _lib.gt_reader_open_source(_c.byref(self._file.src), _c.byref(err))
        else:
            path = _os_fspath(src)
            self.name = path
            with _builtin_open(path, "rb") as f:
                magic = f.read(2)
            if magic == b"\x1f\x8b":
                self._gz = _gzip.open(path, "rb")
                self._file = _FileSource(self._gz)
                r = _lib.gt_reader_open_source(_c.byref(self._file.src), _c.byref(err))
            else:
                r = _lib.gt_reader_open_path(path.encode() if isinstance(path, str) else path, _c.byref(err))
        if not r:
            self._raise(err)
        self._r = r
        self.version = _lib.gt_reader_version(r)

    def _raise(self, err):
        exc = _error(err)
        if self._file is not None and self._file.exc is not None:
            cause = self._file.exc
            exc.message += " (%s: %s)" % (type(cause).__name__, cause)
            exc.args = (str(exc.args[0]) + " (%s: %s)" % (type(cause).__name__, cause),)
            raise exc from cause
        raise exc

    def __iter__(self):
        lib = _lib
        unpack = _UNPACK.iter_unpack
        new = Event.__new__
        self._used = True
        while True:
            r = self._r
            if r is None:
                return
            buf = (_L.Event * _BATCH)()
            n = lib.gt_reader_next_batch(r, buf, _BATCH)
            if n == 0:
                e = lib.gt_reader_error(r)
                if e:
                    self._raise(e.contents)
                return
            b = _Batch()
            b.reader = self
            b.buf = buf
            b.base = self._syncs
            b.sync_at = None
            view = memoryview(buf).cast("B")[:n * _EVENT_SIZE]
            i = 0
            for t in unpack(view):
                if t[4] == 1:
                    b.sync_at = i
                    self._syncs += 1
                ev = new(Event)
                ev._t = t
                ev._b = b
                ev._i = i
                i += 1
                yield ev

    def tuples(self):
        """The events as plain tuples (time, goroutine, proc, thread, kind
        number), -1 for absent IDs: the fastest way through a trace."""
        lib = _lib
        self._used = True
        while self._r is not None:
            buf = (_L.Event * _BATCH)()
            n = lib.gt_reader_next_batch(self._r, buf, _BATCH)
            if n == 0:
                e = lib.gt_reader_error(self._r)
                if e:
                    self._raise(e.contents)
                return
            for t in _UNPACK.iter_unpack(memoryview(buf).cast("B")[:n * _EVENT_SIZE]):
                if t[4] == 1:
                    self._syncs += 1
                yield t

    def dataframes(self, tables=None, timedelta=False, window=(0, None), threads=None):
        """The tables of `gotrace export` (all, or those named in tables) as
        {name: pandas.DataFrame}, read from this reader, which must not have
        been iterated (its events are all consumed).

        Columns and their order are the schema's (gotrace.tables(), `man
        gotrace`, gotrace/rows.h), rows and their order those of `gotrace
        export --format=csv`. dtypes: int64 columns are numpy int64, or
        pandas' nullable "Int64" (NULL: pd.NA) where the schema allows NULL;
        text columns are pandas Categoricals (NULL: NaN; bytes that are not
        UTF-8 as backslash escapes, "\\xff", since pandas cannot hash the
        surrogates the events' text uses); bool columns numpy
        bool ("boolean" with pd.NA where nullable); double columns float64
        (NULL: NaN). Times are the trace's clock in ns and durations ns;
        timedelta=True gives every ns column as timedelta64[ns] instead (NULL:
        NaT). window=(from, to): ns since the first event (to None: the end),
        as export --from/--to. threads >= 2 reads the trace on other threads
        (gt_reader_set_threads), 1 on this one; None (the default) as the
        gotrace command does without --threads: the online cores, at most
        3 (on a 100 MB trace, g_transitions in about 20% less time on 2
        cores than on one).

        The rows are built in C, whole columns at a time; Python does a few
        calls per column, none per row. Needs pandas (ImportError saying so
        when it is missing). A trace broken part way raises Error after
        reading what it could: the error's dataframes attribute holds the
        tables read so far (their traces row's error column says why)."""
        from . import _tables
        idx = _tables.table_indexes(tables)
        if self._r is None:
            raise Error("argument", "the reader is closed")
        if self._used:
            raise Error("argument", "the reader has been iterated: DataFrames need a trace from its start")
        self._used = True
        lo, hi = window
        if threads is None:
            threads = default_threads()
        frames, err = _tables.collect(self, idx, self.name, (lo, 2 ** 63 - 1 if hi is None else hi),
                                      timedelta, threads)
        if err:
            try:
                self._raise(err.contents)
            except Error as exc:
                exc.dataframes = frames
                raise
        return frames

    def dataframe(self, table, **kw):
        """One table as a DataFrame (see dataframes), e.g. "g_transitions"."""
        if not isinstance(table, str):
            raise TypeError("gotrace: table must be a table name")
        return self.dataframes([table], **kw)[table]

    @property
    def bytes_read(self):
        return _lib.gt_reader_bytes_read(self._r) if self._r else 0

    def close(self):
        """Frees the reader and everything its events point to (also done
        when the reader is garbage collected)."""
        r, self._r = self._r, None
        if r:
            _lib.gt_reader_free(r)
        gz = getattr(self, "_gz", None)
        if gz is not None:
            gz.close()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_builtin_open = _builtins.open
_os_fspath = _os.fspath


def default_threads():
    """The threads DataFrames are read with by default: the library's
    gt_default_threads, as the gotrace command's: the online cores, at most
    3; 0 (the reader's own default) while GT_TEST_THREADS, the library's
    test hook, is set, so that the test suite decides."""
    return _lib.gt_default_threads()


def dataframes(src, tables=None, **kw):
    """{name: DataFrame} of the tables of `gotrace export` for the trace src
    (what open() takes); see Reader.dataframes:

        frames = gotrace.dataframes("trace.out")
        frames["g_transitions"].groupby("reason", observed=True)["duration"].sum()
    """
    with Reader(src) as r:
        return r.dataframes(tables, **kw)


def dataframe(src, table, **kw):
    """One table of `gotrace export` for the trace src as a DataFrame, e.g.
    gotrace.dataframe("trace.out", "g_transitions")."""
    with Reader(src) as r:
        return r.dataframe(table, **kw)


def tables():
    """The schema of the DataFrames (and of `gotrace export`): a tuple of
    Table(name, doc, columns), each column a Column(name, type, nullable,
    unit, doc)."""
    from . import _tables
    return _tables.SCHEMA


def open(src):
    """A Reader over src: a path (str or os.PathLike; gzip files are
    recognised), bytes, or a binary file object (anything with read or
    readinto: sockets' makefile, gzip.open(...), io.BytesIO)."""
    return Reader(src)


# ------------------------------------------------------------------ analyses

def _feed(src, summary=None, mmu=None, pprof=None):
    """Feeds every event of src to the analyses given, in C (gotrace/feed.h:
    one ctypes call per million events, not one per event)."""
    r = src if isinstance(src, Reader) else Reader(src)
    if r._r is None:
        raise Error("argument", "the reader is closed")
    r._used = True
    done = _c.c_int(0)
    while not done.value:
        if _lib.gt_feed_analyses(r._r, 1 << 20, summary, mmu, pprof, _c.byref(done)) < 0:
            raise MemoryError("gotrace: out of memory")
    e = _lib.gt_reader_error(r._r)
    if e:
        r._raise(e.contents)
    return r


class _Summary:
    def __init__(self, src):
        self.s = _lib.gt_summary_new()
        if not self.s:
            raise MemoryError()
        try:
            _feed(src, summary=self.s)
            _lib.gt_summary_finalize(self.s)
        except BaseException:
            self.close()
            raise

    def close(self):
        s, self.s = self.s, None
        if s:
            _lib.gt_summary_free(s)

    __del__ = close


def _stats(st):
    d = {"exec_time": st.exec_time, "sched_wait_time": st.sched_wait_time, "syscall_time": st.syscall_time,
         "syscall_block_time": st.syscall_block_time, "total_time": st.total_time}
    d["block_time"] = {_L.text(st.block[i].name): st.block[i].ns for i in range(st.n_block)}
    d["range_time"] = {_L.text(st.range[i].name): st.range[i].ns for i in range(st.n_range)}
    return d


def _region(rs):
    f = rs.start_frame
    return {"task": rs.task, "name": _L.text(rs.name), "goroutine": rs.goroutine,
            "start": rs.start if rs.start_kind else None, "end": rs.end if rs.end_kind else None,
            "start_goroutine": _none(rs.start_goroutine),
            "start_frame": Frame(_L.text(f.func), _L.text(f.file), f.line, f.pc) if f.pc else None,
            "stats": _stats(rs.stats)}


def goroutines(src):
    """Go's goroutine summaries (cmd/trace's goroutines page) as a list of
    dicts sorted by id: id, name (start function), creation/start/end time
    (ns; 0 when not seen, as Go), stats (exec, scheduler wait, syscall,
    block-by-reason and range times) and the goroutine's regions."""
    s = _Summary(src)
    try:
        out = []
        for i in range(_lib.gt_summary_goroutine_count(s.s)):
            g = _lib.gt_summary_goroutine(s.s, i).contents
            out.append({"id": g.id, "name": _L.text(g.name), "pc": g.pc, "creation_time": g.creation_time,
                        "start_time": g.start_time, "end_time": g.end_time, "stats": _stats(g.stats),
                        "regions": [_region(g.regions[j].contents) for j in range(g.n_regions)]})
        return out
    finally:
        s.close()


def tasks(src):
    """Go's user task summaries as a list of dicts sorted by id."""
    s = _Summary(src)
    try:
        out = []
        for i in range(_lib.gt_summary_task_count(s.s)):
            t = _lib.gt_summary_task(s.s, i).contents
            out.append({"id": t.id, "name": _L.text(t.name), "parent": None if t.parent == _NO_TASK else t.parent,
                        "children": [t.children[j] for j in range(t.n_children)],
                        "start": t.start if t.has_start else None, "end": t.end if t.has_end else None,
                        "start_goroutine": _none(t.start_goroutine) if t.has_start else None,
                        "end_goroutine": _none(t.end_goroutine) if t.has_end else None,
                        "logs": [(t.logs[j].time, _none(t.logs[j].goroutine), _L.text(t.logs[j].category),
                                  _L.text(t.logs[j].message)) for j in range(t.n_logs)],
                        "regions": [_region(t.regions[j].contents) for j in range(t.n_regions)],
                        "goroutines": [t.goroutines[j] for j in range(t.n_goroutines)]})
        return out
    finally:
        s.close()


def regions(src):
    """Every user region of every goroutine (Go's summaries), as dicts
    ordered by goroutine, then start."""
    return [r for g in goroutines(src) for r in g["regions"]]


UTIL_STW, UTIL_BACKGROUND, UTIL_ASSIST, UTIL_SWEEP, UTIL_PER_PROC = 1, 2, 4, 8, 16


def mmu(src, windows, flags=UTIL_STW | UTIL_BACKGROUND | UTIL_ASSIST | UTIL_SWEEP):
    """Minimum mutator utilisation (0..1) for each window duration (ns) in
    windows, as Go's MMU curve: {window: mmu}."""
    m = _lib.gt_mmu_new(flags)
    if not m:
        raise MemoryError()
    try:
        _feed(src, mmu=m)
        if _lib.gt_mmu_finish(m):
            raise MemoryError()
        return {w: _lib.gt_mmu_at(m, w) for w in windows}
    finally:
        _lib.gt_mmu_free(m)


_PPROF = {"sched": 0, "sync": 1, "syscall": 2, "net": 3}


def pprof(src, kind="sched"):
    """`go tool trace -pprof=KIND` (sched, sync, syscall, net): the profile
    as uncompressed profile.proto bytes. src is read twice when it is a path
    or bytes; a file object cannot be, so pass a path or bytes."""
    if hasattr(src, "read"):
        src = src.read()
    s = _Summary(src)
    try:
        first, last = _lib.gt_summary_first_time(s.s), _lib.gt_summary_last_time(s.s)
        err = _L.Error()
        p = _lib.gt_pprof_new(_PPROF[kind], s.s, first, last, None, _c.byref(err))
        if not p:
            raise _error(err)
        try:
            _feed(src, pprof=p)
            n = _c.c_size_t()
            data = _lib.gt_pprof_encode(p, _c.byref(n))
            if not data:
                raise MemoryError()
            try:
                return _c.string_at(data, n.value)
            finally:
                _lib.gt_free(data)
        finally:
            _lib.gt_pprof_free(p)
    finally:
        s.close()
