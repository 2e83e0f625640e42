"""The C library through ctypes: loading, struct mirrors checked against the
library's own sizes, and function signatures."""
import ctypes
import os

_c = ctypes
c_int64, c_uint64, c_size_t, c_int, c_void_p, c_char_p, c_double = (
    _c.c_int64, _c.c_uint64, _c.c_size_t, _c.c_int, _c.c_void_p, _c.c_char_p, _c.c_double)

# The header version these mirrors follow (GT_VERSION_NUMBER of gotrace.h).
HEADER_VERSION = 100


class Str(_c.Structure):
    _fields_ = [("ptr", c_void_p), ("len", c_size_t)]

    def bytes(self):
        return _c.string_at(self.ptr, self.len) if self.len else b""


def text(s):
    """A gt_str as Python text: UTF-8, undecodable bytes kept as surrogates
    (os.fsencode-style), since trace strings may hold any bytes."""
    return s.bytes().decode("utf-8", "surrogateescape") if s.len else ""


class Value(_c.Structure):
    _fields_ = [("kind", c_int), ("u64", c_uint64), ("str", Str)]


class Resource(_c.Structure):
    _fields_ = [("kind", c_int), ("id", c_int64)]


class Event(_c.Structure):
    _fields_ = [("time", c_int64), ("goroutine", c_int64), ("proc", c_int64), ("thread", c_int64),
                ("kind", c_int), ("priv_type", _c.c_uint8), ("priv_args", c_uint64 * 4),
                ("priv_table", c_void_p)]


class Stack(_c.Structure):
    _fields_ = [("priv_table", c_void_p), ("id", c_uint64)]


class Frame(_c.Structure):
    _fields_ = [("pc", c_uint64), ("func", Str), ("file", Str), ("line", c_uint64)]


class Error(_c.Structure):
    # message points to text the library owns (gotrace.h: the reader's, or
    # the calling thread's until its next failing call): _error copies it
    # into a Python string at once.
    _fields_ = [("code", c_int), ("owned", _c.c_uint32), ("offset", c_uint64), ("line", c_uint64),
                ("generation", c_uint64), ("message", c_char_p)]


class Metric(_c.Structure):
    _fields_ = [("name", Str), ("value", Value)]


class Label(_c.Structure):
    _fields_ = [("label", Str), ("resource", Resource)]


class Range(_c.Structure):
    _fields_ = [("name", Str), ("scope", Resource)]


class RangeAttribute(_c.Structure):
    _fields_ = [("name", Str), ("value", Value)]


class Task(_c.Structure):
    _fields_ = [("id", c_uint64), ("parent", c_uint64), ("type", Str)]


class Region(_c.Structure):
    _fields_ = [("task", c_uint64), ("type", Str)]


class Log(_c.Structure):
    _fields_ = [("task", c_uint64), ("category", Str), ("message", Str)]


class StateTransition(_c.Structure):
    _fields_ = [("resource", Resource), ("old_state", c_int), ("new_state", c_int), ("reason", Str),
                ("stack", Stack)]


class ClockSnapshot(_c.Structure):
    _fields_ = [("trace", c_int64), ("mono", c_uint64), ("wall_sec", c_int64), ("wall_nsec", _c.c_int32)]


class Sync(_c.Structure):
    _fields_ = [("n", c_int64), ("has_clock_snapshot", c_int), ("clock", ClockSnapshot),
                ("n_experimental_batches", c_size_t)]


class Experimental(_c.Structure):
    _fields_ = [("name", Str), ("experiment", Str), ("nargs", c_size_t), ("arg_names", Str * 4),
                ("arg_values", Value * 4)]


READ_FN = _c.CFUNCTYPE(c_int64, c_void_p, c_void_p, c_size_t)
READ_AT_FN = _c.CFUNCTYPE(c_int64, c_void_p, c_void_p, c_size_t, c_uint64)
CLOSE_FN = _c.CFUNCTYPE(None, c_void_p)


class Source(_c.Structure):
    _fields_ = [("read", READ_FN), ("read_at", READ_AT_FN), ("size", c_uint64), ("ctx", c_void_p),
                ("close", CLOSE_FN)]


# analysis.h
class NamedDuration(_c.Structure):
    _fields_ = [("name", Str), ("ns", c_int64)]


class ExecStats(_c.Structure):
    _fields_ = [("exec_time", c_int64), ("sched_wait_time", c_int64), ("syscall_time", c_int64),
                ("syscall_block_time", c_int64), ("total_time", c_int64), ("n_block", c_size_t),
                ("block", _c.POINTER(NamedDuration)), ("n_range", c_size_t), ("range", _c.POINTER(NamedDuration))]


