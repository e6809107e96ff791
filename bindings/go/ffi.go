package traceprop

// The cgo crossing. Everything C reads or writes lives in C memory (an
// arena per goroutine, pooled), so no Go pointer crosses the boundary and
// each Extract or Inject is exactly one cgo call.
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
}

var arenas = sync.Pool{New: func() any {
	a := &arena{c: (*C.tp_go)(C.calloc(1, C.sizeof_tp_go))}
	if a.c == nil {
		panic("traceprop: out of C memory")
	}
	a.growOut(4096)
	a.growInjected(32)
	runtime.SetFinalizer(a, func(a *arena) { C.tp_go_free(a.c) })
	return a
}}

func getArena() *arena {
	a := arenas.Get().(*arena)
	a.used = 0
	return a
}

func putArena(a *arena) { arenas.Put(a) }

// realloc grows *p to hold n elements of size bytes, keeping the contents.
func realloc(p unsafe.Pointer, n, size int) unsafe.Pointer {
	q := C.realloc(p, C.size_t(n*size))
	if q == nil {
		panic("traceprop: out of C memory")
	}
	return q
}

// reserveIn makes room for n header views and size bytes of input text.
func (a *arena) reserveIn(n, size int) {
	if n > int(a.c.headers_cap) {
		a.c.headers = (*C.traceprop_header)(realloc(unsafe.Pointer(a.c.headers), n, C.sizeof_traceprop_header))
		a.c.headers_cap = C.size_t(n)
	}
	if size > int(a.c.in_cap) {
		size = max(size, 2*int(a.c.in_cap), 1024)
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

// goString copies a C view into a Go string.
func goString(s C.traceprop_str) string {
	if s.len == 0 {
		return ""
	}
	return C.GoStringN(s.ptr, C.int(s.len))
}

// view aliases C memory without copying: only for lookups while the arena
// is held, never kept.
func view(s C.traceprop_str) string {
	if s.len == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(s.ptr)), int(s.len))
}
