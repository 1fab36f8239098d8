#!/usr/bin/env bash
# scan_vs_grep.sh BUILD [STORE] - vigil scan end to end against `grep -F -c -f`
# on the same files: a generated corpus (BENCH_CORPUS_MB, default 1024 MB of
# mixed proxy, DNS and JSON lines with planted hits and near-misses) and
# 10,000 / 100,000 / 1,000,000 indicators. For each set: the index compiled
# from the bundle and saved (vigil index build), loaded (vigil index info),
# and the scan with the saved index, warm cache, checked against the planted
# hits (every planted line found, no other line: the near-misses
# "not<domain>" and hashes inside longer hex runs must not hit); then grep -F
# -c -f with the same values and the ratio. With STORE (a store holding a
# million indicators) it also times building the index from the store.
# BENCH_GREP=0 skips grep (137 s at a million on this machine). Vectorscan literal matching
# (bench_vectorscan: compile, then one scan of the mapped corpus, lines counted like grep -c) runs
# beside it; BENCH_VECTORSCAN=0 skips it (about a minute and 2 GB to compile a million).
set -euo pipefail
build=${1:-build}
store=${2:-}
vigil="$build/vigil"
mb=${BENCH_CORPUS_MB:-1024}
dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-scanbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# timed NAME CMD...: wall seconds and max RSS of CMD (its stdout kept in $dir/out).
timed() {
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    read -r wall rss usr sys < <(tail -n 1 "$dir/time") # the last line: time adds one for a non-zero exit
    printf 'bench %s: %s s wall, %s s CPU, %d MB max RSS\n' "$name" "$wall" \
        "$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')" $((rss / 1024))
    return $rc
}

"$build/bench_scan" --corpus "$dir" "$mb"
bytes=$(stat -c %s "$dir/corpus.log")
cat "$dir/corpus.log" >/dev/null # warm the page cache
start=$(date +%s.%N); cat "$dir/corpus.log" >/dev/null; end=$(date +%s.%N)
printf 'bench scan-e2e corpus: %d MB, %d planted hits; cat reads it in %.2f s\n' $((bytes / 1000000)) \
    "$(wc -l <"$dir/planted.txt")" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"

if [ -n "$store" ] && [ -f "$store" ]; then
    timed "scan-e2e index build from the store (1,000,000 indicators; target < 2 s, < 300 MB)" \
        "$vigil" index build --store "$store" -o "$dir/store.idx" || { tail -3 "$dir/err"; }
    rm -f "$dir/store.idx"
fi

for n in 10000 100000 1000000; do
    timed "scan-e2e index build from a bundle, $n indicators" \
        "$vigil" index build --iocs "$dir/ind-$n.json" -o "$dir/ind.idx" || { tail -3 "$dir/err"; continue; }
    "$vigil" index info "$dir/ind.idx" | head -1 | sed 's/^/bench scan-e2e index load: /'
    "$vigil" scan --index "$dir/ind.idx" --no-record --json "$dir/corpus.log" >/dev/null 2>&1 || true # warm
    set +e
    timed "scan-e2e vigil scan 1 GB-class corpus, $n indicators" \
        "$vigil" scan --index "$dir/ind.idx" --no-record --json "$dir/corpus.log"
    rc=$?
    set -e
    read -r vwall _ < <(tail -n 1 "$dir/time")
    grep -o '"line":[0-9]*' "$dir/out" | cut -d: -f2 | sort -un >"$dir/hitlines"
    sort -un "$dir/planted.txt" >"$dir/want"
    missed=$(comm -13 "$dir/hitlines" "$dir/want" | wc -l)
    extra=$(comm -23 "$dir/hitlines" "$dir/want" | wc -l)
    printf 'bench scan-e2e vigil %d indicators: %.2f GB/s, exit %d, %d planted lines missed, %d other lines hit%s\n' \
        "$n" "$(awk -v b="$bytes" -v t="$vwall" 'BEGIN { print b / 1e9 / t }')" "$rc" "$missed" "$extra" \
        "$([ "$missed" = 0 ] && [ "$extra" = 0 ] && echo " (exact)" || echo " (WRONG)")"
    if [ "${BENCH_GREP:-1}" != 0 ]; then
        set +e
        timed "scan-e2e grep -F -c -f, $n values" grep -F -c -f "$dir/ind-$n.txt" "$dir/corpus.log"
        set -e
        read -r gwall _ < <(tail -n 1 "$dir/time")
        printf 'bench scan-e2e grep %d values: %s matching lines (near-misses included); vigil is %.1fx faster\n' \
            "$n" "$(cat "$dir/out")" "$(awk -v g="$gwall" -v v="$vwall" 'BEGIN { print g / v }')"
    fi
    if [ "${BENCH_VECTORSCAN:-1}" != 0 ] && [ -x "$build/bench_vectorscan" ]; then
        set +e
        timed "scan-e2e vectorscan (compile + scan), $n values" "$build/bench_vectorscan" "$dir/ind-$n.txt" "$dir/corpus.log"
        set -e
        read -r hwall _ < <(tail -n 1 "$dir/time")
        cat "$dir/out"
        printf 'bench scan-e2e vectorscan %d values: vigil is %.1fx faster end to end (compile included)\n' \
            "$n" "$(awk -v g="$hwall" -v v="$vwall" 'BEGIN { print g / v }')"
    fi
done
rm -f "$dir/ind.idx"
