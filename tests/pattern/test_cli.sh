#!/usr/bin/env bash
# test_cli.sh - `vigil pattern check|match` end to end: verdicts, carets,
# --json, files of patterns and bundles of indicators, and the exit codes
# (check: 0 all valid, 2 any invalid; match: 0 matched, 1 no match, 2 invalid).
. "$(dirname "$0")/../lib.sh"
vg_setup pattern_cli
expect 0 "usage: vigil pattern check" "$vigil" pattern --help
expect 0 "usage: vigil pattern check" "$vigil" pattern check --help
expect 0 "usage: vigil pattern check" "$vigil" help pattern
expect 2 "unknown subcommand" "$vigil" pattern frobnicate
expect 2 "unknown option" "$vigil" pattern check --bogus "[a:b = 1]"
expect 2 "2.0 or 2.1" "$vigil" pattern check --stix-version 3 "[a:b = 1]"

# check
expect 0 "ok [file:name = 'a']" "$vigil" pattern check "[file:name = 'a']"
expect 2 "error 1:14: unexpected ']'" "$vigil" pattern check "[file:size = ]"
"$vigil" pattern check "[file:size = ]" >"$tmp/caret"
if grep -qxF "                 ^" "$tmp/caret"; then ok; else bad "no caret under column 14: $(cat "$tmp/caret")"; fi
expect 2 "keywords are upper-case" "$vigil" pattern check "[foo:bar=1] within 2 seconds"
expect 0 "warning" "$vigil" pattern check "[app:id = 'com.example']"
expect 2 "1 valid, 1 invalid" "$vigil" pattern check "[file:name = 'a']" "[file:size < 'x']"
expect 0 "" "$vigil" pattern check --stix-version 2.0 "[file:name = 'a'] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'"
expect 2 "" "$vigil" pattern check --stix-version 2.1 "[file:name = 'a'] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'"

printf "# a comment\n[file:name = 'a']\n\n[url:value = 'http://x/']\n[file:size = ]\n" >"$tmp/lines.txt"
expect 2 "lines.txt:5" "$vigil" pattern check --file "$tmp/lines.txt"
expect 2 "3 patterns: 2 valid, 1 invalid" "$vigil" pattern check --file "$tmp/lines.txt"
expect 2 "INVALID" sh -c '"$0" pattern check --quiet --file - <"$1"' "$vigil" "$tmp/lines.txt"

cat >"$tmp/ind.json" <<'J'
{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "pattern_type": "stix", "pattern": "[domain-name:value = 'evil.example']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--2", "pattern_type": "sigma", "pattern": "not stix at all"},
 {"type": "indicator", "id": "indicator--3", "pattern": "[file:name = 'a'] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'"}]}
J
expect 0 "2 patterns: 2 valid, 0 invalid" "$vigil" pattern check --file "$tmp/ind.json"
"$vigil" pattern check --json "[file:size = ]" >"$tmp/check.json"
if grep -q '"invalid": 1' "$tmp/check.json" && grep -q '"column": 14' "$tmp/check.json"; then ok; else bad "check --json: $(cat "$tmp/check.json")"; fi

# match
cat >"$tmp/obs.json" <<'J'
{"type": "bundle", "id": "bundle--2", "objects": [
 {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--1", "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z", "number_observed": 1, "object_refs": ["domain-name--1"]},
 {"type": "domain-name", "spec_version": "2.1", "id": "domain-name--1", "value": "evil.example"},
 {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--2", "first_observed": "2020-01-01T00:01:00Z", "last_observed": "2020-01-01T00:01:00Z", "number_observed": 1, "object_refs": ["ipv4-addr--1"]},
 {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--1", "value": "10.1.2.3"}]}
J
expect 0 "observed-data--1" "$vigil" pattern match "[domain-name:value = 'evil.example']" "$tmp/obs.json"
expect 0 "match" "$vigil" pattern match "[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value ISSUBSET '10.0.0.0/8']" "$tmp/obs.json"
expect 1 "no match" "$vigil" pattern match "[ipv4-addr:value ISSUBSET '10.0.0.0/8'] FOLLOWEDBY [domain-name:value = 'evil.example']" "$tmp/obs.json"
expect 2 "expected" "$vigil" pattern match "[domain-name:value = ]" "$tmp/obs.json"
expect 2 "cannot read" "$vigil" pattern match "[domain-name:value = 'x']" "$tmp/missing.json"
echo '[{"type": "observed-data", "object_refs": []}]' >"$tmp/badobs.json"
expect 2 "first_observed" "$vigil" pattern match "[domain-name:value = 'x']" "$tmp/badobs.json"
expect 2 "takes a PATTERN" "$vigil" pattern match "[domain-name:value = 'x']"
"$vigil" pattern match --json "[domain-name:value = 'evil.example']" "$tmp/obs.json" >"$tmp/m.json"
if grep -q '"matched": true' "$tmp/m.json" && grep -q '"domain-name--1"' "$tmp/m.json"; then ok; else bad "match --json: $(cat "$tmp/m.json")"; fi
# STIX 2.0 observed-data is recognised without --stix-version.
echo '[{"type": "observed-data", "id": "observed-data--9", "first_observed": "2017-01-01T00:00:00Z", "last_observed": "2017-01-01T00:00:00Z", "number_observed": 1, "objects": {"0": {"type": "file", "name": "a"}}}]' >"$tmp/v20.json"
expect 0 "dialect\": \"2.0" "$vigil" pattern match --json "[file:name = 'a'] START '2016-01-01T00:00:00Z' STOP '2018-01-01T00:00:00Z'" "$tmp/v20.json"

# --store: the latest version of every indicator in a store (the sample writes only valid patterns,
# so the store's indicators check clean; the count is the store's indicator count).
"$vigil" sample --seed 4 --indicators 100 -o "$tmp/s.json" 2>/dev/null
"$vigil" import --quiet --store "$tmp/s.db" "$tmp/s.json"
n=$("$vigil" list --store "$tmp/s.db" --type indicator --limit 0 --json | wc -l)
expect 0 "$n patterns: $n valid, 0 invalid" "$vigil" pattern check --quiet --store "$tmp/s.db"
expect 2 "no store" "$vigil" pattern check --store "$tmp/none.db"

vg_done
