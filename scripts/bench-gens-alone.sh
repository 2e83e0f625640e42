#!/bin/sh
# bench-gens-alone.sh: the premise of issue 18's design, measured. Each
# generation of a trace is cut out whole (`gotrace split`) and read alone,
# which orders it from nothing but its own status events, as a speculative
# worker would; then:
#
#  1. every generation read alone must end without an error, with the
#     events the whole trace has for it;
#  2. the whole trace's dump is compared line by line with the generations'
#     dumps one after another (each without its closing Sync), streamed, no
#     dump on disk, and every differing line is classed:
#       status     a GoStatus/ProcStatus transition that alone starts from
#                  Undetermined (the join would set the state the generation
#                  before ended in, and the thread's P and G)
#       time only  the same line but for Time= (the whole trace's times are
#                  made strictly increasing across generations)
#       sync       the Sync (its number and time)
#       context    the same event in another M/P/G context: a thread's P or
#                  goroutine carried over from the generation before
#       other      anything else (e.g. a P its thread abandoned in a
#                  syscall, whose transition depends on the generation
#                  before): where ordering alone went another way
#     context and other are where the speculation fails: the join would
#     have to order that generation again from the true state.
#  3. reading the generations one after another (W=1) and two at a time
#     (W=2, `xargs -P 2`) is timed: what the ordering itself gains from a
#     second core, before any join or hand-over.
#
#   scripts/bench-gens-alone.sh [TRACE]   default bench/traces/go127-100MB.trace
#   RUNS=N (default 3) timing rounds; BUILD (default build-bench)
#
# The pieces go to a temporary directory (about the trace's size) removed at
# the end. Exit 1 when a generation fails alone or a line is "context" or
# "other": the premise does not hold for that trace.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-3}
trace=${1:-bench/traces/go127-100MB.trace}
[ -f "$trace" ] || { echo "no $trace (scripts/make-bench-traces.sh makes it)" >&2; exit 2; }
make -s bench BUILD="$BUILD" >/dev/null
gotrace=$PWD/$BUILD/gotrace
bench=$PWD/$BUILD/bench/gotrace-bench
dir=$(mktemp -d "${TMPDIR:-/tmp}/gens-alone.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$gotrace" split --size 1B "$trace" "$dir/g" >/dev/null 2>&1
pieces=$(ls "$dir"/g.*.trace)
n=$(echo "$pieces" | wc -l)
echo "$trace: $n generations"

# 1. Each alone.
failed=0
total=0
for f in $pieces; do
  line=$("$bench" "$f")
  case $line in *status=ok*) ;; *) echo "alone: $(basename "$f") failed: $line"; failed=1 ;; esac
  ev=$(echo "$line" | sed 's/.* events=\([0-9]*\) .*/\1/')
  total=$((total + ev - 2)) # its two Syncs
done
whole=$("$bench" "$trace" | sed 's/.* events=\([0-9]*\) syncs=\([0-9]*\) .*/\1 \2/')
whole_ev=$(( ${whole% *} - ${whole#* } ))
echo "events without Syncs: whole $whole_ev, generations alone $total"
[ "$whole_ev" -eq "$total" ] || failed=1

# 2. Line by line.
last=$(echo "$pieces" | tail -n 1)
cat >"$dir/alone.sh" <<EOF
#!/bin/sh
for f in $(echo "$pieces" | tr "\n" " "); do
  if [ "\$f" = "$last" ]; then "$gotrace" dump "\$f"; else "$gotrace" dump "\$f" | sed '\$d'; fi
done
EOF
chmod +x "$dir/alone.sh"
"$gotrace" dump "$trace" | awk -v cmd="$dir/alone.sh" '
function kind(a, b,    sa, sb) {
  if (a ~ / Sync /) return "sync"
  sa = a; sb = b; gsub(/Time=[0-9]+ /, "", sa); gsub(/Time=[0-9]+ /, "", sb)
  if (sa == sb) return "time only"
  if (a ~ /StateTransition .*(GoID|ProcID)=[0-9]+ [A-Za-z]+->[A-Za-z]+ Reason=""$/ && b ~ /Undetermined->/) return "status"
  sub(/^M=[-0-9]+ P=[-0-9]+ G=[-0-9]+ /, "", sa); sub(/^M=[-0-9]+ P=[-0-9]+ G=[-0-9]+ /, "", sb)
  if (sa == sb) return "context"
  return "other"
}
{
  if ((cmd | getline b) <= 0) { print "the generations alone ended at line " NR; bad = 1; exit }
  if ($0 ~ /^M=-1 P=-1 G=-1 Sync /) gen++
  lines++
  if ($0 != b) { k = kind($0, b); n[gen, k]++; tot[k]++; if ((k == "other" || k == "context") && shown++ < 20) print "gen " gen " (" k "):\n< " $0 "\n> " b }
}
END {
  if (!bad && (cmd | getline b) > 0) { print "the generations alone have more lines"; bad = 1 }
  printf "%d lines compared: status %d, time only %d, sync %d, context %d, other %d\n", lines, tot["status"], tot["time only"], tot["sync"], tot["context"], tot["other"]
  for (g = 1; g <= gen; g++) printf "  gen %d: status %d, time only %d, sync %d, context %d, other %d\n", g, n[g,"status"], n[g,"time only"], n[g,"sync"], n[g,"context"], n[g,"other"]
  exit bad || tot["other"] + tot["context"] > 0
}' || failed=1

# 3. W=1 and W=2, wall seconds.
now() { date +%s.%N; }
for r in $(seq "$RUNS"); do
  t0=$(now); for f in $pieces; do "$bench" "$f" >/dev/null; done; t1=$(now)
  echo "$pieces" | xargs -P 2 -n 1 "$bench" >/dev/null; t2=$(now)
  t3=$(now); "$bench" "$trace" >/dev/null; t4=$(now)
  echo "$t0 $t1 $t2 $t3 $t4" | awk -v r="$r" '{printf "round %d: whole trace %.3f s; generations alone W=1 %.3f s, W=2 %.3f s\n", r, $5 - $4, $2 - $1, $3 - $2}'
done
exit $failed
