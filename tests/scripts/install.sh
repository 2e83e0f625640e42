#!/bin/sh
# `make install` into a temporary prefix, used the way the README says:
# headers (not the in-tree check.h), gotrace.pc through pkg-config, a program
# linked against the shared library (rpath) and against the static one, each
# checking that the header it was compiled with matches the library it runs
# with (GT_VERSION_NUMBER == gt_version_number()), then `make uninstall`.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

# Installing must not build: make test has just built everything. Anything
# out of date (a concurrent edit) would be rebuilt behind make test's back.
if ! make -s -q -C "$ROOT" BUILD="$BUILD" all >/dev/null 2>&1; then
  echo "skip install: $BUILD is not up to date (run make first)"
  exit 0
fi
if make -s -C "$ROOT" BUILD="$BUILD" PREFIX="$prefix" install >"$tmp/out" 2>&1; then
  echo "ok install_runs"
else
  echo "not ok install_runs: $(tail -n 5 "$tmp/out" | tr '\n' '|')"
  exit 1
fi

missing=""
for h in gotrace.h gotrace/analysis.h gotrace/builder.h gotrace/raw.h; do
  [ -f "$prefix/include/$h" ] || missing="$missing $h"
done
if [ -z "$missing" ] && [ ! -e "$prefix/include/gotrace/check.h" ]; then
  echo "ok install_headers"
else
  echo "not ok install_headers: missing:$missing; check.h installed: $([ -e "$prefix/include/gotrace/check.h" ] && echo yes || echo no)"
fi

cat >"$tmp/prog.c" <<'PROG'
#include <gotrace.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    if (GT_VERSION_NUMBER != gt_version_number()) {
        printf("header %d, library %d\n", GT_VERSION_NUMBER, gt_version_number());
        return 1;
    }
    gt_error err;
    gt_reader *r = gt_reader_open_path(argc > 1 ? argv[1] : "-", &err);
    if (!r) {
        printf("open: %s\n", err.message);
        return 1;
    }
    gt_event ev;
    long n = 0;
    while (gt_reader_next(r, &ev) == 1)
        n++;
    int failed = gt_reader_error(r) != NULL;
    gt_reader_free(r);
    printf("%s %ld events\n", gt_version(), n);
    return failed;
}
PROG

# A sanitizer build's libraries need the sanitizer's runtime in the program:
# nothing to learn from linking them by hand.
if nm "$ROOT/$BUILD/libgotrace.a" 2>/dev/null | grep -q ' U __[atu][sb]*san_'; then
  echo "skip install_link: $BUILD is a sanitizer build"
else
  if command -v pkg-config >/dev/null 2>&1; then
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    cflags=$(pkg-config --cflags gotrace) && libs=$(pkg-config --libs gotrace) &&
      static_libs=$(pkg-config --static --libs gotrace)
    pcversion=$(pkg-config --modversion gotrace)
    case " $static_libs " in
      *" -pthread "*) echo "ok install_pkgconfig" ;;
      *) echo "not ok install_pkgconfig: --static --libs says '$static_libs', want -pthread" ;;
    esac
  else
    echo "skip install_pkgconfig: pkg-config not found"
    cflags="-I$prefix/include" libs="-L$prefix/lib -lgotrace" static_libs="$libs -lm -pthread" pcversion=""
  fi
  # Every event of gotrace dump starts a line with its context, M=.
  want=$("$ROOT/$BUILD/gotrace" dump "$ROOT/examples/hello.trace" | grep -c '^M=')
  # shellcheck disable=SC2086
  if $CC -std=c99 $cflags "$tmp/prog.c" -o "$tmp/prog-shared" $libs -Wl,-rpath,"$prefix/lib" 2>"$tmp/err" &&
     "$tmp/prog-shared" "$ROOT/examples/hello.trace" >"$tmp/out" 2>&1; then
    got=$(cat "$tmp/out")
    version=${got%% *}
    if [ "$got" = "$version $want events" ] && { [ -z "$pcversion" ] || [ "$pcversion" = "$version" ]; }; then
      echo "ok install_link_shared"
    else
      echo "not ok install_link_shared: printed '$got', want '$pcversion $want events'"
    fi
  else
    echo "not ok install_link_shared: $(head -c 300 "$tmp/err") $(head -c 200 "$tmp/out" 2>/dev/null)"
  fi
  # Static: the archive named explicitly (a linker prefers the .so), with
  # the private libraries that pkg-config --static adds.
  static_rest=$(printf '%s\n' $static_libs | grep -v '^-lgotrace$' | tr '\n' ' ')
  # shellcheck disable=SC2086
  if $CC -std=c99 $cflags "$tmp/prog.c" -o "$tmp/prog-static" "$prefix/lib/libgotrace.a" $static_rest 2>"$tmp/err" &&
     "$tmp/prog-static" "$ROOT/examples/hello.trace" >"$tmp/out" 2>&1 &&
     ! nm -D "$tmp/prog-static" 2>/dev/null | grep -q ' U gt_'; then
    got=$(cat "$tmp/out")
    [ "$got" = "${got%% *} $want events" ] && echo "ok install_link_static" ||
      echo "not ok install_link_static: printed '$got', want $want events"
  else
    echo "not ok install_link_static: $(head -c 300 "$tmp/err") $(head -c 200 "$tmp/out" 2>/dev/null)"
  fi
fi

make -s -C "$ROOT" BUILD="$BUILD" PREFIX="$prefix" uninstall >"$tmp/out" 2>&1
left=$(find "$prefix" -type f -o -type l | sed "s|^$prefix/||" | tr '\n' ' ')
if [ -z "$left" ]; then echo "ok uninstall"; else echo "not ok uninstall: left $left"; fi
