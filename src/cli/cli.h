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

#include <stddef.h>
#include <stdint.h>

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

/* The store path: --store, else $VIGIL_STORE, else ./vigil.db. */
const char *cli_store_path(const char *opt);

/* A progress sink that draws a bar on stderr when it is a terminal (ctx unused). */
void cli_progress(const char *label, uint64_t done, uint64_t total, void *ctx);
/* Clears the progress line, if one was drawn. */
void cli_progress_end(void);
/* Wipes the bar (it is drawn again at the next update): call before printing to the terminal mid-way. */
void cli_progress_clear(void);

/* Seconds since t0 (CLOCK_MONOTONIC). */
struct timespec;
double cli_secs_since(const struct timespec *t0);

/*
 * Prints one object that was not imported (or, kind "warning", stored with
 * warnings) to stderr: file:line:col, index, id, then each issue's JSON path
 * and message.
 */
struct intel_invalid;
void cli_print_invalid(const char *kind, const struct intel_invalid *bad);

/* Parses an RFC 3339 timestamp option; prints an error and returns -1 if invalid. */
struct vg_time;
int cli_parse_time(const char *cmd, const char *opt, const char *value, struct vg_time *out);

/* subcommands */
/*
 * The organisation where evidence is sighted (the sightings' where_sighted_refs):
 * opt (--org) or else $VIGIL_ORG; *out NULL when neither is set. Prints an
 * error and returns CLI_EXIT_FAIL when it is not an identity or location id;
 * with a store, warns when the store does not hold that object (incidents then
 * know no sector for it).
 */
struct store;
int cli_org(const char *cmd, const char *opt, struct store *st, const char **out);

int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_pattern(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_brief(int argc, char **argv);
int cmd_alert(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_collection(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_phone(int argc, char **argv);
/*
 * Asks for a password on the terminal without echo (twice when confirm is set:
 * a password being chosen), or reads one line of stdin; 0 or -1 (message printed).
 */
int cli_read_password(const char *cmd, int from_stdin, int confirm, char *buf, size_t n);

#endif
