#!/usr/bin/env bash
# test_realdata.sh - vigil incident import of the two real incident datasets
# (EuRepoC, CFR) with their mappings: every row is imported or rejected with
# its row number, the counts add up to the files' row counts, a re-import
# changes nothing, and the imported incidents list and filter.
. "$(dirname "$0")/../lib.sh"
vg_setup incident_realdata
vg_need_shared

eu="$shared/data/incidents/eurepoc/EuRepoC_Global_Database_1.1.csv"
cfr="$shared/data/incidents/cfr/cyber-operations-incidents.csv"
for f in "$eu" "$cfr"; do [ -f "$f" ] && ok || bad "$f is missing from the shared data"; done
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
vg_done
