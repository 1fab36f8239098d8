#!/bin/sh
# Banned-function check: functions with no bound on their output or input, or
# with hidden state, are not used in vigil's sources.
set -eu
cd "$(dirname "$0")/.."
pat='(^|[^_a-zA-Z0-9.>])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|gets)[[:space:]]*\('
if grep -rEn "$pat" src tests fuzz bench --include='*.c' --include='*.h'; then
    echo "lint: banned function used (see STYLE.md: use snprintf, strtol, vg_buf...)" >&2
    exit 1
fi
