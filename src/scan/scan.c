/*
 * scan.c - the detection pipeline: read evidence in chunks, extract
 * observations, look each up in the index, deliver hits in evidence order and
 * fold them into one aggregate per indicator.
 *
 * Chunks go through a small pipeline: the calling thread reads chunks into
 * free slots and delivers finished ones, strictly in evidence order; two
 * worker threads scan them (extraction, lookups, confirmation), and count
 * each chunk's lines, so reading, scanning and delivery overlap. Hits carry
 * lines relative to their chunk until delivery adds the chunk's first line:
 * the hits, their order and the aggregates are the same with one thread or
 * two.
 */
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "evidence/ev.h"
#include "scan/scan.h"
#include "scan/scan_int.h"

#define DEFAULT_CHUNK ((size_t)4 << 20)
#define NJOBS 4 /* chunks in flight: two being scanned, one being read, one being delivered */
#define RING 8          /* lookups in flight: each value's cache lines are fetched RING values before its lookup */
#define RING_MIN_INDEX ((uint64_t)4 << 20) /* smaller indexes stay in the caches: the ring would only cost */
#define RING_VAL 4224   /* room for a value the extractor built in its scratch buffer (at most 4160 bytes) */

/* Evidence kinds to index kinds. */
static const int ev2idx[EV__COUNT] = {
    [EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL,       [EV_IPV4] = IDX_K_IPV4,
    [EV_IPV6] = IDX_K_IPV6,     [EV_EMAIL] = IDX_K_EMAIL,   [EV_HASH] = IDX_K_HASH,
    [EV_WALLET] = IDX_K_WALLET, [EV_FILE_NAME] = IDX_K_FILE_NAME, [EV_FILE_PATH] = IDX_K_FILE_PATH,
    [EV_STRING] = IDX_K_STRING,
};

/* One hit inside a chunk, before delivery. Strings are offsets into the job's pool. */
typedef struct hitrec {
    uint32_t indicator;
    int kind;
    int candidate;
    uint64_t line, offset;
    size_t value_off; /* NUL-terminated in pool */
    size_t field_off; /* (size_t)-1: none */
} hitrec;

/* Where a job is in the pipeline. */
enum { J_FREE, J_READY, J_BUSY, J_DONE };

/* One chunk's work. */
typedef struct job {
    const idx *x;
    ev_text *t;
    const char *data; /* the chunk */
    size_t len;
    uint64_t offset;  /* stream offset of data[0] */
    uint64_t nl;      /* newlines in the chunk (counted by the worker) */
    int st;           /* J_*: guarded by the pipeline's mutex (the caller reads it only under it) */
    int held;         /* the caller's own: submitted and not yet retired (never read by a worker) */
    uint64_t seq;     /* order of submission: delivery follows it */
    ev_chunk c;       /* the read buffer, for files (allocated on first use) */
    ev_obs ring[RING]; /* observations prepared, waiting for their lookup (oldest at rhead) */
    idx_pre pre[RING]; /* their lookups' first steps (idx_prepare) */
    int ring_on;       /* the index is bigger than the caches: lookups go through the ring */
    unsigned rhead, rn;
    char *rbuf;        /* RING values of RING_VAL bytes: the ring's values that are not in the chunk */
    hitrec *hits;
    size_t nhits, cap;
    vg_buf pool;         /* hit values and JSON paths */
    const ev_obs *obs;   /* the observation being looked up */
    scan_confirm *conf;  /* the evaluator's patterns (shared), NULL when the index has no partial indicator */
    ev_text *tall;       /* an extractor wanting every kind: a candidate's line, again */
    scan_lineobs lo;     /* the observations of the last line a candidate was evaluated on */
    uint64_t rejected;   /* candidate hits the evaluator did not confirm */
    int rc;              /* result */
    vg_error err;
} job;

static int add_hit(const idx_hit *h, void *p)
{
    job *j = p;
    if (j->nhits == j->cap) {
        size_t nc = j->cap ? j->cap * 2 : 64;
        hitrec *n = vg_realloc(j->hits, nc * sizeof *n);
        if (!n)
            return vg_error_set(&j->err, VG_E_NOMEM, "out of memory recording hits");
        j->hits = n;
        j->cap = nc;
    }
    const ev_obs *o = j->obs;
    hitrec r = {h->indicator, h->kind, h->candidate, o->line, o->offset, j->pool.len, (size_t)-1};
    int rc = vg_buf_append(&j->pool, o->value, o->len);
    if (!rc)
        rc = vg_buf_putc(&j->pool, 0);
    /* a JSON line: name the field */
    size_t rel = (size_t)(o->offset - j->offset);
    if (!rc && o->line && rel < j->len) {
        const char *ls = memrchr(j->data, '\n', rel);
        ls = ls ? ls + 1 : j->data;
        if (*ls == '{') {
            const char *le = memchr(ls, '\n', j->len - (size_t)(ls - j->data));
            size_t ll = le ? (size_t)(le - ls) : j->len - (size_t)(ls - j->data);
            char path[512];
            if (ev_json_path(ls, ll, (size_t)(j->data + rel - ls), path, sizeof path) == 0) {
                r.field_off = j->pool.len;
                rc = vg_buf_append(&j->pool, path, strlen(path) + 1);
            }
        }
    }
    if (rc)
        return vg_error_set(&j->err, rc, "out of memory recording hits");
    j->hits[j->nhits++] = r;
    return 0;
}

/* Looks up the oldest observation of the ring. */
static int ring_pop(job *j)
{
    unsigned k = j->rhead;
    const ev_obs *o = &j->ring[k];
    j->rhead = (k + 1) % RING;
    j->rn--;
    j->obs = o;
    int rc = idx_lookup_prepared(j->x, &j->pre[k], ev2idx[o->kind], o->value, o->len, add_hit, j);
    return rc < 0 ? rc : 0;
}

/*
 * An observation: its index lines are prefetched now and it joins the ring;
 * the oldest waiting one is looked up when the ring is full. Lookups stay in
 * evidence order (the ring is first in, first out; run_job empties it).
 */
static int on_obs(const ev_obs *o, void *p)
{
    job *j = p;
    int kind = ev2idx[o->kind];
    if (!kind)
        return 0;
    if (!j->ring_on) {
        j->obs = o;
        int rc = idx_lookup(j->x, kind, o->value, o->len, add_hit, j);
        return rc < 0 ? rc : 0;
    }
    int inside = o->value >= j->data && o->value + o->len <= j->data + j->len;
    if (!inside && o->len > RING_VAL) { /* cannot be kept: looked up now, after those waiting */
        while (j->rn) {
            int rc = ring_pop(j);
            if (rc)
                return rc;
        }
        j->obs = o;
        int rc = idx_lookup(j->x, kind, o->value, o->len, add_hit, j);
        return rc < 0 ? rc : 0;
    }
    if (j->rn == RING) {
        int rc = ring_pop(j);
        if (rc)
            return rc;
    }
    unsigned k = (j->rhead + j->rn) % RING;
    idx_prepare(j->x, kind, o->value, o->len, &j->pre[k]);
    j->ring[k] = *o;
    if (!inside) { /* the extractor's scratch: copied */
        memcpy(j->rbuf + (size_t)k * RING_VAL, o->value, o->len);
        j->ring[k].value = j->rbuf + (size_t)k * RING_VAL;
    }
    j->rn++;
    return 0;
}

/*
 * Confirms the chunk's candidate hits with the pattern evaluator, over the
 * observations of the line each came from: a match becomes a confirmed hit
 * (once per indicator and line), anything else is dropped and counted.
 */
static int confirm_hits(job *j)
{
    size_t w = 0;
    for (size_t i = 0; i < j->nhits; i++) {
        hitrec h = j->hits[i];
        size_t rel = (size_t)(h.offset - j->offset);
        if (h.candidate && h.line && j->conf && rel < j->len) {
            int dup = 0;
            for (size_t k = w; k-- > 0 && j->hits[k].line == h.line;)
                if (j->hits[k].indicator == h.indicator && !j->hits[k].candidate) {
                    dup = 1;
                    break;
                }
            if (dup)
                continue;
            const char *ls = memrchr(j->data, '\n', rel);
            ls = ls ? ls + 1 : j->data;
            const char *le = memchr(ls, '\n', j->len - (size_t)(ls - j->data));
            size_t ll = le ? (size_t)(le - ls) : j->len - (size_t)(ls - j->data);
            int m = scan__confirm(j->conf, j->tall, &j->lo, ls, ll, h.indicator, &j->err);
            if (m < 0)
                return m;
            if (!m) {
                j->rejected++;
                continue;
            }
            h.candidate = 0;
        }
        j->hits[w++] = h;
    }
    j->nhits = w;
    scan__lineobs_reset(&j->lo);
    return 0;
}

/* Scans one chunk; its hits' lines are relative to the chunk (1 = its first line). */
static void run_job(job *j)
{
    j->nhits = 0;
    j->rejected = 0;
    vg_buf_reset(&j->pool);
    j->rhead = j->rn = 0;
    j->rc = ev_text_scan(j->t, j->data, j->len, j->offset, 1, on_obs, j);
    while (!j->rc && j->rn)
        j->rc = ring_pop(j);
    j->nl = ev_text_lines(j->t); /* the extractor counted the newlines on its way */
    if (!j->rc && j->conf)
        j->rc = confirm_hits(j);
}

/* ---- aggregation ------------------------------------------------------------ */

typedef struct state {
    const idx *x;
    const scan_opts *o;
    scan_summary *sum;
    uint32_t *map;    /* open addressing: indicator -> agg index + 1 */
    scan_confirm *conf; /* the evaluator's patterns, when the index has partial indicators */
    size_t map_cap;   /* power of two */
    job jobs[NJOBS];
    uint64_t line_base; /* line of the next chunk delivered in the current file */
    /* the pipeline: workers take READY jobs, the caller delivers DONE ones in seq order */
    pthread_mutex_t mu;
    pthread_cond_t ready; /* a job became READY, or stop */
    pthread_cond_t done;  /* a job became DONE */
    pthread_t th[2];
    int nth;           /* worker threads running */
    int stop;          /* workers exit */
    uint64_t next_seq; /* seq of the next job submitted */
    uint64_t deliver_seq; /* seq of the next job to deliver */
    const char *file; /* the current file */
    char *file_copy;  /* owned copy of it, kept for the aggregates */
    char **files;     /* every file name kept (freed with the summary) */
    const ev_pcap_obs *pkt; /* the packet of the capture hit being delivered, NULL for text */
} state;

static int grow_map(state *s)
{
    size_t nc = s->map_cap ? s->map_cap * 2 : 1024;
    uint32_t *m = vg_calloc(nc, sizeof *m);
    if (!m)
        return VG_E_NOMEM;
    for (size_t i = 0; i < s->map_cap; i++)
        if (s->map[i]) {
            uint32_t ind = s->sum->aggs[s->map[i] - 1].indicator;
            size_t pos = (ind * 2654435761u) & (nc - 1);
            while (m[pos])
                pos = (pos + 1) & (nc - 1);
            m[pos] = s->map[i];
        }
    vg_free(s->map);
    s->map = m;
    s->map_cap = nc;
    return 0;
}

static scan_agg *agg_for(state *s, uint32_t ind)
{
    if ((s->sum->naggs + 1) * 2 > s->map_cap && grow_map(s))
        return NULL;
    size_t pos = (ind * 2654435761u) & (s->map_cap - 1);
    while (s->map[pos]) {
        scan_agg *a = &s->sum->aggs[s->map[pos] - 1];
        if (a->indicator == ind)
            return a;
        pos = (pos + 1) & (s->map_cap - 1);
    }
    scan_agg *n = vg_realloc(s->sum->aggs, (s->sum->naggs + 1) * sizeof *n);
    if (!n)
        return NULL;
    s->sum->aggs = n;
    scan_agg *a = &n[s->sum->naggs++];
    memset(a, 0, sizeof *a);
    a->indicator = ind;
    s->map[pos] = (uint32_t)s->sum->naggs;
    return a;
}

static int deliver(state *s, const char *file, uint32_t ind, int kind, int candidate, const char *value,
                   uint64_t line, uint64_t offset, const char *field, vg_error *err)
{
    if (s->o->allow && scan_allow_check(s->o->allow, strstr(value, "://") ? IDX_K_URL : kind, value, strlen(value))) {
        s->sum->allowed++;
        return 0;
    }
    scan_agg *a = agg_for(s, ind);
    if (!a)
        return vg_error_set(err, VG_E_NOMEM, "out of memory recording hits");
    if (candidate) {
        a->candidates++;
        s->sum->candidates++;
    } else {
        if (a->count == 0) {
            a->first_file = vg_strdup(file);
            a->first_value = vg_strdup(value);
            a->first_kind = strstr(value, "://") ? IDX_K_URL : kind;
            a->first_field = field ? vg_strdup(field) : NULL;
            a->first_line = line;
            a->first_offset = offset;
            if (!a->first_file || !a->first_value || (field && !a->first_field))
                return vg_error_set(err, VG_E_NOMEM, "out of memory recording hits");
        }
        if (!a->last_value || strcmp(a->last_value, value) != 0) {
            char *v = vg_strdup(value);
            if (!v)
                return vg_error_set(err, VG_E_NOMEM, "out of memory recording hits");
            vg_free(a->last_value);
            a->last_value = v;
        }
        if (a->last_file_counted != s->file_copy) {
            a->files++;
            a->last_file_counted = s->file_copy;
            char *f = vg_strdup(file);
            if (!f)
                return vg_error_set(err, VG_E_NOMEM, "out of memory recording hits");
            vg_free(a->last_file);
            a->last_file = f;
        }
        a->last_line = line;
        a->last_offset = offset;
        scan__capture_seen(a, s->pkt);
        a->count++;
        s->sum->hits++;
    }
    if (s->o->on_hit) {
        scan_hit h = {ind,  idx_indicator_id(s->x, ind), idx_indicator_name(s->x, ind), kind, value, file, line, offset,
                      field, candidate, s->pkt ? s->pkt->packet : 0,
                      s->pkt && s->pkt->has_time ? &s->pkt->time : NULL, idx_indicator_attribution(s->x, ind)};
        int rc = s->o->on_hit(&h, s->o->ctx);
        if (rc)
            return rc;
    }
    return 0;
}

/* Delivers a scanned job's hits (lines made absolute) and moves the file's line on past the chunk. */
static int deliver_job(state *s, job *j, vg_error *err)
{
    if (j->rc) {
        if (j->err.code)
            *err = j->err;
        return j->rc;
    }
    s->sum->candidates += j->rejected;
    j->rejected = 0;
    for (size_t i = 0; i < j->nhits; i++) {
        const hitrec *h = &j->hits[i];
        uint64_t line = h->line ? s->line_base + h->line - 1 : 0;
        int rc = deliver(s, s->file, h->indicator, h->kind, h->candidate, j->pool.data + h->value_off, line,
                         h->offset, h->field_off == (size_t)-1 ? NULL : j->pool.data + h->field_off, err);
        if (rc)
            return rc;
    }
    s->line_base += j->nl;
    s->sum->bytes += j->len;
    return 0;
}

/* ---- the pipeline ------------------------------------------------------------ */

/* A worker: scans READY jobs, oldest first, until told to stop. */
static void *worker(void *p)
{
    state *s = p;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        job *j = NULL;
        for (int i = 0; i < NJOBS; i++)
            if (s->jobs[i].st == J_READY && (!j || s->jobs[i].seq < j->seq))
                j = &s->jobs[i];
        if (!j) {
            if (s->stop)
                break;
            pthread_cond_wait(&s->ready, &s->mu);
            continue;
        }
        j->st = J_BUSY;
        pthread_mutex_unlock(&s->mu);
        run_job(j);
        pthread_mutex_lock(&s->mu);
        j->st = J_DONE;
        pthread_cond_broadcast(&s->done);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Starts the workers (none with one thread: jobs then run when submitted). */
static void pipe_start(state *s)
{
    if (s->o->threads == 1)
        return;
    for (int i = 0; i < 2; i++)
        if (pthread_create(&s->th[i], NULL, worker, s) == 0)
            s->nth++;
}

static void pipe_stop(state *s)
{
    if (!s->nth)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nth; i++)
        pthread_join(s->th[i], NULL);
    s->nth = 0;
}

/* Hands a filled job to the workers (or scans it here without any). */
static void submit(state *s, job *j)
{
    j->held = 1;
    if (!s->nth) {
        j->seq = s->next_seq++;
        run_job(j);
        j->st = J_DONE;
        return;
    }
    pthread_mutex_lock(&s->mu);
    j->seq = s->next_seq++;
    j->st = J_READY;
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->mu);
}

