package traceprop

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/contrib/propagators/ot"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Differential tests: the same input through our propagator and the real
// OpenTelemetry Go propagator of that format. Where they agree with
// SEMANTICS.md we must match; each case where we differ says why, and the
// test fails if the difference disappears (so the list stays true).

const (
	tT = "4bf92f3577b34da6a3ce929d0e0e4736"
	tS = "00f067aa0ba902b7"
)

var peers = map[string]propagation.TextMapPropagator{
	"tracecontext": propagation.TraceContext{},
	"baggage":      propagation.Baggage{},
	"b3":           b3.New(b3.WithInjectEncoding(b3.B3SingleHeader)),
	"b3multi":      b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)),
	"jaeger":       jaeger.Jaeger{},
	"ottrace":      ot.OT{},
	"xray":         xray.Propagator{},
}

// summary is what both sides are compared on after extraction.
func summary(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	out := "no context"
	if sc.IsValid() {
		out = fmt.Sprintf("%s-%s sampled=%v", sc.TraceID(), sc.SpanID(), sc.IsSampled())
		if ts := sc.TraceState().String(); ts != "" {
			out += " tracestate=" + ts
		}
	}
	var members []string
	for _, m := range baggage.FromContext(ctx).Members() {
		members = append(members, m.Key()+"="+m.Value())
	}
	sort.Strings(members)
	if len(members) > 0 {
		out += " baggage=" + strings.Join(members, ",")
	}
	return out
}

type diffCase struct {
	name    string
	format  string
	headers map[string]string
	// differs is empty when both must agree, else why we differ.
	differs string
}

