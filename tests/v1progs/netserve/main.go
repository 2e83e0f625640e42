// Command netserve writes an execution trace of a small networked program:
// a TCP echo server and an HTTP server on loopback with many clients, read
// deadlines, timers, select, sync.Cond broadcasts and nested user tasks,
// regions and logs. It stops when the trace reaches a given size.
//
//	netserve OUT.trace SIZE_MB
//
// It builds with Go 1.13 and later (no generics), so that old-format traces
// (Go 1.19, 1.21) can be made from it for tests/scripts/v1.sh.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

func echoServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		}(c)
	}
}

func echoClient(ctx context.Context, addr string, id int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	ctx, task := trace.NewTask(ctx, "echo-client")
	defer task.End()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		trace.WithRegion(ctx, "roundtrip", func() {
			fmt.Fprintf(c, "client %d message %d\n", id, i)
			if _, err := r.ReadString('\n'); err != nil {
				panic(err)
			}
		})
		if i%100 == 0 {
			trace.Log(ctx, "progress", strconv.Itoa(i))
		}
	}
}

func httpClient(ctx context.Context, url string, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-stop:
			return
		default:
		}
		_, task := trace.NewTask(ctx, "http-get")
		resp, err := client.Get(url)
		if err == nil {
			ioutil.ReadAll(resp.Body)
			resp.Body.Close()
		}
		task.End()
	}
}

// ticker wakes all waiters of a condition variable every few hundred
// microseconds; the waiters also race a timer in a select.
func ticker(cond *sync.Cond, gen *int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTimer(300 * time.Microsecond)
	for {
		select {
		case <-stop:
			cond.L.Lock()
			*gen = -1
			cond.Broadcast()
			cond.L.Unlock()
			return
		case <-t.C:
			cond.L.Lock()
			*gen++
			cond.Broadcast()
			cond.L.Unlock()
			t.Reset(300 * time.Microsecond)
		}
	}
}

func waiter(cond *sync.Cond, gen *int, wg *sync.WaitGroup) {
	defer wg.Done()
	cond.L.Lock()
	defer cond.L.Unlock()
	for *gen >= 0 {
		cond.Wait()
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: netserve OUT.trace SIZE_MB")
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go echoServer(ln)
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Microsecond)
		fmt.Fprintf(w, "hello %s\n", r.URL.Path)
	})
	go http.Serve(hl, mux)

	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "netserve")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	gen := 0
	wg.Add(1)
	go ticker(cond, &gen, stop, &wg)
	for i := 0; i < 6; i++ {
		wg.Add(3)
		go echoClient(ctx, ln.Addr().String(), i, stop, &wg)
		go httpClient(ctx, "http://"+hl.Addr().String()+"/x"+strconv.Itoa(i), stop, &wg)
		go waiter(cond, &gen, &wg)
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
	ln.Close()
	hl.Close()
}
