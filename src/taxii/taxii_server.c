/*
 * taxii_server.c - the TAXII 2.1 server on libmicrohttpd: the request life
 * cycle (body with a ceiling, authentication, content negotiation, route
 * table, rights), a store connection per worker thread, rate limits, and a
 * shutdown that lets requests in flight finish. The handlers are in
 * taxii_routes.c. docs/internals/taxii.md describes routes, rules and limits.
 *
 * Threads: MHD's internal thread pool with epoll, one worker per core by
 * default. SQLite connections are not shared between threads, so each worker
 * opens its own (thread-specific data, closed when the worker exits).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
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
    pthread_mutex_t rate_mu; /* guards buckets */
    bucket buckets[NBUCKETS]; /* rate limits, open addressing by account id */
};

/* One request's state across MHD's calls. */
typedef struct treq {
    vg_buf body;  /* the body so far */
    int too_big;  /* the body passed max_body */
    int answered; /* a response was queued early */
} treq;

/* ---- responses ---------------------------------------------------------- */

static void free_cb(void *p) { vg_free(p); }

int taxii__respond(struct MHD_Connection *conn, int status, vg_buf *body, const char *first, const char *last,
                   int www_auth)
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
    MHD_destroy_response(r);
    return ok;
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

/* ---- per-thread store --------------------------------------------------- */

static void close_store(void *p) { store_close(p); }

store *taxii__store(taxii_server *srv, vg_error *err)
{
    store *s = pthread_getspecific(srv->key);
    if (s)
        return s;
    if (store_open(srv->cfg.store, 0, &s, err))
        return NULL;
    pthread_setspecific(srv->key, s);
    return s;
}

const taxii_config *taxii__config(taxii_server *srv) { return &srv->cfg; }

/* ---- authentication and rate limits ----------------------------------------- */

/* A fixed argon2id hash to verify against when the account does not exist, so timing does not tell. */
static char dummy_hash[TAXII_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { taxii_password_hash("not-a-password", dummy_hash, NULL); }

/* 0 with *acct, 401 for no or bad credentials, or 500. */
static int authenticate(store *s, struct MHD_Connection *conn, store_account *acct)
{
    taxii_credentials cr;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || taxii_auth_parse(h, &cr) != 0 || cr.kind == 0)
        return 401;
    vg_error err = {0};
    int status = 401, rc;
    if (cr.kind == 2) {
        char hash[65];
        taxii_token_hash(cr.secret, strlen(cr.secret), hash);
        rc = store_token_find(s, hash, acct, &err);
        status = rc == 0 ? 0 : rc == VG_E_NOTFOUND ? 401 : 500;
    } else {
        rc = store_account_get(s, cr.user, acct, &err);
        if (rc == 0 && acct->pwhash[0]) {
            status = taxii_password_verify(acct->pwhash, cr.secret) ? 0 : 401;
        } else if (rc == 0 || rc == VG_E_NOTFOUND) {
            pthread_once(&dummy_once, make_dummy);
            taxii_password_verify(dummy_hash, cr.secret);
            status = 401;
        } else {
            status = 500;
        }
        OPENSSL_cleanse(acct->pwhash, sizeof acct->pwhash);
    }
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

/* The route table: path pattern ("@" the API root, "*" any segment), method, handler, rights. */
static const struct route {
    const char *method;         /* GET, POST, DELETE */
    const char *path[MAXSEG];   /* pattern, NULL-terminated */
    taxii_handler fn;           /* handler */
    int need;                   /* STORE_RIGHT_* the account needs on the collection */
} routes[] = {
    {"GET", {"taxii2"}, taxii__discovery, 0},
    {"GET", {"@"}, taxii__api_root, 0},
    {"GET", {"@", "status", "*"}, taxii__status, 0},
    {"GET", {"@", "collections"}, taxii__collections, 0},
    {"GET", {"@", "collections", "*"}, taxii__collection, -1},
    {"GET", {"@", "collections", "*", "objects"}, taxii__objects_get, STORE_RIGHT_READ},
    {"POST", {"@", "collections", "*", "objects"}, taxii__objects_post, STORE_RIGHT_WRITE},
    {"GET", {"@", "collections", "*", "objects", "*"}, taxii__object_get, STORE_RIGHT_READ},
    {"DELETE", {"@", "collections", "*", "objects", "*"}, taxii__object_delete,
     STORE_RIGHT_READ | STORE_RIGHT_WRITE},
    {"GET", {"@", "collections", "*", "objects", "*", "versions"}, taxii__versions, STORE_RIGHT_READ},
    {"GET", {"@", "collections", "*", "manifest"}, taxii__manifest, STORE_RIGHT_READ},
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

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    taxii_ctx *c = cls;
    if (c->filter_rc)
        return MHD_NO;
    c->filter_rc = taxii_filter_add(&c->filter, key, value, &c->err);
    return c->filter_rc ? MHD_NO : MHD_YES;
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
    int ret;
    c->s = taxii__store(srv, &c->err);
    if (!c->s) {
        vg_log(VG_LOG_ERROR, "taxii: cannot open the store: %s", c->err.msg);
        ret = taxii__error(conn, 500, "the store cannot be opened");
        goto done;
    }
    int st = authenticate(c->s, conn, &c->acct);
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
        int rc = store_share_get(c->s, c->coll_seg, &c->share, &c->err);
        if (!rc && strcmp(c->share.id, c->coll_seg) != 0)
            rc = VG_E_NOTFOUND; /* collections are addressed by id only */
        if (!rc)
            rc = store_right_get(c->s, c->acct.id, c->share.name, &c->rights, &c->err);
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
    c->filter_rc = 0;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, c);
    if (c->filter_rc) {
        ret = taxii__error_from(conn, c->filter_rc == VG_E_NOMEM ? 500 : 400, &c->err);
        goto done;
    }
    ret = r->fn(c);
done:
    taxii_filter_free(&c->filter);
    OPENSSL_cleanse(&c->acct, sizeof c->acct);
    vg_free(c);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    taxii_server *srv = cls;
    treq *rq = *con_cls;
    if (!rq) {
        rq = vg_calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        vg_buf_init(&rq->body, srv->cfg.max_body);
        *con_cls = rq;
        atomic_fetch_add(&srv->inflight, 1);
        /* Refuse a declared oversized body before reading it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
            char msg[128];
            snprintf(msg, sizeof msg, "the body is larger than this server's limit of %zu bytes", srv->cfg.max_body);
            rq->answered = 1;
            return taxii__error(conn, 413, msg) == MHD_YES ? MHD_YES : MHD_NO;
        }
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
    (void)conn;
    (void)toe;
    taxii_server *srv = cls;
    treq *rq = *con_cls;
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
    if (pthread_key_create(&srv->key, close_store) != 0) {
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
    if (cfg->tls_cert[0])
        srv->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->max_header, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)cfg->timeout, MHD_OPTION_HTTPS_MEM_CERT, srv->cert,
            MHD_OPTION_HTTPS_MEM_KEY, srv->tlskey, MHD_OPTION_END);
    else
        srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                  MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                  srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->max_header,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout, MHD_OPTION_END);
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
    /* The workers have exited (their stores are closed); this thread may hold one too. */
    store *s = pthread_getspecific(srv->key);
    if (s) {
        pthread_setspecific(srv->key, NULL);
        store_close(s);
    }
    pthread_key_delete(srv->key);
    pthread_mutex_destroy(&srv->rate_mu);
    if (srv->tlskey)
        OPENSSL_cleanse(srv->tlskey, strlen(srv->tlskey));
    vg_free(srv->cert);
    vg_free(srv->tlskey);
    vg_free(srv);
}
