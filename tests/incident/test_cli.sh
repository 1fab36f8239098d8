#!/usr/bin/env bash
# test_cli.sh - vigil incident end to end: new/set/link/close/list/show with
# filters and --json, and sightings rolled up by `correlate`. The import of the
# real incident datasets is test_realdata.sh.
. "$(dirname "$0")/../lib.sh"
vg_setup incident_cli
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

vg_done
