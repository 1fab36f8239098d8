/*
 * cmd_brief.c - vigil brief: a threat-landscape briefing for a period, as
 * HTML (self-contained, inline SVG charts), Markdown or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief/brief.h"
#include "cli/cli.h"
#include "incident/incident.h"

static const char usage[] =
    "usage: vigil brief [--from DATE --to DATE | --last week|month|quarter|year] [--format html|md|json]\n"
    "                   [--audience TLP] [--indicators N] [-o FILE] [--store PATH]\n"
    "\n"
    "Writes a briefing of the period (from <= date < to; YYYY-MM-DD or RFC 3339):\n"
    "incidents by severity against the previous period of the same length, the most\n"
    "serious ones, incidents by category, sector and actor, a timeline, what was\n"
    "added to the store, and the courses of action that mitigate the techniques of\n"
    "the period's actors and malware, and an appendix of the indicators related to\n"
    "the period's incidents. --last ends the period at the start of tomorrow (UTC).\n"
    "The default format is html; -o writes to a file.\n"
    "\n"
    "  --audience TLP    who reads it: clear, green, amber, amber+strict or red (default\n"
    "                    red). The appendix lists only indicators marked at or below it;\n"
    "                    an unmarked indicator has its collection's default TLP (vigil\n"
    "                    share; green without a setting). The rest is counted, not listed.\n"
    "  --indicators N    list at most N indicators in the appendix (default 50)\n"
    "\n"
    "Exit: 0 written, 2 failure.\n";

int cmd_brief(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},    {"last", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'F'}, {"output", required_argument, NULL, 'o'},
        {"audience", required_argument, NULL, 'a'}, {"indicators", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *out_path = NULL, *last = NULL;
    brief_opts o = {0};
    int has_from = 0, has_to = 0, format = BRIEF_HTML, c;
    vg_error err = {0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'f':
            if (inc_parse_day(optarg, &o.from, &err))
                goto bad;
            has_from = 1;
            break;
        case 't':
            if (inc_parse_day(optarg, &o.to, &err))
                goto bad;
            has_to = 1;
            break;
        case 'l': last = optarg; break;
        case 'F':
            if (strcmp(optarg, "html") == 0)
                format = BRIEF_HTML;
            else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                format = BRIEF_MD;
            else if (strcmp(optarg, "json") == 0)
                format = BRIEF_JSON;
            else {
                vg_error_set(&err, VG_E_USAGE, "--format must be html, md or json, not \"%s\"", optarg);
                goto bad;
            }
            break;
        case 'o': out_path = optarg; break;
        case 'a':
            if (!(o.audience = brief_audience(optarg))) {
                vg_error_set(&err, VG_E_USAGE, "--audience must be clear, green, amber, amber+strict or red, not \"%s\"",
                             optarg);
                goto bad;
            }
            break;
        case 'i': {
            char *end;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-' || n == 0 || n > 100000) {
                vg_error_set(&err, VG_E_USAGE, "--indicators must be a number from 1 to 100000, not \"%s\"", optarg);
                goto bad;
            }
            o.indicators = (size_t)n;
            break;
        }
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (last) {
        int days = strcmp(last, "week") == 0 ? 7 : strcmp(last, "month") == 0 ? 30 : strcmp(last, "quarter") == 0 ? 91
                 : strcmp(last, "year") == 0 ? 365 : 0;
        if (!days || has_from) {
            vg_error_set(&err, VG_E_USAGE, days ? "--last and --from exclude each other"
                                                : "--last must be week, month, quarter or year");
            goto bad;
        }
        if (!has_to) {
            vg_time now = vg_time_now(0);
            o.to = vg_time_from_unix((now.sec / 86400 + 1) * 86400, 0, 0);
        }
        o.from = o.to;
        o.from.sec -= (int64_t)days * 86400;
    } else if (!has_from || !has_to) {
        vg_error_set(&err, VG_E_USAGE, "give the period: --from DATE --to DATE, or --last week|month|quarter|year");
        goto bad;
    }
    store *s = NULL;
    json_t *model = NULL;
    int rc = store_open(cli_store_path(store_opt), STORE_READONLY, &s, &err);
    if (!rc)
        rc = brief_gather(s, &o, &model, &err);
    store_close(s);
    FILE *f = stdout;
    if (!rc && out_path && !(f = fopen(out_path, "w"))) {
        rc = vg_error_set(&err, VG_E_IO, "cannot write");
        vg_error_where(&err, "%s", out_path);
    }
    if (!rc)
        rc = brief_render(model, format, f, &err);
    if (f && f != stdout && fclose(f) && !rc)
        rc = vg_error_set(&err, VG_E_IO, "cannot write %s", out_path);
    json_decref(model);
    if (rc) {
        cli_print_error("brief", &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
bad:
    cli_print_error("brief", &err);
    return CLI_EXIT_FAIL;
}
