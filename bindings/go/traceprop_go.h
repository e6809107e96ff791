/* The C side of the Go binding: one goroutine's scratch space in C memory,
 * so no Go pointer crosses the boundary. Static, so every Go file may
 * include it. */
#ifndef TRACEPROP_GO_H
#define TRACEPROP_GO_H
#include <stdint.h>
#include <stdlib.h>

#include "traceprop.h"

// One goroutine's scratch space, allocated with calloc.
typedef struct {
	// The configuration of the current call: a copy in C memory, so that no
	// Go pointer is passed (cgo checks each one).
	traceprop_config config;
	// Text going in: extracted header lines, the fields to inject.
	char *in;
	size_t in_cap;
	// Extract input: header views into `in`.
	traceprop_header *headers;
	size_t headers_cap;
	// Extract output: the extraction, its decoded text in `out`.
	traceprop_extraction x;
	traceprop_decoded d;
	// Inject input (views into `in`).
	traceprop_propagation p;
	traceprop_str tracestate;
	traceprop_str baggage;
	traceprop_tracestate_member ts[TRACEPROP_TRACESTATE_MAX_MEMBERS];
	traceprop_baggage_member bag[TRACEPROP_BAGGAGE_MAX_MEMBERS];
	// Inject output: header views into `out`.
	traceprop_header *injected;
	size_t injected_cap;
	size_t injected_len;
	size_t out_len;
	// Text coming out (decoded by extract, written by inject).
	char *out;
	size_t out_cap;
} tp_go;

// The calls of the Go binding take the scratch space alone, as an integer:
// cgo checks every pointer argument at run time for Go pointers, and this one
// is C's.

static inline traceprop_result tp_go_extract(uintptr_t scratch, size_t n) {
	tp_go *g = (tp_go *)scratch;
	return traceprop_extract_decoded(&g->config, g->headers, n, g->out, g->out_cap, &g->x, &g->d);
}

// Injects g->p; a non-NULL g->tracestate or g->baggage is a header value
// standing for g->p's members of that kind.
static inline traceprop_result tp_go_inject(uintptr_t scratch) {
	tp_go *g = (tp_go *)scratch;
	return traceprop_inject_headers_text(&g->config, &g->p, g->tracestate, g->baggage, g->out, g->out_cap,
	                                     g->injected, g->injected_cap, &g->injected_len, &g->out_len);
}

static inline void tp_go_free(tp_go *g) {
	free(g->in);
	free(g->headers);
	free(g->injected);
	free(g->out);
	free(g);
}

#endif
