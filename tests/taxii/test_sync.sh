#!/usr/bin/env bash
# test_sync.sh - vigil peer/sync against a vigil TAXII server on 127.0.0.1:
# a pull imports every page, a second pull is incremental (nothing new), a
# push sends new local objects, TLP:RED and TLP:AMBER+STRICT never leave, and
# a bad token or a wrong collection gives a clear error with exit 2.
. "$(dirname "$0")/../lib.sh"
vg_setup taxii_sync
srv="$tmp/srv.db" cli="$tmp/cli.db"
org=identity--22222222-2222-4222-8222-222222222222
versions() { "$vigil" stats --store "$1" --collection "$2" --json | grep -o '"versions":[0-9]*' | head -1 | cut -d: -f2; }
count_in() { "$vigil" export --store "$1" --collection "$2" --all-versions | tail -n +2 | grep -c '^{"type"'; }

# The partner's server: a collection with the sample in it (GREEN by default), an account with a token.
cid=$("$vigil" collection add intel --default-tlp green --store "$srv" 2>/dev/null)
"$vigil" user add partner --org "$org" --no-password --store "$srv" >/dev/null 2>&1
"$vigil" collection grant intel partner read,write --store "$srv" >/dev/null 2>&1
tok=$("$vigil" token add partner --store "$srv" 2>/dev/null)
"$vigil" sample --seed 5 --indicators 1200 -o "$tmp/sample.json" || bad "sample"
"$vigil" import --quiet --store "$srv" --collection intel "$tmp/sample.json" || bad "server import"
printf 'max_page = 500\n' >"$tmp/taxii.conf"
vg_serve "$tmp/serve.log" "$vigil" serve --store "$srv" --listen 127.0.0.1:0 --config "$tmp/taxii.conf"
pid=$vg_last_pid
url="http://127.0.0.1:$port/api/"

# What the partner shows this account: the TAXII view, counted through the server itself.
echo "$tok" | "$vigil" peer add partner "$url" --collection "$cid" --into from-partner --token-stdin --store "$cli" 2>/dev/null \
    && ok || bad "peer add"
"$vigil" peer list --store "$cli" >"$tmp/out" && grep -q "partner" "$tmp/out" && ok || bad "peer list"
grep -q "$tok" "$tmp/out" && bad "peer list shows the token" || ok

"$vigil" sync partner --pull --json --store "$cli" >"$tmp/out" 2>"$tmp/err" || bad "first pull: $(cat "$tmp/err")"
pulled=$(grep -o '"pulled":[0-9]*' "$tmp/out" | cut -d: -f2)
new=$(grep -o '"imported":[0-9]*' "$tmp/out" | cut -d: -f2)
requests=$(grep -o '"requests":[0-9]*' "$tmp/out" | cut -d: -f2)
visible=$(count_in "$cli" from-partner)
[ "${pulled:-0}" -gt 1000 ] && ok || bad "first pull read ${pulled:-0} objects: $(cat "$tmp/out")"
[ "$new" = "$visible" ] && ok || bad "imported $new but the collection holds $visible"
[ "${requests:-0}" -ge 3 ] && ok || bad "a pull of $pulled objects with pages of 500 took $requests requests"
# The server withholds RED (no recipients) from this account: nothing RED arrives.
red_on_server=$("$vigil" export --store "$srv" --collection intel | grep -c '"object_marking_refs":\[[^]]*e828b379-4e03-4974-9ac4-e53a884c97c1')
[ "$red_on_server" -gt 0 ] && ok || bad "the sample has no TLP:RED object to withhold"
grep -q '"object_marking_refs":\[[^]]*e828b379-4e03-4974-9ac4-e53a884c97c1' <("$vigil" export --store "$cli" --collection from-partner) \
    && bad "a TLP:RED object was pulled" || ok

"$vigil" sync partner --pull --json --store "$cli" >"$tmp/out" 2>"$tmp/err" || bad "second pull: $(cat "$tmp/err")"
grep -q '"imported":0' "$tmp/out" && ok || bad "second pull was not incremental: $(cat "$tmp/out")"

# Push: three new local objects, GREEN, RED and AMBER+STRICT; only the GREEN one reaches the partner.
ind() { # uuid, marking id
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2026-05-01T00:00:00.000Z","modified":"2026-05-01T00:00:00.000Z","pattern":"[domain-name:value = '"'"'push-%s.example'"'"']","pattern_type":"stix","valid_from":"2026-05-01T00:00:00Z","object_marking_refs":["%s"]}' "$1" "$1" "$2"
}
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
red=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
strict=marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003
printf '[%s,%s,%s]' "$(ind 33333333-3333-4333-8333-333333333331 $green)" \
    "$(ind 33333333-3333-4333-8333-333333333332 $red)" "$(ind 33333333-3333-4333-8333-333333333333 $strict)" >"$tmp/new.json"
