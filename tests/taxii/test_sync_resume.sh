#!/usr/bin/env bash
# test_sync_resume.sh - two vigil servers on two ports, synced with each
# other through `vigil sync`, interrupted and resumed:
#   - a pull killed (SIGKILL) half-way resumes after the last page it stored,
#     and ends with exactly what an uninterrupted pull gets (exports compared);
#   - a push during which the partner's server is killed and restarted on the
#     same port ends, after a rerun, with every local object on the partner
#     exactly once, and nothing that was already there duplicated;
#   - the second store, served itself, hands the pulled objects on.
# Server A is limited to 2 requests per second per account, so a sync takes
# several seconds and can be stopped in the middle.
. "$(dirname "$0")/../lib.sh"
vg_setup taxii_sync_resume

a="$tmp/a.db" b="$tmp/b.db" c="$tmp/c.db"
org_b=identity--bbbbbbbb-1111-4111-8111-bbbbbbbbbbbb
# ids COLLECTION STORE: the "id version" lines of every object version in a collection, sorted.
ids() {
    "$vigil" export --store "$2" --collection "$1" --all-versions | tail -n +2 | grep '^{"type"' |
        awk '{ id = "-"; m = "-"
               if (match($0, /"id":"[^"]*"/)) id = substr($0, RSTART + 6, RLENGTH - 7)
               if (match($0, /"modified":"[^"]*"/)) m = substr($0, RSTART + 12, RLENGTH - 13)
               print id, m }' | sort
}
count() { "$vigil" stats --store "$2" --collection "$1" --json 2>/dev/null | grep -o '"versions":[0-9]*' | head -1 | cut -d: -f2; }

# Server A: a collection with the sample (AMBER goes to B's organisation), an account for B.
cid=$("$vigil" collection add intel --default-tlp green --recipient "$org_b" --store "$a" 2>/dev/null)
"$vigil" user add partner-b --org "$org_b" --no-password --store "$a" >/dev/null 2>&1
"$vigil" collection grant intel partner-b read,write --store "$a" >/dev/null 2>&1
tok=$("$vigil" token add partner-b --store "$a" 2>/dev/null)
"$vigil" sample --seed 11 --indicators 2400 --no-relationships -o "$tmp/sample.json" || bad "sample"
"$vigil" import --quiet --store "$a" --collection intel "$tmp/sample.json" || bad "import into A"
printf 'rate = 2\n' >"$tmp/a.conf"
vg_serve "$tmp/a.log" "$vigil" serve --store "$a" --listen 127.0.0.1:0 --config "$tmp/a.conf"
port_a=$port pid_a=$vg_last_pid
url="http://127.0.0.1:$port_a/api/"
for s in "$b" "$c"; do
    echo "$tok" | "$vigil" peer add a "$url" --collection "$cid" --into from-a --token-stdin --store "$s" 2>/dev/null ||
        bad "peer add"
done

# C pulls in one go: the reference.
"$vigil" sync a --pull --store "$c" >/dev/null 2>"$tmp/err" || bad "uninterrupted pull: $(cat "$tmp/err")"
want=$(count from-a "$c")
[ "${want:-0}" -gt 2000 ] && ok || bad "the reference pull got ${want:-0} objects"

# B's pull is killed once some pages are stored, then run again.
"$vigil" sync a --pull --store "$b" >/dev/null 2>&1 &
sync=$!
for _ in $(seq 600); do
    got=$(count from-a "$b")
    [ "${got:-0}" -gt 0 ] && break
    sleep 0.05
done
kill -KILL $sync 2>/dev/null
wait $sync 2>/dev/null
got=$(count from-a "$b")
[ "${got:-0}" -gt 0 ] && [ "$got" -lt "$want" ] && ok || bad "the pull was not stopped half-way ($got of $want)"
pulled=$("$vigil" peer list --json --store "$b" | grep -o '"pulled":"[^"]*"' | cut -d'"' -f4)
[ -n "$pulled" ] && ok || bad "the stopped pull saved no position"
"$vigil" sync a --pull --json --store "$b" >"$tmp/out" 2>"$tmp/err" || bad "resumed pull: $(cat "$tmp/err")"
# It resumed after the pages already stored: it read fewer objects than the whole collection.
read_again=$(grep -o '"pulled":[0-9]*' "$tmp/out" | cut -d: -f2)
[ "${read_again:-0}" -lt "$want" ] && ok || bad "the resumed pull read ${read_again:-?} objects, the whole collection is $want"
ids from-a "$c" >"$tmp/c.ids"
ids from-a "$b" >"$tmp/b.ids"
cmp -s "$tmp/b.ids" "$tmp/c.ids" && ok || bad "resumed pull differs from the reference: $(diff "$tmp/b.ids" "$tmp/c.ids" | head -5)"
[ "$(sort -u "$tmp/b.ids" | wc -l)" = "$(wc -l <"$tmp/b.ids")" ] && ok || bad "a version is in B twice"

# B's own objects, pushed to A while A is killed and restarted on the same port.
{
    printf '{"type":"bundle","id":"bundle--5b5b5b5b-0000-4000-8000-000000000000","objects":['
    for i in $(seq 1500); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"type":"indicator","spec_version":"2.1","id":"indicator--5b5b5b5b-0000-4000-8000-%012d",' "$i"
        printf '"created":"2026-06-01T00:00:00.000Z","modified":"2026-06-01T00:00:00.000Z",'
        printf '"pattern":"[domain-name:value = '"'"'b-%d.example'"'"']","pattern_type":"stix","valid_from":"2026-06-01T00:00:00Z"}' "$i"
    done
    printf ']}'
} >"$tmp/local.json"
"$vigil" import --quiet --store "$b" --collection from-a "$tmp/local.json" || bad "local import into B"
before=$(count intel "$a")
ids intel "$a" >"$tmp/a0.ids"
"$vigil" sync a --push --store "$b" >/dev/null 2>&1 &
sync=$!
for _ in $(seq 600); do
    [ "$(count intel "$a")" != "$before" ] && break
    sleep 0.05
done
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
vg_serve "$tmp/a2.log" "$vigil" serve --store "$a" --listen "127.0.0.1:$port_a" --config "$tmp/a.conf"
wait $sync 2>/dev/null # it ends by itself: retried through the restart, or gave up (then the rerun does it)
"$vigil" sync a --push --json --store "$b" >"$tmp/out" 2>"$tmp/err" || bad "push after the restart: $(cat "$tmp/err")"
ids intel "$a" >"$tmp/a.ids"
[ "$(grep -c 'indicator--5b5b5b5b-' "$tmp/a.ids")" = 1500 ] && ok ||
    bad "A has $(grep -c 'indicator--5b5b5b5b-' "$tmp/a.ids") of B's 1500 objects"
[ "$(sort -u "$tmp/a.ids" | wc -l)" = "$(wc -l <"$tmp/a.ids")" ] && ok || bad "a version is in A twice"
[ "$(count intel "$a")" = "$((before + 1500))" ] && ok || bad "A holds $(count intel "$a") versions, expected $((before + 1500))"
# Everything B pulled from A went back as "already stored": A still has each of them once.
grep -v 'indicator--5b5b5b5b-' "$tmp/a.ids" | cmp -s - "$tmp/a0.ids" && ok || bad "A's own objects changed"

# B serves what it pulled: a third store pulls it from B's server and gets the same.
"$vigil" user add partner-c --org identity--cccccccc-1111-4111-8111-cccccccccccc --no-password --store "$b" >/dev/null 2>&1
"$vigil" collection grant from-a partner-c read --store "$b" >/dev/null 2>&1
tok_b=$("$vigil" token add partner-c --store "$b" 2>/dev/null)
cid_b=$("$vigil" collection list --store "$b" | awk '$2 == "from-a" {print $1}')
"$vigil" collection set from-a --default-tlp green --recipient identity--cccccccc-1111-4111-8111-cccccccccccc --store "$b" >/dev/null 2>&1
vg_serve "$tmp/b.log" "$vigil" serve --store "$b" --listen 127.0.0.1:0
echo "$tok_b" | "$vigil" peer add b "http://127.0.0.1:$port/api/" --collection "$cid_b" --into from-b --token-stdin \
    --store "$tmp/d.db" 2>/dev/null
"$vigil" sync b --pull --store "$tmp/d.db" >/dev/null 2>"$tmp/err" || bad "pull from B: $(cat "$tmp/err")"
ids from-b "$tmp/d.db" | grep -v 'indicator--5b5b5b5b-' >"$tmp/d.ids"
cmp -s "$tmp/d.ids" "$tmp/c.ids" && ok || bad "B hands on something else: $(diff "$tmp/d.ids" "$tmp/c.ids" | head -5)"
grep -q "$tok\|$tok_b" "$tmp/a.log" "$tmp/a2.log" "$tmp/b.log" && bad "a token was logged" || ok
vg_done
