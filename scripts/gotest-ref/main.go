// gotest-ref: Go's own answer for a trace test case (.test file), printed in
// the form `gotrace test` prints, so the two can be compared byte for byte.
//
// It does what Go's TestReaderGolden does (testtrace.ParseFile, then
// testReader with a Validator whose GoVersion is the reader's), printing:
// every event's String(); on a validator finding "ERROR: <finding>" and
// "VALIDATION FAILED" (Go's test would fail there); on a reading error
// "ERROR: <message>"; then "EXPECTATION OK" or the expectation's error.
//
// internal/trace is importable only from inside GOROOT: the build script
// beside this file compiles it as cmd/gotestref through a -overlay.
//
// Usage: gotest-ref FILE.test
package main

import (
	"bufio"
	"fmt"
	"internal/trace"
	"internal/trace/testtrace"
	"io"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gotest-ref FILE.test")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1]))
}

func run(path string) int {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	tr, ver, exp, err := testtrace.ParseFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "failed to parse test file at %s: %v\n", path, err)
		return 1
	}
	v := testtrace.NewValidator()
	v.GoVersion = ver
	conclude := func(readErr error) int {
		if readErr != nil {
			fmt.Fprintf(out, "ERROR: %v\n", readErr)
		}
		if err := exp.Check(readErr); err != nil {
			fmt.Fprintln(out, err)
			return 1
		}
		fmt.Fprintln(out, "EXPECTATION OK")
		return 0
	}
	r, err := trace.NewReader(tr)
	if err != nil {
		return conclude(err)
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return conclude(nil)
		}
		if err != nil {
			return conclude(err)
		}
		fmt.Fprintln(out, ev.String())
		if err := v.Event(ev); err != nil {
			fmt.Fprintf(out, "ERROR: %v\nVALIDATION FAILED\n", err)
			return 1
		}
	}
}
