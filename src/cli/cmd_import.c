/*
 * cmd_import.c - vigil import: STIX bundles into the store.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "intel/intel.h"

static const char usage[] =
    "usage: vigil import [--store PATH] [--collection NAME] [--strict] [--batch N] [--json] [--quiet] PATH...\n"
    "\n"
    "Imports STIX 2.1 and 2.0 bundles (2.0 is upgraded to 2.1), single objects or\n"
    "arrays of objects, from files, folders (walked for *.json, *.stix, *.stix2,\n"
    "optionally .gz) or '-' for standard input. Every object is validated; valid\n"
    "ones are stored with every version kept, invalid ones are listed with file,\n"
    "object index, id, JSON path and what was expected.\n"
    "\n"
    "  --store PATH        the store (default $VIGIL_STORE or ./vigil.db); created if missing\n"
    "  --collection NAME   the collection to add to (default \"default\")\n"
    "  --strict            all or nothing: if any object is invalid, import none\n"
    "  --batch N           commit every N objects inside a file (default: one transaction per file)\n"
    "  --max-object-bytes N  refuse objects larger than N bytes (default 64 MiB)\n"
    "  --json              print the summary as JSON\n"
    "  --quiet             print only errors\n"
    "\n"
    "Exit: 0 all imported, 2 any object invalid or any input unreadable.\n";

typedef struct report_ctx {
    int json;          /* print issues as JSON lines on stderr */
    int quiet;         /* no warnings */
    uint64_t shown;    /* issues printed */
    uint64_t limit;    /* stop printing after this many */
} report_ctx;

static void print_issue_list(const intel_invalid *bad, const char *kind, report_ctx *c)
{
    if (c->shown++ >= c->limit) {
        if (c->shown == c->limit + 1)
            fprintf(stderr, "vigil import: more %ss not shown\n", kind);
        return;
    }
    cli_progress_end();
    const char *id = bad->id ? bad->id : "(no id)";
    if (c->json) {
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "kind", kind, "file", bad->file, "index",
                              (json_int_t)bad->index, "line", (json_int_t)bad->line, "column", (json_int_t)bad->col,
                              "id", id);
        json_t *arr = json_array();
        if (bad->err) {
            char buf[2048];
            json_array_append_new(arr, json_pack("{s:s,s:s}", "path", "$", "message",
                                                 vg_error_format(bad->err, buf, sizeof buf)));
        }
        for (size_t i = 0; bad->issues && i < bad->issues->n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "severity",
                                                 bad->issues->v[i].severity == STIX_ISSUE_ERROR ? "error" : "warning",
                                                 "path", bad->issues->v[i].path, "message", bad->issues->v[i].msg));
        json_object_set_new(o, "issues", arr);
        char *s = json_dumps(o, JSON_COMPACT);
        if (s)
            fprintf(stderr, "%s\n", s);
        free(s);
        json_decref(o);
        return;
    }
    cli_print_invalid(kind, bad);
}

static void on_invalid(const intel_invalid *bad, void *ctx) { print_issue_list(bad, "invalid", ctx); }

static void on_warning(const intel_invalid *bad, void *ctx)
{
    report_ctx *c = ctx;
    if (!c->quiet && getenv("VIGIL_WARNINGS"))
        print_issue_list(bad, "warning", c);
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"collection", required_argument, NULL, 'c'},
        {"strict", no_argument, NULL, 'S'},      {"batch", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},        {"quiet", no_argument, NULL, 'q'},
        {"max-object-bytes", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL;
    intel_import_opts o = {0};
    report_ctx rc_ctx = {0, 0, 0, 200};
    int strict = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'c': o.collection = optarg; break;
        case 'S': strict = 1; break;
        case 'b': o.batch = strtoull(optarg, NULL, 10); break;
        case 'm': o.reader.max_object_bytes = strtoull(optarg, NULL, 10); break;
        case 'j': rc_ctx.json = 1; break;
        case 'q': rc_ctx.quiet = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vigil import: no input given\n%s", usage);
        return CLI_EXIT_FAIL;
    }
    if (strict && o.batch) {
        fprintf(stderr, "vigil import: --strict and --batch cannot be used together\n");
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *s = NULL;
    if (store_open(cli_store_path(store_opt), STORE_CREATE, &s, &err)) {
        cli_print_error("import", &err);
        return CLI_EXIT_FAIL;
    }
    o.on_invalid = on_invalid;
    o.on_warning = on_warning;
    o.ctx = &rc_ctx;
    o.progress.fn = cli_progress;
    o.caller_txn = strict;
    intel_import_stats st = {0};
    int failed = 0, rc = 0;
    if (strict && (rc = store_begin(s, &err))) {
        cli_print_error("import", &err);
        store_close(s);
        return CLI_EXIT_FAIL;
    }
    for (int i = optind; i < argc; i++) {
        vg_error ferr = {0};
        rc = intel_import_path(s, argv[i], &o, &st, &ferr);
        if (rc) {
            cli_print_error("import", &ferr);
            fprintf(stderr, "vigil import: nothing from %s was stored\n", argv[i]);
            failed++;
            if (strict || rc == VG_E_STORE || rc == VG_E_NOMEM)
                break;
        }
    }
    cli_progress_end();
    int committed = 1;
    if (strict) {
        if (failed || st.invalid) {
            store_rollback(s);
            committed = 0;
            fprintf(stderr, "vigil import: --strict: nothing imported (%llu invalid objects, %d unreadable inputs)\n",
                    (unsigned long long)st.invalid, failed);
        } else if (store_commit(s, &err)) {
            cli_print_error("import", &err);
            failed++;
            committed = 0;
        }
    }
    store_close(s);
    if (rc_ctx.json) {
        printf("{\"files\":%llu,\"read\":%llu,\"imported\":%llu,\"unchanged\":%llu,\"invalid\":%llu,"
               "\"upgraded\":%llu,\"warnings\":%llu,\"failed_inputs\":%d,\"committed\":%s}\n",
               (unsigned long long)st.files, (unsigned long long)st.read, (unsigned long long)(committed ? st.imported : 0),
               (unsigned long long)st.unchanged, (unsigned long long)st.invalid, (unsigned long long)st.upgraded,
               (unsigned long long)st.warnings, failed, committed ? "true" : "false");
    } else if (!rc_ctx.quiet) {
        printf("imported %llu new object versions from %llu objects in %llu files (%llu already stored, %llu invalid, "
               "%llu upgraded from STIX 2.0)\n",
               (unsigned long long)(committed ? st.imported : 0), (unsigned long long)st.read,
               (unsigned long long)st.files, (unsigned long long)st.unchanged, (unsigned long long)st.invalid,
               (unsigned long long)st.upgraded);
    }
    return failed || st.invalid ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