/* The job delivered next, once it is DONE (waits); NULL when nothing is in flight. */
static job *oldest_done(state *s)
{
    if (s->deliver_seq == s->next_seq)
        return NULL;
    job *j = NULL;
    for (int i = 0; i < NJOBS; i++) /* held and seq are the caller's: no lock needed to read them */
        if (s->jobs[i].held && s->jobs[i].seq == s->deliver_seq)
            j = &s->jobs[i];
    if (s->nth) {
        pthread_mutex_lock(&s->mu);
        while (j->st != J_DONE)
            pthread_cond_wait(&s->done, &s->mu);
        pthread_mutex_unlock(&s->mu);
    }
    return j;
}

/* Delivers the oldest job in flight and frees its slot. `deliver` 0: only wait for it (after an error). */
static int retire(state *s, int deliver, vg_error *err)
{
    job *j = oldest_done(s);
    if (!j)
        return 0;
    int rc = deliver ? deliver_job(s, j, err) : 0;
    s->deliver_seq++;
    j->held = 0; /* it stays DONE, which no worker takes, until it is submitted again */
    return rc;
}

/* A free job to fill, delivering the oldest in flight when every job is busy. */
static int take(state *s, job **out, vg_error *err)
{
    while (!s->nth && s->deliver_seq != s->next_seq) { /* one thread: deliver at once and reuse one buffer */
        int rc = retire(s, 1, err);
        if (rc)
            return rc;
    }
    for (;;) {
        for (int i = 0; i < NJOBS; i++)
            if (!s->jobs[i].held) {
                *out = &s->jobs[i];
                return 0;
            }
        int rc = retire(s, 1, err);
        if (rc)
            return rc;
    }
}

