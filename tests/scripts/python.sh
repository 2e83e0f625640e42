#!/bin/sh
# The Python package (python/, issue 16): installed offline into a scratch
# virtual environment with `pip install --no-build-isolation` (the README's
# command), then its pytest suite (python/tests) run against this build's
# libgotrace.so.0 and gotrace CLI. Each pytest case becomes one protocol line
# (python/tests/conftest.py).
#
# Python: GOTRACE_PYTHON, else the first of /usr/bin/python3 and python3 on
# PATH that has pytest (a pyenv python3 may not); skipped when none has.
#
# Sanitizer builds (SANITIZE=1): libgotrace.so then needs the sanitizer
# runtime loaded first, which an unsanitized Python cannot do by itself. When
# the library names gcc's libasan as a dependency, it is preloaded
# (LD_PRELOAD, with leak detection off: Python's own allocations at exit are
# not ours to judge) so the bindings run on the sanitized library; otherwise
# (clang links the runtime into executables only) the suite is skipped with
# that reason: the sanitizer passes still check the library through the C
# tests.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
so="$ROOT/$BUILD/libgotrace.so.0"
cli="${GOTRACE:-$ROOT/$BUILD/gotrace}"

py=
for p in ${GOTRACE_PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pytest' >/dev/null 2>&1; then py=$p; break; fi
done
if [ -z "$py" ]; then
  echo "skip python: no python3 with pytest (Debian: apt-get install python3-pytest)"
  exit 0
fi
if [ ! -f "$so" ] || [ ! -x "$cli" ]; then
  echo "not ok python: $so or $cli missing (run make first)"
  exit 1
fi

preload=
if command -v nm >/dev/null 2>&1 && nm -D "$so" 2>/dev/null | grep -q ' U __asan_\| U __ubsan_'; then
  preload=$(ldd "$so" 2>/dev/null | awk '/libasan\.so|libubsan\.so/ { printf "%s%s", sep, $3; sep=":" }')
  case $preload in
    *libasan*) ;;
    *) echo "skip python: $so is built with sanitizers whose runtime it does not link (clang); ctypes cannot load it into an unsanitized Python"
       exit 0 ;;
  esac
fi

# Runs a command with the sanitizer runtime preloaded when there is one.
# ASan's quarantine is cut from 256 MB to 4 MB: freed blocks it holds count
# in RSS, and test_dropping_readers_mid_trace_frees_everything bounds RSS
# growth over 300 dropped readers at 16 MB (with the default quarantine it
# grows by up to 150 MB, whether or not anything leaks).
with_preload() {
  if [ -n "$preload" ]; then
    LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=0:quarantine_size_mb=4${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$@"
  else
    "$@"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1
export GOTRACE_LIBRARY="$so" GOTRACE="$cli" GT_TEST_PROTOCOL="$tmp/protocol"

# Install as a user would, from a copy (setuptools builds in the source tree).
cp -R "$ROOT/python" "$tmp/src"
rm -rf "$tmp/src/build" "$tmp/src"/*.egg-info
run_py=
if "$py" -m venv --system-site-packages "$tmp/venv" >"$tmp/venv.log" 2>&1; then
  if "$tmp/venv/bin/python" -m pip install --no-build-isolation --no-index --quiet "$tmp/src" >"$tmp/pip.log" 2>&1 &&
     (cd "$tmp" && with_preload "$tmp/venv/bin/python" -c 'import gotrace, sys; sys.exit("site-packages" not in gotrace.__file__)') \
       >>"$tmp/pip.log" 2>&1; then
    echo "ok python-install: pip install --no-build-isolation ./python (offline, into a venv)"
    run_py="$tmp/venv/bin/python"
  else
    echo "not ok python-install: pip install --no-build-isolation ./python failed: $(tail -n 3 "$tmp/pip.log" | tr '\n' ' ')"
  fi
else
  echo "skip python-install: $py -m venv unavailable (Debian: python3-venv); testing the source tree"
fi
if [ -z "$run_py" ]; then
  run_py=$py
  export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
fi

: >"$tmp/protocol"
with_preload "$run_py" -m pytest -q -p no:cacheprovider "$ROOT/python/tests" >"$tmp/pytest.log" 2>&1
rc=$?
cat "$tmp/protocol"
if [ "$rc" -ne 0 ]; then
  grep -q '^not ok ' "$tmp/protocol" || echo "not ok python: pytest exited with status $rc"
  tail -n 30 "$tmp/pytest.log" >&2
  exit 1
fi
exit 0
