/*
 * intel_import.c - STIX bundles into the store, and the store out as a bundle.
 *
 * The import pipeline per object: read (streamed) -> upgrade if STIX 2.0 ->
 * validate -> serialise -> store_put, in two threads (see import_file). Files are transactions, so a file cut
 * short by a syntax error or an interrupted process changes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "intel/intel.h"

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int importable_name(const char *name)
{
    static const char *const exts[] = {".json", ".stix", ".stix2", ".json.gz", ".stix.gz", ".stix2.gz"};
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (has_suffix(name, exts[i]))
            return 1;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * The import of one file runs as two threads joined by a bounded queue:
 *   producer: read -> parse -> upgrade if STIX 2.0 -> validate -> text to store
 *   consumer (the caller's thread): store_put, batch commits, callbacks.
 * jansson values live and die in the producer; the consumer sees only plain
 * items. Items keep input order, so "first version wins" and the reports
 * read as the file does. On a 2-core machine this roughly halves the wall
 * time of a large import (parsing and SQLite each take about half).
 */

enum item_kind {
    ITEM_OBJECT,  /* a valid object to store (issues may hold warnings) */
    ITEM_INVALID, /* an object that is not imported: issues or err says why */
    ITEM_FATAL,   /* the input cannot be read further: err says why */
    ITEM_END,     /* the input ended normally */
};

/* One unit of work handed from the producer to the consumer. */
typedef struct item {
    enum item_kind kind; /* what it is */
    stix_pos pos;        /* where the object starts in the file */
    char *buf;           /* one block: the JSON text, then id, type, spec_version (NUL-separated) */
    size_t len;          /* length of the JSON text */
    const char *id;      /* inside buf (NULL for invalid objects without an id) */
    const char *type;    /* inside buf */
    const char *spec_version; /* inside buf */
    int has_version;     /* the object has modified or created */
    vg_time version;     /* modified, else created */
    int has_created;     /* created is set */
    vg_time created;     /* created */
    int revoked;         /* revoked: true */
    int upgraded;        /* it was upgraded from STIX 2.0 */
    stix_issues issues;  /* findings (errors for invalid, warnings for objects) */
    vg_error *err;       /* why it could not be read (ITEM_INVALID without issues, ITEM_FATAL) */
} item;

#define CHUNK_ITEMS 128 /* items handed over at once: one lock per chunk, not per object */
#define QUEUE_CHUNKS 8  /* chunks in flight: bounds the memory of the pipeline */

typedef struct chunk {
    item v[CHUNK_ITEMS]; /* the items */
    int n;               /* how many are used */
} chunk;

typedef struct pipeline {
    pthread_mutex_t mu;        /* guards everything below */
    pthread_cond_t can_put;    /* a slot is free */
    pthread_cond_t can_take;   /* a chunk is ready */
    chunk *ring[QUEUE_CHUNKS]; /* ready chunks, FIFO */
    int head, count;           /* first ready chunk, number ready */
    int stop;                  /* the consumer gave up: the producer must finish */
    uint64_t bytes_read;       /* progress, updated per chunk */
    uint64_t bytes_total;      /* input size if known */
    stix_reader *r;            /* owned by the producer while it runs */
} pipeline;

static void item_free(item *it)
{
    vg_free(it->buf);
    stix_issues_free(&it->issues);
    vg_free(it->err);
}

static void chunk_free(chunk *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        item_free(&c->v[i]);
    vg_free(c);
}

/* Hands a chunk to the consumer; returns 0, or 1 when the consumer stopped (chunk freed). */
static int put_chunk(pipeline *p, chunk *c)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == QUEUE_CHUNKS && !p->stop)
        pthread_cond_wait(&p->can_put, &p->mu);
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        chunk_free(c);
        return 1;
    }
    p->ring[(p->head + p->count) % QUEUE_CHUNKS] = c;
    p->count++;
    p->bytes_read = stix_reader_bytes_read(p->r);
    pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static chunk *take_chunk(pipeline *p, uint64_t *bytes_read)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == 0)
        pthread_cond_wait(&p->can_take, &p->mu);
    chunk *c = p->ring[p->head];
    p->head = (p->head + 1) % QUEUE_CHUNKS;
    p->count--;
    *bytes_read = p->bytes_read;
    pthread_cond_signal(&p->can_put);
    pthread_mutex_unlock(&p->mu);
    return c;
}

