package traceprop

/*
#include "traceprop_go.h"
*/
import "C"

import (
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"unsafe"
)

// Policy picks the winning format when several yield a valid context.
type Policy uint32

const (
	// Last is OpenTelemetry's composite rule: the last listed valid format wins.
	Last Policy = C.TRACEPROP_POLICY_LAST
	// First is Datadog's rule: the first listed valid format wins.
	First Policy = C.TRACEPROP_POLICY_FIRST
)

// Propagator is a configured list of formats. It is immutable and safe for
// concurrent use, and implements go.opentelemetry.io/otel/propagation.TextMapPropagator.
type Propagator struct {
	config  C.traceprop_config
	unknown []string
	// What extraction reads: lowercase names by length, and name prefixes.
	names    [32][]string
	prefixes []string
	// Canonical http.Header keys of every known header name (lowercase ->
	// canonical), so injecting allocates no key.
	canonical map[string]string
	lower     map[string]string
	fields    []string
}

// NewPropagator configures the formats in list, in OTEL_PROPAGATORS syntax
// ("tracecontext,b3,datadog"): names are trimmed, case-insensitive and
// de-duplicated, "none" anywhere means no format, "" means
// "tracecontext,baggage". Unknown names are skipped: see Unknown.
func NewPropagator(list string) *Propagator {
	p := &Propagator{canonical: map[string]string{}, lower: map[string]string{}}
	a := getArena()
	defer putArena(a)
	a.reserveIn(0, len(list)+64)
	v := a.put(list)
	C.traceprop_config_parse(v.ptr, v.len, &p.config)
	var count C.size_t
	if C.traceprop_config_unknown_names(v.ptr, v.len, nil, 0, &count) == C.TRACEPROP_RESULT_BUFFER_TOO_SMALL {
		views := make([]C.traceprop_str, int(count))
		C.traceprop_config_unknown_names(v.ptr, v.len, &views[0], count, &count)
		for _, u := range views {
			p.unknown = append(p.unknown, goString(u))
		}
	}
	for i := 0; i < C.TRACEPROP_HEADER_COUNT; i++ {
		name := C.GoString(C.traceprop_header_name(C.size_t(i)))
		p.canonical[name] = textproto.CanonicalMIMEHeaderKey(name)
		p.lower[name] = name
		if p.reads(a, name) && len(name) < len(p.names) {
			p.names[len(name)] = append(p.names[len(name)], name)
		}
	}
	for i := 0; i < C.TRACEPROP_HEADER_PREFIX_COUNT; i++ {
		prefix := C.GoString(C.traceprop_header_prefix(C.size_t(i)))
		if p.reads(a, prefix+"key") {
			p.prefixes = append(p.prefixes, prefix)
		}
	}
	p.fields = p.sampleFields()
	return p
}

func (p *Propagator) reads(a *arena, name string) bool {
	a.used = 0
	v := a.put(name)
	return bool(C.traceprop_config_reads(&p.config, v.ptr, v.len))
}

// WithPolicy returns a copy of p with another policy.
func (p *Propagator) WithPolicy(policy Policy) *Propagator {
	q := *p
	q.config.policy = C.uint32_t(policy)
	return &q
}

// Formats lists the configured formats, in order.
func (p *Propagator) Formats() []Format {
	out := make([]Format, int(p.config.formats_len))
	for i := range out {
		out[i] = Format(p.config.formats[i])
	}
	return out
}

// Unknown lists the names of the configuration string that were skipped.
func (p *Propagator) Unknown() []string { return p.unknown }

