package traceprop

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/contrib/propagators/ot"
	"go.opentelemetry.io/otel/propagation"
)

// A realistic incoming request: 15 headers, 3 of them for tracing.
func requestHeaders() http.Header {
	return http.Header{
		"Accept":            {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Encoding":   {"gzip, deflate, br"},
		"Accept-Language":   {"en-US,en;q=0.9,fr;q=0.8"},
		"Authorization":     {"Bearer " + strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 8)},
		"Cache-Control":     {"no-cache"},
		"Connection":        {"keep-alive"},
		"Content-Type":      {"application/json"},
		"Cookie":            {"session=" + strings.Repeat("0123456789abcdef", 16) + "; theme=dark; lang=en"},
		"User-Agent":        {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"},
		"X-Forwarded-For":   {"203.0.113.195, 70.41.3.18, 150.172.238.178"},
		"X-Forwarded-Proto": {"https"},
		"X-Request-Id":      {"f058ebd6-02f7-4d3f-942e-904344e8cde5"},
		"Traceparent":       {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		"Tracestate":        {"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
		"Baggage":           {"userId=alice,serverNode=DF%2028,isProduction=false"},
	}
}

// The same formats on both sides.
var benchConfigs = []struct {
	name string
	ours string
	otel propagation.TextMapPropagator
}{
	{"tracecontext+baggage", "tracecontext,baggage",
		propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})},
	{"tracecontext+baggage+b3", "tracecontext,baggage,b3",
		propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}, b3.New())},
	{"six-formats", "tracecontext,baggage,b3,jaeger,ottrace,xray",
		propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}, b3.New(),
			jaeger.Jaeger{}, ot.OT{}, xray.Propagator{})},
}

func BenchmarkExtract(b *testing.B) {
	carrier := propagation.HeaderCarrier(requestHeaders())
	for _, c := range benchConfigs {
		ours := NewPropagator(c.ours)
		for _, side := range []struct {
			name string
			p    propagation.TextMapPropagator
		}{{"traceprop", ours}, {"otel-go", c.otel}} {
			b.Run(c.name+"/"+side.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					side.p.Extract(context.Background(), carrier)
				}
			})
		}
	}
}

func BenchmarkInject(b *testing.B) {
	for _, c := range benchConfigs {
		ours := NewPropagator(c.ours)
		ctx := ours.Extract(context.Background(), propagation.HeaderCarrier(requestHeaders()))
		for _, side := range []struct {
			name string
			p    propagation.TextMapPropagator
		}{{"traceprop", ours}, {"otel-go", c.otel}} {
			b.Run(c.name+"/"+side.name, func(b *testing.B) {
				b.ReportAllocs()
				h := http.Header{}
				for b.Loop() {
					clear(h)
					side.p.Inject(ctx, propagation.HeaderCarrier(h))
				}
			})
		}
	}
}

// ExtractHeader: the native API, every field reported.
func BenchmarkExtractHeader(b *testing.B) {
	h := requestHeaders()
	p := NewPropagator("tracecontext,baggage,b3")
	b.ReportAllocs()
	for b.Loop() {
		p.ExtractHeader(h)
	}
}
