#!/usr/bin/env bash
# Runs every binding's conformance-vector runner over $TRACEPROP_VECTORS
# (default tests/vectors) and prints one closing line per binding:
# "<binding>: N passed, M failed". Exits non-zero if any runner failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export TRACEPROP_VECTORS="${TRACEPROP_VECTORS:-$PWD/tests/vectors}"
case "$TRACEPROP_VECTORS" in /*) ;; *) TRACEPROP_VECTORS="$PWD/$TRACEPROP_VECTORS" ;; esac
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # label, command...
  local label=$1; shift
  if ! "$@" >"$log" 2>&1; then status=1; fi
  grep -E '^FAIL ' "$log" || true
  if ! grep -E "^$label: [0-9]+ passed, [0-9]+ failed$" "$log"; then
    echo "$label: runner did not finish (output follows)"; tail -n 30 "$log"; status=1
  fi
}

run rust cargo test -q -p traceprop --test vectors -- --nocapture
exit $status
