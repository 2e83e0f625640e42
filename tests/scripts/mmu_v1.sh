#!/bin/sh
# The MMU of old-format traces (Go 1.11-1.21) whose GOMAXPROCS never changes
# (issue 13). Go 1.27's conversion gives them no GOMAXPROCS metric, so its
# MMU has no utilisation function and `go tool trace`'s /mmu page fails;
# gotrace seeds the function from the first Gomaxprocs event, as Go 1.21
# did (src/analysis/mmu.c, seed_procs). Checked against Go 1.21's own
# `go tool trace`, which read the old events themselves: on every old-format
# corpus trace without the metric, with the default flags and with
# perproc, at every window gotrace lists, Go 1.21's
# worst window (/mmuDetails) has exactly gotrace's MMU (Go's JSON prints
# floats in full: no tolerance), Go 1.21's only window of the length minus
# 1 ns starts where gotrace's function starts, and where /mmuPlot shows Go's
# length (traces under 1 ms), gotrace's is 1 ns longer (it ends at Go 1.27's
# final Sync, 1 ns after the last event). Also, without
# ../shared: the man page says so, and Go 1.27's figures stay where Go 1.27
# has one (tests/scripts/analysis_go.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GOTRACE=${GOTRACE:-$ROOT/${BUILD:-build}/gotrace}
. "$ROOT/tests/scripts/lib/common.sh"

if grep -q 'Gomaxprocs event' "$ROOT/man/gotrace.1"; then ok mmu_v1:man
else fail mmu_v1:man "man/gotrace.1 does not describe the MMU of old-format traces"; fi

if [ ! -d "$SHARED/corpus" ]; then skip mmu_v1:go121 "no $SHARED/corpus"; exit 0; fi
PY=$(command -v python3 || true)
if [ -z "$PY" ]; then skip mmu_v1:go121 "no python3"; exit 0; fi
goroot=
if [ -x "$SHARED/tools/install-go" ] && command -v bash >/dev/null 2>&1; then
  goroot=$(bash "$SHARED/tools/install-go" --print-goroot 1.21 2>/dev/null | tail -n 1)
fi
if [ -z "$goroot" ] || [ ! -x "$goroot/bin/go" ]; then
  skip mmu_v1:go121 "no Go 1.21 (../shared/tools/install-go 1.21 installs it)"; exit 0
fi

n=0
for trace in "$SHARED"/corpus/*.go119.trace "$SHARED"/corpus/*.go121.trace "$SHARED"/corpus/*.go111.trace; do
  [ -f "$trace" ] || continue
  name=mmu_v1:$(basename "$trace" .trace)
  # Only traces without the metric are seeded; the others are Go 1.27's.
  if "$GOTRACE" dump "$trace" 2>/dev/null | grep -q '/sched/gomaxprocs:threads'; then continue; fi
  # The default flags, then with one function per P.
  for perproc in "" perproc; do
  name=mmu_v1:$(basename "$trace" .trace)${perproc:+-$perproc}
  if ! "$GOTRACE" mmu --json --flags "stw,background,assist,sweep${perproc:+,$perproc}" "$trace" >"$tmp/mmu.json" 2>"$tmp/err"; then
    fail "$name" "gotrace mmu: $(head -n 1 "$tmp/err")"; continue
  fi
  n=$((n + 1))
  # The length's single window gives the function's start.
  len=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["length"])' "$tmp/mmu.json")
  "$GOTRACE" mmu --json --worst 1 --flags "stw,background,assist,sweep${perproc:+,$perproc}" "$trace" >"$tmp/mmu1.json" 2>/dev/null
  GOROOT=$goroot "$PY" - "$goroot/bin/go" "$trace" "$tmp/mmu.json" "$tmp/mmu1.json" "$len" "${perproc:+|perProc}" >"$tmp/out" 2>&1 <<'EOF'
import json, socket, subprocess, sys, time, urllib.request
go, trace, ours_path, ours1_path, length, more = sys.argv[1:7]
length = int(length)
ours = json.load(open(ours_path))
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
p = subprocess.Popen([go, "tool", "trace", "-http=127.0.0.1:%d" % port, trace],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
flags = "stw|background|assist|sweep" + more
def get(path):
    return json.load(urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=60))
try:
    for _ in range(300):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5); break
        except Exception:
            time.sleep(0.1)
    bad = []
    if not ours["windows"]:
        bad.append("gotrace gives no window")
    for w in ours["windows"]:
        win = w["window"]
        if win >= length:
            continue
        ex = get("/mmuDetails?window=%d&flags=%s" % (win, flags)) or []
        go_mmu = min(e["MutatorUtil"] for e in ex) if ex else None
        if go_mmu != w["mmu"]:
            bad.append("window %d: Go 1.21 %r, gotrace %r" % (win, go_mmu, w["mmu"]))
    start = json.load(open(ours1_path))["windows"][-1]["worst"][0]["time"]
    ex = get("/mmuDetails?window=%d&flags=%s" % (length - 1, flags)) or []
    if [e["Time"] for e in ex] != [start]:
        bad.append("window of the length - 1ns: Go 1.21 %r, gotrace starts at %d" % ([e["Time"] for e in ex], start))
    # Go clamps longer windows to its function's length, so that length
    # shows only in /mmuPlot's xMax, where the plot is not cut at six orders
    # of magnitude above its start.
    plot = get("/mmuPlot?flags=%s" % flags)
    if plot["xMax"] < plot["xMin"] * 1000000 and plot["xMax"] != length - 1:
        bad.append("length: Go 1.21 %d, gotrace %d (1 ns longer expected)" % (plot["xMax"], length))
    print("; ".join(bad) if bad else "same")
finally:
    p.terminate(); p.wait()
EOF
  if [ "$(cat "$tmp/out")" = same ]; then ok "$name"
  else fail "$name" "$(head -c 300 "$tmp/out")"; fi
  done
done
[ $n -gt 0 ] || fail mmu_v1:go121 "no old-format corpus trace without a GOMAXPROCS metric: nothing compared"
