#!/usr/bin/env bash
# test_age_cli.sh - vigil phone check-android on acquisitions encrypted with
# age, as AndroidQF writes them when a key.txt sits beside it (<uuid>.zip.age).
# The real AndroidQF zip of ../shared is encrypted here by the age tool
# (Debian's age): to a fresh X25519 key (--age-identity), and with a
# passphrase (age -p, answered on a terminal that script(1) gives it; read
# back with --password-stdin). Then the refusals, each with its message: a
# wrong key, the public key.txt given as identity, no identity, a cut file,
# a header altered at a known line. The whole AndroidQF folder's comparison
# (same findings encrypted or not) is in test_age.c.
. "$(dirname "$0")/../lib.sh"
vg_setup phone_age_cli
vg_need_shared
if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
    echo "SKIP: no age tool (Debian package age)" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi
m="$shared/data/mobile"
iocs="$m/test-indicators.stix2"
cd "$tmp" || exit 1

age-keygen -o key.txt 2>/dev/null && age-keygen -o other.txt 2>/dev/null || bad "age-keygen"
age-keygen -y key.txt >recipient.txt # what AndroidQF's key.txt holds
age -R recipient.txt -o 5e1f.zip.age "$m/androidqf.zip" || bad "age -R"

# the plain zip and the encrypted one read the same properties
expect 0 "" "$vigil" phone check-android --no-record --json --iocs "$iocs" "$m/androidqf.zip"
grep '"name": "getprop"' -A4 out | grep -q '"records": 10' && ok || bad "plain zip: getprop not read: $(head -c 800 out)"
expect 0 "" "$vigil" phone check-android --no-record --json --age-identity key.txt --iocs "$iocs" 5e1f.zip.age
grep '"name": "getprop"' -A4 out | grep -q '"records": 10' && ok || bad "age file: getprop not read: $(head -c 800 out)"
# a folder holding it
mkdir acq && cp 5e1f.zip.age key.txt acq/
expect 0 "getprop" "$vigil" phone check-android --no-record --age-identity key.txt --iocs "$iocs" acq

# refusals: exit 2 and what went wrong
expect 2 "no identity in other.txt matches the recipients of 5e1f.zip.age" \
    "$vigil" phone check-android --no-record --age-identity other.txt --iocs "$iocs" 5e1f.zip.age
expect 2 "recipient.txt:1 holds a recipient (a public key, age1...), not an identity" \
    "$vigil" phone check-android --no-record --age-identity recipient.txt --iocs "$iocs" 5e1f.zip.age
expect 2 "--age-identity FILE" "$vigil" phone check-android --no-record --iocs "$iocs" 5e1f.zip.age
expect 2 "cannot open nokey.txt" \
    "$vigil" phone check-android --no-record --age-identity nokey.txt --iocs "$iocs" 5e1f.zip.age
head -c 300 5e1f.zip.age >cut.zip.age
expect 2 "cut.zip.age: age payload chunk 0 fails authentication (the last one: the file is truncated" \
    "$vigil" phone check-android --no-record --age-identity key.txt --iocs "$iocs" cut.zip.age
sed '2s/^-> X25519 /-> X25519  /' 5e1f.zip.age >forged.zip.age
expect 2 "age header line 2: an empty argument" \
    "$vigil" phone check-android --no-record --age-identity key.txt --iocs "$iocs" forged.zip.age

# a passphrase (scrypt): age -p asks on a terminal; vigil reads it from stdin, or asks once on a terminal
vg_tty_start age -p -o pass.zip.age "$m/androidqf.zip"
vg_tty_answer 1 'passphrase' 'correct horse battery'
vg_tty_answer 1 'Confirm' 'correct horse battery'
vg_tty_end
[ "$tty_rc" = 0 ] && head -2 pass.zip.age | grep -q '^-> scrypt ' && ok || bad "age -p: $(cat "$tmp/tty.out")"
echo 'correct horse battery' | "$vigil" phone check-android --no-record --password-stdin --json --iocs "$iocs" \
    pass.zip.age >out 2>err
[ $? = 0 ] && grep '"name": "getprop"' -A4 out | grep -q '"records": 10' && ok ||
    bad "scrypt with --password-stdin: $(head -c 600 err)"
echo 'wrong horse' | "$vigil" phone check-android --no-record --password-stdin --iocs "$iocs" pass.zip.age >out 2>err
[ $? = 2 ] && grep -q "wrong passphrase for pass.zip.age" err && ok || bad "wrong passphrase: $(head -c 600 err)"
vg_tty_start "$vigil" phone check-android --no-record --iocs "$iocs" pass.zip.age
vg_tty_answer 1 'password: ' 'correct horse battery'
vg_tty_end
[ "$tty_rc" = 0 ] && [ "$(grep -c 'password: ' tty.out)" = 1 ] && grep -q 'getprop  *read' tty.out && ok ||
    bad "scrypt on a terminal: exit $tty_rc: $(cat tty.out)"

vg_done
