#!/usr/bin/env bash
# test_pcap_cli.sh - vigil scan on network captures, end to end: a pcap
# (written here byte by byte) with a DNS query for a near-miss
# (www.notevil.com) and one for www.evil.com; --iocs finds the second with its
# packet number and time (text and --json), not the first; a clean capture
# exits 0; a truncated capture still reports the hit before the cut, with a
# warning naming the file and packet; .pcap.gz is read too; with --store the
# sighting's first_seen is the packet's time.
. "$(dirname "$0")/../lib.sh"
vg_setup scan_pcap_cli

# hex to bytes (bash's printf writes NUL bytes fine)
bin() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
be16() { printf '%04x' "$1"; }
# DNS wire name
name() {
    local out='' l
    IFS=. read -ra labels <<<"$1"
    for l in "${labels[@]}"; do
        out+=$(printf '%02x' ${#l})$(printf '%s' "$l" | od -An -tx1 | tr -d ' \n')
    done
    printf '%s00' "$out"
}
# an Ethernet frame: IPv4 10.0.0.2 -> 192.0.2.53, UDP 40000 -> 53, a DNS query for $1
query() {
    local dns udp ip
    dns="123401000001000000000000$(name "$1")00010001"
    udp="$(be16 40000)$(be16 53)$(be16 $((8 + ${#dns} / 2)))0000$dns"
    ip="4500$(be16 $((20 + ${#udp} / 2)))00014000401100000a000002c0000235$udp"
    printf '101112131415161718191a1b0800%s' "$ip"
}
# a pcap (little-endian, microseconds, Ethernet) of the frames given, one second apart from 1700000000
pcap() {
    local hex="d4c3b2a1020004000000000000000000ffff000001000000" t=1700000000 f
    for f in "$@"; do
        hex+="$(le32 $t)$(le32 0)$(le32 $((${#f} / 2)))$(le32 $((${#f} / 2)))$f"
        t=$((t + 1))
    done
    bin "$hex"
}

cat >"$tmp/bundle.json" <<'JSON'
{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000002","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z","name":"evil","pattern":"[domain-name:value = 'evil.com']","pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z"}]}
JSON
pcap "$(query www.notevil.com)" "$(query www.evil.com)" >"$tmp/cap.pcap"
pcap "$(query www.notevil.com)" "$(query example.org)" >"$tmp/clean.pcap"
pcap "$(query www.evil.com)" "$(query www.notevil.com)" >"$tmp/rev.pcap"
head -c $(($(stat -c %s "$tmp/rev.pcap") - 5)) "$tmp/rev.pcap" >"$tmp/cut.pcap"
gzip -c "$tmp/cap.pcap" >"$tmp/cap.pcap.gz"

cd "$tmp" || exit 1
expect 1 "cap.pcap: packet 2 (2023-11-14T22:13:21.000000Z): domain www.evil.com in dns.qname -> indicator--" \
    "$vigil" scan --iocs bundle.json cap.pcap
if grep -q notevil "$tmp/out"; then bad "the near-miss www.notevil.com hit"; else ok; fi
expect 1 "captures: 2 packets (0 malformed" "$vigil" scan --iocs bundle.json cap.pcap
expect 1 '"packet":2,"time":"2023-11-14T22:13:21.000000Z","field":"dns.qname"' \
    "$vigil" scan --json --iocs bundle.json cap.pcap
expect 0 "0 hits" "$vigil" scan --iocs bundle.json clean.pcap
expect 1 "cap.pcap.gz: packet 2" "$vigil" scan --iocs bundle.json cap.pcap.gz
# truncated: the hit before the cut stays; a warning names the file and the packet
expect 1 "cut.pcap: packet 1" "$vigil" scan --iocs bundle.json cut.pcap clean.pcap
if grep -q "warning: cut.pcap, after packet 1 .*truncated" "$tmp/err"; then ok; else
    bad "no truncation warning: $(cat "$tmp/err")"; fi
expect 1 "1 read only in part" "$vigil" scan --iocs bundle.json cut.pcap
# recorded: first_seen is the packet's time, the evidence names the packet
expect 1 "1 sightings recorded" "$vigil" scan --store "$db" --iocs bundle.json cap.pcap
"$vigil" export --store "$db" --type sighting >"$tmp/s.json" 2>&1
if grep -q '"first_seen":"2023-11-14T22:13:21.000Z"' "$tmp/s.json" && grep -q '"packet":2' "$tmp/s.json"; then ok; else
    bad "sighting without the packet's time: $(cat "$tmp/s.json")"; fi
vg_done