/* Delivers everything in flight, in order; after an error (rc), only waits for it. Returns rc or the first
   delivery error. */
static int drain(state *s, int rc, vg_error *err)
{
    while (s->deliver_seq != s->next_seq) {
        int r = retire(s, rc == 0, err);
        if (!rc)
            rc = r;
    }
    return rc;
}

static int text_wants(const idx *x)
{
    const idx_stats *st = idx_get_stats(x);
    int w = 0;
    if (st->by_kind[IDX_K_DOMAIN] || st->by_kind[IDX_K_URL] || st->by_kind[IDX_K_IPV4] || st->by_kind[IDX_K_IPV6] ||
        st->by_kind[IDX_K_EMAIL])
        w |= EV_WANT_NET;
    if (st->by_kind[IDX_K_HASH])
        w |= EV_WANT_HASH;
    if (st->by_kind[IDX_K_WALLET])
        w |= EV_WANT_WALLET;
    if (st->by_kind[IDX_K_FILE_NAME] || st->by_kind[IDX_K_PROCESS])
        w |= EV_WANT_NAMES;
    if (st->by_kind[IDX_K_FILE_NAME] || st->by_kind[IDX_K_PROCESS] || st->by_kind[IDX_K_APP_ID] ||
        st->by_kind[IDX_K_FILE_PATH])
        w |= EV_WANT_STRINGS;
    return w ? w : EV_WANT_NET; /* an empty index still runs the extractor (benchmarks of the reader) */
}

