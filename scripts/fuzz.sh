#!/usr/bin/env bash
# Fuzzes every parser a stranger can feed Faro for a bounded time (ADR 0017).
#
#   scripts/fuzz.sh [seconds-per-target]        (default 20)
#
# Builds the cargo-fuzz targets in fuzz/ (nightly; installed when missing), then runs each
# target from its committed seed corpus (fuzz/corpus/<target>, not modified: new inputs go to
# a scratch directory) with libFuzzer's limits: -max_total_time, -rss_limit_mb=1024 and
# -timeout=10 seconds per input. FARO_FUZZ_JOBS targets run at once (default 2).
# Fails when any target crashes, hangs or runs out of memory; the input is kept in
# fuzz/artifacts/<target>/ (minimise it with `cargo +nightly fuzz tmin <target> <file>` and
# commit it to fuzz/regressions/<target>/, which tests/fuzz_corpus.rs replays on stable).
set -euo pipefail

secs="${1:-20}"
jobs="${FARO_FUZZ_JOBS:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# No sanitizer: the code fuzzed is safe Rust (ASan would double the time for little);
# debug assertions and overflow checks stay on (cargo-fuzz's default without -O).
build=(cargo +nightly fuzz build --sanitizer none)
start=$(date +%s)
"${build[@]}" >"$root/fuzz/build.log" 2>&1 || { cat "$root/fuzz/build.log"; echo "fuzz: build failed" >&2; exit 1; }
echo "fuzz: built in $(($(date +%s) - start)) s; ${secs} s per target, ${jobs} at a time"

mapfile -t targets < <(cargo +nightly fuzz list)
work="$(mktemp -d "${TMPDIR:-/tmp}/faro-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

run_one() {
    local t="$1"
    mkdir -p "$work/$t" "$root/fuzz/artifacts/$t"
    # The scratch directory first: libFuzzer writes what it finds to the first corpus.
    cargo +nightly fuzz run --sanitizer none "$t" "$work/$t" "$root/fuzz/corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$root/fuzz/artifacts/$t/" >"$work/$t.log" 2>&1
    echo $? >"$work/$t.rc"
}

for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
    set +e
    run_one "$t" &
    set -e
done
wait

failed=0
printf '%-16s %-8s %12s %8s  %s\n' target result runs cov artifact
for t in "${targets[@]}"; do
    rc="$(cat "$work/$t.rc" 2>/dev/null || echo 1)"
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)"
    cov="$(grep -o 'cov: [0-9]*' "$work/$t.log" | tail -1 | cut -d' ' -f2)"
    artifact="$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$work/$t.log" | tail -1)"
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result=FAILED
        failed=1
        cp "$work/$t.log" "$root/fuzz/artifacts/$t/last-run.log"
        grep -E 'panicked|ERROR|SUMMARY|deadly|timeout|out-of-memory' "$work/$t.log" | head -5 >&2 || true
    fi
    printf '%-16s %-8s %12s %8s  %s\n' "$t" "$result" "${runs:-?}" "${cov:-?}" "${artifact:--}"
done
echo "fuzz: $((${#targets[@]})) targets in $(($(date +%s) - start)) s"
exit "$failed"
