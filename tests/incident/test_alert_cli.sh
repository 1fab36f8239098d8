#!/usr/bin/env bash
# test_alert_cli.sh - vigil alert end to end: incidents opened or raised to the
# threshold queue alerts with the change (with --alerts and $VIGIL_ALERTS),
# 'alert list' shows them with each channel's state, 'alert deliver' sends
# them once through a JSON-lines file and a hook and exits 1 while a channel
# still owes some.
. "$(dirname "$0")/../lib.sh"
vg_setup alert_cli
v() { "$vigil" "$@" --store "$db"; }

cat >"$tmp/hook.sh" <<HOOK
#!/bin/sh
[ -e "$tmp/down" ] && { echo "pager down" >&2; exit 4; }
cat >> "$tmp/hook.out"; echo >> "$tmp/hook.out"
HOOK
chmod +x "$tmp/hook.sh"
cat >"$tmp/alerts.conf" <<CONF
[alerts]
threshold = high
[jsonl]
path = $tmp/alerts.jsonl
[hook pager]
command = $tmp/hook.sh
CONF

expect 2 "no channel" v alert deliver
expect 2 "unknown setting" env VIGIL_ALERTS=/dev/null "$vigil" alert deliver --alerts <(printf '[alerts]\nx = 1\n') --store "$db"
expect 0 "" v incident new "Phishing at a school" severity=low --alerts "$tmp/alerts.conf"
grep -q "alert was queued" "$tmp/err" && bad "a low incident queued an alert" || ok
expect 0 "alert was queued" v incident new "Ransomware at the hospital" severity=critical --alerts "$tmp/alerts.conf"
export VIGIL_ALERTS="$tmp/alerts.conf"
expect 0 "incident--" v incident new "Leak at the ministry" severity=medium
id=$(cat "$tmp/out")
expect 0 "alert was queued" v incident set "$id" severity=high
expect 0 "" v incident set "$id" status=investigating
grep -q "alert was queued" "$tmp/err" && bad "a change without a rise queued an alert" || ok
expect 0 "pending(0)" v alert list
[ "$("$vigil" alert list --store "$db" | wc -l)" = 2 ] && ok || bad "alert list should show 2 alerts"
expect 0 '"reason":"raised"' v alert list --json

touch "$tmp/down"
expect 1 "2 delivered, 1 failed attempts, 2 left" v alert deliver
expect 0 "pager down" v alert list
rm "$tmp/down"
expect 0 "2 owed: 2 delivered, 0 failed attempts, 0 left" v alert deliver
expect 0 "0 owed" v alert deliver
[ "$(wc -l <"$tmp/alerts.jsonl")" = 2 ] && ok || bad "the JSON-lines file should have 2 alerts"
[ "$(grep -c '"incident_id"' "$tmp/hook.out")" = 2 ] && ok || bad "the hook should have read 2 alerts"
expect 0 "jsonl=delivered hook:pager=delivered" v alert list

vg_done