// wants reports whether extraction reads header name (any case).
func (p *Propagator) wants(name string) bool {
	if len(name) < len(p.names) {
		for _, n := range p.names[len(name)] {
			if strings.EqualFold(n, name) {
				return true
			}
		}
	}
	for _, prefix := range p.prefixes {
		if len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

var (
	defaultOnce sync.Once
	defaultProp *Propagator
)

// Default is the propagator configured by the OTEL_PROPAGATORS environment
// variable ("tracecontext,baggage" when unset), read once.
func Default() *Propagator {
	defaultOnce.Do(func() { defaultProp = NewPropagator(os.Getenv("OTEL_PROPAGATORS")) })
	return defaultProp
}

// Extract extracts from h with the Default propagator.
func Extract(h http.Header) Extraction { return Default().ExtractHeader(h) }

// Inject writes prop into h with the Default propagator.
func Inject(prop Propagation, h http.Header) { Default().InjectHeader(prop, h) }

// headerSource is something extraction can walk: header lines by name.
type headerSource interface {
	each(f func(name, value string))
}

type httpHeaders http.Header

func (h httpHeaders) each(f func(name, value string)) {
	for k, vs := range h {
		for _, v := range vs {
			f(k, v)
		}
	}
}

// run copies the headers p reads from src into the arena and extracts: one
// cgo call (two when the decoded text outgrows the arena).
func (p *Propagator) run(a *arena, src headerSource) {
	n, size := 0, 0
	src.each(func(name, value string) {
		if p.wants(name) {
			n++
			size += len(name) + len(value)
		}
	})
	a.reserveIn(n, size)
	var headers []C.traceprop_header
	if n > 0 {
		headers = unsafe.Slice(a.c.headers, n)
	}
	i := 0
	src.each(func(name, value string) {
		if i < n && p.wants(name) {
			headers[i] = C.traceprop_header{name: a.put(name), value: a.put(value)}
			i++
		}
	})
	r := C.tp_go_extract(&p.config, a.c, C.size_t(i))
	if r == C.TRACEPROP_RESULT_BUFFER_TOO_SMALL {
		a.growOut(int(a.c.out_needed))
		r = C.tp_go_decode(a.c)
	}
	if r != C.TRACEPROP_RESULT_OK {
		// Only a library bug gets here: the arguments are built above.
		panic(newError(r))
	}
}

// ExtractHeader extracts a context, tracestate and baggage from h. Bad
// input never fails: a malformed format is listed in Rejected.
func (p *Propagator) ExtractHeader(h http.Header) Extraction {
	a := getArena()
	defer putArena(a)
	p.run(a, httpHeaders(h))
	return a.extraction()
}

type lines [][2]string

func (l lines) each(f func(name, value string)) {
	for _, kv := range l {
		f(kv[0], kv[1])
	}
}

// ExtractLines is ExtractHeader for header lines in order, as
// {name, value} pairs (names in any case; a name may repeat): gRPC
// metadata, raw HTTP/1 lines, a message queue's headers.
func (p *Propagator) ExtractLines(headers [][2]string) Extraction {
	a := getArena()
	defer putArena(a)
	p.run(a, lines(headers))
	return a.extraction()
}

func (a *arena) context(c *C.traceprop_context) SpanContext {
	ctx := SpanContext{
		TraceID:                 TraceID(*(*[16]byte)(unsafe.Pointer(&c.trace_id.bytes))),
		SpanID:                  SpanID(*(*[8]byte)(unsafe.Pointer(&c.span_id.bytes))),
		Sampled:                 Sampling(c.sampled),
		Debug:                   bool(c.debug),
		Random:                  bool(c.random),
		HasSamplingPriority:     bool(c.has_sampling_priority),
		SamplingPriority:        int32(c.sampling_priority),
		DatadogTags:             goString(c.dd_tags),
		DatadogTagsInTraceState: c.dd_tags_syntax == C.TRACEPROP_DD_TAGS_TRACESTATE,
		XRayExtra:               goString(c.xray_extra),
		SW8:                     goString(c.sw8),
	}
	if c == &a.c.x.context {
		ctx.Origin = goString(a.c.origin)
	}
	return ctx
}

func (a *arena) extraction() Extraction {
	x := &a.c.x
	out := Extraction{Valid: bool(x.has_context), Conflict: bool(x.conflict)}
	if out.Valid {
		out.Context = a.context(&x.context)
		out.Source = Format(x.source)
	}
	if n := int(x.matched_len); n > 0 {
		out.Matched = make([]Format, n)
		for i := range out.Matched {
			out.Matched[i] = Format(x.matched[i].format)
		}
	}
	for i := 0; i < int(x.rejected_len); i++ {
		out.Rejected = append(out.Rejected, Rejection{Format(x.rejected[i].format), newError(x.rejected[i].error)})
	}
	if x.tracestate_error != C.TRACEPROP_RESULT_OK {
		out.TraceStateErr = newError(x.tracestate_error)
	}
	if n := int(x.tracestate_len); n > 0 {
		out.TraceState = make([]TraceStateMember, n)
		for i := range out.TraceState {
			out.TraceState[i] = TraceStateMember{goString(x.tracestate[i].key), goString(x.tracestate[i].value)}
		}
	}
	if n := int(x.baggage_len); n > 0 {
		out.Baggage = make([]BaggageMember, n)
		for i := range out.Baggage {
			out.Baggage[i] = BaggageMember{goString(x.baggage[i].key), goString(a.c.values[i]), goString(a.c.props[i])}
		}
	}
	return out
}

// setContext copies ctx into the arena's propagation (strings into the
// input buffer, which must have room for them).
func (a *arena) setContext(ctx *SpanContext) {
	c := &a.c.p.context
	*c = C.traceprop_context{}
	c.trace_id.bytes = *(*[16]C.uint8_t)(unsafe.Pointer(&ctx.TraceID))
	c.span_id.bytes = *(*[8]C.uint8_t)(unsafe.Pointer(&ctx.SpanID))
	c.sampled = C.int8_t(ctx.Sampled)
	c.debug = C.bool(ctx.Debug)
	c.random = C.bool(ctx.Random)
	c.has_sampling_priority = C.bool(ctx.HasSamplingPriority)
	c.sampling_priority = C.int32_t(ctx.SamplingPriority)
	if ctx.Origin != "" {
		c.origin = a.put(ctx.Origin)
	}
	if ctx.DatadogTags != "" {
		c.dd_tags_syntax = C.TRACEPROP_DD_TAGS_HEADER
		if ctx.DatadogTagsInTraceState {
			c.dd_tags_syntax = C.TRACEPROP_DD_TAGS_TRACESTATE
		}
		c.dd_tags = a.put(ctx.DatadogTags)
	}
	c.xray_extra = a.put(ctx.XRayExtra)
	c.sw8 = a.put(ctx.SW8)
}

func contextSize(ctx *SpanContext) int {
	return len(ctx.Origin) + len(ctx.DatadogTags) + len(ctx.XRayExtra) + len(ctx.SW8)
}

// inject runs the arena's propagation through the library and calls set
// for every header: one cgo call, a second one when the output outgrows
// the arena. tracestate/baggage, when not "", are header values to parse.
func (p *Propagator) inject(a *arena, tracestate, baggage C.traceprop_str, set func(name, value string)) {
	r := C.tp_go_inject(&p.config, a.c, tracestate, baggage)
	if r == C.TRACEPROP_RESULT_BUFFER_TOO_SMALL {
		a.growOut(int(a.c.out_len))
		a.growInjected(int(a.c.injected_len))
		r = C.tp_go_inject(&p.config, a.c, tracestate, baggage)
	}
	if r != C.TRACEPROP_RESULT_OK {
		return // an invalid field of the caller's: nothing is written
	}
	headers := unsafe.Slice(a.c.injected, int(a.c.injected_len))
	for _, h := range headers {
		set(view(h.name), goString(h.value))
	}
}

// InjectHeader writes prop into h in every configured format; a format
// that cannot write it (no valid context) writes nothing.
func (p *Propagator) InjectHeader(prop Propagation, h http.Header) {
	p.InjectFunc(prop, func(name, value string) { h[p.canonicalKey(name)] = []string{value} })
}

// InjectFunc is InjectHeader for any destination: set is called once per
// header with a lowercase name.
func (p *Propagator) InjectFunc(prop Propagation, set func(name, value string)) {
	a := getArena()
	defer putArena(a)
	size := contextSize(&prop.Context)
	for _, m := range prop.TraceState {
		size += len(m.Key) + len(m.Value)
	}
	for _, m := range prop.Baggage {
		size += len(m.Key) + len(m.Value) + len(m.Properties)
	}
	a.reserveIn(0, size)
	a.setContext(&prop.Context)
	ts := unsafe.Slice(&a.c.ts[0], len(a.c.ts))
	a.c.p.tracestate, a.c.p.tracestate_len = &a.c.ts[0], C.size_t(min(len(prop.TraceState), len(ts)))
	for i, m := range prop.TraceState[:int(a.c.p.tracestate_len)] {
		ts[i] = C.traceprop_tracestate_member{key: a.put(m.Key), value: a.put(m.Value)}
	}
	bag := unsafe.Slice(&a.c.bag[0], len(a.c.bag))
	a.c.p.baggage, a.c.p.baggage_len = &a.c.bag[0], C.size_t(min(len(prop.Baggage), len(bag)))
	for i, m := range prop.Baggage[:int(a.c.p.baggage_len)] {
		bag[i] = C.traceprop_baggage_member{key: a.put(m.Key), value: a.put(m.Value),
			encoding: C.TRACEPROP_ENCODING_RAW, properties: a.put(m.Properties)}
	}
	p.inject(a, C.traceprop_str{}, C.traceprop_str{}, func(name, value string) {
		set(p.internedName(name), value)
	})
}

// internedName is name (from C memory) as a Go string, without allocating
// for the known header names.
func (p *Propagator) internedName(name string) string {
	if k, ok := p.lower[name]; ok {
		return k
	}
	return strings.Clone(name)
}

// canonicalKey is name (from C memory) as an http.Header key, without
// allocating for known names.
func (p *Propagator) canonicalKey(name string) string {
	if k, ok := p.canonical[name]; ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(strings.Clone(name))
}

// sampleFields lists the header names this configuration injects for a
// context with every field set (prefixed baggage headers excluded).
func (p *Propagator) sampleFields() []string {
	ctx := SpanContext{TraceID: TraceID{15: 1}, SpanID: SpanID{7: 1}, Sampled: Sampled,
		HasSamplingPriority: true, SamplingPriority: 1, Origin: "o"}
	h := http.Header{}
	p.InjectHeader(Propagation{Context: ctx, TraceState: []TraceStateMember{{"k", "v"}},
		Baggage: []BaggageMember{{Key: "k", Value: "v"}}}, h)
	var fields []string
	for i := 0; i < C.TRACEPROP_HEADER_COUNT; i++ {
		name := C.GoString(C.traceprop_header_name(C.size_t(i)))
		if _, ok := h[p.canonical[name]]; ok {
			fields = append(fields, name)
		}
	}
	return fields
}

// ParseTraceState parses a W3C tracestate value (Trace Context Level 2:
// any invalid member, or more than 32, rejects the whole value).
func ParseTraceState(value string) ([]TraceStateMember, error) {
	a := getArena()
	defer putArena(a)
	a.reserveIn(0, len(value))
	v := a.put(value)
	var n C.size_t
	if r := C.traceprop_tracestate_parse(v.ptr, v.len, &a.c.ts[0], C.size_t(len(a.c.ts)), &n); r != C.TRACEPROP_RESULT_OK {
		return nil, newError(r)
	}
	out := make([]TraceStateMember, int(n))
	for i := range out {
		out[i] = TraceStateMember{goString(a.c.ts[i].key), goString(a.c.ts[i].value)}
	}
	return out, nil
}