static int state_init(state *s, const idx *x, const scan_opts *o, scan_summary *sum, vg_error *err)
{
    memset(s, 0, sizeof *s);
    s->x = x;
    s->o = o;
    s->sum = sum;
    int want = text_wants(x);
    if (idx_get_stats(x)->partial) {
        int rc = scan__confirm_new(x, &s->conf, err);
        if (rc)
            return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->ready, NULL);
    pthread_cond_init(&s->done, NULL);
    for (int i = 0; i < NJOBS; i++) {
        s->jobs[i].x = x;
        s->jobs[i].conf = s->conf;
        s->jobs[i].ring_on = o->prefetch > 0 || (o->prefetch == 0 && idx_get_stats(x)->bytes > RING_MIN_INDEX);
        vg_buf_init(&s->jobs[i].pool, 0);
        s->jobs[i].rbuf = vg_malloc((size_t)RING * RING_VAL);
        if (!s->jobs[i].rbuf)
            return vg_error_set(err, VG_E_NOMEM, "out of memory starting the scan");
        int rc = ev_text_new(want, &s->jobs[i].t, err);
        if (!rc && s->conf)
            rc = ev_text_new(EV_WANT_NET | EV_WANT_HASH | EV_WANT_WALLET | EV_WANT_NAMES, &s->jobs[i].tall, err);
        if (rc)
            return rc;
    }
    pipe_start(s);
    return 0;
}

