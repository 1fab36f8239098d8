/*
 * brief_schedule.c - briefings written on a schedule, for `vigil serve
 * --brief-every week|month`.
 *
 * Periods are calendar weeks (Monday 00:00 UTC to the next Monday, named by
 * their ISO week, "2025-W23") or months (the 1st 00:00 UTC to the next 1st,
 * "2025-05"). The briefing of the last full period goes to
 * DIR/brief-NAME.{html,md,json}, each written to a temporary name and renamed,
 * so a reader never sees half a file; it is written when its HTML file is
 * missing: at start-up, and at each boundary (a thread waits for it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "brief/brief.h"
#include "core/vg_alloc.h"
#include "core/vg_log.h"

int brief_every(const char *name)
{
    return strcmp(name, "week") == 0 ? BRIEF_EVERY_WEEK : strcmp(name, "month") == 0 ? BRIEF_EVERY_MONTH : 0;
}

/* 00:00 UTC of the first day of the month m (1..12, may overflow into the next years) of year y. */
static int64_t month_start(int y, int m)
{
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1};
    return (int64_t)timegm(&tm);
}

void brief_period_last(int every, const vg_time *now, vg_time *from, vg_time *to, char name[BRIEF_PERIOD_NAME])
{
    time_t t = (time_t)now->sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (every == BRIEF_EVERY_MONTH) {
        int64_t end = month_start(tm.tm_year + 1900, tm.tm_mon + 1);
        int y = tm.tm_mon == 0 ? tm.tm_year + 1900 - 1 : tm.tm_year + 1900, m = tm.tm_mon == 0 ? 12 : tm.tm_mon;
        *from = vg_time_from_unix(month_start(y, m), 0, 0);
        *to = vg_time_from_unix(end, 0, 0);
        snprintf(name, BRIEF_PERIOD_NAME, "%04d-%02d", y % 10000, m);
        return;
    }
    int64_t day = now->sec >= 0 ? now->sec / 86400 : (now->sec - 86399) / 86400;
    int64_t monday = day - (day + 3) % 7; /* 1970-01-01 was a Thursday */
    *from = vg_time_from_unix((monday - 7) * 86400, 0, 0);
    *to = vg_time_from_unix(monday * 86400, 0, 0);
    time_t f = (time_t)from->sec;
    gmtime_r(&f, &tm);
    strftime(name, BRIEF_PERIOD_NAME, "%G-W%V", &tm);
}

vg_time brief_period_next(int every, const vg_time *now)
{
    vg_time from, to;
    char name[BRIEF_PERIOD_NAME];
    brief_period_last(every, now, &from, &to, name); /* to: the start of the current period */
    if (every != BRIEF_EVERY_MONTH)
        return vg_time_from_unix(to.sec + 7 * 86400, 0, 0);
    time_t t = (time_t)to.sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    return vg_time_from_unix(month_start(tm.tm_year + 1900, tm.tm_mon + 2), 0, 0);
}

