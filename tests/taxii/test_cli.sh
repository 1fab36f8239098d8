#!/usr/bin/env bash
# test_cli.sh - vigil user/token/collection/serve end to end: accounts with
# argon2id hashes (never the password) in the store, tokens shown once and
# revocable, rights granted per collection, clear errors for bad input, and
# 'vigil serve' over TLS answering, then stopping cleanly on SIGTERM with a
# request in flight answered.
. "$(dirname "$0")/../lib.sh"
vg_setup taxii_cli
org=identity--11111111-1111-4111-8111-111111111111

# Accounts.
echo 'correct horse' | "$vigil" user add alice --org "$org" --password-stdin --store "$db" 2>/dev/null && ok || bad "user add"
expect 2 "already an account" sh -c "echo pw | '$vigil' user add alice --org $org --password-stdin --store '$db'"
expect 2 "identity id" sh -c "echo pw | '$vigil' user add bob --org nobody --password-stdin --store '$db'"
expect 2 "no password" "$vigil" user add bob --org "$org" --password-stdin --store "$db"
expect 0 "" "$vigil" user add bob --org "$org" --no-password --store "$db"
expect 0 "alice" "$vigil" user list --store "$db"
grep -q "$org" "$tmp/out" && ok || bad "user list shows the organisation"
# The password is stored only as an argon2id hash.
# sqlite3, openssl and curl are in deps/debian.txt: their absence is a failure, not a skip.
for tool in sqlite3 openssl curl; do command -v $tool >/dev/null || bad "$tool is not installed (deps/debian.txt lists it)"; done
if command -v sqlite3 >/dev/null; then
    h=$(sqlite3 "$db" "SELECT pwhash FROM taxii_accounts WHERE name='alice'")
    case "$h" in '$argon2id$v=19$m=19456,t=2,p=1$'*) ok ;; *) bad "password hash is '$h'" ;; esac
    grep -q "correct horse" "$db" && bad "the password is in the store file" || ok
fi
echo 'new pw' | "$vigil" user passwd alice --password-stdin --store "$db" 2>/dev/null && ok || bad "user passwd"
expect 2 "no account" sh -c "echo x | '$vigil' user passwd nobody --password-stdin --store '$db'"

# Tokens: shown once on stdout, id on stderr, revocable.
tok=$("$vigil" token add bob --label ci --store "$db" 2>"$tmp/err")
[[ "$tok" =~ ^[0-9a-f]{64}$ ]] && ok || bad "token is '$tok'"
tid=$(grep -o 'token [0-9a-f]*' "$tmp/err" | cut -d' ' -f2)
expect 0 "$tid" "$vigil" token list --store "$db"
grep -q "$tok" "$tmp/out" && bad "token list shows the secret" || ok
expect 2 "no account" "$vigil" token add nobody --store "$db"

# Collections and rights.
cid=$("$vigil" collection add intel --title "Shared intel" --default-tlp amber --recipient "$org" --store "$db")
[[ "$cid" =~ ^[0-9a-f-]{36}$ ]] && ok || bad "collection id '$cid'"
expect 2 "already a collection" "$vigil" collection add intel --store "$db"
expect 2 "default-tlp" "$vigil" collection add other --default-tlp purple --store "$db"
expect 0 "tlp:amber" "$vigil" collection list --store "$db"
expect 0 "" "$vigil" collection set intel --default-tlp green --store "$db"
expect 0 "tlp:green" "$vigil" collection list --store "$db"
expect 0 "" "$vigil" collection grant intel bob read --store "$db"
expect 2 "rights are" "$vigil" collection grant intel bob everything --store "$db"
expect 2 "no collection" "$vigil" collection grant nowhere bob read --store "$db"

# vigil serve over TLS, with the bearer token.
if command -v openssl >/dev/null && command -v curl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
        -subj /CN=127.0.0.1 >/dev/null 2>&1
    printf 'title = "CLI test server"\nmax_page = 10\n' >"$tmp/taxii.conf"
    vg_serve "$tmp/serve.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0 --tls-cert "$tmp/cert.pem" \
        --tls-key "$tmp/key.pem" --config "$tmp/taxii.conf"
    pid=$vg_last_pid
    body=$(curl -sk -H "Authorization: Bearer $tok" "https://127.0.0.1:$port/taxii2/")
    case "$body" in *'"title":"CLI test server"'*) ok ;; *) bad "discovery over TLS: $body" ;; esac
    code=$(curl -sk -o /dev/null -w '%{http_code}' -u alice:'new pw' "https://127.0.0.1:$port/api/collections/")
    [ "$code" = 200 ] && ok || bad "basic auth after passwd: $code"
    code=$(curl -sk -o /dev/null -w '%{http_code}' -u alice:'correct horse' "https://127.0.0.1:$port/api/")
    [ "$code" = 401 ] && ok || bad "old password still accepted: $code"
    # Revoke the token: the next request is refused.
    "$vigil" token revoke "$tid" --store "$db" 2>/dev/null && ok || bad "token revoke"
    code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "https://127.0.0.1:$port/taxii2/")
    [ "$code" = 401 ] && ok || bad "revoked token accepted: $code"
    # A request in flight when SIGTERM arrives (headers sent, body still coming) is answered.
    "$vigil" collection grant intel alice read,write --store "$db" 2>/dev/null
    auth=$(printf 'alice:new pw' | base64)
    { printf 'POST /api/collections/%s/objects/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\n' "$cid" "$auth"
      printf 'Content-Type: application/taxii+json;version=2.1\r\nContent-Length: 14\r\nConnection: close\r\n\r\n'
      sleep 2; printf '{"objects":[]}'; sleep 1; } |
        openssl s_client -quiet -connect 127.0.0.1:$port >"$tmp/slow.out" 2>/dev/null &
    slow=$!
    sleep 1
    kill -TERM $pid
    wait $pid; st=$?
    wait $slow 2>/dev/null
    [ $st = 0 ] && ok || bad "serve exit status $st after SIGTERM"
    grep -q "HTTP/1.1 202" "$tmp/slow.out" && ok || bad "request in flight not answered: $(head -c 300 "$tmp/slow.out")"
    grep -q "stopped" "$tmp/serve.log" && ok || bad "no clean stop: $(tail -3 "$tmp/serve.log")"
    grep -q "new pw\|$tok" "$tmp/serve.log" && bad "a secret was logged" || ok
fi
expect 0 "" "$vigil" user remove bob --store "$db"
expect 2 "no account" "$vigil" user remove bob --store "$db"

vg_done
