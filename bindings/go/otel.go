package traceprop

/*
#include "traceprop_go.h"
*/
import "C"

import (
	"context"
	"net/http"
	"reflect"
	"unsafe"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

var _ propagation.TextMapPropagator = (*Propagator)(nil)

// addCarrier keeps the lines of carrier that p reads, every value of a key
// when the carrier can give them. A HeaderCarrier is read as OpenTelemetry
// propagators read it (Get, Values): by canonical http.Header key; and the
// keys with a baggage prefix (any case) by walking it.
func (p *Propagator) addCarrier(a *arena, carrier propagation.TextMapCarrier) {
	switch c := carrier.(type) {
	case propagation.HeaderCarrier:
		if len(p.prefixes) == 0 {
			for _, key := range p.keys {
				for _, v := range c[key] {
					a.lines = append(a.lines, line{key, v})
				}
			}
			break
		}
		for name, values := range c {
			if p.wantsKey(name) {
				for _, v := range values {
					a.lines = append(a.lines, line{name, v})
				}
			}
		}
	case propagation.MapCarrier:
		for k, v := range c {
			p.add(a, k, v)
		}
	default:
		getter, multi := c.(propagation.ValuesGetter)
		for _, k := range c.Keys() {
			if !multi {
				p.add(a, k, c.Get(k))
				continue
			}
			for _, v := range getter.Values(k) {
				p.add(a, k, v)
			}
		}
	}
}

// extractedKey is the context key of the *extracted Extract keeps.
type extractedKey struct{}

// extractedContext is the context Extract returns when it keeps an
// extracted: one allocation where context.WithValue would make two.
type extractedContext struct {
	context.Context
	extracted
}

func (c *extractedContext) Value(key any) any {
	if _, ok := key.(extractedKey); ok {
		return &c.extracted
	}
	return c.Context.Value(key)
}

// extracted is what Extract keeps for Inject: the fields of the extracted
// context that an OpenTelemetry SpanContext cannot hold (Datadog
// priority/origin/tags, X-Ray fields, SkyWalking, debug, deferred
// sampling), so Inject can pass them on; and the OpenTelemetry Baggage it
// made with its members, so Inject can take them from here instead of
// reading that Baggage back.
type extracted struct {
	extras *SpanContext
	// The map of the Baggage (see listOf), and its members without
	// properties (nil when one had some).
	list    unsafe.Pointer
	baggage []keyValue
	inline  [4]keyValue
}

// keyValue is a baggage member without properties, its value raw.
type keyValue struct{ key, value string }

// listOf is the map an OpenTelemetry Baggage holds its members in (false
// when a version of OpenTelemetry holds them otherwise). A Baggage is
// immutable: two with the same map hold the same members.
func listOf(b baggage.Baggage) (unsafe.Pointer, bool) {
	v := reflect.ValueOf(b)
	if v.NumField() != 1 || v.Field(0).Kind() != reflect.Map {
		return nil, false
	}
	return v.Field(0).UnsafePointer(), true
}

func carriesExtras(c *SpanContext) bool {
	return c.Sampled == Deferred || c.Debug || c.HasSamplingPriority || c.Origin != "" ||
		c.DatadogTags != "" || c.XRayExtra != "" || c.SW8 != ""
}

// sameBaggage reports whether bag holds exactly e's members.
func (e *extracted) sameBaggage(bag baggage.Baggage) bool {
	if e.baggage == nil || bag.Len() != len(e.baggage) {
		return false
	}
	if list, ok := listOf(bag); ok && e.list != nil {
		return list == e.list
	}
	for _, m := range e.baggage {
		got := bag.Member(m.key)
		if got.Key() != m.key || got.Value() != m.value || len(got.Properties()) > 0 {
			return false
		}
	}
	return true
}

// Extract implements propagation.TextMapPropagator: it returns ctx with the
// extracted remote span context and baggage (each only when found). Bad
// input never fails; it leaves ctx as it is. A HeaderCarrier is read as
// OpenTelemetry's propagators read it: by canonical http.Header key.
func (p *Propagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	a := getArena()
	defer putArena(a)
	p.addCarrier(a, carrier)
	p.extract(a)
	x := &a.c.x
	var kept *extractedContext
	if x.has_context {
		c := a.context()
		flags := trace.TraceFlags(0).WithSampled(c.Sampled == Sampled).WithRandom(c.Random)
		cfg := trace.SpanContextConfig{TraceID: trace.TraceID(c.TraceID), SpanID: trace.SpanID(c.SpanID),
			TraceFlags: flags, Remote: true}
		cfg.TraceState = a.traceState()
		ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(cfg))
		if carriesExtras(&c) {
			extras := c
			kept = &extractedContext{extracted: extracted{extras: &extras}}
		}
	}
	if n := int(x.baggage_len); n > 0 {
		if kept == nil {
			kept = &extractedContext{}
		}
		e := &kept.extracted
		e.baggage = e.inline[:0]
		var inline [4]baggage.Member
		members := inline[:0]
		for i := 0; i < n; i++ {
			key, value := a.str(x.baggage[i].key), a.str(a.c.d.values[i])
			props := a.properties(&x.baggage[i])
			if m, err := baggage.NewMemberRaw(key, value, props...); err == nil {
				members = append(members, m)
				if len(props) > 0 || x.baggage[i].properties.len > 0 {
					e.baggage = nil
				} else if e.baggage != nil {
					e.baggage = append(e.baggage, keyValue{key, value})
				}
			}
		}
		if bag, err := baggage.New(members...); err == nil && bag.Len() > 0 {
			ctx = baggage.ContextWithBaggage(ctx, bag)
			e.list, _ = listOf(bag)
		}
	}
	if kept != nil {
		kept.Context = ctx
		ctx = kept
	}
	return ctx
}

