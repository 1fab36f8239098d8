/*
 * test_server.c - the TAXII 2.1 server end to end: a server started in this
 * process on 127.0.0.1 (free port) over a fresh store, driven with libcurl.
 * Discovery, 401 vs 403 vs 404, content negotiation, every limit, POST with
 * valid and invalid objects and the status resource, DELETE, paging with
 * `next` continued by a second server process (the vigil binary) over the
 * same store, and each TLP rule from both sides, including that a withheld
 * object shows in no count, header, `more`, `next` or manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "core/vg_log.h"
#include "taxii/taxii.h"
#include "vg_test.h"

#define ORG_A "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define ORG_B "identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define ORG_C "identity--cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define NGREEN 130 /* visible-to-all objects in "intel" */

static char store_path[1000];
static taxii_server *srv;
static int port;
static char intel_id[40], amberdef_id[40];
/* Bearer tokens: alice (A, rw), bob (B, read), carol (C, read), dave (A, none), wendy (A, write only). */
static char tok_alice[65], tok_bob[65], tok_carol[65], tok_dave[65], tok_wendy[65], tok_revoked[65];

/* ---- fixtures --------------------------------------------------------------- */

static void must(int rc, const vg_error *err)
{
    if (rc)
        fail_msg("%s (%s)", err->msg, err->where);
}

static void account(store *s, const char *name, const char *org, const char *password, char tok[65])
{
    vg_error err = {0};
    char hash[TAXII_PWHASH_MAX] = "", id[TAXII_TOKEN_ID_LEN + 1], th[65];
    if (password)
        must(taxii_password_hash(password, hash, &err), &err);
    must(store_account_add(s, name, org, hash, &err), &err);
    must(taxii_token_new(tok, id, th, &err), &err);
    must(store_token_add(s, name, id, th, "test", &err), &err);
}

static void collection(store *s, const char *name, const char *tlp, const char *recipients, char id[40])
{
    store_share sh = {0};
    vg_error err = {0};
    snprintf(sh.name, sizeof sh.name, "%s", name);
    snprintf(sh.default_tlp, sizeof sh.default_tlp, "%s", tlp);
    snprintf(sh.recipients, sizeof sh.recipients, "%s", recipients);
    must(store_share_set(s, &sh, 1, &err), &err);
    snprintf(id, 40, "%s", sh.id);
}

static void grant(store *s, const char *who, const char *coll, int rights)
{
    vg_error err = {0};
    must(store_right_set(s, who, coll, rights, &err), &err);
}

/* Stores an indicator with the given n, marking (NULL: none) and extra JSON members. */
static void put_indicator(store *s, const char *coll, int n, const char *marking, const char *extra)
{
    char id[80], json[2048], marks[200] = "";
    snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012x", (unsigned)n, (unsigned)n);
    if (marking)
        snprintf(marks, sizeof marks, ",\"object_marking_refs\":[\"%s\"]", marking);
    snprintf(json, sizeof json,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"2024-01-01T00:00:00.000Z\","
             "\"modified\":\"2024-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value = '10.0.0.%d']\","
             "\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"%s%s}",
             id, n % 250, marks, extra ? extra : "");
    store_object o = {.id = id, .type = "indicator", .spec_version = "2.1", .json = json, .json_len = strlen(json)};
    o.has_version = 1;
    vg_time_parse("2024-01-01T00:00:00.000Z", 24, VG_TIME_STIX, &o.version, NULL);
    int ins = 0;
    vg_error err = {0};
    must(store_put(s, coll, &o, &ins, &err), &err);
}

static const char *ind_id(int n)
{
    static char id[80];
    snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012x", (unsigned)n, (unsigned)n);
    return id;
}

/* Object numbers by marking (intel collection: default green, AMBER to A and B). */
enum {
    N_AMBER = 1000,        /* TLP:AMBER */
    N_STRICT = 1001,       /* TLP:AMBER+STRICT */
    N_RED_B = 1002,        /* TLP:RED, recipients [org B] */
    N_RED_CAROL = 1003,    /* TLP:RED, recipients [account:carol] */
    N_AMBER_BY_C = 1004,   /* TLP:AMBER, created_by_ref org C */
    N_AMBER_LAST = 1005,   /* TLP:AMBER, the last object of the collection */
    N_UNMARKED_AMB = 2000, /* unmarked, in "amberdef" (default amber, recipients B) */
    N_GREEN_AMB = 2001,    /* green, in "amberdef" */
};

static int start(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(store_path, sizeof store_path, "%s/taxii.db", vg_test_tmpdir("taxii_server"));
    store *s;
    vg_error err = {0};
    must(store_open(store_path, STORE_CREATE, &s, &err), &err);
    account(s, "alice", ORG_A, "alice-pw", tok_alice);
    account(s, "bob", ORG_B, NULL, tok_bob);
    account(s, "carol", ORG_C, NULL, tok_carol);
    account(s, "dave", ORG_A, NULL, tok_dave);
    account(s, "wendy", ORG_A, NULL, tok_wendy);
    account(s, "rita", ORG_A, NULL, tok_revoked);
    char tid[TAXII_TOKEN_ID_LEN + 1], th[65];
    taxii_token_hash(tok_revoked, strlen(tok_revoked), th);
    memcpy(tid, th, TAXII_TOKEN_ID_LEN);
    tid[TAXII_TOKEN_ID_LEN] = '\0';
    must(store_token_revoke(s, tid, &err), &err);
    collection(s, "intel", "green", ORG_A " " ORG_B, intel_id);
    collection(s, "amberdef", "amber", ORG_B, amberdef_id);
    collection(s, "secret", "green", "", (char[40]){0});
    const char *colls[] = {"intel", "amberdef"};
    for (int i = 0; i < 2; i++) {
        grant(s, "alice", colls[i], STORE_RIGHT_READ | STORE_RIGHT_WRITE);
        grant(s, "bob", colls[i], STORE_RIGHT_READ);
        grant(s, "carol", colls[i], STORE_RIGHT_READ);
        grant(s, "wendy", colls[i], STORE_RIGHT_WRITE);
        grant(s, "rita", colls[i], STORE_RIGHT_READ);
    }
    must(store_begin(s, &err), &err);
    for (int i = 0; i < NGREEN; i++)
        put_indicator(s, "intel", i, i % 2 ? taxii_tlp_marking_id(TAXII_TLP_GREEN) : NULL, NULL);
    put_indicator(s, "intel", N_AMBER, taxii_tlp_marking_id(TAXII_TLP_AMBER), NULL);
    put_indicator(s, "intel", N_STRICT, taxii_tlp_marking_id(TAXII_TLP_AMBER_STRICT), NULL);
    put_indicator(s, "intel", N_RED_B, taxii_tlp_marking_id(TAXII_TLP_RED), ",\"x_vigil_recipients\":[\"" ORG_B "\"]");
    put_indicator(s, "intel", N_RED_CAROL, taxii_tlp_marking_id(TAXII_TLP_RED),
                  ",\"x_vigil_recipients\":[\"account:carol\"]");
    put_indicator(s, "intel", N_AMBER_BY_C, taxii_tlp_marking_id(TAXII_TLP_AMBER),
                  ",\"created_by_ref\":\"" ORG_C "\"");
    put_indicator(s, "intel", N_AMBER_LAST, taxii_tlp_marking_id(TAXII_TLP_AMBER), NULL);
    put_indicator(s, "amberdef", N_UNMARKED_AMB, NULL, NULL);
    put_indicator(s, "amberdef", N_GREEN_AMB, taxii_tlp_marking_id(TAXII_TLP_GREEN), NULL);
    must(store_commit(s, &err), &err);
    store_close(s);

    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.threads = 2;
    cfg.max_body = 64 * 1024;
    cfg.max_objects = 20;
    cfg.max_page = 50;
    cfg.default_page = 40;
    must(taxii_server_start(&cfg, &srv, &err), &err);
    port = taxii_server_port(srv);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    taxii_server_stop(srv, 5000);
    curl_global_cleanup();
    return 0;
}