static void state_free(state *s)
{
    pipe_stop(s);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->ready);
    pthread_cond_destroy(&s->done);
    for (int i = 0; i < NJOBS; i++) {
        ev_chunk_free(&s->jobs[i].c);
        vg_free(s->jobs[i].rbuf);
        ev_text_free(s->jobs[i].t);
        ev_text_free(s->jobs[i].tall);
        scan__lineobs_reset(&s->jobs[i].lo);
        vg_free(s->jobs[i].hits);
        vg_buf_free(&s->jobs[i].pool);
    }
    vg_free(s->map);
    scan__confirm_free(s->conf);
    for (size_t i = 0; s->files && s->files[i]; i++)
        vg_free(s->files[i]);
    vg_free(s->files);
}

/* Remembers the current file name (aggregates point at it to count files). */
static int set_file(state *s, const char *file, vg_error *err)
{
    size_t n = 0;
    while (s->files && s->files[n])
        n++;
    char **f = vg_realloc(s->files, (n + 2) * sizeof *f);
    if (!f)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    s->files = f;
    f[n] = vg_strdup(file);
    f[n + 1] = NULL;
    if (!f[n])
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    s->file = f[n];
    s->file_copy = f[n];
    return 0;
}

static size_t cut(const char *d, size_t len, size_t want)
{
    if (want >= len)
        return len;
    const char *nl = memrchr(d, '\n', want);
    return nl ? (size_t)(nl - d) + 1 : want;
}

