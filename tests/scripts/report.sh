#!/bin/sh
# gotrace report (one self-contained HTML page, issue 19):
#  - command line: --help, gotrace help report, usage errors (exit 2);
#  - examples/hello.trace, from a file, from standard input and gzipped, and
#    every tests/data/scenarios trace: exit 0, and the page passes
#    report_check.py against `gotrace summary --json` of the same trace
#    (every element closed, well-formed XML, every section, nothing loaded
#    from elsewhere, every figure shown equal to the summary's);
#  - the checker fails on damaged pages (an element left open, a figure
#    changed, a script from elsewhere, a section removed);
#  - names from the trace are escaped: a region type holding markup and a
#    byte that is not UTF-8 comes out as text;
#  - a full disk: exit 3 and one message; a broken trace (the example cut
#    in half): exit 1 as gotrace summary, and a page that still checks;
#  - with ../shared: every corpus trace (exit status as gotrace summary's,
#    0 for all but damaged ones; pages under 3 MB, checked);
#  - in a browser: Debian's chromium, headless, loads the page of a corpus
#    trace (examples/hello.trace without ../shared) with no console message,
#    its DOM after the page's script ran checks as above, and a screenshot
#    is a PNG of the window's size. REPORT_PNG=FILE keeps the screenshot
#    (docs/report.png is made so). Skipped without chromium.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
SHARED=${SHARED:-$ROOT/../shared}
. "$ROOT/tests/scripts/lib/common.sh"
CHECK="$ROOT/tests/scripts/report_check.py"
hello=$ROOT/examples/hello.trace

if ! command -v python3 >/dev/null 2>&1; then
  skip "report" "no python3 to check the pages"
  exit 0
fi

# --- command line
if "$GOTRACE" report --help >"$tmp/out" 2>&1 && grep -q '^usage: gotrace report' "$tmp/out" &&
   "$GOTRACE" help report >"$tmp/out2" 2>&1 && cmp -s "$tmp/out" "$tmp/out2"; then
  ok "report_help"
else
  fail "report_help" "no usage on stdout with exit 0, or gotrace help report differs"
fi
usage_case() {
  name=$1; shift
  "$GOTRACE" report "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then ok "$name"; else fail "$name" "exit $rc, want 2 and a message"; fi
}
usage_case report_usage_no_file -o "$tmp/x.html"
usage_case report_usage_no_output "$hello"
usage_case report_usage_two_files "$hello" "$hello" -o "$tmp/x.html"
usage_case report_usage_bad_option --frobnicate "$hello" -o "$tmp/x.html"
usage_case report_usage_missing_file "$tmp/does-not-exist.trace" -o "$tmp/x.html"
usage_case report_usage_output_is_input "$hello" -o "$hello"

