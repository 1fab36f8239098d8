/*
 * cmd_serve.c - vigil serve: the TAXII 2.1 server over the store, until
 * SIGTERM or SIGINT, after which requests in flight are finished; with
 * --brief-every, briefings written on schedule and served at /briefings/.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brief/brief.h"
#include "cli/cli.h"
#include "core/vg_log.h"
#include "taxii/taxii.h"

static const char usage[] =
    "usage: vigil serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--config FILE]\n"
    "                   [--store PATH] [--threads N] [--quiet]\n"
    "                   [--brief-every week|month] [--brief-dir DIR] [--brief-audience TLP]\n"
    "\n"
    "Serves the store over TAXII 2.1: discovery at /taxii2/, one API root (/api/\n"
    "unless the config says otherwise). Accounts, tokens, collections and rights\n"
    "are managed with 'vigil user', 'vigil token' and 'vigil collection'. The\n"
    "config file (docs/formats/taxii-config.md) holds the rest: limits, titles.\n"
    "Command-line options win over the file. Default listen address\n"
    "127.0.0.1:9443; port 0 picks a free port, printed on standard error.\n"
    "SIGTERM or SIGINT stop the server after requests in flight are answered.\n"
    "\n"
    "Briefings: with --brief-every, the briefing of the last full calendar week\n"
    "(Monday to Monday, UTC) or month is written to DIR as brief-2025-W23.html\n"
    "(or brief-2025-05.html) with its .md and .json, at start-up when missing and\n"
    "then at each boundary. --brief-dir (default: 'briefings' beside the store)\n"
    "is served at /briefings/ (an index and the files) to the same accounts and\n"
    "tokens as TAXII. --brief-audience (default green) bounds their indicator\n"
    "appendix, as 'vigil brief --audience' does.\n";

static void log_stderr(int level, const char *msg, void *ctx)
{
    (void)ctx;
    static const char *const names[] = {"debug", "info", "warning", "error"};
    char ts[VG_TIME_MAX];
    vg_time t = vg_time_now(3);
    vg_time_format(&t, ts);
    fprintf(stderr, "%s vigil serve: %s: %s\n", ts, names[level & 3], msg);
}

/* "briefings" in the store's folder. */
static void default_brief_dir(const char *store, char *out, size_t n)
{
    const char *slash = strrchr(store, '/');
    if (slash)
        snprintf(out, n, "%.*s/briefings", (int)(slash - store), store);
    else
        snprintf(out, n, "briefings");
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},   {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},  {"config", required_argument, NULL, 'f'},
        {"store", required_argument, NULL, 's'},    {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {"brief-every", required_argument, NULL, 'E'}, {"brief-dir", required_argument, NULL, 'D'},
        {"brief-audience", required_argument, NULL, 'A'}, {NULL, 0, NULL, 0},
    };
    const char *listen = NULL, *cert = NULL, *key = NULL, *config = NULL, *store_opt = NULL, *threads = NULL;
    const char *brief_dir = NULL;
    int quiet = 0, c, every = 0, audience = 2; /* green */
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'c': cert = optarg; break;
        case 'k': key = optarg; break;
        case 'f': config = optarg; break;
        case 's': store_opt = optarg; break;
        case 't': threads = optarg; break;
        case 'q': quiet = 1; break;
        case 'E':
            if (!(every = brief_every(optarg))) {
                fprintf(stderr, "vigil serve: --brief-every must be week or month, not \"%s\"\n", optarg);
                return CLI_EXIT_FAIL;
            }
            break;
        case 'D': brief_dir = optarg; break;
        case 'A':
            if (!(audience = brief_audience(optarg))) {
                fprintf(stderr, "vigil serve: --brief-audience must be clear, green, amber, amber+strict or red, "
                                "not \"%s\"\n", optarg);
                return CLI_EXIT_FAIL;
            }
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind != argc || (cert && !key) || (key && !cert)) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    vg_error err = {0};
    if (config && taxii_config_load(&cfg, config, &err)) {
        cli_print_error("serve", &err);
        return CLI_EXIT_FAIL;
    }
    if (store_opt || !config)
        snprintf(cfg.store, sizeof cfg.store, "%s", cli_store_path(store_opt));
    if (listen) {
        const char *colon = strrchr(listen, ':');
        char *end;
        long port = colon ? strtol(colon + 1, &end, 10) : -1;
        if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof cfg.listen_addr || *end || port < 0 ||
            port > 65535 || !colon[1]) {
            fprintf(stderr, "vigil serve: --listen takes ADDR:PORT, e.g. 127.0.0.1:9443\n");
            return CLI_EXIT_FAIL;
        }
        snprintf(cfg.listen_addr, sizeof cfg.listen_addr, "%.*s", (int)(colon - listen), listen);
        cfg.port = (int)port;
    }
    if (cert) {
        snprintf(cfg.tls_cert, sizeof cfg.tls_cert, "%s", cert);
        snprintf(cfg.tls_key, sizeof cfg.tls_key, "%s", key);
    }
    if (threads)
        cfg.threads = (int)strtol(threads, NULL, 10);
    if (brief_dir || every) {
        if (brief_dir)
            snprintf(cfg.brief_dir, sizeof cfg.brief_dir, "%s", brief_dir);
        else
            default_brief_dir(cfg.store, cfg.brief_dir, sizeof cfg.brief_dir);
    }
    vg_log_set(log_stderr, NULL, quiet ? VG_LOG_WARN : VG_LOG_INFO);
    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    taxii_server *srv = NULL;
    if (taxii_server_start(&cfg, &srv, &err)) {
        cli_print_error("serve", &err);
        return CLI_EXIT_FAIL;
    }
    brief_scheduler *briefs = NULL;
    brief_schedule bs = {cfg.store, cfg.brief_dir, every, audience};
    if (every && brief_scheduler_start(&bs, &briefs, &err)) {
        taxii_server_stop(srv, 0);
        cli_print_error("serve", &err);
        return CLI_EXIT_FAIL;
    }
    fprintf(stderr, "vigil serve: listening on %s://%s:%d/taxii2/ (store %s)\n", cfg.tls_cert[0] ? "https" : "http",
            cfg.listen_addr, taxii_server_port(srv), cfg.store);
    if (cfg.brief_dir[0])
        fprintf(stderr, "vigil serve: briefings from %s at /briefings/%s\n", cfg.brief_dir,
                every == BRIEF_EVERY_WEEK ? ", written every week" : every ? ", written every month" : "");
    fflush(stderr);
    int sig = 0;
    sigwait(&set, &sig);
    if (!quiet)
        fprintf(stderr, "vigil serve: %s received, finishing requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    brief_scheduler_stop(briefs);
    taxii_server_stop(srv, 10000);
    if (!quiet)
        fprintf(stderr, "vigil serve: stopped\n");
    return CLI_EXIT_OK;
}
