/*
 * taxii_server.c - the TAXII 2.1 server on libmicrohttpd: the request life
 * cycle (body with a ceiling, authentication, content negotiation, route
 * table, rights), a store connection per worker thread, rate limits, and a
 * shutdown that lets requests in flight finish. The handlers are in
 * taxii_routes.c. docs/internals/taxii.md describes routes, rules and limits.
 *
 * Threads: MHD's internal thread pool with epoll, one worker per core by
 * default. SQLite connections are not shared between threads, so each worker
 * opens its own (thread-specific data, closed when the worker exits). Beside
 * them: the header deadline's watcher (taxii_guard.c) and the checkpointer
 * (taxii_ckpt.c), which copies the store's log into its main file so that
 * the workers' commits do not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "core/vg_log.h"
#include "taxii/taxii_int.h"

/* A rate-limit bucket: one account's requests in the current second. */
typedef struct bucket {
    int64_t account; /* account id, 0 = free slot */
    time_t second;   /* the second counted */
    int count;       /* requests in it */
} bucket;

#define NBUCKETS 1024

struct taxii_server {
    taxii_config cfg;        /* settings */
    struct MHD_Daemon *d;    /* the daemon */
    pthread_key_t key;       /* per-thread store */
    atomic_int inflight;     /* requests between first byte and completion */
    int port;                /* bound port */
    char *cert;              /* TLS certificate PEM, NULL for plain HTTP */
    char *tlskey;            /* TLS key PEM */
    unsigned char auth_key[32]; /* HMAC key for the Basic credentials cache, drawn at start */
    size_t cache_per_thread;  /* page cache budget of each worker, bytes */
    struct {
        atomic_ullong requests, page_hits, page_misses, auth_hits, argon2; /* see taxii_server_stats */
    } stats;                 /* counters, relaxed atomics */
    taxii_guard *guard;      /* the header deadline */
    taxii_ckpt *ckpt;        /* the checkpointer, NULL when the workers' commits checkpoint */
    pthread_mutex_t rate_mu; /* guards buckets */
    bucket buckets[NBUCKETS]; /* rate limits, open addressing by account id */
};

/* One request's state across MHD's calls. */
typedef struct treq {
    vg_buf body;  /* the body so far */
    struct timespec headers_in; /* when the headers were in (CLOCK_MONOTONIC), for the logs */
    int too_big;  /* the body passed max_body */
    int answered; /* a response was queued early */
} treq;

/* ---- responses ---------------------------------------------------------- */

static void free_cb(void *p) { vg_free(p); }

/* Builds and queues a response; with keep (and a 200 queued), *keep takes the response instead of releasing it. */
static int respond(struct MHD_Connection *conn, int status, vg_buf *body, const char *first, const char *last,
                   int www_auth, struct MHD_Response **keep)
{
    size_t len = body ? body->len : 0;
    char *data = body ? vg_buf_detach(body) : NULL;
    struct MHD_Response *r = data ? MHD_create_response_from_buffer_with_free_callback(len, data, free_cb)
                                  : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        vg_free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, TAXII_MEDIA_TYPE);
    if (first && first[0])
        MHD_add_response_header(r, "X-TAXII-Date-Added-First", first);
    if (last && last[0])
        MHD_add_response_header(r, "X-TAXII-Date-Added-Last", last);
    if (www_auth) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"vigil TAXII\", charset=\"UTF-8\"");
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"vigil TAXII\"");
    }
    if (status == 429)
        MHD_add_response_header(r, "Retry-After", "1");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    if (keep && status == 200 && ok == MHD_YES)
        *keep = r;
    else
        MHD_destroy_response(r);
    return ok;
}

int taxii__respond(struct MHD_Connection *conn, int status, vg_buf *body, const char *first, const char *last,
                   int www_auth)
{
    return respond(conn, status, body, first, last, www_auth, NULL);
}

int taxii__respond_page(taxii_ctx *c, vg_buf *body, const char *first, const char *last)
{
    c->keep_size = body ? body->len : 0;
    return respond(c->conn, 200, body, first, last, 0, c->cacheable ? &c->keep : NULL);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    default: return "Internal Server Error";
    }
}

