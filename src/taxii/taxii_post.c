/*
 * taxii_post.c - POST objects: an envelope in, a status resource out.
 *
 * Each object of the envelope is prepared on its own - parsed, validated
 * (stix_validate), its metadata read, its text to store made - and then
 * stored; the whole envelope and its status resource go into the store in one
 * transaction. Preparing needs no store, so for large envelopes it runs on
 * several threads at once (PREP_THREADS, chunks of PREP_CHUNK objects taken
 * in turn); storing stays on the request's thread, in envelope order, as do
 * the status entries.
 *
 * Two ways in:
 *   - the fast one, when the scanner (taxii_json.h) vouches for the whole
 *     body - valid JSON, one top-level object whose other members are
 *     scalars, no key twice at the top, no more than max_objects objects:
 *     every object is parsed from its own text (with jansson, duplicate keys
 *     refused, as the whole body would be) and stored as that text compacted;
 *   - otherwise the body is parsed whole by taxii_envelope_parse (which gives
 *     400, 413 and 422 exactly) and the objects are prepared from its tree.
 */
#include <pthread.h>
#include <stdatomic.h>
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
#define PREP_CHUNK 64         /* objects a thread takes at a time */

/* One object, prepared without the store. */
typedef struct prepared {
    char *fail;               /* why it is refused (owned), or NULL */
    char id[300];             /* its id, or "(object N)" */
    char type[256];           /* its type */
    char spec[16];            /* its spec_version, "" when absent */
    char ver[VG_TIME_MAX];    /* its version for the status, "" when none */
    store_object so;          /* the row (strings point into this struct and text) */
    char *text;               /* the text to store (owned) */
} prepared;

/* What the preparing threads share. */
typedef struct prep_job {
    json_t *objs;             /* the envelope's array (slow way), or NULL */
    const taxii_span *raw;    /* the objects' texts (fast way), or NULL */
    prepared *out;            /* one per object */
    size_t n;                 /* how many */
    atomic_size_t next;       /* first object not yet taken */
    pthread_mutex_t mu;       /* guards rc and err */
    int rc;                   /* the first error (VG_E_PARSE: an object is not valid JSON; VG_E_NOMEM) */
    vg_error err;             /* its detail */
} prep_job;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int put_str(vg_buf *b, const char *s) { return vg_buf_put_json_string(b, s, strlen(s)); }

static int refuse(prepared *p, const char *why)
{
    p->fail = vg_strdup(why);
    return p->fail ? 0 : VG_E_NOMEM;
}

/*
 * The text to store: already in tmp (have_text), else the object's own text
 * compacted (the bytes stix_dump would give), else its dump.
 */
static int object_text(json_t *obj, const taxii_span *raw, int have_text, vg_buf *tmp, prepared *p)
{
    if (have_text) {
        p->so.json_len = tmp->len;
        p->text = vg_buf_detach(tmp);
    } else if (vg_buf_reset(tmp), raw && taxii__json_compact(raw->p, raw->n, tmp) == 0) {
        p->so.json_len = tmp->len;
        p->text = vg_buf_detach(tmp);
    } else {
        p->text = stix_dump(obj, &p->so.json_len);
    }
    p->so.json = p->text;
    return p->text ? 0 : VG_E_NOMEM;
}

/*
 * Prepares object i from obj (and its text raw, if known; have_text: its
 * compact text is in tmp already). 0 (refusals included) or VG_E_NOMEM.
 */
