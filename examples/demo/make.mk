# The demo (`make demo`, README's main job): a polyglot chain of real HTTP
# services on loopback, each on its own binding. See examples/demo/run.py.
#
#   make demo                      run the chain, print the trace and a verdict
#   make demo DEMO_ARGS=--broken   compare with a naive gateway, side by side

DEMO_OUT := target/demo
DEMO_ARGS ?=
DEMO_JVM := $(DEMO_OUT)/jvm
DEMO_MVN := mvn -q -B -Dstyle.color=never

.PHONY: demo-build demo-test demo-jvm

demo-build: c-lib python-setup node-build uniffi-lib demo-jvm examples/demo/node/node_modules/.package-lock.json
	$(CARGO) build -q -p traceprop-demo-gateway
	@mkdir -p $(DEMO_OUT)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -Iinclude examples/demo/hop.c \
	  $(C_LIB) $(C_PRIVATE_LIBS) -o $(DEMO_OUT)/hop-c
	cd examples/demo/hop-go && go build -o $(CURDIR)/$(DEMO_OUT)/hop-go .

examples/demo/node/node_modules/.package-lock.json: examples/demo/node/package.json examples/demo/node/package-lock.json
	cd examples/demo/node && npm ci --ignore-scripts --no-audit --no-fund

# The JVM hop: plain Java against the Kotlin binding's jar and JNA.
demo-jvm: uniffi-lib
	@mkdir -p $(DEMO_JVM)/classes
	cd bindings/uniffi/kotlin && $(DEMO_MVN) package -DskipTests \
	  && $(DEMO_MVN) dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=$(CURDIR)/$(DEMO_JVM)/deps
	echo "$(CURDIR)/bindings/uniffi/kotlin/target/traceprop-0.1.0.jar:$$(cat $(DEMO_JVM)/deps)" > $(DEMO_JVM)/classpath
	javac -d $(DEMO_JVM)/classes -cp "$$(cat $(DEMO_JVM)/classpath)" examples/demo/jvm/Hop.java

# The demo must keep the trace whole, and the naive gateway must visibly break it.
demo-test: demo-build
	python3 examples/demo/run.py
	python3 examples/demo/run.py --broken

BINDING_TESTS += demo-test
