// Command nativehistogram is the test oracle for redgen's native histograms:
// it runs client_golang's own histogram (the version Tempo vendors) the way
// Tempo's generator drives it, and prints what Tempo would write.
//
// Input on stdin: one JSON case per line,
//
//	{"mode":"native"|"both","buckets":[...],"factor":1.1,"maxBuckets":100,"minResetMs":900000,
//	 "ops":[{"t":ms,"op":"observe","v":"0.25","m":"1","trace":"<32 hex digits>"}, {"t":ms,"op":"write"}, ...]}
//
// Floats are strings (NaN and ±Inf survive). "observe" repeats the
// observation while i < m (Tempo's multiplier loop), with an exemplar when
// the trace id is not all zeros. "write" collects as Tempo does: the
// histogram's Write, then in both mode the classic bucket exemplars are
// taken and cleared (Tempo resets them after writing the classic series).
//
// Time is simulated: the histogram's clock (an unexported option, set here
// through reflection) reads the op's millisecond plus a counter of calls in
// nanoseconds, so calls within a millisecond stay ordered, and the reset
// client_golang schedules with time.AfterFunc runs when an op reaches its
// time. Output: one JSON line per case, {"writes":[...]}.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

type op struct {
	T     int64  `json:"t"`
	Op    string `json:"op"`
	V     string `json:"v"`
	M     string `json:"m"`
	Trace string `json:"trace"`
}

type testCase struct {
	Mode       string    `json:"mode"`
	Buckets    []float64 `json:"buckets"`
	Factor     float64   `json:"factor"`
	MaxBuckets uint32    `json:"maxBuckets"`
	MinResetMs int64     `json:"minResetMs"`
	Ops        []op      `json:"ops"`
}

type exemplar struct {
	Value string `json:"value"`
	Trace string `json:"trace"`
}

type bucket struct {
	Le       string    `json:"le"`
	Count    uint64    `json:"count"`
	Exemplar *exemplar `json:"exemplar,omitempty"`
}

type written struct {
	Schema         int32      `json:"schema"`
	ZeroThreshold  string     `json:"zeroThreshold"`
	ZeroCount      uint64     `json:"zeroCount"`
	Count          uint64     `json:"count"`
	Sum            string     `json:"sum"`
	PositiveSpans  [][2]int64 `json:"positiveSpans"`
	PositiveDeltas []int64    `json:"positiveDeltas"`
	NegativeSpans  [][2]int64 `json:"negativeSpans"`
	NegativeDeltas []int64    `json:"negativeDeltas"`
	CreatedMs      int64      `json:"createdMs"`
	Classic        []bucket   `json:"classic"`
	Exemplars      []exemplar `json:"exemplars"`
}

type clock struct {
	ms      int64
	calls   int64
	last    time.Time
	pending *timer
}

type timer struct {
	at time.Time
	f  func()
}

func (c *clock) now() time.Time {
	c.calls++
	c.last = time.Unix(0, c.ms*1e6+c.calls)
	return c.last
}

func (c *clock) afterFunc(d time.Duration, f func()) *time.Timer {
	c.pending = &timer{at: c.last.Add(d), f: f}
	return nil
}

// advance moves the clock to ms, first running a scheduled reset that is due by then.
func (c *clock) advance(ms int64) {
	if c.pending != nil && c.pending.at.UnixNano() <= ms*1e6+c.calls+1 {
		t := c.pending
		c.pending = nil
		c.ms = t.at.UnixNano() / 1e6
		t.f()
	}
	c.ms = ms
}

func setUnexported(opts *prometheus.HistogramOpts, name string, value any) {
	f := reflect.ValueOf(opts).Elem().FieldByName(name)
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(value))
}

func float(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(fmt.Sprintf("bad float %q", s))
	}
	return v
}

