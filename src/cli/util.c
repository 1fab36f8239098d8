/*
 * util.c - helpers shared by subcommands.
 */
#include <stdio.h>

#include "cli/cli.h"

void cli_print_error(const char *cmd, const vg_error *err)
{
    char buf[VG_ERR_MSG_MAX * 2 + VG_ERR_WHERE_MAX];
    fprintf(stderr, "vigil %s: %s\n", cmd, vg_error_format(err, buf, sizeof buf));
}