/* ---- HTTP --------------------------------------------------------------------- */

typedef struct resp {
    long status;       /* HTTP status */
    char *body;        /* body, NUL-terminated (malloc) */
    size_t len;        /* its length */
    char headers[4096]; /* raw headers */
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    resp *r = ctx;
    size_t k = size * n;
    r->body = realloc(r->body, r->len + k + 1);
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = '\0';
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    resp *r = ctx;
    size_t k = size * n, have = strlen(r->headers);
    if (have + k + 1 < sizeof r->headers) {
        memcpy(r->headers + have, p, k);
        r->headers[have + k] = '\0';
    }
    return k;
}

/* One request. auth: "Bearer X", "Basic user:pw" or NULL. ctype/accept NULL: the TAXII type / none. */
static resp http_port(int p, const char *method, const char *path, const char *auth, const char *accept,
                      const char *ctype, const char *body)
{
    resp r = {0};
    r.body = calloc(1, 1);
    CURL *c = curl_easy_init();
    char url[2048], h1[512], h2[512], h3[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", p, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    struct curl_slist *hl = NULL;
    if (auth && strncmp(auth, "Basic ", 6) == 0) {
        curl_easy_setopt(c, CURLOPT_USERPWD, auth + 6);
    } else if (auth) {
        snprintf(h1, sizeof h1, "Authorization: %s", auth);
        hl = curl_slist_append(hl, h1);
    }
    snprintf(h2, sizeof h2, "Accept: %s", accept ? accept : "application/taxii+json;version=2.1");
    hl = curl_slist_append(hl, h2);
    if (body) {
        snprintf(h3, sizeof h3, "Content-Type: %s", ctype ? ctype : "application/taxii+json;version=2.1");
        hl = curl_slist_append(hl, h3);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return r;
}

static resp http(const char *method, const char *path, const char *auth, const char *body)
{
    return http_port(port, method, path, auth, NULL, NULL, body);
}

static const char *bearer(const char *tok)
{
    static char b[4][100];
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof b[k], "Bearer %s", tok);
    return b[k];
}

static void done(resp *r) { free(r->body); }

/* Asserts a TAXII error message with this status. */
static void assert_error(resp r, long status)
{
    if (r.status != status)
        fail_msg("expected %ld, got %ld: %s", status, r.status, r.body);
    char code[32];
    snprintf(code, sizeof code, "\"http_status\":\"%ld\"", status);
    assert_non_null(strstr(r.body, "\"title\":"));
    assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.headers, "application/taxii+json;version=2.1"));
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static char *coll_path(const char *cid, const char *rest)
{
    static char p[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "/api/collections/%s/%s", cid, rest);
    return p[k];
}

/* The value of a JSON string member (first occurrence), into out. */
static int member(const char *body, const char *name, char *out, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":\"", name);
    const char *p = strstr(body, key);
    if (!p)
        return 0;
    p += strlen(key);
    const char *e = strchr(p, '"');
    snprintf(out, n, "%.*s", (int)(e - p), p);
    return 1;
}

