#!/usr/bin/env bash
# test_import.sh - vigil import/export/get/list/stats end to end: bad input
# gets a clear error and leaves the store unchanged, --strict is all or
# nothing, re-imports change nothing, and a killed import never leaves the
# store half-written or damaged.
. "$(dirname "$0")/../lib.sh"
vg_setup cli_import
snapshot() { "$vigil" export --store "$db" --all-versions | tail -n +2 | sha256sum; }

ind() { # id suffix, modified
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2024-01-01T00:00:00.000Z","modified":"%s","pattern":"[domain-name:value = '"'"'evil.example'"'"']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}' "$1" "$2"
}
good="$tmp/good.json"
printf '{"type":"bundle","id":"bundle--6f1c2a3e-8a1b-4c5d-9e0f-1a2b3c4d5e6f","objects":[%s,%s,%s]}\n' \
    "$(ind 11111111-1111-4111-8111-111111111111 2024-01-01T00:00:00.000Z)" \
    "$(ind 11111111-1111-4111-8111-111111111111 2024-02-01T00:00:00.000Z)" \
    "$(ind 22222222-2222-4222-8222-222222222222 2024-01-01T00:00:00.000Z)" >"$good"

expect 0 "" "$vigil" import --store "$db" "$good"
grep -q "imported 3 new" "$tmp/out" && ok || bad "first import: $(cat "$tmp/out")"
expect 0 "" "$vigil" import --store "$db" "$good"
grep -q "imported 0 new.*3 already stored" "$tmp/out" && ok || bad "re-import: $(cat "$tmp/out")"
expect 0 "" "$vigil" get --store "$db" --version all indicator--11111111-1111-4111-8111-111111111111
[ "$(wc -l <"$tmp/out")" = 2 ] && ok || bad "get --version all gave $(wc -l <"$tmp/out") lines"
expect 0 "" "$vigil" get --store "$db" indicator--11111111-1111-4111-8111-111111111111
grep -q '2024-02-01' "$tmp/out" && ok || bad "get latest: $(cat "$tmp/out")"
expect 0 "" "$vigil" get --store "$db" --version first indicator--11111111-1111-4111-8111-111111111111
grep -q '"modified":"2024-01-01' "$tmp/out" && ok || bad "get first: $(cat "$tmp/out")"
expect 2 "no object" "$vigil" get --store "$db" indicator--99999999-1111-4111-8111-111111111111
expect 0 "" "$vigil" stats --store "$db" --json --check
grep -q '"versions":3' "$tmp/out" && ok || bad "stats: $(cat "$tmp/out")"
expect 2 "no store" "$vigil" stats --store "$tmp/none.db"
before=$(snapshot)

# Bad inputs: each is refused with a clear message and the store stays as it was.
printf '' >"$tmp/empty.json"
expect 2 "empty" "$vigil" import --store "$db" "$tmp/empty.json"
head -c 300 "$good" >"$tmp/truncated.json"
expect 2 "end of input" "$vigil" import --store "$db" "$tmp/truncated.json"
{ printf 'garbage:'; head -c 100000000 /dev/urandom; } >"$tmp/garbage.bin" # a fixed first byte: random ones may be '{' or space
expect 2 "expected '{'" "$vigil" import --store "$db" "$tmp/garbage.bin"
{ printf '{"type":"bundle","objects":['; printf '%.0s[' $(seq 10000); printf '%.0s]' $(seq 10000); printf ']}'; } >"$tmp/deep.json"
expect 2 "nesting deeper" "$vigil" import --store "$db" "$tmp/deep.json"
printf '{"type":"bundle","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--nope","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","pattern":"[a:b = 1]","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}' >"$tmp/badid.json"
expect 2 "indicator--nope" "$vigil" import --store "$db" "$tmp/badid.json"
printf '{"type":"bundle","objects":[{"type":"malware","spec_version":"2.1","id":"malware--33333333-3333-4333-8333-333333333333","created":"2024-13-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","name":"x","is_family":true}]}' >"$tmp/badtime.json"
expect 2 "created" "$vigil" import --store "$db" "$tmp/badtime.json"
printf '{"type":"bundle","objects":[{"type":"malware","spec_version":"2.1","id":"malware--33333333-3333-4333-8333-333333333333","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","name":42,"is_family":"yes"}]}' >"$tmp/badtypes.json"
expect 2 "\$.name" "$vigil" import --store "$db" "$tmp/badtypes.json"
[ "$(snapshot)" = "$before" ] && ok || bad "the store changed after bad input"

