/*
 * cmd_sample.c - vigil sample: the realistic, deterministic sample bundle.
 *
 * Thin over intel_sample_write(): parses the options, opens the output and
 * reports. The demo imports this bundle; benchmarks ask for many indicators.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vg_time.h"
#include "intel/intel_sample.h"

static const char usage[] =
    "usage: vigil sample [--seed N] [--indicators N] [--no-relationships] [--now TIME] [-o FILE]\n"
    "\n"
    "Writes one STIX 2.1 bundle of realistic, fictional threat intelligence: a\n"
    "CERT and victim organisations, TLP 2.0 markings, threat actors, intrusion sets,\n"
    "spyware, ransomware, wiper and infostealer families, ATT&CK techniques and\n"
    "mitigations, a campaign, a vulnerability, indicators of every kind (domains,\n"
    "URLs, IPv4/CIDR, IPv6, e-mail, MD5/SHA-1/SHA-256, file and process names,\n"
    "wallets, app ids, compound patterns), relationships, a sighting and a report.\n"
    "Indicators use only reserved names and documentation address ranges.\n"
    "The same options always give the same bytes.\n"
    "\n"
    "  --seed N              seed of the generator (default 2)\n"
    "  --indicators N        generated indicators on top of the curated ones (default 0)\n"
    "  --no-relationships    no 'indicates' relationship for generated indicators\n"
    "  --now TIME            the sample's \"now\" (RFC 3339; default 2026-03-01T09:30:00Z)\n"
    "  -o, --output FILE     write to FILE (default: standard output)\n"
    "\n"
    "Exit: 0 written, 2 failure.\n";

/* Parses a decimal count; prints an error and returns -1 when it is not one. */
static int parse_count(const char *opt, const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno == ERANGE) {
        fprintf(stderr, "vigil sample: %s needs a whole number >= 0, not '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_sample(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"indicators", required_argument, NULL, 'n'},
        {"no-relationships", no_argument, NULL, 'R'},
        {"now", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    intel_sample_opts opts;
    intel_sample_opts_init(&opts);
    const char *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_count("--seed", optarg, &opts.seed))
                return CLI_EXIT_FAIL;
            break;
        case 'n':
            if (parse_count("--indicators", optarg, &opts.indicators))
                return CLI_EXIT_FAIL;
            break;
        case 'R':
            opts.relationships = 0;
            break;
        case 't': {
            vg_time t;
            if (cli_parse_time("sample", "--now", optarg, &t))
                return CLI_EXIT_FAIL;
            opts.base_time = t.sec;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        default:
            fputs(usage, stderr);
            return CLI_EXIT_FAIL;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vigil sample: unexpected argument '%s'\n", argv[optind]);
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        fprintf(stderr, "vigil sample: cannot write %s: %s\n", output, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    vg_error err = {0};
    intel_sample_counts n;
    int rc = intel_sample_write_counted(out, &opts, &n, &err);
    if (out != stdout && fclose(out) != 0 && !rc)
        rc = vg_error_set(&err, VG_E_IO, "cannot write %s: %s", output, strerror(errno));
    if (rc) {
        cli_print_error("sample", &err);
        if (output)
            remove(output); /* no half-written bundle left behind */
        return CLI_EXIT_FAIL;
    }
    if (output)
        fprintf(stderr,
                "wrote %" PRIu64 " objects (%" PRIu64 " indicators, %" PRIu64 " relationships) to %s\n",
                n.objects, n.indicators, n.relationships, output);
    return CLI_EXIT_OK;
}