// traceState is the extracted tracestate as an OpenTelemetry TraceState:
// built member by member when there are a few (cheaper than parsing), else
// parsed from its header value. The core validated the members;
// OpenTelemetry's checks are stricter on a few Level 2 keys, in which case
// the whole tracestate is dropped.
func (a *arena) traceState() trace.TraceState {
	x := &a.c.x
	n := int(x.tracestate_len)
	if n > 4 {
		ts, _ := trace.ParseTraceState(a.str(a.c.d.tracestate))
		return ts
	}
	var ts trace.TraceState
	for i := n - 1; i >= 0; i-- {
		var err error
		// Insert puts each member first: last to first keeps the order.
		if ts, err = ts.Insert(a.str(x.tracestate[i].key), a.str(x.tracestate[i].value)); err != nil {
			return trace.TraceState{}
		}
	}
	return ts
}

// properties converts a member's properties (one more cgo call, only for
// members that have some).
func (a *arena) properties(m *C.traceprop_baggage_member) []baggage.Property {
	if m.properties.len == 0 {
		return nil
	}
	var views [16]C.traceprop_baggage_property
	var n C.size_t
	if C.traceprop_baggage_properties_parse(m, &views[0], C.size_t(len(views)), &n) != C.TRACEPROP_RESULT_OK {
		return nil
	}
	props := make([]baggage.Property, 0, int(n))
	for _, v := range views[:int(n)] {
		var prop baggage.Property
		var err error
		if v.value.ptr == nil {
			prop, err = baggage.NewKeyProperty(a.str(v.key))
		} else {
			prop, err = baggage.NewKeyValuePropertyRaw(a.str(v.key), a.str(v.value))
		}
		if err == nil {
			props = append(props, prop)
		}
	}
	return props
}

