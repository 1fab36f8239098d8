#!/bin/bash
# test_schema.sh - what vigil writes validates against the OASIS STIX 2.1 JSON schemas.
#
# An independent check of vigil's own validator and exporter: tools/schema/validate.mjs
# (Ajv, draft 2020-12, every schema loaded from ../shared, nothing fetched) must accept
#   1. the output of `vigil sample --indicators 200`, and
#   2. everything exported from a store into which all of ../shared/data/iocs/**/*.stix2,
#      the four ATT&CK bundles and the sample were imported.
# Objects of custom types (x-mitre-*) are skipped and counted; schema false positives
# can only be excused one by one in tools/schema/allow-list.json, with a reason.
#
# Needs ../shared ($VIGIL_SHARED): exit 77 (skip) without it, or 1 under CI=true.
# Needs node (deps/debian.txt: nodejs, npm); runs `npm ci` in tools/schema when
# node_modules is missing.
set -u

src=${VIGIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${VIGIL_SHARED:-$src/../shared}
bin=${VIGIL_BIN:-$src/build/vigil}
tools=$src/tools/schema
schemas=$shared/spec/stix2-json-schemas/schemas

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() {
    if [ "${CI:-}" = true ]; then fail "$* (CI=true requires it)"; fi
    echo "SKIP: $*" >&2
    exit 77
}

[ -d "$schemas" ] || skip "the OASIS schemas are missing ($schemas)"
[ -d "$shared/data/iocs" ] || skip "the shared data folder is missing ($shared/data/iocs)"
command -v node >/dev/null || skip "node is not installed (deps/debian.txt lists nodejs and npm)"
[ -x "$bin" ] || fail "no vigil binary at $bin"

if [ ! -f "$tools/node_modules/ajv/package.json" ] || [ ! -f "$tools/node_modules/ajv-formats/package.json" ]; then
    command -v npm >/dev/null || skip "npm is not installed (deps/debian.txt lists it)"
    echo "installing the schema validator: npm ci in tools/schema" >&2
    (cd "$tools" && npm ci --silent --no-audit --no-fund) || skip "npm ci failed in tools/schema (no registry?)"
fi

tmp=${VIGIL_TMP:-/tmp}/schema.$$
rm -rf "$tmp" && mkdir -p "$tmp" || fail "cannot make $tmp"
trap 'rm -rf "$tmp"' EXIT

# validate LABEL EXPECTED_MIN FILE...: runs the validator, shows its report, checks the figures.
validate() {
    local label=$1 min=$2
    shift 2
    local out rc
    out=$(node "$tools/validate.mjs" --schemas "$schemas" --max-invalid 30 "$@")
    rc=$?
    printf '%s\n' "$out" | sed "s/^/[$label] /"
    [ $rc -eq 0 ] || fail "$label: objects the OASIS schemas reject (exit $rc), see above"
    local valid
    valid=$(printf '%s\n' "$out" | sed -n 's/^schema: \([0-9]*\) valid.*/\1/p')
    [ -n "$valid" ] || fail "$label: no summary line from validate.mjs"
    [ "$valid" -ge "$min" ] || fail "$label: only $valid valid objects, expected at least $min"
}

# 1. The sample, straight from the generator: 158 curated objects + 200 indicators and
#    their 200 relationships, every one of a type the schemas cover.
"$bin" sample --indicators 200 -o "$tmp/sample.json" 2>/dev/null || fail "vigil sample failed"
validate sample 558 "$tmp/sample.json"
grep -q ' 0 skipped' <<<"$(node "$tools/validate.mjs" --schemas "$schemas" -q "$tmp/sample.json")" ||
    fail "sample: objects of a type without an OASIS schema"

# 2. Import real intelligence, export it, validate every exported object.
help=$("$bin" help 2>&1)
grep -qw import <<<"$help" && grep -qw export <<<"$help" ||
    fail "vigil has no import/export commands yet ('vigil help'); this check needs them"

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$shared/data/iocs" -name '*.stix2' -print0 | sort -z)
[ ${#files[@]} -ge 17 ] || fail "expected the 17 ioc bundles in $shared/data/iocs, found ${#files[@]}"
for f in enterprise-attack-18.1.stix20.json.gz mobile-attack-18.1.stix20.json.gz mobile-attack-17.1.json ics-attack-18.1.json; do
    [ -f "$shared/data/attack/$f" ] || fail "missing $shared/data/attack/$f"
    files+=("$shared/data/attack/$f")
done
files+=("$tmp/sample.json")

"$bin" import --store "$tmp/t.db" "${files[@]}" >"$tmp/import.log" 2>&1
rc=$?
tail -5 "$tmp/import.log" | sed 's/^/[import] /'
# 0 = all imported; 2 = some objects invalid (listed) or a failure: the exported objects
# must validate either way, and the import itself is judged by the real-data tests.
[ $rc -eq 0 ] || [ $rc -eq 2 ] || fail "vigil import exited $rc"
[ -s "$tmp/t.db" ] || fail "vigil import made no store (exit $rc)"

versions=()
"$bin" export --help 2>&1 | grep -q -- --all-versions && versions=(--all-versions)
"$bin" export --store "$tmp/t.db" "${versions[@]}" -o "$tmp/out.json" 2>"$tmp/export.log" ||
    { cat "$tmp/export.log" >&2; fail "vigil export failed"; }
# ATT&CK alone holds well over 25,000 objects of OASIS types.
validate export 25000 "$tmp/out.json"
echo "schema check passed"
