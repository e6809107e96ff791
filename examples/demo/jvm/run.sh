#!/usr/bin/env bash
# Starts the demo's JVM hop (built by `make demo-build`): run.sh <port>
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/target/demo/jvm
exec java -Djna.library.path="$root/target/debug" -cp "$out/classes:$(cat "$out/classpath")" dev.traceprop.demo.Hop "$@"
