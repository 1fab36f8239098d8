#!/usr/bin/env bash
# test_index_same.sh - the index compiled from a store is the one compiled from
# the bundles imported into it: the same indicators by outcome, the same keys
# by kind, the same hits with the same attribution (relationships in order of
# arrival). Over awkward indicators (tests/data/index: escapes, compound
# patterns, IN, ISSUBSET, spaces and tabs, versions, a revoked later version,
# expired and future ones, another pattern type, a value with braces and
# quotes beside the members read, STIX 2.0) among 12,000 generated ones with
# their relationships, so that the store is read whole and the texts cross
# several batches of the two-thread reader; and one collection's index is the
# one of that collection's bundle.
. "$(dirname "$0")/../lib.sh"
vg_setup scan_index_same
cd "$tmp" || exit 1
data="$src/tests/data/index"

"$vigil" sample --seed 7 --indicators 12000 -o sample.json 2>/dev/null || bad "sample"
expect 0 "" "$vigil" import --quiet --store "$db" sample.json "$data/awkward.json" "$data/stix20.json"

# evidence: every domain and address value of the sample, and the awkward values
grep -o "\(domain-name\|ipv4-addr\):value = '[^']*'" sample.json | cut -d"'" -f2 | sed 's/^/seen /' >ev.log
cat >>ev.log <<'LOG'
seen and.test 198.51.100.1
seen in2.test and 203.0.113.9
seen ws.test upper.test http://port.test/a~b
seen old.test new.test gone.test expired.test future.test twice.test twenty.test
seen aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa mixed@case.test
LOG
[ "$(wc -l <ev.log)" -gt 3000 ] && ok || bad "few indicator values in the sample: $(wc -l <ev.log)"

# same: INDEX_A INDEX_B WHAT - the two indexes hold the same and find the same
same() {
    "$vigil" index info --json "$1" | grep -o '"indicators":{[^}]*}\|"keys_by_kind":{[^}]*}' >a.info
    "$vigil" index info --json "$2" | grep -o '"indicators":{[^}]*}\|"keys_by_kind":{[^}]*}' >b.info
    [ -s a.info ] && cmp -s a.info b.info && ok || bad "$3: counts differ: $(cat a.info b.info)"
    "$vigil" scan --no-record --index "$1" --json ev.log 2>/dev/null | sort >a.hits
    "$vigil" scan --no-record --index "$2" --json ev.log 2>/dev/null | sort >b.hits
    [ -s a.hits ] && cmp -s a.hits b.hits && ok || bad "$3: hits differ: $(diff a.hits b.hits | head -5)"
}

expect 0 "built" "$vigil" index build --store "$db" -o store.idx
expect 0 "built" "$vigil" index build --iocs sample.json --iocs "$data/awkward.json" --iocs "$data/stix20.json" \
    -o files.idx
same store.idx files.idx "the whole store"
offered=$(grep -o '"offered":[0-9]*' a.info | cut -d: -f2)
[ "${offered:-0}" -gt 12016 ] && ok || bad "not every indicator offered: $(cat a.info)"
n=$(wc -l <a.hits)
[ "$n" -gt 3000 ] && ok || bad "few hits: $n"
grep -q '"value":"ws.test".*"indicates":"Zeta (malware), Alpha Group (intrusion-set)"' a.hits && ok ||
    bad "attribution not in order of arrival: $(grep ws.test a.hits)"
grep -q '"value":"new.test"' a.hits && ! grep -q '"value":"old.test"\|"value":"gone.test"' a.hits && ok ||
    bad "an older or revoked version hits: $(grep 'old.test\|gone.test\|new.test' a.hits)"
grep -q '"indicates":"[^"]*(malware)' a.hits && [ "$(grep -c '"indicates"' a.hits)" -gt 3000 ] && ok ||
    bad "the sample's relationships are not in the index: $(grep -c '"indicates"' a.hits)"

expect 0 "" "$vigil" import --quiet --store "$db" --collection partners "$data/awkward.json"
expect 0 "collection partners" "$vigil" index build --store "$db" --collection partners -o partners.idx
expect 0 "built" "$vigil" index build --iocs "$data/awkward.json" -o awkward.idx
same partners.idx awkward.idx "one collection"
grep -q '"value":"ws.test".*"indicates":"Zeta (malware), Alpha Group (intrusion-set)"' a.hits && ok ||
    bad "a collection's attribution: $(grep ws.test a.hits)"
vg_done
