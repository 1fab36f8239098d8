# lib.sh - what every shell test of vigil shares. Source it, then call
# vg_setup NAME once:
#
#     . "$(dirname "$0")/../lib.sh"
#     vg_setup scan_cli            # $vigil, $src, $tmp (removed at exit), $db
#     vg_need_shared               # $shared; skip (77) without it, fail under CI=true
#     expect 0 "needle" "$vigil" list --store "$db"
#     vg_serve "$tmp/serve.log" "$vigil" serve --store "$db" --listen 127.0.0.1:0   # sets $port
#     vg_tty_start "$vigil" user add bob ...; vg_tty_answer 1 'password: ' pw; vg_tty_end   # a terminal
#     vg_need_chromium; vg_chromium "$tmp/page.html" "$tmp/page" --dump-dom       # a browser
#     vg_done                      # prints the tally, exits 0 or 1
#
# CTest gives VIGIL_BIN, VIGIL_SRC, VIGIL_SHARED and VIGIL_TMP.
set -uo pipefail

pass=0 fail=0
vg_pids=()

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# Kills the servers vg_serve started and removes $tmp.
vg_cleanup() {
    local p
    for p in "${vg_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${vg_pids[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "${tmp:-}" ] && rm -rf "$tmp"
}

# vg_setup NAME: the binary, the source tree, a private temporary folder.
vg_setup() {
    vg_name=$1
    vigil=${VIGIL_BIN:?VIGIL_BIN is not set: run the shell tests through ctest}
    src=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
    tmp=$(mktemp -d "${VIGIL_TMP:-/tmp}/$vg_name.XXXXXX")
    db="$tmp/t.db"
    trap vg_cleanup EXIT
}

# vg_need_shared: sets $shared to the shared data folder, or skips the test
# (exit 77) when it is missing; under CI=true a missing folder is a failure.
vg_need_shared() {
    shared=${VIGIL_SHARED:-}
    if [ -z "$shared" ] || [ ! -d "$shared/data" ]; then
        echo "SKIP: the shared data folder is missing (VIGIL_SHARED=${shared:-unset})" >&2
        [ "${CI:-}" = true ] && exit 1
        exit 77
    fi
}

# expect CODE NEEDLE CMD...: CMD (stdin from /dev/null) exits CODE and its
# stdout or stderr contains the fixed string NEEDLE (no check when empty).
# The output stays in $tmp/out and $tmp/err for further checks.
expect() {
    local code=$1 needle=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local got=$?
    if [ "$got" != "$code" ]; then
        bad "$* -> exit $got, expected $code; stderr: $(head -c 600 "$tmp/err")"
        return
    fi
    if [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/err" "$tmp/out"; then
        bad "$* -> output lacks '$needle': $(head -c 600 "$tmp/out" "$tmp/err")"
        return
    fi
    ok
}

# vg_serve LOG CMD...: starts a server in the background with its stderr in
# LOG, waits until it says "listening on http(s)://127.0.0.1:PORT" and sets
# $port (and $vg_last_pid). Call it directly, not in $(...). The server is
# killed at exit. On a server that does not start, the test fails with its log.
vg_serve() {
    local log=$1 i
    port=
    shift
    "$@" 2>"$log" >/dev/null &
    vg_last_pid=$!
    vg_pids+=("$vg_last_pid")
    for i in $(seq 400); do
        port=$(grep -o 'listening on https\?://127\.0\.0\.1:[0-9]*' "$log" | grep -o '[0-9]*$' | head -1)
        [ -n "$port" ] && break
        kill -0 "$vg_last_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        echo "FAIL: the server did not start: $(head -c 2000 "$log")" >&2
        exit 1
    fi
}

# vg_tty_start CMD...: runs CMD on a pseudo-terminal of its own (script(1)),
# what the terminal shows in $tmp/tty.out; answer its prompts with
# vg_tty_answer, then call vg_tty_end. Skips (77; a failure under CI=true)
# without script(1).
vg_tty_start() {
    if ! command -v script >/dev/null; then
        echo "SKIP: no script(1) (bsdutils) to give the command a terminal" >&2
        [ "${CI:-}" = true ] && exit 1
        exit 77
    fi
    rm -f "$tmp/tty.in" "$tmp/tty.out" "$tmp/tty.rc"
    mkfifo "$tmp/tty.in"
    local cmd
    cmd=$(printf '%q ' "$@")
    (script -qefc "$cmd" /dev/null <"$tmp/tty.in" >"$tmp/tty.out" 2>&1; echo $? >"$tmp/tty.rc") &
    vg_tty_pid=$!
    exec 3>"$tmp/tty.in"
}

# vg_tty_answer N PROMPT TEXT: waits (at most 20 s) until PROMPT has been shown
# N times, then types TEXT and Enter. Answering only once the prompt is shown
# matters: a password prompt flushes what was typed before it.
vg_tty_answer() {
    local i
    for i in $(seq 200); do
        [ "$(grep -o -- "$2" "$tmp/tty.out" 2>/dev/null | wc -l)" -ge "$1" ] && break
        sleep 0.1
    done
    printf '%s\n' "$3" >&3
}

# vg_tty_end: ends the input (a command still asking gets end of file), waits;
# the exit code in $tty_rc, the screen in $tmp/tty.out.
vg_tty_end() {
    exec 3>&-
    wait "$vg_tty_pid"
    tty_rc=$(cat "$tmp/tty.rc")
}

# vg_need_chromium: sets $chromium (VIGIL_CHROMIUM, or chromium on PATH), or
# skips the test (77) without it; under CI=true a missing browser is a failure.
vg_need_chromium() {
    chromium=${VIGIL_CHROMIUM:-$(command -v chromium || true)}
    if [ -z "$chromium" ]; then
        echo "SKIP: chromium is not installed (apt-get install chromium)" >&2
        [ "${CI:-}" = true ] && exit 1
        exit 77
    fi
}

# vg_chromium PAGE OUT ACTION...: headless Chromium, with its own empty
# profile and every host name mapped to nowhere, on file://PAGE with ACTION
# (--dump-dom, --screenshot=FILE...): its standard output in OUT.stdout (the
# DOM), its log in OUT.log (console messages are lines with CONSOLE), its net
# log in OUT.netlog (see vg_chromium_requests). At most 60 s.
vg_chromium() {
    local page=$1 out=$2
    shift 2
    rm -rf "$out.profile"
    timeout 60 "$chromium" --headless --disable-gpu $([ "$(id -u)" = 0 ] && echo --no-sandbox) \
        --user-data-dir="$out.profile" --host-resolver-rules="MAP * ~NOTFOUND" \
        --no-first-run --no-default-browser-check --disable-extensions --disable-sync \
        --disable-background-networking --disable-component-update --disable-default-apps \
        --enable-logging=stderr --v=0 --log-net-log="$out.netlog" \
        --window-size=1000,3000 "$@" "file://$page" >"$out.stdout" 2>"$out.log"
    rm -rf "$out.profile"
}

# vg_chromium_requests OUT: the URLs the page itself asked for beyond file://
# (its requests carry its file:// isolation key; Chromium's own do not). None: no output.
vg_chromium_requests() {
    grep '"network_isolation_key":"file://' "$1.netlog" | grep -o '"url":"[^"]*"' | grep -v '"url":"file:' | sort -u
}

# vg_done: the tally; exit 0 when nothing failed.
vg_done() {
    echo "${vg_name:-test}: $pass passed, $fail failed"
    [ "$fail" = 0 ] && [ "$pass" -gt 0 ]
    exit $?
}
