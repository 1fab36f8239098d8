#!/usr/bin/env bash
# test_cli.sh - vigil scan from the command line: --iocs scans for a STIX
# bundle's indicators without a store (and records nothing), --allow with the
# real MISP warninglists suppresses a public resolver while a real hit still
# alerts, --org puts the scanning organisation in the sightings so that
# `incident correlate` opens an incident at it, exit codes 0 (clean) / 1
# (found) / 2 (bad input) with clear errors.
. "$(dirname "$0")/../lib.sh"
vg_setup scan_cli
vg_need_shared

pegasus="$shared/data/iocs/AmnestyTech-investigations/2021-07-18_nso/pegasus.stix2"
dom=$(grep -o "domain-name:value *= *'[^']*'" "$pegasus" | sed -n 2p | cut -d"'" -f2)
[ -n "$dom" ] || { echo "FAIL: no domain in $pegasus" >&2; exit 1; }
cat >"$tmp/bundle.json" <<JSON
{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000002","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '8.8.8.8']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"},
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000003","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'c2.bad.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}]}
JSON
printf 'GET https://www.%s/x 200\nquery zzqnot%s\n' "$dom" "$dom" >"$tmp/proxy.log"
printf 'dns 8.8.8.8\nbeacon c2.bad.example\n' >"$tmp/fw.log"
printf 'nothing here at all\n' >"$tmp/clean.log"

cd "$tmp" || exit 1
# --iocs: no store needed, none created
expect 1 "www.$dom" "$vigil" scan --iocs "$pegasus" proxy.log
[ ! -e vigil.db ] && ok || bad "--iocs without --store created vigil.db"
expect 0 "0 hits" "$vigil" scan --iocs "$pegasus" clean.log
n=$("$vigil" scan --iocs "$pegasus" --json proxy.log 2>/dev/null | grep -c '"indicator"')
[ "$n" = 1 ] && ok || bad "--json: expected 1 hit line (the near-miss must not hit), got $n"
# what an indicator indicates, through the bundle's relationships
expect 1 "indicates Pegasus (malware)" "$vigil" scan --iocs "$pegasus" proxy.log
expect 1 '"indicates":"Pegasus (malware)"' "$vigil" scan --iocs "$pegasus" --json proxy.log
# several bundles
expect 1 "c2.bad.example" "$vigil" scan --iocs "$pegasus" --iocs bundle.json proxy.log fw.log
# --allow with the real warninglists: the resolver is suppressed, the C2 still alerts
expect 1 "8.8.8.8" "$vigil" scan --iocs bundle.json fw.log
expect 1 "1 hits suppressed" "$vigil" scan --iocs bundle.json --allow "$shared/data/misp/warninglists" fw.log
if grep -q "8.8.8.8 ->" "$tmp/out"; then bad "8.8.8.8 reported despite the allow-list"; else ok; fi
printf 'dns 8.8.8.8\n' >"$tmp/resolver.log"
expect 1 "8.8.8.8" "$vigil" scan --iocs bundle.json resolver.log
expect 0 "1 hits suppressed" "$vigil" scan --iocs bundle.json \
    --allow "$shared/data/misp/warninglists/lists/public-dns-v4/list.json" resolver.log
# with --store, sightings are recorded
expect 1 "1 sightings recorded" "$vigil" scan --store "$tmp/s.db" --iocs bundle.json fw.log --allow \
    "$shared/data/misp/warninglists"
# errors
expect 2 "cannot open" "$vigil" scan --iocs "$tmp/none.json" fw.log
expect 2 "not a MISP warninglist" "$vigil" scan --iocs bundle.json --allow "$shared/data/misp/warninglists/schema.json" fw.log
expect 2 "not both" "$vigil" scan --iocs bundle.json --index x.idx fw.log

# --org: the sightings name the organisation, the observed value comes with them, and correlate opens an
# incident at that organisation (in its sector)
org=identity--22222222-2222-4222-8222-222222222222
cat >org.json <<JSON
{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000009","objects":[
{"type":"identity","spec_version":"2.1","id":"$org","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Water Board","identity_class":"organization","sectors":["water"]},
{"type":"malware","spec_version":"2.1","id":"malware--00000000-0000-4000-8000-00000000000a","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"BadWiper","is_family":true,"malware_types":["wiper"]},
{"type":"relationship","spec_version":"2.1","id":"relationship--00000000-0000-4000-8000-00000000000b","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--00000000-0000-4000-8000-000000000003","target_ref":"malware--00000000-0000-4000-8000-00000000000a"}]}
JSON
expect 0 "" "$vigil" import --store "$tmp/o.db" bundle.json org.json
expect 2 "not an identity or location id" "$vigil" scan --store "$tmp/o.db" --org bogus fw.log
expect 1 "not in the store" "$vigil" scan --store "$tmp/w.db" --iocs bundle.json \
    --org identity--99999999-9999-4999-8999-999999999999 fw.log
expect 1 "2 sightings recorded" "$vigil" scan --store "$tmp/o.db" --org "$org" fw.log
grep -q "c2.bad.example -> indicator--00000000-0000-4000-8000-000000000003, indicates BadWiper (malware)" out &&
    ok || bad "a store hit does not say what it indicates: $(cat out)"
grep -q "8.8.8.8 -> indicator--00000000-0000-4000-8000-000000000002\$" out && ok ||
    bad "an indicator that indicates nothing says so by saying nothing: $(cat out)"
# a saved index keeps it
expect 0 "" "$vigil" index build --store "$tmp/o.db" -o o.idx
expect 1 "indicates BadWiper (malware)" "$vigil" scan --no-record --store "$tmp/o.db" --index o.idx fw.log
"$vigil" export --store "$tmp/o.db" >exported.json 2>/dev/null
n=$(grep -o '"where_sighted_refs":\["'"$org"'"\]' exported.json | wc -l)
[ "$n" = 2 ] && ok || bad "expected 2 sightings at $org, got $n"
grep -q '"type":"domain-name","spec_version":"2.1","id":"domain-name--[0-9a-f-]*","value":"c2.bad.example"' \
    exported.json && ok || bad "no domain-name observable for the hit"
grep -q '"type":"observed-data"' exported.json && ok || bad "no observed-data"
VIGIL_ORG="$org" expect 1 "2 sightings recorded" "$vigil" scan --store "$tmp/o.db" fw.log
expect 0 "4 joined to incidents (2 opened" "$vigil" incident correlate --store "$tmp/o.db"
expect 0 "BadWiper at Water Board" "$vigil" incident list --store "$tmp/o.db" --sector water

vg_done
