#!/usr/bin/env bash
# test_ios_cli.sh - vigil phone check-ios and decrypt-ios from the command
# line, on the real iOS 14.3 test backup: exit codes (1 found, 0 clean or
# informational only, 2 error), --json, --fs on the backup folder (MVT's
# check-fs: the two "binary not found" DataUsage findings more), sightings
# recorded in a store with the devices' times, --output, and the errors:
# not a backup, decrypt-ios on a plain backup, a password on the command line;
# --index (a saved index) gives the findings --iocs gives.
. "$(dirname "$0")/../lib.sh"
vg_setup phone_ios
vg_need_shared

m="$shared/data/mobile"
iocs="$m/test-indicators.stix2"
b="$m/ios_backup"
cd "$tmp" || exit 1

# the backup: 4 critical findings (tcc, sms, whatsapp, calendar), a low and an informational one, exit 1
expect 1 "Launch" "$vigil" phone check-ios --iocs "$iocs" "$b"
n=$(grep -c '^  critical ' out)
[ "$n" = 4 ] && ok || bad "expected 4 critical findings, got $n"
grep -q '^  low .*Missing process 5' out && ok || bad "the DataUsage gap is missing: $(head -c 600 out)"
grep -q '^  informational .*Lockdown mode enabled' out && ok || bad "lockdown mode is missing"

# --index: a saved index gives the same findings, loaded instead of built; --iocs with it is refused
"$vigil" index build --iocs "$iocs" -o saved.idx >/dev/null 2>&1 || bad "index build failed"
cp out byiocs.txt
expect 1 "Launch" "$vigil" phone check-ios --index saved.idx "$b"
diff <(grep -E '^  (critical|high|medium|low|informational) ' byiocs.txt) \
    <(grep -E '^  (critical|high|medium|low|informational) ' out) >/dev/null &&
    ok || bad "--index gave other findings than --iocs: $(head -c 600 out)"
expect 1 "" "$vigil" phone check-android --iocs "$iocs" "$m/androidqf"
cp out aqf-iocs.txt
expect 1 "" "$vigil" phone check-android --index saved.idx "$m/androidqf"
diff <(grep -E '^  (critical|high|medium|low|informational) ' aqf-iocs.txt) \
    <(grep -E '^  (critical|high|medium|low|informational) ' out) >/dev/null &&
    ok || bad "check-android --index gave other findings than --iocs: $(head -c 600 out)"
expect 2 "cannot be used together" "$vigil" phone check-ios --index saved.idx --iocs "$iocs" "$b"
expect 2 "" "$vigil" phone check-ios --index no-such.idx "$b"

# --json: one document with the device and every artifact
expect 1 '"product_version": "14.3"' "$vigil" phone check-ios --json --iocs "$iocs" "$b"
grep -q '"name": "interaction_c"' out && ok || bad "--json lacks the interaction_c artifact"
grep -q '"indicator_name": "TestMalware"' out && ok || bad "--json lacks the indicator's name"

# --fs on the backup folder: MVT's check-fs alerts, the binary-less process twice
expect 1 "Could not find the binary of the process CumulativeUsageTracker" \
    "$vigil" phone check-ios --fs --iocs "$iocs" "$b"
n=$(grep -c '^  medium .*CumulativeUsageTracker' out)
[ "$n" = 2 ] && ok || bad "--fs: expected 2 medium DataUsage findings, got $n"
grep -q '^  filesystem  *read' out && ok || bad "--fs: the filesystem walk did not run"

# no indicator matches: informational only is exit 0
cat >none.json <<'JSON'
{"type":"bundle","id":"bundle--00000000-0000-4000-8000-0000000000aa","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-0000000000ab","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'nothing-here.invalid']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}]}
JSON
mkdir -p quiet
cp "$b/Info.plist" quiet/
id=0dc926a1810f7aee4e8f38793ed788701f93bf9d # HomeDomain .GlobalPreferences.plist: lockdown mode
mkdir -p "quiet/${id:0:2}" && cp "$b/${id:0:2}/$id" "quiet/${id:0:2}/"
expect 0 "Lockdown mode enabled" "$vigil" phone check-ios --iocs none.json quiet

# sightings in a store: example.org (sms, whatsapp, calendar) and Launch (tcc), at the devices' times
"$vigil" import --store "$db" "$iocs" >/dev/null 2>&1 || bad "import the test indicators"
expect 1 "2 sightings recorded" "$vigil" phone check-ios --store "$db" "$b"
"$vigil" list --store "$db" --type sighting --json >list.json 2>err
for s in $(grep -o 'sighting--[0-9a-f-]*' list.json | sort -u); do
    "$vigil" get --store "$db" "$s" >>sightings.json 2>err
done
grep -q '"first_seen": *"2021-12-03T19:32:03.000Z"' sightings.json && ok || bad "TCC sighting time: $(head -c 800 sightings.json)"
grep -q '"first_seen": *"2019-08-29T23:13:30.539Z"' sightings.json && ok || bad "SMS sighting time: $(head -c 800 sightings.json)"

# --output: the folder and its files
expect 1 "" "$vigil" phone check-ios --iocs "$iocs" --output report "$b"
for f in info.json findings.json sms.json interaction_c.json timeline.csv report.html; do
    [ -s "report/$f" ] && ok || bad "--output lacks $f"
done

# errors: not a backup, decrypt-ios of a plain backup, no password on the command line, bad usage
mkdir -p notabackup && echo hi >notabackup/readme.txt
expect 2 "not an iOS backup" "$vigil" phone check-ios --iocs "$iocs" notabackup
expect 2 "is not a folder" "$vigil" phone check-ios --fs --iocs "$iocs" notabackup/readme.txt
expect 2 "not an encrypted backup" "$vigil" phone decrypt-ios "$b" plain-copy
expect 2 "usage" "$vigil" phone check-ios --password secret "$b"
expect 2 "usage" "$vigil" phone decrypt-ios "$b"

vg_done
