#!/usr/bin/env bash
# Runs conformance-vector runners over $TRACEPROP_VECTORS (default
# tests/vectors). Arguments are `label=command` pairs; each command must print
# the closing line "<label>: N passed, M failed". Prints that line (and any
# "FAIL ..." lines) per runner; exits non-zero if any runner failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export TRACEPROP_VECTORS="${TRACEPROP_VECTORS:-$PWD/tests/vectors}"
case "$TRACEPROP_VECTORS" in /*) ;; *) TRACEPROP_VECTORS="$PWD/$TRACEPROP_VECTORS" ;; esac
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for runner in "$@"; do
  label=${runner%%=*}
  cmd=${runner#*=}
  if ! bash -c "$cmd" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' >"$log"; then status=1; fi
  grep -E '^FAIL ' "$log" || true
  if ! grep -E "^$label: [0-9]+ passed, [0-9]+ failed$" "$log"; then
    echo "$label: runner did not finish (last output follows)"
    tail -n 30 "$log"
    status=1
  fi
done
exit $status