static int prepare(json_t *obj, const taxii_span *raw, int have_text, size_t i, prepared *p, stix_issues *is,
                   vg_buf *tmp)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    if (id && strlen(id) < sizeof p->id)
        memcpy(p->id, id, strlen(id) + 1);
    else
        snprintf(p->id, sizeof p->id, "(object %zu)", i);
    if (!json_is_object(obj))
        return refuse(p, "not a JSON object");
    stix_issues_clear(is);
    int rc = stix_validate(obj, 0, is);
    if (rc)
        return rc;
    if (is->errors) {
        char msg[1024] = "invalid STIX";
        for (size_t k = 0; k < is->n; k++)
            if (is->v[k].severity == STIX_ISSUE_ERROR) {
                snprintf(msg, sizeof msg, "invalid STIX (%zu error%s): %s: %s", is->errors,
                         is->errors == 1 ? "" : "s", is->v[k].path, is->v[k].msg);
                break;
            }
        return refuse(p, msg);
    }
    stix_meta m;
    vg_error merr = {0};
    if (stix_meta_get(obj, &m, &merr) != 0)
        return refuse(p, merr.msg);
    if (strlen(m.id) >= sizeof p->id || strlen(m.type) >= sizeof p->type ||
        (m.spec_version && strlen(m.spec_version) >= sizeof p->spec))
        return refuse(p, "id, type or spec_version too long");
    memcpy(p->id, m.id, strlen(m.id) + 1);
    memcpy(p->type, m.type, strlen(m.type) + 1);
    snprintf(p->spec, sizeof p->spec, "%s", m.spec_version ? m.spec_version : "");
    p->so.id = p->id;
    p->so.type = p->type;
    p->so.spec_version = m.spec_version ? p->spec : NULL;
    p->so.revoked = m.revoked;
    p->so.version = stix_meta_version(&m, &p->so.has_version);
    p->so.has_created = m.has_created;
    p->so.created = m.created;
    if (p->so.has_version)
        vg_time_format(&p->so.version, p->ver);
    return object_text(obj, raw, have_text, tmp, p);
}

/* Records the first fatal error of the job. */
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
    pthread_mutex_unlock(&j->mu);
}

