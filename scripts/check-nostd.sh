#!/usr/bin/env bash
# Checks that the core's library code names neither `std` nor `alloc`. Unit
# test modules (`#[cfg(test)]`, by convention at the end of a file) may use
# std: they are compiled only for `cargo test`, never into the library.
set -euo pipefail
cd "$(dirname "$0")/.."
hits=$(for f in $(find core/src -name '*.rs' | sort); do
  awk -v f="$f" '/^[[:space:]]*#\[cfg\(test\)\]/ { exit } { print f ":" NR ": " $0 }' "$f"
done | grep -E '\b(extern crate (alloc|std)|alloc::|std::)' || true)
if [ -n "$hits" ]; then
  echo "core/src library code names alloc or std:"
  echo "$hits"
  exit 1
fi
grep -q '^#!\[no_std\]' core/src/lib.rs || { echo "core/src/lib.rs is not #![no_std]"; exit 1; }
