/*
 * bench_phone_android.c - time to check the real Android acquisitions of
 * ../shared/data/mobile (the AndroidQF folder with its nested backup, the
 * bugreport, the encrypted AndroidQF with its password): with
 * test-indicators.stix2, and with all of the real spyware indicators in
 * ../shared/data/iocs. The index is built once (its time printed apart);
 * each check is the median of runs. Target: under 0.1 s for the AndroidQF
 * folder (the reference tool, MVT, takes 1.27 s).
 *
 * Usage: bench_phone_android [RUNS]   (default 9). Skips (exit 0, a note) without the shared data.
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

static int password(void *ctx, const char *what, char *buf, size_t n)
{
    (void)ctx;
    (void)what;
    snprintf(buf, n, "123456");
    return 0;
}

/* The acquisitions timed: label, path under data/mobile. */
static const struct {
    const char *label;
    const char *path;
} inputs[] = {
    {"androidqf folder", "androidqf"},
    {"bugreport folder", "android_data/bugreport"},
    {"androidqf encrypted backup (PBKDF2 10,000 rounds)", "androidqf_encrypted"},
};

static int bench(const char *label, const char *iocs, const char *mobile, int runs)
{
    vg_error err = {0};
    idx *x = NULL;
    const char *paths[] = {iocs};
    double t0 = now_s();
    if (phone_index_from_files(paths, 1, &x, &err)) {
        fprintf(stderr, "bench_phone_android: %s: %s\n", err.where, err.msg);
        return 1;
    }
    double tidx = now_s() - t0;
    printf("bench phone index %s (%u indicators): %.4f s\n", label, idx_indicator_count(x), tidx);
    double *t = calloc((size_t)runs, sizeof *t);
    phone_opts o = {0};
    o.password = password;
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", mobile, inputs[k].path);
        size_t findings = 0;
        uint64_t values = 0;
        for (int i = 0; i < runs; i++) {
            phone_report *r = NULL;
            double a = now_s();
            if (phone_check_android(x, path, &o, &r, &err)) {
                fprintf(stderr, "bench_phone_android: %s\n", err.msg);
                free(t);
                idx_free(x);
                return 1;
            }
            t[i] = now_s() - a;
            findings = r->nfindings;
            values = r->values;
            phone_report_free(r);
        }
        qsort(t, (size_t)runs, sizeof *t, cmpd);
        printf("bench phone check-android %s, %s (%llu values, %zu findings, median of %d, target < 0.1 s): %.4f s\n",
               inputs[k].label, label, (unsigned long long)values, findings, runs, t[runs / 2]);
    }
    free(t);
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
    char shared[1024], mobile[1200], test[1300], iocs[1200];
    snprintf(shared, sizeof shared, "%s", sh && sh[0] ? sh : "../shared");
    snprintf(mobile, sizeof mobile, "%s/data/mobile", shared);
    snprintf(test, sizeof test, "%s/test-indicators.stix2", mobile);
    snprintf(iocs, sizeof iocs, "%s/data/iocs", shared);
    struct stat sb;
    if (stat(mobile, &sb) != 0) {
        printf("bench phone android: skipped (no %s; set VIGIL_SHARED)\n", mobile);
        return 0;
    }
    int rc = bench("test-indicators", test, mobile, runs);
    if (!rc && stat(iocs, &sb) == 0)
        rc = bench("real iocs", iocs, mobile, runs);
    return rc;
}