static int buffer_in(state *s, const char *name, const char *data, size_t len, vg_error *err)
{
    size_t chunk = s->o->chunk ? s->o->chunk : DEFAULT_CHUNK;
    int rc = set_file(s, name, err);
    s->line_base = 1;
    size_t at = 0;
    while (!rc && at < len) {
        job *j;
        rc = take(s, &j, err);
        if (rc)
            break;
        size_t a = cut(data + at, len - at, chunk);
        j->data = data + at;
        j->len = a;
        j->offset = at;
        submit(s, j);
        at += a;
        if (s->o->progress.fn)
            s->o->progress.fn("scan", at, len, s->o->progress.ctx);
    }
    rc = drain(s, rc, err);
    s->sum->files++;
    return rc;
}

int scan_buffer(const idx *x, const char *name, const char *data, size_t len, const scan_opts *opts,
                scan_summary *sum, vg_error *err)
{
    scan_opts none = {0};
    state s;
    int rc = state_init(&s, x, opts ? opts : &none, sum, err);
    if (!rc)
        rc = buffer_in(&s, name, data, len, err);
    for (size_t i = 0; i < sum->naggs; i++)
        sum->aggs[i].last_file_counted = NULL;
    state_free(&s);
    return rc;
}

/* ---- files ------------------------------------------------------------------ */

typedef struct walkctx {
    state *s;
    vg_error *err;
    uint64_t total;  /* bytes of every file (for progress) */
    uint64_t done;   /* bytes read before the current file */
    int counting;    /* first pass: only sum sizes */
} walkctx;