/* Writes one format of the model to path, through path.tmp and a rename. */
static int write_one(const json_t *model, int format, const char *path, vg_error *err)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        vg_error_set(err, VG_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        return vg_error_hint(err, "check --brief-dir: it must be a folder vigil may write to");
    }
    int rc = brief_render(model, format, f, err);
    if (fclose(f) && !rc)
        rc = vg_error_set(err, VG_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path))
        rc = vg_error_set(err, VG_E_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

int brief_write_last(const brief_schedule *o, const vg_time *now, char name[BRIEF_PERIOD_NAME], int *written,
                     vg_error *err)
{
    static const struct {
        int format;      /* BRIEF_* */
        const char *ext; /* file name extension */
    } formats[] = {{BRIEF_JSON, "json"}, {BRIEF_MD, "md"}, {BRIEF_HTML, "html"}}; /* HTML last: it marks done */
    *written = 0;
    brief_opts bo = {0};
    brief_period_last(o->every, now, &bo.from, &bo.to, name);
    bo.audience = o->audience;
    char path[4200];
    struct stat st;
    if (strlen(o->dir) > 4000)
        return vg_error_set(err, VG_E_USAGE, "--brief-dir is longer than 4,000 characters");
    snprintf(path, sizeof path, "%s/brief-%s.html", o->dir, name);
    if (stat(path, &st) == 0)
        return 0;
    if (mkdir(o->dir, 0750) && errno != EEXIST) {
        vg_error_set(err, VG_E_IO, "cannot make the folder %s: %s", o->dir, strerror(errno));
        return vg_error_hint(err, "give --brief-dir a folder vigil may write to");
    }
    store *s = NULL;
    json_t *model = NULL;
    int rc = store_open(o->store, STORE_READONLY, &s, err);
    if (!rc)
        rc = brief_gather(s, &bo, &model, err);
    store_close(s);
    for (size_t i = 0; !rc && i < sizeof formats / sizeof formats[0]; i++) {
        snprintf(path, sizeof path, "%s/brief-%s.%s", o->dir, name, formats[i].ext);
        rc = write_one(model, formats[i].format, path, err);
    }
    json_decref(model);
    *written = !rc;
    return rc;
}

/* ---- the thread ------------------------------------------------------------------ */

struct brief_scheduler {
    brief_schedule o;        /* what to write (strings copied below) */
    char store[1024];        /* the store URI */
    char dir[4096];          /* the folder */
    pthread_t thread;        /* the writer */
    pthread_mutex_t mu;      /* guards stop */
    pthread_cond_t cv;       /* signalled by brief_scheduler_stop */
    int stop;                /* set to end the thread */
};

/* Writes what is due, logs it; returns when to try again. */
static vg_time run_once(brief_scheduler *b)
{
    vg_time now = vg_time_now(0);
    char name[BRIEF_PERIOD_NAME];
    int written = 0;
    vg_error err = {0};
    vg_time next = brief_period_next(b->o.every, &now);
    if (brief_write_last(&b->o, &now, name, &written, &err)) {
        char text[VG_ERR_MSG_MAX * 2 + VG_ERR_WHERE_MAX];
        vg_log(VG_LOG_ERROR, "brief: the briefing %s was not written: %s (next try in 5 minutes)", name,
               vg_error_format(&err, text, sizeof text));
        if (next.sec > now.sec + 300)
            next.sec = now.sec + 300;
    } else if (written) {
        vg_log(VG_LOG_INFO, "brief: wrote %s/brief-%s.html, .md and .json", b->o.dir, name);
    }
    return next;
}

static void *loop(void *arg)
{
    brief_scheduler *b = arg;
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        pthread_mutex_unlock(&b->mu);
        vg_time next = run_once(b);
        pthread_mutex_lock(&b->mu);
        struct timespec until = {(time_t)next.sec + 1, 0}; /* a second after the boundary */
        while (!b->stop && pthread_cond_timedwait(&b->cv, &b->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

int brief_scheduler_start(const brief_schedule *o, brief_scheduler **out, vg_error *err)
{
    *out = NULL;
    if (o->every != BRIEF_EVERY_WEEK && o->every != BRIEF_EVERY_MONTH)
        return vg_error_set(err, VG_E_USAGE, "briefings are written every week or every month");
    if (strlen(o->store) >= sizeof((brief_scheduler *)0)->store || strlen(o->dir) > 4000)
        return vg_error_set(err, VG_E_USAGE, "the store path or the briefing folder is too long");
    brief_scheduler *b = vg_calloc(1, sizeof *b);
    if (!b)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    snprintf(b->store, sizeof b->store, "%s", o->store);
    snprintf(b->dir, sizeof b->dir, "%s", o->dir);
    b->o = *o;
    b->o.store = b->store;
    b->o.dir = b->dir;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL); /* CLOCK_REALTIME: the boundaries are calendar times */
    if (pthread_create(&b->thread, NULL, loop, b)) {
        pthread_cond_destroy(&b->cv);
        pthread_mutex_destroy(&b->mu);
        vg_free(b);
        return vg_error_set(err, VG_E_INTERNAL, "cannot start the briefing thread");
    }
    *out = b;
    return 0;
}

void brief_scheduler_stop(brief_scheduler *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    vg_free(b);
}
