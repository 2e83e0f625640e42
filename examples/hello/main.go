// Command hello writes a small execution trace: a few goroutines passing work
// over channels, a user task with regions and logs, and one forced GC.
//
//	go run ./examples/hello out.trace
package main

import (
	"context"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

func worker(ctx context.Context, id int, in <-chan int, out chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range in {
		trace.WithRegion(ctx, "square", func() {
			out <- v * v
		})
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	defer trace.Stop()

	ctx, task := trace.NewTask(context.Background(), "squares")
	in, out := make(chan int), make(chan int, 16)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go worker(ctx, i, in, out, &wg)
	}
	go func() {
		for i := 0; i < 20; i++ {
			in <- i
		}
		close(in)
	}()
	go func() { wg.Wait(); close(out) }()
	sum := 0
	for v := range out {
		sum += v
	}
	trace.Logf(ctx, "result", "sum=%d", sum)
	runtime.GC()
	task.End()
}