var extractCases = []diffCase{
	{"tracecontext/valid", "tracecontext", map[string]string{"traceparent": "00-" + tT + "-" + tS + "-01", "tracestate": "a=1,b=2"}, ""},
	{"tracecontext/not-sampled", "tracecontext", map[string]string{"traceparent": "00-" + tT + "-" + tS + "-00"}, ""},
	{"tracecontext/uppercase", "tracecontext", map[string]string{"traceparent": "00-" + strings.ToUpper(tT) + "-" + tS + "-01"}, ""},
	{"tracecontext/version-ff", "tracecontext", map[string]string{"traceparent": "ff-" + tT + "-" + tS + "-01"}, ""},
	{"tracecontext/future-version", "tracecontext", map[string]string{"traceparent": "cc-" + tT + "-" + tS + "-01-extra"}, ""},
	{"tracecontext/zero-trace-id", "tracecontext", map[string]string{"traceparent": "00-00000000000000000000000000000000-" + tS + "-01"}, ""},
	{"tracecontext/invalid-tracestate", "tracecontext", map[string]string{"traceparent": "00-" + tT + "-" + tS + "-01", "tracestate": "a=1,B=2"}, ""},
	{"baggage/encoded", "baggage", map[string]string{"baggage": "user=Am%C3%A9lie,team=a%20b"}, ""},
	{"baggage/plus-is-literal", "baggage", map[string]string{"baggage": "k=a+b"}, ""},
	{"baggage/one-bad-member", "baggage", map[string]string{"baggage": "ok=1,bad key=2"}, ""},
	{"b3/single", "b3", map[string]string{"b3": tT + "-" + tS + "-1"}, ""},
	{"b3/single-64bit", "b3", map[string]string{"b3": "a3ce929d0e0e4736-" + tS + "-0"}, ""},
	{"b3/multi", "b3multi", map[string]string{"x-b3-traceid": tT, "x-b3-spanid": tS, "x-b3-sampled": "1"}, ""},
	{"b3/multi-sampled-true", "b3multi", map[string]string{"x-b3-traceid": tT, "x-b3-spanid": tS, "x-b3-sampled": "true"}, ""},
	{"b3/single-debug", "b3", map[string]string{"b3": tT + "-" + tS + "-d"}, ""},
	{"b3/sampling-only", "b3", map[string]string{"b3": "1"}, ""},
	{"b3/uppercase-ids", "b3multi", map[string]string{"x-b3-traceid": strings.ToUpper(tT), "x-b3-spanid": tS}, ""},
	{"jaeger/valid", "jaeger", map[string]string{"uber-trace-id": tT + ":" + tS + ":0:1"}, ""},
	{"jaeger/short-ids", "jaeger", map[string]string{"uber-trace-id": "a3ce929d0e0e4736:f067aa0ba902b7:0:1"}, ""},
	{"jaeger/percent-encoded", "jaeger", map[string]string{"uber-trace-id": tT + "%3A" + tS + "%3A0%3A1"},
		"SEMANTICS §4: a value with %3A separators is decoded first; otel-go rejects it"},
	{"jaeger/baggage", "jaeger", map[string]string{"uber-trace-id": tT + ":" + tS + ":0:1", "uberctx-user": "alice"},
		"otel-go's jaeger propagator ignores uberctx-* baggage; SEMANTICS §4 reads it"},
	{"ottrace/valid", "ottrace", map[string]string{"ot-tracer-traceid": "a3ce929d0e0e4736", "ot-tracer-spanid": tS, "ot-tracer-sampled": "true"}, ""},
	{"ottrace/128-bit", "ottrace", map[string]string{"ot-tracer-traceid": tT, "ot-tracer-spanid": tS, "ot-tracer-sampled": "false"}, ""},
	{"ottrace/baggage", "ottrace", map[string]string{"ot-tracer-traceid": tT, "ot-tracer-spanid": tS, "ot-tracer-sampled": "true", "ot-baggage-user": "alice"},
		"the core keeps an ot-baggage key as the header name spells it; Go's http.Header canonicalizes it to Ot-Baggage-User (key User), otel-go lowercases it"},
	{"xray/valid", "xray", map[string]string{"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}, ""},
	{"xray/any-order", "xray", map[string]string{"x-amzn-trace-id": "Sampled=0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793"}, ""},
	{"xray/sampled-unknown", "xray", map[string]string{"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?"}, ""},
	{"xray/missing-parent", "xray", map[string]string{"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793"}, ""},
}

func carrierOf(h map[string]string) propagation.HeaderCarrier {
	c := propagation.HeaderCarrier(http.Header{})
	for k, v := range h {
		c.Set(k, v)
	}
	return c
}

func TestDifferentialExtract(t *testing.T) {
	for _, c := range extractCases {
		t.Run(c.name, func(t *testing.T) {
			ours := summary(NewPropagator(c.format).Extract(context.Background(), carrierOf(c.headers)))
			theirs := summary(peers[c.format].Extract(context.Background(), carrierOf(c.headers)))
			switch {
			case c.differs == "" && ours != theirs:
				t.Errorf("differs from otel-go:\n ours:   %s\n theirs: %s", ours, theirs)
			case c.differs != "" && ours == theirs:
				t.Errorf("now agrees with otel-go (%s); drop the 'differs' note: %s", c.differs, ours)
			}
		})
	}
}

// What each side writes for the same context.
func injected(p propagation.TextMapPropagator, ctx context.Context) string {
	h := http.Header{}
	p.Inject(ctx, propagation.HeaderCarrier(h))
	var lines []string
	for k, v := range h {
		value := strings.Join(v, ",")
		if k == "Baggage" { // OpenTelemetry's baggage has no order
			members := strings.Split(value, ",")
			sort.Strings(members)
			value = strings.Join(members, ",")
		}
		lines = append(lines, strings.ToLower(k)+": "+value)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func remoteContext(trace128 bool, sampled bool, bag string) context.Context {
	tid, _ := trace.TraceIDFromHex(tT)
	if !trace128 {
		tid, _ = trace.TraceIDFromHex("0000000000000000a3ce929d0e0e4736")
	}
	sid, _ := trace.SpanIDFromHex(tS)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid,
		TraceFlags: trace.TraceFlags(0).WithSampled(sampled), Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), sc)
	if bag != "" {
		b, _ := baggage.Parse(bag)
		ctx = baggage.ContextWithBaggage(ctx, b)
	}
	return ctx
}

func TestDifferentialInject(t *testing.T) {
	cases := []struct {
		name, format     string
		trace128, sample bool
		bag, differs     string
	}{
		{"tracecontext", "tracecontext", true, true, "", ""},
		{"baggage", "baggage", true, true, "user=alice,team=a%20b", ""},
		{"b3-single", "b3", true, true, "", ""},
		{"b3-multi", "b3multi", true, false, "", ""},
		{"jaeger", "jaeger", true, true, "", ""},
		{"jaeger-baggage", "jaeger", true, true, "user=alice", "SEMANTICS §4: uberctx-{key} is written; otel-go writes no baggage"},
		{"ottrace-128", "ottrace", true, true, "", ""},
		{"ottrace-baggage", "ottrace", false, true, "user=alice", ""},
		{"xray", "xray", true, true, "", ""},
		{"xray-not-sampled", "xray", true, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := remoteContext(c.trace128, c.sample, c.bag)
			ours, theirs := injected(NewPropagator(c.format), ctx), injected(peers[c.format], ctx)
			switch {
			case c.differs == "" && ours != theirs:
				t.Errorf("differs from otel-go:\n ours:\n%s\n theirs:\n%s", ours, theirs)
			case c.differs != "" && ours == theirs:
				t.Errorf("now agrees with otel-go (%s); drop the 'differs' note:\n%s", c.differs, ours)
			}
		})
	}
}
