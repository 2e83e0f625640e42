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
//	goref regions [-type T] [-pc HEX] [-latmin D] [-latmax D] FILE
//
// The trace is read as cmd/trace's parseTrace does: every event goes to the
// Summarizer, and after a read error the event list is cut at the last Sync.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"internal/trace"
	"internal/trace/traceviewer"
	"io"
	"os"
	"sort"
	"strconv"
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

// regionTopStackFrame is cmd/trace's (regions.go): the last frame the start
// event's stack yields.
func regionTopStackFrame(r *trace.UserRegionSummary) trace.StackFrame {
	var frame trace.StackFrame
	if r.Start != nil && r.Start.Stack() != trace.NoStack {
		for f := range r.Start.Stack().Frames() {
			frame = f
		}
	}
	return frame
}

func frameObj(f trace.StackFrame) obj {
	return obj{"pc": f.PC, "func": f.Func, "file": f.File, "line": f.Line}
}

func region(r *trace.UserRegionSummary, goroutine trace.GoID) obj {
	return statsInto(obj{
		"task": uint64(r.TaskID), "name": r.Name, "goroutine": int64(goroutine),
		"start": evTime(r.Start), "end": evTime(r.End), "frame": frameObj(regionTopStackFrame(r)),
	}, r.GoroutineExecStats)
}

// regionDuration is cmd/trace's regionInterval(t, r).duration(): unknown
// edges are the first and last event kept.
func regionDuration(p *parsed, r *trace.UserRegionSummary) int64 {
	start, end := p.events[0].Time(), p.events[len(p.events)-1].Time()
	if r.Start != nil {
		start = r.Start.Time()
	}
	if r.End != nil {
		end = r.End.Time()
	}
	return int64(end.Sub(start))
}

// regions is what the /userregions page shows (groups by type and top
// frame, sorted by type then PC, with duration histograms) over the regions
// matching the /userregion filter, and the matching regions themselves.
func regions(p *parsed, typ *string, pc, latmin, latmax string) (any, error) {
	var conds []func(*trace.UserRegionSummary) bool
	if typ != nil {
		conds = append(conds, func(r *trace.UserRegionSummary) bool { return r.Name == *typ })
	}
	if pc != "" {
		v, err := strconv.ParseUint(pc, 16, 64)
		if err != nil {
			return nil, err
		}
		conds = append(conds, func(r *trace.UserRegionSummary) bool { return regionTopStackFrame(r).PC == v })
	}
	for i, s := range []string{latmin, latmax} {
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, err
		}
		lo := i == 0
		conds = append(conds, func(r *trace.UserRegionSummary) bool {
			if lo {
				return regionDuration(p, r) >= int64(d)
			}
			return regionDuration(p, r) <= int64(d)
		})
	}
	type group struct {
		frame trace.StackFrame
		typ   string
		hist  traceviewer.TimeHistogram
	}
	type key struct {
		frame trace.StackFrame
		typ   string
	}
	groups := map[key]*group{}
	list := []obj{}
	for _, g := range p.summary.Goroutines {
	next:
		for _, r := range g.Regions {
			for _, c := range conds {
				if !c(r) {
					continue next
				}
			}
			k := key{regionTopStackFrame(r), r.Name}
			gr := groups[k]
			if gr == nil {
				gr = &group{frame: k.frame, typ: k.typ}
				groups[k] = gr
			}
			gr.hist.Add(time.Duration(regionDuration(p, r)))
			list = append(list, region(r, g.ID))
		}
	}
	var sorted []*group
	for _, g := range groups {
		sorted = append(sorted, g)
	}
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		return a.frame.PC < b.frame.PC
	})
	out := []obj{}
	for _, g := range sorted {
		buckets := []obj{}
		for i := g.hist.MinBucket; i <= g.hist.MaxBucket && i < len(g.hist.Buckets); i++ {
			buckets = append(buckets, obj{"min": int64(g.hist.BucketMin(i)), "count": g.hist.Buckets[i]})
		}
		out = append(out, obj{"type": g.typ, "frame": frameObj(g.frame), "count": g.hist.Count, "histogram": buckets})
	}
	return obj{"groups": out, "regions": list}, nil
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
		// The quantiles the /mmu page asks for (mmu.go: 0, 0.1%, 1%, 5%).
		mud := curve.MUD(time.Duration(w), []float64{0, 1 - .999, 1 - .99, 1 - .95})
		windows = append(windows, obj{"window": w, "mmu": curve.MMU(time.Duration(w)), "worst": ex, "mud": mud})
	}
	return obj{"series": len(util), "points": points, "length": hi - lo, "windows": windows}, nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: goref goroutines|tasks|mmu|regions [flags] FILE")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	flagList := fs.String("flags", "stw,background,assist,sweep", "MMU flags")
	worst := fs.Int("worst", 5, "worst windows per window size")
	regType := fs.String("type", "", "regions: only this type")
	regPC := fs.String("pc", "", "regions: only this top frame PC (hex)")
	latmin := fs.String("latmin", "", "regions: only lasting at least this")
	latmax := fs.String("latmax", "", "regions: only lasting at most this")
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
	case "regions":
		// As the page's query, -type given (even empty) filters.
		var typ *string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "type" {
				typ = regType
			}
		})
		out, err = regions(p, typ, *regPC, *latmin, *latmax)
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
