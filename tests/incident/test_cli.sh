#!/usr/bin/env bash
# test_cli.sh - vigil incident end to end: new/set/link/close/list/show with
# filters and --json, sightings rolled up by `correlate`, and the import of the
# two real incident datasets: every row is imported or rejected with its row
# number, and the counts add up to the files' row counts.
set -uo pipefail
vigil=${VIGIL_BIN:?}
src=${VIGIL_SRC:?}
tmp=$(mktemp -d "${VIGIL_TMP:-/tmp}/incident_cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
db="$tmp/t.db"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE NEEDLE CMD...: CMD exits CODE and its output contains NEEDLE.
expect() {
    local code=$1 needle=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
    if [ "$got" != "$code" ]; then bad "$* -> exit $got, expected $code; $(head -c 600 "$tmp/err")"; return; fi
    if [ -n "$needle" ] && ! grep -q -- "$needle" "$tmp/err" "$tmp/out"; then
        bad "$* -> output lacks '$needle': $(head -c 600 "$tmp/out" "$tmp/err")"; return; fi
    ok
}
v() { "$vigil" "$@" --store "$db"; }

# --- the CLI on hand-made incidents
expect 0 "incident--" v incident new "DDoS on the election commission" severity=high categories=denial-of-service \
    sectors=elections countries=FR first_activity=2024-06-01T08:00:00Z
id=$(cat "$tmp/out")
expect 0 "incident--" v incident new "Leak at a ministry" severity=2 sectors=government countries=DE \
    first_activity=2024-07-01T00:00:00Z
id2=$(cat "$tmp/out")
expect 2 "not a sector" v incident set "$id" sectors=bakeries
expect 2 "no incident property" v incident set "$id" colour=red
expect 2 "no object" v incident set incident--00000000-0000-4000-8000-000000000000 severity=1
expect 0 "$id" v incident set "$id" status=investigating categories=+election-interference
expect 0 "" v incident close "$id2"
expect 0 "investigating" v incident show "$id"
expect 0 "election-interference" v incident show "$id"
n=$("$vigil" get --version all "$id" --store "$db" | grep -c '"modified"')
[ "$n" = 2 ] && ok || bad "expected 2 versions of $id, got $n"
expect 0 "DDoS" v incident list --sector elections
expect 0 "" v incident list --severity critical
[ ! -s "$tmp/out" ] && ok || bad "no critical incidents expected: $(cat "$tmp/out")"
expect 0 "Leak" v incident list --status closed --from 2024-06-15 --to 2024-08-01
expect 0 '"severity":4' v incident list --json --category denial-of-service
expect 2 "no sector" v incident list --sector bakeries

# --- sightings rolled up into incidents
cat >"$tmp/s.json" <<'JSON'
{"type":"bundle","id":"bundle--11111111-1111-4111-8111-111111111111","objects":[
{"type":"identity","spec_version":"2.1","id":"identity--22222222-2222-4222-8222-222222222222","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"City Hospital","identity_class":"organization","sectors":["healthcare"]},
{"type":"malware","spec_version":"2.1","id":"malware--33333333-3333-4333-8333-333333333333","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"LockBit","is_family":true,"malware_types":["ransomware"]},
{"type":"indicator","spec_version":"2.1","id":"indicator--44444444-4444-4444-8444-444444444444","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[file:hashes.'SHA-256' = 'aa']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z","confidence":90},
{"type":"indicator","spec_version":"2.1","id":"indicator--55555555-5555-4555-8555-555555555555","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'lock.example']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"},
{"type":"relationship","spec_version":"2.1","id":"relationship--66666666-6666-4666-8666-666666666666","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--44444444-4444-4444-8444-444444444444","target_ref":"malware--33333333-3333-4333-8333-333333333333"},
{"type":"relationship","spec_version":"2.1","id":"relationship--77777777-7777-4777-8777-777777777777","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--55555555-5555-4555-8555-555555555555","target_ref":"malware--33333333-3333-4333-8333-333333333333"},
{"type":"sighting","spec_version":"2.1","id":"sighting--a0000000-0000-4000-8000-000000000001","created":"2024-05-01T00:00:00.000Z","modified":"2024-05-01T00:00:00.000Z","first_seen":"2024-05-01T10:00:00.000Z","sighting_of_ref":"indicator--44444444-4444-4444-8444-444444444444","where_sighted_refs":["identity--22222222-2222-4222-8222-222222222222"]},
{"type":"sighting","spec_version":"2.1","id":"sighting--a0000000-0000-4000-8000-000000000002","created":"2024-05-04T00:00:00.000Z","modified":"2024-05-04T00:00:00.000Z","first_seen":"2024-05-04T10:00:00.000Z","sighting_of_ref":"indicator--55555555-5555-4555-8555-555555555555","where_sighted_refs":["identity--22222222-2222-4222-8222-222222222222"]},
{"type":"sighting","spec_version":"2.1","id":"sighting--a0000000-0000-4000-8000-000000000003","created":"2024-08-01T00:00:00.000Z","modified":"2024-08-01T00:00:00.000Z","first_seen":"2024-08-01T10:00:00.000Z","sighting_of_ref":"indicator--55555555-5555-4555-8555-555555555555","where_sighted_refs":["identity--22222222-2222-4222-8222-222222222222"]}
]}
JSON
expect 0 "" "$vigil" import --store "$db" "$tmp/s.json"
expect 0 "3 sightings: 3 joined to incidents (2 opened, 0 updated), 0 skipped" v incident correlate
expect 0 "3 sightings: 0 joined" v incident correlate
expect 0 "LockBit at City Hospital" v incident list --sector health --category ransomware
[ "$(grep -c LockBit "$tmp/out")" = 2 ] && ok || bad "expected two LockBit incidents: $(cat "$tmp/out")"
grep -q "critical" "$tmp/out" && ok || bad "ransomware at a hospital with confidence 90 should be critical"
printf '[correlate]\nwindow = 100\n' >"$tmp/rules.conf"
printf '[correlate]\nwindw = 100\n' >"$tmp/bad.conf"
expect 2 "bad.conf:2" v incident correlate --rules "$tmp/bad.conf"

# --- the real datasets
shared=${VIGIL_SHARED:-$src/../shared}
eu="$shared/data/incidents/eurepoc/EuRepoC_Global_Database_1.1.csv"
cfr="$shared/data/incidents/cfr/cyber-operations-incidents.csv"
if [ -f "$eu" ] && [ -f "$cfr" ]; then
    rdb="$tmp/real.db"
    "$vigil" incident import --store "$rdb" --mapping "$src/mappings/eurepoc.map" "$eu" >"$tmp/eu.out" 2>&1
    [ $? = 1 ] && ok || bad "EuRepoC import should exit 1 (some rows rejected)"
    grep -q "^1643 rows: 1634 incidents imported, 0 unchanged, 9 rejected" "$tmp/eu.out" && ok || bad "EuRepoC: $(tail -1 "$tmp/eu.out")"
    [ "$(grep -c '^rejected row [0-9]* (line [0-9]*): no value for first_activity' "$tmp/eu.out")" = 9 ] && ok ||
        bad "EuRepoC: each rejection names its row and why"
    "$vigil" incident import --store "$rdb" --mapping "$src/mappings/eurepoc.map" "$eu" >"$tmp/eu2.out" 2>&1
    grep -q "^1643 rows: 0 incidents imported, 1634 unchanged, 9 rejected; 0 actors created" "$tmp/eu2.out" && ok ||
        bad "EuRepoC re-import: $(tail -1 "$tmp/eu2.out")"
    "$vigil" incident import --store "$rdb" --mapping "$src/mappings/cfr.map" "$cfr" >"$tmp/cfr.out" 2>&1
    grep -q "^768 rows: 746 incidents imported, 0 unchanged, 22 rejected" "$tmp/cfr.out" && ok || bad "CFR: $(tail -1 "$tmp/cfr.out")"
    [ "$(grep -c '^rejected row' "$tmp/cfr.out")" = 22 ] && ok || bad "CFR: 22 rejections listed"
    n=$("$vigil" incident list --store "$rdb" --limit 0 | wc -l)
    [ "$n" = 2380 ] && ok || bad "expected 2380 incidents listed, got $n"
    n=$("$vigil" incident list --store "$rdb" --limit 0 --json --from 2022-01-01 --to 2023-01-01 --actor APT28 | wc -l)
    [ "$n" -gt 0 ] && ok || bad "expected APT28 incidents in 2022"
else
    echo "real incident data not found; skipping that part" >&2
    [ "${CI:-}" = true ] && bad "CI needs ../shared/data/incidents"
fi

echo "incident cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