class RegionSummary(_c.Structure):
    _fields_ = [("task", c_uint64), ("name", Str), ("goroutine", c_int64), ("start_kind", c_int),
                ("start", c_int64), ("start_goroutine", c_int64), ("start_frame", Frame), ("end_kind", c_int),
                ("end", c_int64), ("stats", ExecStats)]


class GoroutineSummary(_c.Structure):
    _fields_ = [("id", c_int64), ("name", Str), ("pc", c_uint64), ("creation_time", c_int64),
                ("start_time", c_int64), ("end_time", c_int64), ("stats", ExecStats), ("n_regions", c_size_t),
                ("regions", _c.POINTER(_c.POINTER(RegionSummary)))]


class TaskLog(_c.Structure):
    _fields_ = [("time", c_int64), ("goroutine", c_int64), ("category", Str), ("message", Str)]


class TaskSummary(_c.Structure):
    _fields_ = [("id", c_uint64), ("name", Str), ("parent", c_uint64), ("n_children", c_size_t),
                ("children", _c.POINTER(c_uint64)), ("has_start", c_int), ("start", c_int64),
                ("start_goroutine", c_int64), ("has_end", c_int), ("end", c_int64), ("end_goroutine", c_int64),
                ("n_logs", c_size_t), ("logs", _c.POINTER(TaskLog)), ("n_regions", c_size_t),
                ("regions", _c.POINTER(_c.POINTER(RegionSummary))), ("n_goroutines", c_size_t),
                ("goroutines", _c.POINTER(c_int64))]


# rows.h (no gt_type_size entry: checked by their use, gt_rows_tables' names)
class RowsColumn(_c.Structure):
    _fields_ = [("name", c_char_p), ("type", c_int), ("nullable", c_int), ("unit", c_char_p), ("doc", c_char_p)]


class RowsTable(_c.Structure):
    _fields_ = [("name", c_char_p), ("doc", c_char_p), ("n_columns", _c.c_uint32), ("columns", _c.POINTER(RowsColumn))]


class RowsOptions(_c.Structure):
    _fields_ = [("file", Str), ("go_version", c_int), ("from_", c_int64), ("to", c_int64)]


_MIRRORS = {"gt_str": Str, "gt_value": Value, "gt_resource": Resource, "gt_event": Event, "gt_stack": Stack,
            "gt_frame": Frame, "gt_error": Error, "gt_metric": Metric, "gt_label": Label, "gt_range": Range,
            "gt_range_attribute": RangeAttribute, "gt_task": Task, "gt_region": Region, "gt_log": Log,
            "gt_state_transition": StateTransition, "gt_clock_snapshot": ClockSnapshot, "gt_sync": Sync,
            "gt_experimental": Experimental, "gt_source": Source}


def _find():
    path = os.environ.get("GOTRACE_LIBRARY")
    if path:
        return path
    return "libgotrace.so.0"


def _sig(lib, name, res, *args):
    f = getattr(lib, name)
    f.restype = res
    f.argtypes = list(args)
    return f