int taxii__error(struct MHD_Connection *conn, int status, const char *description)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    int rc = vg_buf_puts(&b, "{\"title\":");
    if (!rc)
        rc = vg_buf_put_json_string(&b, status_title(status), strlen(status_title(status)));
    if (!rc && description) {
        rc = vg_buf_puts(&b, ",\"description\":");
        if (!rc)
            rc = vg_buf_put_json_string(&b, description, strlen(description));
    }
    if (!rc)
        rc = vg_buf_printf(&b, ",\"http_status\":\"%s\"}", code);
    if (rc) {
        vg_buf_free(&b);
        return taxii__respond(conn, 500, NULL, NULL, NULL, 0);
    }
    return taxii__respond(conn, status, &b, NULL, NULL, status == 401);
}

int taxii__error_from(struct MHD_Connection *conn, int status, const vg_error *err)
{
    char text[VG_ERR_MSG_MAX * 2 + VG_ERR_WHERE_MAX];
    return taxii__error(conn, status, vg_error_format(err, text, sizeof text));
}

/* ---- per-thread worker state: a store connection and caches --------------- */

/* What one worker thread keeps. */
typedef struct worker {
    store *s;          /* this thread's store connection */
    taxii_cache *cache; /* this thread's caches */
} worker;

static void close_worker(void *p)
{
    worker *w = p;
    if (!w)
        return;
    taxii__cache_free(w->cache);
    store_close(w->s);
    vg_free(w);
}

/* This thread's worker state, made on first use; NULL with err. */
static worker *get_worker(taxii_server *srv, vg_error *err)
{
    worker *w = pthread_getspecific(srv->key);
    if (w)
        return w;
    w = vg_calloc(1, sizeof *w);
    if (!w) {
        vg_error_set(err, VG_E_NOMEM, "out of memory for a worker");
        return NULL;
    }
    if (store_open(srv->cfg.store, 0, &w->s, err) || taxii__cache_new(srv->cache_per_thread, &w->cache)) {
        if (w->s && !w->cache)
            vg_error_set(err, VG_E_NOMEM, "out of memory for a worker's cache");
        close_worker(w);
        return NULL;
    }
    /* The checkpointer copies the log into the main file; a worker's commit need not (if this fails, it does). */
    if (srv->ckpt)
        (void)store_autocheckpoint(w->s, 0, NULL);
    pthread_setspecific(srv->key, w);
    return w;
}

store *taxii__store(taxii_server *srv, vg_error *err)
{
    worker *w = get_worker(srv, err);
    return w ? w->s : NULL;
}

const taxii_config *taxii__config(taxii_server *srv) { return &srv->cfg; }

void taxii__checkpoint_soon(taxii_server *srv) { taxii__ckpt_poke(srv->ckpt); }

/* ---- authentication and rate limits ----------------------------------------- */

