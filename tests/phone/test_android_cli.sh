#!/usr/bin/env bash
# test_android_cli.sh - vigil phone check-android from the command line, on the
# real artifacts: exit codes (1 found, 0 clean or informational only, 2
# error), --json, --password-stdin for an encrypted backup (and the clear
# error without it or with a wrong one), a sighting recorded in a store with
# the message's device time, and that no password is read from the command
# line.
. "$(dirname "$0")/../lib.sh"
vg_setup phone_android
vg_need_shared

m="$shared/data/mobile"
iocs="$m/test-indicators.stix2"
cat >"$tmp/google.json" <<JSON
{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
{"type":"malware","spec_version":"2.1","id":"malware--00000000-0000-4000-8000-000000000009","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"TestSpy","is_family":true},
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000002","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'google.com']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"},
{"type":"relationship","spec_version":"2.1","id":"relationship--00000000-0000-4000-8000-000000000003","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--00000000-0000-4000-8000-000000000002","target_ref":"malware--00000000-0000-4000-8000-000000000009"}]}
JSON
cd "$tmp" || exit 1

# the bugreport: 3 MEDIUM findings, exit 1
expect 1 "crash of UsbFfs-worker" "$vigil" phone check-android --iocs "$iocs" "$m/android_data/bugreport"
n=$(grep -c '^  medium ' out)
[ "$n" = 3 ] && ok || bad "bugreport: expected 3 medium findings, got $n"
# --output: the reference tool's timeline has 16 appops events and 2 crashes; vigil's has them too (in UTC)
expect 1 "" "$vigil" phone check-android --iocs "$iocs" --output "$tmp/out-br" "$m/android_data/bugreport"
for f in info.json findings.json timeline.csv report.html dumpsys_appops.json tombstones.json; do
    [ -s "$tmp/out-br/$f" ] && ok || bad "--output: no $f"
done
n=$(grep -c ',dumpsys_appops,event,' "$tmp/out-br/timeline.csv")
[ "$n" = 16 ] && ok || bad "--output: expected 16 appops events in the timeline, got $n"
grep -q '^2021-09-29T15:43:49Z,tombstones,event,.*crash of UsbFfs-worker' "$tmp/out-br/timeline.csv" && ok ||
    bad "--output: the tombstone's crash is not in the timeline"
# AndroidQF: root binaries HIGH, JSON output
expect 1 '"level": "high"' "$vigil" phone check-android --json --iocs "$iocs" "$m/androidqf"
grep -q '"os": "Android"' out && ok || bad "--json lacks the device's os"
grep -q '"name": "root_binaries"' out && ok || bad "--json lacks the root_binaries artifact"
# one file of an acquisition, by its name; a dumpsys output by its content
expect 1 "root binary su found at /system/bin/su" "$vigil" phone check-android --iocs "$iocs" "$m/androidqf/root_binaries.json"
expect 1 "REQUEST_INSTALL_PACKAGES" "$vigil" phone check-android --iocs "$iocs" "$m/androidqf/dumpsys.txt"
# a backup without a finding: exit 0
expect 0 "sms" "$vigil" phone check-android --iocs "$iocs" "$m/android_backup/backup.ab"

# the encrypted backup: no terminal, no --password-stdin: the backup fails clearly, the check does not
expect 0 "no password given" "$vigil" phone check-android --iocs "$iocs" "$m/androidqf_encrypted"
# a wrong password
echo wrong | "$vigil" phone check-android --password-stdin --iocs "$iocs" "$m/android_backup/backup2.ab" >out 2>err
[ $? = 0 ] && grep -q "wrong password" out && ok || bad "wrong password: $(cat out err | head -c 400)"
# the right one, with a store: the SMS link's domain is sighted at the message's time
"$vigil" import --store "$db" google.json >/dev/null 2>&1 || bad "import google.json"
echo 123456 | "$vigil" phone check-android --store "$db" --password-stdin "$m/androidqf_encrypted" >out 2>err
[ $? = 1 ] && ok || bad "encrypted AndroidQF with its password: expected exit 1: $(head -c 400 err)"
grep -q "1 sightings recorded" err && ok || bad "no sighting recorded: $(cat err)"
"$vigil" list --store "$db" --type sighting --json >out 2>err
"$vigil" get --store "$db" "$(grep -o 'sighting--[0-9a-f-]*' out | head -1)" >sight.json 2>err
grep -q '"first_seen": *"2022-02-22T15:29:41.956Z"' sight.json && ok || bad "sighting's first_seen: $(cat sight.json | head -c 600)"

# no password on the command line; bad usage and a path that is no acquisition are errors
expect 2 "usage" "$vigil" phone check-android --password 123456 "$m/androidqf_encrypted"
mkdir -p notandroid && echo hi >notandroid/readme.txt
expect 2 "not an Android acquisition" "$vigil" phone check-android --iocs "$iocs" notandroid
expect 2 "cannot read" "$vigil" phone check-android --iocs "$iocs" "$tmp/missing"
expect 0 "check-android" "$vigil" phone --help
vg_done
