package traceprop

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func TestErrorsCarryStableCodes(t *testing.T) {
	_, err := ParseTraceID(strings.ToUpper("4bf92f3577b34da6a3ce929d0e0e4736"))
	var e *Error
	if !errors.As(err, &e) || e.Code != 3 || e.Name != "invalid_hex" || !errors.Is(err, ErrInvalidHex) {
		t.Fatalf("got %#v", err)
	}
	if _, err := ParseSpanID("0000000000000000"); !errors.Is(err, ErrZeroID) {
		t.Fatalf("zero span id: %v", err)
	}
	if _, err := ParseTraceID("\xff"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	if _, err := ParseTraceState("a=1,B=2"); err == nil {
		t.Fatal("invalid tracestate accepted")
	}
}

func TestHostileHeaders(t *testing.T) {
	p := NewPropagator("tracecontext,baggage,b3,jaeger,ottrace,datadog,xray")
	huge := strings.Repeat("a", 1<<20)
	h := http.Header{}
	for _, name := range []string{"Traceparent", "Tracestate", "Baggage", "B3", "Uber-Trace-Id", "X-Amzn-Trace-Id", "Uberctx-K", "Ot-Baggage-K"} {
		h[name] = []string{huge}
	}
	if x := p.ExtractHeader(h); x.Valid || len(x.Rejected) == 0 {
		t.Fatalf("1 MiB headers: valid=%v rejected=%v", x.Valid, x.Rejected)
	}

	var members []string
	for i := 0; i < 10000; i++ {
		members = append(members, "k"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+"="+"v")
	}
	x := p.ExtractHeader(http.Header{"Traceparent": {tp}, "Baggage": {strings.Join(members, ",")}})
	if !x.Valid || len(x.Baggage) == 0 || len(x.Baggage) > 180 {
		t.Fatalf("10,000 members: valid=%v members=%d", x.Valid, len(x.Baggage))
	}

	// Invalid UTF-8 makes its format invalid; a bad name is ignored.
	x = p.ExtractHeader(http.Header{"Traceparent": {tp[:54] + "\xff"}})
	if x.Valid || len(x.Rejected) != 1 || x.Rejected[0].Format != TraceContext {
		t.Fatalf("invalid UTF-8 value: %+v", x)
	}
	x = p.ExtractLines([][2]string{{"traceparent\xff", tp}, {"baggage", "k=\xc3"}, {"baggage", "ok=1"}})
	if x.Valid || len(x.Baggage) != 1 || x.Baggage[0].Key != "ok" {
		t.Fatalf("invalid UTF-8 name/baggage: %+v", x)
	}

	// Empty and nil carriers.
	if x := p.ExtractHeader(nil); x.Valid || x.Baggage != nil {
		t.Fatalf("nil header: %+v", x)
	}
	ctx := p.Extract(context.Background(), propagation.MapCarrier{})
	if trace.SpanContextFromContext(ctx).IsValid() {
		t.Fatal("context from an empty carrier")
	}
}

func TestInjectHostileValues(t *testing.T) {
	p := NewPropagator("tracecontext,baggage,ottrace")
	h := http.Header{}
	// An invalid context writes only the baggage; a raw value with CR/LF
	// never becomes its own header line.
	p.InjectHeader(Propagation{Baggage: []BaggageMember{{Key: "k", Value: "v\r\nX-Evil: 1"}}}, h)
	if len(h) != 1 || h.Get("Baggage") != "k=v%0D%0AX-Evil:%201" {
		t.Fatalf("got %v", h)
	}
	// Invalid UTF-8 in a field: nothing is written.
	h = http.Header{}
	ctx := SpanContext{TraceID: TraceID{15: 1}, SpanID: SpanID{7: 1}, Origin: "\xff"}
	p.InjectHeader(Propagation{Context: ctx}, h)
	if len(h) != 0 {
		t.Fatalf("invalid UTF-8 origin: %v", h)
	}
}

// The library is stateless: goroutines extracting and injecting at once get
// what one goroutine gets (run with -race).
func TestConcurrentUse(t *testing.T) {
	p := NewPropagator("tracecontext,baggage,b3,datadog,jaeger")
	in := http.Header{"Traceparent": {tp}, "Tracestate": {"a=1"}, "Baggage": {"user=alice,team=a%20b"}}
	want := http.Header{}
	p.InjectHeader(p.ExtractHeader(in).Propagation(), want)
	otelWant := http.Header{}
	p.Inject(p.Extract(context.Background(), propagation.HeaderCarrier(in)), propagation.HeaderCarrier(otelWant))
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				got := http.Header{}
				p.InjectHeader(p.ExtractHeader(in).Propagation(), got)
				otelGot := http.Header{}
				ctx := p.Extract(context.Background(), propagation.HeaderCarrier(in))
				p.Inject(ctx, propagation.HeaderCarrier(otelGot))
				if !equalHeaders(got, want) || !equalHeaders(otelGot, otelWant) || baggage.FromContext(ctx).Len() != 2 {
					errs <- "mismatch"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if len(want) != 11 {
		t.Fatalf("expected 11 headers, got %v", want)
	}
}

// equalHeaders compares two header sets; the members of a Baggage value
// in any order (OpenTelemetry's baggage is unordered).
func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		x, y := strings.Join(v, "\n"), strings.Join(b[k], "\n")
		if k == "Baggage" {
			xs, ys := strings.Split(x, ","), strings.Split(y, ",")
			sort.Strings(xs)
			sort.Strings(ys)
			x, y = strings.Join(xs, ","), strings.Join(ys, ",")
		}
		if x != y {
			return false
		}
	}
	return true
}