/* Copies text and the indexed strings into one block owned by the item. */
static int item_strings(item *it, const char *text, size_t len, const char *id, const char *type, const char *sv)
{
    size_t ni = id ? strlen(id) + 1 : 0, nt = type ? strlen(type) + 1 : 0, ns = sv ? strlen(sv) + 1 : 0;
    char *b = vg_malloc(len + 1 + ni + nt + ns);
    if (!b)
        return VG_E_NOMEM;
    memcpy(b, text, len);
    b[len] = '\0';
    char *q = b + len + 1;
    it->id = id ? memcpy(q, id, ni) : NULL;
    q += ni;
    it->type = type ? memcpy(q, type, nt) : NULL;
    q += nt;
    it->spec_version = sv ? memcpy(q, sv, ns) : NULL;
    it->buf = b;
    it->len = len;
    return 0;
}

static int item_error(item *it, enum item_kind kind, const vg_error *err)
{
    it->kind = kind;
    it->err = vg_malloc(sizeof *it->err);
    if (!it->err)
        return VG_E_NOMEM;
    *it->err = *err;
    return 0;
}

/* Turns one parsed object into an item (valid or invalid). VG_E_NOMEM on allocation failure. */
static int make_item(item *it, json_t *obj, const stix_reader *r, vg_error *err)
{
    int changed = 0, rc;
    json_t *idv = json_object_get(obj, "id");
    const char *id = json_is_string(idv) ? json_string_value(idv) : NULL;
    if (stix_is_20(obj, stix_reader_bundle_is_20(r))) {
        vg_error uerr = {0};
        rc = stix_upgrade_20(obj, &uerr);
        if (rc == VG_E_NOMEM)
            return vg_error_set(err, rc, "out of memory upgrading a STIX 2.0 object");
        it->upgraded = rc == 0;
        changed = 1;
        idv = json_object_get(obj, "id");
        id = json_is_string(idv) ? json_string_value(idv) : NULL;
    }
    if ((rc = stix_validate(obj, 0, &it->issues)))
        return vg_error_set(err, rc, "cannot validate an object: %s", vg_strerror(rc));
    stix_meta m;
    vg_error merr = {0};
    if (it->issues.errors || (rc = stix_meta_get(obj, &m, &merr))) {
        if (rc == VG_E_NOMEM)
            return vg_error_set(err, rc, "out of memory");
        it->kind = ITEM_INVALID;
        if (!it->issues.errors && item_error(it, ITEM_INVALID, &merr))
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        if (item_strings(it, "", 0, id, NULL, NULL))
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        return 0;
    }
    /* Unchanged objects are stored as they came (minified); upgraded ones re-serialised. */
    size_t len;
    const char *raw = stix_reader_text(r, &len);
    char *text = NULL;
    if (changed && !(raw = text = stix_dump(obj, &len)))
        return vg_error_set(err, VG_E_NOMEM, "out of memory serialising %s", m.id);
    rc = item_strings(it, raw, len, m.id, m.type, m.spec_version);
    vg_free(text);
    if (rc)
        return vg_error_set(err, rc, "out of memory");
    it->kind = ITEM_OBJECT;
    it->revoked = m.revoked;
    it->has_created = m.has_created;
    it->created = m.created;
    it->version = stix_meta_version(&m, &it->has_version);
    return 0;
}

