# bindings/opentelemetry: the OpenTelemetry Rust TextMapPropagator adapter
# (crate traceprop-opentelemetry). Its tests (against the real
# opentelemetry_sdk) run with `cargo test --workspace` (make rust-test), so
# no test target is added here.
#
#   make bench-rust   criterion: traceprop's composite vs OpenTelemetry Rust's
#                     propagators, ns/op and allocations/op
#                     (docs/benchmarks/rust.md); also part of `make bench`

.PHONY: bench-rust
bench-rust:
	$(CARGO) bench -p traceprop-opentelemetry --bench propagators

bench: bench-rust
