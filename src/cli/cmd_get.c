/*
 * cmd_get.c - vigil get: one object by id.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vg_time.h"
#include "store/store.h"

static const char usage[] =
    "usage: vigil get [--store PATH] [--collection NAME] [--version last|first|all|TIME] ID\n"
    "\n"
    "Prints the object with this id as JSON: its latest version (default), its\n"
    "first, every version (one per line), or the version whose modified is TIME.\n"
    "\n"
    "Exit: 0 found, 2 not found or failure.\n";

int cmd_get(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},   {"collection", required_argument, NULL, 'c'},
        {"version", required_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL;
    store_query q = {0};
    vg_time at;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'c': q.collection = optarg; break;
        case 'j': break; /* objects are always printed as JSON */
        case 'v':
            if (strcmp(optarg, "last") == 0)
                q.versions = STORE_VER_LAST;
            else if (strcmp(optarg, "first") == 0)
                q.versions = STORE_VER_FIRST;
            else if (strcmp(optarg, "all") == 0)
                q.versions = STORE_VER_ALL;
            else if (cli_parse_time("get", "--version", optarg, &at) == 0) {
                q.versions = STORE_VER_AT;
                q.at = &at;
                q.nat = 1;
            } else
                return CLI_EXIT_FAIL;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    const char *id = argv[optind];
    q.ids = &id;
    q.nids = 1;
    vg_error err = {0};
    store *s = NULL;
    store_iter *it = NULL;
    int rc = store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err);
    if (!rc)
        rc = store_query_open(s, &q, &it, &err);
    int found = 0;
    store_row row;
    while (!rc && (rc = store_iter_next(it, &row, &err)) == 1) {
        fwrite(row.json, 1, row.json_len, stdout);
        fputc('\n', stdout);
        found++;
        rc = 0;
    }
    store_iter_free(it);
    store_close(s);
    if (rc < 0) {
        cli_print_error("get", &err);
        return CLI_EXIT_FAIL;
    }
    if (!found) {
        fprintf(stderr, "vigil get: no object %s%s in the store\n", id,
                q.versions == STORE_VER_AT ? " with that version" : "");
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
