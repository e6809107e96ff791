# fuzz/: libFuzzer targets for every parser of the core, and the Miri check
# of the C binding. See docs/fuzzing.md.
#
#   make fuzz         every target under libFuzzer for FUZZ_SECONDS each
#                     (default 60; nightly toolchain, pinned cargo-fuzz
#                     installed into target/tools on first use)
#   make fuzz-smoke   the same target bodies as stable tests over the seed
#                     corpus and random mutations (part of `make test`)
#   make fuzz-corpus  write the seed corpus from the vectors to fuzz/corpus/
#   make miri         the C binding's Rust tests under Miri, when installed

FUZZ_SECONDS ?= 60
FUZZ_SANITIZER ?= none
FUZZ_TARGETS ?= $(basename $(notdir $(wildcard fuzz/fuzz_targets/*.rs)))
CARGO_FUZZ_VERSION := 0.13.2
CARGO_FUZZ := target/tools/cargo-fuzz-$(CARGO_FUZZ_VERSION)/bin/cargo-fuzz
# The fuzz crate is its own workspace (excluded from the root one).
FUZZ_CARGO_ARGS := --manifest-path fuzz/Cargo.toml --target-dir target/fuzz --locked

BINDING_TESTS += fuzz-smoke

.PHONY: fuzz fuzz-smoke fuzz-corpus miri

$(CARGO_FUZZ):
	$(CARGO) install -q cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --root $(abspath target/tools/cargo-fuzz-$(CARGO_FUZZ_VERSION))

fuzz-corpus:
	$(CARGO) run -q $(FUZZ_CARGO_ARGS) --no-default-features --features seed-corpus --bin seed-corpus -- tests/vectors fuzz/corpus

fuzz-smoke:
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) clippy -q $(FUZZ_CARGO_ARGS) --no-default-features --all-targets -- -D warnings
	$(CARGO) test -q $(FUZZ_CARGO_ARGS) --no-default-features

fuzz: fuzz-corpus $(CARGO_FUZZ)
	@$(CARGO) +nightly --version >/dev/null 2>&1 \
	  || (echo "fuzz: needs a nightly toolchain ('cargo +nightly'); see docs/fuzzing.md" && false)
	@CARGO_FUZZ=$(CARGO_FUZZ) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SANITIZER=$(FUZZ_SANITIZER) \
	  FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzz/run.sh

# Miri is a rustup component; where it is missing (it cannot be downloaded
# on every machine) this says so and claims nothing.
miri:
	@if $(CARGO) +nightly miri --version >/dev/null 2>&1; then \
	  $(CARGO) +nightly miri test -p traceprop-c --lib; \
	else \
	  echo "miri: NOT RUN: 'cargo +nightly miri' is not installed on this machine"; \
	  echo "miri: (rustup component add --toolchain nightly miri). No Miri result is claimed;"; \
	  echo "miri: the C binding's unsafe code is checked under ASan/UBSan and valgrind (make c-test)."; \
	fi
