#!/bin/sh
# make-v1-bench-trace.sh OUT [MB]: writes an old-format ("go 1.21 trace")
# execution trace of about MB megabytes (default 30) to OUT, for timing the
# old-format reader against Go's (see /work/shared/tools/refbench). The trace
# is not committed: it is big and not reproducible byte for byte.
#
# The program is busy in every way the old format records: many goroutines
# on channels, mutexes and select, timers, syscalls, GC with assists,
# user tasks/regions/logs, and CPU profile samples. It stops tracing once
# the trace buffer holds MB megabytes.
#
# Go 1.21 comes from shared/tools/install-go (GO121 overrides the GOROOT).
set -eu
[ $# -ge 1 ] || { echo "usage: make-v1-bench-trace.sh OUT [MB]" >&2; exit 2; }
out=$1
mb=${2:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
GOROOT121=${GO121:-$("$SHARED/tools/install-go" 1.21 | tail -n 1)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/main.go" <<'EOF'
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// countingWriter stops the workload once limit bytes of trace were written.
type countingWriter struct {
	f     *os.File
	n     atomic.Int64
	limit int64
	full  chan struct{}
	once  sync.Once
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.n.Add(int64(len(p))) >= w.limit {
		w.once.Do(func() { close(w.full) })
	}
	return w.f.Write(p)
}

var sink atomic.Uint64

func work(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func main() {
	limit, _ := strconv.Atoi(os.Args[2])
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	w := &countingWriter{f: f, limit: int64(limit) << 20, full: make(chan struct{})}
	var prof bytes.Buffer
	pprof.StartCPUProfile(&prof)
	if err := trace.Start(w); err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	shared := map[int]int{}
	pipe := make(chan []byte, 16)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			tick := time.NewTicker(time.Duration(50+id) * time.Microsecond)
			defer tick.Stop()
			for n := 0; ; n++ {
				ctx, task := trace.NewTask(context.Background(), "job")
				trace.WithRegion(ctx, "step", func() {
					mu.Lock()
					shared[id%8] += n
					mu.Unlock()
					sink.Add(work(200 + id))
					if n%7 == 0 {
						trace.Log(ctx, "n", fmt.Sprint(n))
					}
				})
				task.End()
				select {
				case pipe <- make([]byte, 256+id*16):
				case b := <-pipe:
					sink.Add(uint64(len(b)))
				case <-tick.C:
				case <-stop:
					return
				}
				if n%32 == 0 {
					os.Getpid()
					f.Stat()
				}
			}
		}(i)
	}
	<-w.full
	close(stop)
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	f.Close()
}
EOF
cd "$tmp"
GOROOT="$GOROOT121" GO111MODULE=off GOFLAGS= CGO_ENABLED=0 "$GOROOT121/bin/go" build -o bench main.go
./bench "$out" "$mb"
printf 'make-v1-bench-trace: %s: %s bytes, header "%s"\n' "$out" "$(wc -c <"$out")" "$(head -c 13 "$out")"
