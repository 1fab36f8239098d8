/*
 * cli.h - what the subcommands of the vigil command share.
 *
 * The CLI is the only layer that prints or exits. Exit codes:
 *   0  success (for 'pattern match': it matched)
 *   1  a scan found something / a match did not match
 *   2  bad input, bad usage or a failure
 */
#ifndef CLI_H
#define CLI_H

#include "core/vg_error.h"

#define VIGIL_VERSION "0.1.0"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FOUND = 1, CLI_EXIT_FAIL = 2 };

/* One subcommand: argv[0] is the command's own name. Returns the exit code. */
typedef struct cli_command {
    const char *name;                /* what the user types */
    int (*run)(int argc, char **argv); /* the implementation */
    const char *summary;             /* one line for 'vigil help' */
} cli_command;

/* Prints err to stderr as "vigil: where: message (hint)". */
void cli_print_error(const char *cmd, const vg_error *err);

#endif