static int header(const char *headers, const char *name, char *out, size_t n)
{
    const char *p = strcasestr(headers, name);
    if (!p)
        return 0;
    p += strlen(name) + 2;
    const char *e = strpbrk(p, "\r\n");
    snprintf(out, n, "%.*s", (int)(e - p), p);
    return 1;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_taxii_server_discovery__ok(void **state)
{
    (void)state;
    resp r = http("GET", "/taxii2/", bearer(tok_alice), NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: application/taxii+json;version=2.1"));
    assert_non_null(strstr(r.body, "\"api_roots\":[\"http://127.0.0.1:"));
    done(&r);
    r = http("GET", "/api/", "Basic alice:alice-pw", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"max_content_length\":65536"));
    done(&r);
}

static void test_taxii_server_auth__401(void **state)
{
    (void)state;
    const char *bad[] = {NULL, "Basic alice:wrong", "Basic nobody:alice-pw", "Bearer 0123", "Negotiate abc",
                         "Basic", bearer(tok_revoked)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resp r = http("GET", "/taxii2/", bad[i], NULL);
        assert_error(r, 401);
        assert_non_null(strstr(r.headers, "WWW-Authenticate: Basic"));
        done(&r);
    }
    /* Unauthenticated requests learn nothing about collections either. */
    resp r = http("GET", coll_path(intel_id, "objects/"), NULL, NULL);
    assert_error(r, 401);
    done(&r);
}

static void test_taxii_server_auth__403_and_hidden(void **state)
{
    (void)state;
    /* wendy may write but not read: 403 on reads, the collection is listed with can_read false. */
    resp r = http("GET", coll_path(intel_id, "objects/"), bearer(tok_wendy), NULL);
    assert_error(r, 403);
    done(&r);
    r = http("GET", coll_path(intel_id, "manifest/"), bearer(tok_wendy), NULL);
    assert_error(r, 403);
    done(&r);
    /* bob may read but not write. */
    r = http("POST", coll_path(intel_id, "objects/"), bearer(tok_bob), "{\"objects\":[]}");
    assert_error(r, 403);
    done(&r);
    r = http("DELETE", coll_path(intel_id, "objects/indicator--00000001-0000-4000-8000-000000000001/"),
             bearer(tok_bob), NULL);
    assert_error(r, 403);
    done(&r);
    /* dave has no right: the collections are hidden, and addressing them is 404 like a missing one. */
    r = http("GET", "/api/collections/", bearer(tok_dave), NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{}");
    done(&r);
    r = http("GET", coll_path(intel_id, ""), bearer(tok_dave), NULL);
    assert_error(r, 404);
    done(&r);
    r = http("GET", coll_path(intel_id, "objects/"), bearer(tok_dave), NULL);
    assert_error(r, 404);
    done(&r);
    /* alice sees intel and amberdef, not "secret". */
    r = http("GET", "/api/collections/", bearer(tok_alice), NULL);
    assert_int_equal(count_of(r.body, "\"can_read\":true"), 2);
    assert_null(strstr(r.body, "secret"));
    done(&r);
    r = http("GET", "/api/collections/", bearer(tok_wendy), NULL);
    assert_int_equal(count_of(r.body, "\"can_read\":false,\"can_write\":true"), 2);
    done(&r);
}

static void test_taxii_server_negotiation__406_415(void **state)
{
    (void)state;
    resp r = http_port(port, "GET", "/api/", bearer(tok_alice), "text/html", NULL, NULL);
    assert_error(r, 406);
    done(&r);
    r = http_port(port, "GET", "/api/", bearer(tok_alice), "application/taxii+json;version=2.0", NULL, NULL);
    assert_error(r, 406);
    done(&r);
    const char *ok[] = {"application/taxii+json", "*/*", "text/html, application/taxii+json;version=2.1;q=0.5",
                        "application/*"};
    for (size_t i = 0; i < 4; i++) {
        r = http_port(port, "GET", "/api/", bearer(tok_alice), ok[i], NULL, NULL);
        assert_int_equal(r.status, 200);
        done(&r);
    }
    r = http_port(port, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL, "application/json",
                  "{\"objects\":[]}");
    assert_error(r, 415);
    done(&r);
    r = http_port(port, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL,
                  "application/stix+json;version=2.1", "{\"objects\":[]}");
    assert_error(r, 415);
    done(&r);
    r = http("GET", "/nowhere/", bearer(tok_alice), NULL);
    assert_error(r, 404);
    done(&r);
    r = http("PUT", "/api/", bearer(tok_alice), NULL);
    assert_error(r, 405);
    done(&r);
}

static void test_taxii_server_limits__each(void **state)
{
    (void)state;
    /* Body over max_body (64 KiB). */
    size_t n = 70 * 1024;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    memcpy(big, "{\"objects\":[", 12);
    big[n - 2] = ']';
    big[n - 1] = '}';
    big[n] = '\0';
    resp r = http("POST", coll_path(intel_id, "objects/"), bearer(tok_alice), big);
    assert_error(r, 413);
    done(&r);
    free(big);
    /* More objects than max_objects (20). */
    char env[4096];
    size_t k = (size_t)snprintf(env, sizeof env, "{\"objects\":[");
    for (int i = 0; i < 21; i++)
        k += (size_t)snprintf(env + k, sizeof env - k, "%s", i ? ",{}" : "{}");
    snprintf(env + k, sizeof env - k, "]}");
    r = http("POST", coll_path(intel_id, "objects/"), bearer(tok_alice), env);
    assert_error(r, 413);
    assert_non_null(strstr(r.body, "21 objects"));
    done(&r);
    /* A limit above max_page (50) is clamped; no limit gives default_page (40). */
    r = http("GET", coll_path(intel_id, "objects/?limit=500"), bearer(tok_carol), NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(count_of(r.body, "\"type\":\"indicator\""), 50);
    done(&r);
    r = http("GET", coll_path(intel_id, "manifest/"), bearer(tok_carol), NULL);
    assert_int_equal(count_of(r.body, "\"date_added\""), 40);
    done(&r);
    /* Malformed query values. */
    const char *badq[] = {"objects/?limit=0", "objects/?limit=abc", "objects/?added_after=yesterday",
                          "objects/?match%5Bversion%5D=sometimes", "objects/?next=garbage"};
    for (size_t i = 0; i < sizeof badq / sizeof badq[0]; i++) {
        r = http("GET", coll_path(intel_id, badq[i]), bearer(tok_carol), NULL);
        assert_error(r, 400);
        done(&r);
    }
    /* Bad JSON and non-envelopes. */
    r = http("POST", coll_path(intel_id, "objects/"), bearer(tok_alice), "{\"objects\": [");
    assert_error(r, 400);
    done(&r);
    r = http("POST", coll_path(intel_id, "objects/"), bearer(tok_alice), "[1,2]");
    assert_error(r, 422);
    done(&r);
}

static void test_taxii_server_post__mixed_and_status(void **state)
{
    (void)state;
    const char *env =
        "{\"objects\":["
        "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b\","
        "\"created_by_ref\":\"" ORG_A "\",\"created\":\"2024-02-01T00:00:00.000Z\",\"modified\":\"2024-02-01T00:00:00.000Z\","
        "\"name\":\"Cryptolocker\","
        "\"is_family\":true},"
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--not-a-uuid\"},"
        "\"just a string\","
        "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b\","
        "\"created_by_ref\":\"" ORG_A "\",\"created\":\"2024-02-01T00:00:00.000Z\",\"modified\":\"2024-02-02T00:00:00.000Z\","
        "\"name\":\"Cryptolocker\","
        "\"is_family\":true}"
        "]}";
    resp r = http("POST", coll_path(amberdef_id, "objects/"), bearer(tok_alice), env);
    assert_int_equal(r.status, 202);
    assert_non_null(strstr(r.body, "\"total_count\":4"));
    assert_non_null(strstr(r.body, "\"success_count\":2"));
    assert_non_null(strstr(r.body, "\"failure_count\":2"));
    assert_non_null(strstr(r.body, "\"id\":\"indicator--not-a-uuid\",\"message\":\"invalid STIX"));
    assert_non_null(strstr(r.body, "\"id\":\"(object 2)\",\"message\":\"not a JSON object\""));
    char sid[64];
    assert_true(member(r.body, "id", sid, sizeof sid));
    char *first = strdup(r.body);
    done(&r);
    char path[256];
    snprintf(path, sizeof path, "/api/status/%s/", sid);
    r = http("GET", path, bearer(tok_alice), NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, first);
    done(&r);
    free(first);
    /* Another account cannot read alice's status. */
    r = http("GET", path, bearer(tok_bob), NULL);
    assert_error(r, 404);
    done(&r);
    /* Both versions are there; unmarked in "amberdef" = AMBER: bob (recipient) and alice (its author's
     * organisation) see them, carol not. */
    const char *vp = coll_path(amberdef_id, "objects/malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b/versions/");
    r = http("GET", vp, bearer(tok_bob), NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"versions\":[\"2024-02-01T00:00:00.000Z\",\"2024-02-02T00:00:00.000Z\"]"));
    done(&r);
    r = http("GET", vp, bearer(tok_carol), NULL);
    assert_error(r, 404);
    done(&r);
    /* match[version]=first, then DELETE of that version only. */
    const char *op = coll_path(amberdef_id, "objects/malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b/");
    char q[1024];
    snprintf(q, sizeof q, "%s?match%%5Bversion%%5D=first", op);
    r = http("GET", q, bearer(tok_alice), NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "2024-02-01T00:00:00.000Z\",\"name\""));
    done(&r);
    r = http("DELETE", q, bearer(tok_alice), NULL);
    assert_int_equal(r.status, 200);
    done(&r);
    r = http("GET", vp, bearer(tok_alice), NULL);
    assert_non_null(strstr(r.body, "\"versions\":[\"2024-02-02T00:00:00.000Z\"]"));
    done(&r);
    r = http("DELETE", op, bearer(tok_alice), NULL);
    assert_int_equal(r.status, 200);
    done(&r);
    r = http("GET", op, bearer(tok_alice), NULL);
    assert_error(r, 404);
    done(&r);
}

/* Reads every page of a GET (objects or manifest) following next; returns rows (by needle) and pages. */
static int walk(int p, const char *cid, const char *what, const char *tok, int limit, const char *needle, int *pages,
                char *last_hdr, size_t n)
{
    char path[1024], next[128] = "";
    int rows = 0;
    *pages = 0;
    for (;;) {
        snprintf(path, sizeof path, "/api/collections/%s/%s/?limit=%d%s%s", cid, what, limit, next[0] ? "&next=" : "",
                 next);
        resp r = http_port(p, "GET", path, bearer(tok), NULL, NULL, NULL);
        assert_int_equal(r.status, 200);
        rows += count_of(r.body, needle);
        (*pages)++;
        if (last_hdr)
            header(r.headers, "X-TAXII-Date-Added-Last", last_hdr, n);
        int more = strstr(r.body, "\"more\":true") != NULL;
        int has_next = member(r.body, "next", next, sizeof next);
        assert_int_equal(more, has_next);
        done(&r);
        if (!more)
            return rows;
        assert_true(*pages < 100);
    }
}

static void test_taxii_server_paging__pages(void **state)
{
    (void)state;
    int pages;
    /* carol sees the 130 green/unmarked objects, N_RED_CAROL and N_AMBER_BY_C; nothing else. */
    int rows = walk(port, intel_id, "objects", tok_carol, 50, "\"type\":\"indicator\"", &pages, NULL, 0);
    assert_int_equal(rows, NGREEN + 2);
    assert_int_equal(pages, 3);
    /* Exactly a full last page: no empty extra page, more=false (the withheld tail does not show). */
    rows = walk(port, intel_id, "objects", tok_carol, 44, "\"type\":\"indicator\"", &pages, NULL, 0);
    assert_int_equal(rows, NGREEN + 2);
    assert_int_equal(pages, 3);
}

/* Starts `vigil serve` on a free port over the store; returns its pid and port. */
static pid_t spawn_server(int *p)
{
    char log[1100];
    snprintf(log, sizeof log, "%s.serve.log", store_path);
    unlink(log);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stderr);
        (void)f;
        execl(vg_test_bin(), "vigil", "serve", "--store", store_path, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        char *text = NULL;
        FILE *f = fopen(log, "r");
        if (f) {
            char buf[4096] = "";
            size_t k = fread(buf, 1, sizeof buf - 1, f);
            buf[k] = '\0';
            fclose(f);
            text = strstr(buf, "listening on http://127.0.0.1:");
            if (text) {
                *p = (int)strtol(text + strlen("listening on http://127.0.0.1:"), NULL, 10);
                return pid;
            }
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    fail_msg("vigil serve did not start (see %s)", log);
    return -1;
}

static void test_taxii_server_paging__next_on_another_process(void **state)
{
    (void)state;
    int p2 = 0;
    pid_t pid = spawn_server(&p2);
    char path[1024], next[128];
    snprintf(path, sizeof path, "/api/collections/%s/objects/?limit=60", intel_id);
    resp r = http("GET", path, bearer(tok_carol), NULL);
    assert_int_equal(r.status, 200);
    int rows = count_of(r.body, "\"type\":\"indicator\"");
    assert_true(member(r.body, "next", next, sizeof next));
    done(&r);
    for (int hop = 0; hop < 10; hop++) {
        /* Alternate servers: the cursor is all the state there is. */
        snprintf(path, sizeof path, "/api/collections/%s/objects/?limit=60&next=%s", intel_id, next);
        r = http_port(hop % 2 ? port : p2, "GET", path, bearer(tok_carol), NULL, NULL, NULL);
        assert_int_equal(r.status, 200);
        rows += count_of(r.body, "\"type\":\"indicator\"");
        int more = member(r.body, "next", next, sizeof next);
        done(&r);
        if (!more)
            break;
    }
    assert_int_equal(rows, NGREEN + 2);
    /* SIGTERM: the server stops cleanly. */
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* Whether tok can GET object n in collection cid. */
static int sees(const char *cid, const char *tok, int n)
{
    char rest[256];
    snprintf(rest, sizeof rest, "objects/%s/", ind_id(n));
    resp r = http("GET", coll_path(cid, rest), bearer(tok), NULL);
    int ok = r.status == 200;
    if (!ok)
        assert_error(r, 404);
    done(&r);
    return ok;
}

static void test_taxii_server_tlp__rules(void **state)
{
    (void)state;
    /* CLEAR/GREEN (marked or by default): everyone who may read. */
    assert_true(sees(intel_id, tok_carol, 1));
    assert_true(sees(intel_id, tok_carol, 2));
    /* AMBER and AMBER+STRICT: the recipient organisations A and B, not C. */
    assert_true(sees(intel_id, tok_alice, N_AMBER));
    assert_true(sees(intel_id, tok_bob, N_AMBER));
    assert_false(sees(intel_id, tok_carol, N_AMBER));
    assert_true(sees(intel_id, tok_bob, N_STRICT));
    assert_false(sees(intel_id, tok_carol, N_STRICT));
    /* RED: only the object's own recipients (organisation B; the account carol). */
    assert_true(sees(intel_id, tok_bob, N_RED_B));
    assert_false(sees(intel_id, tok_alice, N_RED_B));
    assert_false(sees(intel_id, tok_carol, N_RED_B));
    assert_true(sees(intel_id, tok_carol, N_RED_CAROL));
    assert_false(sees(intel_id, tok_bob, N_RED_CAROL));
    /* The author's organisation sees its own AMBER object. */
    assert_true(sees(intel_id, tok_carol, N_AMBER_BY_C));
    /* Unmarked in a collection whose default is AMBER (recipients B). */
    assert_true(sees(amberdef_id, tok_bob, N_UNMARKED_AMB));
    assert_false(sees(amberdef_id, tok_carol, N_UNMARKED_AMB));
    assert_false(sees(amberdef_id, tok_alice, N_UNMARKED_AMB));
    assert_true(sees(amberdef_id, tok_carol, N_GREEN_AMB));
}

static void test_taxii_server_tlp__not_betrayed(void **state)
{
    (void)state;
    /* Manifest counts match what each reader may see. */
    int pages;
    char last_c[64] = "", last_b[64] = "";
    assert_int_equal(walk(port, intel_id, "manifest", tok_carol, 50, "\"date_added\"", &pages, last_c, sizeof last_c),
                     NGREEN + 2);
    assert_int_equal(walk(port, intel_id, "manifest", tok_bob, 50, "\"date_added\"", &pages, last_b, sizeof last_b),
                     NGREEN + 5);
    /* The last object is AMBER: carol's X-TAXII-Date-Added-Last is earlier than bob's. */
    assert_true(last_c[0] && last_b[0]);
    assert_true(strcmp(last_c, last_b) < 0);
    /* Filtering by id on a withheld object: an empty page, more=false, no headers. */
    char rest[256];
    snprintf(rest, sizeof rest, "objects/?match%%5Bid%%5D=%s", ind_id(N_AMBER));
    resp r = http("GET", coll_path(intel_id, rest), bearer(tok_carol), NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"more\":false}");
    assert_null(strcasestr(r.headers, "X-TAXII-Date-Added"));
    done(&r);
    /* A page that ends right before withheld objects says more=false to carol. */
    snprintf(rest, sizeof rest, "objects/?added_after=%s", last_c);
    r = http("GET", coll_path(intel_id, rest), bearer(tok_carol), NULL);
    assert_string_equal(r.body, "{\"more\":false}");
    done(&r);
    /* Versions and DELETE of a withheld object: 404, as if absent. */
    snprintf(rest, sizeof rest, "objects/%s/versions/", ind_id(N_RED_B));
    r = http("GET", coll_path(intel_id, rest), bearer(tok_alice), NULL);
    assert_error(r, 404);
    done(&r);
    snprintf(rest, sizeof rest, "objects/%s/", ind_id(N_RED_B));
    r = http("DELETE", coll_path(intel_id, rest), bearer(tok_alice), NULL);
    assert_error(r, 404);
    done(&r);
    assert_true(sees(intel_id, tok_bob, N_RED_B));
}

static void test_taxii_server_rate__429(void **state)
{
    (void)state;
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.threads = 1;
    cfg.rate = 2;
    taxii_server *s2;
    vg_error err = {0};
    must(taxii_server_start(&cfg, &s2, &err), &err);
    int p2 = taxii_server_port(s2), limited = 0;
    for (int i = 0; i < 8; i++) {
        resp r = http_port(p2, "GET", "/taxii2/", bearer(tok_bob), NULL, NULL, NULL);
        if (r.status == 429) {
            assert_error(r, 429);
            limited++;
        } else {
            assert_int_equal(r.status, 200);
        }
        done(&r);
    }
    assert_true(limited >= 1);
    taxii_server_stop(s2, 1000);
}

/*
 * The caches (tokens, Basic credentials, collection views, pages) are used,
 * and any change to the store - made here through another connection, as
 * 'vigil token revoke' or 'vigil import' would - is seen by the very next
 * request: a new object, a removed right, a revoked token, a changed password.
 * One worker thread, so every request meets the same caches.
 */
static void test_taxii_server_cache__changes_seen_at_once(void **state)
{
    (void)state;
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.threads = 1;
    taxii_server *s2;
    vg_error err = {0};
    must(taxii_server_start(&cfg, &s2, &err), &err);
    int p2 = taxii_server_port(s2);
    store *s;
    must(store_open(store_path, 0, &s, &err), &err);
    const char *path = coll_path(intel_id, "objects/?limit=1000");
    taxii_server_stats st0, st1;

    /* A page twice: the second answer comes from the cache, byte for byte. */
    resp a = http_port(p2, "GET", path, bearer(tok_bob), NULL, NULL, NULL);
    assert_int_equal(a.status, 200);
    taxii_server_stats_get(s2, &st0);
    resp b = http_port(p2, "GET", path, bearer(tok_bob), NULL, NULL, NULL);
    taxii_server_stats_get(s2, &st1);
    assert_int_equal(b.status, 200);
    assert_string_equal(a.body, b.body);
    assert_int_equal(st1.page_hits, st0.page_hits + 1);
    assert_int_equal(st1.auth_hits, st0.auth_hits + 1);
    /* Another account, same URL: its own answer (carol sees no AMBER of intel). */
    resp cr = http_port(p2, "GET", path, bearer(tok_carol), NULL, NULL, NULL);
    assert_int_equal(cr.status, 200);
    assert_null(strstr(cr.body, ind_id(N_AMBER)));
    assert_non_null(strstr(a.body, ind_id(N_AMBER)));
    done(&cr);

    /* A new object: the next answer has it. */
    must(store_begin(s, &err), &err);
    put_indicator(s, "intel", 3000, NULL, NULL);
    must(store_commit(s, &err), &err);
    resp c = http_port(p2, "GET", path, bearer(tok_bob), NULL, NULL, NULL);
    assert_int_equal(c.status, 200);
    assert_non_null(strstr(c.body, ind_id(3000)));
    assert_null(strstr(b.body, ind_id(3000)));
    done(&a);
    done(&b);
    done(&c);

    /* A removed right: 404 at once; given back: 200 at once. */
    grant(s, "bob", "intel", 0);
    resp d = http_port(p2, "GET", path, bearer(tok_bob), NULL, NULL, NULL);
    assert_error(d, 404);
    done(&d);
    grant(s, "bob", "intel", STORE_RIGHT_READ);
    d = http_port(p2, "GET", path, bearer(tok_bob), NULL, NULL, NULL);
    assert_int_equal(d.status, 200);
    done(&d);

    /* A token used (so cached), then revoked: 401 at once. */
    char tok[65], tid[TAXII_TOKEN_ID_LEN + 1], th[65];
    must(taxii_token_new(tok, tid, th, &err), &err);
    must(store_token_add(s, "bob", tid, th, "cache test", &err), &err);
    for (int i = 0; i < 2; i++) {
        resp e = http_port(p2, "GET", "/taxii2/", bearer(tok), NULL, NULL, NULL);
        assert_int_equal(e.status, 200);
        done(&e);
    }
    must(store_token_revoke(s, tid, &err), &err);
    resp e = http_port(p2, "GET", "/taxii2/", bearer(tok), NULL, NULL, NULL);
    assert_error(e, 401);
    done(&e);

    /* Basic: argon2 verifies once; the next request, even after an unrelated change, does not pay for it. */
    taxii_server_stats_get(s2, &st0);
    resp f = http_port(p2, "GET", "/taxii2/", "Basic alice:alice-pw", NULL, NULL, NULL);
    assert_int_equal(f.status, 200);
    done(&f);
    grant(s, "carol", "secret", STORE_RIGHT_READ); /* changes the store, not alice */
    f = http_port(p2, "GET", "/taxii2/", "Basic alice:alice-pw", NULL, NULL, NULL);
    assert_int_equal(f.status, 200);
    done(&f);
    taxii_server_stats_get(s2, &st1);
    assert_int_equal(st1.argon2, st0.argon2 + 1);
    /* A wrong password is never cached: it pays argon2 each time and stays 401. */
    for (int i = 0; i < 2; i++) {
        f = http_port(p2, "GET", "/taxii2/", "Basic alice:wrong", NULL, NULL, NULL);
        assert_error(f, 401);
        done(&f);
    }
    taxii_server_stats_get(s2, &st0);
    assert_int_equal(st0.argon2, st1.argon2 + 2);
    /* The password changed: the cached credentials stop at once, the new ones work. */
    char h[TAXII_PWHASH_MAX];
    must(taxii_password_hash("alice-pw2", h, &err), &err);
    must(store_account_set_password(s, "alice", h, &err), &err);
    f = http_port(p2, "GET", "/taxii2/", "Basic alice:alice-pw", NULL, NULL, NULL);
    assert_error(f, 401);
    done(&f);
    f = http_port(p2, "GET", "/taxii2/", "Basic alice:alice-pw2", NULL, NULL, NULL);
    assert_int_equal(f.status, 200);
    done(&f);
    must(taxii_password_hash("alice-pw", h, &err), &err);
    must(store_account_set_password(s, "alice", h, &err), &err);
    grant(s, "carol", "secret", 0);
    store_close(s);
    taxii_server_stop(s2, 1000);
}

/*
 * A large envelope goes through the parallel preparation: 600 objects, every
 * 50th invalid; the status lists successes and failures in envelope order,
 * each stored object reads back as sent, and a key twice in one object
 * refuses the whole body.
 */
static void test_taxii_server_post__large_envelope(void **state)
{
    (void)state;
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.threads = 1;
    cfg.max_objects = 1000;
    taxii_server *s2;
    vg_error err = {0};
    must(taxii_server_start(&cfg, &s2, &err), &err);
    int p2 = taxii_server_port(s2);
    size_t cap = 600 * 400 + 64, k = 0;
    char *env = malloc(cap);
    k += (size_t)snprintf(env + k, cap - k, "{\"objects\": [\n");
    for (int i = 0; i < 600; i++)
        k += (size_t)snprintf(env + k, cap - k,
                              "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
                              "\"modified\":\"2024-05-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value = '10.9.%d.%d']\","
                              "\"pattern_type\":\"stix\",\"valid_from\":\"2024-05-01T00:00:00Z\",\"confidence\": %d}\n",
                              i ? ", " : "", ind_id(4000 + i), i % 50 == 7 ? "never" : "2024-05-01T00:00:00.000Z",
                              i / 250, i % 250, i % 100);
    snprintf(env + k, cap - k, "], \"more\": false}");
    resp r = http_port(p2, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL, NULL, env);
    assert_int_equal(r.status, 202);
    assert_non_null(strstr(r.body, "\"success_count\":588,"));
    assert_non_null(strstr(r.body, "\"failure_count\":12,"));
    /* Envelope order: the first failure is object 7, the first success object 0. */
    const char *f = strstr(r.body, "\"failures\":[{\"id\":\""), *sc = strstr(r.body, "\"successes\":[{\"id\":\"");
    assert_non_null(f);
    assert_non_null(sc);
    assert_memory_equal(f + strlen("\"failures\":[{\"id\":\""), ind_id(4007), strlen(ind_id(4007)));
    assert_memory_equal(sc + strlen("\"successes\":[{\"id\":\""), ind_id(4000), strlen(ind_id(4000)));
    done(&r);
    /* Stored as sent, without the white space. */
    char rest[256], want[512];
    snprintf(rest, sizeof rest, "objects/%s/", ind_id(4599));
    r = http_port(p2, "GET", coll_path(intel_id, rest), bearer(tok_alice), NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof want, "\"pattern\":\"[ipv4-addr:value = '10.9.2.99']\",\"pattern_type\":\"stix\","
             "\"valid_from\":\"2024-05-01T00:00:00Z\",\"confidence\":99}");
    assert_non_null(strstr(r.body, want));
    done(&r);
    /*
     * A key twice in one object of a large envelope: the body is refused whole, nothing stored. Several
     * times, at several places: the helpers are stopped while others prepare chunks (a race once freed a
     * chunk a helper was still writing).
     */
    /* Object 4000 gets a new version in the bodies refused below: it must not be stored. */
    char *mod = strstr(strstr(env, ind_id(4000)), "\"modified\":\"2024-05-01");
    memcpy(mod, "\"modified\":\"2024-05-02", strlen("\"modified\":\"2024-05-02"));
    int at[] = {300, 70, 590, 130, 450};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char *dup = strstr(strstr(env, ind_id(4000 + at[i])), "\"pattern_type\"");
        memcpy(dup, "\"pattern\"     ", 14); /* "pattern" twice, the JSON otherwise well formed */
        r = http_port(p2, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL, NULL, env);
        assert_error(r, 400);
        assert_non_null(strstr(r.body, "duplicate"));
        done(&r);
        memcpy(dup, "\"pattern_type\"", 14);
    }
    /*
     * An object that is not JSON (its brackets and quotes in place, so the scanner delimits it; then its
     * quotes off balance): 400 with jansson's message for the whole body, line and column, nothing stored.
     */
    const char *bad[] = {"\"pattern_type\": stix ", "\"pattern_type\":\"st\"x\""};
    char *pt = strstr(strstr(env, ind_id(4321)), "\"pattern_type\":\"stix\"");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(pt, bad[i], strlen(bad[i]));
        r = http_port(p2, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL, NULL, env);
        assert_error(r, 400);
        assert_non_null(strstr(r.body, "not valid JSON"));
        assert_non_null(strstr(r.body, "line"));
        done(&r);
        memcpy(pt, "\"pattern_type\":\"stix\"", strlen(bad[i]));
    }
    snprintf(rest, sizeof rest, "objects/%s/versions/", ind_id(4000));
    r = http_port(p2, "GET", coll_path(intel_id, rest), bearer(tok_alice), NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"versions\":[\"2024-05-01T00:00:00.000Z\"]")); /* the first POST's only */
    done(&r);
    /* The same body without the faults stores that version. */
    r = http_port(p2, "POST", coll_path(intel_id, "objects/"), bearer(tok_alice), NULL, NULL, env);
    assert_int_equal(r.status, 202);
    done(&r);
    r = http_port(p2, "GET", coll_path(intel_id, rest), bearer(tok_alice), NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "\"versions\":[\"2024-05-01T00:00:00.000Z\",\"2024-05-02T00:00:00.000Z\"]"));
    done(&r);
    free(env);
    taxii_server_stop(s2, 1000);
}

