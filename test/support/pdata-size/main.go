// Command pdatasize is the test oracle for traces_spanmetrics_size_total: it
// tells the span sizes Tempo's generator measures for OTLP requests.
//
// Tempo's distributor decodes every OTLP request with the Collector's pdata
// (the version below is the one Tempo vendors), re-marshals it, and the
// generator decodes those bytes into gogo-generated types whose Size() is the
// metric. pdata's output is canonical except that it writes empty trace and
// span ids, which gogo does not count; so the Tempo size of a span is pdata's
// encoding of it, less its zero-length id fields (span and link ids).
//
// Input on stdin: requests, each as a 4-byte big-endian length and that many
// bytes of ExportTraceServiceRequest. Output: one JSON line per request,
// {"spans":[size, ...],"records":[base64 span, ...]} in request order, or
// {"error":"..."} when pdata refuses the request.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		var n uint32
		if err := binary.Read(in, binary.BigEndian, &n); err == io.EOF {
			return
		} else if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(in, buf); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		line, _ := json.Marshal(sizes(buf))
		out.Write(line)
		out.WriteByte('\n')
	}
}

type result struct {
	Spans []int `json:"spans,omitempty"`
	// Records are the spans as Tempo's distributor writes them to Kafka
	// (gogo-marshalled from pdata's decoding), one encoded Span each.
	Records [][]byte `json:"records,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// sizes decodes like Tempo's OTLP receiver (ExportRequest.UnmarshalProto, which
// also moves the deprecated instrumentation_library_spans into scope_spans).
func sizes(buf []byte) result {
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(buf); err != nil {
		return result{Error: err.Error()}
	}
	m := &ptrace.ProtoMarshaler{}
	r := result{Spans: []int{}}
	rss := req.Traces().ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				one := ptrace.NewTraces()
				spans.At(k).CopyTo(one.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty())
				b, err := m.MarshalTraces(one)
				if err != nil {
					return result{Error: err.Error()}
				}
				// TracesData{resource_spans{scope_spans{spans: span}}}: three nested field wrappers.
				span := field(field(field(b)))
				r.Spans = append(r.Spans, gogoSize(span, 13))
				r.Records = append(r.Records, gogoBytes(span, 13))
			}
		}
	}
	return r
}

// field returns the payload of the first (and only) length-delimited field of b.
func field(b []byte) []byte {
	_, p := uvarint(b, 0)
	l, p := uvarint(b, p)
	return b[p : p+int(l)]
}

// gogoBytes is msg without its zero-length fields 1, 2 and 4 (trace_id,
// span_id, parent_span_id; a link has only 1 and 2), recursing into links
// (field `links` of a span; 0 for a link itself): what gogo writes again.
func gogoBytes(msg []byte, links int) []byte {
	out := []byte{}
	for p := 0; p < len(msg); {
		start := p
		tag, q := uvarint(msg, p)
		num, wt := int(tag>>3), int(tag&7)
		var payload []byte
		switch wt {
		case 0:
			_, q = uvarint(msg, q)
		case 1:
			q += 8
		case 5:
			q += 4
		case 2:
			l, r := uvarint(msg, q)
			payload = msg[r : r+int(l)]
			q = r + int(l)
		}
		p = q
		switch {
		case wt == 2 && len(payload) == 0 && (num == 1 || num == 2 || (links != 0 && num == 4)):
		case wt == 2 && links != 0 && num == links:
			link := gogoBytes(payload, 0)
			out = binary.AppendUvarint(out, tag)
			out = binary.AppendUvarint(out, uint64(len(link)))
			out = append(out, link...)
		default:
			out = append(out, msg[start:p]...)
		}
	}
	return out
}

func gogoSize(msg []byte, links int) int {
	return len(gogoBytes(msg, links))
}

func uvarint(b []byte, p int) (uint64, int) {
	v, n := binary.Uvarint(b[p:])
	return v, p + n
}