/* A fixed argon2id hash to verify against when the account does not exist, so timing does not tell. */
static char dummy_hash[TAXII_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { taxii_password_hash("not-a-password", dummy_hash, NULL); }

/* The Basic cache's key for these credentials: HMAC-SHA-256 of "user\0password" under the server's key. */
static void basic_key(taxii_server *srv, const taxii_credentials *cr, unsigned char key[32])
{
    unsigned char msg[sizeof cr->user + sizeof cr->secret];
    size_t u = strlen(cr->user), p = strlen(cr->secret);
    unsigned int len = 32;
    memcpy(msg, cr->user, u + 1);
    memcpy(msg + u + 1, cr->secret, p);
    HMAC(EVP_sha256(), srv->auth_key, sizeof srv->auth_key, msg, u + 1 + p, key, &len);
    OPENSSL_cleanse(msg, sizeof msg);
}

#define COUNT(srv, what) atomic_fetch_add_explicit(&(srv)->stats.what, 1, memory_order_relaxed)

/* Bearer: the cache, else the store. 0, 401 or 500. */
static int auth_bearer(taxii_server *srv, worker *w, const taxii_credentials *cr, store_account *acct)
{
    char hash[65];
    vg_error err = {0};
    taxii_token_hash(cr->secret, strlen(cr->secret), hash);
    if (taxii__cache_token_get(w->cache, hash, acct)) {
        COUNT(srv, auth_hits);
        return 0;
    }
    int rc = store_token_find(w->s, hash, acct, &err);
    if (rc == 0)
        taxii__cache_token_put(w->cache, hash, acct);
    return rc == 0 ? 0 : rc == VG_E_NOTFOUND ? 401 : 500;
}

/*
 * Basic: credentials verified less than TAXII_BASIC_TTL ago stand while the
 * account keeps the password hash they were verified against; others pay one
 * argon2id (a dummy one when the account does not exist, so timing does not
 * tell). 0, 401 or 500; acct->pwhash is left filled.
 */
static int auth_basic(taxii_server *srv, worker *w, const taxii_credentials *cr, store_account *acct)
{
    unsigned char key[32];
    vg_error err = {0};
    int confirmed = 0, rc;
    basic_key(srv, cr, key);
    if (taxii__cache_basic_get(w->cache, key, acct, &confirmed)) {
        if (confirmed) {
            COUNT(srv, auth_hits);
            return 0;
        }
        store_account now = {0};
        rc = store_account_get(w->s, cr->user, &now, &err);
        size_t n = strlen(now.pwhash);
        int same = rc == 0 && n == strlen(acct->pwhash) && CRYPTO_memcmp(now.pwhash, acct->pwhash, n) == 0;
        if (same) {
            taxii__cache_basic_put(w->cache, key, &now, 0);
            *acct = now;
        } else {
            taxii__cache_basic_drop(w->cache, key);
        }
        OPENSSL_cleanse(&now, sizeof now);
        if (same) {
            COUNT(srv, auth_hits);
            return 0;
        }
        if (rc && rc != VG_E_NOTFOUND)
            return 500;
    }
    rc = store_account_get(w->s, cr->user, acct, &err);
    if (rc != 0 && rc != VG_E_NOTFOUND)
        return 500;
    COUNT(srv, argon2);
    if (rc == 0 && acct->pwhash[0]) {
        if (!taxii_password_verify(acct->pwhash, cr->secret))
            return 401;
        taxii__cache_basic_put(w->cache, key, acct, 1);
        return 0;
    }
    pthread_once(&dummy_once, make_dummy);
    taxii_password_verify(dummy_hash, cr->secret);
    return 401;
}

/* 0 with *acct (password hash wiped), 401 for no or bad credentials, or 500. */
static int authenticate(taxii_server *srv, worker *w, struct MHD_Connection *conn, store_account *acct)
{
    taxii_credentials cr;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || taxii_auth_parse(h, &cr) != 0 || cr.kind == 0)
        return 401;
    int status = cr.kind == 2 ? auth_bearer(srv, w, &cr, acct) : auth_basic(srv, w, &cr, acct);
    OPENSSL_cleanse(acct->pwhash, sizeof acct->pwhash);
    if (status == 401)
        vg_log(VG_LOG_INFO, "taxii: refused credentials (%s)", cr.kind == 2 ? "bearer token" : "basic");
    taxii_credentials_clear(&cr);
    return status;
}

/* Whether the account may make one more request this second. */
static int rate_ok(taxii_server *srv, int64_t account)
{
    if (srv->cfg.rate <= 0)
        return 1;
    time_t now = time(NULL);
    int ok = 1;
    pthread_mutex_lock(&srv->rate_mu);
    size_t i = (size_t)account % NBUCKETS;
    for (size_t k = 0; k < NBUCKETS; k++, i = (i + 1) % NBUCKETS) {
        bucket *b = &srv->buckets[i];
        if (b->account == account || b->account == 0 || b->second < now - 1) {
            if (b->account != account || b->second != now) {
                b->account = account;
                b->second = now;
                b->count = 0;
            }
            ok = ++b->count <= srv->cfg.rate;
            break;
        }
    }
    pthread_mutex_unlock(&srv->rate_mu);
    return ok;
}

/* ---- routing ------------------------------------------------------------------ */

#define MAXSEG 8

/* Splits the path into segments; "" segments (from the trailing slash) are dropped. */
static int split(const char *url, char *buf, size_t n, char *seg[MAXSEG])
{
    size_t len = strlen(url);
    if (len >= n)
        return -1;
    memcpy(buf, url, len + 1);
    int k = 0;
    for (char *p = buf; *p;) {
        while (*p == '/')
            *p++ = '\0';
        if (!*p)
            break;
        if (k == MAXSEG)
            return -1;
        seg[k++] = p;
        while (*p && *p != '/')
            p++;
    }
    return k;
}

