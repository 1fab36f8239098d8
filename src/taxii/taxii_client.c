/*
 * taxii_client.c - the TAXII 2.1 client behind `vigil sync`: pull a
 * partner's collection incrementally, push ours, with libcurl.
 *
 * Pull: GET {root}collections/{id}/objects/?limit=N[&added_after=T][&next=C]
 * until `more` is false, importing each envelope through the same validated
 * import as files (intel_import_mem). The partner's X-TAXII-Date-Added-Last
 * of each page, once the page is stored, becomes the peer's `pulled`, the
 * added_after of the next run (so a pull stopped half-way resumes after the
 * last page stored): added dates are the partner's clock, never ours.
 *
 * Push: the local collection's objects added since `pushed`, in envelopes,
 * POSTed; the status resource says how many were stored. AMBER+STRICT and
 * RED never leave (docs/internals/taxii.md, "TLP on sync").
 *
 * Secrets (the peer's password or token) go to libcurl and nowhere else.
 */
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "taxii/taxii.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* A response: status, body (bounded) and the date header we need. */
typedef struct resp {
    long status;                  /* HTTP status */
    vg_buf body;                  /* the body */
    int too_big;                  /* the body passed TAXII_CLIENT_MAX_RESPONSE */
    char added_last[VG_TIME_MAX + 8]; /* X-TAXII-Date-Added-Last, "" if absent */
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    if (vg_buf_append(&r->body, p, size * n)) {
        r->too_big = 1;
        return 0; /* aborts the transfer */
    }
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t len = size * n;
    static const char name[] = "X-TAXII-Date-Added-Last:";
    if (len > sizeof name && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1;
        size_t k = len - (sizeof name - 1);
        while (k && (*v == ' ' || *v == '\t'))
            v++, k--;
        while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
            k--;
        if (k < sizeof r->added_last) {
            memcpy(r->added_last, v, k);
            r->added_last[k] = '\0';
        }
    }
    return len;
}

/* What the partner said when it refused: its TAXII error title and description. */
static void partner_error(const resp *r, const char *what, const char *url, vg_error *err)
{
    json_t *e = r->body.len ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    const char *title = e ? json_string_value(json_object_get(e, "title")) : NULL;
    const char *desc = e ? json_string_value(json_object_get(e, "description")) : NULL;
    vg_error_set(err, VG_E_IO, "%s: the partner answered HTTP %ld%s%s%s%s", what, r->status, title ? ": " : "",
                 title ? title : "", desc ? " - " : "", desc ? desc : "");
    vg_error_where(err, "%s", url);
    if (r->status == 401)
        vg_error_hint(err, "check the peer's credentials ('vigil peer add' again with --user or --token-stdin)");
    else if (r->status == 403 || r->status == 404)
        vg_error_hint(err, "check the collection id and that the partner granted this account access");
    json_decref(e);
}

/* One HTTP request to the peer, once; body may be NULL (GET). 0 with r filled, or VG_E_IO. */
static int http_once(const store_peer *p, const char *method, const char *url, const char *body, size_t blen, resp *r,
                vg_error *err)
{
    pthread_once(&curl_once, curl_init);
    CURL *c = curl_easy_init();
    if (!c)
        return vg_error_set(err, VG_E_NOMEM, "cannot start an HTTP request");
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/taxii+json;version=2.1");
    if (body)
        h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil-sync/0.1");
    if (strcmp(p->auth, "basic") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, p->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, p->secret);
    } else if (strcmp(p->auth, "bearer") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, p->secret);
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    }
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r->too_big) {
        vg_error_set(err, VG_E_LIMIT, "the partner's answer is larger than %u MiB", TAXII_CLIENT_MAX_RESPONSE >> 20);
        return vg_error_where(err, "%s", url);
    }
    if (cc != CURLE_OK) {
        vg_error_set(err, VG_E_IO, "%s %s failed: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
        return vg_error_hint(err, "check the peer's URL and that the partner's server is reachable");
    }
    return 0;
}


static void resp_init(resp *r)
{
    memset(r, 0, sizeof *r);
    vg_buf_init(&r->body, TAXII_CLIENT_MAX_RESPONSE);
}

/*
 * One request with retries: a failed connection, 429 or a 5xx answer is tried
 * again after 0.5, 1, 2 and 4 s (TAXII_CLIENT_TRIES in all). Other answers,
 * including errors, are returned at once for the caller to judge. A POST is
 * safe to repeat: the partner stores each object version once.
 */
