"""With GT_TEST_PROTOCOL set to a file name, each test's outcome is also
written there as the suite's protocol line (ok / not ok / skip NAME), which
tests/scripts/python.sh prints for tests/run.sh to count."""
import os

_out = os.environ.get("GT_TEST_PROTOCOL")


def _line(text):
    with open(_out, "a") as f:
        f.write(text.replace("\n", " ") + "\n")


def pytest_runtest_logreport(report):
    if not _out:
        return
    name = "python:" + report.nodeid.split("::", 1)[-1]
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            _line("ok " + name)
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            _line("skip %s: %s" % (name, reason))
        else:
            _line("not ok %s: %s" % (name, report.longreprtext.strip().splitlines()[-1][:300]))
    elif report.when == "teardown" and report.failed:
        _line("not ok %s: teardown: %s" % (name, report.longreprtext.strip().splitlines()[-1][:300]))
