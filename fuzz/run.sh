#!/bin/sh
# Runs every fuzz target under libFuzzer for a bounded time and prints one
# line per target: seconds, executions, corpus size, and PASS, CRASH (a
# finding) or ERROR (it did not run, e.g. the build failed).
# Called by `make fuzz` (docs/fuzzing.md), which sets:
#   CARGO_FUZZ      the pinned cargo-fuzz binary
#   FUZZ_SECONDS    seconds per target
#   FUZZ_SANITIZER  cargo-fuzz --sanitizer value
#   FUZZ_TARGETS    the targets to run
# Exits non-zero when any target crashed (the input is in
# fuzz/artifacts/<target>/) or could not run.
set -u

: "${CARGO_FUZZ:?}" "${FUZZ_SECONDS:?}" "${FUZZ_SANITIZER:?}" "${FUZZ_TARGETS:?}"
export RUSTUP_TOOLCHAIN=nightly
# fuzz <build|run> [args]: cargo-fuzz with the project's options first.
fuzz() {
	sub=$1
	shift
	"$CARGO_FUZZ" fuzz "$sub" --fuzz-dir fuzz --target-dir target/fuzz-libfuzzer \
		--sanitizer "$FUZZ_SANITIZER" "$@"
}

fuzz build || exit 1
logs=target/fuzz-libfuzzer/logs
mkdir -p "$logs"
failed=0
summary=""
for t in $FUZZ_TARGETS; do
	mkdir -p "fuzz/corpus/$t"
	log="$logs/$t.log"
	echo "fuzz: $t for ${FUZZ_SECONDS}s"
	mkdir -p "fuzz/artifacts/$t"
	before=$(find "fuzz/artifacts/$t" -type f | wc -l)
	# -timeout: an input that takes 10 s is a hang (super-linear work).
	if fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$FUZZ_SECONDS" \
		-timeout=10 -print_final_stats=1 >"$log" 2>&1; then
		status=PASS
	else
		# A new artifact is a finding; no artifact means it did not run.
		after=$(find "fuzz/artifacts/$t" -type f | wc -l)
		[ "$after" -gt "$before" ] && status=CRASH || status=ERROR
		failed=1
		tail -n 40 "$log"
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
	summary="$summary$(printf '%-22s %4ss %12s execs %6s corpus  %s' \
		"$t" "$FUZZ_SECONDS" "${execs:-?}" "$corpus" "$status")
"
done
printf '\n%s' "$summary"
if [ "$failed" -eq 0 ]; then
	echo "fuzz: every target passed"
else
	echo "fuzz: failed: crash inputs are in fuzz/artifacts/<target>/, logs in $logs/"
fi
exit "$failed"
