package traceprop

/*
#include "traceprop_go.h"
*/
import "C"

import (
	"context"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

var _ propagation.TextMapPropagator = (*Propagator)(nil)

// carrierSource walks an OpenTelemetry carrier, all values of a key when
// the carrier can give them.
type carrierSource struct{ c propagation.TextMapCarrier }

func (s carrierSource) each(f func(name, value string)) {
	switch c := s.c.(type) {
	case propagation.HeaderCarrier:
		httpHeaders(c).each(f)
	case propagation.MapCarrier:
		for k, v := range c {
			f(k, v)
		}
	default:
		getter, multi := c.(propagation.ValuesGetter)
		for _, k := range c.Keys() {
			if !multi {
				f(k, c.Get(k))
				continue
			}
			for _, v := range getter.Values(k) {
				f(k, v)
			}
		}
	}
}

// extrasKey stores, in the context returned by Extract, the fields of the
// extracted context that an OpenTelemetry SpanContext cannot hold (Datadog
// priority/origin/tags, X-Ray fields, SkyWalking, debug, deferred
// sampling), so Inject can pass them on.
type extrasKey struct{}

func carriesExtras(c *SpanContext) bool {
	return c.Sampled == Deferred || c.Debug || c.HasSamplingPriority || c.Origin != "" ||
		c.DatadogTags != "" || c.XRayExtra != "" || c.SW8 != ""
}

// Extract implements propagation.TextMapPropagator: it returns ctx with the
// extracted remote span context and baggage (each only when found). Bad
// input never fails; it leaves ctx as it is.
func (p *Propagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	a := getArena()
	defer putArena(a)
	p.run(a, carrierSource{carrier})
	x := &a.c.x
	if x.has_context {
		c := a.context(&x.context)
		flags := trace.TraceFlags(0).WithSampled(c.Sampled == Sampled).WithRandom(c.Random)
		cfg := trace.SpanContextConfig{TraceID: trace.TraceID(c.TraceID), SpanID: trace.SpanID(c.SpanID),
			TraceFlags: flags, Remote: true}
		if a.c.tracestate.len > 0 {
			// The core validated the members; OpenTelemetry's parser is
			// stricter on a few Level 2 keys, in which case the
			// tracestate is dropped from the OpenTelemetry context.
			cfg.TraceState, _ = trace.ParseTraceState(goString(a.c.tracestate))
		}
		ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(cfg))
		if carriesExtras(&c) {
			ctx = context.WithValue(ctx, extrasKey{}, &c)
		}
	}
	if n := int(x.baggage_len); n > 0 {
		members := make([]baggage.Member, 0, n)
		for i := 0; i < n; i++ {
			if m, err := baggage.NewMemberRaw(goString(x.baggage[i].key), goString(a.c.values[i]),
				a.properties(&x.baggage[i])...); err == nil {
				members = append(members, m)
			}
		}
		if bag, err := baggage.New(members...); err == nil && bag.Len() > 0 {
			ctx = baggage.ContextWithBaggage(ctx, bag)
		}
	}
	return ctx
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
			prop, err = baggage.NewKeyProperty(goString(v.key))
		} else {
			prop, err = baggage.NewKeyValuePropertyRaw(goString(v.key), goString(v.value))
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
	if extra, ok := ctx.Value(extrasKey{}).(*SpanContext); ok && extra.TraceID == c.TraceID {
		c.Debug, c.Origin, c.XRayExtra, c.SW8 = extra.Debug, extra.Origin, extra.XRayExtra, extra.SW8
		c.DatadogTags, c.DatadogTagsInTraceState = extra.DatadogTags, extra.DatadogTagsInTraceState
		if extra.HasSamplingPriority && (extra.SamplingPriority > 0) == sc.IsSampled() {
			c.HasSamplingPriority, c.SamplingPriority = true, extra.SamplingPriority
		}
		if extra.Sampled == Deferred && extra.SpanID == c.SpanID && !sc.IsSampled() {
			c.Sampled = Deferred
		}
	}
	tracestate := sc.TraceState().String()
	var bag string
	if b := baggage.FromContext(ctx); b.Len() > 0 {
		bag = b.String()
	}
	a := getArena()
	defer putArena(a)
	a.reserveIn(0, contextSize(&c)+len(tracestate)+len(bag)+2)
	a.setContext(&c)
	ts, bg := a.put(tracestate), a.put(bag)
	// A non-NULL view means "parse this value"; an empty one parses to nothing.
	if ts.ptr == nil {
		ts.ptr = a.c.in
	}
	if bg.ptr == nil {
		bg.ptr = a.c.in
	}
	var set func(name, value string)
	if h, ok := carrier.(propagation.HeaderCarrier); ok {
		set = func(name, value string) { h[p.canonicalKey(name)] = []string{value} }
	} else {
		set = func(name, value string) { carrier.Set(p.internedName(name), value) }
	}
	p.inject(a, ts, bg, set)
}

// Fields implements propagation.TextMapPropagator: the header names Inject
// writes (besides per-key baggage headers such as uberctx-*).
func (p *Propagator) Fields() []string { return p.fields }
