// Command gcpool writes an execution trace of a CPU-bound program: a worker
// pool building maps and slices under GC pressure, explicit collections,
// GOMAXPROCS changes while it runs, thousands of short-lived goroutines,
// goroutines locked to their threads, RWMutex readers and writers, and child
// processes (fork/exec and wait). It stops when the trace reaches a size.
//
//	gcpool OUT.trace SIZE_MB
//
// It builds with Go 1.13 and later (no generics), so that old-format traces
// (Go 1.19, 1.21) can be made from it for tests/scripts/v1.sh.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var keep []map[int][]byte
var keepMu sync.Mutex

func work(n int) int {
	m := make(map[int][]byte, 64)
	for i := 0; i < 64; i++ {
		m[i] = make([]byte, 256+(n*i)%2048)
	}
	keepMu.Lock()
	keep = append(keep, m)
	if len(keep) > 200 {
		keep = keep[len(keep)/2:]
	}
	keepMu.Unlock()
	return len(m)
}

func worker(ctx context.Context, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		if j%32 == 0 {
			trace.WithRegion(ctx, "job", func() { results <- work(j) })
		} else {
			results <- work(j)
		}
	}
}

func churn(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	var done int64
	for {
		select {
		case <-stop:
			return
		default:
		}
		var inner sync.WaitGroup
		for i := 0; i < 50; i++ {
			inner.Add(1)
			go func(i int) {
				defer inner.Done()
				if i%7 == 0 {
					runtime.Gosched()
				}
				atomic.AddInt64(&done, 1)
			}(i)
		}
		inner.Wait()
	}
}

func locked(stop <-chan struct{}, wg *sync.WaitGroup, rw *sync.RWMutex, shared map[int]int) {
	defer wg.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		if i%10 == 0 {
			rw.Lock()
			shared[i%100] = i
			rw.Unlock()
		} else {
			rw.RLock()
			_ = shared[i%100]
			rw.RUnlock()
		}
		if i%200 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
}

func children(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-stop:
			return
		case <-time.After(5 * time.Millisecond):
		}
		exec.Command("true").Run()
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gcpool OUT.trace SIZE_MB")
		os.Exit(2)
	}
	sizeMB, err := strconv.Atoi(os.Args[2])
	if err != nil {
		panic(err)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "gcpool")
	stop := make(chan struct{})
	var wg, workers sync.WaitGroup
	jobs := make(chan int, 16)
	results := make(chan int, 16)
	for i := 0; i < 8; i++ {
		workers.Add(1)
		go worker(ctx, jobs, results, &workers)
	}
	go func() {
		for range results {
		}
	}()
	var rw sync.RWMutex
	shared := make(map[int]int)
	wg.Add(5)
	go churn(stop, &wg)
	go locked(stop, &wg, &rw, shared)
	go locked(stop, &wg, &rw, shared)
	go children(stop, &wg)
	go func() {
		defer wg.Done()
		for j := 0; ; j++ {
			select {
			case <-stop:
				close(jobs)
				return
			case jobs <- j:
			}
		}
	}()
	procs := runtime.GOMAXPROCS(0)
	for round := 0; ; round++ {
		time.Sleep(20 * time.Millisecond)
		switch round % 10 {
		case 3:
			runtime.GC()
		case 6:
			debug.FreeOSMemory()
		case 8:
			// GOMAXPROCS changes stop the world and add and remove Ps.
			if runtime.GOMAXPROCS(0) == procs && procs > 1 {
				runtime.GOMAXPROCS(procs - 1)
			} else {
				runtime.GOMAXPROCS(procs)
			}
		}
		st, err := f.Stat()
		if err != nil {
			panic(err)
		}
		if st.Size() >= int64(sizeMB)<<20 {
			break
		}
	}
	close(stop)
	wg.Wait()
	workers.Wait()
	close(results)
	task.End()
	trace.Stop()
	f.Close()
}
