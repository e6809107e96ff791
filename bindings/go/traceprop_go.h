/* The cgo glue of the Go binding: each Go call into the library is one
 * call to one of these functions. Static, so every Go file may include it. */
#ifndef TRACEPROP_GO_H
#define TRACEPROP_GO_H
#include <stdlib.h>

#include "traceprop.h"

// One goroutine's scratch space, allocated with calloc.
typedef struct {
	// Extract input: header views into `in`.
	traceprop_header *headers;
	size_t headers_cap;
	char *in;
	size_t in_cap;
	// Extract output, plus decoded text in `out`.
	traceprop_extraction x;
	traceprop_str values[TRACEPROP_BAGGAGE_MAX_MEMBERS];
	traceprop_str props[TRACEPROP_BAGGAGE_MAX_MEMBERS];
	traceprop_str origin;
	traceprop_str tracestate;
	char *out;
	size_t out_cap;
	size_t out_needed;
	// Inject input (views into `in`) and output (views into `out`).
	traceprop_propagation p;
	traceprop_tracestate_member ts[TRACEPROP_TRACESTATE_MAX_MEMBERS];
	traceprop_baggage_member bag[TRACEPROP_BAGGAGE_MAX_MEMBERS];
	traceprop_header *injected;
	size_t injected_cap;
	size_t injected_len;
	size_t out_len;
} tp_go;

static inline void tp_go_free(tp_go *g) {
	free(g->headers);
	free(g->in);
	free(g->out);
	free(g->injected);
	free(g);
}

// Decodes the baggage values, canonical properties, origin and tracestate
// of g->x into g->out; BUFFER_TOO_SMALL with g->out_needed when it is short.
static inline traceprop_result tp_go_decode(tp_go *g) {
	size_t need = g->x.has_context ? g->x.context.origin.len : 0;
	for (size_t i = 0; i < g->x.baggage_len; i++) need += g->x.baggage[i].value.len + g->x.baggage[i].properties.len;
	for (size_t i = 0; i < g->x.tracestate_len; i++) need += g->x.tracestate[i].key.len + g->x.tracestate[i].value.len + 2;
	if (need > g->out_cap) {
		g->out_needed = need;
		return TRACEPROP_RESULT_BUFFER_TOO_SMALL;
	}
	size_t used = 0, n = 0;
	traceprop_result r;
	for (size_t i = 0; i < g->x.baggage_len; i++) {
		if ((r = traceprop_baggage_value_decode(&g->x.baggage[i], g->out + used, g->out_cap - used, &n))) return r;
		g->values[i] = (traceprop_str){g->out + used, n};
		used += n;
		if ((r = traceprop_baggage_properties_encode(&g->x.baggage[i], g->out + used, g->out_cap - used, &n))) return r;
		g->props[i] = (traceprop_str){g->out + used, n};
		used += n;
	}
	g->origin = (traceprop_str){NULL, 0};
	if (g->x.has_context && g->x.context.origin.ptr) {
		if ((r = traceprop_context_origin_decode(&g->x.context, g->out + used, g->out_cap - used, &n))) return r;
		g->origin = (traceprop_str){g->out + used, n};
		used += n;
	}
	if ((r = traceprop_tracestate_encode(g->x.tracestate, g->x.tracestate_len, g->out + used, g->out_cap - used, &n))) return r;
	g->tracestate = (traceprop_str){g->out + used, n};
	return TRACEPROP_RESULT_OK;
}

static inline traceprop_result tp_go_extract(const traceprop_config *config, tp_go *g, size_t n) {
	traceprop_result r = traceprop_extract(config, g->headers, n, &g->x);
	return r ? r : tp_go_decode(g);
}

// Injects g->p. A non-NULL tracestate or baggage value (views into g->in)
// replaces g->p's members with what it parses to.
static inline traceprop_result tp_go_inject(const traceprop_config *config, tp_go *g, traceprop_str ts, traceprop_str bag) {
	if (ts.ptr) {
		g->p.tracestate = g->ts;
		if (traceprop_tracestate_parse(ts.ptr, ts.len, g->ts, TRACEPROP_TRACESTATE_MAX_MEMBERS, &g->p.tracestate_len))
			g->p.tracestate_len = 0;
	}
	if (bag.ptr) {
		g->p.baggage = g->bag;
		if (traceprop_baggage_parse(bag.ptr, bag.len, g->bag, TRACEPROP_BAGGAGE_MAX_MEMBERS, &g->p.baggage_len))
			g->p.baggage_len = 0;
	}
	return traceprop_inject_headers(config, &g->p, g->out, g->out_cap, g->injected, g->injected_cap,
	                                &g->injected_len, &g->out_len);
}

#endif
