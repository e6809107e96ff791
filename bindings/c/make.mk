# bindings/c: the C ABI (libtraceprop.{a,so}), include/traceprop.h, the C
# tests and `make install`. See bindings/c/README.md.
#
#   make c-test            header drift check, C tests under ASan+UBSan and
#                          valgrind, the example, install + pkg-config + CMake
#   make c-header          regenerate include/traceprop.h (pinned cbindgen)
#   make install PREFIX=/usr/local   header, libs, pkg-config and CMake files

C_DIR := bindings/c
C_BUILD := target/c
C_LIB := target/release/libtraceprop.a
C_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
# What the Rust standard library in the static library needs
# (`cargo rustc --crate-type staticlib -- --print native-static-libs`).
C_PRIVATE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Iinclude
C_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite

# cbindgen is pinned and installed inside the project, so every machine
# generates the same header.
CBINDGEN_VERSION := 0.29.0
CBINDGEN := target/tools/cbindgen-$(CBINDGEN_VERSION)/bin/cbindgen

PREFIX ?= /usr/local

BINDING_TESTS += c-test
VECTOR_RUNNERS += c
VECTORS_c := $(C_BUILD)/vectors-asan
VECTOR_DEPS += c-vectors-bin

.PHONY: c-lib c-header c-header-check c-test c-vectors-bin c-example c-install-test install

$(CBINDGEN):
	$(CARGO) install -q cbindgen --version $(CBINDGEN_VERSION) --locked --root $(abspath target/tools/cbindgen-$(CBINDGEN_VERSION))

c-lib:
	$(CARGO) build -q --release -p traceprop-c

c-header: $(CBINDGEN)
	$(CBINDGEN) --quiet --config $(C_DIR)/cbindgen.toml --crate traceprop-c --output include/traceprop.h $(C_DIR)

# The committed header must be what the pinned cbindgen generates, and its
# TRACEPROP_VERSION must be the crate version.
c-header-check: $(CBINDGEN)
	@mkdir -p $(C_BUILD)
	$(CBINDGEN) --quiet --config $(C_DIR)/cbindgen.toml --crate traceprop-c --output $(C_BUILD)/traceprop.h $(C_DIR)
	@diff -u include/traceprop.h $(C_BUILD)/traceprop.h \
	  || (echo "include/traceprop.h is stale: run 'make c-header' and commit it" && false)
	@grep -q '^#define TRACEPROP_VERSION "$(C_VERSION)"$$' include/traceprop.h \
	  || (echo "TRACEPROP_VERSION in bindings/c/cbindgen.toml is not $(C_VERSION)" && false)

$(C_BUILD)/%-asan: $(C_DIR)/tests/%.c $(C_DIR)/tests/json.h include/traceprop.h c-lib
	@mkdir -p $(C_BUILD)
	$(CC) $(C_CFLAGS) $(C_SANITIZE) $< $(C_LIB) $(C_PRIVATE_LIBS) -o $@

$(C_BUILD)/%-plain: $(C_DIR)/tests/%.c $(C_DIR)/tests/json.h include/traceprop.h c-lib
	@mkdir -p $(C_BUILD)
	$(CC) $(C_CFLAGS) $< $(C_LIB) $(C_PRIVATE_LIBS) -o $@

c-vectors-bin: $(C_BUILD)/vectors-asan

c-test: c-header-check $(C_BUILD)/api-asan $(C_BUILD)/api-plain $(C_BUILD)/vectors-plain c-example c-install-test
	$(C_BUILD)/api-asan
	$(VALGRIND) $(C_BUILD)/api-plain
	$(VALGRIND) $(C_BUILD)/vectors-plain

c-example: c-lib
	@mkdir -p $(C_BUILD)
	$(CC) $(C_CFLAGS) $(C_SANITIZE) examples/c/reinject.c $(C_LIB) $(C_PRIVATE_LIBS) -o $(C_BUILD)/reinject
	$(C_BUILD)/reinject "tracecontext,baggage,b3,datadog" < examples/c/input.txt > $(C_BUILD)/reinject.out
	@grep -q '^  b3: 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1$$' $(C_BUILD)/reinject.out \
	  || (cat $(C_BUILD)/reinject.out && echo "examples/c/reinject printed no b3 header" && false)

install: c-lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/traceprop
	install -m 644 include/traceprop.h $(DESTDIR)$(PREFIX)/include/traceprop.h
	install -m 644 target/release/libtraceprop.a $(DESTDIR)$(PREFIX)/lib/libtraceprop.a
	install -m 755 target/release/libtraceprop.so $(DESTDIR)$(PREFIX)/lib/libtraceprop.so.$(C_VERSION)
	ln -sf libtraceprop.so.$(C_VERSION) $(DESTDIR)$(PREFIX)/lib/libtraceprop.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(C_VERSION)|' -e 's|@PRIVATE_LIBS@|$(C_PRIVATE_LIBS)|' \
	  $(C_DIR)/pkg/traceprop.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/traceprop.pc
	sed -e 's|@VERSION@|$(C_VERSION)|' -e 's|@CMAKE_PRIVATE_LIBS@|$(subst $(eval) ,;,$(patsubst -l%,%,$(C_PRIVATE_LIBS)))|' \
	  $(C_DIR)/pkg/traceprop-config.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/traceprop/traceprop-config.cmake
	sed -e 's|@VERSION@|$(C_VERSION)|' \
	  $(C_DIR)/pkg/traceprop-config-version.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/traceprop/traceprop-config-version.cmake

# Installs into a temporary prefix and builds the example against it with
# pkg-config and with CMake's find_package(traceprop).
C_PREFIX = $(abspath $(C_BUILD)/prefix)
c-install-test:
	rm -rf $(C_PREFIX) $(C_BUILD)/cmake
	$(MAKE) --no-print-directory install PREFIX=$(C_PREFIX)
	$(CC) examples/c/reinject.c $$(PKG_CONFIG_PATH=$(C_PREFIX)/lib/pkgconfig pkg-config --cflags --libs traceprop) \
	  -Wl,-rpath,$(C_PREFIX)/lib -o $(C_BUILD)/reinject-pc
	cmake -S $(C_DIR)/tests/cmake -B $(C_BUILD)/cmake -DCMAKE_PREFIX_PATH=$(C_PREFIX) -DCMAKE_BUILD_RPATH=$(C_PREFIX)/lib > /dev/null
	cmake --build $(C_BUILD)/cmake > /dev/null
	@for bin in $(C_BUILD)/reinject-pc $(C_BUILD)/cmake/reinject_shared $(C_BUILD)/cmake/reinject_static; do \
	  $$bin "tracecontext,b3" < examples/c/input.txt | grep -q '^  b3: 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1$$' \
	    || { echo "$$bin: wrong output"; exit 1; }; \
	done
	@ldd $(C_BUILD)/reinject-pc | grep -q 'libtraceprop.so.$(C_VERSION)' || (echo "reinject-pc is not linked to the shared library" && false)