/* The route table: path pattern ("@" the API root, "*" any segment), method, handler, rights, caching. */
static const struct route {
    const char *method;         /* GET, POST, DELETE */
    const char *path[MAXSEG];   /* pattern, NULL-terminated */
    taxii_handler fn;           /* handler */
    int need;                   /* STORE_RIGHT_* the account needs on the collection */
    int cache;                  /* its 200 answers may be kept in the page cache */
} routes[] = {
    {"GET", {"taxii2"}, taxii__discovery, 0, 0},
    {"GET", {"@"}, taxii__api_root, 0, 0},
    {"GET", {"@", "status", "*"}, taxii__status, 0, 0},
    {"GET", {"@", "collections"}, taxii__collections, 0, 0},
    {"GET", {"@", "collections", "*"}, taxii__collection, -1, 0},
    {"GET", {"@", "collections", "*", "objects"}, taxii__objects_get, STORE_RIGHT_READ, 1},
    {"POST", {"@", "collections", "*", "objects"}, taxii__objects_post, STORE_RIGHT_WRITE, 0},
    {"GET", {"@", "collections", "*", "objects", "*"}, taxii__object_get, STORE_RIGHT_READ, 1},
    {"DELETE", {"@", "collections", "*", "objects", "*"}, taxii__object_delete,
     STORE_RIGHT_READ | STORE_RIGHT_WRITE, 0},
    {"GET", {"@", "collections", "*", "objects", "*", "versions"}, taxii__versions, STORE_RIGHT_READ, 1},
    {"GET", {"@", "collections", "*", "manifest"}, taxii__manifest, STORE_RIGHT_READ, 1},
};

/* Finds the route; *path_found says whether some method serves this path. */
static const struct route *route_find(taxii_server *srv, const char *method, char *seg[], int nseg, int *path_found)
{
    *path_found = 0;
    for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        int k = 0, ok = 1;
        for (; ok && k < MAXSEG && routes[r].path[k]; k++) {
            const char *p = routes[r].path[k];
            if (k >= nseg)
                ok = 0;
            else if (strcmp(p, "@") == 0)
                ok = strcmp(seg[k], srv->cfg.api_root) == 0;
            else if (strcmp(p, "*") != 0)
                ok = strcmp(p, seg[k]) == 0;
        }
        if (!ok || k != nseg)
            continue;
        *path_found = 1;
        if (strcmp(routes[r].method, method) == 0)
            return &routes[r];
    }
    return NULL;
}

/* Length-prefixed, so that no two different requests give the same key. */
static int key_put(vg_buf *k, const char *s)
{
    size_t n = strlen(s);
    return vg_buf_printf(k, "%zu:", n) || vg_buf_append(k, s, n);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    taxii_ctx *c = cls;
    if (c->filter_rc)
        return MHD_NO;
    c->filter_rc = taxii_filter_add(&c->filter, key, value, &c->err);
    if (!c->filter_rc && c->cacheable && (key_put(&c->key, key) || key_put(&c->key, value ? value : "")))
        c->cacheable = 0; /* a key too long: answer without the cache */
    return c->filter_rc ? MHD_NO : MHD_YES;
}

/* The account's view of the collection in the path: the cache, else the store. 0 or a VG_E_* code. */
static int view_of(worker *w, taxii_ctx *c)
{
    taxii_view v;
    if (!taxii__cache_view_get(w->cache, c->acct.id, c->coll_seg, &v)) {
        memset(&v, 0, sizeof v);
        v.rc = store_share_get(c->s, c->coll_seg, &v.share, &c->err);
        if (!v.rc && strcmp(v.share.id, c->coll_seg) != 0)
            v.rc = VG_E_NOTFOUND; /* collections are addressed by id only */
        if (!v.rc)
            v.rc = store_right_get(c->s, c->acct.id, v.share.name, &v.rights, &c->err);
        if (v.rc && v.rc != VG_E_NOTFOUND)
            return v.rc;
        taxii__cache_view_put(w->cache, c->acct.id, c->coll_seg, &v);
    }
    if (v.rc)
        return v.rc;
    c->share = v.share;
    c->rights = v.rights;
    return 0;
}

/* Everything after the body is in: authenticate, route, check, dispatch. */
static int serve(taxii_server *srv, struct MHD_Connection *conn, const char *url, const char *method, treq *rq)
{
    char buf[2048], *seg[MAXSEG];
    int nseg = split(url, buf, sizeof buf, seg);
    taxii_ctx *c = vg_calloc(1, sizeof *c);
    if (!c)
        return taxii__error(conn, 500, "out of memory");
    c->srv = srv;
    c->conn = conn;
    c->body = rq->body.data;
    c->body_len = rq->body.len;
    c->headers_in = rq->headers_in;
    vg_buf_init(&c->key, 64u << 10);
    int ret;
    uint64_t version = 0;
    worker *w = get_worker(srv, &c->err);
    c->s = w ? w->s : NULL;
    if (!w || store_data_version(c->s, &version, &c->err)) {
        vg_log(VG_LOG_ERROR, "taxii: cannot open the store: %s", c->err.msg);
        ret = taxii__error(conn, 500, "the store cannot be opened");
        goto done;
    }
    taxii__cache_version(w->cache, version);
    int st = authenticate(srv, w, conn, &c->acct);
    if (st) {
        ret = taxii__error(conn, st,
                           st == 401 ? "give valid credentials: HTTP Basic (account and password) or a Bearer token"
                                     : "the server cannot check credentials now");
        goto done;
    }
    if (!rate_ok(srv, c->acct.id)) {
        ret = taxii__error(conn, 429, "too many requests for this account; slow down");
        goto done;
    }
    if (srv->cfg.brief_dir[0] && taxii__briefings_path(url)) { /* beside TAXII: taxii_briefings.c */
        ret = taxii__briefings(conn, method, url, srv->cfg.brief_dir);
        goto done;
    }
    int path_found = 0;
    const struct route *r = nseg < 0 ? NULL : route_find(srv, method, seg, nseg, &path_found);
    if (!r) {
        ret = taxii__error(conn, path_found ? 405 : 404,
                           path_found ? "this method is not allowed here" : "no such TAXII endpoint");
        goto done;
    }
    if (!taxii_accept_ok(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT))) {
        ret = taxii__error(conn, 406, "this server answers in " TAXII_MEDIA_TYPE);
        goto done;
    }
    if (rq->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "the body is larger than this server's limit of %zu bytes", srv->cfg.max_body);
        ret = taxii__error(conn, 413, msg);
        goto done;
    }
    if (strcmp(method, "POST") == 0 &&
        !taxii_content_type_ok(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        ret = taxii__error(conn, 415, "send the body as " TAXII_MEDIA_TYPE);
        goto done;
    }
    c->coll_seg = nseg >= 3 && strcmp(seg[1], "collections") == 0 ? seg[2] : NULL;
    c->obj_seg = nseg >= 5 ? seg[4] : NULL;
    c->status_seg = nseg == 3 && strcmp(seg[1], "status") == 0 ? seg[2] : NULL;
    c->reader.account = c->acct.name;
    c->reader.org = c->acct.org;
    if (c->coll_seg) {
        /* A collection the account has no right on does not exist for it. */
        int rc = view_of(w, c);
        if (rc == VG_E_NOTFOUND || (!rc && c->rights == 0)) {
            ret = taxii__error(conn, 404, "no such collection");
            goto done;
        }
        if (rc) {
            ret = taxii__error(conn, 500, "the store failed");
            goto done;
        }
        if (r->need > 0 && (c->rights & r->need) != r->need) {
            ret = taxii__error(conn, 403,
                               (r->need & STORE_RIGHT_WRITE) && !(c->rights & STORE_RIGHT_WRITE)
                                   ? "this account may not write to this collection"
                                   : "this account may not read this collection");
            goto done;
        }
    }
    /* The page cache's key: the account (whose rights and TLP view shape the answer), the path, the arguments. */
    c->cacheable = r->cache && srv->cache_per_thread &&
                   !vg_buf_printf(&c->key, "%lld\n", (long long)c->acct.id) && !key_put(&c->key, url);
    c->filter_rc = 0;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, c);
    if (c->filter_rc) {
        ret = taxii__error_from(conn, c->filter_rc == VG_E_NOMEM ? 500 : 400, &c->err);
        goto done;
    }
    struct MHD_Response *hit = c->cacheable ? taxii__cache_page_get(w->cache, c->key.data, c->key.len) : NULL;
    if (hit) {
        COUNT(srv, page_hits);
        ret = MHD_queue_response(conn, 200, hit);
        goto done;
    }
    if (c->cacheable)
        COUNT(srv, page_misses);
    ret = r->fn(c);
    if (c->keep && !taxii__cache_page_put(w->cache, c->key.data, c->key.len, c->keep, c->keep_size))
        MHD_destroy_response(c->keep);
