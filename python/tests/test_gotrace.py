"""The Python package against the C library's CLI (gotrace dump and the
analyses' JSON) on tests/data and ../shared/corpus traces. Needs
GOTRACE_LIBRARY (or an installed library) and GOTRACE (the CLI) set, as
tests/scripts/python.sh does."""
import gc
import glob
import gzip
import hashlib
import io
import json
import os
import subprocess

import pytest

import gotrace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("GOTRACE") or os.path.join(ROOT, "build", "gotrace")
SHARED = os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared")
CORPUS = os.path.join(SHARED, "corpus")

LOCAL = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "**", "*.trace"), recursive=True))
SHARED_TRACES = sorted(glob.glob(os.path.join(CORPUS, "*.trace")))


def dump(path):
    p = subprocess.run([CLI, "dump", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def python_dump(src):
    """What a Python loop sees, as dump prints it; and the error, if any."""
    out = io.BytesIO()
    err = None
    try:
        for ev in gotrace.open(src):
            out.write(str(ev).encode("utf-8", "surrogateescape"))
            out.write(b"\n")
    except gotrace.Error as e:
        err = e
    return out.getvalue(), err


def check_equal_dump(path):
    rc, want, stderr = dump(path)
    got, err = python_dump(path)
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(want).hexdigest(), \
        "events differ from gotrace dump's (%d vs %d bytes)" % (len(got), len(want))
    assert (err is not None) == (rc == 1), "dump status %d, Python error %r" % (rc, err)
    if err is not None:
        assert err.message in stderr, (err.message, stderr)


@pytest.mark.parametrize("path", LOCAL, ids=lambda p: os.path.relpath(p, ROOT))
def test_events_equal_dump_local(path):
    check_equal_dump(path)


@pytest.mark.skipif(not SHARED_TRACES, reason="no ../shared/corpus")
@pytest.mark.parametrize("path", SHARED_TRACES, ids=os.path.basename)
def test_events_equal_dump_corpus(path):
    check_equal_dump(path)


def sample_trace():
    """A valid v2 trace with stacks, tasks, regions and logs when the corpus is
    there, else the largest of tests/data."""
    for name in ("annotate.go127.trace", "allocfree.go127.trace"):
        p = os.path.join(CORPUS, name)
        if os.path.exists(p):
            return p
    return max(LOCAL, key=os.path.getsize)


def test_sources_agree(tmp_path):
    path = sample_trace()
    with open(path, "rb") as f:
        data = f.read()
    want, err = python_dump(path)
    assert err is None and want
    gz = tmp_path / "t.trace.gz"
    with gzip.open(gz, "wb") as f:
        f.write(data)

    class Dribble(io.RawIOBase):
        """A file object returning at most 3 bytes per read (read, no readinto)."""
        def __init__(self):
            self.pos = 0

        def read(self, n=-1):
            chunk = data[self.pos:self.pos + min(n, 3)]
            self.pos += len(chunk)
            return chunk

    for src in (data, bytearray(data), io.BytesIO(data), gzip.open(gz, "rb"), str(gz), Dribble()):
        got, e = python_dump(src)
        assert e is None and got == want, type(src)


def test_event_attributes():
    path = sample_trace()
    kinds = set()
    n = 0
    for ev in gotrace.open(path):
        n += 1
        kinds.add(ev.kind)
        assert isinstance(ev.kind, gotrace.Kind)
        assert ev.goroutine is None or ev.goroutine >= 0
        assert ev.proc is None or ev.proc >= 0
        assert ev.thread is None or ev.thread >= 0
        line = str(ev).split("\n")[0]
        assert ("G=%d" % (ev.goroutine if ev.goroutine is not None else -1)) in line
        assert ("Time=%d" % ev.time) in line
        for fr in ev.stack:
            assert isinstance(fr, gotrace.Frame) and "%s @ %#x" % (fr.func, fr.pc) in str(ev)
        d = ev.details
        if ev.kind == gotrace.Kind.STATE_TRANSITION:
            assert d.resource in ("Goroutine", "Proc") and ("%s->%s" % (d.old, d.new)) in line
        elif ev.kind == gotrace.Kind.METRIC:
            assert ('Name="%s"' % d.name) in line
        elif ev.kind == gotrace.Kind.SYNC:
            assert d.n >= 1
    assert n > 0 and gotrace.Kind.STATE_TRANSITION in kinds and gotrace.Kind.SYNC in kinds


def test_truncated_trace_raises_with_offset():
    path = sample_trace()
    with open(path, "rb") as f:
        data = f.read()
    cut = data[:len(data) * 2 // 3]
    before = []
    with pytest.raises(gotrace.Error) as info:
        for ev in gotrace.open(cut):
            before.append(ev.time)
    e = info.value
    assert e.code in ("truncated", "malformed", "invalid") and e.message
    assert e.offset is None or 0 <= e.offset <= len(cut)
    # The CLI reports the same error.
    p = subprocess.run([CLI, "dump", "-"], input=cut, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.returncode == 1 and e.message in p.stderr.decode("utf-8", "replace")


def test_not_a_trace():
    with pytest.raises(gotrace.Error) as info:
        gotrace.open(b"hello, not a trace")
    assert info.value.code == "format" and info.value.offset == 0
    assert info.value.message == "bad file format: not a Go execution trace?"


def test_file_object_failure_is_io_error_with_cause():
    data = open(sample_trace(), "rb").read()

    class Failing(io.RawIOBase):
        def __init__(self):
            self.pos = 0

        def readinto(self, b):
            if self.pos > len(data) // 2:
                raise ValueError("disk on fire")
            n = min(len(b), 1000, len(data) - self.pos)
            b[:n] = data[self.pos:self.pos + n]
            self.pos += n
            return n

    with pytest.raises(gotrace.Error) as info:
        for _ in gotrace.open(Failing()):
            pass
    e = info.value
    assert e.code in ("io", "invalid"), e
    if e.code == "io":
        assert e.offset is not None and e.offset <= len(data) // 2 + 1000
        assert isinstance(e.__cause__, ValueError)


def test_old_event_details_refused():
    """Events kept past their lifetime (two Syncs on) raise instead of reading
    freed memory; so do events of a closed reader."""
    def syncs(p):
        try:
            return sum(1 for t in gotrace.open(p).tuples() if t[4] == gotrace.Kind.SYNC)
        except gotrace.Error:
            return 0
    multigen = os.path.join(CORPUS, "multigen.go127.trace")
    path = multigen if os.path.exists(multigen) else max(LOCAL, key=syncs)
    r = gotrace.open(path)
    evs = list(r)
    if sum(1 for ev in evs if ev.kind == gotrace.Kind.SYNC) < 3:
        pytest.skip("no trace with 3 Syncs")
    with pytest.raises(gotrace.Error):
        str(evs[0])
    r.close()
    with pytest.raises(gotrace.Error):
        evs[-1].stack


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_dropping_readers_mid_trace_frees_everything():
    path = sample_trace()
    data = open(path, "rb").read()

    def churn(n):
        for i in range(n):
            src = (path, data, io.BytesIO(data))[i % 3]
            r = gotrace.open(src)
            for j, ev in enumerate(r):
                ev.stack
                if j == 500:
                    break
            del r, ev
        gc.collect()

    churn(30)
    start = rss_kb()
    churn(300)
    grown = rss_kb() - start
    # Each reader holds ~1 MB while open; 300 leaked readers would be far more.
    assert grown < 16 * 1024, "RSS grew by %d KB over 300 dropped readers" % grown


def cli_json(*args):
    return json.loads(subprocess.run([CLI] + list(args), stdout=subprocess.PIPE, check=True).stdout)


def test_goroutines_equal_cli():
    path = sample_trace()
    want = cli_json("goroutines", "--json", path)["goroutines"]
    got = gotrace.goroutines(path)
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        for k in ("id", "name", "pc", "creation_time", "start_time", "end_time"):
            assert g[k] == w[k], k
        for k in ("exec_time", "sched_wait_time", "syscall_time", "syscall_block_time", "total_time"):
            assert g["stats"][k] == w[k], k
        assert g["stats"]["block_time"] == w["block_time"]
        assert g["stats"]["range_time"] == w["range_time"]
        assert len(g["regions"]) == len(w["regions"])


def test_tasks_and_regions():
    path = sample_trace()
    tasks = gotrace.tasks(path)
    regions = gotrace.regions(path)
    begins = [ev.details.id for ev in gotrace.open(path) if ev.kind == gotrace.Kind.TASK_BEGIN]
    if "annotate" in path:
        assert begins and tasks
    assert sorted(set(begins)) == sorted(t["id"] for t in tasks if t["start"] is not None)
    n_region_begins = sum(1 for ev in gotrace.open(path) if ev.kind == gotrace.Kind.REGION_BEGIN)
    assert len([r for r in regions if r["start"] is not None and r["name"]]) == n_region_begins


def test_mmu_equal_cli():
    path = sample_trace()
    want = {w["window"]: w["mmu"] for w in cli_json("mmu", "--json", path)["windows"]}
    got = gotrace.mmu(path, list(want))
    for w in want:
        assert abs(got[w] - want[w]) < 1e-9, w


def test_pprof_equal_cli():
    path = sample_trace()
    for kind in ("sched", "sync", "syscall", "net"):
        out = subprocess.run([CLI, "pprof", "--type=" + kind, path], stdout=subprocess.PIPE, check=True).stdout
        assert gotrace.pprof(path, kind) == gzip.decompress(out), kind


def test_readme_example():
    """The README's Python example prints what the README says it prints."""
    readme = open(os.path.join(ROOT, "README.md")).read()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    want = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 10
    import sys
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == want