def load():
    path = _find()
    try:
        lib = _c.CDLL(path)
    except OSError as e:
        raise ImportError("gotrace: cannot load the C library %r (%s); set GOTRACE_LIBRARY to the path of "
                          "libgotrace.so.0 or install the library (make install)" % (path, e)) from None
    P = _c.POINTER
    _sig(lib, "gt_version_number", c_int)
    _sig(lib, "gt_version", c_char_p)
    _sig(lib, "gt_type_size", c_size_t, c_char_p)
    if lib.gt_version_number() // 100 != HEADER_VERSION // 100:
        raise ImportError("gotrace: library version %s, these bindings follow %d"
                          % (lib.gt_version().decode(), HEADER_VERSION))
    for name, mirror in _MIRRORS.items():
        size = lib.gt_type_size(name.encode())
        if size != _c.sizeof(mirror):
            raise ImportError("gotrace: %s is %d bytes in the library, %d in the bindings"
                              % (name, size, _c.sizeof(mirror)))
    _sig(lib, "gt_free", None, c_void_p)
    _sig(lib, "gt_errcode_name", c_char_p, c_int)
    _sig(lib, "gt_event_kind_name", c_char_p, c_int)
    _sig(lib, "gt_go_state_name", c_char_p, c_int)
    _sig(lib, "gt_proc_state_name", c_char_p, c_int)
    _sig(lib, "gt_resource_kind_name", c_char_p, c_int)
    _sig(lib, "gt_reader_open_path", c_void_p, c_char_p, P(Error))
    _sig(lib, "gt_reader_open_memory", c_void_p, c_void_p, c_size_t, P(Error))
    _sig(lib, "gt_reader_open_source", c_void_p, P(Source), P(Error))
    _sig(lib, "gt_reader_free", None, c_void_p)
    _sig(lib, "gt_reader_version", c_int, c_void_p)
    _sig(lib, "gt_reader_next_batch", c_size_t, c_void_p, c_void_p, c_size_t)
    _sig(lib, "gt_reader_error", P(Error), c_void_p)
    _sig(lib, "gt_reader_bytes_read", c_uint64, c_void_p)
    _sig(lib, "gt_reader_bytes_total", c_uint64, c_void_p)
    _sig(lib, "gt_event_format", c_size_t, c_void_p, c_void_p, c_size_t)
    _sig(lib, "gt_event_stack", Stack, c_void_p)
    _sig(lib, "gt_stack_frames", c_size_t, Stack, P(P(Frame)))
    _sig(lib, "gt_stack_len", c_size_t, Stack)
    _sig(lib, "gt_event_metric", c_int, c_void_p, P(Metric))
    _sig(lib, "gt_event_label", c_int, c_void_p, P(Label))
    _sig(lib, "gt_event_range", c_int, c_void_p, P(Range))
    _sig(lib, "gt_event_range_attributes", c_size_t, c_void_p, P(RangeAttribute), c_size_t)
    _sig(lib, "gt_event_task", c_int, c_void_p, P(Task))
    _sig(lib, "gt_event_region", c_int, c_void_p, P(Region))
    _sig(lib, "gt_event_log", c_int, c_void_p, P(Log))
    _sig(lib, "gt_event_state_transition", c_int, c_void_p, P(StateTransition))
    _sig(lib, "gt_event_sync", c_int, c_void_p, P(Sync))
    _sig(lib, "gt_event_experimental", c_int, c_void_p, P(Experimental))
    # analysis.h
    _sig(lib, "gt_summary_new", c_void_p)
    _sig(lib, "gt_summary_event", c_int, c_void_p, c_void_p)
    _sig(lib, "gt_summary_finalize", c_int, c_void_p)
    _sig(lib, "gt_summary_free", None, c_void_p)
    _sig(lib, "gt_summary_first_time", c_int64, c_void_p)
    _sig(lib, "gt_summary_last_time", c_int64, c_void_p)
    _sig(lib, "gt_summary_goroutine_count", c_size_t, c_void_p)
    _sig(lib, "gt_summary_goroutine", P(GoroutineSummary), c_void_p, c_size_t)
    _sig(lib, "gt_summary_task_count", c_size_t, c_void_p)
    _sig(lib, "gt_summary_task", P(TaskSummary), c_void_p, c_size_t)
    _sig(lib, "gt_mmu_new", c_void_p, _c.c_uint)
    _sig(lib, "gt_mmu_event", c_int, c_void_p, c_void_p)
    _sig(lib, "gt_mmu_finish", c_int, c_void_p)
    _sig(lib, "gt_mmu_free", None, c_void_p)
    _sig(lib, "gt_mmu_at", c_double, c_void_p, c_int64)
    _sig(lib, "gt_pprof_new", c_void_p, c_int, c_void_p, c_int64, c_int64, c_void_p, P(Error))
    _sig(lib, "gt_pprof_event", c_int, c_void_p, c_void_p)
    _sig(lib, "gt_pprof_free", None, c_void_p)
    _sig(lib, "gt_pprof_encode", c_void_p, c_void_p, P(c_size_t))
    _sig(lib, "gt_reader_set_threads", c_int, c_void_p, c_int)
    _sig(lib, "gt_default_threads", c_int)
    _sig(lib, "gt_feed_analyses", c_int64, c_void_p, c_uint64, c_void_p, c_void_p, c_void_p, P(c_int))
    # rows.h, columns.h
    _sig(lib, "gt_rows_tables", P(RowsTable), P(_c.c_uint32))
    _sig(lib, "gt_columns_new", c_void_p, _c.c_uint32, P(RowsOptions))
    _sig(lib, "gt_columns_read", c_int64, c_void_p, c_void_p, c_uint64)
    _sig(lib, "gt_columns_done", c_int, c_void_p)
    _sig(lib, "gt_columns_rows", c_uint64, c_void_p, _c.c_uint32)
    _sig(lib, "gt_columns_data", c_void_p, c_void_p, _c.c_uint32, _c.c_uint32)
    _sig(lib, "gt_columns_nulls", c_void_p, c_void_p, _c.c_uint32, _c.c_uint32)
    _sig(lib, "gt_columns_dict", c_void_p, c_void_p, _c.c_uint32, _c.c_uint32, P(P(c_uint64)), P(_c.c_uint32))
    _sig(lib, "gt_columns_take", c_void_p, c_void_p, _c.c_uint32, _c.c_uint32, c_int)
    _sig(lib, "gt_columns_clear", None, c_void_p, _c.c_uint32)
    _sig(lib, "gt_columns_free", None, c_void_p)
    return lib


lib = load()