done:
    COUNT(srv, requests);
    taxii_filter_free(&c->filter);
    vg_buf_free(&c->key);
    OPENSSL_cleanse(&c->acct, sizeof c->acct);
    vg_free(c);
    return ret;
}

/* Adds the size of one header line ("Name: value\r\n") or query argument to *cls. */
static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/*
 * libmicrohttpd's memory for one connection. It answers a request whose
 * headers do not fit by itself (431 with an HTML body, outside our control),
 * so its pool is made larger than max_header: requests between the two get
 * the TAXII 431 from on_request, and only headers several times over the
 * limit meet libmicrohttpd's own answer. Not larger still: libmicrohttpd
 * zeroes the whole pool between two requests of a connection (192 KiB cost
 * 7 us a request, a fifth of a cached answer).
 */
static size_t header_pool(size_t max_header) { return max_header * 4 + (16u << 10); }

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    taxii_server *srv = cls;
    treq *rq = *con_cls;
    if (!rq) {
        taxii__guard_request(conn, 1);
        rq = vg_calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        vg_buf_init(&rq->body, srv->cfg.max_body);
        clock_gettime(CLOCK_MONOTONIC, &rq->headers_in);
        *con_cls = rq;
        atomic_fetch_add(&srv->inflight, 1);
        /* The request line and headers within max_header (libmicrohttpd's pool is larger: see header_pool). */
        size_t head = strlen(method) + strlen(url) + strlen(version) + 4;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, add_size, &head);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_size, &head);
        if (head > srv->cfg.max_header) {
            char msg[160];
            snprintf(msg, sizeof msg, "the request line and headers (%zu bytes) are larger than this server's limit "
                     "of %zu bytes", head, srv->cfg.max_header);
            rq->answered = 1;
            return taxii__error(conn, 431, msg) == MHD_YES ? MHD_YES : MHD_NO;
        }
        /* Refuse a declared oversized body before reading it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > srv->cfg.max_body) {
            char msg[128];
            snprintf(msg, sizeof msg, "the body is larger than this server's limit of %zu bytes", srv->cfg.max_body);
            rq->answered = 1;
            return taxii__error(conn, 413, msg) == MHD_YES ? MHD_YES : MHD_NO;
        }
        /* The declared size in one allocation, rather than doubling through it (failure is not fatal here). */
        if (declared)
            (void)vg_buf_reserve(&rq->body, (size_t)declared + 1);
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->answered && !rq->too_big && vg_buf_append(&rq->body, upload, *upload_size) != 0) {
            rq->too_big = 1;
            vg_buf_free(&rq->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->answered)
        return MHD_YES;
    rq->answered = 1;
    return serve(srv, conn, url, method, rq) == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    taxii_server *srv = cls;
    treq *rq = *con_cls;
    taxii__guard_request(conn, 0);
    if (!rq)
        return;
    vg_buf_free(&rq->body);
    vg_free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    vg_log(VG_LOG_WARN, "taxii: http: %s", msg);
}

/* ---- start and stop -------------------------------------------------------------- */

