// Package traceprop reads and writes every distributed-tracing propagation
// format (W3C Trace Context and Baggage, B3, Jaeger, OT, Datadog, AWS X-Ray,
// Google Cloud Trace, SkyWalking, grpc-trace-bin) through libtraceprop, the
// same Rust core every libtraceprop binding uses, so a polyglot fleet gets
// one behaviour.
//
//	p := traceprop.NewPropagator("tracecontext,b3,datadog")
//	x := p.ExtractHeader(req.Header)         // or traceprop.Extract(req.Header)
//	otel.SetTextMapPropagator(p)             // an OpenTelemetry TextMapPropagator
//
// The package links the static library built in the repository's cargo
// target (cgo); see README.md.
package traceprop

/*
#include "traceprop_go.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Version is the version of the linked library.
func Version() string { return C.GoString(C.traceprop_version()) }

// TraceID is a 128-bit trace id, big-endian (64-bit ids are left-padded).
type TraceID [16]byte

// SpanID is a 64-bit span id, big-endian.
type SpanID [8]byte

// IsValid reports whether the id is not all zeros.
func (t TraceID) IsValid() bool { return t != TraceID{} }

// IsValid reports whether the id is not all zeros.
func (s SpanID) IsValid() bool { return s != SpanID{} }

// String is the id as 32 lowercase hex digits.
func (t TraceID) String() string {
	var buf [32]C.char
	var n C.size_t
	C.traceprop_trace_id_to_hex(C.traceprop_trace_id{bytes: *(*[16]C.uint8_t)(unsafe.Pointer(&t))}, &buf[0], 32, &n)
	return C.GoStringN(&buf[0], C.int(n))
}

// String is the id as 16 lowercase hex digits.
func (s SpanID) String() string {
	var buf [16]C.char
	var n C.size_t
	C.traceprop_span_id_to_hex(C.traceprop_span_id{bytes: *(*[8]C.uint8_t)(unsafe.Pointer(&s))}, &buf[0], 16, &n)
	return C.GoStringN(&buf[0], C.int(n))
}

// ParseTraceID parses exactly 32 lowercase hex digits (non-zero).
func ParseTraceID(s string) (TraceID, error) {
	a := getArena()
	defer putArena(a)
	a.reserveIn(0, len(s))
	v := a.put(s)
	var out C.traceprop_trace_id
	if r := C.traceprop_trace_id_from_hex(v.ptr, v.len, &out); r != C.TRACEPROP_RESULT_OK {
		return TraceID{}, newError(r)
	}
	return TraceID(*(*[16]byte)(unsafe.Pointer(&out.bytes))), nil
}

// ParseSpanID parses exactly 16 lowercase hex digits (non-zero).
func ParseSpanID(s string) (SpanID, error) {
	a := getArena()
	defer putArena(a)
	a.reserveIn(0, len(s))
	v := a.put(s)
	var out C.traceprop_span_id
	if r := C.traceprop_span_id_from_hex(v.ptr, v.len, &out); r != C.TRACEPROP_RESULT_OK {
		return SpanID{}, newError(r)
	}
	return SpanID(*(*[8]byte)(unsafe.Pointer(&out.bytes))), nil
}

// Error is a libtraceprop error: its Code is the stable number every
// binding shares (TRACEPROP_RESULT_* in traceprop.h), Name its snake_case name.
type Error struct {
	Code uint32
	Name string
	msg  string
}

func (e *Error) Error() string { return "traceprop: " + e.msg }

// Is matches another *Error with the same code, so
// errors.Is(err, traceprop.ErrInvalidHex) works.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

func newError(r C.traceprop_result) error {
	code := uint32(r)
	name, msg := C.traceprop_result_name(C.uint32_t(code)), C.traceprop_result_str(C.uint32_t(code))
	if name == nil {
		return &Error{Code: code, Name: "unknown", msg: fmt.Sprintf("unknown result %d", code)}
	}
	return &Error{Code: code, Name: C.GoString(name), msg: C.GoString(msg)}
}

// Errors worth matching with errors.Is.
var (
	ErrInvalidHex    = newError(C.TRACEPROP_RESULT_INVALID_HEX)
	ErrInvalidLength = newError(C.TRACEPROP_RESULT_INVALID_LENGTH)
	ErrZeroID        = newError(C.TRACEPROP_RESULT_ZERO_ID)
	ErrInvalidUTF8   = newError(C.TRACEPROP_RESULT_INVALID_UTF8)
	ErrMissing       = newError(C.TRACEPROP_RESULT_MISSING)
)

// Sampling is the tri-state sampling decision.
type Sampling int8

// Sampling decisions. Formats without a "no decision" state write
// NotSampled for Deferred.
const (
	Deferred   Sampling = C.TRACEPROP_SAMPLED_DEFERRED
	NotSampled Sampling = C.TRACEPROP_SAMPLED_NO
	Sampled    Sampling = C.TRACEPROP_SAMPLED_YES
)

// SpanContext is a remote span context in the union of every format's fields.
type SpanContext struct {
	TraceID TraceID
	SpanID  SpanID
	Sampled Sampling
	// Debug is B3 `d` / X-B3-Flags: 1 / Jaeger 0x02.
	Debug bool
	// Random is the W3C Level 2 random-trace-id flag.
	Random bool
	// HasSamplingPriority tells whether SamplingPriority carries Datadog's priority.
	HasSamplingPriority bool
	SamplingPriority    int32
	// Origin is Datadog's origin ("" when none).
	Origin string
	// DatadogTags are the carried `_dd.p.*` tags, as received; in the
	// tracestate `dd` spelling when DatadogTagsInTraceState.
	DatadogTags             string
	DatadogTagsInTraceState bool
	// XRayExtra holds the X-Amzn-Trace-Id fields besides Root, Parent and Sampled.
	XRayExtra string
	// SW8 is the SkyWalking value the context came from.
	SW8 string
}

// IsValid reports whether both ids are non-zero.
func (c SpanContext) IsValid() bool { return c.TraceID.IsValid() && c.SpanID.IsValid() }

// Format is a propagation format.
type Format uint32

// The formats, by their OTEL_PROPAGATORS names.
const (
	TraceContext Format = C.TRACEPROP_FORMAT_TRACECONTEXT
	Baggage      Format = C.TRACEPROP_FORMAT_BAGGAGE
	B3           Format = C.TRACEPROP_FORMAT_B3
	B3Multi      Format = C.TRACEPROP_FORMAT_B3MULTI
	Jaeger       Format = C.TRACEPROP_FORMAT_JAEGER
	OTTrace      Format = C.TRACEPROP_FORMAT_OTTRACE
	XRay         Format = C.TRACEPROP_FORMAT_XRAY
	Datadog      Format = C.TRACEPROP_FORMAT_DATADOG
	CloudTrace   Format = C.TRACEPROP_FORMAT_CLOUDTRACE
	SW8          Format = C.TRACEPROP_FORMAT_SW8
	GRPCTraceBin Format = C.TRACEPROP_FORMAT_GRPC_TRACE_BIN
)

// String is the format's canonical name ("tracecontext").
func (f Format) String() string {
	name := C.traceprop_format_name(C.uint32_t(f))
	if name == nil {
		return fmt.Sprintf("Format(%d)", uint32(f))
	}
	return C.GoString(name)
}

// Rejection is a format whose headers were present but invalid.
type Rejection struct {
	Format Format
	Err    error
}

// TraceStateMember is one W3C tracestate list member.
type TraceStateMember struct{ Key, Value string }

// BaggageMember is one baggage member, its value decoded, its properties
// in canonical form ("p1;p2=x").
type BaggageMember struct{ Key, Value, Properties string }

// Extraction is what Extract found.
type Extraction struct {
	// Context is the winning context; Valid says whether there is one.
	Context SpanContext
	Valid   bool
	// Source is the format the context came from.
	Source Format
	// Matched lists every format that yielded a valid context, Conflict
	// whether their trace ids disagree.
	Matched  []Format
	Conflict bool
	// Rejected lists the formats whose headers were present but invalid.
	Rejected []Rejection
	// TraceState is the W3C tracestate kept with the context;
	// TraceStateErr says why a present one was dropped.
	TraceState    []TraceStateMember
	TraceStateErr error
	// Baggage merges every configured baggage-carrying format, in order.
	Baggage []BaggageMember
}

// Propagation is what Inject writes.
type Propagation struct {
	Context    SpanContext
	TraceState []TraceStateMember
	Baggage    []BaggageMember
}

// Propagation is what to inject downstream: the context (nothing of it is
// written when there is none), the tracestate and the baggage.
func (x Extraction) Propagation() Propagation {
	p := Propagation{TraceState: x.TraceState, Baggage: x.Baggage}
	if x.Valid {
		p.Context = x.Context
	}
	return p
}
