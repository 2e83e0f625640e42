#!/bin/sh
# Every example of the README and of the man page runs as written:
#  - README: the quick start's gotrace command; the library example (count.c)
#    compiled against the build and run on the example trace, its output
#    checked against gotrace dump's count of the same transitions;
#  - man page EXAMPLES: each line run in a scratch directory where trace.out
#    is a real trace, with build/gotrace first on PATH. `go test -trace=...`
#    lines need a Go toolchain: with one they run on a small package made
#    here (so trace.out is made by Go itself), without one they are skipped
#    and trace.out is the repository's example trace.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
GOTRACE=${GOTRACE:-$ROOT/$BUILD/gotrace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/work"
ln -s "$GOTRACE" "$tmp/bin/gotrace"

# --- README: the quick start's main job.
quick=$(sed -n '/^## Quick start/,/^## /p' "$ROOT/README.md" | grep -o '\./build/gotrace [^`&|]*' | head -n 1)
if [ -z "$quick" ]; then
  echo "not ok examples:readme-quick-start: no ./build/gotrace command in the README's quick start"
else
  # The README runs from the top of the repository with the default build.
  cmd=$(printf '%s' "$quick" | sed "s|^\./build/gotrace|\"$GOTRACE\"|")
  if (cd "$ROOT" && eval "$cmd") >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ]; then
    echo "ok examples:readme-quick-start ($quick)"
  else
    echo "not ok examples:readme-quick-start: '$quick' failed: $(head -c 200 "$tmp/err")"
  fi
fi

# --- README: the C blocks. The first is a whole program (count.c), compiled
# and run; each later one is a fragment, compiled inside a function after
# the header.
awk -v dir="$tmp" '/^```c$/ { n++; inside = 1; next }
  /^```$/ { inside = 0; next }
  inside { print > (dir "/readme-c-" n ".c") }' "$ROOT/README.md"
cp "$tmp/readme-c-1.c" "$tmp/count.c" 2>/dev/null || : >"$tmp/count.c"
# Links count.c with the build's static library. A sanitizer build's library
# needs its compiler's sanitizer runtime: gcc's or clang's, whichever links.
link_count() {
  lib=$ROOT/$BUILD/libgotrace.a
  if nm "$lib" 2>/dev/null | grep -q '__asan_\|__ubsan_\|__tsan_'; then
    for c in ${CC:-cc} gcc clang; do
      $c -std=c11 -Wall -Wextra -Werror -fsanitize=address,undefined -I"$ROOT/include" "$tmp/count.c" "$lib" \
        -lm -pthread -o "$tmp/count" 2>"$tmp/err" && return 0
    done
    return 1
  fi
  ${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$ROOT/include" "$tmp/count.c" "$lib" -lm -pthread -o "$tmp/count" 2>"$tmp/err"
}
for frag in "$tmp"/readme-c-*.c; do
  k=${frag##*-}; k=${k%.c}
  [ "$k" = 1 ] && continue
  { echo '#include <gotrace.h>'; echo 'int fragment(void);'; echo 'int fragment(void) {'; cat "$frag";
    echo 'return 0; }'; } >"$tmp/frag.c"
  if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$ROOT/include" -c "$tmp/frag.c" -o "$tmp/frag.o" 2>"$tmp/err"; then
    echo "ok examples:readme-c-fragment-$k"
  else
    echo "not ok examples:readme-c-fragment-$k: does not compile: $(head -c 300 "$tmp/err")"
  fi
done
if ! grep -q 'int main' "$tmp/count.c"; then
  echo "not ok examples:readme-library: the README's C example is not a whole program"
elif ! link_count; then
  echo "not ok examples:readme-library: does not compile: $(head -c 300 "$tmp/err")"
else
  trace=$ROOT/examples/hello.trace
  "$tmp/count" "$trace" >"$tmp/out" 2>"$tmp/err"; rc=$?
  "$GOTRACE" dump "$trace" >"$tmp/dump" 2>/dev/null
  events=$(grep -c '^M=' "$tmp/dump")
  running=$(grep -c 'GoID=[0-9]* [A-Za-z]*->Running' "$tmp/dump")
  waiting=$(grep -c 'GoID=[0-9]* [A-Za-z]*->Waiting' "$tmp/dump")
  want="$events events, $running to Running, $waiting to Waiting"
  if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ]; then
    echo "ok examples:readme-library ($want)"
  else
    echo "not ok examples:readme-library: exit $rc, printed '$(cat "$tmp/out")', gotrace dump counts '$want'"
  fi
fi

# --- README: the shell sessions ("$ gotrace ..." blocks: the command, its
# indented continuation lines, then what it prints), run from the top of
# the repository; the output must be what the README shows, byte for byte.
awk -v dir="$tmp" '/^```/ { if (!inside) { inside = 1; plain = ($0 == "```"); first = 1 } else inside = 0; next }
  inside && plain && first { first = 0; session = ($0 ~ /^\$ gotrace /); if (session) { n++; cmd = 1 } }
  inside && plain && session && cmd && ($0 ~ /^\$ / || $0 ~ /^    /) { sub(/^\$ /, ""); print > (dir "/session-" n ".cmd"); next }
  inside && plain && session { cmd = 0; print > (dir "/session-" n ".want") }' "$ROOT/README.md"
