#!/usr/bin/env bash
# test_cli.sh - vigil scan from the command line: --iocs scans for a STIX
# bundle's indicators without a store (and records nothing), --allow with the
# real MISP warninglists suppresses a public resolver while a real hit still
# alerts, exit codes 0 (clean) / 1 (found) / 2 (bad input) with clear errors.
set -uo pipefail
vigil=${VIGIL_BIN:?}
shared=${VIGIL_SHARED:-}
if [ -z "$shared" ] || [ ! -d "$shared/data/iocs" ]; then
    echo "SKIP: the shared data folder is missing" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi
tmp=$(mktemp -d "${VIGIL_TMP:-/tmp}/scan_cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE NEEDLE CMD...: CMD exits CODE and its output contains NEEDLE.
expect() {
    local code=$1 needle=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
    if [ "$got" != "$code" ]; then bad "$* -> exit $got, expected $code; stderr: $(head -c 600 "$tmp/err")"; return; fi
    if [ -n "$needle" ] && ! grep -q -- "$needle" "$tmp/err" "$tmp/out"; then
        bad "$* -> output lacks '$needle': $(head -c 600 "$tmp/out" "$tmp/err")"; return; fi
    ok
}

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

echo "scan cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
