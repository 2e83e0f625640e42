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
// With -validate it instead reads a binary trace and prints the
// validator's findings as `gotrace validate` does: "event N (time T): MSG"
// (later lines of MSG indented by four spaces), then a count, or
// "OK: N events".
//
// Usage: gotest-ref FILE.test | gotest-ref -validate FILE.trace
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"internal/trace"
	"internal/trace/testtrace"
	"internal/trace/version"
	"io"
	"os"
	"strings"
)

func main() {
	switch {
	case len(os.Args) == 2:
		os.Exit(run(os.Args[1]))
	case len(os.Args) == 3 && os.Args[1] == "-validate":
		os.Exit(validate(os.Args[2]))
	}
	fmt.Fprintln(os.Stderr, "usage: gotest-ref FILE.test | gotest-ref -validate FILE.trace")
	os.Exit(2)
}

func validate(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	ver, err := version.ReadHeader(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	v := testtrace.NewValidator()
	v.GoVersion = ver
	var n, bad int
	for ; ; n++ {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			if bad > 0 {
				fmt.Fprintf(out, "%d inconsistent event%s out of %d\n", bad, plural(bad), n)
			}
			out.Flush()
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := v.Event(ev); err != nil {
			fmt.Fprintf(out, "event %d (time %d): %s\n", n, ev.Time(), strings.ReplaceAll(err.Error(), "\n", "\n    "))
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(out, "%d inconsistent event%s out of %d\n", bad, plural(bad), n)
		return 1
	}
	fmt.Fprintf(out, "OK: %d events\n", n)
	return 0
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
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
