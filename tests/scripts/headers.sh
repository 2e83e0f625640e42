#!/bin/sh
# Every header of include/ compiles on its own (nothing included before it)
# as strict C99 and, when a C++ compiler is present, as C++11: programs in
# either language, and binding generators that parse the headers, must not
# need our build's flags (-std=c11, _GNU_SOURCE) to use them.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CC=${CC:-cc}
CXX=${CXX:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "skip headers_cxx11: no C++ compiler ($CXX; Debian package g++)"
  CXX=""
fi
cd "$ROOT/include" || exit 1
for h in gotrace.h gotrace/*.h; do
  name=$(echo "$h" | sed 's|/|_|; s|\.h$||')
  printf '#include <%s>\n' "$h" >"$tmp/one.c"
  # shellcheck disable=SC2086
  if $CC -std=c99 -pedantic -Werror -Wall -Wextra -I"$ROOT/include" -fsyntax-only "$tmp/one.c" 2>"$tmp/err"; then
    echo "ok headers_c99_$name"
  else
    echo "not ok headers_c99_$name: $(head -n 5 "$tmp/err" | tr '\n' '|')"
  fi
  [ -n "$CXX" ] || continue
  cp "$tmp/one.c" "$tmp/one.cc"
  if $CXX -std=c++11 -pedantic -Werror -Wall -Wextra -I"$ROOT/include" -fsyntax-only "$tmp/one.cc" 2>"$tmp/err"; then
    echo "ok headers_cxx11_$name"
  else
    echo "not ok headers_cxx11_$name: $(head -n 5 "$tmp/err" | tr '\n' '|')"
  fi
done
