// goref: prints what Go 1.27's internal/trace analyses compute for a trace,
// in the JSON form `gotrace goroutines|tasks|mmu --json` prints, so the two
// can be compared (scripts/compare-analyses.sh).
//
// It lives at src/cmd/goref/main.go inside a linked GOROOT (internal/trace
// can only be imported from there); see the build script beside it.
//
// Usage:
//
//	goref goroutines FILE
//	goref tasks FILE
//	goref mmu [-flags stw,background,assist,sweep,perproc] [-worst N] FILE
//
// The trace is read as cmd/trace's parseTrace does: every event goes to the
// Summarizer, and after a read error the event list is cut at the last Sync.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"internal/trace"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

type parsed struct {
	events  []trace.Event
	summary *trace.Summary
}

func parse(path string) (*parsed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("failed to create trace reader: %w", err)
	}
	s := trace.NewSummarizer()
	p := new(parsed)
	valid := 0
	var readErr error
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			valid = len(p.events)
			break
		}
		if err != nil {
			readErr = err
			break
		}
		p.events = append(p.events, ev)
		s.Event(&p.events[len(p.events)-1])
		if ev.Kind() == trace.EventSync {
			valid = len(p.events)
		}
	}
	if valid == 0 {
		return nil, fmt.Errorf("failed to parse any useful part of the trace: %v", readErr)
	}
	p.summary = s.Finalize()
	p.events = p.events[:valid]
	return p, nil
}

type obj = map[string]any

func durMap(m map[string]time.Duration) obj {
	o := obj{}
	for k, v := range m {
		o[k] = int64(v)
	}
	return o
}

func statsInto(o obj, s trace.GoroutineExecStats) obj {
	o["exec_time"] = int64(s.ExecTime)
	o["sched_wait_time"] = int64(s.SchedWaitTime)
	o["syscall_time"] = int64(s.SyscallTime)
	o["syscall_block_time"] = int64(s.SyscallBlockTime)
	o["total_time"] = int64(s.TotalTime)
	o["unknown_time"] = int64(s.UnknownTime())
	o["block_time"] = durMap(s.BlockTimeByReason)
	o["range_time"] = durMap(s.RangeTime)
	return o
}

func evTime(ev *trace.Event) any {
	if ev == nil {
		return nil
	}
	return int64(ev.Time())
}

func region(r *trace.UserRegionSummary, goroutine trace.GoID) obj {
	return statsInto(obj{
		"task": uint64(r.TaskID), "name": r.Name, "goroutine": int64(goroutine),
		"start": evTime(r.Start), "end": evTime(r.End),
	}, r.GoroutineExecStats)
}

func goroutines(p *parsed) any {
	var ids []trace.GoID
	for id := range p.summary.Goroutines {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	list := []obj{}
	for _, id := range ids {
		g := p.summary.Goroutines[id]
		regions := []obj{}
		for _, r := range g.Regions {
			regions = append(regions, region(r, g.ID))
		}
		list = append(list, statsInto(obj{
			"id": int64(g.ID), "name": g.Name, "pc": g.PC,
			"creation_time": int64(g.CreationTime), "start_time": int64(g.StartTime),
			"end_time": int64(g.EndTime), "regions": regions,
		}, g.GoroutineExecStats))
	}
	return obj{"goroutines": list}
}

func tasks(p *parsed) any {
	var ids []trace.TaskID
	for id := range p.summary.Tasks {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	list := []obj{}
	for _, id := range ids {
		t := p.summary.Tasks[id]
		var parent any
		if t.Parent != nil {
			parent = uint64(t.Parent.ID)
		}
		children := []uint64{}
		for _, c := range t.Children {
			children = append(children, uint64(c.ID))
		}
		logs := []obj{}
		for _, l := range t.Logs {
			lg := l.Log()
			logs = append(logs, obj{"time": int64(l.Time()), "goroutine": int64(l.Goroutine()),
				"category": lg.Category, "message": lg.Message})
		}
		regions := []obj{}
		for _, r := range t.Regions {
			g := trace.NoGoroutine
			if r.Start != nil {
				g = r.Start.Goroutine()
			} else if r.End != nil {
				g = r.End.Goroutine()
			}
			regions = append(regions, region(r, g))
		}
		gs := []int64{}
		for g := range t.Goroutines {
			gs = append(gs, int64(g))
		}
		sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
		list = append(list, obj{
			"id": uint64(t.ID), "name": t.Name, "parent": parent, "children": children,
			"start": evTime(t.Start), "end": evTime(t.End), "logs": logs,
			"regions": regions, "goroutines": gs,
		})
	}
	return obj{"tasks": list}
}

// mmuWindows is the window list gotrace mmu prints: 1, 2, 5 times powers of
// ten from 1µs while below the trace length, then the trace length.
func mmuWindows(length int64) []int64 {
	var ws []int64
	for base := int64(1000); base > 0 && base < length; base *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if w := base * m; w < length {
				ws = append(ws, w)
			}
		}
	}
	if length > 0 {
		ws = append(ws, length)
	}
	return ws
}

func mmu(p *parsed, flagList string, worst int) (any, error) {
	names := map[string]trace.UtilFlags{
		"stw": trace.UtilSTW, "background": trace.UtilBackground, "assist": trace.UtilAssist,
		"sweep": trace.UtilSweep, "perproc": trace.UtilPerProc,
	}
	var flags trace.UtilFlags
	for _, f := range strings.Split(flagList, ",") {
		if f == "" {
			continue
		}
		v, ok := names[f]
		if !ok {
			return nil, fmt.Errorf("unknown flag %q", f)
		}
		flags |= v
	}
	util := trace.MutatorUtilizationV2(p.events, flags)
	if len(util) == 0 {
		return obj{"series": 0, "points": 0, "length": 0, "windows": []obj{}}, nil
	}
	curve := trace.NewMMUCurve(util)
	lo, hi := util[0][0].Time, util[0][len(util[0])-1].Time
	points := 0
	for _, u := range util {
		if u[0].Time < lo {
			lo = u[0].Time
		}
		if u[len(u)-1].Time > hi {
			hi = u[len(u)-1].Time
		}
		points += len(u)
	}
	windows := []obj{}
	for _, w := range mmuWindows(hi - lo) {
		ex := []obj{}
		for _, e := range curve.Examples(time.Duration(w), worst) {
			ex = append(ex, obj{"time": e.Time, "mu": e.MutatorUtil})
		}
		windows = append(windows, obj{"window": w, "mmu": curve.MMU(time.Duration(w)), "worst": ex})
	}
	return obj{"series": len(util), "points": points, "length": hi - lo, "windows": windows}, nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: goref goroutines|tasks|mmu [flags] FILE")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	flagList := fs.String("flags", "stw,background,assist,sweep", "MMU flags")
	worst := fs.Int("worst", 5, "worst windows per window size")
	fs.Parse(os.Args[2:])
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "goref: one trace file expected")
		os.Exit(2)
	}
	p, err := parse(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "goref:", err)
		os.Exit(1)
	}
	var out any
	switch cmd {
	case "goroutines":
		out = goroutines(p)
	case "tasks":
		out = tasks(p)
	case "mmu":
		out, err = mmu(p, *flagList, *worst)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goref:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "goref:", err)
		os.Exit(1)
	}
}
