# libtraceprop: one entry point for building, testing and demonstrating.
#   make demo    - the main job (README)
#   make test    - everything CI runs: lint, unit/property/no-alloc tests,
#                  every binding's tests, every vector runner
#   make vectors - every binding's conformance runner, one closing line each;
#                  TRACEPROP_VECTORS=dir make vectors runs another directory
#
# Each binding adds itself in bindings/<name>/make.mk: a test target appended
# to BINDING_TESTS, its label appended to VECTOR_RUNNERS with the runner's
# command in VECTORS_<label> (it prints "<label>: N passed, M failed"), and
# any set-up target the runner needs appended to VECTOR_DEPS.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

BINDING_TESTS :=
VECTOR_DEPS :=
VECTOR_RUNNERS := rust
VECTORS_rust := $(CARGO) test -q -p traceprop --test vectors -- --nocapture

include $(sort $(wildcard bindings/*/make.mk)) $(wildcard fuzz/make.mk examples/demo/make.mk)

.PHONY: demo test lint nostd rust-test vectors bench

demo: demo-build
	python3 examples/demo/run.py $(DEMO_ARGS)

test: lint nostd rust-test $(BINDING_TESTS) vectors

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The core must stay no_std without alloc: its sources may not name either
# crate, and its only normal dependency is thiserror without default features.
nostd:
	scripts/check-nostd.sh
	$(CARGO) build -q -p traceprop --no-default-features
	@test "$$($(CARGO) tree -q -p traceprop -e normal,no-proc-macro --prefix none | sort -u | cut -d' ' -f1 | tr '\n' ' ')" = "thiserror traceprop " \
	  || ($(CARGO) tree -p traceprop -e normal && echo "unexpected core dependency" && false)

rust-test:
	$(CARGO) test --workspace

vectors: $(VECTOR_DEPS)
	@scripts/vectors.sh $(foreach r,$(VECTOR_RUNNERS),'$(r)=$(VECTORS_$(r))')

# Every binding's benchmark target is a prerequisite (bench-rust, ...).
bench:
