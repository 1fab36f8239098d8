/*
 * cmd_stats.c - vigil stats: what the store holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] = "usage: vigil stats [--store PATH] [--collection NAME] [--check] [--json]\n"
                            "\n"
                            "Counts objects and versions in the store, in all and by type.\n"
                            "--check first verifies the store's integrity (exit 2 if it is damaged).\n";

typedef struct ctx {
    int json;  /* JSON output */
    int first; /* no type printed yet */
} ctx;

static int by_type(const char *type, uint64_t objects, uint64_t versions, void *p)
{
    ctx *c = p;
    if (c->json)
        printf("%s\"%s\":{\"objects\":%llu,\"versions\":%llu}", c->first ? "" : ",", type,
               (unsigned long long)objects, (unsigned long long)versions);
    else
        printf("  %-28s %10llu %10llu\n", type, (unsigned long long)objects, (unsigned long long)versions);
    c->first = 0;
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"collection", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {"check", no_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *collection = NULL;
    ctx c = {0, 1};
    int o, check = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 's': store_opt = optarg; break;
        case 'c': collection = optarg; break;
        case 'j': c.json = 1; break;
        case 'k': check = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    vg_error err = {0};
    store *s = NULL;
    store_stats st;
    const char *path = cli_store_path(store_opt);
    int rc = store_open(path, STORE_READONLY, &s, &err);
    if (!rc && check)
        rc = store_verify(s, &err);
    if (!rc)
        rc = store_stats_get(s, &st, &err);
    if (!rc) {
        if (c.json)
            printf("{\"store\":\"%s\",\"schema_version\":%d,\"objects\":%llu,\"versions\":%llu,\"collections\":%llu,"
                   "\"added_first\":\"%s\",\"added_last\":\"%s\",\"by_type\":{",
                   path, store_schema_version_of(s), (unsigned long long)st.objects,
                   (unsigned long long)st.versions, (unsigned long long)st.collections, st.added_first,
                   st.added_last);
        else
            printf("store %s (schema %d): %llu objects, %llu versions, %llu collections\n"
                   "added from %s to %s\n\n  %-28s %10s %10s\n",
                   path, store_schema_version_of(s), (unsigned long long)st.objects,
                   (unsigned long long)st.versions, (unsigned long long)st.collections,
                   st.added_first[0] ? st.added_first : "-", st.added_last[0] ? st.added_last : "-", "type",
                   "objects", "versions");
        rc = store_count_by_type(s, collection, by_type, &c, &err);
        if (c.json)
            printf("}}\n");
    }
    store_close(s);
    if (rc) {
        cli_print_error("stats", &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
