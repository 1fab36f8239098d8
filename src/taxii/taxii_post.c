/*
 * taxii_post.c - POST objects: an envelope in, a status resource out.
 *
 * Each object of the envelope is prepared on its own - parsed, validated
 * (stix_validate), its metadata read, its text to store made - and then
 * stored; the whole envelope and its status resource go into the store in one
 * transaction. The objects are cut into chunks of PREP_CHUNK, in envelope
 * order. Preparing needs no store, so for large envelopes helper threads
 * (one per core beyond the first, PREP_THREADS in all) prepare chunks while
 * the request's thread stores the chunks already prepared, in order, and
 * writes the status entries; when the next chunk is not ready it prepares
 * one itself rather than wait. SQLite writes stay on one thread.
 *
 * Two ways in:
 *   - the fast one, when the scanner (taxii_json.h) vouches for the whole
 *     body - valid JSON, one top-level object whose other members are
 *     scalars, no key twice at the top, no more than max_objects objects:
 *     every object's jansson tree and compact text are built from its own
 *     text in one pass (taxii__json_tree; what it declines is parsed by
 *     jansson, duplicate keys refused, as the whole body would be);
 *   - otherwise the body is parsed whole by taxii_envelope_parse (which gives
 *     400, 413 and 422 exactly) and the objects are prepared from its tree,
 *     on the request's thread only (a jansson tree is not shared).
 *
 * An object that is not valid JSON on the fast way makes the whole body 400,
 * as jansson would answer for the body: the transaction is rolled back, so
 * nothing of the envelope is written.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "core/vg_log.h"
#include "core/vg_uuid.h"
#include "stix/stix.h"
#include "taxii/taxii_int.h"
#include "taxii/taxii_json.h"

#define PREP_PARALLEL_MIN 256 /* envelopes smaller than this are prepared on the request's thread */
#define PREP_THREADS 4        /* most threads preparing one envelope (the request's own included) */
#define PREP_CHUNK 64         /* objects prepared (and then stored) together */
#define ID_MAX 300            /* longer ids, types and spec_versions are refused */
#define TYPE_MAX 256
#define SPEC_MAX 16
#define NONE SIZE_MAX         /* an absent string in a chunk's arena */

/* One object, prepared without the store. Strings are offsets in its chunk's arena until the chunk is ready. */
typedef struct prepared {
    size_t id;             /* its id, or "(object N)" */
    size_t type;           /* its type */
    size_t spec;           /* its spec_version, NONE when absent */
    size_t fail;           /* why it is refused, NONE when it is not */
    size_t text;           /* the text to store */
    size_t entry;          /* its status entry but for the closing brace (which says whether it was stored) */
    size_t entry_len;      /* that entry's length */
    store_object so;       /* the row; its strings set from the offsets once the chunk is ready */
} prepared;

/* PREP_CHUNK objects in a row, prepared by one thread. */
typedef struct chunk {
    vg_buf arena;      /* the objects' texts and strings, one after another (NUL after each) */
    atomic_int ready;  /* prepared: arena and the objects' rows are final */
} chunk;

/* What the preparing threads and the storing one share. */
typedef struct prep_job {
    json_t *objs;             /* the envelope's array (slow way), or NULL */
    const taxii_span *raw;    /* the objects' texts (fast way; may be there on the slow way too), or NULL */
    prepared *out;            /* one per object */
    size_t n;                 /* how many */
    chunk *chunks;            /* one per PREP_CHUNK objects */
    size_t nchunks;           /* how many */
    atomic_size_t next;       /* first chunk no thread has taken */
    atomic_int failed;        /* set on the first error (or when storing failed): threads stop taking chunks */
    pthread_mutex_t mu;       /* guards rc, err and the waits on cv */
    pthread_cond_t cv;        /* signalled when a chunk is ready or the job failed */
    int rc;                   /* the first error (VG_E_PARSE: an object is not valid JSON; VG_E_NOMEM) */
    vg_error err;             /* its detail */
} prep_job;

/* A preparing thread's own scratch, kept across its chunks. */
typedef struct prep_state {
    stix_issues is; /* the validator's findings */
} prep_state;

