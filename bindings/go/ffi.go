package traceprop

// The cgo crossing. Everything C reads or writes lives in C memory (an
// arena per goroutine, pooled), so no Go pointer crosses the boundary and
// each Extract or Inject is one cgo call. What comes back is copied into Go
// once per call (one string) and sliced.
//
// The library is linked statically from the shared cargo target: build it
// first with `cargo build --release -p traceprop-c` (or `make go-test`).

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libtraceprop.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
#include "traceprop_go.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// arena wraps a C tp_go and grows its buffers on demand.
type arena struct {
	c *C.tp_go
	// Bytes of c.in handed out by put during the current call.
	used int
	// The header lines extract copies into c.in, in order: views into
	// them are slices of these strings.
	lines []line
	// Bytes of c.out holding text for Go (decoded or injected).
	outUsed int
	// A Go copy of c.out[:outUsed], made by the first str call that needs
	// it: views into c.out are slices of it.
	out    string
	hasOut bool
}

type line struct{ name, value string }

var arenas = sync.Pool{New: func() any {
	a := &arena{c: (*C.tp_go)(C.calloc(1, C.sizeof_tp_go))}
	if a.c == nil {
		panic("traceprop: out of C memory")
	}
	a.growOut(4096)
	a.growInjected(32)
	a.reserveIn(16, 1024)
	runtime.SetFinalizer(a, func(a *arena) { C.tp_go_free(a.c) })
	return a
}}

func getArena() *arena {
	a := arenas.Get().(*arena)
	a.used, a.outUsed = 0, 0
	return a
}

// putArena returns a to the pool, dropping its references to Go strings.
func putArena(a *arena) {
	clear(a.lines)
	a.lines = a.lines[:0]
	a.out, a.hasOut = "", false
	arenas.Put(a)
}

// scratch is the C scratch space as the integer the tp_go_* calls take.
func (a *arena) scratch() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(a.c))) }

// realloc grows *p to hold n elements of size bytes, keeping the contents.
func realloc(p unsafe.Pointer, n, size int) unsafe.Pointer {
	q := C.realloc(p, C.size_t(n*size))
	if q == nil {
		panic("traceprop: out of C memory")
	}
	return q
}

// reserveIn makes room for n header views and size bytes of input text.
// Only before the first put of a call: growing moves the text.
func (a *arena) reserveIn(n, size int) {
	if n > int(a.c.headers_cap) {
		n = max(n, 2*int(a.c.headers_cap))
		a.c.headers = (*C.traceprop_header)(realloc(unsafe.Pointer(a.c.headers), n, C.sizeof_traceprop_header))
		a.c.headers_cap = C.size_t(n)
	}
	if size > int(a.c.in_cap) {
		size = max(size, 2*int(a.c.in_cap))
		a.c.in = (*C.char)(realloc(unsafe.Pointer(a.c.in), size, 1))
		a.c.in_cap = C.size_t(size)
	}
}

func (a *arena) growOut(size int) {
	a.c.out = (*C.char)(realloc(unsafe.Pointer(a.c.out), size, 1))
	a.c.out_cap = C.size_t(size)
}

func (a *arena) growInjected(n int) {
	a.c.injected = (*C.traceprop_header)(realloc(unsafe.Pointer(a.c.injected), n, C.sizeof_traceprop_header))
	a.c.injected_cap = C.size_t(n)
}

// put copies s into the input buffer (reserved beforehand) and returns its view.
func (a *arena) put(s string) C.traceprop_str {
	if len(s) == 0 {
		return C.traceprop_str{}
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(a.c.in)), int(a.c.in_cap))
	n := copy(buf[a.used:], s)
	v := C.traceprop_str{ptr: (*C.char)(unsafe.Pointer(&buf[a.used])), len: C.size_t(n)}
	a.used += n
	return v
}

// str is view s as a Go string without copying it again: a slice of the
// header line it points into, or of the one Go copy of c.out.
func (a *arena) str(s C.traceprop_str) string {
	if s.len == 0 {
		return ""
	}
	p, n := uintptr(unsafe.Pointer(s.ptr)), int(s.len)
	if in := uintptr(unsafe.Pointer(a.c.in)); p >= in && p < in+uintptr(a.used) {
		off := int(p - in)
		for _, l := range a.lines {
			for _, t := range [2]string{l.name, l.value} {
				if off < len(t) {
					if off+n <= len(t) {
						return t[off : off+n]
					}
					return goString(s)
				}
				off -= len(t)
			}
		}
	}
	if out := uintptr(unsafe.Pointer(a.c.out)); p >= out && int(p-out)+n <= a.outUsed {
		if !a.hasOut {
			a.out, a.hasOut = C.GoStringN(a.c.out, C.int(a.outUsed)), true
		}
		off := int(p - out)
		return a.out[off : off+n]
	}
	return goString(s) // text of the library's own, or not from a header line
}

// goString copies a C view into a Go string.
func goString(s C.traceprop_str) string {
	if s.len == 0 {
		return ""
	}
	return C.GoStringN(s.ptr, C.int(s.len))
}
