# Node binding (bindings/node, npm package `traceprop`): npm dependencies from
# the committed package-lock.json, the native addon built from source into the
# shared cargo target/, then `node --test` (vectors, differential, types,
# hostile input, API, OpenTelemetry). `make node-bench` runs the benchmark.
NODE_DIR := bindings/node
NPM ?= npm
NODE ?= node

.PHONY: node-deps node-build node-test node-bench

# `npm ci` only when the lock file changed; scripts are not run here (the
# addon is built by node-build, and no dependency needs an install step).
$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && $(NPM) ci --ignore-scripts --no-audit --no-fund

node-deps: $(NODE_DIR)/node_modules/.package-lock.json

node-build: node-deps
	cd $(NODE_DIR) && CARGO_TARGET_DIR=$(CURDIR)/target $(NODE) scripts/build.js

node-test: node-build
	cd $(NODE_DIR) && CARGO_TARGET_DIR=$(CURDIR)/target $(NODE) --test test/*.test.js

node-bench: node-build
	cd $(NODE_DIR) && $(NODE) bench/bench.js

BINDING_TESTS += node-test
VECTOR_RUNNERS += node
VECTORS_node := $(NODE) $(NODE_DIR)/test/vectors.js
VECTOR_DEPS += node-build
