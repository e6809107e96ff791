#!/usr/bin/env bash
# Checks that nothing in the core's sources names `std` or `alloc` (tests that
# need std live in core/tests/), and that the crate is `#![no_std]`.
set -euo pipefail
cd "$(dirname "$0")/.."
if grep -rnE '\b(extern crate (alloc|std)|alloc::|std::)' core/src; then
  echo "core/src names alloc or std"
  exit 1
fi
grep -q '^#!\[no_std\]' core/src/lib.rs || { echo "core/src/lib.rs is not #![no_std]"; exit 1; }
