#!/usr/bin/env bash
# test_demo.sh - `make demo` (tools/demo.sh) runs to the end on a fresh store
# and tells its story: import, the planted hits found and recorded at the
# sample's organisation, incidents, a briefing, an export.
. "$(dirname "$0")/../lib.sh"
vg_setup cli_demo
VIGIL_DEMO_DIR="$tmp/demo" expect 0 "exported" "$src/tools/demo.sh" "$vigil"
for want in "imported" "3 hits of 3 indicators" "3 sightings recorded" "indicates Nightjar (malware)" \
    "Nightjar at Riverside Daily" "Threat landscape briefing" "imported 0 new object versions"; do
    grep -qF -- "$want" "$tmp/out" "$tmp/err" && ok || bad "the demo's output lacks '$want'"
done
[ -s "$tmp/demo/brief.html" ] && ok || bad "no HTML briefing"
vg_done