static char *read_pem(const char *path, vg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        vg_error_set(err, VG_E_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    vg_buf b;
    vg_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = vg_buf_append(&b, chunk, n);
    fclose(f);
    if (rc || !b.data) {
        vg_buf_free(&b);
        vg_error_set(err, rc ? rc : VG_E_IO, "cannot read %s (empty or larger than 1 MiB)", path);
        return NULL;
    }
    return vg_buf_detach(&b);
}

int taxii_server_start(const taxii_config *cfg, taxii_server **out, vg_error *err)
{
    *out = NULL;
    taxii_server *srv = vg_calloc(1, sizeof *srv);
    if (!srv)
        return vg_error_set(err, VG_E_NOMEM, "out of memory starting the server");
    srv->cfg = *cfg;
    if (!srv->cfg.max_page)
        srv->cfg.max_page = 1000;
    if (!srv->cfg.default_page || srv->cfg.default_page > srv->cfg.max_page)
        srv->cfg.default_page = srv->cfg.max_page < 100 ? srv->cfg.max_page : 100;
    pthread_mutex_init(&srv->rate_mu, NULL);
    if (RAND_bytes(srv->auth_key, sizeof srv->auth_key) != 1) {
        vg_free(srv);
        return vg_error_set(err, VG_E_IO, "no random bytes for the credentials cache key");
    }
    if (pthread_key_create(&srv->key, close_worker) != 0) {
        vg_free(srv);
        return vg_error_set(err, VG_E_INTERNAL, "no thread-specific key");
    }
    /* Open once here: migrations run, and a bad store fails now rather than per request. */
    store *s = NULL;
    int rc = store_open(cfg->store, STORE_CREATE, &s, err);
    store_close(s);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (!rc && inet_pton(AF_INET, cfg->listen_addr, &sa.sin_addr) != 1)
        rc = vg_error_set(err, VG_E_USAGE, "cannot listen on \"%s\": give an IPv4 address such as 127.0.0.1",
                          cfg->listen_addr);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (!rc && cfg->tls_cert[0]) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
            rc = vg_error_set(err, VG_E_UNSUPPORTED, "this libmicrohttpd has no TLS support");
        if (!rc && !(srv->cert = read_pem(cfg->tls_cert, err)))
            rc = err ? err->code : VG_E_IO;
        if (!rc && !(srv->tlskey = read_pem(cfg->tls_key[0] ? cfg->tls_key : cfg->tls_cert, err)))
            rc = err ? err->code : VG_E_IO;
        flags |= MHD_USE_TLS;
    }
    if (rc) {
        taxii_server_stop(srv, 0);
        return rc;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : cores > 0 ? (unsigned)cores : 2;
    srv->cache_per_thread = cfg->cache / threads;
    if (taxii__guard_start(cfg->timeout, &srv->guard)) {
        taxii_server_stop(srv, 0);
        return vg_error_set(err, VG_E_INTERNAL, "cannot start the header deadline thread");
    }
    vg_error cerr = {0};
    if (taxii__ckpt_start(cfg->store, &srv->ckpt, &cerr))
        vg_log(VG_LOG_WARN, "taxii: no checkpointer thread (%s): commits will checkpoint", cerr.msg);
    /* One option list; TLS adds its two. */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)header_pool(cfg->max_header), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(cfg->max_connections ? cfg->max_connections : 1000), NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)taxii__guard_notify, srv->guard},
        {cfg->tls_cert[0] ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->cert},
        {cfg->tls_cert[0] ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->tlskey},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->d) {
        taxii_server_stop(srv, 0);
        vg_error_set(err, VG_E_IO, "cannot listen on %s:%d (in use, not a local address, or a bad TLS key)",
                     cfg->listen_addr, cfg->port);
        return vg_error_hint(err, "pick another --listen address or port, or check --tls-cert and --tls-key");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    vg_log(VG_LOG_INFO, "taxii: serving %s on %s:%d with %u threads%s", cfg->store, cfg->listen_addr, srv->port,
           threads, cfg->tls_cert[0] ? " (TLS)" : "");
    *out = srv;
    return 0;
}

int taxii_server_port(const taxii_server *srv) { return srv->port; }

void taxii_server_stats_get(taxii_server *srv, taxii_server_stats *out)
{
    out->requests = atomic_load(&srv->stats.requests);
    out->page_hits = atomic_load(&srv->stats.page_hits);
    out->page_misses = atomic_load(&srv->stats.page_misses);
    out->auth_hits = atomic_load(&srv->stats.auth_hits);
    out->argon2 = atomic_load(&srv->stats.argon2);
    out->cut = taxii__guard_cut(srv->guard);
    out->checkpoints = taxii__ckpt_runs(srv->ckpt);
}

void taxii_server_stop(taxii_server *srv, int grace_ms)
{
    if (!srv)
        return;
    if (srv->d) {
        MHD_socket fd = MHD_quiesce_daemon(srv->d);
        for (int waited = 0; waited < grace_ms && atomic_load(&srv->inflight) > 0; waited += 10) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(srv->d);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    taxii__guard_stop(srv->guard);
    taxii__ckpt_stop(srv->ckpt);
    /* The workers have exited (their stores are closed); this thread may hold one too. */
    worker *w = pthread_getspecific(srv->key);
    if (w) {
        pthread_setspecific(srv->key, NULL);
        close_worker(w);
    }
    OPENSSL_cleanse(srv->auth_key, sizeof srv->auth_key);
    pthread_key_delete(srv->key);
    pthread_mutex_destroy(&srv->rate_mu);
    if (srv->tlskey)
        OPENSSL_cleanse(srv->tlskey, strlen(srv->tlskey));
    vg_free(srv->cert);
    vg_free(srv->tlskey);
    vg_free(srv);
}
