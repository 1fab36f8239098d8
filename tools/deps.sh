#!/bin/sh
# Install the Debian packages listed in deps/debian.txt that are missing.
# Says what it installs; uses sudo when not root. Exit 0 when all are present.
set -eu
here=$(dirname "$0")/..
list="$here/deps/debian.txt"
missing=""
for p in $(grep -v '^#' "$list" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$'); do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        # nodejs and npm may come from another repository (whose nodejs bundles
        # npm), or as binaries already on PATH: accept a working node and npm.
        if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
        if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "vigil: installing missing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
