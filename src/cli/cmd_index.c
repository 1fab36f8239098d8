/*
 * cmd_index.c - vigil index build|info: compile the match index once and
 * save it (a scan then maps it in at once), and say what a saved index holds,
 * where it came from and whether the store has moved on since.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"
#include "scan/scan.h"

static const char usage[] =
    "usage: vigil index build [--store PATH] [--collection NAME] [--iocs FILE]... -o FILE [--json]\n"
    "       vigil index info [--store PATH] [--collection NAME] [--json] FILE\n"
    "\n"
    "build compiles the match index from the store's indicators (latest versions,\n"
    "valid now, not revoked; only a collection's with --collection) or from STIX\n"
    "bundles (--iocs), and saves it to FILE (written to a temporary file and\n"
    "renamed: a reader never sees half a file). `vigil scan --index FILE` then maps\n"
    "it in instead of compiling, so a scan with a million indicators starts at once.\n"
    "\n"
    "info prints what an index file holds: when and from what it was built, the\n"
    "indicators by outcome, the keys by kind, its size and how long it takes to\n"
    "load. Given a store (--store, or $VIGIL_STORE / ./vigil.db when they exist),\n"
    "it also counts the indicators added to the store since the index was built.\n"
    "\n"
    "Exit status: 0 done (info: up to date or not compared), 1 info: the store has\n"
    "indicators the index lacks (rebuild it), 2 error.\n";

/* The index's figures as JSON (new reference, NULL when out of memory). */
static json_t *index_json(const char *path, const idx *x, double secs, int has_newer, uint64_t newer)
{
    const idx_stats *s = idx_get_stats(x);
    const idx_origin *o = idx_get_origin(x);
    json_t *kinds = json_object();
    for (int k = 1; kinds && k < IDX_K__COUNT; k++)
        if (s->by_kind[k])
            json_object_set_new(kinds, idx_kind_name(k), json_integer((json_int_t)s->by_kind[k]));
    json_t *j = json_pack("{s:s,s:s,s:s,s:s*,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:o,s:I,s:f}", "file", path,
                          "built", o->built, "source", o->source, "store_added",
                          o->store_added[0] ? o->store_added : NULL, "indicators", "offered",
                          (json_int_t)s->indicators, "indexed", (json_int_t)s->added, "evaluator",
                          (json_int_t)s->partial, "revoked", (json_int_t)s->revoked, "not_valid",
                          (json_int_t)s->not_valid, "no_pattern", (json_int_t)s->no_pattern, "bad",
                          (json_int_t)s->bad, "keys", (json_int_t)s->keys, "keys_by_kind", kinds, "bytes",
                          (json_int_t)s->bytes, "seconds", secs);
    if (j && has_newer)
        json_object_set_new(j, "indicators_added_since", json_integer((json_int_t)newer));
    return j;
}

static void print_index(const char *path, const idx *x, const char *verb, double secs)
{
    const idx_stats *s = idx_get_stats(x);
    const idx_origin *o = idx_get_origin(x);
    printf("%s: %.1f MB, %s in %.3f s\n", path, (double)s->bytes / 1e6, verb, secs);
    printf("  built %s from %s\n", o->built[0] ? o->built : "(unknown)", o->source[0] ? o->source : "(unknown)");
    if (o->store_added[0])
        printf("  holds the indicators added to the store up to %s\n", o->store_added);
    printf("  indicators: %llu offered, %llu answered by the index, %llu need the evaluator; skipped %llu revoked, "
           "%llu not valid now, %llu without a usable pattern, %llu that do not compile\n",
           (unsigned long long)s->indicators, (unsigned long long)s->added, (unsigned long long)s->partial,
           (unsigned long long)s->revoked, (unsigned long long)s->not_valid, (unsigned long long)s->no_pattern,
           (unsigned long long)s->bad);
    printf("  keys: %llu", (unsigned long long)s->keys);
    const char *sep = " (";
    for (int k = 1; k < IDX_K__COUNT; k++)
        if (s->by_kind[k]) {
            printf("%s%s %llu", sep, idx_kind_name(k), (unsigned long long)s->by_kind[k]);
            sep = ", ";
        }
    printf("%s\n", sep[0] == ',' ? ")" : "");
}

static int emit_json(json_t *j)
{
    char *t = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(j);
    if (!t) {
        fprintf(stderr, "vigil index: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    puts(t);
    vg_free(t);
    return CLI_EXIT_OK;
}

static int index_build(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"collection", required_argument, NULL, 'c'},
        {"iocs", required_argument, NULL, 'I'},  {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *collection = NULL, *outp = NULL, *iocs[64];
    size_t niocs = 0;
    int o, json = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (o) {
        case 's': store_opt = optarg; break;
        case 'c': collection = optarg; break;
        case 'o': outp = optarg; break;
        case 'j': json = 1; break;
        case 'I':
            if (niocs == sizeof iocs / sizeof iocs[0]) {
                fprintf(stderr, "vigil index build: at most 64 --iocs options (give a folder instead)\n");
                return CLI_EXIT_FAIL;
            }
            iocs[niocs++] = optarg;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (!outp || optind != argc) {
        fprintf(stderr, "vigil index build: %s\n", !outp ? "-o FILE is required" : "unexpected argument");
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    if (niocs && (store_opt || collection)) {
        fprintf(stderr, "vigil index build: give --iocs or --store/--collection, not both\n");
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *st = NULL;
    idx *x = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *sp = cli_store_path(store_opt);
    char src[1100];
    snprintf(src, sizeof src, "store %s", sp);
    int rc = niocs ? scan_index_from_files(iocs, niocs, NULL, &x, &err)
                   : store_open(sp, STORE_READONLY | STORE_STREAM, &st, &err);
    if (!rc && !niocs) /* built and saved at once: part of the file is written while the table is built */
        rc = scan_index_save_from_store(st, collection, src, NULL, outp, &x, &err);
    else if (!rc)
        rc = idx_save(x, outp, &err);
    double tbuild = cli_secs_since(&t0);
    int ex = CLI_EXIT_OK;
    if (rc) {
        cli_print_error("index build", &err);
        ex = CLI_EXIT_FAIL;
    } else if (json) {
        ex = emit_json(index_json(outp, x, tbuild, 0, 0));
    } else {
        print_index(outp, x, "built", tbuild);
    }
    idx_free(x);
    store_close(st);
    return ex;
}

static int index_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"collection", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *collection = NULL;
    int o, json = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 's': store_opt = optarg; break;
        case 'c': collection = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind + 1 != argc) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    const char *path = argv[optind];
    vg_error err = {0};
    idx *x = NULL;
    store *st = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = idx_load(path, &x, &err);
    double tload = cli_secs_since(&t0);
    int compare = 0;
    uint64_t newer = 0;
    if (!rc && idx_get_origin(x)->store_added[0]) {
        /* compare with the store named, or the default one when it exists (info never creates a store) */
        const char *sp = cli_store_path(store_opt);
        struct stat sb;
        if (store_opt || stat(sp, &sb) == 0) {
            rc = store_open(sp, STORE_READONLY, &st, &err);
            if (!rc)
                rc = scan_index_newer(st, x, collection, &newer, &err);
            compare = !rc;
        }
    }
    int ex = CLI_EXIT_OK;
    if (rc) {
        cli_print_error("index info", &err);
        ex = CLI_EXIT_FAIL;
    } else if (json) {
        ex = emit_json(index_json(path, x, tload, compare, newer));
        if (ex == CLI_EXIT_OK && newer)
            ex = CLI_EXIT_FOUND;
    } else {
        print_index(path, x, "loaded", tload);
        if (compare && newer) {
            printf("  out of date: %s%llu indicator versions were added to the store since; rebuild it with "
                   "'vigil index build'\n",
                   newer >= 1000 ? "at least " : "", (unsigned long long)newer);
            ex = CLI_EXIT_FOUND;
        } else if (compare) {
            printf("  up to date with the store\n");
        }
    }
    idx_free(x);
    store_close(st);
    return ex;
}

int cmd_index(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "build"))
        return index_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return index_info(argc - 1, argv + 1);
    fprintf(stderr, "vigil index: unknown subcommand '%s' (build or info)\n", argv[1]);
    return CLI_EXIT_FAIL;
}
