/*
 * bench_import.c - where the time of an import goes, phase by phase, on the
 * ATT&CK Enterprise bundle (../shared/data, or $VIGIL_BENCH_BUNDLE):
 * read+parse, +upgrade+validate, +serialise, and the whole import into a
 * fresh store. Prints seconds and objects per second for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "intel/intel.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the bundle doing `phases` of the work per object; returns objects seen or -1. */
static long run(const char *path, int phases)
{
    stix_reader *r;
    vg_error err = {0};
    if (stix_reader_open(path, NULL, &r, &err))
        return -1;
    stix_issues is = {0};
    long n = 0;
    json_t *obj;
    stix_pos pos;
    while (stix_reader_next(r, &obj, &pos, &err) == 1) {
        if (phases >= 2) {
            if (stix_is_20(obj, stix_reader_bundle_is_20(r)))
                stix_upgrade_20(obj, &err);
            stix_issues_clear(&is);
            stix_validate(obj, 0, &is);
        }
        if (phases >= 3) {
            char *t = stix_dump(obj, NULL);
            vg_free(t);
        }
        json_decref(obj);
        n++;
    }
    stix_issues_free(&is);
    stix_reader_free(r);
    return n;
}

int main(void)
{
    vg_alloc_init();
    char def[4096];
    const char *path = getenv("VIGIL_BENCH_BUNDLE");
    if (!path) {
        const char *shared = getenv("VIGIL_SHARED");
        snprintf(def, sizeof def, "%s/data/attack/enterprise-attack-18.1.stix20.json.gz", shared ? shared : "../shared");
        path = def;
    }
    if (access(path, R_OK) != 0) {
        printf("bench import phases: skipped (%s missing)\n", path);
        return 0;
    }
    const char *names[] = {"", "read+parse", "read+parse+upgrade+validate", "read+parse+upgrade+validate+serialise"};
    for (int p = 1; p <= 3; p++) {
        double t0 = now();
        long n = run(path, p);
        double t = now() - t0;
        printf("bench import phase %s: %.3f s (%ld objects, %.0f objects/s)\n", names[p], t, n, n / t);
    }
    char db[] = "/tmp/vigil-bench-import-XXXXXX";
    int fd = mkstemp(db);
    close(fd);
    unlink(db);
    store *s;
    vg_error err = {0};
    intel_import_stats st = {0};
    intel_import_opts o = {0};
    double t0 = now();
    if (store_open(db, STORE_CREATE, &s, &err) || intel_import_path(s, path, &o, &st, &err)) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        return 1;
    }
    store_close(s);
    double t = now() - t0;
    printf("bench import phase whole import into a new store: %.3f s (%llu objects, %.0f objects/s)\n", t,
           (unsigned long long)st.imported, st.imported / t);
    char wal[64];
    unlink(db);
    snprintf(wal, sizeof wal, "%s-wal", db);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", db);
    unlink(wal);
    return 0;
}
