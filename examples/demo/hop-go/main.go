// The demo's Go hop: net/http with the OpenTelemetry Go SDK, using the
// traceprop propagator (the Go binding) as its TextMapPropagator.
//
//	hop-go <port> [next-hop-url]
//
// GET /hop extracts `tracecontext,baggage` (what the Python hop sends),
// starts a child span with the SDK's tracer, and calls the next hop with
// `xray,baggage` headers (an AWS-flavoured service). It answers
// {"spans": [its span, ...the next hop's spans]}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	traceprop "github.com/libtraceprop/libtraceprop/bindings/go"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

var (
	extractWith = traceprop.NewPropagator("tracecontext,baggage")
	injectWith  = traceprop.NewPropagator("xray,baggage")
	tracer      = sdktrace.NewTracerProvider().Tracer("demo-go")
)

func tracingHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		name := strings.ToLower(k)
		switch {
		case name == "traceparent", name == "tracestate", name == "baggage", name == "x-amzn-trace-id",
			strings.HasPrefix(name, "x-b3-"), strings.HasPrefix(name, "x-datadog-"):
			out[name] = h.Get(k)
		}
	}
	return out
}

func hop(next string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := extractWith.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		parent := trace.SpanContextFromContext(ctx)
		ctx, span := tracer.Start(ctx, "hop", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		sc := span.SpanContext()
		record := map[string]any{
			"service": "go", "language": "go",
			"trace_id": sc.TraceID().String(), "span_id": sc.SpanID().String(),
			"parent_id": nil, "received": tracingHeaders(r.Header),
		}
		if parent.IsValid() {
			record["parent_id"] = parent.SpanID().String()
		}
		spans := []any{record}
		if next != "" {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, next, nil)
			injectWith.Inject(ctx, propagation.HeaderCarrier(req.Header))
			record["sent"] = tracingHeaders(req.Header)
			var downstream struct {
				Spans []any `json:"spans"`
			}
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				err = json.NewDecoder(resp.Body).Decode(&downstream)
				resp.Body.Close()
			}
			if err != nil {
				spans = append(spans, map[string]any{"error": fmt.Sprintf("go -> %s: %v", next, err)})
			}
			spans = append(spans, downstream.Spans...)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"spans": spans})
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hop-go <port> [next-hop-url]")
		os.Exit(2)
	}
	next := ""
	if len(os.Args) > 2 {
		next = os.Args[2]
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) })
	http.HandleFunc("/hop", hop(next))
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
