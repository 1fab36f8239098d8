/*
 * scan.c - the detection pipeline: read evidence in chunks, extract
 * observations, look each up in the index, deliver hits in evidence order and
 * fold them into one aggregate per indicator.
 *
 * Two chunks are scanned at once (one on a helper thread) and their hits kept
 * in per-chunk lists, then delivered first chunk first: the hits, their order
 * and the aggregates are the same with one thread or two.
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

/* One chunk's work. */
typedef struct job {
    const idx *x;
    ev_text *t;
    const char *data; /* the chunk */
    size_t len;
    uint64_t offset, line;
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

static int on_obs(const ev_obs *o, void *p)
{
    job *j = p;
    int kind = ev2idx[o->kind];
    if (!kind)
        return 0;
    j->obs = o;
    int rc = idx_lookup(j->x, kind, o->value, o->len, add_hit, j);
    return rc < 0 ? rc : 0;
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

static void *run_job(void *p)
{
    job *j = p;
    j->nhits = 0;
    j->rejected = 0;
    vg_buf_reset(&j->pool);
    j->rc = ev_text_scan(j->t, j->data, j->len, j->offset, j->line, on_obs, j);
    if (!j->rc && j->conf)
        j->rc = confirm_hits(j);
    return NULL;
}

/* ---- aggregation ------------------------------------------------------------ */

typedef struct state {
    const idx *x;
    const scan_opts *o;
    scan_summary *sum;
    uint32_t *map;    /* open addressing: indicator -> agg index + 1 */
    scan_confirm *conf; /* the evaluator's patterns, when the index has partial indicators */
    size_t map_cap;   /* power of two */
    job jobs[2];
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
        int rc = deliver(s, s->file, h->indicator, h->kind, h->candidate, j->pool.data + h->value_off, h->line,
                         h->offset, h->field_off == (size_t)-1 ? NULL : j->pool.data + h->field_off, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Scans up to two chunks, in parallel when asked, and delivers their hits in order. */
static int scan_pair(state *s, int both, vg_error *err)
{
    int threads = s->o->threads == 1 ? 1 : 2;
    pthread_t th;
    int spawned = 0;
    if (both && threads == 2 && pthread_create(&th, NULL, run_job, &s->jobs[1]) == 0)
        spawned = 1;
    run_job(&s->jobs[0]);
    if (spawned)
        pthread_join(th, NULL);
    else if (both)
        run_job(&s->jobs[1]);
    int rc = deliver_job(s, &s->jobs[0], err);
    if (!rc && both)
        rc = deliver_job(s, &s->jobs[1], err);
    s->sum->bytes += s->jobs[0].len + (both ? s->jobs[1].len : 0);
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
    for (int i = 0; i < 2; i++) {
        s->jobs[i].x = x;
        s->jobs[i].conf = s->conf;
        vg_buf_init(&s->jobs[i].pool, 0);
        int rc = ev_text_new(want, &s->jobs[i].t, err);
        if (!rc && s->conf)
            rc = ev_text_new(EV_WANT_NET | EV_WANT_HASH | EV_WANT_WALLET | EV_WANT_NAMES, &s->jobs[i].tall, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void state_free(state *s)
{
    for (int i = 0; i < 2; i++) {
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

static uint64_t nlines(const char *p, size_t n)
{
    uint64_t k = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

static int buffer_in(state *s, const char *name, const char *data, size_t len, vg_error *err)
{
    size_t chunk = s->o->chunk ? s->o->chunk : DEFAULT_CHUNK;
    int rc = set_file(s, name, err);
    uint64_t line = 1;
    size_t at = 0;
    while (!rc && at < len) {
        size_t a = cut(data + at, len - at, chunk);
        job *j0 = &s->jobs[0], *j1 = &s->jobs[1];
        j0->data = data + at;
        j0->len = a;
        j0->offset = at;
        j0->line = line;
        size_t b = 0;
        if (at + a < len) {
            line += nlines(data + at, a);
            b = cut(data + at + a, len - at - a, chunk);
            j1->data = data + at + a;
            j1->len = b;
            j1->offset = at + a;
            j1->line = line;
            line += nlines(j1->data, b);
        }
        rc = scan_pair(s, b > 0, err);
        at += a + b;
        if (s->o->progress.fn)
            s->o->progress.fn("scan", at, len, s->o->progress.ctx);
    }
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
    ev_chunk c[2];
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
        rc = ev_stream_open(path, hash ? EV_STREAM_HASH : 0, &st, err);
    int capture = !rc && ev_pcap_sniff(path); /* pcap/pcapng: packets, not lines */
    if (capture) {
        scan_capture c = {s->x, capture_hit, s, s->o->progress, w->done, w->total, s->conf};
        rc = scan__capture(&c, st, path, s->sum, err);
    }
    while (!rc && !capture) {
        int r0 = ev_stream_next(st, &w->c[0], err);
        if (r0 <= 0) {
            rc = r0;
            break;
        }
        int r1 = ev_stream_next(st, &w->c[1], err);
        if (r1 < 0) {
            rc = r1;
            break;
        }
        for (int i = 0; i < 2; i++) {
            s->jobs[i].data = w->c[i].data;
            s->jobs[i].len = w->c[i].len;
            s->jobs[i].offset = w->c[i].offset;
            s->jobs[i].line = w->c[i].line;
        }
        rc = scan_pair(s, r1 == 1, err);
        if (s->o->progress.fn)
            s->o->progress.fn("scan", w->done + ev_stream_raw_read(st), w->total, s->o->progress.ctx);
        if (r1 == 0)
            break;
    }
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
    size_t chunk = o->chunk ? o->chunk : DEFAULT_CHUNK;
    for (int i = 0; i < 2 && !rc; i++)
        rc = ev_chunk_init(&w.c[i], chunk, err);
    if (!rc && o->progress.fn) {
        w.counting = 1;
        for (size_t i = 0; i < npaths && !rc; i++)
            rc = ev_walk(paths[i], scan_file, &w, err);
        w.counting = 0;
    }
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = ev_walk(paths[i], scan_file, &w, err);
    for (int i = 0; i < 2; i++)
        ev_chunk_free(&w.c[i]);
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