static void *producer(void *arg)
{
    pipeline *p = arg;
    chunk *c = NULL;
    for (;;) {
        if (!c && !(c = vg_calloc(1, sizeof *c)))
            break; /* nothing can be handed over without memory */
        item *it = &c->v[c->n];
        memset(it, 0, sizeof *it);
        json_t *obj = NULL;
        vg_error err = {0};
        int got = stix_reader_next(p->r, &obj, &it->pos, &err);
        int last = 0;
        if (got == 1) {
            int rc = make_item(it, obj, p->r, &err);
            json_decref(obj);
            if (rc) {
                item_free(it);
                memset(it, 0, sizeof *it);
                item_error(it, ITEM_FATAL, &err);
                last = 1;
            }
        } else if (got == 0) {
            it->kind = ITEM_END;
            last = 1;
        } else if (got == VG_E_INVALID) {
            item_error(it, ITEM_INVALID, &err);
        } else {
            item_error(it, ITEM_FATAL, &err);
            last = 1;
        }
        c->n++;
        if (c->n == CHUNK_ITEMS || last) {
            if (put_chunk(p, c))
                return NULL;
            c = NULL;
        }
        if (last)
            return NULL;
    }
    /* Out of memory for a chunk: tell the consumer, which reports VG_E_NOMEM. */
    pthread_mutex_lock(&p->mu);
    p->stop = 2; /* tells the consumer the producer died of memory */
    pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stores one valid item. */
static int store_item(store *s, const item *it, const char *file, const intel_import_opts *o, intel_import_stats *st,
                      vg_error *err)
{
    if (it->issues.n) {
        st->warnings++;
        intel_invalid w = {file, it->pos.index, it->pos.line, it->pos.col, it->id, &it->issues, NULL};
        if (o->on_warning)
            o->on_warning(&w, o->ctx);
    }
    store_object so = {.id = it->id, .type = it->type, .spec_version = it->spec_version, .revoked = it->revoked,
                       .json = it->buf, .json_len = it->len, .has_created = it->has_created,
                       .created = it->created, .has_version = it->has_version, .version = it->version};
    int inserted = 0;
    int rc = store_put(s, o->collection, &so, &inserted, err);
    if (rc)
        return vg_error_prefix_where(err, "%s object %llu (%s):", file, (unsigned long long)it->pos.index, it->id);
    if (inserted)
        st->imported++;
    else
        st->unchanged++;
    return 0;
}

/* Waits for the next chunk, or learns that the producer ran out of memory (NULL). */
static chunk *next_chunk(pipeline *p, uint64_t *bytes)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && p->stop != 2)
        pthread_cond_wait(&p->can_take, &p->mu);
    int dead = p->count == 0;
    pthread_mutex_unlock(&p->mu);
    return dead ? NULL : take_chunk(p, bytes);
}

/* Imports what an opened reader yields (the reader is freed); path names it in reports. */
static int import_reader(store *s, stix_reader *r, const char *path, const intel_import_opts *o,
                         intel_import_stats *st, vg_error *err)
{
    pipeline p;
    memset(&p, 0, sizeof p);
    p.r = r;
    int rc = 0;
    int own_txn = !o->caller_txn;
    if (own_txn && (rc = store_begin(s, err))) {
        stix_reader_free(p.r);
        return rc;
    }
    p.bytes_total = stix_reader_bytes_total(p.r);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.can_put, NULL);
    pthread_cond_init(&p.can_take, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, producer, &p) != 0) {
        if (own_txn)
            store_rollback(s);
        stix_reader_free(p.r);
        return vg_error_set(err, VG_E_NOMEM, "cannot start the import thread");
    }
    st->files++;
    uint64_t in_batch = 0, last_tick = 0, bytes = 0;
    int done = 0;
    while (!done && !rc) {
        chunk *c = next_chunk(&p, &bytes);
        if (!c) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
            break;
        }
        for (int i = 0; i < c->n && !rc && !done; i++) {
            item *it = &c->v[i];
            switch (it->kind) {
            case ITEM_END:
                done = 1;
                break;
            case ITEM_FATAL:
                if (it->err)
                    *err = *it->err;
                else
                    vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
                rc = err->code ? err->code : VG_E_NOMEM;
                break;
            case ITEM_INVALID: {
                if (!it->err && !it->issues.errors) {
                    rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
                    break;
                }
                st->read++;
                st->invalid++;
                st->upgraded += (uint64_t)it->upgraded;
                intel_invalid bad = {path, it->pos.index, it->pos.line, it->pos.col, it->id,
                                     it->err ? NULL : &it->issues, it->err};
                if (o->on_invalid)
                    o->on_invalid(&bad, o->ctx);
                break;
            }
            case ITEM_OBJECT:
                st->read++;
                st->upgraded += (uint64_t)it->upgraded;
                rc = store_item(s, it, path, o, st, err);
                if (!rc && own_txn && o->batch && ++in_batch >= o->batch) {
                    in_batch = 0;
                    if (!(rc = store_commit(s, err)))
                        rc = store_begin(s, err);
                }
                break;
            }
        }
        chunk_free(c);
        if (o->progress.fn) {
            uint64_t t = now_ms();
            if (t - last_tick >= 100 || done) {
                last_tick = t;
                o->progress.fn(path, bytes, p.bytes_total, o->progress.ctx);
            }
        }
    }
    /* Stop the producer if it is still going, drain what it queued, and wait for it. */
    pthread_mutex_lock(&p.mu);
    p.stop = p.stop ? p.stop : 1;
    pthread_cond_broadcast(&p.can_put);
    pthread_mutex_unlock(&p.mu);
    pthread_join(th, NULL);
    while (p.count) {
        chunk_free(p.ring[p.head]);
        p.head = (p.head + 1) % QUEUE_CHUNKS;
        p.count--;
    }
    pthread_cond_destroy(&p.can_put);
    pthread_cond_destroy(&p.can_take);
    pthread_mutex_destroy(&p.mu);
    stix_reader_free(p.r);
    if (own_txn) {
        if (rc)
            store_rollback(s);
        else
            rc = store_commit(s, err);
    }
    return rc;
}

