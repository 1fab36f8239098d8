/*
 * cmd_export.c - vigil export: objects from the store as a STIX 2.1 bundle.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "intel/intel.h"

#define MAX_FILTERS 256

static const char usage[] =
    "usage: vigil export [--store PATH] [--collection NAME] [--type TYPE]... [--id ID]...\n"
    "                    [--added-after TIME] [--all-versions] [-o FILE]\n"
    "\n"
    "Writes the objects of the store (the latest version of each, or every\n"
    "version with --all-versions) as one STIX 2.1 bundle, in the order they were\n"
    "added, to FILE or standard output.\n"
    "\n"
    "  --type TYPE         only objects of this type (repeatable)\n"
    "  --id ID             only this object (repeatable)\n"
    "  --added-after TIME  only objects added after TIME (RFC 3339)\n"
    "  --all-versions      every version, not only the latest\n"
    "  -o, --output FILE   write to FILE (default: standard output)\n"
    "\n"
    "Exit: 0 written, 2 failure.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},       {"collection", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},        {"id", required_argument, NULL, 'i'},
        {"added-after", required_argument, NULL, 'a'}, {"all-versions", no_argument, NULL, 'A'},
        {"output", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *output = NULL;
    const char *types[MAX_FILTERS], *ids[MAX_FILTERS];
    store_query q = {0};
    q.types = types;
    q.ids = ids;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'c': q.collection = optarg; break;
        case 't':
        case 'i':
            if ((c == 't' ? q.ntypes : q.nids) >= MAX_FILTERS) {
                fprintf(stderr, "vigil export: at most %d --type and %d --id options\n", MAX_FILTERS, MAX_FILTERS);
                return CLI_EXIT_FAIL;
            }
            if (c == 't')
                types[q.ntypes++] = optarg;
            else
                ids[q.nids++] = optarg;
            break;
        case 'a':
            if (cli_parse_time("export", "--added-after", optarg, &q.added_after))
                return CLI_EXIT_FAIL;
            q.has_added_after = 1;
            break;
        case 'A': q.versions = STORE_VER_ALL; break;
        case 'o': output = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    vg_error err = {0};
    store *s = NULL;
    if (store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err)) {
        cli_print_error("export", &err);
        return CLI_EXIT_FAIL;
    }
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        fprintf(stderr, "vigil export: cannot write %s: %s\n", output, strerror(errno));
        store_close(s);
        return CLI_EXIT_FAIL;
    }
    uint64_t n = 0;
    int rc = intel_export_bundle(s, &q, out, &n, &err);
    if (out != stdout && fclose(out) != 0 && !rc)
        rc = vg_error_set(&err, VG_E_IO, "cannot write %s: %s", output, strerror(errno));
    store_close(s);
    if (rc) {
        cli_print_error("export", &err);
        return CLI_EXIT_FAIL;
    }
    if (output)
        fprintf(stderr, "exported %llu objects to %s\n", (unsigned long long)n, output);
    return CLI_EXIT_OK;
}
