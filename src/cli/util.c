/*
 * util.c - helpers shared by subcommands: errors, the store path, progress.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/vg_time.h"
#include "intel/intel.h"
#include "scan/scan.h"
#include "store/store.h"

void cli_print_error(const char *cmd, const vg_error *err)
{
    char buf[VG_ERR_MSG_MAX * 2 + VG_ERR_WHERE_MAX];
    cli_progress_end();
    fprintf(stderr, "vigil %s: %s\n", cmd, vg_error_format(err, buf, sizeof buf));
}

const char *cli_store_path(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("VIGIL_STORE");
    return env && env[0] ? env : "vigil.db";
}

static int drawn;

static struct timespec progress_t0, progress_last; /* when the bar started, when it was last drawn */
static int progress_on;                              /* a bar is running (reset by cli_progress_end) */

static double secs_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress(const char *label, uint64_t done, uint64_t total, void *ctx)
{
    (void)ctx;
    if (!isatty(2))
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!progress_on) {
        progress_on = 1;
        progress_t0 = now;
    } else if (secs_between(&progress_last, &now) < 0.1 && !(total && done >= total)) {
        return; /* at most ten redraws a second */
    }
    progress_last = now;
    double el = secs_between(&progress_t0, &now), rate = el > 0.05 ? (double)done / el : 0.0;
    char speed[48] = "";
    if (rate > 0) {
        int k = snprintf(speed, sizeof speed, " %6.0f MB/s", rate / 1e6);
        if (total > done && k > 0) {
            double left = (double)(total - done) / rate;
            snprintf(speed + k, sizeof speed - (size_t)k, " %2d:%02d left", (int)(left / 60), (int)left % 60);
        }
    }
    const char *base = strrchr(label, '/');
    base = base ? base + 1 : label;
    if (total) {
        int pct = (int)(done * 100 / (total ? total : 1));
        if (pct > 100)
            pct = 100;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%-24.24s [%s] %3d%% %8.1f MB%s ", base, bar, pct, done / 1e6, speed);
    } else {
        fprintf(stderr, "\r%-24.24s %8.1f MB%s ", base, done / 1e6, speed);
    }
    drawn = 1;
}

void cli_progress_clear(void)
{
    if (drawn && isatty(2))
        fprintf(stderr, "\r%-110s\r", "");
    drawn = 0;
}

void cli_progress_end(void)
{
    progress_on = 0;
    cli_progress_clear();
}

int cli_parse_time(const char *cmd, const char *opt, const char *value, vg_time *out)
{
    vg_error err = {0};
    if (vg_time_parse(value, strlen(value), VG_TIME_RFC3339, out, &err) == 0)
        return 0;
    vg_error_where(&err, "%s", opt);
    cli_print_error(cmd, &err);
    return -1;
}

void cli_print_invalid(const char *kind, const intel_invalid *bad)
{
    cli_progress_end();
    if (bad->err) {
        char buf[2048];
        fprintf(stderr, "%s: %s object %llu: %s\n", kind, bad->file, (unsigned long long)bad->index,
                vg_error_format(bad->err, buf, sizeof buf));
        return;
    }
    fprintf(stderr, "%s: %s:%ld:%ld object %llu (%s):\n", kind, bad->file, bad->line, bad->col,
            (unsigned long long)bad->index, bad->id ? bad->id : "(no id)");
    for (size_t i = 0; bad->issues && i < bad->issues->n; i++)
        fprintf(stderr, "  %s %s: %s\n", bad->issues->v[i].severity == STIX_ISSUE_ERROR ? "error" : "warning",
                bad->issues->v[i].path, bad->issues->v[i].msg);
}

int cli_org(const char *cmd, const char *opt, store *st, const char **out)
{
    const char *org = opt && *opt ? opt : getenv("VIGIL_ORG");
    *out = NULL;
    if (!org || !*org)
        return 0;
    if (!scan_org_valid(org)) {
        fprintf(stderr, "vigil %s: %s \"%s\" is not an identity or location id (identity--<uuid>)\n", cmd,
                opt && *opt ? "--org" : "VIGIL_ORG", org);
        return CLI_EXIT_FAIL;
    }
    if (st) {
        store_query q = {0};
        q.ids = &org;
        q.nids = 1;
        store_iter *it = NULL;
        store_row row;
        vg_error err = {0};
        int rc = store_query_open(st, &q, &it, &err);
        if (!rc)
            rc = store_iter_next(it, &row, &err);
        store_iter_free(it);
        if (rc == 0)
            fprintf(stderr,
                    "vigil %s: warning: the organisation %s is not in the store; import its identity so that "
                    "incidents know its sectors\n",
                    cmd, org);
    }
    *out = org;
    return 0;
}

double cli_secs_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}
