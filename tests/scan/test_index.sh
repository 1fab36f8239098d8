#!/usr/bin/env bash
# test_index.sh - vigil index build|info: an index compiled from the store or
# from bundles is saved, says where it came from and what it holds, finds the
# same hits as a freshly compiled one, and is reported out of date (info exit
# 1, a scan warning) once the store has indicators it lacks; damaged, missing
# and wrong arguments are clear errors with exit 2.
. "$(dirname "$0")/../lib.sh"
vg_setup scan_index
cd "$tmp" || exit 1

"$vigil" sample --seed 11 --indicators 300 -o sample.json 2>/dev/null || bad "sample"
expect 0 "" "$vigil" import --quiet --store "$db" sample.json
# evidence with hits: the values of a few of the sample's domain and address indicators
grep -o "\(domain-name\|ipv4-addr\):value = '[^']*'" sample.json | head -20 | cut -d"'" -f2 |
    sed 's/^/seen /' >ev.log
[ -s ev.log ] && ok || bad "no indicator values in the sample"

expect 0 "built" "$vigil" index build --store "$db" -o s.idx
expect 0 "from store $db" "$vigil" index info --store "$db" s.idx
expect 0 "up to date with the store" "$vigil" index info --store "$db" s.idx
expect 0 '"indicators_added_since":0' "$vigil" index info --json --store "$db" s.idx
grep -q '"source":"store '"$db"'"' out && grep -q '"keys_by_kind":{' out && ok || bad "info --json: $(cat out)"
# the saved index finds what a freshly compiled one finds
"$vigil" scan --no-record --store "$db" --json ev.log 2>/dev/null | sort >fresh.txt
"$vigil" scan --no-record --store "$db" --index s.idx --json ev.log 2>/dev/null | sort >saved.txt
[ -s fresh.txt ] && cmp -s fresh.txt saved.txt && ok || bad "saved index hits differ: $(diff fresh.txt saved.txt | head)"

# the store moves on: info says so (exit 1) and a scan with the old index warns
"$vigil" sample --seed 12 --indicators 50 -o more.json 2>/dev/null
expect 0 "" "$vigil" import --quiet --store "$db" more.json
expect 1 "out of date" "$vigil" index info --store "$db" s.idx
expect 1 "added to the store after the index" "$vigil" scan --store "$db" --index s.idx ev.log
expect 0 "up to date" sh -c "'$vigil' index build --store '$db' -o s.idx >/dev/null && '$vigil' index info --store '$db' s.idx"

# from bundles, without a store
expect 0 "from file sample.json" "$vigil" index build --iocs sample.json -o b.idx
expect 0 "indicators: " "$vigil" index info b.idx
if grep -q "up to date\|out of date" out; then bad "an index from files compared with a store"; else ok; fi
expect 1 "" "$vigil" scan --index b.idx ev.log

# versions in bundles: the latest modified wins whatever the order; a revoked later version removes it
ind() { # id-suffix modified value [revoked]
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2024-01-01T00:00:00.000Z","modified":"%s","pattern":"[domain-name:value = '"'"'%s'"'"']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"%s}' \
        "$1" "$2" "$3" "${4:+,\"revoked\":true}"
}
u1=11111111-1111-4111-8111-111111111111 u2=22222222-2222-4222-8222-222222222222
printf '[%s,%s,%s,%s]\n' "$(ind $u1 2024-03-01T00:00:00.000Z new.test)" "$(ind $u1 2024-02-01T00:00:00.000Z old.test)" \
    "$(ind $u2 2024-01-01T00:00:00.000Z gone.test)" "$(ind $u2 2024-05-01T00:00:00.000Z gone.test 1)" >versions.json
printf 'seen old.test\nseen new.test\nseen gone.test\n' >v.log
expect 0 "indicators: 2 offered, 1 answered by the index" "$vigil" index build --iocs versions.json -o v.idx
grep -q "skipped 1 revoked" out && ok || bad "the revoked later version is not counted: $(cat out)"
expect 1 "" "$vigil" scan --index v.idx --json v.log
hits=$(grep -o '"value":"[a-z.]*"' out | tr '\n' ' ')
[ "$hits" = '"value":"new.test" ' ] && ok || bad "only new.test should hit, got: $hits"

# errors
printf 'VGIDX but not really an index file, just some bytes that are long enough to have a header....%0300d' 0 >bad.idx
expect 2 "not a usable vigil index file" "$vigil" index info bad.idx
head -c 100 s.idx >short.idx
expect 2 "not a usable vigil index file" "$vigil" index info short.idx
expect 2 "cannot open the index file" "$vigil" index info none.idx
# an index of another layout (here 1) is refused with the advice to rebuild, never read
{ printf 'VGIDX\0\r\n\001\000\000\000\004\003\002\001'; head -c 4096 /dev/zero; } >old.idx
expect 2 "index file of layout 1" "$vigil" index info old.idx
expect 2 "rebuild the index" "$vigil" scan --no-record --index old.idx ev.log
expect 2 "-o FILE is required" "$vigil" index build --store "$db"
expect 2 "not both" "$vigil" index build --store "$db" --iocs sample.json -o x.idx
expect 2 "unknown subcommand" "$vigil" index frobnicate
expect 2 "usage" "$vigil" index
expect 0 "usage: vigil index build" "$vigil" index --help
[ ! -e x.idx ] && ok || bad "a failed build left x.idx"

vg_done
