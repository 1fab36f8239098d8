/*
 * cmd_sync.c - vigil sync: pull from and push to a peer's TAXII collection.
 */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "taxii/taxii.h"

static const char usage[] =
    "usage: vigil sync NAME [--pull] [--push] [--json] [--store PATH]\n"
    "\n"
    "Pulls the objects the partner added since the last pull (every page), then\n"
    "pushes the local collection's objects added since the last push; --pull or\n"
    "--push alone does only that. Pulled objects are validated like 'vigil import'\n"
    "(invalid ones listed, not stored). TLP:AMBER+STRICT and TLP:RED objects are\n"
    "never pushed. Exit: 0 done, 2 the partner refused or could not be reached,\n"
    "or some objects were invalid or refused.\n";

static void on_invalid(const intel_invalid *bad, void *ctx)
{
    (void)ctx;
    cli_print_invalid("invalid", bad);
}

int cmd_sync(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"pull", no_argument, NULL, 'l'},
        {"push", no_argument, NULL, 'p'},        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL;
    int pull = 0, push = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'l': pull = 1; break;
        case 'p': push = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    if (!pull && !push)
        pull = push = 1;
    vg_error err = {0};
    store *s = NULL;
    store_peer p;
    memset(&p, 0, sizeof p);
    taxii_sync_stats st;
    memset(&st, 0, sizeof st);
    int rc = store_open(cli_store_path(store_opt), 0, &s, &err);
    if (!rc)
        rc = store_peer_get(s, argv[optind], &p, &err);
    if (!rc && pull) {
        intel_import_opts io = {0};
        io.on_invalid = on_invalid;
        rc = taxii_pull(s, &p, &io, &st, &err);
    }
    if (!rc && push)
        rc = taxii_push(s, &p, &st, &err);
    OPENSSL_cleanse(p.secret, sizeof p.secret);
    store_close(s);
    if (json)
        printf("{\"peer\":\"%s\",\"requests\":%llu,\"pulled\":%llu,\"imported\":%llu,\"unchanged\":%llu,"
               "\"invalid\":%llu,\"pushed\":%llu,\"push_failed\":%llu,\"withheld\":%llu,\"ok\":%s}\n",
               argv[optind], (unsigned long long)st.requests, (unsigned long long)st.pulled.read,
               (unsigned long long)st.pulled.imported, (unsigned long long)st.pulled.unchanged,
               (unsigned long long)st.pulled.invalid, (unsigned long long)st.pushed,
               (unsigned long long)st.push_failed, (unsigned long long)st.withheld, rc ? "false" : "true");
    else
        printf("sync %s: pulled %llu objects (%llu new, %llu already stored, %llu invalid); pushed %llu (%llu "
               "refused, %llu withheld by TLP); %llu requests\n",
               argv[optind], (unsigned long long)st.pulled.read, (unsigned long long)st.pulled.imported,
               (unsigned long long)st.pulled.unchanged, (unsigned long long)st.pulled.invalid,
               (unsigned long long)st.pushed, (unsigned long long)st.push_failed, (unsigned long long)st.withheld,
               (unsigned long long)st.requests);
    if (rc) {
        cli_print_error("sync", &err);
        return CLI_EXIT_FAIL;
    }
    return st.pulled.invalid || st.push_failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
