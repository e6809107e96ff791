// A net/http service that uses libtraceprop as its OpenTelemetry
// propagator: it extracts the caller's trace context in any configured
// format and shows the headers it would send downstream.
//
//	go run . -addr 127.0.0.1:8080 -propagators tracecontext,b3,datadog
//	curl -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' 127.0.0.1:8080/
//
// `go run . -selftest` starts the service on a loopback port, sends it one
// request and checks the answer (make go-test runs it).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	traceprop "github.com/libtraceprop/libtraceprop/bindings/go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

type answer struct {
	TraceID    string            `json:"trace_id"`
	SpanID     string            `json:"span_id"`
	Sampled    bool              `json:"sampled"`
	Baggage    map[string]string `json:"baggage"`
	Downstream map[string]string `json:"downstream_headers"`
}

func handler(w http.ResponseWriter, r *http.Request) {
	prop := otel.GetTextMapPropagator()
	ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	sc := trace.SpanContextFromContext(ctx)
	a := answer{Baggage: map[string]string{}, Downstream: map[string]string{}}
	if sc.IsValid() {
		a.TraceID, a.SpanID, a.Sampled = sc.TraceID().String(), sc.SpanID().String(), sc.IsSampled()
	}
	for _, m := range baggage.FromContext(ctx).Members() {
		a.Baggage[m.Key()] = m.Value()
	}
	// A real service would start a span here and call another service
	// with these headers.
	out := http.Header{}
	prop.Inject(ctx, propagation.HeaderCarrier(out))
	for k := range out {
		a.Downstream[k] = out.Get(k)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

func selftest(ln net.Listener) error {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	req.Header.Set("X-Datadog-Trace-Id", "11803532876627986230")
	req.Header.Set("X-Datadog-Parent-Id", "67667974448284343")
	req.Header.Set("X-Datadog-Sampling-Priority", "1")
	req.Header.Set("X-Datadog-Tags", "_dd.p.tid=4bf92f3577b34da6")
	req.Header.Set("Baggage", "user=alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return err
	}
	want := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if a.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || a.Downstream["Traceparent"] != want || a.Baggage["user"] != "alice" {
		return fmt.Errorf("unexpected answer %+v", a)
	}
	fmt.Printf("selftest ok: datadog in, traceparent out: %s\n", a.Downstream["Traceparent"])
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	list := flag.String("propagators", "tracecontext,baggage,b3,datadog", "formats, OTEL_PROPAGATORS syntax")
	test := flag.Bool("selftest", false, "serve on a loopback port, send one request, check it, exit")
	flag.Parse()

	p := traceprop.NewPropagator(*list)
	if len(p.Unknown()) > 0 {
		log.Printf("ignoring unknown propagators %v", p.Unknown())
	}
	otel.SetTextMapPropagator(p)

	if *test {
		*addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(handler)}
	if *test {
		go func() { _ = srv.Serve(ln) }()
		err := selftest(ln)
		_ = srv.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	log.Printf("listening on %s with %v", ln.Addr(), p.Formats())
	log.Fatal(srv.Serve(ln))
}