/* A preparing thread: takes chunks until none is left or the job failed. */
static void *prep_run(void *arg)
{
    prep_job *j = arg;
    stix_issues is = {0};
    vg_buf tmp;
    vg_buf_init(&tmp, 0);
    for (;;) {
        size_t start = atomic_fetch_add(&j->next, PREP_CHUNK);
        if (start >= j->n || j->rc)
            break;
        size_t end = start + PREP_CHUNK < j->n ? start + PREP_CHUNK : j->n;
        for (size_t i = start; i < end; i++) {
            json_t *obj = j->objs ? json_array_get(j->objs, i) : NULL;
            int have_text = 0, rc = 0;
            if (!j->objs) {
                /* The tree and the text in one pass; what the scanner declines goes to jansson. */
                vg_buf_reset(&tmp);
                rc = taxii__json_tree(j->raw[i].p, j->raw[i].n, &tmp, &obj);
                have_text = rc == 0;
                if (rc == TAXII_JSON_DECLINED)
                    rc = 0;
            }
            if (!j->objs && !obj && !rc) {
                json_error_t je;
                obj = json_loadb(j->raw[i].p, j->raw[i].n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
                if (!obj) {
                    vg_error e = {0};
                    vg_error_set(&e, VG_E_PARSE, "the body is not valid JSON: object %zu: %s", i, je.text);
                    job_fail(j, VG_E_PARSE, &e);
                    break;
                }
            }
            if (!rc)
                rc = prepare(obj, j->raw ? &j->raw[i] : NULL, have_text, i, &j->out[i], &is, &tmp);
            if (!j->objs)
                json_decref(obj);
            if (rc) {
                job_fail(j, rc, NULL);
                break;
            }
        }
    }
    stix_issues_free(&is);
    vg_buf_free(&tmp);
    return NULL;
}

/* Prepares every object of the job, on several threads when it is large. */
static int prepare_all(prep_job *j, int *threads)
{
    pthread_t helpers[PREP_THREADS - 1];
    int nhelpers = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores > PREP_THREADS ? PREP_THREADS : cores > 1 ? (int)cores : 1;
    /* Threads only over texts: each parses its own objects (a shared jansson tree is left to one thread). */
    if (j->n >= PREP_PARALLEL_MIN && !j->objs)
        for (int k = 1; k < want; k++)
            if (pthread_create(&helpers[nhelpers], NULL, prep_run, j) == 0)
                nhelpers++;
    prep_run(j);
    for (int k = 0; k < nhelpers; k++)
        pthread_join(helpers[k], NULL);
    *threads = 1 + nhelpers;
    return j->rc;
}

/* Appends {"id":..,"version":..,"message":..} to list. */
static int status_entry(vg_buf *list, size_t *count, const char *id, const char *version, const char *message)
{
    int rc = vg_buf_puts(list, (*count)++ ? ",{\"id\":" : "{\"id\":");
    rc = rc ? rc : put_str(list, id);
    if (!rc && version && version[0])
        rc = vg_buf_puts(list, ",\"version\":") || put_str(list, version);
    if (!rc && message && message[0])
        rc = vg_buf_puts(list, ",\"message\":") || put_str(list, message);
    return rc ? rc : vg_buf_putc(list, '}');
}

/* Stores the prepared objects in order, in the open transaction, and lists them for the status. */
static int store_all(taxii_ctx *c, prepared *p, size_t n, vg_buf *succ, size_t *nsucc, vg_buf *fails, size_t *nfail)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (p[i].fail) {
            rc = status_entry(fails, nfail, p[i].id, NULL, p[i].fail);
            continue;
        }
        int inserted = 0;
        rc = store_put(c->s, c->share.name, &p[i].so, &inserted, &c->err);
        if (!rc)
            rc = status_entry(succ, nsucc, p[i].id, p[i].ver, inserted ? NULL : "already stored");
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

int taxii__objects_post(taxii_ctx *c)
{
    taxii_span *raw = NULL;
    json_t *root = NULL, *objs = NULL;
    size_t total = 0;
    int status = envelope(c, &raw, &total, &root, &objs);
    if (status)
        return status == 500 && !c->err.msg[0] ? taxii__error(c->conn, 500, "out of memory")
                                               : taxii__error_from(c->conn, status, &c->err);
    prep_job j = {.objs = objs, .raw = raw, .n = total};
    const char *way = objs ? "from the parsed body" : "from their texts";
    pthread_mutex_init(&j.mu, NULL);
    j.out = vg_calloc(total ? total : 1, sizeof *j.out);
    int threads = 1;
    double t0 = seconds();
    int rc = j.out ? prepare_all(&j, &threads) : VG_E_NOMEM;
    double t1 = seconds();
    pthread_mutex_destroy(&j.mu);
    json_decref(root);
    vg_free(raw);
    if (rc == VG_E_PARSE) {
        for (size_t i = 0; i < total; i++) {
            vg_free(j.out[i].fail);
            vg_free(j.out[i].text);
        }
        vg_free(j.out);
        return taxii__error_from(c->conn, 400, &j.err);
    }
    char sid[VG_UUID_STR], now[VG_TIME_MAX];
    vg_time t = vg_time_now(3);
    vg_time_format(&t, now);
    if (!rc)
        rc = vg_uuid_v4(sid, &c->err);
    vg_buf succ, fails, out;
    vg_buf_init(&succ, 0);
    vg_buf_init(&fails, 0);
    vg_buf_init(&out, 0);
    size_t nsucc = 0, nfail = 0;
    if (!rc)
        rc = store_begin(c->s, &c->err);
    int in_txn = rc == 0;
    if (!rc)
        rc = store_all(c, j.out, total, &succ, &nsucc, &fails, &nfail);
    double t2 = seconds();
    for (size_t i = 0; j.out && i < total; i++) {
        vg_free(j.out[i].fail);
        vg_free(j.out[i].text);
    }
    vg_free(j.out);
    if (!rc)
        rc = vg_buf_puts(&out, "{\"id\":") || put_str(&out, sid) ||
             vg_buf_printf(&out, ",\"status\":\"complete\",\"request_timestamp\":\"%s\",\"total_count\":%zu,"
                                 "\"success_count\":%zu,\"successes\":[",
                           now, total, nsucc) ||
             vg_buf_append(&out, succ.data ? succ.data : "", succ.len) ||
             vg_buf_printf(&out, "],\"failure_count\":%zu,\"failures\":[", nfail) ||
             vg_buf_append(&out, fails.data ? fails.data : "", fails.len) ||
             vg_buf_puts(&out, "],\"pending_count\":0,\"pendings\":[]}")
                 ? VG_E_NOMEM
                 : 0;
    if (!rc)
        rc = store_status_put(c->s, sid, c->acct.id, out.data, &c->err);
    if (!rc)
        rc = store_commit(c->s, &c->err);
    else if (in_txn)
        store_rollback(c->s);
    if (!rc && total >= PREP_PARALLEL_MIN)
        vg_log(VG_LOG_INFO, "taxii: POST of %zu objects (%s): prepared in %.0f ms on %d thread%s, stored in %.0f ms, "
               "committed in %.0f ms", total, way, (t1 - t0) * 1e3,
               threads, threads == 1 ? "" : "s", (t2 - t1) * 1e3, (seconds() - t2) * 1e3);
    vg_buf_free(&succ);
    vg_buf_free(&fails);
    if (rc) {
        vg_buf_free(&out);
        return rc == VG_E_NOMEM ? taxii__error(c->conn, 500, "out of memory")
                                : taxii__error(c->conn, 500, "storing the objects failed");
    }
    return taxii__respond(c->conn, 202, &out, NULL, NULL, 0);
}
