"""gotrace.dataframes against `gotrace export --format=csv` of the same trace:
every table, its columns and dtypes (the schema's), its row count and every
value, on tests/data traces (broken ones too: the rows read before the
error, and the error) and a few corpus traces. pandas is optional for the
package: without it these tests skip, and one checks the ImportError."""
import csv
import glob
import math
import os
import subprocess
import sys

import pytest

import gotrace

try:
    import numpy as np
    import pandas as pd
except ImportError:
    np = pd = None
needs_pandas = pytest.mark.skipif(pd is None, reason="pandas not installed (Debian: python3-pandas)")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("GOTRACE") or os.path.join(ROOT, "build", "gotrace")
SHARED = os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared")
CORPUS = os.path.join(SHARED, "corpus")

LOCAL = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "**", "*.trace"), recursive=True))
CORPUS_TRACES = [os.path.join(CORPUS, n) for n in ("annotate.go127.trace", "allocfree.go127.trace",
                                                   "gcstress.go122.trace", "multigen.go126.trace",
                                                   "httpserve.go125.trace")]
CORPUS_TRACES = [p for p in CORPUS_TRACES if os.path.exists(p)]


def export_csv(path, out):
    p = subprocess.run([CLI, "export", "--format=csv", "-o", str(out), path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    tables = {}
    for t in gotrace.tables():
        f = os.path.join(str(out), t.name + ".csv")
        if not os.path.exists(f):
            continue
        with open(f, newline="", encoding="utf-8", errors="backslashreplace") as fh:
            rows = list(csv.reader(fh))
        tables[t.name] = rows
    return p.returncode, p.stderr.decode("utf-8", "replace"), tables


def as_csv_text(series, col):
    """A column's values as `gotrace export --format=csv` writes them (NULL:
    an empty field, as is "" for text: the C test tells those apart)."""
    if col.type == "text":
        return ["" if isinstance(v, float) and math.isnan(v) else v for v in series.astype(object).tolist()]
    if col.type == "bool":
        return ["1" if v else "0" for v in series.tolist()]
    if col.type == "double":
        return ["" if math.isnan(v) else "%.17g" % v for v in series.tolist()]
    return ["" if v is pd.NA else str(v) for v in series.astype(object).tolist()]


def want_dtype(col):
    if col.type == "text":
        return "category"
    if col.type == "bool":
        return "boolean" if col.nullable else "bool"
    if col.type == "double":
        return "float64"
    return "Int64" if col.nullable else "int64"


def check_frames(frames, tables):
    assert set(frames) == {t.name for t in gotrace.tables()}
    for t in gotrace.tables():
        df = frames[t.name]
        rows = tables[t.name]
        assert rows[0] == [c.name for c in t.columns], t.name
        assert list(df.columns) == [c.name for c in t.columns], t.name
        assert len(df) == len(rows) - 1, "%s: %d rows, CSV %d" % (t.name, len(df), len(rows) - 1)
        for j, c in enumerate(t.columns):
            assert str(df[c.name].dtype) == want_dtype(c), (t.name, c.name, str(df[c.name].dtype))
            got = as_csv_text(df[c.name], c)
            want = [r[j] for r in rows[1:]]
            if got != want:
                i = next(i for i in range(len(got)) if got[i] != want[i])
                raise AssertionError("%s.%s row %d: %r, CSV %r" % (t.name, c.name, i, got[i], want[i]))


def check_trace(path, tmp_path):
    rc, stderr, tables = export_csv(path, tmp_path / "csv")
    try:
        frames = gotrace.dataframes(path)
        err = None
    except gotrace.Error as e:
        err = e
        frames = getattr(e, "dataframes", None)
    if rc == 0:
        assert err is None
        check_frames(frames, tables)
        assert isinstance(frames["traces"]["error"].iloc[0], float)  # NULL: NaN
        return
    assert rc == 1, stderr
    assert err is not None, "export failed (%s), dataframes did not" % stderr
    assert err.message in stderr and err.code and (err.offset is None or "offset %d" % err.offset in stderr)
    if not tables.get("traces") or len(tables["traces"]) < 2:
        assert frames is None  # the header was unreadable: no rows at all
        return
    check_frames(frames, tables)
    assert frames["traces"]["error"].iloc[0] == err.message


@needs_pandas
@pytest.mark.parametrize("path", LOCAL, ids=lambda p: os.path.relpath(p, ROOT))
def test_dataframes_equal_csv_local(path, tmp_path):
    check_trace(path, tmp_path)


@needs_pandas
@pytest.mark.skipif(not CORPUS_TRACES, reason="no ../shared/corpus")
@pytest.mark.parametrize("path", CORPUS_TRACES, ids=os.path.basename)
def test_dataframes_equal_csv_corpus(path, tmp_path):
    check_trace(path, tmp_path)


def sample():
    p = os.path.join(ROOT, "tests", "data", "analysis", "annotate.go127.trace")
    assert os.path.exists(p)
    return p


@needs_pandas
def test_truncated_trace_raises_after_rows(tmp_path):
    with open(sample(), "rb") as f:
        data = f.read()
    cut = tmp_path / "cut.trace"
    cut.write_bytes(data[:len(data) * 2 // 3])
    with pytest.raises(gotrace.Error) as ei:
        gotrace.dataframes(str(cut))
    e = ei.value
    assert e.code and e.message and e.offset is not None and e.offset <= len(data) * 2 // 3
    frames = e.dataframes
    assert len(frames["g_transitions"]) > 0 and frames["traces"]["error"].iloc[0] == e.message
    rc, stderr, tables = export_csv(str(cut), tmp_path / "csv")
    assert rc == 1
    check_frames(frames, tables)


@needs_pandas
def test_one_table_and_window():
    path = sample()
    all_ = gotrace.dataframes(path)
    g = gotrace.dataframe(path, "g_transitions")
    assert g.equals(all_["g_transitions"])
    two = gotrace.dataframes(path, ["goroutines", "logs"])
    assert list(two) == ["goroutines", "logs"] and two["logs"].equals(all_["logs"])
    start = all_["traces"]["start_time"].iloc[0]
    w = gotrace.dataframe(path, "g_transitions", window=(1000000, 2000000))
    assert 0 < len(w) < len(g)
    assert w["time"].min() >= start + 1000000 and w["time"].max() <= start + 2000000
    with pytest.raises(ValueError):
        gotrace.dataframe(path, "no_such_table")


@needs_pandas
def test_inputs_and_reader_rules():
    path = sample()
    want = gotrace.dataframe(path, "g_transitions")
    with open(path, "rb") as f:
        data = f.read()
    assert gotrace.dataframe(data, "g_transitions").equals(want)
    with open(path, "rb") as f:
        assert gotrace.dataframe(f, "g_transitions").equals(want)
    assert gotrace.dataframe(path, "g_transitions", threads=2).equals(want)
    r = gotrace.open(path)
    next(iter(r))
    with pytest.raises(gotrace.Error, match="iterated"):
        r.dataframes()
    r.close()
    with pytest.raises(gotrace.Error, match="closed"):
        r.dataframes()
    t = gotrace.dataframe(path, "traces")
    assert t["file"].iloc[0] == path


@needs_pandas
def test_timedelta_view():
    path = sample()
    g = gotrace.dataframe(path, "g_transitions")
    td = gotrace.dataframe(path, "g_transitions", timedelta=True)
    assert str(td["time"].dtype) == "timedelta64[ns]" and str(td["duration"].dtype) == "timedelta64[ns]"
    assert (td["time"].values.view("i8") == g["time"].to_numpy()).all()
    nulls = g["duration"].isna().to_numpy()
    assert nulls.any() and (td["duration"].isna().to_numpy() == nulls).all()
    assert (td["duration"][~nulls].values.view("i8") == g["duration"][~nulls].to_numpy(dtype="int64")).all()
    assert td["goroutine"].dtype == np.int64  # not a time


@needs_pandas
def test_schema_matches_sql():
    """The DataFrames' columns are `gotrace sql`'s (PRAGMA table_info)."""
    path = sample()
    for t in gotrace.tables():
        p = subprocess.run([CLI, "sql", "--csv", path, "SELECT name FROM pragma_table_info('%s')" % t.name],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode:
            pytest.skip("gotrace sql unavailable: %s" % p.stderr.decode()[:200])
        names = p.stdout.decode().split()[1:]
        assert names == [c.name for c in t.columns], t.name


def test_without_pandas_a_clear_import_error():
    code = ("import sys; sys.modules['pandas'] = None\n"
            "import gotrace\n"
            "try:\n    gotrace.dataframes(%r)\nexcept ImportError as e:\n    print(e)\n" % sample())
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode()
    assert p.returncode == 0 and "need pandas" in out and "python3-pandas" in out, (out, p.stderr.decode())


@needs_pandas
def test_readme_dataframe_example():
    """The README's DataFrame example (its second Python block) prints what
    the README says it prints."""
    readme = open(os.path.join(ROOT, "README.md")).read()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n")[2].split("```", 1)[0]
    want = section.split("```text\n")[2].split("```", 1)[0]
    assert "gotrace.dataframes" in code
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == want


@needs_pandas
def test_default_threads(monkeypatch):
    """Without threads=, DataFrames are read as the gotrace command reads
    (the online cores, at most 3), unless the test hook decides: the same
    frames either way."""
    path = sample()
    monkeypatch.setenv("GT_TEST_THREADS", "1")
    assert gotrace.default_threads() == 0
    want = gotrace.dataframe(path, "g_transitions", threads=1)
    monkeypatch.delenv("GT_TEST_THREADS")
    assert gotrace.default_threads() == min(os.cpu_count() or 1, 3)
    assert gotrace.dataframe(path, "g_transitions").equals(want)
    assert gotrace.dataframes(path)["goroutines"].equals(gotrace.dataframes(path, threads=1)["goroutines"])
