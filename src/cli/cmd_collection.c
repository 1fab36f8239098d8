/*
 * cmd_collection.c - vigil collection add|set|list|grant: the collections the
 * TAXII server offers, their TLP settings and who may read or write them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "store/store.h"
#include "taxii/taxii.h"

static const char usage[] =
    "usage: vigil collection add NAME [--title T] [--description D] [--default-tlp LEVEL]\n"
    "                                 [--recipient IDENTITY-ID]... [--store PATH]\n"
    "       vigil collection set NAME [same options]\n"
    "       vigil collection list [--json] [--store PATH]\n"
    "       vigil collection grant NAME USER read|write|read,write|none [--store PATH]\n"
    "\n"
    "--default-tlp (clear, green, amber, amber+strict, red; default green) is the TLP\n"
    "of objects that carry no TLP marking. --recipient names an organisation (a STIX\n"
    "identity id) whose accounts receive the collection's AMBER and AMBER+STRICT\n"
    "objects; repeat it for several ('set' replaces the list when one is given).\n"
    "'grant' sets what USER may do: read (GET), write (POST, DELETE), both, or none.\n"
    "The rules: docs/internals/taxii.md.\n";

static int print_share(const store_share *sh, void *ctx)
{
    if (*(int *)ctx) {
        printf("{\"id\":\"%s\",\"name\":\"%s\",\"default_tlp\":\"%s\",\"recipients\":\"%s\"}\n", sh->id, sh->name,
               sh->default_tlp, sh->recipients);
    } else {
        printf("%s  %-20s tlp:%-13s %s%s%s\n", sh->id, sh->name, sh->default_tlp, sh->title,
               sh->recipients[0] ? "  amber to: " : "", sh->recipients);
    }
    return 0;
}

static int parse_rights(const char *r)
{
    if (strcmp(r, "none") == 0)
        return 0;
    if (strcmp(r, "read") == 0)
        return STORE_RIGHT_READ;
    if (strcmp(r, "write") == 0)
        return STORE_RIGHT_WRITE;
    if (strcmp(r, "read,write") == 0 || strcmp(r, "write,read") == 0 || strcmp(r, "rw") == 0)
        return STORE_RIGHT_READ | STORE_RIGHT_WRITE;
    return -1;
}

int cmd_collection(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},       {"title", required_argument, NULL, 't'},
        {"description", required_argument, NULL, 'd'}, {"default-tlp", required_argument, NULL, 'l'},
        {"recipient", required_argument, NULL, 'r'},   {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *title = NULL, *desc = NULL, *tlp = NULL;
    int json = 0, c, nrecip = 0, rc = 0;
    store_share *sh = vg_calloc(1, sizeof *sh);
    if (!sh)
        return CLI_EXIT_FAIL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 't': title = optarg; break;
        case 'd': desc = optarg; break;
        case 'l': tlp = optarg; break;
        case 'j': json = 1; break;
        case 'r':
            if (strncmp(optarg, "identity--", 10) != 0 || !vg_uuid_check(optarg + 10, strlen(optarg + 10), NULL)) {
                fprintf(stderr, "vigil collection: --recipient must be an identity id (identity--UUID)\n");
                rc = -1;
            } else if (strlen(sh->recipients) + strlen(optarg) + 2 > sizeof sh->recipients) {
                fprintf(stderr, "vigil collection: too many recipients\n");
                rc = -1;
            } else {
                size_t k = strlen(sh->recipients);
                snprintf(sh->recipients + k, sizeof sh->recipients - k, "%s%s", k ? " " : "", optarg);
                nrecip++;
            }
            break;
        case 'h': fputs(usage, stdout); vg_free(sh); return CLI_EXIT_OK;
        default: rc = -1;
        }
    }
    const char *verb = optind < argc ? argv[optind] : "";
    int nargs = argc - optind - 1;
    int ok = (strcmp(verb, "list") == 0 && nargs == 0) || (strcmp(verb, "add") == 0 && nargs == 1) ||
             (strcmp(verb, "set") == 0 && nargs == 1) || (strcmp(verb, "grant") == 0 && nargs == 3);
    if (rc || !ok) {
        fputs(usage, stderr);
        vg_free(sh);
        return CLI_EXIT_FAIL;
    }
    if (tlp && taxii_tlp_parse(tlp) == TAXII_TLP_NONE) {
        fprintf(stderr, "vigil collection: --default-tlp must be clear, green, amber, amber+strict or red\n");
        vg_free(sh);
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    store *s = NULL;
    rc = store_open(cli_store_path(store_opt), strcmp(verb, "list") == 0 ? 0 : STORE_CREATE, &s, &err);
    if (!rc && strcmp(verb, "list") == 0) {
        rc = store_shares_list(s, print_share, &json, &err);
    } else if (!rc && strcmp(verb, "grant") == 0) {
        int r = parse_rights(argv[optind + 3]);
        if (r < 0)
            rc = vg_error_set(&err, VG_E_USAGE, "rights are read, write, read,write or none, not \"%s\"",
                              argv[optind + 3]);
        else
            rc = store_right_set(s, argv[optind + 2], argv[optind + 1], r, &err);
    } else if (!rc) {
        const char *name = argv[optind + 1];
        int create = strcmp(verb, "add") == 0;
        char recip[sizeof sh->recipients];
        snprintf(recip, sizeof recip, "%s", sh->recipients);
        if (!create) {
            rc = store_share_get(s, name, sh, &err);
            if (nrecip)
                snprintf(sh->recipients, sizeof sh->recipients, "%s", recip);
        } else if (strlen(name) >= sizeof sh->name || !name[0]) {
            rc = vg_error_set(&err, VG_E_USAGE, "a collection name has 1 to %zu characters", sizeof sh->name - 1);
        }
        if (!rc) {
            snprintf(sh->name, sizeof sh->name, "%s", name);
            if (title)
                snprintf(sh->title, sizeof sh->title, "%s", title);
            if (desc)
                snprintf(sh->description, sizeof sh->description, "%s", desc);
            if (tlp)
                snprintf(sh->default_tlp, sizeof sh->default_tlp, "%s", taxii_tlp_name(taxii_tlp_parse(tlp)));
            else if (create)
                snprintf(sh->default_tlp, sizeof sh->default_tlp, "green");
            rc = store_share_set(s, sh, create, &err);
        }
        if (!rc)
            printf("%s\n", sh->id);
    }
    store_close(s);
    vg_free(sh);
    if (rc) {
        cli_print_error("collection", &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
