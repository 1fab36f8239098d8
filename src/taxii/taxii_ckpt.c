/*
 * taxii_ckpt.c - the server's checkpointer: a thread with a store handle of
 * its own that copies the write-ahead log into the main file, so that the
 * workers' commits do not (their handles have store_autocheckpoint off).
 *
 * A commit of a large envelope writes megabytes to the log; with SQLite's
 * automatic checkpoints the commit that takes the log past 1,000 pages also
 * copies all of it into the main file, on the request's thread, before the
 * answer goes out. Here that copy runs beside the next requests instead
 * (a passive checkpoint: it waits for nobody). The thread runs when poked
 * (after a POST's commit) and at least once a second, for every other write
 * (DELETE, statuses, other processes).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "core/vg_log.h"
#include "taxii/taxii_int.h"

#define CKPT_PERIOD_S 1 /* longest time between two checkpoints */

struct taxii_ckpt {
    store *s;             /* its own handle */
    pthread_t thread;     /* the checkpointer */
    pthread_mutex_t mu;   /* guards poked and stop */
    pthread_cond_t cv;    /* a poke, or stop (on CLOCK_MONOTONIC) */
    int poked;            /* a checkpoint was asked for */
    int stop;             /* the thread should end */
    int failed;           /* a checkpoint failed (logged once) */
    atomic_ullong runs;   /* checkpoints run so far */
};

/* One checkpoint; a failure is logged the first time only (the next ones will likely say the same). */
static void checkpoint(taxii_ckpt *k)
{
    vg_error err = {0};
    if (store_checkpoint(k->s, &err) == 0) {
        atomic_fetch_add_explicit(&k->runs, 1, memory_order_relaxed);
    } else if (!k->failed) {
        k->failed = 1;
        vg_log(VG_LOG_WARN, "taxii: checkpoint of the store failed: %s", err.msg);
    }
}

static void *run(void *p)
{
    taxii_ckpt *k = p;
    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        if (!k->poked) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += CKPT_PERIOD_S;
            pthread_cond_timedwait(&k->cv, &k->mu, &until);
            if (k->stop)
                break;
        }
        k->poked = 0;
        pthread_mutex_unlock(&k->mu);
        checkpoint(k);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

int taxii__ckpt_start(const char *store_uri, taxii_ckpt **out, vg_error *err)
{
    *out = NULL;
    taxii_ckpt *k = vg_calloc(1, sizeof *k);
    if (!k)
        return vg_error_set(err, VG_E_NOMEM, "out of memory starting the checkpointer");
    int rc = store_open(store_uri, 0, &k->s, err);
    if (rc) {
        vg_free(k);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&k->mu, NULL);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
        store_close(k->s);
        vg_free(k);
        return vg_error_set(err, VG_E_INTERNAL, "cannot start the checkpointer thread");
    }
    *out = k;
    return 0;
}

void taxii__ckpt_poke(taxii_ckpt *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->poked = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

uint64_t taxii__ckpt_runs(taxii_ckpt *k) { return k ? atomic_load(&k->runs) : 0; }

void taxii__ckpt_stop(taxii_ckpt *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    store_close(k->s);
    vg_free(k);
}