/* The rows of a collection (every version, or the latest) as one text, in order of arrival. */
static char *collection_rows(store *s, const char *coll, int versions)
{
    store_query q = {.collection = coll, .versions = versions};
    store_iter *it;
    vg_error err = {0};
    must(store_query_open(s, &q, &it, &err), &err);
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    store_row row;
    int r;
    while ((r = store_iter_next(it, &row, &err)) == 1) {
        size_t need = strlen(row.id) + strlen(row.type) + strlen(row.spec_version) + strlen(row.version) +
                      row.json_len + 8;
        if (len + need + 1 > cap)
            out = realloc(out, cap = 2 * cap + need);
        len += (size_t)snprintf(out + len, cap - len, "%s|%s|%s|%s|%.*s\n", row.id, row.type, row.spec_version,
                                row.version, (int)row.json_len, row.json);
    }
    assert_int_equal(r, 0);
    store_iter_free(it);
    out[len] = '\0';
    return out;
}

/*
 * The three ways into POST give the same result object by object: the fast
 * one (the scanner vouches for the body; trees built by the scanner, texts
 * compacted, prepared on several threads while stored), the parsed body
 * with the objects' texts found (a container beside "objects"), and the
 * parsed body without them (a \u escape beside "objects": every text
 * dumped). The envelope mixes new objects, texts the scanner leaves to
 * jansson (\u and \/ escapes, real numbers), invalid STIX, values that are
 * not objects, objects without id, duplicates of earlier objects, newer
 * and older versions of them; the status (successes, failures, messages)
 * and the stored rows (every version, and the latest ones) must be equal.
 */