# Default mode imports the valid objects and lists the invalid ones; --strict imports nothing.
printf '{"type":"bundle","objects":[%s,{"type":"indicator","id":"indicator--x"}]}' \
    "$(ind 44444444-4444-4444-8444-444444444444 2024-01-01T00:00:00.000Z)" >"$tmp/mixed.json"
expect 2 "object 1 (indicator--x)" "$vigil" import --store "$db" --strict "$tmp/mixed.json"
[ "$(snapshot)" = "$before" ] && ok || bad "--strict imported something"
expect 2 "invalid" "$vigil" import --store "$db" --json "$tmp/mixed.json"
grep -q '"imported":1' "$tmp/out" && grep -q '"invalid":1' "$tmp/out" && ok || bad "mixed: $(cat "$tmp/out")"
grep -q '"path":"\$' "$tmp/err" && ok || bad "JSON issue list lacks a JSON path: $(head -c 400 "$tmp/err")"

# A folder, walked recursively, and export filters.
mkdir -p "$tmp/feeds/sub" && cp "$good" "$tmp/feeds/sub/a.stix2" && gzip -c "$tmp/mixed.json" >"$tmp/feeds/b.json.gz"
echo "not json" >"$tmp/feeds/README.txt"
expect 2 "" "$vigil" import --store "$tmp/f.db" "$tmp/feeds"
grep -q "imported 4 new object versions from 5 objects in 2 files" "$tmp/out" && ok || bad "folder: $(cat "$tmp/out")"
expect 0 "" "$vigil" export --store "$tmp/f.db" --type indicator --all-versions -o "$tmp/exp.json"
[ "$(grep -c '"type":"indicator"' "$tmp/exp.json")" = 4 ] && ok || bad "export --all-versions count"
expect 0 "" "$vigil" import --store "$tmp/g.db" "$tmp/exp.json"
grep -q "imported 4 new" "$tmp/out" && ok || bad "re-import of export: $(cat "$tmp/out")"

# Kill -9 in the middle of a large import: the store holds all of it or none of it, and is intact.
base=$("$vigil" stats --store "$db" --json | grep -o '"versions":[0-9]*' | head -1 | cut -d: -f2)
before=$(snapshot)
"$vigil" sample --seed 3 --indicators 150000 --no-relationships -o "$tmp/big.json" || bad "sample"
"$vigil" import --quiet --store "$tmp/full.db" "$tmp/big.json" || bad "import of the sample"
total=$("$vigil" stats --store "$tmp/full.db" --json | grep -o '"versions":[0-9]*' | head -1 | cut -d: -f2)
total=$((total + base))
for delay in 0.3 0.8 1.5; do
    "$vigil" import --quiet --store "$db" "$tmp/big.json" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if ! "$vigil" stats --store "$db" --check --json >"$tmp/st" 2>"$tmp/err"; then
        bad "store damaged after kill at ${delay}s: $(cat "$tmp/err")"; continue
    fi
    v=$(grep -o '"versions":[0-9]*' "$tmp/st" | head -1 | cut -d: -f2)
    if [ "$v" = "$base" ]; then
        [ "$(snapshot)" = "$before" ] && ok || bad "kill at ${delay}s: same count but changed content"
    elif [ "$v" = "$total" ]; then
        ok; break # the import had finished: nothing more to test
    else
        bad "kill at ${delay}s left $v versions (neither $base nor $total)"
    fi
done

vg_done
