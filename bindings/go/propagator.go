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
	// What extraction reads: the header names by length, the same as a
	// list of http.Header keys, and name prefixes.
	names    [32][]headerKey
	keys     []string
	prefixes []string
	// Every known header name by length, so injecting allocates no key.
	canonical [32][]headerKey
	fields    []string
}

// NewPropagator configures the formats in list, in OTEL_PROPAGATORS syntax
// ("tracecontext,b3,datadog"): names are trimmed, case-insensitive and
// de-duplicated, "none" anywhere means no format, "" means
// "tracecontext,baggage". Unknown names are skipped: see Unknown.
func NewPropagator(list string) *Propagator {
	p := &Propagator{}
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
		k := headerKey{name, textproto.CanonicalMIMEHeaderKey(name)}
		if len(name) < len(p.names) {
			p.canonical[len(name)] = append(p.canonical[len(name)], k)
			if p.reads(a, name) {
				p.names[len(name)] = append(p.names[len(name)], k)
				p.keys = append(p.keys, k.key)
			}
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
		for _, k := range p.names[len(name)] {
			if strings.EqualFold(k.name, name) {
				return true
			}
		}
	}
	return p.wantsPrefixed(name)
}

// wantsKey reports whether extraction reads http.Header key name: a
// canonical key it reads, or a prefixed baggage header (any case).
func (p *Propagator) wantsKey(name string) bool {
	if len(name) < len(p.names) {
		for _, k := range p.names[len(name)] {
			if k.key == name {
				return true
			}
		}
	}
	return p.wantsPrefixed(name)
}