static int http(const store_peer *p, const char *method, const char *url, const char *body, size_t blen, resp *r,
                taxii_sync_stats *st, vg_error *err)
{
    int rc = 0;
    for (int attempt = 0; attempt < TAXII_CLIENT_TRIES; attempt++) {
        if (attempt) {
            struct timespec ts = {0, 0};
            long ms = 500L << (attempt - 1);
            ts.tv_sec = ms / 1000;
            ts.tv_nsec = (ms % 1000) * 1000000L;
            nanosleep(&ts, NULL);
            vg_buf_free(&r->body);
            resp_init(r);
        }
        vg_error_clear(err);
        st->requests++;
        rc = http_once(p, method, url, body, blen, r, err);
        if (rc == VG_E_LIMIT)
            return rc;
        if (!rc && r->status != 429 && r->status < 500)
            return 0;
    }
    return rc;
}

int taxii_pull(store *s, store_peer *p, const intel_import_opts *io, taxii_sync_stats *st, vg_error *err)
{
    char next[128] = "", newest[VG_TIME_MAX + 8] = "";
    vg_time newest_t = {0, 0, 0};
    int rc = 0, page = 0;
    vg_buf url;
    vg_buf_init(&url, 8192);
    intel_import_opts o = *io;
    o.collection = p->local;
    for (;;) {
        vg_buf_reset(&url);
        rc = vg_buf_printf(&url, "%scollections/%s/objects/?limit=%d", p->url, p->collection, TAXII_CLIENT_PAGE);
        if (!rc && p->pulled[0])
            rc = vg_buf_printf(&url, "&added_after=%s", p->pulled);
        if (!rc && next[0])
            rc = vg_buf_printf(&url, "&next=%s", next);
        if (rc) {
            rc = vg_error_set(err, VG_E_LIMIT, "the peer's URL is too long");
            break;
        }
        resp r;
        resp_init(&r);
        rc = http(p, "GET", url.data, NULL, 0, &r, st, err);
        page++;
        if (!rc && r.status != 200) {
            partner_error(&r, "pulling objects", url.data, err);
            rc = VG_E_IO;
        }
        json_t *env = NULL;
        if (!rc) {
            json_error_t je;
            env = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, &je);
            if (!json_is_object(env)) {
                rc = vg_error_set(err, VG_E_PARSE, "the partner's answer is not a TAXII envelope: %s", je.text);
                vg_error_where(err, "%s", url.data);
            }
        }
        if (!rc && json_array_size(json_object_get(env, "objects")) > 0) {
            char name[128];
            snprintf(name, sizeof name, "peer %s page %d", p->name, page);
            rc = intel_import_mem(s, r.body.data, r.body.len, name, &o, &st->pulled, err);
        }
        if (!rc && r.added_last[0]) {
            vg_time t;
            if (vg_time_parse(r.added_last, strlen(r.added_last), VG_TIME_RFC3339, &t, NULL) == 0 &&
                (!newest[0] || vg_time_cmp(&t, &newest_t) > 0)) {
                newest_t = t;
                snprintf(newest, sizeof newest, "%s", r.added_last);
                /*
                 * This page is stored: a pull stopped from here on resumes
                 * after it (pages come in the order the partner added the
                 * objects, so nothing before this date is still to come).
                 */
                store_peer saved = *p;
                snprintf(saved.pulled, sizeof saved.pulled, "%s", newest);
                rc = store_peer_set(s, &saved, 0, err);
                OPENSSL_cleanse(saved.secret, sizeof saved.secret);
            }
        }
        int more = 0;
        if (!rc) {
            const char *nx = json_string_value(json_object_get(env, "next"));
            more = json_is_true(json_object_get(env, "more")) && nx && nx[0];
            if (more && strlen(nx) >= sizeof next) {
                rc = vg_error_set(err, VG_E_LIMIT, "the partner's next cursor is longer than %zu bytes",
                                  sizeof next - 1);
            } else if (more) {
                /* The cursor goes into a URL: keep only characters that need no escaping. */
                for (const char *c = nx; *c && !rc; c++)
                    if (!(*c == '-' || *c == '_' || *c == '.' || *c == '~' || (*c >= '0' && *c <= '9') ||
                          (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
                        rc = vg_error_set(err, VG_E_PARSE, "the partner's next cursor has unexpected characters");
                if (!rc)
                    snprintf(next, sizeof next, "%s", nx);
            }
        }
        json_decref(env);
        vg_buf_free(&r.body);
        if (rc || !more)
            break;
    }
    vg_buf_free(&url);
    if (!rc && newest[0]) {
        snprintf(p->pulled, sizeof p->pulled, "%s", newest);
        rc = store_peer_set(s, p, 0, err);
    }
    return rc;
}

/* POSTs one envelope (text in env, closed here) and adds the status counts. */
static int post_envelope(store *s, store_peer *p, vg_buf *env, taxii_sync_stats *st, vg_error *err)
{
    (void)s;
    if (vg_buf_puts(env, "]}"))
        return vg_error_set(err, VG_E_NOMEM, "out of memory building an envelope");
    char url[2048];
    snprintf(url, sizeof url, "%scollections/%s/objects/", p->url, p->collection);
    resp r;
    resp_init(&r);
    int rc = http(p, "POST", url, env->data, env->len, &r, st, err);
    if (!rc && r.status != 202 && r.status != 200) {
        partner_error(&r, "pushing objects", url, err);
        rc = VG_E_IO;
    }
    if (!rc) {
        json_t *status = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
        json_t *ok = json_object_get(status, "success_count"), *bad = json_object_get(status, "failure_count");
        if (!json_is_integer(ok) || !json_is_integer(bad)) {
            rc = vg_error_set(err, VG_E_PARSE, "the partner's answer to a push is not a TAXII status resource");
            vg_error_where(err, "%s", url);
        } else {
            st->pushed += (uint64_t)json_integer_value(ok);
            st->push_failed += (uint64_t)json_integer_value(bad);
        }
        json_decref(status);
    }
    vg_buf_free(&r.body);
    return rc;
}

int taxii_push(store *s, store_peer *p, taxii_sync_stats *st, vg_error *err)
{
    store_share sh;
    vg_error ignore = {0};
    enum taxii_tlp deflt = TAXII_TLP_GREEN;
    if (store_share_get(s, p->local, &sh, &ignore) == 0 && taxii_tlp_parse(sh.default_tlp) != TAXII_TLP_NONE)
        deflt = taxii_tlp_parse(sh.default_tlp);
    store_query q = {.collection = p->local, .versions = STORE_VER_ALL};
    if (p->pushed[0]) {
        if (vg_time_parse(p->pushed, strlen(p->pushed), VG_TIME_STIX, &q.added_after, err))
            return vg_error_prefix_where(err, "peer %s, last pushed:", p->name);
        q.has_added_after = 1;
    }
    store_iter *it;
    int rc = store_query_open(s, &q, &it, err);
    if (rc)
        return rc;
    vg_buf env;
    vg_buf_init(&env, 0);
    char batch_last[VG_TIME_MAX] = "", pushed_to[VG_TIME_MAX] = "";
    size_t n = 0;
    store_row row;
    while ((rc = store_iter_next(it, &row, err)) == 1) {
        rc = 0;
        json_t *obj = json_loadb(row.json, row.json_len, 0, NULL);
        enum taxii_tlp t = obj ? taxii_tlp_of(obj) : TAXII_TLP_RED;
        json_decref(obj);
        if (t == TAXII_TLP_NONE)
            t = deflt;
        if (t >= TAXII_TLP_AMBER_STRICT) {
            st->withheld++;
            snprintf(batch_last, sizeof batch_last, "%s", row.added);
            continue;
        }
        if (n && (n == TAXII_CLIENT_PUSH_OBJECTS || env.len + row.json_len > TAXII_CLIENT_PUSH_BYTES)) {
            if ((rc = post_envelope(s, p, &env, st, err)))
                break;
            snprintf(pushed_to, sizeof pushed_to, "%s", batch_last);
            vg_buf_reset(&env);
            n = 0;
        }
        if (vg_buf_puts(&env, n ? "," : "{\"objects\":[") || vg_buf_append(&env, row.json, row.json_len)) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory building an envelope");
            break;
        }
        n++;
        snprintf(batch_last, sizeof batch_last, "%s", row.added);
    }
    store_iter_free(it);
    if (!rc && n && !(rc = post_envelope(s, p, &env, st, err)))
        snprintf(pushed_to, sizeof pushed_to, "%s", batch_last);
    else if (!rc && !n)
        snprintf(pushed_to, sizeof pushed_to, "%s", batch_last); /* only withheld objects since last time */
    vg_buf_free(&env);
    if (pushed_to[0]) {
        vg_error serr = {0};
        snprintf(p->pushed, sizeof p->pushed, "%s", pushed_to);
        int src = store_peer_set(s, p, 0, &serr);
        if (!rc && src) {
            *err = serr;
            rc = src;
        }
    }
    return rc;
}
