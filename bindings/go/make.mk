# bindings/go: the Go module (cgo over target/release/libtraceprop.a).
#
#   make go-test    go vet, gofmt, go test -race (vectors, differential tests
#                   against otel-go, hostile input, threads), the example
#   make go-bench   the benchmark behind docs/benchmarks/go.md

GO ?= go
GO_DIR := bindings/go

BINDING_TESTS += go-test
VECTOR_RUNNERS += go
VECTORS_go := cd $(GO_DIR) && $(GO) test -count=1 -run TestVectors -v .
VECTOR_DEPS += go-deps

.PHONY: go-deps go-test go-bench

# The static library and the header the module links against, and the
# module's dependencies from the Go module proxy (versions pinned by go.sum).
go-deps: c-lib
	cd $(GO_DIR) && $(GO) mod download
	cd examples/go && $(GO) mod download

go-test: go-deps
	@test -z "$$(gofmt -l $(GO_DIR) examples/go)" || (gofmt -l $(GO_DIR) examples/go && echo "gofmt: files above need formatting" && false)
	cd $(GO_DIR) && $(GO) vet ./...
	cd $(GO_DIR) && $(GO) test -count=1 -race ./...
	cd examples/go && $(GO) vet ./... && $(GO) run . -selftest

go-bench: go-deps
	cd $(GO_DIR) && $(GO) test -run '^$$' -bench . -benchtime=1s -count=3 .
