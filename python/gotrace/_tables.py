"""The tables of `gotrace export` / `gotrace sql` as pandas DataFrames, built
from whole columns the C library fills (gotrace/columns.h): Python touches
each column once, never each row."""
import ctypes as _c
import weakref as _weakref
from collections import namedtuple as _nt

from ._lib import RowsOptions as _RowsOptions, Str as _Str, lib as _lib

Column = _nt("Column", "name type nullable unit doc")
Column.__doc__ = """A column of the schema: type is "int64", "double", "text" or "bool";
unit "ns" (times and durations), "bytes" or ""."""
Table = _nt("Table", "name doc columns")
Table.__doc__ = "A table of the schema: its name, what a row is, and its Columns."

_TYPES = {1: "int64", 2: "double", 3: "text", 4: "bool"}
_CHUNK = 1 << 20  # events per gt_columns_read: Ctrl-C is seen between calls


def _load_schema():
    n = _c.c_uint32()
    p = _lib.gt_rows_tables(_c.byref(n))
    out = []
    for t in p[:n.value]:
        cols = tuple(Column(c.name.decode(), _TYPES[c.type], bool(c.nullable), c.unit.decode(), c.doc.decode())
                     for c in t.columns[:t.n_columns])
        out.append(Table(t.name.decode(), t.doc.decode(), cols))
    return tuple(out)


SCHEMA = _load_schema()
_INDEX = {t.name: i for i, t in enumerate(SCHEMA)}


def _modules():
    try:
        import numpy
        import pandas
    except ImportError as e:
        raise ImportError("gotrace: DataFrames need pandas and numpy, which are not installed (%s); "
                          "Debian: apt-get install python3-pandas, else: pip install pandas" % e) from e
    return numpy, pandas


def table_indexes(tables):
    """Schema indexes of the table names in tables (None: all)."""
    if tables is None:
        return list(range(len(SCHEMA)))
    if isinstance(tables, str):
        tables = [tables]
    out = []
    for name in tables:
        if name not in _INDEX:
            raise ValueError("gotrace: no table %r (tables: %s)" % (name, ", ".join(t.name for t in SCHEMA)))
        out.append(_INDEX[name])
    return out


def _take(np, c, t, j, nulls, ctype, dtype, n):
    """Column j of table t (its null mask when nulls) as a numpy array over
    the C library's own buffer, which is released with the array: no copy."""
    if not n:
        return np.zeros(0, dtype=dtype)
    p = _lib.gt_columns_take(c, t, j, nulls)
    if not p:
        raise MemoryError("gotrace: out of memory")
    buf = (ctype * n).from_address(p)
    # Not at interpreter exit: an array may outlive the finalizers' run there.
    _weakref.finalize(buf, _lib.gt_free, p).atexit = False
    return np.frombuffer(buf, dtype=dtype)


def _column(np, pd, c, t, j, col, n, timedelta):
    mask = _take(np, c, t, j, 1, _c.c_uint8, np.uint8, n).view(bool) if col.nullable else None
    if col.type == "text":
        codes = _take(np, c, t, j, 0, _c.c_int32, np.int32, n)
        offs = _c.POINTER(_c.c_uint64)()
        k = _c.c_uint32()
        buf = _lib.gt_columns_dict(c, t, j, _c.byref(offs), _c.byref(k))
        if not buf and k.value:
            raise MemoryError("gotrace: out of memory")
        cats = []
        if k.value:
            o = offs[:k.value + 1]
            raw = _c.string_at(buf, o[-1])
            cats = [raw[o[i]:o[i + 1]].decode("utf-8", "backslashreplace") for i in range(k.value)]
            if len(set(cats)) != len(cats):
                # Two byte strings read the same once escaped: one category.
                first = {}
                remap = np.array([first.setdefault(s, len(first)) for s in cats] + [-1], dtype=np.int32)
                codes = remap[codes]  # -1 (NULL) picks the last entry, -1
                cats = list(first)
        return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=object))
    if col.type == "double":
        v = _take(np, c, t, j, 0, _c.c_double, np.float64, n)
        if mask is not None:
            v[mask] = np.nan
        return v
    if col.type == "bool":
        v = _take(np, c, t, j, 0, _c.c_uint8, np.uint8, n).view(bool)
        return pd.arrays.BooleanArray(v, mask) if mask is not None else v
    v = _take(np, c, t, j, 0, _c.c_int64, np.int64, n)
    if timedelta and col.unit == "ns":
        v = v.view("m8[ns]")
        if mask is not None:
            v[mask] = np.timedelta64("NaT")
        return v
    return pd.arrays.IntegerArray(v, mask) if mask is not None else v


def collect(reader, tables, file, window, timedelta, threads):
    """{name: DataFrame} for the table indexes in tables, reading reader
    (unread) to its end."""
    np, pd = _modules()
    mask = 0
    for t in tables:
        mask |= 1 << t
    name = file.encode("utf-8", "surrogateescape") if isinstance(file, str) else bytes(file or b"")
    lo, hi = window
    opts = _RowsOptions(_Str(_c.cast(_c.c_char_p(name), _c.c_void_p), len(name)), reader.version,
                          lo, hi)
    if threads:
        _lib.gt_reader_set_threads(reader._r, threads)
    c = _lib.gt_columns_new(mask, _c.byref(opts))
    if not c:
        raise MemoryError("gotrace: out of memory")
    try:
        r = reader._r
        while not _lib.gt_columns_done(c):
            if _lib.gt_columns_read(c, r, _CHUNK) < 0:
                raise MemoryError("gotrace: out of memory")
        frames = {}
        for t in tables:
            tab = SCHEMA[t]
            n = _lib.gt_columns_rows(c, t)
            cols = {}
            for j, col in enumerate(tab.columns):
                cols[col.name] = _column(np, pd, c, t, j, col, n, timedelta)
            frames[tab.name] = pd.DataFrame(cols, copy=False)  # dict order is the schema's
        return frames, _lib.gt_reader_error(r)
    finally:
        _lib.gt_columns_free(c)
