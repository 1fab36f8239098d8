/*
 * cmd_alert.c - vigil alert: list the alert outbox, deliver what is owed
 * through the channels of the alerts config. Thin over src/incident/incident.h.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "incident/incident.h"
#include "store/store.h"

static const char usage[] =
    "usage: vigil alert list [--limit N] [--json] [--store PATH]\n"
    "       vigil alert deliver [--alerts FILE] [--store PATH]\n"
    "\n"
    "An incident opened, or raised to a severity at or above the threshold of the\n"
    "alerts config, queues an alert in the store with the change. 'deliver' sends\n"
    "every alert a channel still owes (JSON-lines file, hook, syslog, webhook) and\n"
    "records the outcome: a failed delivery stays queued and the next run retries it.\n"
    "Exit 1 when some delivery failed. The config is --alerts FILE, else\n"
    "$VIGIL_ALERTS (docs/internals/alerts.md). 'list' shows the newest alerts first,\n"
    "with each channel's state (delivered, or pending with the failed attempts).\n";

static int fail(const char *cmd, vg_error *err)
{
    cli_print_error(cmd, err);
    return CLI_EXIT_FAIL;
}

typedef struct list_ctx {
    int json;
} list_ctx;

static int print_alert(const store_alert *a, void *ctx)
{
    list_ctx *l = ctx;
    json_t *doc = json_loads(a->json, 0, NULL);
    if (l->json) {
        json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:O?}", "seq", (json_int_t)a->id, "created", a->created,
                              "incident", a->incident, "version", a->version, "channels", a->channels, "failed",
                              a->attempts, "last_error", a->last_error, "alert", doc);
        char *t = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (t)
            puts(t);
        free(t);
        json_decref(j);
    } else {
        printf("%-6lld %.19s  %-8s %-7s %s  %s  [%s]%s%s\n", (long long)a->id, a->created,
               json_string_value(json_object_get(doc, "severity_name")) ?: "?",
               json_string_value(json_object_get(doc, "reason")) ?: "?", a->incident,
               json_string_value(json_object_get(doc, "incident_name")) ?: "", a->channels[0] ? a->channels : "no channel",
               a->last_error[0] ? "  last error: " : "", a->last_error);
    }
    json_decref(doc);
    return 0;
}

int cmd_alert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"alerts", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'n'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *store_opt = NULL, *alerts_path = getenv("VIGIL_ALERTS");
    size_t limit = 50;
    list_ctx lc = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'a': alerts_path = optarg; break;
        case 'n': limit = strtoull(optarg, NULL, 10); break;
        case 'j': lc.json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *s = NULL;
    if (strcmp(sub, "list") == 0) {
        int rc = store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err);
        if (!rc)
            rc = store_alerts_list(s, limit, print_alert, &lc, &err);
        store_close(s);
        return rc ? fail("alert list", &err) : CLI_EXIT_OK;
    }
    if (strcmp(sub, "deliver") == 0) {
        inc_alerts *a = NULL;
        inc_deliver_stats st = {0};
        int rc = alerts_path && *alerts_path ? inc_alerts_load(alerts_path, &a, &err) : inc_alerts_default(&a, &err);
        if (!rc && !inc_alerts_nchannels(a)) {
            vg_error_set(&err, VG_E_USAGE, "the alerts config names no channel to deliver through");
            vg_error_hint(&err, "give --alerts FILE (or set VIGIL_ALERTS) with a [jsonl], [hook], [syslog] or "
                                "[webhook] section; see docs/internals/alerts.md");
            rc = VG_E_USAGE;
        }
        if (!rc)
            rc = store_open(cli_store_path(store_opt), STORE_CREATE, &s, &err);
        if (!rc)
            rc = inc_alerts_deliver(s, a, &st, &err);
        store_close(s);
        inc_alerts_free(a);
        if (rc)
            return fail("alert deliver", &err);
        printf("%llu owed: %llu delivered, %llu failed attempts, %llu left for the next run\n",
               (unsigned long long)st.pending, (unsigned long long)st.delivered, (unsigned long long)st.failed,
               (unsigned long long)st.left);
        return st.left ? CLI_EXIT_FOUND : CLI_EXIT_OK;
    }
    fputs(usage, stderr);
    return CLI_EXIT_FAIL;
}