/* The server's log lines that tell which way a POST took. */
static char post_ways[3][32];
static int npost_ways;

static void log_way(int level, const char *msg, void *ctx)
{
    (void)level;
    (void)ctx;
    const char *w = strstr(msg, "(from ");
    if (w && npost_ways < 3)
        snprintf(post_ways[npost_ways++], sizeof post_ways[0], "%.*s", (int)strcspn(w, ")") + 1, w);
}

static void test_taxii_server_post__every_way_agrees(void **state)
{
    (void)state;
    enum { N = 700 };
    size_t cap = (size_t)N * 700 + 256;
    char *objs = malloc(cap);
    size_t k = 0;
    for (int i = 0; i < N; i++) {
        int base = 6000 + i - i % 16; /* objects 7..9 of each run of 16 refer back to its first */
        const char *extra = "";
        char created[40] = "2024-05-01T00:00:00.000Z", modified[40] = "2024-05-01T00:00:00.000Z", id[80];
        snprintf(id, sizeof id, "%s", ind_id(6000 + i));
        switch (i % 16) {
        case 1:
            extra = ",\"name\":\"q\\\"b\\\\s\\n\\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"labels\":[\"a\",\"b\"]";
            break;
        case 2: extra = ",\"name\":\"\\u00e9t\\u00e9\""; break;
        case 3: extra = ",\"x_score\":2.50,\"x_n\":-0"; break;
        case 4: extra = ",\"description\":\"http:\\/\\/example.com\\/a\""; break;
        case 5: snprintf(created, sizeof created, "never"); break;
        case 7: snprintf(id, sizeof id, "%s", ind_id(base)); break; /* the same version again */
        case 8: /* a newer version */
            snprintf(id, sizeof id, "%s", ind_id(base));
            snprintf(modified, sizeof modified, "2024-06-01T00:00:00.000Z");
            break;
        case 9: /* an older version */
            snprintf(id, sizeof id, "%s", ind_id(base + 1));
            snprintf(created, sizeof created, "2024-04-01T00:00:00.000Z");
            snprintf(modified, sizeof modified, "2024-04-15T00:00:00.000Z");
            break;
        case 12:
            extra = ",\"external_references\":[{\"source_name\":\"x\",\"url\":\"https://example.com/a\","
                    "\"external_id\":\"T1\"}],\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\","
                    "\"phase_name\":\"execution\"}]";
            break;
        default: break;
        }
        if (i % 16 == 6) {
            static const char *not_objects[] = {"42", "\"a string\"", "[1,{\"a\":2}]", "null", "true", "-7"};
            k += (size_t)snprintf(objs + k, cap - k, "%s%s", i ? ",\n " : "", not_objects[i / 16 % 6]);
            continue;
        }
        k += (size_t)snprintf(objs + k, cap - k,
                              "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\"%s%s%s,\"created\":\"%s\","
                              "\"modified\":\"%s\",\"pattern\":\"[ipv4-addr:value = '10.8.%d.%d']\","
                              "\"pattern_type\":\"stix\",\"valid_from\":\"2024-05-01T00:00:00Z\"%s}",
                              i ? ",\n " : "", i % 16 == 10 ? "" : ",\"id\":\"", i % 16 == 10 ? "" : id,
                              i % 16 == 10 ? "" : "\"", created, modified, i / 250, i % 250, extra);
    }
    const char *shapes[] = {"{\"objects\":[%s]}", "{\"objects\":[%s],\"x_extra\":{\"a\":[1]}}",
                            "{\"x_note\":\"\\u0041\",\"objects\":[%s]}"};
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.max_objects = 1000;
    taxii_server *s2;
    store *s;
    vg_error err = {0};
    must(taxii_server_start(&cfg, &s2, &err), &err);
    must(store_open(store_path, 0, &s, &err), &err);
    vg_log_set(log_way, NULL, VG_LOG_INFO);
    char *status[3], *all[3], *last[3];
    for (int w = 0; w < 3; w++) {
        char name[16], cid[40];
        snprintf(name, sizeof name, "way%d", w);
        collection(s, name, "green", "", cid);
        grant(s, "alice", name, STORE_RIGHT_READ | STORE_RIGHT_WRITE);
        size_t blen = k + 128;
        char *body = malloc(blen);
        snprintf(body, blen, shapes[w], objs);
        resp r = http_port(taxii_server_port(s2), "POST", coll_path(cid, "objects/"), bearer(tok_alice), NULL, NULL,
                           body);
        if (r.status != 202)
            fail_msg("way %d: HTTP %ld: %s", w, r.status, r.body);
        status[w] = strdup(strstr(r.body, "\"total_count\""));
        done(&r);
        free(body);
        all[w] = collection_rows(s, name, STORE_VER_ALL);
        last[w] = collection_rows(s, name, STORE_VER_LAST);
    }
    vg_log_set(NULL, NULL, VG_LOG_INFO);
    assert_int_equal(npost_ways, 3);
    assert_string_equal(post_ways[0], "(from their texts)");
    assert_string_equal(post_ways[1], "(from the parsed body)");
    assert_string_equal(post_ways[2], "(from the parsed body)");
    /* Not a vacuous comparison: each kind of outcome is there. */
    assert_non_null(strstr(status[0], "\"total_count\":700,"));
    assert_non_null(strstr(status[0], "\"message\":\"already stored\""));
    assert_non_null(strstr(status[0], "\"message\":\"not a JSON object\""));
    assert_non_null(strstr(status[0], "\"message\":\"invalid STIX"));
    assert_non_null(strstr(status[0], "{\"id\":\"(object 10)\""));
    assert_non_null(strstr(all[0], "\"name\":\"\xc3\xa9t\xc3\xa9\""));
    assert_non_null(strstr(all[0], "\"description\":\"http://example.com/a\""));
    assert_true(strlen(all[0]) > strlen(last[0]));
    for (int w = 1; w < 3; w++) {
        assert_string_equal(status[w], status[0]);
        assert_string_equal(all[w], all[0]);
        assert_string_equal(last[w], last[0]);
    }
    for (int w = 0; w < 3; w++) {
        free(status[w]);
        free(all[w]);
        free(last[w]);
    }
    /* The checkpointer copies the log the POSTs wrote (poked after each commit). */
    taxii_server_stats st = {0};
    for (int i = 0; i < 500 && !st.checkpoints; i++) {
        taxii_server_stats_get(s2, &st);
        usleep(10000);
    }
    assert_true(st.checkpoints > 0);
    store_close(s);
    taxii_server_stop(s2, 1000);
    free(objs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxii_server_discovery__ok),
        cmocka_unit_test(test_taxii_server_auth__401),
        cmocka_unit_test(test_taxii_server_auth__403_and_hidden),
        cmocka_unit_test(test_taxii_server_negotiation__406_415),
        cmocka_unit_test(test_taxii_server_limits__each),
        cmocka_unit_test(test_taxii_server_post__mixed_and_status),
        cmocka_unit_test(test_taxii_server_paging__pages),
        cmocka_unit_test(test_taxii_server_paging__next_on_another_process),
        cmocka_unit_test(test_taxii_server_tlp__rules),
        cmocka_unit_test(test_taxii_server_tlp__not_betrayed),
        cmocka_unit_test(test_taxii_server_rate__429),
        cmocka_unit_test(test_taxii_server_cache__changes_seen_at_once),
        cmocka_unit_test(test_taxii_server_post__large_envelope),
        cmocka_unit_test(test_taxii_server_post__every_way_agrees),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
