#!/usr/bin/env bash
# test_limits.sh - vigil serve against slow and greedy clients: a client that
# trickles header lines (slow-loris) and one that stops mid-request are both
# cut off once `timeout` has passed without complete headers, while other
# clients - even with many such connections open - are answered meanwhile;
# headers over max_header get a TAXII 431; a declared body over max_body a
# TAXII 413 before it is sent.
. "$(dirname "$0")/../lib.sh"
vg_setup taxii_limits

"$vigil" user add ann --org identity--44444444-4444-4444-8444-444444444444 --no-password --store "$db" >/dev/null 2>&1
tok=$("$vigil" token add ann --store "$db" 2>/dev/null)
printf 'timeout = 2\nmax_header = 8k\nmax_body = 1m\n' >"$tmp/taxii.conf"
vg_serve "$tmp/serve.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0 --config "$tmp/taxii.conf"
get() { curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $tok" "$@"; }

# A trickler: one header line every half second, never the blank line that ends them.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /taxii2/ HTTP/1.1\r\nHost: x\r\n' >&3
( for i in $(seq 60); do printf 'X-Slow-%d: y\r\n' "$i" >&3 || break; sleep 0.5; done ) 2>/dev/null &
trickle=$!
# Stallers: the first line of a request, then nothing.
for i in $(seq 40); do
    eval "exec $((9 + i))<>/dev/tcp/127.0.0.1/$port"
    printf 'GET /taxii2/ HTTP/1.1\r\n' >&$((9 + i))
done
# Meanwhile the others are served.
[ "$(get "http://127.0.0.1:$port/taxii2/")" = 200 ] && ok || bad "a normal request during the slow ones: $(cat "$tmp/body")"
# The trickler is cut off although it keeps sending (30 s of trickle; the deadline is 2 s).
timeout 25 cat <&3 >/dev/null
st=$?
[ $st != 124 ] && ok || bad "the trickling connection was still open after 25 s"
kill $trickle 2>/dev/null
wait $trickle 2>/dev/null
# So are the stallers.
timeout 10 cat <&10 >/dev/null
[ $? != 124 ] && ok || bad "a stalled connection was still open"
for i in $(seq 40); do eval "exec $((9 + i))>&-"; done
exec 3>&-
[ "$(get "http://127.0.0.1:$port/taxii2/")" = 200 ] && ok || bad "a request after the slow ones: $(cat "$tmp/body")"

# Headers over max_header: 431 with a TAXII error body.
pad=$(head -c 9000 /dev/zero | tr '\0' x)
[ "$(get -H "X-Pad: $pad" "http://127.0.0.1:$port/taxii2/")" = 431 ] && ok || bad "oversized headers: $(cat "$tmp/body")"
grep -q '"http_status":"431"' "$tmp/body" && ok || bad "431 body: $(cat "$tmp/body")"
# A declared body over max_body: 413 at once (curl does not wait to send it: Expect is refused).
head -c 2000000 /dev/zero | tr '\0' ' ' >"$tmp/big"
[ "$(get -X POST -H 'Content-Type: application/taxii+json;version=2.1' --data-binary @"$tmp/big" \
    "http://127.0.0.1:$port/api/collections/00000000-0000-4000-8000-000000000000/objects/")" = 413 ] \
    && ok || bad "oversized body: $(cat "$tmp/body")"
grep -q '"http_status":"413"' "$tmp/body" && ok || bad "413 body: $(cat "$tmp/body")"
vg_done
