/*
 * bench_phone.c - time to check the real iOS 14.3 backup of
 * ../shared/data/mobile: with test-indicators.stix2, and with all of the
 * real spyware indicators in ../shared/data/iocs (10,759). The index is
 * built once (its time printed apart); the check is the median of runs.
 * The reference tool takes about 1.2 s (2.36 s with the real indicators).
 *
 * Usage: bench_phone [RUNS]   (default 9). Skips (exit 0, a note) without the shared data.
 * Prints "bench phone <what>: <figure> <unit>" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "bench.h"

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench(const char *label, const char *iocs, const char *backup, int runs, int fs)
{
    vg_error err = {0};
    idx *x = NULL;
    const char *paths[] = {iocs};
    double t0 = now_s();
    if (phone_index_from_files(paths, 1, &x, &err)) {
        fprintf(stderr, "bench_phone: %s: %s\n", err.where, err.msg);
        return 1;
    }
    double tidx = now_s() - t0;
    double *t = calloc((size_t)runs, sizeof *t), *cpu = calloc((size_t)runs, sizeof *cpu);
    size_t findings = 0;
    uint64_t values = 0;
    phone_opts o = {0};
    o.fs = fs;
    for (int i = 0; i < runs; i++) {
        phone_report *r = NULL;
        double a = now_s(), c = cpu_s();
        if (phone_check_ios(x, backup, &o, &r, &err)) {
            fprintf(stderr, "bench_phone: %s\n", err.msg);
            free(t);
            free(cpu);
            idx_free(x);
            return 1;
        }
        t[i] = now_s() - a;
        cpu[i] = cpu_s() - c;
        findings = r->nfindings;
        values = r->values;
        phone_report_free(r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmpd);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmpd);
    const char *mode = fs ? " --fs" : "";
    printf("bench phone index %s (%u indicators): %.4f s\n", label, idx_indicator_count(x), tidx);
    printf("bench phone check-ios%s %s (%llu values, %zu findings, median of %d): %.4f s (cpu %.4f s)\n", mode,
           label, (unsigned long long)values, findings, runs, t[runs / 2], cpu[runs / 2]);
    printf("bench phone check-ios%s %s with index build: %.4f s\n", mode, label, tidx + t[runs / 2]);
    free(t);
    free(cpu);
    idx_free(x);
    return 0;
}

int main(int argc, char **argv)
{
    vg_alloc_init();
    int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 9;
    if (runs < 1)
        runs = 1;
    const char *sh = getenv("VIGIL_SHARED");
    char shared[1024], backup[1200], test[1200], iocs[1200];
    snprintf(shared, sizeof shared, "%s", sh && sh[0] ? sh : "../shared");
    snprintf(backup, sizeof backup, "%s/data/mobile/ios_backup", shared);
    snprintf(test, sizeof test, "%s/data/mobile/test-indicators.stix2", shared);
    snprintf(iocs, sizeof iocs, "%s/data/iocs", shared);
    struct stat sb;
    if (stat(backup, &sb) != 0) {
        printf("bench phone: skipped (no %s; set VIGIL_SHARED)\n", backup);
        return 0;
    }
    int rc = bench("test-indicators", test, backup, runs, 0);
    if (!rc)
        rc = bench("real iocs", iocs, backup, runs, 0);
    if (!rc)
        rc = bench("real iocs", iocs, backup, runs, 1);
    return rc;
}