func format(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// traceLabel is Tempo's TraceIDToHexString: lowercase hex without leading zeros ("" for all zeros).
func traceLabel(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	return strings.TrimLeft(hex.EncodeToString(b), "0")
}

func run(tc testCase) []written {
	c := &clock{}
	if len(tc.Ops) > 0 {
		c.ms = tc.Ops[0].T
	}
	opts := prometheus.HistogramOpts{
		Name:                            "oracle",
		Help:                            "oracle",
		NativeHistogramBucketFactor:     tc.Factor,
		NativeHistogramMaxBucketNumber:  tc.MaxBuckets,
		NativeHistogramMinResetDuration: time.Duration(tc.MinResetMs) * time.Millisecond,
	}
	if tc.Mode == "both" {
		opts.Buckets = tc.Buckets
		opts.NativeHistogramMaxExemplars = -1
	}
	setUnexported(&opts, "now", c.now)
	setUnexported(&opts, "afterFunc", c.afterFunc)
	h := prometheus.NewHistogram(opts)
	var out []written
	for _, o := range tc.Ops {
		c.advance(o.T)
		switch o.Op {
		case "observe":
			v, m := float(o.V), float(o.M)
			label := traceLabel(o.Trace)
			for i := 0.0; i < m; i++ {
				if label == "" {
					h.Observe(v)
				} else {
					h.(prometheus.ExemplarObserver).ObserveWithExemplar(v, prometheus.Labels{"traceID": label})
				}
			}
		case "write":
			out = append(out, write(h, tc.Mode == "both"))
		default:
			panic("unknown op " + o.Op)
		}
	}
	return out
}

func write(h prometheus.Histogram, both bool) written {
	m := &dto.Metric{}
	if err := h.Write(m); err != nil {
		panic(err)
	}
	hist := m.GetHistogram()
	w := written{
		Schema:         hist.GetSchema(),
		ZeroThreshold:  format(hist.GetZeroThreshold()),
		ZeroCount:      hist.GetZeroCount(),
		Count:          hist.GetSampleCount(),
		Sum:            format(hist.GetSampleSum()),
		PositiveSpans:  spans(hist.GetPositiveSpan()),
		PositiveDeltas: orEmpty(hist.GetPositiveDelta()),
		NegativeSpans:  spans(hist.GetNegativeSpan()),
		NegativeDeltas: orEmpty(hist.GetNegativeDelta()),
		CreatedMs:      hist.GetCreatedTimestamp().AsTime().UnixNano() / 1e6,
		Classic:        []bucket{},
		Exemplars:      []exemplar{},
	}
	if both {
		// Tempo's classicHistograms: every bucket, +Inf added when client_golang left it out.
		inf := false
		for _, b := range hist.GetBucket() {
			if math.IsInf(b.GetUpperBound(), 1) {
				inf = true
			}
			cb := bucket{Le: format(b.GetUpperBound()), Count: b.GetCumulativeCount()}
			if e := b.GetExemplar(); e != nil && len(e.GetLabel()) > 0 {
				cb.Exemplar = &exemplar{Value: format(e.GetValue()), Trace: e.GetLabel()[0].GetValue()}
				e.Reset()
			}
			w.Classic = append(w.Classic, cb)
		}
		if !inf {
			w.Classic = append(w.Classic, bucket{Le: "+Inf", Count: hist.GetSampleCount()})
		}
	}
	for _, e := range hist.GetExemplars() {
		if e != nil && len(e.GetLabel()) > 0 {
			w.Exemplars = append(w.Exemplars, exemplar{Value: format(e.GetValue()), Trace: e.GetLabel()[0].GetValue()})
		}
	}
	return w
}

func spans(s []*dto.BucketSpan) [][2]int64 {
	out := [][2]int64{}
	for _, x := range s {
		out = append(out, [2]int64{int64(x.GetOffset()), int64(x.GetLength())})
	}
	return out
}

func orEmpty(d []int64) []int64 {
	if d == nil {
		return []int64{}
	}
	return d
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var tc testCase
		if err := json.Unmarshal(in.Bytes(), &tc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		line, _ := json.Marshal(map[string]any{"writes": run(tc)})
		out.Write(line)
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
