#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD for SECONDS each, with a corpus seeded
# from fuzz/seeds/<target>/ when there is one. A crash fails the run and keeps
# the reproducer in fuzz/corpus-<target>/../crash-*.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
shopt -s nullglob
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus="$build/corpus-$name"
    mkdir -p "$corpus"
    seeds=()
    [ -d "$here/seeds/$name" ] && seeds=("$here/seeds/$name")
    echo "fuzz: $name for ${seconds}s"
    if ! "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/$name-" -print_final_stats=0 "$corpus" "${seeds[@]}" >"$build/$name.log" 2>&1; then
        echo "fuzz: $name FAILED; last lines of $build/$name.log:"
        tail -40 "$build/$name.log"
        status=1
    else
        grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$build/$name.log" | tail -1 || true
    fi
done
exit $status
