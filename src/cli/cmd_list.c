/*
 * cmd_list.c - vigil list: a table (or JSON lines) of objects in the store.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

#define MAX_TYPES 64

static const char usage[] =
    "usage: vigil list [--store PATH] [--collection NAME] [--type TYPE]... [--limit N] [--json]\n"
    "\n"
    "Lists the latest version of each object, in the order they were added:\n"
    "type, id, modified and name (or pattern for indicators). --json prints one\n"
    "JSON object per line with the same fields. --limit defaults to 100; 0 lists all.\n";

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"collection", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},  {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *types[MAX_TYPES];
    store_query q = {0};
    q.types = types;
    q.limit = 100;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'c': q.collection = optarg; break;
        case 't':
            if (q.ntypes == MAX_TYPES) {
                fprintf(stderr, "vigil list: at most %d --type options\n", MAX_TYPES);
                return CLI_EXIT_FAIL;
            }
            types[q.ntypes++] = optarg;
            break;
        case 'l': q.limit = strtoull(optarg, NULL, 10); break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    vg_error err = {0};
    store *s = NULL;
    store_iter *it = NULL;
    int rc = store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err);
    if (!rc)
        rc = store_query_open(s, &q, &it, &err);
    store_row row;
    while (!rc && (rc = store_iter_next(it, &row, &err)) == 1) {
        rc = 0;
        json_t *o = json_loadb(row.json, row.json_len, 0, NULL);
        const char *name = o ? json_string_value(json_object_get(o, "name")) : NULL;
        if (!name && o)
            name = json_string_value(json_object_get(o, "pattern"));
        if (!name && o)
            name = json_string_value(json_object_get(o, "value"));
        const char *modified = o ? json_string_value(json_object_get(o, "modified")) : NULL;
        if (json) {
            json_t *l = json_pack("{s:s,s:s,s:s?,s:s?,s:s}", "type", row.type, "id", row.id, "modified", modified,
                                  "name", name, "collection", row.collection);
            char *t = json_dumps(l, JSON_COMPACT);
            if (t)
                puts(t);
            free(t);
            json_decref(l);
        } else {
            printf("%-22s %-58s %-26s %s\n", row.type, row.id, modified ? modified : "-", name ? name : "");
        }
        json_decref(o);
    }
    if (!rc && it && store_iter_more(it) && !json)
        printf("... more objects; use --limit 0 to list all\n");
    store_iter_free(it);
    store_close(s);
    if (rc < 0) {
        cli_print_error("list", &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
