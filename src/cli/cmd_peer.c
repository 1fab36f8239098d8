/*
 * cmd_peer.c - vigil peer: the partners' TAXII collections `vigil sync` talks to.
 */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: vigil peer add NAME URL --collection ID [--into LOCAL] [--user NAME | --token-stdin]\n"
    "                     [--password-stdin] [--store PATH]\n"
    "       vigil peer list [--json] [--store PATH]\n"
    "       vigil peer remove NAME [--store PATH]\n"
    "\n"
    "A peer is a partner's TAXII 2.1 collection: URL is its API root (e.g.\n"
    "https://cert.example/api/), ID the collection's id. Pulled objects go into the\n"
    "local collection LOCAL (default: NAME), and pushes send LOCAL's objects.\n"
    "Credentials: --user NAME with a password (asked without echo, or one line of\n"
    "stdin with --password-stdin), or --token-stdin for a bearer token. They are\n"
    "kept in the store to be used by 'vigil sync', never printed.\n";

static int print_peer(const store_peer *p, void *ctx)
{
    int json = *(int *)ctx;
    if (json)
        printf("{\"name\":\"%s\",\"url\":\"%s\",\"collection\":\"%s\",\"local\":\"%s\",\"auth\":\"%s\","
               "\"pulled\":\"%s\",\"pushed\":\"%s\"}\n",
               p->name, p->url, p->collection, p->local, p->auth, p->pulled, p->pushed);
    else
        printf("%-16s %-40s collection %s -> %s, auth %s%s%s, pulled up to %s\n", p->name, p->url, p->collection,
               p->local, p->auth, p->user[0] ? " as " : "", p->user, p->pulled[0] ? p->pulled : "(never)");
    return 0;
}

int cmd_peer(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},     {"collection", required_argument, NULL, 'c'},
        {"into", required_argument, NULL, 'i'},      {"user", required_argument, NULL, 'u'},
        {"password-stdin", no_argument, NULL, 'P'},  {"token-stdin", no_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},            {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *coll = NULL, *into = NULL, *user = NULL;
    int pw_stdin = 0, tok_stdin = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'c': coll = optarg; break;
        case 'i': into = optarg; break;
        case 'u': user = optarg; break;
        case 'P': pw_stdin = 1; break;
        case 'T': tok_stdin = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    const char *verb = optind < argc ? argv[optind] : "";
    int nargs = argc - optind - 1;
    vg_error err = {0};
    store *s = NULL;
    int rc;
    if (strcmp(verb, "list") == 0 && nargs == 0) {
        rc = store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err);
        if (!rc)
            rc = store_peers_list(s, print_peer, &json, &err);
    } else if (strcmp(verb, "remove") == 0 && nargs == 1) {
        rc = store_open(cli_store_path(store_opt), 0, &s, &err);
        if (!rc)
            rc = store_peer_remove(s, argv[optind + 1], &err);
    } else if (strcmp(verb, "add") == 0 && nargs == 2) {
        store_peer p;
        memset(&p, 0, sizeof p);
        const char *name = argv[optind + 1], *url = argv[optind + 2];
        if (!coll) {
            fprintf(stderr, "vigil peer add: --collection ID is required (the partner's collection id)\n");
            return CLI_EXIT_FAIL;
        }
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
            fprintf(stderr, "vigil peer add: URL must start with http:// or https:// (got \"%s\")\n", url);
            return CLI_EXIT_FAIL;
        }
        if ((user != NULL) + tok_stdin > 1 || (pw_stdin && !user)) {
            fprintf(stderr, "vigil peer add: give either --user NAME (with a password) or --token-stdin\n");
            return CLI_EXIT_FAIL;
        }
        if (strlen(name) >= sizeof p.name || strlen(url) + 2 >= sizeof p.url || strlen(coll) >= sizeof p.collection ||
            (into && strlen(into) >= sizeof p.local) || (user && strlen(user) >= sizeof p.user)) {
            fprintf(stderr, "vigil peer add: a name, URL or id is too long\n");
            return CLI_EXIT_FAIL;
        }
        snprintf(p.name, sizeof p.name, "%s", name);
        snprintf(p.url, sizeof p.url, "%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/");
        snprintf(p.collection, sizeof p.collection, "%s", coll);
        snprintf(p.local, sizeof p.local, "%s", into ? into : name);
        snprintf(p.auth, sizeof p.auth, "%s", user ? "basic" : tok_stdin ? "bearer" : "none");
        if (user) {
            snprintf(p.user, sizeof p.user, "%s", user);
            if (cli_read_password("peer add", pw_stdin, 1, p.secret, sizeof p.secret))
                return CLI_EXIT_FAIL;
        } else if (tok_stdin && cli_read_password("peer add", 1, 0, p.secret, sizeof p.secret)) {
            return CLI_EXIT_FAIL;
        }
        rc = store_open(cli_store_path(store_opt), STORE_CREATE, &s, &err);
        if (!rc)
            rc = store_peer_set(s, &p, 1, &err);
        OPENSSL_cleanse(p.secret, sizeof p.secret);
        if (!rc)
            fprintf(stderr, "vigil peer: added %s (%scollections/%s/ -> local collection %s)\n", p.name, p.url,
                    p.collection, p.local);
    } else {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    store_close(s);
    if (rc) {
        cli_print_error("peer", &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
