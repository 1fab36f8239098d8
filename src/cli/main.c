/*
 * main.c - the vigil command: global options and the subcommand table.
 *
 * Each subcommand lives in its own cmd_<name>.c and is listed once in the
 * table below; `vigil help` and dispatch both read the table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    {"import", cmd_import, "import STIX 2.x bundles (files, folders, .gz) into the store"},
    {"export", cmd_export, "write objects from the store as a STIX 2.1 bundle"},
    {"get", cmd_get, "print one object by id (latest, first, all or one version)"},
    {"list", cmd_list, "list objects in the store, filtered by type"},
    {"stats", cmd_stats, "count what the store holds, by type"},
    {"sample", cmd_sample, "write a realistic, deterministic sample bundle (demo and benchmarks)"},
    {"incident", cmd_incident, "list, show, change, import and correlate incidents"},
    {"brief", cmd_brief, "write a threat-landscape briefing for a period (html, md, json)"},
    {"alert", cmd_alert, "list queued incident alerts, deliver them (file, hook, syslog, webhook)"},
    {"pattern", cmd_pattern, "check STIX patterns, or match one against observed data"},
    {"scan", cmd_scan, "look for the indicators in evidence (logs, JSON lines, folders) and record sightings"},
    {"index", cmd_index, "compile the match index once and save it; say what a saved index holds"},
    {"phone", cmd_phone, "check an iOS backup or an Android acquisition for spyware (indicators and heuristics)"},
    {"serve", cmd_serve, "serve the store over TAXII 2.1 (accounts, rights and TLP enforced)"},
    {"peer", cmd_peer, "add, list or remove partners' TAXII collections to sync with"},
    {"sync", cmd_sync, "pull from and push to a peer's TAXII collection"},
    {"user", cmd_user, "add, list, remove TAXII accounts or change their passwords"},
    {"token", cmd_token, "add, revoke or list bearer tokens of TAXII accounts"},
    {"collection", cmd_collection, "add, list collections, set their TLP defaults, grant rights"},
    {"help", cmd_help, "show help for vigil or for one command"},
    {"version", cmd_version, "print vigil's version"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil COMMAND [OPTIONS] [ARGS]\n\n"
               "vigil collects threat intelligence (STIX 2.1), detects it in evidence,\n"
               "monitors incidents, shares over TAXII 2.1 and writes briefings.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'vigil COMMAND --help' explains one command. Exit codes: 0 success, 1 a\n"
               "scan or match found something (or nothing, for 'pattern match'), 2 bad input or failure.\n");
}

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        const cli_command *c = find(argv[1]);
        if (!c) {
            fprintf(stderr, "vigil: no command '%s' (see 'vigil help')\n", argv[1]);
            return CLI_EXIT_FAIL;
        }
        char *args[] = {argv[1], "--help", NULL};
        return c->run(2, args);
    }
    usage(stdout);
    return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("vigil %s\n", VIGIL_VERSION);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    vg_alloc_init();
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_FAIL;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv);
    const cli_command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "vigil: no command '%s' (see 'vigil help')\n", argv[1]);
        return CLI_EXIT_FAIL;
    }
    return c->run(argc - 1, argv + 1);
}
