# The preamble the test scripts share: sourced as
#     . "$ROOT/tests/scripts/lib/common.sh"
# after ROOT is set. Not a test itself (tests/run.sh runs tests/scripts/*.sh,
# not this directory). Sets GOTRACE, SHARED (../shared beside the repository
# unless set) and tmp (a scratch directory removed on exit), and defines the
# output protocol: ok NAME, fail NAME REASON, skip NAME REASON.
GOTRACE=${GOTRACE:-build/gotrace}
ROOT=${ROOT:-.}
SHARED=${SHARED:-$ROOT/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }
