#!/usr/bin/env bash
# make demo: vigil's main job on the embedded default store (SQLite), on a
# realistic sample it generates itself: create a store, import intelligence,
# show what is in it, and show that versions are kept and re-imports change nothing.
set -euo pipefail
vigil=${1:-build/vigil}
dir=${VIGIL_DEMO_DIR:-$(dirname "$vigil")/demo}
mkdir -p "$dir"
store="$dir/vigil.db"
rm -f "$store" "$store-wal" "$store-shm"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$vigil|vigil|g"; "$@"; }

say "1. Generate a sample of threat intelligence (deterministic: seed 7)"
run "$vigil" sample --seed 7 --indicators 2000 -o "$dir/sample.json"

say "2. Import it into a new store (validated object by object)"
run "$vigil" import --store "$store" "$dir/sample.json"

say "3. What the store holds"
run "$vigil" stats --store "$store"

say "4. Threat actors and malware families"
run "$vigil" list --store "$store" --type intrusion-set --type threat-actor --type malware --limit 20

say "5. A few indicators"
run "$vigil" list --store "$store" --type indicator --limit 8

say "6. Every version of an object that was revised"
id=$("$vigil" export --store "$store" --all-versions --type malware | grep -o '"id":"malware--[^"]*"' | sort | uniq -d | sed -n 1p | cut -d'"' -f4)
if [ -n "$id" ]; then
    run "$vigil" get --store "$store" --version all "$id" | cut -c1-160
fi

say "7. Importing the same bundle again changes nothing"
run "$vigil" import --store "$store" "$dir/sample.json"

if "$vigil" help 2>/dev/null | grep -q '^  pattern'; then
    say "8. Check every indicator's STIX pattern"
    "$vigil" export --store "$store" --type indicator -o "$dir/indicators.json"
    run "$vigil" pattern check --quiet --file "$dir/indicators.json" | tail -3
    say "8b. Match a pattern against observed data"
    obs=$(grep -o '"type":"observed-data"' "$dir/sample.json" >/dev/null && echo yes)
    if [ -n "$obs" ]; then
        run "$vigil" pattern match "[ipv4-addr:value ISSUBSET '203.0.113.0/24' AND domain-name:value LIKE '%.example']" "$dir/sample.json" | head -8 || true
    fi
fi

if "$vigil" help 2>/dev/null | grep -q '^  scan'; then
    say "9. Scan evidence: a proxy log with a few of the sample's indicators planted in it"
    vals=$(grep -o "\[domain-name:value = '[^']*'\]" "$dir/sample.json" | cut -d"'" -f2 | sed -n 1,3p)
    {
        i=0
        for d in $vals; do
            i=$((i + 1))
            echo "2026-03-0${i}T10:1${i}:00Z 10.0.0.$i GET https://cdn.$d/update.js 200 \"Mozilla/5.0\""
            echo "2026-03-0${i}T10:2${i}:00Z 10.0.0.$i GET https://not${d}/ 200 \"Mozilla/5.0\""
        done
        for n in $(seq 1 200); do echo "2026-03-01T11:00:00Z 10.0.0.9 GET https://www.example.org/page/$n 200 \"curl/8.0\""; done
    } >"$dir/proxy.log"
    # the organisation whose logs these are: the one the sample's own sightings were made at
    org=$(grep -o '"where_sighted_refs":\["identity--[^"]*"' "$dir/sample.json" | sed -n 1p | cut -d'"' -f4)
    set +e
    run "$vigil" scan --store "$store" --org "$org" "$dir/proxy.log"
    echo "(exit status $?: 1 means something was found)"
    set -e
fi

if "$vigil" help 2>/dev/null | grep -q '^  incident'; then
    say "10. Sightings roll up into incidents"
    run "$vigil" incident correlate --store "$store"
    run "$vigil" incident list --store "$store"
    say "11. A briefing of the last quarter (Markdown; HTML with charts: --format html)"
    run "$vigil" brief --store "$store" --last quarter --format md -o "$dir/brief.md"
    head -30 "$dir/brief.md"
    "$vigil" brief --store "$store" --last quarter --format html -o "$dir/brief.html"
    echo "... the HTML briefing is $dir/brief.html"
fi

say "12. Export the malware families as a STIX 2.1 bundle"
run "$vigil" export --store "$store" --type malware -o "$dir/malware.json"
printf '\nThe store is %s; try: %s list --store %s --type indicator\n' "$store" "$vigil" "$store"
