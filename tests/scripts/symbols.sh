#!/bin/sh
# Symbol hygiene of the built libraries (issue 16): a program linking
# libgotrace must meet no name of ours outside the gt_ prefix.
#  - build/libgotrace.a: every defined global symbol starts with gt_ (the
#    static library hides nothing, so internal functions need the prefix too);
#  - build/libgotrace.so: it exports exactly the functions declared GT_API in
#    include/ (internal gt_ functions stay hidden), all starting with gt_.
# Sanitizer builds add ASan's ODR indicators, "__odr_asan.<our name>": those
# are checked on the name they carry.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
lib="$ROOT/$BUILD/libgotrace.a"
so="$ROOT/$BUILD/libgotrace.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v nm >/dev/null 2>&1; then
  echo "skip symbols: nm not found (binutils)"
  exit 0
fi

# Names of defined global symbols not starting with gt_ (ASan's indicators
# judged by the name after their prefix), one per line, sorted.
foreign() {
  awk 'NF >= 3 { print $NF }' | sed 's/^__odr_asan\.//' | grep -v '^gt_' | sort -u
}

if [ -f "$lib" ]; then
  if nm -g --defined-only "$lib" >"$tmp/a" 2>"$tmp/err"; then
    foreign <"$tmp/a" >"$tmp/bad"
    n=$(awk 'NF >= 3' "$tmp/a" | grep -c .)
    if [ "$n" -gt 0 ] && [ ! -s "$tmp/bad" ]; then
      echo "ok symbols_static_prefix"
    else
      echo "not ok symbols_static_prefix: $n symbols, without the gt_ prefix: $(tr '\n' ' ' <"$tmp/bad")"
    fi
  else
    echo "not ok symbols_static_prefix: nm failed: $(head -c 200 "$tmp/err")"
  fi
else
  echo "not ok symbols_static_prefix: $lib not built"
fi

if [ -f "$so" ]; then
  nm -D --defined-only "$so" >"$tmp/so" 2>"$tmp/err" || echo "not ok symbols_shared: nm -D failed: $(head -c 200 "$tmp/err")"
  foreign <"$tmp/so" >"$tmp/bad"
  if [ -s "$tmp/so" ] && [ ! -s "$tmp/bad" ]; then
    echo "ok symbols_shared_prefix"
  else
    echo "not ok symbols_shared_prefix: without the gt_ prefix: $(tr '\n' ' ' <"$tmp/bad")"
  fi
  # The function name of each "GT_API ... gt_name(" declaration.
  grep -h '^GT_API' "$ROOT"/include/gotrace.h "$ROOT"/include/gotrace/*.h |
    sed -E 's/^[^(]*[^A-Za-z0-9_](gt_[A-Za-z0-9_]*) *\(.*/\1/' | sort -u >"$tmp/declared"
  awk 'NF >= 3 { print $NF }' "$tmp/so" | grep '^gt_' | sort -u >"$tmp/exported"
  comm -13 "$tmp/declared" "$tmp/exported" >"$tmp/extra"
  comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/missing"
  if [ -s "$tmp/declared" ] && [ ! -s "$tmp/extra" ] && [ ! -s "$tmp/missing" ]; then
    echo "ok symbols_shared_exports_the_api"
  else
    echo "not ok symbols_shared_exports_the_api: exported but not declared GT_API: $(head -n 20 "$tmp/extra" | tr '\n' ' ');" \
      "declared GT_API but not exported: $(head -n 20 "$tmp/missing" | tr '\n' ' ')"
  fi
else
  echo "skip symbols_shared: $so not built"
fi
