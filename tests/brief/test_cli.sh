#!/usr/bin/env bash
# test_cli.sh - vigil brief on the command line: periods, formats, -o,
# --audience and --indicators on incidents related to indicators of two
# markings, and the usage errors (exit 2 with a message).
. "$(dirname "$0")/../lib.sh"
vg_setup brief_cli

v() { "$vigil" "$@" --store "$db"; }
cat >"$tmp/iocs.json" <<'EOF'
{"type":"bundle","id":"bundle--6f7c1d8e-1111-4111-8111-111111111111","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--a0000000-0000-4000-8000-000000000001","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","name":"green c2","pattern":"[domain-name:value = 'green-c2.example']","pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
{"type":"indicator","spec_version":"2.1","id":"indicator--a0000000-0000-4000-8000-000000000002","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","name":"red c2","pattern":"[domain-name:value = 'red-c2.example']","pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}]}
EOF
expect 0 "" v import --quiet "$tmp/iocs.json"
id=$(v incident new "Phishing wave" severity=high categories=espionage sectors=government first_activity=2025-03-10T08:00:00Z)
[ -n "$id" ] && ok || bad "incident new gave no id"
expect 0 "" v incident link "$id" indicator--a0000000-0000-4000-8000-000000000001 --type related-to
expect 0 "" v incident link "$id" indicator--a0000000-0000-4000-8000-000000000002 --type related-to

# formats and the period
expect 0 '"total": 1' v brief --from 2025-03-01 --to 2025-04-01 --format json
expect 0 "**1 incidents**" v brief --from 2025-03-01 --to 2025-04-01 --format md
expect 0 "<!DOCTYPE html>" v brief --from 2025-03-01 --to 2025-04-01
expect 0 "" v brief --from 2025-03-01 --to 2025-04-01 --format md -o "$tmp/b.md"
grep -qF "Phishing wave" "$tmp/b.md" && ok || bad "-o wrote no briefing"
expect 0 "Threat landscape briefing" v brief --last week --format md

# the audience: red lists both indicators, green lists one and withholds the other
expect 0 "red-c2.example" v brief --from 2025-03-01 --to 2025-04-01 --format md
grep -qF "green-c2.example" "$tmp/out" && ok || bad "the default audience (red) lacks the green indicator"
expect 0 "Audience: **TLP:GREEN**" v brief --from 2025-03-01 --to 2025-04-01 --format md --audience green
grep -qF "green-c2.example" "$tmp/out" && ok || bad "audience green lacks the green indicator"
grep -qF "red-c2.example" "$tmp/out" && bad "audience green lists a TLP:RED indicator" || ok
grep -qF "1 more withheld: marked above TLP:GREEN" "$tmp/out" && ok || bad "audience green does not count the withheld one"
expect 0 '"withheld": 2' v brief --from 2025-03-01 --to 2025-04-01 --format json --audience clear
expect 0 "TLP:AMBER+STRICT" v brief --from 2025-03-01 --to 2025-04-01 --audience amber+strict
expect 0 '"withheld": 1' v brief --from 2025-03-01 --to 2025-04-01 --format json --audience amber
expect 0 "at or below TLP:RED: 2; the 1 seen in most incidents" v brief --from 2025-03-01 --to 2025-04-01 --format md \
    --indicators 1

# usage errors
expect 2 "--audience must be clear, green, amber, amber+strict or red" v brief --last week --audience public
expect 2 "--indicators must be a number" v brief --last week --indicators 0
expect 2 "give the period" v brief --from 2025-03-01
expect 2 "--to must be after --from" v brief --from 2025-03-01 --to 2025-03-01
expect 2 "--format must be html, md or json" v brief --last week --format pdf
expect 2 "--last must be week, month, quarter or year" v brief --last decade
expect 0 "--audience TLP" "$vigil" brief --help
vg_done