static int import_file(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st,
                       vg_error *err)
{
    stix_reader *r;
    int rc = stix_reader_open(path, &o->reader, &r, err);
    return rc ? rc : import_reader(s, r, path, o, st, err);
}

int intel_import_mem(store *s, const char *data, size_t len, const char *name, const intel_import_opts *o,
                     intel_import_stats *st, vg_error *err)
{
    stix_reader *r;
    int rc = stix_reader_open_mem(data, len, name, &o->reader, &r, err);
    return rc ? rc : import_reader(s, r, name, o, st, err);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int import_dir(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st, int depth,
                      vg_error *err)
{
    if (depth > 32)
        return vg_error_set(err, VG_E_LIMIT, "folders nested deeper than 32 levels under %s", path);
    DIR *d = opendir(path);
    if (!d)
        return vg_error_set(err, VG_E_IO, "cannot open folder %s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = vg_realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
                break;
            }
            names = nn;
        }
        if (!(names[n] = vg_strdup(e->d_name)))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
        else
            n++;
    }
    closedir(d);
    if (!rc)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; !rc && i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = vg_malloc(len);
        if (!child) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
            break;
        }
        snprintf(child, len, "%s/%s", path, names[i]);
        struct stat sb;
        if (stat(child, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = import_dir(s, child, o, st, depth + 1, err);
        else if (importable_name(names[i]))
            rc = import_file(s, child, o, st, err);
        vg_free(child);
    }
    for (size_t i = 0; i < n; i++)
        vg_free(names[i]);
    vg_free(names);
    return rc;
}

int intel_import_path(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st,
                      vg_error *err)
{
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return import_dir(s, path, o, st, 0, err);
    return import_file(s, path, o, st, err);
}

int intel_export_bundle(store *s, const store_query *q, FILE *out, uint64_t *count, vg_error *err)
{
    char uuid[VG_UUID_STR];
    int rc = vg_uuid_v4(uuid, err);
    if (rc)
        return rc;
    store_iter *it;
    if ((rc = store_query_open(s, q, &it, err)))
        return rc;
    uint64_t n = 0;
    fprintf(out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
    store_row row;
    while ((rc = store_iter_next(it, &row, err)) == 1) {
        fputs(n ? ",\n" : "\n", out);
        fwrite(row.json, 1, row.json_len, out);
        n++;
    }
    store_iter_free(it);
    if (rc < 0)
        return rc;
    fputs(n ? "\n]}\n" : "]}\n", out);
    if (fflush(out) != 0 || ferror(out))
        return vg_error_set(err, VG_E_IO, "cannot write the bundle: %s", strerror(errno));
    if (count)
        *count = n;
    return 0;
}
