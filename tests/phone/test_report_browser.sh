#!/usr/bin/env bash
# test_report_browser.sh - the HTML report of `vigil phone check-ios|check-android
# --output DIR` in a real browser: headless Chromium (tests/lib.sh's
# vg_chromium: its own empty profile, every host name mapped to nowhere)
# opens report.html of the real iOS backup, of the real AndroidQF folder and
# of a root_binaries.json whose paths are markup. In the DOM Chromium builds:
# one row of the findings table per finding of findings.json, as many
# critical rows as critical findings, the indicator hits present (the TCC
# client "Launch", the SMS link), the hostile paths as text (no element made
# of them); no console message (the page has no script, and a blocked
# request or an injected one would log), no request beyond file://. Skips
# (77) without chromium; fails without it under CI=true.
. "$(dirname "$0")/../lib.sh"
vg_setup phone_report_browser
vg_need_shared
vg_need_chromium
m="$shared/data/mobile"
iocs="$m/test-indicators.stix2"
cd "$tmp" || exit 1

# rows OUT TABLE [CLASS]: the data rows (not the header) of the table with that id in the DOM, one per line;
# with CLASS only the rows of that class (a finding's level).
rows() {
    tr -d '\n' <"$1.stdout" | grep -o "<table id=\"$2\">.*" | sed 's#</table>.*##' | sed 's#<tr#\n<tr#g' |
        grep '^<tr[ >]' | grep -v '<th>' | grep "^<tr${3:+ class=\"$3\"}"
}

# page NAME: opens NAME/report.html; checks what every report must hold. Sets $n (findings in findings.json).
page() {
    local name=$1
    vg_chromium "$tmp/$name/report.html" "$tmp/$name" --dump-dom
    if grep -q '<table id="findings">' "$name.stdout"; then ok; else
        bad "$name: chromium rendered no findings table: $(grep -v dbus "$name.log" | tail -5)"
        return
    fi
    grep -q CONSOLE "$name.log" && bad "$name: console messages: $(grep CONSOLE "$name.log" | head -5)" || ok
    local reqs
    reqs=$(vg_chromium_requests "$tmp/$name")
    [ -z "$reqs" ] && ok || bad "$name: the page asked for $reqs"
    n=$(grep -c '^    "level": ' "$name/findings.json")
    local shown crit want
    shown=$(rows "$name" findings | wc -l)
    [ "$n" -gt 0 ] && [ "$shown" = "$n" ] && ok || bad "$name: $shown finding rows in the DOM, findings.json has $n"
    crit=$(rows "$name" findings critical | wc -l)
    want=$(grep -c '^    "level": "critical"' "$name/findings.json")
    [ "$crit" = "$want" ] && ok || bad "$name: $crit critical rows in the DOM, findings.json has $want"
    grep -q '<table id="artifacts">' "$name.stdout" && ok || bad "$name: no artifacts table"
}

# the real iOS backup: MVT's 5 alerts and the calendar e-mail
expect 1 "" "$vigil" phone check-ios --no-record --iocs "$iocs" --output ios "$m/ios_backup"
page ios
[ "$n" = 6 ] && ok || bad "ios: expected 6 findings (MVT's 5 and the calendar's), findings.json has $n"
rows ios findings critical | grep 'tcc' | grep -q 'Launch' && ok || bad "ios: the critical TCC row of Launch is missing"
rows ios findings critical | grep -q 'https://badbadbad.example.org/' && ok || bad "ios: the SMS link's row is missing"
rows ios findings low | grep -q 'Missing process 5' && ok || bad "ios: the DataUsage gap's row is missing"
[ "$(rows ios timeline | wc -l)" -gt 100 ] && ok || bad "ios: the timeline table has (almost) no rows"

# the real AndroidQF folder
expect 1 "" "$vigil" phone check-android --no-record --iocs "$iocs" --output aqf "$m/androidqf"
page aqf
[ "$n" = 22 ] && ok || bad "aqf: expected 22 findings, findings.json has $n"
[ "$(rows aqf findings high | wc -l)" = 4 ] && ok || bad "aqf: expected the 4 HIGH root binaries"

# paths that are markup: shown as text, no element made of them, no script run
mkdir hostile
cat >hostile/root_binaries.json <<'JSON'
["/system/bin/<img src=x onerror=console.error(1)>", "/data/x</td></tr></table><script>console.error(2)</script>",
 "/sbin/\" onmouseover=\"console.error(3)"]
JSON
expect 1 "" "$vigil" phone check-android --no-record --iocs "$iocs" --output evil hostile/root_binaries.json
page evil
[ "$n" = 3 ] && ok || bad "evil: expected 3 findings, findings.json has $n"
grep -qi '<img\|<script' evil.stdout && bad "evil: markup of a path became an element" || ok
grep -Eq '<[a-z]+[^>]* onmouseover=' evil.stdout && bad "evil: a path became an attribute" || ok
rows evil findings high | grep -qF '/system/bin/&lt;img src=x onerror=console.error(1)&gt;' && ok ||
    bad "evil: the path is not shown as text"

vg_done