// wantsPrefixed reports whether extraction reads name as a prefixed
// baggage header (uberctx-{key}, any case).
func (p *Propagator) wantsPrefixed(name string) bool {
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

// add keeps header line name: value for extraction when p reads it.
func (p *Propagator) add(a *arena, name, value string) {
	if p.wants(name) {
		a.lines = append(a.lines, line{name, value})
	}
}

// addHeader keeps the lines of h that p reads (names in any case).
func (p *Propagator) addHeader(a *arena, h http.Header) {
	for name, values := range h {
		if p.wants(name) {
			for _, v := range values {
				a.lines = append(a.lines, line{name, v})
			}
		}
	}
}

// extract copies the kept header lines into the arena and extracts: one
// cgo call (two when the decoded text outgrows the arena).
func (p *Propagator) extract(a *arena) {
	size := 0
	for _, l := range a.lines {
		size += len(l.name) + len(l.value)
	}
	a.reserveIn(len(a.lines), size)
	headers := unsafe.Slice(a.c.headers, len(a.lines))
	for i, l := range a.lines {
		h := &headers[i]
		h.name, h.value = a.put(l.name), a.put(l.value)
	}
	n := C.size_t(len(headers))
	a.c.config = p.config
	r := C.tp_go_extract(a.scratch(), n)
	if r == C.TRACEPROP_RESULT_BUFFER_TOO_SMALL {
		a.growOut(int(a.c.d.len))
		r = C.tp_go_extract(a.scratch(), n)
	}
	if r != C.TRACEPROP_RESULT_OK {
		// Only a library bug gets here: the arguments are built above.
		panic(newError(r))
	}
	a.outUsed = int(a.c.d.len)
}

// ExtractHeader extracts a context, tracestate and baggage from h. Bad
// input never fails: a malformed format is listed in Rejected.
func (p *Propagator) ExtractHeader(h http.Header) Extraction {
	a := getArena()
	defer putArena(a)
	p.addHeader(a, h)
	p.extract(a)
	return a.extraction()
}

// ExtractLines is ExtractHeader for header lines in order, as
// {name, value} pairs (names in any case; a name may repeat): gRPC
// metadata, raw HTTP/1 lines, a message queue's headers.
func (p *Propagator) ExtractLines(headers [][2]string) Extraction {
	a := getArena()
	defer putArena(a)
	for _, kv := range headers {
		p.add(a, kv[0], kv[1])
	}
	p.extract(a)
	return a.extraction()
}

// context is the extracted winning context.
func (a *arena) context() SpanContext {
	c := &a.c.x.context
	return SpanContext{
		TraceID:                 TraceID(*(*[16]byte)(unsafe.Pointer(&c.trace_id.bytes))),
		SpanID:                  SpanID(*(*[8]byte)(unsafe.Pointer(&c.span_id.bytes))),
		Sampled:                 Sampling(c.sampled),
		Debug:                   bool(c.debug),
		Random:                  bool(c.random),
		HasSamplingPriority:     bool(c.has_sampling_priority),
		SamplingPriority:        int32(c.sampling_priority),
		Origin:                  a.str(a.c.d.origin),
		DatadogTags:             a.str(c.dd_tags),
		DatadogTagsInTraceState: c.dd_tags_syntax == C.TRACEPROP_DD_TAGS_TRACESTATE,
		XRayExtra:               a.str(c.xray_extra),
		SW8:                     a.str(c.sw8),
	}
}

func (a *arena) extraction() Extraction {
	x := &a.c.x
	out := Extraction{Valid: bool(x.has_context), Conflict: bool(x.conflict)}
	if out.Valid {
		out.Context = a.context()
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
			out.TraceState[i] = TraceStateMember{a.str(x.tracestate[i].key), a.str(x.tracestate[i].value)}
		}
	}
	if n := int(x.baggage_len); n > 0 {
		out.Baggage = make([]BaggageMember, n)
		for i := range out.Baggage {
			out.Baggage[i] = BaggageMember{a.str(x.baggage[i].key), a.str(a.c.d.values[i]), a.str(a.c.d.properties[i])}
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

// setMember copies a baggage member with a raw value and no properties
// into m (field by field: the whole struct at once is built on the stack
// and copied).
func (a *arena) setMember(m *C.traceprop_baggage_member, key, value string) {
	m.key, m.value = a.put(key), a.put(value)
	m.encoding, m.properties = C.TRACEPROP_ENCODING_RAW, C.traceprop_str{}
}

func contextSize(ctx *SpanContext) int {
	return len(ctx.Origin) + len(ctx.DatadogTags) + len(ctx.XRayExtra) + len(ctx.SW8)
}

// inject runs the arena's propagation through the library: one cgo call,
// a second one when the output outgrows the arena. A non-NULL tracestate
// or baggage is a header value standing for the propagation's members of
// that kind. It returns the injected headers (views for a.str), or false
// when the library refuses a field of the propagation.
func (p *Propagator) inject(a *arena, tracestate, baggage C.traceprop_str) ([]C.traceprop_header, bool) {
	a.c.config, a.c.tracestate, a.c.baggage = p.config, tracestate, baggage
	r := C.tp_go_inject(a.scratch())
	if r == C.TRACEPROP_RESULT_BUFFER_TOO_SMALL {
		a.growOut(int(a.c.out_len))
		a.growInjected(int(a.c.injected_len))
		r = C.tp_go_inject(a.scratch())
	}
	if r != C.TRACEPROP_RESULT_OK {
		return nil, false
	}
	a.outUsed = int(a.c.out_len)
	return unsafe.Slice(a.c.injected, int(a.c.injected_len)), true
}

// setHeaders writes the injected headers into h with canonical keys, the
// values sharing one backing array.
func (p *Propagator) setHeaders(a *arena, headers []C.traceprop_header, h http.Header) {
	values := make([]string, len(headers))
	for i, v := range headers {
		values[i] = a.str(v.value)
		h[p.injectedKey(a, v.name)] = values[i : i+1 : i+1]
	}
}

// InjectHeader writes prop into h in every configured format; a format
// that cannot write it (no valid context) writes nothing.
func (p *Propagator) InjectHeader(prop Propagation, h http.Header) {
	p.injectFunc(prop, h, nil)
}

// InjectFunc is InjectHeader for any destination: set is called once per
// header with a lowercase name.
func (p *Propagator) InjectFunc(prop Propagation, set func(name, value string)) {
	p.injectFunc(prop, nil, set)
}

func (p *Propagator) injectFunc(prop Propagation, h http.Header, set func(name, value string)) {
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
	headers, _ := p.inject(a, C.traceprop_str{}, C.traceprop_str{})
	if h != nil {
		p.setHeaders(a, headers, h)
		return
	}
	for _, v := range headers {
		set(a.str(v.name), a.str(v.value))
	}
}

// canonicalKey is name as an http.Header key, without allocating for
// known names.
func (p *Propagator) canonicalKey(name string) string {
	if k, ok := p.knownKey(name); ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// knownKey is the http.Header key of a known header name.
func (p *Propagator) knownKey(name string) (string, bool) {
	if len(name) < len(p.canonical) {
		for _, k := range p.canonical[len(name)] {
			if k.name == name {
				return k.key, true
			}
		}
	}
	return "", false
}

// injectedKey is the http.Header key of injected header name n: a known
// name is looked up in place (in C memory, not kept), another is copied.
func (p *Propagator) injectedKey(a *arena, n C.traceprop_str) string {
	if k, ok := p.knownKey(unsafe.String((*byte)(unsafe.Pointer(n.ptr)), int(n.len))); ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(a.str(n))
}

// headerKey is a lowercase header name and its http.Header key.
type headerKey struct{ name, key string }

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
		if _, ok := h[p.canonicalKey(name)]; ok {
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
