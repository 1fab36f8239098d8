#!/usr/bin/env bash
# Benchmarks: prints one line per figure, "bench <area> <what>: <figure> <unit>".
# Uses ../shared/data when present (ATT&CK import); generates the rest itself.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
vigil="$build/vigil"
export VIGIL_SHARED=${VIGIL_SHARED:-$root/../shared}
shared=$VIGIL_SHARED
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: runs CMD under /usr/bin/time, prints wall seconds and max RSS.
measure() {
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench $name: FAILED"; tail -5 "$tmp/err"; return 1; }
    read -r wall rss <"$tmp/time"
    printf 'bench %s: %s s wall, %d MB max RSS\n' "$name" "$wall" $((rss / 1024))
}

echo "vigil benchmarks on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

ent="$shared/data/attack/enterprise-attack-18.1.stix20.json.gz"
if [ -f "$ent" ]; then
    measure "import attack-enterprise-18.1 (24,771 objects, STIX 2.0 gz, target < 1.5 s, < 200 MB)" \
        "$vigil" import --quiet --store "$tmp/attack.db" "$ent"
else
    echo "bench import attack-enterprise: skipped ($ent missing)"
fi

n=${BENCH_INDICATORS:-1000000}
"$vigil" sample --indicators "$n" --no-relationships -o "$tmp/big.json"
printf 'bench generated bundle: %s indicators, %d MB\n' "$n" $(( $(stat -c %s "$tmp/big.json") / 1048576 ))
measure "import $n indicators (target < 20 s, < 500 MB)" \
    "$vigil" import --quiet --store "$tmp/big.db" "$tmp/big.json"
rm -f "$tmp/big.json"
for b in "$build"/bench_*; do
    [ -x "$b" ] || continue
    case $b in */bench_vectorscan) continue ;; esac # run by scan_vs_grep.sh on its files
    VIGIL_BENCH_STORE="$tmp/big.db" "$b"
done
# vigil scan end to end against grep -F on a 1 GB corpus (BENCH_CORPUS_MB), and the index of the
# million-indicator store built above
"$root/bench/scan_vs_grep.sh" "$build" "$tmp/big.db"
# vigil serve under wrk: 100,000 objects, 60 s (VIGIL_BENCH_WRK_SECONDS), memory before and after.
bash "$root/bench/taxii_wrk.sh" "$build"