// Inject implements propagation.TextMapPropagator: it writes the span
// context and baggage of ctx in every configured format. Fields of the
// extracted context that OpenTelemetry cannot hold are written too when the
// trace is the same (Datadog priority only while it agrees with the
// sampled flag; a deferred decision only for the extracted span itself).
func (p *Propagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	sc := trace.SpanContextFromContext(ctx)
	c := SpanContext{TraceID: TraceID(sc.TraceID()), SpanID: SpanID(sc.SpanID()), Random: sc.TraceFlags().IsRandom()}
	if sc.IsSampled() {
		c.Sampled = Sampled
	}
	e, _ := ctx.Value(extractedKey{}).(*extracted)
	if e != nil && e.extras != nil && e.extras.TraceID == c.TraceID {
		extra := e.extras
		c.Debug, c.Origin, c.XRayExtra, c.SW8 = extra.Debug, extra.Origin, extra.XRayExtra, extra.SW8
		c.DatadogTags, c.DatadogTagsInTraceState = extra.DatadogTags, extra.DatadogTagsInTraceState
		if extra.HasSamplingPriority && (extra.SamplingPriority > 0) == sc.IsSampled() {
			c.HasSamplingPriority, c.SamplingPriority = true, extra.SamplingPriority
		}
		if extra.Sampled == Deferred && extra.SpanID == c.SpanID && !sc.IsSampled() {
			c.Sampled = Deferred
		}
	}
	bag := baggage.FromContext(ctx)
	var members []baggage.Member
	var own []keyValue
	if e != nil && e.sameBaggage(bag) {
		own = e.baggage
	} else {
		members = bag.Members()
	}
	a := getArena()
	defer putArena(a)
	headers, ok := p.injectOTel(a, &c, sc.TraceState(), members, own)
	if !ok {
		// What the library takes only as text (properties) or refuses as
		// members (limits) goes through the header values, which drop only
		// the members at fault.
		headers, _ = p.injectText(a, &c, sc.TraceState().String(), bag.String())
	}
	if h, ok := carrier.(propagation.HeaderCarrier); ok {
		p.setHeaders(a, headers, http.Header(h))
		return
	}
	for _, v := range headers {
		carrier.Set(a.str(v.name), a.str(v.value))
	}
}

// injectOTel injects c with the members of an OpenTelemetry tracestate
// and the baggage members (OpenTelemetry's, or own ones: values raw, no
// properties). False when the library refuses a member, or a baggage member
// has properties.
func (p *Propagator) injectOTel(a *arena, c *SpanContext, ts trace.TraceState, members []baggage.Member, own []keyValue) ([]C.traceprop_header, bool) {
	size, n := contextSize(c), 0
	ts.Walk(func(key, value string) bool {
		size += len(key) + len(value)
		n++
		return true
	})
	for i := range members {
		size += len(members[i].Key()) + len(members[i].Value())
	}
	for i := range own {
		size += len(own[i].key) + len(own[i].value)
	}
	tsMembers, bagMembers := unsafe.Slice(&a.c.ts[0], len(a.c.ts)), unsafe.Slice(&a.c.bag[0], len(a.c.bag))
	if n > len(tsMembers) || len(members)+len(own) > len(bagMembers) {
		return nil, false
	}
	a.used = 0
	a.reserveIn(0, size)
	a.setContext(c)
	i := 0
	ts.Walk(func(key, value string) bool {
		m := &tsMembers[i]
		m.key, m.value = a.put(key), a.put(value)
		i++
		return true
	})
	a.c.p.tracestate, a.c.p.tracestate_len = &a.c.ts[0], C.size_t(n)
	for i := range members {
		if len(members[i].Properties()) > 0 {
			return nil, false
		}
		a.setMember(&bagMembers[i], members[i].Key(), members[i].Value())
	}
	for i := range own {
		a.setMember(&bagMembers[i], own[i].key, own[i].value)
	}
	a.c.p.baggage, a.c.p.baggage_len = &a.c.bag[0], C.size_t(len(members)+len(own))
	return p.inject(a, C.traceprop_str{}, C.traceprop_str{})
}

// injectText injects c with a tracestate and a baggage header value.
func (p *Propagator) injectText(a *arena, c *SpanContext, tracestate, bag string) ([]C.traceprop_header, bool) {
	a.used = 0
	a.reserveIn(0, contextSize(c)+len(tracestate)+len(bag))
	a.setContext(c)
	ts := a.putValue(tracestate)
	return p.inject(a, ts, a.putValue(bag))
}

// putValue is put for a header value: never a NULL view, even when empty.
func (a *arena) putValue(s string) C.traceprop_str {
	v := a.put(s)
	if v.ptr == nil {
		v.ptr = a.c.in
	}
	return v
}

// Fields implements propagation.TextMapPropagator: the header names Inject
// writes (besides per-key baggage headers such as uberctx-*).
func (p *Propagator) Fields() []string { return p.fields }
