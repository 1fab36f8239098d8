/*
 * cmd_token.c - vigil token add|revoke|list: bearer tokens for TAXII
 * accounts. A token is shown once, when it is made; the store keeps only its
 * SHA-256 and a short public id used to list and revoke it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "store/store.h"
#include "taxii/taxii.h"

static const char usage[] =
    "usage: vigil token add USER [--label TEXT] [--store PATH]\n"
    "       vigil token revoke TOKEN-ID [--store PATH]\n"
    "       vigil token list [USER] [--store PATH]\n"
    "\n"
    "'add' prints a new bearer token for USER on standard output, once: keep it,\n"
    "it cannot be shown again (only its hash is stored). Clients send it as\n"
    "'Authorization: Bearer TOKEN'. Its id (printed on standard error and by\n"
    "'list') is what 'revoke' takes.\n";

static int print_token(const char *id, const char *account, const char *label, const char *created, void *ctx)
{
    (void)ctx;
    printf("%s  %-20s %s  %s\n", id, account, created, label ? label : "");
    return 0;
}

int cmd_token(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"label", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *label = "";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'l': label = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    const char *verb = argv[optind], *arg = optind + 1 < argc ? argv[optind + 1] : NULL;
    int list = strcmp(verb, "list") == 0;
    if (!list && strcmp(verb, "add") && strcmp(verb, "revoke")) {
        fprintf(stderr, "vigil token: no verb '%s' (add, revoke, list)\n", verb);
        return CLI_EXIT_FAIL;
    }
    if ((!list && (!arg || optind + 2 != argc)) || (list && optind + 2 < argc)) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *s = NULL;
    char secret[TAXII_TOKEN_LEN + 1] = "", id[TAXII_TOKEN_ID_LEN + 1], hash[65];
    int rc = store_open(cli_store_path(store_opt), list ? 0 : STORE_CREATE, &s, &err);
    if (!rc && strcmp(verb, "add") == 0) {
        rc = taxii_token_new(secret, id, hash, &err);
        if (!rc)
            rc = store_token_add(s, arg, id, hash, label, &err);
    } else if (!rc && strcmp(verb, "revoke") == 0) {
        rc = store_token_revoke(s, arg, &err);
    } else if (!rc) {
        rc = store_tokens_list(s, arg, print_token, NULL, &err);
    }
    store_close(s);
    if (rc) {
        OPENSSL_cleanse(secret, sizeof secret);
        cli_print_error("token", &err);
        return CLI_EXIT_FAIL;
    }
    if (strcmp(verb, "add") == 0) {
        printf("%s\n", secret);
        fflush(stdout);
        OPENSSL_cleanse(secret, sizeof secret);
        fprintf(stderr, "vigil token: token %s for %s (shown once; revoke with 'vigil token revoke %s')\n", id, arg,
                id);
    } else if (strcmp(verb, "revoke") == 0) {
        fprintf(stderr, "vigil token: revoked %s\n", arg);
    }
    return CLI_EXIT_OK;
}