# report_case NAME TRACE [WANT_STATUS]: the page of TRACE, checked against
# the summary of TRACE (added to $pairs for one run of the checker); the
# status must be WANT_STATUS (default 0) and gotrace summary's.
pairs=""
report_case() {
  name=$1; trace=$2; want=${3:-0}
  "$GOTRACE" report "$trace" -o "$tmp/$name.html" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  "$GOTRACE" summary --json "$trace" >"$tmp/$name.json" 2>/dev/null
  src=$?
  if [ "$rc" -ne "$want" ] || [ "$src" -ne "$rc" ] || [ -s "$tmp/out" ]; then
    fail "report_$name" "exit $rc (summary $src), want $want; $(head -n 1 "$tmp/err")"
    return
  fi
  if [ "$want" -ne 0 ] && [ ! -e "$tmp/$name.html" ]; then
    # Broken before any event: no page, as gotrace summary prints nothing.
    ok "report_$name"
    return
  fi
  pairs="$pairs report_$name $tmp/$name.html $tmp/$name.json"
}
report_case hello "$hello"
for t in "$ROOT"/tests/data/scenarios/*.trace; do
  want=$(sed -n 's/^exit=//p' "${t%.trace}.status" 2>/dev/null)
  report_case "scenario_$(basename "$t" .trace)" "$t" "${want:-0}"
done
# shellcheck disable=SC2086
python3 "$CHECK" --xml $pairs

# Standard input and gzip input: the same figures.
"$GOTRACE" report - -o "$tmp/stdin.html" <"$hello" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then
  python3 "$CHECK" --xml report_stdin "$tmp/stdin.html" "$tmp/hello.json"
else
  fail "report_stdin" "exit $rc"
fi
if command -v gzip >/dev/null 2>&1; then
  gzip -c "$hello" >"$tmp/hello.trace.gz"
  "$GOTRACE" report "$tmp/hello.trace.gz" -o "$tmp/gz.html" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    python3 "$CHECK" --xml report_gzip_input "$tmp/gz.html" "$tmp/hello.json"
  else
    fail "report_gzip_input" "exit $rc"
  fi
else
  skip "report_gzip_input" "no gzip"
fi

# --- the checker fails on damaged pages
damaged() {
  name=$1; expr=$2
  sed "$expr" "$tmp/hello.html" >"$tmp/damaged.html"
  if cmp -s "$tmp/damaged.html" "$tmp/hello.html"; then
    fail "$name" "the damage changed nothing"
  elif python3 "$CHECK" --xml x "$tmp/damaged.html" "$tmp/hello.json" | grep -q '^not ok'; then
    ok "$name"
  else
    fail "$name" "the checker passed a damaged page"
  fi
}
damaged report_check_unclosed 's|</table>||'
damaged report_check_figure 's|data-key="trace.events" data-value="\([0-9]*\)">[0-9]*<|data-key="trace.events" data-value="\1">7<|'
damaged report_check_external 's|<script>|<script src="https://example.com/x.js"></script><script>|'
damaged report_check_section 's|<section id="mmu">|<section id="nommu">|'

# --- escaping: a region type "<i>&"x'</i>" and a byte 0xff (a string 3
# bytes longer than "phase one", so its batch is 3 bytes longer).
sed -n '/^-- trace --$/,$p' "$ROOT/tests/data/scenarios/stacks-and-strings.test" | tail -n +2 |
  sed -e 's|data="phase one"|data="<i>\&\\"x'"'"'</i>\\xff"|' \
      -e 's/^EventBatch gen=1 m=18446744073709551615 time=2 size=200$/EventBatch gen=1 m=18446744073709551615 time=2 size=203/' >"$tmp/esc.txt"
if "$GOTRACE" convert --to=binary "$tmp/esc.txt" "$tmp/esc.trace" 2>"$tmp/err" &&
   "$GOTRACE" report "$tmp/esc.trace" -o "$tmp/esc.html" 2>>"$tmp/err"; then
  "$GOTRACE" summary --json "$tmp/esc.trace" >"$tmp/esc.json"
  if ! grep -q '&lt;i&gt;&amp;&quot;x&#39;&lt;/i&gt;'"$(printf '\357\277\275')" "$tmp/esc.html"; then
    fail "report_escaping" "the region type is not escaped as text"
  elif grep -q '<i>&' "$tmp/esc.html"; then
    fail "report_escaping" "markup from the trace in the page"
  else
    python3 "$CHECK" --xml report_escaping "$tmp/esc.html" "$tmp/esc.json"
  fi
else
  fail "report_escaping" "$(head -n 1 "$tmp/err")"
fi

# --- a full disk, a broken trace
if [ -w /dev/full ]; then
  "$GOTRACE" report "$hello" -o /dev/full >/dev/null 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 3 ] && [ "$(grep -c 'write error' "$tmp/err")" -eq 1 ]; then
    ok "report_write_error"
  else
    fail "report_write_error" "exit $rc, stderr '$(head -n 2 "$tmp/err" | tr '\n' ' ')'"
  fi
else
  skip "report_write_error" "no /dev/full"
fi
size=$(wc -c <"$hello")
head -c $((size / 2)) "$hello" >"$tmp/half.trace"
pairs=""
report_case half "$tmp/half.trace" 1
# shellcheck disable=SC2086
[ -n "$pairs" ] && python3 "$CHECK" --xml $pairs

# --- the corpus
if [ -d "$SHARED/corpus" ]; then
  pairs=""
  big=""
  for t in "$SHARED"/corpus/*.trace; do
    n=$(basename "$t" .trace)
    "$GOTRACE" report "$t" -o "$tmp/c.$n.html" >/dev/null 2>"$tmp/err"
    rc=$?
    "$GOTRACE" summary --json "$t" >"$tmp/c.$n.json" 2>/dev/null
    src=$?
    if [ "$rc" -ne "$src" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
      fail "report_corpus_$n" "exit $rc, summary $src"
      continue
    fi
    [ "$(wc -c <"$tmp/c.$n.html")" -lt 3000000 ] || big="$big $n"
    pairs="$pairs report_corpus_$n $tmp/c.$n.html $tmp/c.$n.json"
  done
  # shellcheck disable=SC2086
  python3 "$CHECK" --xml $pairs
  if [ -z "$big" ]; then ok "report_corpus_page_size"; else fail "report_corpus_page_size" "over 3 MB:$big"; fi
else
  skip "report_corpus" "no $SHARED/corpus"
fi

# --- in a browser
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  skip "report_browser" "no chromium (Debian package chromium)"
  exit 0
fi
if [ -f "$SHARED/corpus/annotate.go127.trace" ]; then
  page_trace=$SHARED/corpus/annotate.go127.trace
else
  page_trace=$hello
fi
"$GOTRACE" report "$page_trace" -o "$tmp/page.html" 2>/dev/null
"$GOTRACE" summary --json "$page_trace" >"$tmp/page.json" 2>/dev/null
browser() {
  timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$tmp/profile" \
    --enable-logging=stderr --v=0 "$@" "file://$tmp/page.html"
}
browser --dump-dom >"$tmp/dom.html" 2>"$tmp/browser.log"
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$tmp/dom.html" ]; then
  fail "report_browser_load" "chromium exit $rc, $(grep -v dbus "$tmp/browser.log" | tail -n 1)"
elif grep -q ':CONSOLE' "$tmp/browser.log"; then
  fail "report_browser_console" "$(grep ':CONSOLE' "$tmp/browser.log" | head -n 1)"
else
  ok "report_browser_console"
  python3 "$CHECK" --dom report_browser_dom "$tmp/dom.html" "$tmp/page.json"
fi
browser --hide-scrollbars --window-size=1280,1700 --screenshot="$tmp/shot.png" >/dev/null 2>&1
if python3 - "$tmp/shot.png" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
ok = head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1280, 1700)
sys.exit(0 if ok else 1)
PY
then
  ok "report_browser_screenshot"
  if [ -n "${REPORT_PNG:-}" ]; then cp "$tmp/shot.png" "$REPORT_PNG"; fi
else
  fail "report_browser_screenshot" "no PNG of 1280x1700"
fi