"$vigil" import --quiet --store "$cli" --collection from-partner "$tmp/new.json" || bad "local import"
"$vigil" sync partner --push --json --store "$cli" >"$tmp/out" 2>"$tmp/err" || bad "push: $(cat "$tmp/err")"
grep -q '"withheld":2' "$tmp/out" && ok || bad "push did not withhold RED and AMBER+STRICT: $(cat "$tmp/out")"
"$vigil" get --store "$srv" indicator--33333333-3333-4333-8333-333333333331 >/dev/null 2>&1 && ok || bad "GREEN not pushed"
"$vigil" get --store "$srv" indicator--33333333-3333-4333-8333-333333333332 >/dev/null 2>&1 && bad "RED was pushed" || ok
"$vigil" get --store "$srv" indicator--33333333-3333-4333-8333-333333333333 >/dev/null 2>&1 && bad "AMBER+STRICT was pushed" || ok
"$vigil" sync partner --push --json --store "$cli" >"$tmp/out" 2>"$tmp/err" || bad "second push: $(cat "$tmp/err")"
grep -q '"pushed":0' "$tmp/out" && grep -q '"requests":0' "$tmp/out" && ok || bad "second push was not incremental: $(cat "$tmp/out")"

# Retries with back-off: a second server over the same store allows 1 request per second per
# account; a pull of several pages (meeting 429 answers when the machine is fast enough) completes,
# with nothing lost.
printf 'max_page = 500\nrate = 1\n' >"$tmp/slow.conf"
main_port=$port
vg_serve "$tmp/slow.log" "$vigil" serve --store "$srv" --listen 127.0.0.1:0 --config "$tmp/slow.conf"
pid2=$vg_last_pid port2=$port port=$main_port
echo "$tok" | "$vigil" peer add limited "http://127.0.0.1:$port2/api/" --collection "$cid" --into limited \
    --token-stdin --store "$cli" 2>/dev/null
"$vigil" sync limited --pull --json --store "$cli" >"$tmp/out" 2>"$tmp/err" || bad "rate-limited pull: $(cat "$tmp/err")"
want=$((visible + 1)) # what the partner now shows: its own objects and the GREEN one we pushed
[ "$(count_in "$cli" limited)" = "$want" ] && ok || bad "rate-limited pull got $(count_in "$cli" limited) of $want"
req=$(grep -o '"requests":[0-9]*' "$tmp/out" | cut -d: -f2)
# at least one request per page; more when 429s were met (how many depends on the machine's speed: on a
# slow one, e.g. under AddressSanitizer, the requests may never fall within one second)
[ "${req:-0}" -ge 4 ] && ok || bad "a pull of several pages made only $req requests"
kill -TERM $pid2; wait $pid2
# The retries themselves, whatever the machine's speed: the same peer with its server gone. A failed
# connection is tried five times in all, after 0.5, 1, 2 and 4 s, then the pull fails (exit 2) and says so,
# and nothing is imported.
before=$(count_in "$cli" limited)
expect 2 "reachable" "$vigil" sync limited --pull --json --store "$cli"
grep -q '"requests":5,' "$tmp/out" && ok || bad "a dead peer was not tried five times: $(cat "$tmp/out")"
[ "$(count_in "$cli" limited)" = "$before" ] && ok || bad "a failed pull changed the collection"

# Errors: a wrong token, a wrong collection, nobody listening.
echo "0000" | "$vigil" peer add badtok "$url" --collection "$cid" --token-stdin --store "$cli" 2>/dev/null
"$vigil" sync badtok --pull --store "$cli" >/dev/null 2>"$tmp/err"; st=$?
[ $st = 2 ] && grep -q "HTTP 401" "$tmp/err" && ok || bad "bad token: exit $st, $(cat "$tmp/err")"
echo "$tok" | "$vigil" peer add badcoll "$url" --collection 99999999-9999-4999-8999-999999999999 --token-stdin --store "$cli" 2>/dev/null
"$vigil" sync badcoll --pull --store "$cli" >/dev/null 2>"$tmp/err"; st=$?
[ $st = 2 ] && grep -q "HTTP 404" "$tmp/err" && ok || bad "bad collection: exit $st, $(cat "$tmp/err")"
"$vigil" sync nosuch --store "$cli" >/dev/null 2>"$tmp/err"; st=$?
[ $st = 2 ] && grep -q "no peer" "$tmp/err" && ok || bad "unknown peer: exit $st"
kill -TERM $pid; wait $pid
"$vigil" sync partner --pull --store "$cli" >/dev/null 2>"$tmp/err"; st=$?
[ $st = 2 ] && grep -qi "failed\|connect" "$tmp/err" && ok || bad "server down: exit $st, $(cat "$tmp/err")"
grep -q "$tok" "$tmp/err" "$tmp/serve.log" && bad "the token was printed" || ok

vg_done
