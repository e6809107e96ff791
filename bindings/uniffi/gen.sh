#!/usr/bin/env bash
# Regenerates the committed Kotlin and Swift bindings (and a throw-away Python
# one, as a smoke test of the generator) from the built library, in uniffi's
# library mode. Usage: gen.sh <out-dir> [<python-out-dir>]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p traceprop-uniffi --features cli
lib=$target/debug/libtraceprop_uniffi.so
bindgen=$target/debug/uniffi-bindgen
rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate --no-format --library "$lib" --language kotlin --out-dir "$out/kotlin" >/dev/null
"$bindgen" generate --no-format --library "$lib" --language swift --out-dir "$out/swift" >/dev/null
if [ $# -gt 1 ]; then
  "$bindgen" generate --no-format --library "$lib" --language python --out-dir "$2" >/dev/null
fi