sessions=0
for c in "$tmp"/session-*.cmd; do
  [ -f "$c" ] || continue
  sessions=$((sessions + 1))
  k=${c##*-}; k=${k%.cmd}
  cmd=$(tr '\n' ' ' <"$c" | sed "s|^gotrace |\"$GOTRACE\" |")
  if (cd "$ROOT" && eval "$cmd") >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "${c%.cmd}.want"; then
    echo "ok examples:readme-session-$k ($(head -c 60 "$c")...)"
  else
    echo "not ok examples:readme-session-$k: output differs from the README's: $(diff "${c%.cmd}.want" "$tmp/out" | head -n 4 | tr '\n' ';') $(head -c 200 "$tmp/err")"
  fi
done
[ $sessions -gt 0 ] || echo "not ok examples:readme-sessions: no \$ gotrace block found in the README"

# --- man page EXAMPLES.
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$ROOT/man/gotrace.1" | sed -n '/^\.nf/,/^\.fi/p' | sed '1d;$d' |
  sed 's/\\-/-/g' >"$tmp/man-examples"
if [ ! -s "$tmp/man-examples" ]; then
  echo "not ok examples:man: no example lines in the man page's EXAMPLES section"
  exit 0
fi
go=$(sh "$ROOT/scripts/go127.sh" 2>/dev/null) || go=
if [ -n "$go" ]; then
  # A small package whose test the examples trace: goroutines that block on
  # a channel and a mutex, so every command has something to show.
  mkdir -p "$tmp/work/pkg"
  cat >"$tmp/work/go.mod" <<'EOF'
module example.com/tracedemo

go 1.22
EOF
  cat >"$tmp/work/pkg/pkg_test.go" <<'EOF'
package pkg

import (
	"sync"
	"testing"
)

func TestWork(t *testing.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan int)
	total := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range ch {
				mu.Lock()
				total += v
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < 20000; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
}
EOF
  ln -s "$(dirname "$go")/go" "$tmp/bin/go"
else
  cp "$ROOT/examples/hello.trace" "$tmp/work/trace.out"
fi
n=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  n=$((n + 1))
  case $line in
    "go test"*)
      if [ -z "$go" ]; then echo "skip examples:man-$n: no Go toolchain for '$line'"; continue; fi ;;
  esac
  if (cd "$tmp/work" && PATH="$tmp/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=mod HOME="$tmp" \
        GOCACHE="${GOCACHE:-$tmp/gocache}" GOPATH="$tmp/gopath" sh -c "$line") >"$tmp/out" 2>"$tmp/err"; then
    echo "ok examples:man-$n ($line)"
  else
    echo "not ok examples:man-$n: '$line' failed: $(head -c 300 "$tmp/err")"
  fi
done <"$tmp/man-examples"
