/*
 * cmd_scan.c - vigil scan: look for the store's indicators in evidence and
 * record every indicator found as a sighting.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"
#include "scan/scan.h"

static const char usage[] =
    "usage: vigil scan [--store PATH] [--collection NAME] [--iocs FILE]... [--index FILE] [--save-index FILE]\n"
    "                  [--allow FILE|DIR]... [--json] [--no-record] [--threads 1|2]\n"
    "                  [--hash-files|--no-file-hashes] [--org IDENTITY] EVIDENCE...\n"
    "\n"
    "Looks for the store's indicators (latest versions, valid now, not revoked) in\n"
    "logs and text (plain, .gz, .zst), JSON lines and folders (walked recursively):\n"
    "URLs, domains (and their subdomains), IPv4/IPv6 addresses and networks, e-mail\n"
    "addresses, file hashes, cryptocurrency addresses, file names and paths, also\n"
    "defanged (hxxp, [.]). Binary files are hashed (MD5, SHA-1, SHA-256).\n"
    "Every indicator found becomes one STIX sighting in the store (not with\n"
    "--no-record). Hits are printed one a line; --json prints JSON lines.\n"
    "\n"
    "  --iocs FILE        scan for the indicators of a STIX bundle (repeatable) instead of\n"
    "                     the store's; nothing is recorded unless --store is given too\n"
    "  --index FILE       use a saved index (vigil index build) instead of compiling the\n"
    "                     store's indicators; warns when the store has newer ones\n"
    "  --save-index FILE  save the compiled index (and scan nothing if no EVIDENCE)\n"
    "  --threads N        scan with 1 or 2 threads (default 2; results are the same)\n"
    "  --org IDENTITY     the organisation where the evidence comes from (an identity id;\n"
    "                     default $VIGIL_ORG): the sightings' where_sighted_refs, by which\n"
    "                     `vigil incident correlate` groups them\n"
    "  --allow FILE|DIR   MISP warninglist(s) (a list.json, or a folder of them): values\n"
    "                     on them never alert (public resolvers, RFC 1918, top sites...)\n"
    "\n"
    "Exit status: 0 nothing found, 1 something found, 2 error.\n";

typedef struct out_ctx {
    int json;
} out_ctx;

static int print_hit(const scan_hit *h, void *p)
{
    out_ctx *o = p;
    cli_progress_clear();
    if (o->json) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "indicator", h->id, "name", h->name, "kind",
                              idx_kind_name(h->kind), "value", h->value, "file", h->file, "line",
                              (json_int_t)h->line, "offset", (json_int_t)h->offset);
        if (!j)
            return VG_E_NOMEM;
        if (h->packet)
            json_object_set_new(j, "packet", json_integer((json_int_t)h->packet));
        if (h->time) {
            char ts[VG_TIME_MAX];
            vg_time_format(h->time, ts);
            json_object_set_new(j, "time", json_string(ts));
        }
        if (h->field)
            json_object_set_new(j, "field", json_string(h->field));
        if (h->candidate)
            json_object_set_new(j, "candidate", json_true());
        if (h->indicates && h->indicates[0])
            json_object_set_new(j, "indicates", json_string(h->indicates));
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        if (!s)
            return VG_E_NOMEM;
        puts(s);
        vg_free(s);
    } else {
        if (h->packet) {
            char ts[VG_TIME_MAX] = "no time";
            if (h->time)
                vg_time_format(h->time, ts);
            printf("%s: packet %llu (%s): ", h->file, (unsigned long long)h->packet, ts);
        } else if (h->line)
            printf("%s:%llu: ", h->file, (unsigned long long)h->line);
        else
            printf("%s: ", h->file);
        int ind = h->indicates && h->indicates[0];
        printf("%s %s%s%s -> %s%s%s%s%s%s%s\n", idx_kind_name(h->kind), h->value, h->field ? " in " : "",
               h->field ? h->field : "", h->id, h->name[0] ? " (" : "", h->name, h->name[0] ? ")" : "",
               ind ? ", indicates " : "", ind ? h->indicates : "",
               h->candidate ? " [candidate: needs the pattern evaluator]" : "");
    }
    return 0;
}

/* Warnings of the modules (a truncated capture...) go to stderr. */
static void log_stderr(int level, const char *msg, void *ctx)
{
    (void)level;
    (void)ctx;
    cli_progress_end();
    fprintf(stderr, "vigil scan: warning: %s\n", msg);
}

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},      {"collection", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},             {"no-record", no_argument, NULL, 'n'},
        {"threads", required_argument, NULL, 't'},    {"index", required_argument, NULL, 'i'},
        {"save-index", required_argument, NULL, 'S'}, {"hash-files", no_argument, NULL, 'H'},
        {"no-file-hashes", no_argument, NULL, 'N'},   {"help", no_argument, NULL, 'h'},
        {"allow", required_argument, NULL, 'a'},      {"iocs", required_argument, NULL, 'I'},
        {"org", required_argument, NULL, 'o'},        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *collection = NULL, *index_in = NULL, *index_out = NULL, *org_opt = NULL,
               *org = NULL;
    int o, record = 1, threads = 2, hash = 0;
    out_ctx oc = {0};
    const char *allow_paths[64], *ioc_paths[64];
    size_t nallow = 0, niocs = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 's': store_opt = optarg; break;
        case 'c': collection = optarg; break;
        case 'o': org_opt = optarg; break;
        case 'j': oc.json = 1; break;
        case 'n': record = 0; break;
        case 'i': index_in = optarg; break;
        case 'S': index_out = optarg; break;
        case 'H': hash = 1; break;
        case 'I':
            if (niocs == sizeof ioc_paths / sizeof ioc_paths[0]) {
                fprintf(stderr, "vigil scan: at most 64 --iocs options\n");
                return CLI_EXIT_FAIL;
            }
            ioc_paths[niocs++] = optarg;
            break;
        case 'a':
            if (nallow == sizeof allow_paths / sizeof allow_paths[0]) {
                fprintf(stderr, "vigil scan: at most 64 --allow options (give a folder of lists instead)\n");
                return CLI_EXIT_FAIL;
            }
            allow_paths[nallow++] = optarg;
            break;
        case 'N': hash = -1; break;
        case 't':
            if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
                fprintf(stderr, "vigil scan: --threads takes 1 or 2\n");
                return CLI_EXIT_FAIL;
            }
            threads = optarg[0] - '0';
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (niocs && index_in) {
        fprintf(stderr, "vigil scan: give --iocs or --index, not both\n");
        return CLI_EXIT_FAIL;
    }
    if (niocs && !store_opt)
        record = 0; /* a bundle on its own: no store to record in */
    if (optind >= argc && !index_out) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *st = NULL;
    idx *x = NULL;
    scan_summary *sum = NULL;
    scan_allow *allow = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vg_log_set(log_stderr, NULL, VG_LOG_WARN);
    int rc = 0;
    if (nallow) {
        rc = scan_allow_new(&allow, &err);
        for (size_t i = 0; i < nallow && !rc; i++)
            rc = scan_allow_add_path(allow, allow_paths[i], &err);
        if (!rc)
            rc = scan_allow_finish(allow, &err);
    }
    if (!rc && ((!index_in && !niocs) || record))
        rc = store_open(cli_store_path(store_opt), record ? STORE_CREATE : STORE_READONLY, &st, &err);
    if (!rc && cli_org("scan", org_opt, record ? st : NULL, &org)) {
        scan_allow_free(allow);
        store_close(st);
        return CLI_EXIT_FAIL;
    }
    if (!rc)
        rc = index_in ? idx_load(index_in, &x, &err)
             : niocs  ? scan_index_from_files(ioc_paths, niocs, NULL, &x, &err)
                      : scan_index_from_store(st, collection, NULL, &x, &err);
    double tbuild = cli_secs_since(&t0);
    uint64_t newer = 0;
    if (!rc && index_in && st && scan_index_newer(st, x, collection, &newer, &err) == 0 && newer)
        fprintf(stderr,
                "vigil scan: warning: %s%llu indicator versions were added to the store after the index %s was "
                "built; they are not looked for (rebuild it with 'vigil index build')\n",
                newer >= 1000 ? "at least " : "", (unsigned long long)newer, index_in);
    if (!rc && index_out)
        rc = idx_save(x, index_out, &err);
    if (!rc && optind < argc) {
        scan_opts so = {0};
        so.threads = threads;
        so.hash_files = hash;
        so.on_hit = print_hit;
        so.ctx = &oc;
        so.progress.fn = cli_progress;
        so.allow = allow;
        rc = scan_run(x, (const char *const *)argv + optind, (size_t)(argc - optind), &so, &sum, &err);
        cli_progress_end();
    }
    size_t nsight = 0;
    if (!rc && sum && record) {
        char **ids = NULL;
        sum->org = org;
        rc = scan_record(st, x, sum, &ids, &nsight, &err);
        for (size_t i = 0; i < nsight; i++)
            vg_free(ids[i]);
        vg_free(ids);
    }
    if (!rc && !oc.json) {
        const idx_stats *is = idx_get_stats(x);
        fprintf(stderr,
                "index: %llu indicators (%llu answered by the index, %llu need the evaluator, %llu skipped), "
                "%llu keys, %.1f MB, %s in %.3f s\n",
                (unsigned long long)is->indicators, (unsigned long long)is->added, (unsigned long long)is->partial,
                (unsigned long long)(is->revoked + is->not_valid + is->no_pattern + is->bad),
                (unsigned long long)is->keys, (double)is->bytes / 1e6, index_in ? "loaded" : "built", tbuild);
        if (sum) {
            double t = cli_secs_since(&t0) - tbuild;
            fprintf(stderr,
                    "scanned %llu files, %.1f MB in %.2f s (%.0f MB/s): %llu hits of %zu indicators%s%llu candidate "
                    "hits not confirmed by the pattern evaluator; %zu sightings recorded\n",
                    (unsigned long long)sum->files, (double)sum->bytes / 1e6, t,
                    t > 0 ? (double)sum->bytes / 1e6 / t : 0.0, (unsigned long long)sum->hits, sum->naggs,
                    ", ", (unsigned long long)sum->candidates, nsight);
            if (sum->packets || sum->damaged) {
                fprintf(stderr, "captures: %llu packets (%llu malformed, skipped)", (unsigned long long)sum->packets,
                        (unsigned long long)sum->malformed);
                if (sum->damaged)
                    fprintf(stderr, "; %llu read only in part (see the warnings above)",
                            (unsigned long long)sum->damaged);
                fputc('\n', stderr);
            }
            if (allow)
                fprintf(stderr, "allow-lists: %llu lists, %llu entries; %llu hits suppressed\n",
                        (unsigned long long)scan_allow_lists(allow), (unsigned long long)scan_allow_entries(allow),
                        (unsigned long long)sum->allowed);
        }
    }
    int found = sum && sum->hits > 0;
    scan_summary_free(sum);
    scan_allow_free(allow);
    idx_free(x);
    store_close(st);
    if (rc) {
        cli_print_error("scan", &err);
        return CLI_EXIT_FAIL;
    }
    return found ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