/* Whether the file looks binary: a NUL byte in its first 4 KB and no compression magic. */
static int looks_binary(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    unsigned char b[4096];
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    if (n <= 0)
        return 0;
    if ((n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || (n >= 4 && b[0] == 0x28 && b[1] == 0xb5))
        return 0;
    return memchr(b, 0, (size_t)n) != NULL;
}

static int lookup_file_value(state *s, int kind, const char *v, vg_error *err)
{
    job *j = &s->jobs[0];
    j->nhits = 0;
    vg_buf_reset(&j->pool);
    j->data = NULL;
    j->len = 0;
    ev_obs o = {EV_NONE, v, strlen(v), 0, 0, 0};
    j->obs = &o;
    j->offset = 0;
    j->nl = 0;
    int rc = idx_lookup(s->x, kind, v, strlen(v), add_hit, j);
    if (rc < 0)
        return j->err.code ? (*err = j->err, rc) : rc;
    j->rc = 0;
    return deliver_job(s, j, err);
}

/* A capture's hit (scan_pcap.c): delivered like a line's, with its packet. */
static int capture_hit(const idx_hit *h, const ev_pcap_obs *o, void *ctx, vg_error *err)
{
    state *s = ctx;
    s->pkt = o;
    int rc = deliver(s, s->file, h->indicator, h->kind, h->candidate, o->value, 0, o->offset, o->field, err);
    s->pkt = NULL;
    return rc;
}

static int scan_file(const char *path, uint64_t size, void *p)
{
    walkctx *w = p;
    if (w->counting) {
        w->total += size;
        return 0;
    }
    state *s = w->s;
    vg_error *err = w->err;
    int hash = s->o->hash_files > 0 || (s->o->hash_files == 0 && looks_binary(path));
    ev_stream *st = NULL;
    int rc = set_file(s, path, err);
    if (!rc)
        rc = ev_stream_open(path, EV_STREAM_NOLINES | (hash ? EV_STREAM_HASH : 0), &st, err);
    int capture = !rc && ev_pcap_sniff(path); /* pcap/pcapng: packets, not lines */
    if (capture) {
        scan_capture c = {s->x, capture_hit, s, s->o->progress, w->done, w->total, s->conf};
        rc = scan__capture(&c, st, path, s->sum, err);
    }
    s->line_base = 1;
    size_t chunk = s->o->chunk ? s->o->chunk : DEFAULT_CHUNK;
    while (!rc && !capture) {
        job *j;
        rc = take(s, &j, err);
        if (!rc && !j->c.data)
            rc = ev_chunk_init(&j->c, chunk, err);
        if (rc)
            break;
        int r = ev_stream_next(st, &j->c, err);
        if (r <= 0) {
            rc = r;
            break;
        }
        j->data = j->c.data;
        j->len = j->c.len;
        j->offset = j->c.offset;
        submit(s, j);
        if (s->o->progress.fn)
            s->o->progress.fn("scan", w->done + ev_stream_raw_read(st), w->total, s->o->progress.ctx);
    }
    rc = drain(s, rc, err);
    /* the file itself: its path, name and (when hashed) hashes */
    if (!rc)
        rc = lookup_file_value(s, IDX_K_FILE_PATH, path, err);
    if (!rc && hash) {
        ev_hashes h;
        rc = ev_stream_hashes(st, &h, err);
        if (!rc)
            rc = lookup_file_value(s, IDX_K_HASH, h.md5, err);
        if (!rc)
            rc = lookup_file_value(s, IDX_K_HASH, h.sha1, err);
        if (!rc)
            rc = lookup_file_value(s, IDX_K_HASH, h.sha256, err);
    }
    if (st) {
        s->sum->raw_bytes += ev_stream_raw_read(st);
        w->done += ev_stream_raw_read(st);
    }
    ev_stream_close(st);
    s->sum->files++;
    return rc;
}

int scan_run(const idx *x, const char *const *paths, size_t npaths, const scan_opts *opts, scan_summary **out,
             vg_error *err)
{
    scan_opts none = {0};
    const scan_opts *o = opts ? opts : &none;
    *out = NULL;
    scan_summary *sum = vg_calloc(1, sizeof *sum);
    if (!sum)
        return vg_error_set(err, VG_E_NOMEM, "out of memory starting the scan");
    sum->started = vg_time_now(3);
    state s;
    walkctx w = {0};
    w.s = &s;
    w.err = err;
    int rc = state_init(&s, x, o, sum, err);
    if (!rc && o->progress.fn) {
        w.counting = 1;
        for (size_t i = 0; i < npaths && !rc; i++)
            rc = ev_walk(paths[i], scan_file, &w, err);
        w.counting = 0;
    }
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = ev_walk(paths[i], scan_file, &w, err);
    for (size_t i = 0; i < sum->naggs; i++)
        sum->aggs[i].last_file_counted = NULL;
    state_free(&s);
    sum->ended = vg_time_now(3);
    if (rc) {
        scan_summary_free(sum);
        return rc;
    }
    *out = sum;
    return 0;
}

void scan_summary_free(scan_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->naggs; i++) {
        scan_agg *a = &s->aggs[i];
        vg_free(a->first_file);
        vg_free(a->first_value);
        vg_free(a->first_field);
        vg_free(a->last_file);
        vg_free(a->last_value);
    }
    vg_free(s->aggs);
    vg_free(s);
}
