# uniffi bindings (Kotlin/JVM, Swift): regenerate and compare the committed
# bindings, smoke-test the Python generator, run the Maven tests on the JVM.

UNIFFI_OUT := target/uniffi-gen
MVN := mvn -q -B -Dstyle.color=never -Dnative.dir=$(CURDIR)/target/debug

.PHONY: uniffi-lib test-uniffi

uniffi-lib:
	bindings/uniffi/gen.sh $(UNIFFI_OUT) $(UNIFFI_OUT)/python
	cp target/debug/libtraceprop_uniffi.so $(UNIFFI_OUT)/python/

test-uniffi: uniffi-lib
	diff -r bindings/uniffi/generated $(UNIFFI_OUT) --exclude=python \
	  || (echo "generated bindings are stale: run bindings/uniffi/gen.sh bindings/uniffi/generated" && false)
	python3 bindings/uniffi/tests/smoke.py $(UNIFFI_OUT)/python
	cd bindings/uniffi/kotlin && $(MVN) test -Dtest='!VectorsTest'
	@if command -v swift >/dev/null; then echo "swift found: Swift tests are not written yet" && false; \
	  else echo "uniffi: no Swift toolchain on this machine; Swift bindings generated, not compiled"; fi

BINDING_TESTS += test-uniffi
VECTOR_DEPS += uniffi-lib
VECTOR_RUNNERS += kotlin
VECTORS_kotlin := cd bindings/uniffi/kotlin && $(MVN) test -Dtest=VectorsTest
