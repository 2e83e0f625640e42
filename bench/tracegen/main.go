// Command tracegen writes a busy execution trace of about a given size, for
// benchmarks: many goroutines, channels, mutexes, syscalls (pipes, files,
// sleeps), GC pressure and deep stacks, with user tasks and regions.
//
//	tracegen OUT.trace SIZE_MB
//
// It builds with every Go from 1.11 on (no generics, no newer APIs), so that
// the same workload can be traced in the old and the new formats.
package main

import (
	"context"
	"fmt"
	"io/ioutil"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

var sink [][]byte
var sinkMu sync.Mutex

func deep(n int, f func()) {
	if n == 0 {
		f()
		return
	}
	deep(n-1, f)
}

func allocate(n int) {
	b := make([]byte, 1024+n%4096)
	sinkMu.Lock()
	sink = append(sink, b)
	if len(sink) > 2000 {
		sink = sink[:0]
	}
	sinkMu.Unlock()
}

func pipeline(ctx context.Context, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	a, b := make(chan int), make(chan int, 4)
	go func() {
		for v := range a {
			deep(v%40, func() { allocate(v) })
			b <- v
		}
		close(b)
	}()
	go func() {
		i := 0
		for {
			select {
			case <-stop:
				close(a)
				return
			case a <- i:
				i++
			}
		}
	}()
	for v := range b {
		if v%64 == 0 {
			trace.WithRegion(ctx, "tick", func() { runtime.Gosched() })
		}
	}
}

func syscalls(stop <-chan struct{}, wg *sync.WaitGroup, dir string, id int) {
	defer wg.Done()
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	path := dir + "/f" + strconv.Itoa(id)
	for i := 0; ; i++ {
		select {
		case <-stop:
			w.Close()
			return
		default:
		}
		w.Write([]byte("ping"))
		if i%50 == 0 {
			ioutil.WriteFile(path, []byte(strconv.Itoa(i)), 0o644)
			time.Sleep(50 * time.Microsecond)
		}
	}
}

func contention(stop <-chan struct{}, wg *sync.WaitGroup, mu *sync.Mutex, counter *int) {
	defer wg.Done()
	for {
		select {
		case <-stop:
			return
		default:
		}
		mu.Lock()
		*counter++
		deep(*counter%20, func() {})
		mu.Unlock()
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tracegen OUT.trace SIZE_MB")
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
	dir, err := ioutil.TempDir("", "tracegen")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "bench")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	counter := 0
	for i := 0; i < 8; i++ {
		wg.Add(3)
		go pipeline(ctx, stop, &wg)
		go syscalls(stop, &wg, dir, i)
		go contention(stop, &wg, &mu, &counter)
	}
	for {
		time.Sleep(20 * time.Millisecond)
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
	task.End()
	trace.Stop()
	f.Close()
}
