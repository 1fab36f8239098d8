#!/usr/bin/env bash
# test_password_tty.sh - the password prompt on a real (pseudo-)terminal:
# opening an encrypted backup asks once (a typo is "wrong password", there is
# nothing to confirm), choosing a TAXII account's password asks twice and the
# two must agree. script(1) gives the command a terminal; the test answers
# each prompt only once it is shown (the prompt flushes earlier input), so
# nothing depends on timing. The typed password is not echoed.
. "$(dirname "$0")/../lib.sh"
vg_setup phone_password_tty
vg_need_shared
m="$shared/data/mobile"
cd "$tmp" || exit 1

# check-android on the encrypted AndroidQF: one prompt, the right password opens it
vg_tty_start "$vigil" phone check-android --no-record --iocs "$m/test-indicators.stix2" "$m/androidqf_encrypted"
vg_tty_answer 1 'password: ' 123456
vg_tty_end
[ "$tty_rc" = 0 ] && ok || bad "check-android on a terminal: exit $tty_rc: $(tail -c 600 tty.out)"
grep -q 'sms  *read   1 file' tty.out && ok || bad "check-android on a terminal: the SMS were not read: $(cat tty.out)"
[ "$(grep -c 'password: ' tty.out)" = 1 ] && ok || bad "check-android asked more than once: $(cat tty.out)"
grep -q 'again' tty.out && bad "check-android asked to confirm the password" || ok
grep -q 123456 tty.out && bad "the password was echoed" || ok

# a wrong password is reported as such, after one prompt
vg_tty_start "$vigil" phone check-android --no-record --iocs "$m/test-indicators.stix2" "$m/android_backup/backup2.ab"
vg_tty_answer 1 'password: ' 654321
vg_tty_end
grep -q 'wrong password' tty.out && ok || bad "wrong password on a terminal: $(cat tty.out)"
[ "$(grep -c 'password: ' tty.out)" = 1 ] && ok || bad "check-android asked more than once: $(cat tty.out)"

# user add still asks twice: the same password twice makes the account, two different ones do not
org=identity--00000000-0000-4000-8000-000000000001
vg_tty_start "$vigil" user add alice --org "$org" --store "$db"
vg_tty_answer 1 'password: ' 'correct horse'
vg_tty_answer 1 'again: ' 'correct horse'
vg_tty_end
[ "$tty_rc" = 0 ] && grep -q 'added alice' tty.out && ok || bad "user add on a terminal: exit $tty_rc: $(cat tty.out)"
vg_tty_start "$vigil" user passwd alice --store "$db"
vg_tty_answer 1 'password: ' 'correct horse'
vg_tty_answer 1 'again: ' 'battery staple'
vg_tty_end
[ "$tty_rc" = 2 ] && grep -q 'the two passwords differ' tty.out && ok ||
    bad "user passwd with two different passwords: exit $tty_rc: $(cat tty.out)"

vg_done
