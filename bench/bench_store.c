/*
 * bench_store.c - lookup of one object by id in a large store.
 *
 * Uses the store named by $VIGIL_BENCH_STORE (bench/run.sh fills one with a
 * million generated indicators); without it, builds a store of 200,000 small
 * objects in a temporary file. Prints microseconds per lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "store/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    vg_alloc_init();
    const char *path = getenv("VIGIL_BENCH_STORE");
    char tmp[] = "/tmp/vigil-bench-store-XXXXXX";
    vg_error err = {0};
    store *s;
    int made = 0;
    if (!path || access(path, R_OK) != 0) {
        int fd = mkstemp(tmp);
        if (fd < 0)
            return 1;
        close(fd);
        unlink(tmp);
        path = tmp;
        made = 1;
        if (store_open(path, STORE_CREATE, &s, &err) || store_begin(s, &err))
            goto fail;
        for (int i = 0; i < 200000; i++) {
            char id[64];
            snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", i);
            store_object o = {.id = id, .type = "indicator", .spec_version = "2.1", .json = "{}", .json_len = 2};
            int ins;
            if (store_put(s, NULL, &o, &ins, &err))
                goto fail;
        }
        if (store_commit(s, &err))
            goto fail;
        store_close(s);
    }
    if (store_open(path, STORE_READONLY, &s, &err))
        goto fail;
    /* Collect up to 10,000 ids to look up, then look each up by id. */
    enum { N = 10000 };
    char(*ids)[80] = malloc(sizeof *ids * N);
    size_t n = 0;
    store_query all = {.limit = 0};
    store_iter *it;
    store_row row;
    if (store_query_open(s, &all, &it, &err))
        goto fail;
    size_t total = 0;
    while (store_iter_next(it, &row, &err) == 1) {
        if (n < N && (total % 97 == 0))
            snprintf(ids[n++], sizeof ids[0], "%s", row.id);
        total++;
    }
    store_iter_free(it);
    double t0 = now();
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        store_query q = {.ids = &id, .nids = 1};
        if (store_query_open(s, &q, &it, &err))
            goto fail;
        while (store_iter_next(it, &row, &err) == 1)
            found++;
        store_iter_free(it);
    }
    double t = now() - t0;
    printf("bench store lookup by id (store of %zu objects, %zu lookups, %zu found): %.1f us per lookup\n", total,
           n, found, t / (n ? n : 1) * 1e6);
    free(ids);
    store_close(s);
    if (made)
        unlink(path);
    return 0;
fail:
    fprintf(stderr, "bench_store: %s\n", err.msg);
    return 1;
}
