#!/usr/bin/env bash
# taxii_wrk.sh BUILD [SECONDS] - `vigil serve` under wrk on 127.0.0.1: GET a
# page of 100 objects from a 100,000-object collection (the sample: TLP
# CLEAR, GREEN and AMBER objects, so the TLP rules filter rows), with a
# bearer token, wrk -t2 -c32 --latency for SECONDS (default 60), then the
# same for 10 s with the page cache off (every answer built from the store),
# then a walk of the whole collection by `next` cursors (each page asked
# once: nothing to reuse). Prints requests/s, p99, errors, the server's CPU
# time per request and its resident memory after a warm-up and at the end
# (growth over the run). Run by bench/run.sh; wrk is in deps/debian.txt.
set -euo pipefail
build=${1:-build}
seconds=${2:-${VIGIL_BENCH_WRK_SECONDS:-60}}
n=${VIGIL_BENCH_WRK_OBJECTS:-100000}
vigil="$build/vigil"
command -v wrk >/dev/null || { echo "bench taxii wrk: skipped (wrk is not installed; see deps/debian.txt)"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-wrk.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
db="$tmp/wrk.db"
ticks=$(getconf CLK_TCK)

"$vigil" sample --seed 7 --indicators "$n" --no-relationships -o "$tmp/sample.json"
"$vigil" import --quiet --store "$db" --collection bench "$tmp/sample.json"
rm -f "$tmp/sample.json"
cid=$("$vigil" collection list --store "$db" | awk '$2 == "bench" {print $1}')
"$vigil" user add bench --org identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa --no-password --store "$db" 2>/dev/null
"$vigil" collection grant bench bench read --store "$db"
tok=$("$vigil" token add bench --store "$db" 2>/dev/null)
objects=$("$vigil" stats --store "$db" --json | grep -o '"objects":[0-9]*' | head -1 | cut -d: -f2)

# serve CONFIG: starts the server with that config file, sets $pid and $port.
serve() {
    "$vigil" serve --store "$db" --listen 127.0.0.1:0 --quiet --config "$1" 2>"$tmp/serve.log" &
    pid=$!
    port=
    for _ in $(seq 200); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/serve.log" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "bench taxii wrk: the server did not start: $(cat "$tmp/serve.log")"; exit 1; }
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }

# run WHAT SECONDS [wrk args...]: wrk against the page URL, one line of figures.
run() {
    local what=$1 secs=$2
    shift 2
    local url="http://127.0.0.1:$port/api/collections/$cid/objects/?limit=100"
    # A short warm-up, so the resident size measured next is the steady one.
    wrk -t2 -c32 -d2s -H "Authorization: Bearer $tok" "$url" >/dev/null
    local c0 r0
    c0=$(cpu)
    r0=$(rss)
    wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer $tok" "$@" "$url" >"$tmp/wrk.out"
    local c1 r1 req rps p99 errs non2xx
    c1=$(cpu)
    r1=$(rss)
    req=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
    errs=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$tmp/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")
    printf 'bench taxii wrk %s: %s requests/s, p99 %s, %s errors, %s non-2xx, %s requests, server CPU %s us/request, RSS %s MB -> %s MB\n' \
        "$what" "$rps" "$p99" "${errs:-0}" "${non2xx:-0}" "$req" \
        "$(awk -v c=$((c1 - c0)) -v t="$ticks" -v r="$req" 'BEGIN {printf "%.0f", r ? c / t * 1e6 / r : 0}')" "$r0" "$r1"
}

echo "max_page = 1000" >"$tmp/cached.conf"
printf 'max_page = 1000\ncache = 0\n' >"$tmp/nocache.conf"
serve "$tmp/cached.conf"
run "GET page of 100 of $objects objects, ${seconds}s (target >= 10000/s, p99 < 20 ms, no errors, no growth)" "$seconds"
stop
serve "$tmp/nocache.conf"
run "GET page of 100 of $objects objects, page cache off, 10s" 10
stop

# The walk: every page once, following next (curl; sequential, so latency-bound).
serve "$tmp/cached.conf"
start=$(date +%s.%N)
c0=$(cpu)
next="" pages=0
while :; do
    url="http://127.0.0.1:$port/api/collections/$cid/objects/?limit=1000${next:+&next=$next}"
    curl -sf -H "Authorization: Bearer $tok" "$url" >"$tmp/page.json"
    pages=$((pages + 1))
    next=$(grep -o '"next":"[^"]*"' "$tmp/page.json" | cut -d'"' -f4 || true)
    [ -n "$next" ] || break
done
c1=$(cpu)
end=$(date +%s.%N)
printf 'bench taxii walk of %s objects by next, pages of 1000: %s pages in %.2f s, server CPU %.2f s\n' \
    "$objects" "$pages" "$(awk -v s="$start" -v e="$end" 'BEGIN {print e - s}')" "$(awk -v c=$((c1 - c0)) -v t="$ticks" 'BEGIN {print c / t}')"
stop
