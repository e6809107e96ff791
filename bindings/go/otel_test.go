package traceprop

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// A HeaderCarrier is read as OpenTelemetry's propagators read it: by
// canonical http.Header key (Get, Values); prefixed baggage headers in any
// case. ExtractHeader matches every key case-insensitively.
func TestExtractHeaderCarrierKeys(t *testing.T) {
	for _, list := range []string{"tracecontext,baggage", "tracecontext,baggage,jaeger"} {
		p := NewPropagator(list)
		h := http.Header{"Traceparent": {tp}, "Baggage": {"a=1", "b=2"}, "baggage": {"c=3"}}
		ctx := p.Extract(context.Background(), propagation.HeaderCarrier(h))
		if got := summary(ctx); got != "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 sampled=true baggage=a=1,b=2" {
			t.Errorf("%s: %s", list, got)
		}
		if x := p.ExtractHeader(h); len(x.Baggage) != 3 {
			t.Errorf("%s: ExtractHeader read %d baggage members, want 3 (any case)", list, len(x.Baggage))
		}
		lower := http.Header{"traceparent": {tp}}
		if trace.SpanContextFromContext(p.Extract(context.Background(), propagation.HeaderCarrier(lower))).IsValid() {
			t.Errorf("%s: a non-canonical key was read from a HeaderCarrier", list)
		}
	}
	p := NewPropagator("jaeger")
	h := http.Header{"Uber-Trace-Id": {tT + ":" + tS + ":0:1"}, "uberctx-user": {"alice"}}
	if got := summary(p.Extract(context.Background(), propagation.HeaderCarrier(h))); !strings.HasSuffix(got, " baggage=user=alice") {
		t.Errorf("jaeger: %s", got)
	}
}

func injectedHeader(p propagation.TextMapPropagator, ctx context.Context) http.Header {
	h := http.Header{}
	p.Inject(ctx, propagation.HeaderCarrier(h))
	return h
}

// Inject takes the baggage Extract made from what Extract kept, and reads
// any other baggage back from OpenTelemetry.
func TestInjectBaggageAfterExtract(t *testing.T) {
	p := NewPropagator("tracecontext,baggage,jaeger")
	in := http.Header{"Traceparent": {tp}, "Baggage": {"user=alice,team=a%20b"}}
	ctx := p.Extract(context.Background(), propagation.HeaderCarrier(in))
	if got := injectedHeader(p, ctx); got.Get("Baggage") != "user=alice,team=a%20b" || got.Get("Uberctx-Team") != "a%20b" {
		t.Fatalf("extracted baggage: %v", got)
	}

	// A changed Baggage: OpenTelemetry's members are injected.
	m, _ := baggage.NewMemberRaw("team", "c d")
	bag, _ := baggage.FromContext(ctx).SetMember(m)
	got := injectedHeader(p, baggage.ContextWithBaggage(ctx, bag))
	if !equalHeaders(http.Header{"Baggage": {got.Get("Baggage")}}, http.Header{"Baggage": {"user=alice,team=c%20d"}}) ||
		got.Get("Uberctx-Team") != "c%20d" {
		t.Fatalf("changed baggage: %v", got)
	}

	// The same members in another Baggage: the same headers.
	other, _ := baggage.Parse("team=a%20b,user=alice")
	if got := injectedHeader(p, baggage.ContextWithBaggage(ctx, other)); !equalHeaders(got, injectedHeader(p, ctx)) {
		t.Fatalf("equal baggage: %v", got)
	}

	// No baggage: none written.
	if got := injectedHeader(p, baggage.ContextWithoutBaggage(ctx)); got.Get("Baggage") != "" || len(got) != 2 {
		t.Fatalf("no baggage: %v", got)
	}
}

// Members with properties, and more members than the library holds, go
// through the baggage header value.
func TestInjectBaggageAsText(t *testing.T) {
	p := NewPropagator("baggage")
	prop, _ := baggage.NewKeyValuePropertyRaw("p", "1")
	m, _ := baggage.NewMemberRaw("k", "v", prop)
	bag, _ := baggage.New(m)
	if got := injectedHeader(p, baggage.ContextWithBaggage(context.Background(), bag)).Get("Baggage"); got != "k=v;p=1" {
		t.Fatalf("properties: %q", got)
	}

	// OpenTelemetry's SetMember has no member limit; the library keeps 180.
	var b baggage.Baggage
	for i := 0; i < 200; i++ {
		m, _ := baggage.NewMemberRaw("k"+strings.Repeat("x", i), "v")
		b, _ = b.SetMember(m)
	}
	got := injectedHeader(p, baggage.ContextWithBaggage(context.Background(), b)).Get("Baggage")
	if n := strings.Count(got, ",") + 1; got == "" || n > 180 {
		t.Fatalf("200 members: %d written", n)
	}
}

// The tracestate reaches OpenTelemetry in order, built member by member
// (a few) or parsed (more); a member OpenTelemetry refuses (a Level 2 key
// starting with a digit) drops the whole tracestate, as its parser does.
func TestExtractTraceState(t *testing.T) {
	p := NewPropagator("tracecontext")
	for value, want := range map[string]string{
		"a=1,b=2":                  "a=1,b=2",
		"a=1,b=2,c=3,d=4,e=5,f=6":  "a=1,b=2,c=3,d=4,e=5,f=6",
		"a=1, a=2 ,b=3":            "a=1,b=3",
		"a=1,0abc=2":               "",
		"a=1,b=2,c=3,d=4,e=5,0f=6": "",
	} {
		h := http.Header{"Traceparent": {tp}, "Tracestate": {value}}
		if len(p.ExtractHeader(h).TraceState) == 0 {
			t.Fatalf("%q: the core dropped it", value)
		}
		sc := trace.SpanContextFromContext(p.Extract(context.Background(), propagation.HeaderCarrier(h)))
		if got := sc.TraceState().String(); !sc.IsValid() || got != want {
			t.Errorf("%q: got %q, want %q", value, got, want)
		}
	}
}

// Fields an OpenTelemetry SpanContext cannot hold (Datadog priority, origin,
// tags) pass from Extract to Inject for the same trace, not for another.
func TestInjectExtras(t *testing.T) {
	p := NewPropagator("datadog,tracecontext")
	in := http.Header{"X-Datadog-Trace-Id": {"11803532876627986230"}, "X-Datadog-Parent-Id": {"67667974448284343"},
		"X-Datadog-Sampling-Priority": {"2"}, "X-Datadog-Origin": {"rum"}, "X-Datadog-Tags": {"_dd.p.tid=4bf92f3577b34da6"}}
	ctx := p.Extract(context.Background(), propagation.HeaderCarrier(in))
	got := injectedHeader(p, ctx)
	if got.Get("X-Datadog-Sampling-Priority") != "2" || got.Get("X-Datadog-Origin") != "rum" ||
		!strings.Contains(got.Get("X-Datadog-Tags"), "_dd.p.tid=4bf92f3577b34da6") {
		t.Fatalf("same trace: %v", got)
	}
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex(tS)
	other := trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true}))
	if got := injectedHeader(p, other); got.Get("X-Datadog-Origin") != "" || got.Get("X-Datadog-Sampling-Priority") == "2" {
		t.Fatalf("another trace: %v", got)
	}
}
