#!/usr/bin/env bash
# test_browser.sh - the HTML briefing in a real browser: headless Chromium,
# with its own empty profile and every host name mapped to nowhere, opens the
# file:// page of a briefing made here (the sample's intelligence and a dozen
# incidents) and of an empty period. Checked: no console message (the page
# has no script; a blocked request would log a CSP violation), no network
# request from the page (Chromium's net log), a non-empty PNG screenshot, and
# every chart in the rendered DOM non-empty with its bars and labels inside
# its viewBox. Skips (77) without chromium, fails without it under CI=true.
. "$(dirname "$0")/../lib.sh"
vg_setup brief_browser

vg_need_chromium

# --- a briefing with something in every chart
v() { "$vigil" "$@" --store "$db"; }
expect 0 "" "$vigil" sample --seed 5 --indicators 30 -o "$tmp/sample.json"
expect 0 "" v import --quiet "$tmp/sample.json"
actor=$("$vigil" list --type intrusion-set --store "$db" 2>/dev/null | grep -o 'intrusion-set--[0-9a-f-]*' | head -1)
[ -n "$actor" ] && ok || bad "no intrusion set in the sample"
n=0
for spec in "critical denial-of-service elections FR 2025-03-03" "high ransomware health DE 2025-03-05" \
    "medium espionage government UA 2025-03-09" "low defacement media EE 2025-03-12" \
    "high data-theft finance PL 2025-03-15" "critical disruption energy UA 2025-03-21" \
    "medium ransomware health DE 2025-03-28" "high espionage diplomacy FR 2025-02-10" \
    "low denial-of-service elections US 2025-02-20"; do
    set -- $spec
    n=$((n + 1))
    name="Incident $n: a rather long name, so that labels and list items wrap <b>&amp;</b>"
    id=$(v incident new "$name" severity=$1 categories=$2 sectors=$3 countries=$4 first_activity=${5}T10:00:00Z 2>"$tmp/err")
    [ -n "$id" ] && ok || bad "incident new: $(cat "$tmp/err")"
    [ $((n % 2)) = 1 ] && [ -n "$actor" ] && v incident link "$id" "$actor" >/dev/null 2>&1
done
expect 0 "" v brief --from 2025-03-01 --to 2025-04-01 --format html -o "$tmp/month.html"
expect 0 "" v brief --from 2019-03-01 --to 2019-04-01 --format html -o "$tmp/empty.html"

# run NAME ACTION...: Chromium on $tmp/NAME.html with ACTION (--dump-dom, --screenshot=...).
run() {
    local name=$1
    shift
    vg_chromium "$tmp/$name.html" "$tmp/$name" "$@"
}

# charts FILE: one line per problem with the SVG charts of a dumped DOM (none: no output).
charts() {
    awk '
    function attr(s, name,   m) {
        if (match(s, " " name "=\"[^\"]*\"")) { m = substr(s, RSTART, RLENGTH); sub(/^[^"]*"/, "", m); sub(/"$/, "", m); return m }
        return ""
    }
    {
        rest = $0
        while ((i = index(rest, "<svg")) > 0) {
            rest = substr(rest, i)
            j = index(rest, "</svg>")
            if (!j) { print "an unclosed svg"; break }
            svg = substr(rest, 1, j); rest = substr(rest, j + 6)
            nsvg++
            split(attr(svg, "viewBox"), vb, " "); w = vb[3] + 0; h = vb[4] + 0
            if (w <= 0 || h <= 0) { print "chart " nsvg ": no viewBox"; continue }
            bars = 0; s = svg
            while ((k = index(s, "<rect")) > 0) {
                s = substr(s, k + 5); e = index(s, ">"); el = substr(s, 1, e)
                x = attr(el, "x") + 0; y = attr(el, "y") + 0; bw = attr(el, "width") + 0; bh = attr(el, "height") + 0
                if (x < 0 || y < 0 || x + bw > w + 0.01 || y + bh > h + 0.01)
                    print "chart " nsvg ": a bar outside the viewBox (" x "," y " " bw "x" bh " in " w "x" h ")"
                if (bw > 0 && bh > 0 && el ~ /class="c"/) bars++
            }
            s = svg
            while ((k = index(s, "<text")) > 0) {
                s = substr(s, k + 5); e = index(s, ">"); el = substr(s, 1, e)
                if (attr(el, "x") + 0 >= w || attr(el, "y") + 0 > h) print "chart " nsvg ": a label outside the viewBox"
            }
            if (!bars) print "chart " nsvg ": no bar"
        }
    }
    END { print nsvg + 0 > "/dev/stderr" }' "$1"
}

for page in month empty; do
    if [ "$page" = month ]; then run month --dump-dom --screenshot="$tmp/shot.png"; else run "$page" --dump-dom; fi
    if [ -s "$tmp/$page.stdout" ] && grep -q "Threat landscape briefing" "$tmp/$page.stdout"; then ok; else
        bad "$page: chromium rendered nothing: $(grep -v dbus "$tmp/$page.log" | tail -5)"; continue; fi
    grep -q "CONSOLE" "$tmp/$page.log" && bad "$page: console messages: $(grep CONSOLE "$tmp/$page.log" | head -5)" || ok
    reqs=$(vg_chromium_requests "$tmp/$page")
    [ -z "$reqs" ] && ok || bad "$page: network requests: $reqs"
    problems=$(charts "$tmp/$page.stdout" 2>"$tmp/$page.nsvg")
    [ -z "$problems" ] && ok || bad "$page: $problems"
    nsvg=$(cat "$tmp/$page.nsvg")
    if [ "$page" = month ]; then
        [ "$nsvg" = 4 ] && ok || bad "month: $nsvg charts, expected 4 (category, sector, actor, timeline)"
        grep -qF 'Incident 1: a rather long name, so that labels and list items wrap &lt;b&gt;&amp;amp;&lt;/b&gt;' \
            "$tmp/$page.stdout" && ok || bad "month: the incident name is not in the page, escaped"
    else
        [ "$nsvg" = 0 ] && ok || bad "empty: $nsvg charts for a period without incidents"
        grep -q "No incidents in the period" "$tmp/$page.stdout" && ok || bad "empty: no word of the empty period"
    fi
done

if [ -s "$tmp/shot.png" ] && [ "$(head -c 8 "$tmp/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    size=$(stat -c %s "$tmp/shot.png")
    [ "$size" -gt 20000 ] && ok || bad "the screenshot is a nearly blank PNG ($size bytes)"
else
    bad "no PNG screenshot: $(grep -v dbus "$tmp/month.log" | tail -5)"
fi
vg_done
