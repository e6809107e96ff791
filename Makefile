# libtraceprop: one entry point for building, testing and demonstrating.
#   make demo   - the main job (README)
#   make test   - everything CI runs: lint, unit/property/no-alloc tests, vectors
#   make vectors - every binding's conformance runner, one closing line each
#   TRACEPROP_VECTORS=dir make vectors - run another directory of vectors

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: demo test lint nostd rust-test vectors bench

demo:
	$(CARGO) run -q -p traceprop --example reinject

test: lint nostd rust-test vectors

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The core must stay no_std without alloc: it may not name either crate, and
# its only normal dependency is thiserror without default features.
nostd:
	@! grep -rnE '\b(extern crate (alloc|std)|alloc::|std::)' core/src \
	  || (echo "core/src names alloc or std" && false)
	@grep -q '^#!\[no_std\]' core/src/lib.rs
	$(CARGO) build -q -p traceprop --no-default-features
	@test "$$($(CARGO) tree -q -p traceprop -e normal,no-proc-macro --prefix none | sort -u | cut -d' ' -f1 | tr '\n' ' ')" = "thiserror traceprop " \
	  || ($(CARGO) tree -p traceprop -e normal && echo "unexpected core dependency" && false)

rust-test:
	$(CARGO) test --workspace

vectors:
	@scripts/vectors.sh

bench:
	$(CARGO) bench -p traceprop