/* Seconds on the clock (CLOCK_MONOTONIC, or CLOCK_THREAD_CPUTIME_ID for this thread's CPU time). */
static double seconds_on(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double seconds(void) { return seconds_on(CLOCK_MONOTONIC); }

static int put_str(vg_buf *b, const char *s) { return vg_buf_put_json_string(b, s, strlen(s)); }

/* Appends s[0..n) and a NUL to the arena; *off is where it starts. */
static int arena_put(vg_buf *a, const char *s, size_t n, size_t *off)
{
    *off = a->len;
    int rc = vg_buf_append(a, s, n);
    return rc ? rc : vg_buf_putc(a, '\0');
}

/* Drops what follows the first len bytes (the part of a text the scanner declined). */
static void arena_cut(vg_buf *a, size_t len)
{
    a->len = len;
    if (a->data)
        a->data[len] = '\0';
}

static int refuse(prepared *p, vg_buf *a, const char *why) { return arena_put(a, why, strlen(why), &p->fail); }

/*
 * The text to store, at p->text: there already (text_done), else the
 * object's own text compacted (the bytes stix_dump would give), else its
 * dump.
 */
static int object_text(json_t *obj, const taxii_span *raw, int text_done, vg_buf *a, prepared *p)
{
    if (text_done)
        return 0;
    size_t mark = a->len;
    if (raw) {
        int rc = taxii__json_compact(raw->p, raw->n, a);
        if (rc == 0) {
            p->text = mark;
            p->so.json_len = a->len - mark;
            return vg_buf_putc(a, '\0');
        }
        arena_cut(a, mark);
        if (rc != TAXII_JSON_DECLINED)
            return rc;
    }
    size_t len = 0;
    char *dump = stix_dump(obj, &len);
    if (!dump)
        return VG_E_NOMEM;
    p->so.json_len = len;
    int rc = arena_put(a, dump, len, &p->text);
    vg_free(dump);
    return rc;
}

/* The first error the validator found, as a refusal. */
static int refuse_invalid(prepared *p, vg_buf *a, const stix_issues *is)
{
    char msg[1024] = "invalid STIX";
    for (size_t k = 0; k < is->n; k++)
        if (is->v[k].severity == STIX_ISSUE_ERROR) {
            snprintf(msg, sizeof msg, "invalid STIX (%zu error%s): %s: %s", is->errors, is->errors == 1 ? "" : "s",
                     is->v[k].path, is->v[k].msg);
            break;
        }
    return refuse(p, a, msg);
}

/*
 * Prepares object i from obj (and its text raw, if known; text_done: its
 * compact text is at p->text already) into p and the arena a. 0 (refusals
 * included) or VG_E_NOMEM.
 */
static int prepare(json_t *obj, const taxii_span *raw, int text_done, size_t i, prepared *p, prep_state *st,
                   vg_buf *a)
{
    p->spec = p->fail = NONE;
    const char *id = json_string_value(json_object_get(obj, "id"));
    char named[40];
    if (!id || strlen(id) >= ID_MAX) {
        snprintf(named, sizeof named, "(object %zu)", i);
        id = named;
    }
    int rc = arena_put(a, id, strlen(id), &p->id);
    if (rc)
        return rc;
    if (!json_is_object(obj))
        return refuse(p, a, "not a JSON object");
    stix_issues_clear(&st->is);
    if ((rc = stix_validate(obj, 0, &st->is)))
        return rc;
    if (st->is.errors)
        return refuse_invalid(p, a, &st->is);
    stix_meta m;
    vg_error merr = {0};
    if (stix_meta_get(obj, &m, &merr) != 0)
        return refuse(p, a, merr.msg);
    if (strlen(m.id) >= ID_MAX || strlen(m.type) >= TYPE_MAX || (m.spec_version && strlen(m.spec_version) >= SPEC_MAX))
        return refuse(p, a, "id, type or spec_version too long");
    if (strcmp(m.id, a->data + p->id) != 0 && (rc = arena_put(a, m.id, strlen(m.id), &p->id)))
        return rc;
    if ((rc = arena_put(a, m.type, strlen(m.type), &p->type)) ||
        (m.spec_version && (rc = arena_put(a, m.spec_version, strlen(m.spec_version), &p->spec))))
        return rc;
    p->so.revoked = m.revoked;
    p->so.version = stix_meta_version(&m, &p->so.has_version);
    p->so.has_created = m.has_created;
    p->so.created = m.created;
    return object_text(obj, raw, text_done, a, p);
}

/* Appends the JSON string of s to a; 0 or the buffer's error. */
static int put_json(vg_buf *a, const char *s)
{
    return vg_buf_put_json_string(a, s, strlen(s));
}

/*
 * The object's status entry, made here off the storing thread, but for its
 * end: {"id":..,"version":.. for an object to store, {"id":..,"message":..
 * for a refused one.
 */
static int status_fragment(prepared *p, vg_buf *a)
{
    char ver[VG_TIME_MAX] = "";
    const char *msg = "";
    if (p->fail != NONE)
        msg = a->data + p->fail;
    else if (p->so.has_version)
        vg_time_format(&p->so.version, ver);
    /* Room for the worst escaping first, so that the strings read from the arena do not move while copied. */
    int rc = vg_buf_reserve(a, 6 * (strlen(a->data + p->id) + strlen(msg)) + sizeof ver + 32);
    if (rc)
        return rc;
    const char *id = a->data + p->id;
    msg = p->fail != NONE ? a->data + p->fail : "";
    p->entry = a->len;
    rc = vg_buf_puts(a, "{\"id\":");
    if (!rc)
        rc = put_json(a, id);
    if (!rc && ver[0] && !(rc = vg_buf_puts(a, ",\"version\":")))
        rc = put_json(a, ver);
    if (!rc && msg[0] && !(rc = vg_buf_puts(a, ",\"message\":")))
        rc = put_json(a, msg);
    p->entry_len = a->len - p->entry;
    return rc;
}

/* Records the first fatal error of the job and wakes the storing thread. */
static void job_fail(prep_job *j, int rc, const vg_error *err)
{
    pthread_mutex_lock(&j->mu);
    if (!j->rc) {
        j->rc = rc;
        if (err)
            j->err = *err;
        else
            vg_error_set(&j->err, rc, "out of memory preparing the objects");
    }
    atomic_store(&j->failed, 1);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* One object of the job into its chunk's arena: its tree (built or parsed), then prepare(). */
static int prepare_one(prep_job *j, size_t i, prep_state *st, vg_buf *a)
{
    prepared *p = &j->out[i];
    const taxii_span *raw = j->raw ? &j->raw[i] : NULL;
    if (j->objs) {
        int rc = prepare(json_array_get(j->objs, i), raw, 0, i, p, st, a);
        return rc ? rc : status_fragment(p, a);
    }
    /* The tree and the text in one pass; what the scanner declines goes to jansson. */
    json_t *obj = NULL;
    size_t mark = a->len;
    int rc = taxii__json_tree(raw->p, raw->n, a, &obj);
    int text_done = rc == 0;
    if (text_done) {
        p->text = mark;
        p->so.json_len = a->len - mark;
        rc = vg_buf_putc(a, '\0');
    } else if (rc == TAXII_JSON_DECLINED) {
        arena_cut(a, mark);
        json_error_t je;
        obj = json_loadb(raw->p, raw->n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
        if (!obj) {
            vg_error e = {0};
            vg_error_set(&e, VG_E_PARSE, "the body is not valid JSON: object %zu: %s", i, je.text);
            job_fail(j, VG_E_PARSE, &e);
            return VG_E_PARSE;
        }
        rc = 0;
    }
    if (!rc)
        rc = prepare(obj, raw, text_done, i, p, st, a);
    json_decref(obj);
    return rc ? rc : status_fragment(p, a);
}

/* Prepares chunk k and marks it ready; on an error, fails the job. */
static void prepare_chunk(prep_job *j, size_t k, prep_state *st)
{
    chunk *ch = &j->chunks[k];
    size_t start = k * PREP_CHUNK, end = start + PREP_CHUNK < j->n ? start + PREP_CHUNK : j->n;
    /* Room for the texts (never longer than the objects' own) and the strings beside them, in one allocation. */
    size_t want = (end - start) * 512;
    for (size_t i = start; j->raw && i < end; i++)
        want += j->raw[i].n;
    int rc = vg_buf_reserve(&ch->arena, want);
    for (size_t i = start; !rc && i < end && !atomic_load(&j->failed); i++)
        rc = prepare_one(j, i, st, &ch->arena);
    if (rc && rc != VG_E_PARSE)
        job_fail(j, rc, NULL);
    if (rc || atomic_load(&j->failed))
        return;
    for (size_t i = start; i < end; i++) {
        prepared *p = &j->out[i];
        if (p->fail != NONE)
            continue;
        p->so.id = ch->arena.data + p->id;
        p->so.type = ch->arena.data + p->type;
        p->so.spec_version = p->spec == NONE ? NULL : ch->arena.data + p->spec;
        p->so.json = ch->arena.data + p->text;
    }
    atomic_store(&ch->ready, 1);
    pthread_mutex_lock(&j->mu);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Takes the next chunk nobody has taken and prepares it: 1, or 0 when none is left or the job failed. */
static int prepare_next(prep_job *j, prep_state *st)
{
    if (atomic_load(&j->failed))
        return 0;
    size_t k = atomic_fetch_add(&j->next, 1);
    if (k >= j->nchunks)
        return 0;
    prepare_chunk(j, k, st);
    return 1;
}

/* A helper thread: prepares chunks until none is left or the job failed. */
static void *prep_run(void *arg)
{
    prep_job *j = arg;
    prep_state st = {0};
    while (prepare_next(j, &st))
        ;
    stix_issues_free(&st.is);
    return NULL;
}

/*
 * Waits until chunk k is ready, preparing untaken chunks meanwhile: 0, or
 * the job's error. *waited adds the time spent idle.
 */
static int chunk_wait(prep_job *j, size_t k, prep_state *st, double *waited)
{
    while (!atomic_load(&j->chunks[k].ready) && !atomic_load(&j->failed))
        if (!prepare_next(j, st)) {
            double t0 = seconds();
            pthread_mutex_lock(&j->mu);
            while (!atomic_load(&j->chunks[k].ready) && !atomic_load(&j->failed))
                pthread_cond_wait(&j->cv, &j->mu);
            pthread_mutex_unlock(&j->mu);
            *waited += seconds() - t0;
        }
    if (atomic_load(&j->chunks[k].ready))
        return 0;
    pthread_mutex_lock(&j->mu);
    int rc = j->rc ? j->rc : VG_E_INTERNAL;
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* Appends an object's status entry to list: its prepared part, then end ("}" or a message and "}"). */
static int status_entry(vg_buf *list, size_t *count, const char *frag, size_t n, const char *end)
{
    int rc = (*count)++ ? vg_buf_putc(list, ',') : 0;
    rc = rc ? rc : vg_buf_append(list, frag, n);
    return rc ? rc : vg_buf_puts(list, end);
}

/* What the storing thread gathers for the status resource. */
typedef struct post_status {
    vg_buf succ, fails;   /* the status entries */
    size_t nsucc, nfail;  /* their counts */
} post_status;

/* Stores the ready chunk k in the open transaction and lists its objects for the status. */
static int store_chunk(taxii_ctx *c, prep_job *j, size_t k, post_status *ps)
{
    const char *base = j->chunks[k].arena.data;
    size_t start = k * PREP_CHUNK, end = start + PREP_CHUNK < j->n ? start + PREP_CHUNK : j->n, nrows = 0;
    store_object rows[PREP_CHUNK];
    int inserted[PREP_CHUNK];
    for (size_t i = start; i < end; i++)
        if (j->out[i].fail == NONE)
            rows[nrows++] = j->out[i].so;
    int rc = store_put_many(c->s, c->share.name, rows, nrows, inserted, &c->err);
    nrows = 0;
    for (size_t i = start; !rc && i < end; i++) {
        prepared *p = &j->out[i];
        if (p->fail != NONE)
            rc = status_entry(&ps->fails, &ps->nfail, base + p->entry, p->entry_len, "}");
        else
            rc = status_entry(&ps->succ, &ps->nsucc, base + p->entry, p->entry_len,
                              inserted[nrows++] ? "}" : ",\"message\":\"already stored\"}");
    }
    return rc;
}

/*
 * The envelope's objects: their texts when the scanner vouches for the body
 * (*raw), else the parsed envelope (*root, *objs). Returns 0 or the HTTP
 * status of the refusal (400, 413, 422, 500) with c->err.
 */
static int envelope(taxii_ctx *c, taxii_span **raw, size_t *n, json_t **root, json_t **objs)
{
    const taxii_config *cfg = taxii__config(c->srv);
    const char *body = c->body ? c->body : "";
    *raw = NULL;
    *root = *objs = NULL;
    int rc = taxii__json_envelope(body, c->body_len, cfg->max_objects, raw, n);
    if (rc == VG_E_NOMEM)
        return 500;
    if (rc == 0)
        return 0;
    rc = taxii_envelope_parse(body, c->body_len, cfg->max_objects, root, objs, &c->err);
    *n = json_array_size(*objs);
    if (!rc) {
        /* The texts may still be found (say the scanner declined a \u escape in another member). */
        size_t k = 0;
        if (taxii__json_elements(body, c->body_len, "objects", *n, raw, &k) || k != *n) {
            vg_free(*raw);
            *raw = NULL;
        }
    }
    return !rc ? 0 : rc == VG_E_PARSE ? 400 : rc == VG_E_LIMIT ? 413 : rc == VG_E_INVALID ? 422 : 500;
}

/*
 * The 400 for a body whose object was not valid JSON: jansson's message for
 * the whole body (with its line and column), as when the body is parsed
 * whole; the object's own if that parse should not fail.
 */
static int parse_error(taxii_ctx *c, const vg_error *object_err)
{
    json_t *root = NULL, *objs = NULL;
    vg_error err = {0};
    int rc = taxii_envelope_parse(c->body ? c->body : "", c->body_len, taxii__config(c->srv)->max_objects, &root,
                                  &objs, &err);
    json_decref(root);
    return taxii__error_from(c->conn, 400, rc == VG_E_PARSE ? &err : object_err);
}

/* Starts the helper threads of a large envelope on the fast way: how many started. */
static int helpers_start(prep_job *j, pthread_t helpers[PREP_THREADS - 1])
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores > PREP_THREADS ? PREP_THREADS : cores > 1 ? (int)cores : 1, n = 0;
    if (j->n >= PREP_PARALLEL_MIN && !j->objs)
        for (int k = 1; k < want; k++)
            if (pthread_create(&helpers[n], NULL, prep_run, j) == 0)
                n++;
    return n;
}

/* The status resource of a stored envelope. */
static int status_json(vg_buf *out, const char *sid, const char *now, size_t total, const post_status *ps)
{
    return vg_buf_reserve(out, ps->succ.len + ps->fails.len + 512) || /* one allocation */
                   vg_buf_puts(out, "{\"id\":") || put_str(out, sid) ||
                   vg_buf_printf(out,
                                 ",\"status\":\"complete\",\"request_timestamp\":\"%s\",\"total_count\":%zu,"
                                 "\"success_count\":%zu,\"successes\":[",
                                 now, total, ps->nsucc) ||
                   vg_buf_append(out, ps->succ.data ? ps->succ.data : "", ps->succ.len) ||
                   vg_buf_printf(out, "],\"failure_count\":%zu,\"failures\":[", ps->nfail) ||
                   vg_buf_append(out, ps->fails.data ? ps->fails.data : "", ps->fails.len) ||
                   vg_buf_puts(out, "],\"pending_count\":0,\"pendings\":[]}")
               ? VG_E_NOMEM
               : 0;
}

/*
 * Stores every chunk in order as it becomes ready, inside a transaction
 * opened here (*in_txn), and fills the status. 0, the job's error
 * (VG_E_PARSE: the body is 400) or the store's (c->err).
 */
static int store_all(taxii_ctx *c, prep_job *j, prep_state *st, post_status *ps, int *in_txn, double *waited)
{
    int rc = store_begin(c->s, &c->err);
    *in_txn = rc == 0;
    for (size_t k = 0; !rc && k < j->nchunks; k++) {
        rc = chunk_wait(j, k, st, waited);
        if (rc)
            break; /* the chunk may still be in a helper's hands: job_free frees it once they are gone */
        rc = store_chunk(c, j, k, ps);
        vg_buf_free(&j->chunks[k].arena); /* ready, so no helper touches it; stored: not needed any more */
    }
    return rc;
}

/* Frees what the job holds after its threads are gone. */
static void job_free(prep_job *j)
{
    for (size_t k = 0; j->chunks && k < j->nchunks; k++)
        vg_buf_free(&j->chunks[k].arena);
    vg_free(j->chunks);
    vg_free(j->out);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
}

int taxii__objects_post(taxii_ctx *c)
{
    taxii_span *raw = NULL;
    json_t *root = NULL, *objs = NULL;
    size_t total = 0;
    double ts = seconds(), th = (double)c->headers_in.tv_sec + c->headers_in.tv_nsec / 1e9;
    int status = envelope(c, &raw, &total, &root, &objs);
    if (status)
        return status == 500 && !c->err.msg[0] ? taxii__error(c->conn, 500, "out of memory")
                                               : taxii__error_from(c->conn, status, &c->err);
    prep_job j = {.objs = objs, .raw = raw, .n = total, .nchunks = (total + PREP_CHUNK - 1) / PREP_CHUNK};
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    j.out = vg_calloc(total ? total : 1, sizeof *j.out);
    j.chunks = vg_calloc(j.nchunks ? j.nchunks : 1, sizeof *j.chunks);
    for (size_t k = 0; j.chunks && k < j.nchunks; k++)
        vg_buf_init(&j.chunks[k].arena, 0);
    int rc = j.out && j.chunks ? 0 : VG_E_NOMEM;
    pthread_t helpers[PREP_THREADS - 1];
    int nhelpers = rc ? 0 : helpers_start(&j, helpers);
    double t0 = seconds(), cpu0 = seconds_on(CLOCK_THREAD_CPUTIME_ID), waited = 0;
    char sid[VG_UUID_STR], now[VG_TIME_MAX];
    vg_time t = vg_time_now(3);
    vg_time_format(&t, now);
    if (!rc)
        rc = vg_uuid_v4(sid, &c->err);
    post_status ps = {0};
    vg_buf_init(&ps.succ, 0);
    vg_buf_init(&ps.fails, 0);
    prep_state st = {0};
    int in_txn = 0;
    if (!rc)
        rc = store_all(c, &j, &st, &ps, &in_txn, &waited);
    if (rc)
        atomic_store(&j.failed, 1);
    for (int k = 0; k < nhelpers; k++)
        pthread_join(helpers[k], NULL);
    stix_issues_free(&st.is);
    double t1 = seconds(), cpu1 = seconds_on(CLOCK_THREAD_CPUTIME_ID);
    int job_rc = j.rc;
    vg_error job_err = j.err;
    job_free(&j);
    json_decref(root);
    vg_free(raw);
    vg_buf out;
    vg_buf_init(&out, 0);
    if (!rc)
        rc = status_json(&out, sid, now, total, &ps);
    if (!rc)
        rc = store_status_put(c->s, sid, c->acct.id, out.data, &c->err);
    double t2 = seconds(), cpu2 = seconds_on(CLOCK_THREAD_CPUTIME_ID);
    if (!rc)
        rc = store_commit(c->s, &c->err);
    else if (in_txn)
        store_rollback(c->s);
    if (!rc)
        taxii__checkpoint_soon(c->srv);
    if (!rc && total >= PREP_PARALLEL_MIN)
        vg_log(VG_LOG_INFO,
               "taxii: POST of %zu objects (%s): body received in %.0f ms; envelope read in %.0f ms; prepared on %d "
               "thread%s while stored, in %.0f ms (the storing thread: %.0f ms of CPU, %.0f ms waiting for prepared "
               "objects); status in %.0f ms; committed in %.0f ms (%.0f ms of CPU)",
               total, objs ? "from the parsed body" : "from their texts", (ts - th) * 1e3, (t0 - ts) * 1e3, 1 + nhelpers,
               nhelpers ? "s" : "", (t1 - t0) * 1e3, (cpu1 - cpu0) * 1e3, waited * 1e3, (t2 - t1) * 1e3,
               (seconds() - t2) * 1e3, (seconds_on(CLOCK_THREAD_CPUTIME_ID) - cpu2) * 1e3);
    vg_buf_free(&ps.succ);
    vg_buf_free(&ps.fails);
    if (rc) {
        vg_buf_free(&out);
        if (rc == VG_E_PARSE && job_rc == VG_E_PARSE)
            return parse_error(c, &job_err);
        return rc == VG_E_NOMEM ? taxii__error(c->conn, 500, "out of memory")
                                : taxii__error(c->conn, 500, "storing the objects failed");
    }
    return taxii__respond(c->conn, 202, &out, NULL, NULL, 0);
}
