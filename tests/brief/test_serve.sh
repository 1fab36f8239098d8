#!/usr/bin/env bash
# test_serve.sh - vigil serve --brief-every: the briefing of the last full
# month appears in --brief-dir at start-up (HTML, Markdown, JSON), is served
# at /briefings/ (index and files) to the same accounts as TAXII and to no one
# else, is not rewritten by a restart, and is written again when missing;
# --brief-every week names its file by ISO week. Names that leave the folder
# are refused.
. "$(dirname "$0")/../lib.sh"
vg_setup brief_serve
org=identity--11111111-1111-4111-8111-111111111111
for tool in curl date; do command -v $tool >/dev/null || bad "$tool is not installed (deps/debian.txt lists it)"; done

# an incident in the middle of last month (UTC), one in the last full week
month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
monday=$(date -u -d "$(date -u +%F) -$(( $(date -u +%u) - 1 )) days -7 days" +%F)
week=$(date -u -d "$monday" +%G-W%V)
v() { "$vigil" "$@" --store "$db"; }
expect 0 "incident--" v incident new "Wiper at the <grid> of last month" severity=critical categories=disruption \
    sectors=energy first_activity=${month}-15T12:00:00Z
expect 0 "incident--" v incident new "Phishing of last week" severity=high categories=espionage \
    sectors=government first_activity=${monday}T09:00:00Z
echo 'pw one' | "$vigil" user add alice --org "$org" --password-stdin --store "$db" 2>/dev/null && ok || bad "user add"
tok=$("$vigil" token add alice --store "$db" 2>/dev/null)

# wait_for FILE: up to 30 s for the scheduler to write it.
wait_for() {
    local i
    for i in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done
    return 1
}

dir="$tmp/briefs"
vg_serve "$tmp/serve.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0 --brief-every month --brief-dir "$dir"
pid=$vg_last_pid
if wait_for "$dir/brief-$month.html"; then ok; else bad "no $dir/brief-$month.html: $(cat "$tmp/serve.log")"; fi
for ext in md json; do [ -s "$dir/brief-$month.$ext" ] && ok || bad "no brief-$month.$ext"; done
grep -qF "Wiper at the &lt;grid&gt; of last month" "$dir/brief-$month.html" && ok || bad "the month's incident is not in it"
grep -q "Phishing of last week" "$dir/brief-$month.html" && bad "last week's incident is in last month's briefing" || ok
grep -qF "TLP:GREEN" "$dir/brief-$month.md" && ok || bad "the default audience is not green"
grep -q "wrote .*brief-$month.html" "$tmp/serve.log" && ok || bad "the server did not log the briefing"

base="http://127.0.0.1:$port"
get() { curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$@"; }
code=$(get -u alice:'pw one' "$base/briefings/")
[ "$code" = 200 ] && grep -q "brief-$month.html" "$tmp/body" && ok || bad "index: $code $(head -c 300 "$tmp/body")"
code=$(get -H "Authorization: Bearer $tok" "$base/briefings/brief-$month.html")
[ "$code" = 200 ] && cmp -s "$tmp/body" "$dir/brief-$month.html" && ok || bad "the file: $code"
grep -qi '^content-type: text/html' "$tmp/headers" && ok || bad "the HTML goes out as $(grep -i content-type "$tmp/headers")"
grep -qi "^content-security-policy: default-src 'none'" "$tmp/headers" && ok || bad "no CSP header"
code=$(get -u alice:'pw one' "$base/briefings/brief-$month.json")
[ "$code" = 200 ] && grep -qi '^content-type: application/json' "$tmp/headers" && ok || bad "the JSON: $code"
code=$(get "$base/briefings/brief-$month.html")
[ "$code" = 401 ] && ok || bad "without credentials: $code"
code=$(get -u alice:'wrong' "$base/briefings/")
[ "$code" = 401 ] && ok || bad "with a wrong password: $code"
code=$(get -u alice:'pw one' "$base/briefings/..%2Ft.db")
[ "$code" = 404 ] && ok || bad "a name out of the folder: $code"
code=$(get -u alice:'pw one' --path-as-is "$base/briefings/../t.db")
[ "$code" = 404 ] && ok || bad "a path out of the folder: $code"
code=$(get -u alice:'pw one' "$base/briefings/brief-1999-01.html")
[ "$code" = 404 ] && ok || bad "a missing briefing: $code"
code=$(get -u alice:'pw one' -X POST "$base/briefings/")
[ "$code" = 405 ] && ok || bad "POST: $code"
code=$(get -u alice:'pw one' -H 'Accept: application/taxii+json;version=2.1' "$base/taxii2/")
[ "$code" = 200 ] && ok || bad "TAXII discovery beside the briefings: $code"

# a restart keeps the file; a missing one is written again
kill "$pid"
wait "$pid" 2>/dev/null
touch -d '2001-01-01' "$dir/brief-$month.html"
vg_serve "$tmp/serve2.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0 --brief-every week --brief-dir "$dir"
pid=$vg_last_pid
if wait_for "$dir/brief-$week.html"; then ok; else bad "no weekly $dir/brief-$week.html: $(cat "$tmp/serve2.log")"; fi
grep -q "Phishing of last week" "$dir/brief-$week.html" && ok || bad "last week's incident is not in the weekly briefing"
[ "$(stat -c %Y "$dir/brief-$month.html")" = "$(date -d 2001-01-01 +%s)" ] && ok || bad "the monthly briefing was rewritten"
code=$(get -u alice:'pw one' "http://127.0.0.1:$port/briefings/")
[ "$code" = 200 ] && grep -q "brief-$week.html" "$tmp/body" && grep -q "brief-$month.html" "$tmp/body" && ok ||
    bad "the index after the restart: $code"
kill "$pid"
wait "$pid" 2>/dev/null
rm -f "$dir/brief-$month.html" "$dir/brief-$month.md"
vg_serve "$tmp/serve3.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0 --brief-every month --brief-dir "$dir"
if wait_for "$dir/brief-$month.html"; then ok; else bad "the missing monthly briefing was not written again"; fi
[ -s "$dir/brief-$month.md" ] && ok || bad "the .md was not written again"

expect 2 "--brief-every must be week or month" "$vigil" serve --store "$db" --brief-every day
expect 2 "--brief-audience must be" "$vigil" serve --store "$db" --brief-every week --brief-audience public
vg_done
