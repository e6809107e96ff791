# Python binding (bindings/python): a virtualenv under target/, the package
# built from source by maturin (pip's PEP 517 build, sharing cargo's target/),
# then pytest: API, hostile input, stubs, OpenTelemetry adapter, differential
# tests against opentelemetry-python and ddtrace, the W3C service example, and
# the conformance vectors.
#
#   make python-setup   venv + pinned test deps + `pip install bindings/python[opentelemetry]`
#   make python-test    all of the binding's tests
#   make python-bench   the benchmark in docs/benchmarks/python.md

PYTHON ?= python3
PY_DIR := bindings/python
PY_VENV := target/python-venv
PY_BIN := $(CURDIR)/$(PY_VENV)/bin
PY_RUN := PATH="$(PY_BIN):$$PATH" CARGO_TARGET_DIR="$(CURDIR)/target"
PY_SOURCES := $(PY_DIR)/Cargo.toml $(PY_DIR)/pyproject.toml \
  $(wildcard $(PY_DIR)/src/*.rs $(PY_DIR)/python/traceprop/*) \
  $(wildcard core/Cargo.toml core/src/*.rs core/src/*/*.rs core/src/*/*/*.rs)

.PHONY: python-setup python-test python-bench

python-setup: $(PY_VENV)/.installed

$(PY_VENV)/.deps: $(PY_DIR)/requirements-test.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_BIN)/python -m pip install -q --upgrade pip
	$(PY_BIN)/python -m pip install -q -r $(PY_DIR)/requirements-test.txt
	touch $@

$(PY_VENV)/.installed: $(PY_VENV)/.deps $(PY_SOURCES)
	$(PY_RUN) $(PY_BIN)/python -m pip install -q --no-build-isolation "./$(PY_DIR)[opentelemetry]"
	touch $@

python-test: python-setup
	cd $(PY_DIR) && $(PY_RUN) $(PY_BIN)/python -m pytest -q tests

python-bench: python-setup
	$(PY_RUN) $(PY_BIN)/python $(PY_DIR)/benchmarks/bench.py

BINDING_TESTS += python-test
VECTOR_DEPS += python-setup
VECTOR_RUNNERS += python
VECTORS_python := cd $(PY_DIR) && $(PY_BIN)/python -m pytest -q tests/test_vectors.py
