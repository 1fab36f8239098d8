/*
 * test_cases.c - the data-driven TAXII suite: every file in
 * tests/taxii/cases/ (in name order) is one HTTP request and what its answer
 * must be, run against a server this program starts over a store it fills
 * (accounts, collections, objects: see fixture()). The format, documented in
 * tests/taxii/cases/README.md:
 *
 *     # what the case checks (comment lines start with '#')
 *     @server limited                     (optional: the rate-limited server)
 *     @repeat 3                           (optional: send it 3 times, keep the
 *                                          first answer with the expected status)
 *     GET /api/collections/{coll:intel}/objects/?limit=2
 *     Authorization: Bearer {token:bob}
 *                                         (blank line, then the body, if any)
 *     === 200
 *     Content-Type: application/taxii+json;version=2.1     (header has this text)
 *     X-TAXII-Date-Added-First:                            (header is present)
 *     !X-TAXII-Date-Added-Last                             (header is absent)
 *     $.more == true                                       (JSON value equals)
 *     $.objects.length == 2                                (array/object size)
 *     $.next exists / $.next absent
 *     $.description contains "limit"                       (string contains)
 *     $.id -> status                                       (keep it as {var:status})
 *
 * Placeholders, in the request and the expectations: {coll:NAME} a collection id, {token:NAME} an
 * account's bearer token, {basic:NAME} the base64 of NAME:NAME-pw, {id:N}
 * indicator N's id, {var:NAME} a kept value, {repeat:N:TEXT} TEXT N times.
 * A request without Accept gets the TAXII media type, a body without
 * Content-Type gets it too ("Content-Type: none" sends none).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "taxii/taxii.h"
#include "vg_test.h"

#define MAXVARS 16

static char store_path[1000];
static taxii_server *srv, *limited;

/* Accounts of the fixture: name, organisation, rights on intel and amberdef; each has a token and password NAME-pw. */
static struct acct {
    const char *name;  /* account name */
    const char *org;   /* its organisation */
    int rights;        /* on intel and amberdef */
    char token[65];    /* its bearer token */
} accounts[] = {
    {"alice", "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", STORE_RIGHT_READ | STORE_RIGHT_WRITE, ""},
    {"bob", "identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", STORE_RIGHT_READ, ""},
    {"carol", "identity--cccccccc-cccc-4ccc-8ccc-cccccccccccc", STORE_RIGHT_READ, ""},
    {"wendy", "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", STORE_RIGHT_WRITE, ""},
    {"dave", "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 0, ""},
};

/* Collections of the fixture: name, default TLP, recipients, and its id once made. */
static struct coll {
    const char *name;       /* collection name */
    const char *tlp;        /* default TLP */
    const char *recipients; /* AMBER recipients */
    char id[40];            /* its UUID */
} colls[] = {
    {"intel", "green", "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", ""},
    {"amberdef", "amber", "identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", ""},
    {"secret", "green", "", ""},
};

/* Values kept by "-> NAME" assertions. */
static struct {
    char name[32];   /* variable name */
    char value[256]; /* its value */
} vars[MAXVARS];

static void must(int rc, const vg_error *err)
{
    if (rc)
        fail_msg("%s (%s)", err->msg, err->where);
}

static const char *ind_id(int n)
{
    static char id[80];
    snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012x", (unsigned)n, (unsigned)n);
    return id;
}

/* Indicator n in coll, with a version (modified), a marking id (NULL: none) and extra members. */
static void put(store *s, const char *coll, int n, const char *modified, const char *marking, const char *extra)
{
    char json[2048], marks[160] = "";
    if (marking)
        snprintf(marks, sizeof marks, ",\"object_marking_refs\":[\"%s\"]", marking);
    snprintf(json, sizeof json,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"2024-01-01T00:00:00.000Z\","
             "\"modified\":\"%s\",\"pattern\":\"[ipv4-addr:value = '10.0.0.%d']\",\"pattern_type\":\"stix\","
             "\"valid_from\":\"2024-01-01T00:00:00Z\"%s%s}",
             ind_id(n), modified, n % 250, marks, extra ? extra : "");
    store_object o = {.id = ind_id(n), .type = "indicator", .spec_version = "2.1", .json = json,
                      .json_len = strlen(json), .has_version = 1};
    vg_time_parse(modified, strlen(modified), VG_TIME_STIX, &o.version, NULL);
    int ins = 0;
    vg_error err = {0};
    must(store_put(s, coll, &o, &ins, &err), &err);
}

/*
 * The store: intel holds indicators 1-12 (GREEN or unmarked), indicator 1 in
 * two versions, 100 AMBER, 101 RED for account carol; amberdef holds 200
 * (unmarked, so AMBER) and 201 (GREEN).
 */
static void fixture(void)
{
    store *s;
    vg_error err = {0};
    must(store_open(store_path, STORE_CREATE, &s, &err), &err);
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        char pw[64], hash[TAXII_PWHASH_MAX], id[TAXII_TOKEN_ID_LEN + 1], th[65];
        snprintf(pw, sizeof pw, "%s-pw", accounts[i].name);
        must(taxii_password_hash(pw, hash, &err), &err);
        must(store_account_add(s, accounts[i].name, accounts[i].org, hash, &err), &err);
        must(taxii_token_new(accounts[i].token, id, th, &err), &err);
        must(store_token_add(s, accounts[i].name, id, th, "cases", &err), &err);
    }
    for (size_t i = 0; i < sizeof colls / sizeof colls[0]; i++) {
        store_share sh = {0};
        snprintf(sh.name, sizeof sh.name, "%s", colls[i].name);
        snprintf(sh.default_tlp, sizeof sh.default_tlp, "%s", colls[i].tlp);
        snprintf(sh.recipients, sizeof sh.recipients, "%s", colls[i].recipients);
        must(store_share_set(s, &sh, 1, &err), &err);
        snprintf(colls[i].id, sizeof colls[i].id, "%s", sh.id);
    }
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
        for (int c = 0; c < 2 && accounts[i].rights; c++)
            must(store_right_set(s, accounts[i].name, colls[c].name, accounts[i].rights, &err), &err);
    must(store_begin(s, &err), &err);
    put(s, "intel", 1, "2024-01-01T00:00:00.000Z", NULL, NULL);
    for (int n = 2; n <= 12; n++)
        put(s, "intel", n, "2024-01-01T00:00:00.000Z", n % 2 ? taxii_tlp_marking_id(TAXII_TLP_GREEN) : NULL, NULL);
    put(s, "intel", 1, "2024-02-01T00:00:00.000Z", NULL, ",\"name\":\"second version\"");
    put(s, "intel", 100, "2024-01-01T00:00:00.000Z", taxii_tlp_marking_id(TAXII_TLP_AMBER), NULL);
    put(s, "intel", 101, "2024-01-01T00:00:00.000Z", taxii_tlp_marking_id(TAXII_TLP_RED),
        ",\"x_vigil_recipients\":[\"account:carol\"]");
    put(s, "amberdef", 200, "2024-01-01T00:00:00.000Z", NULL, NULL);
    put(s, "amberdef", 201, "2024-01-01T00:00:00.000Z", taxii_tlp_marking_id(TAXII_TLP_GREEN), NULL);
    must(store_commit(s, &err), &err);
    store_close(s);
}

static taxii_server *serve(int rate)
{
    taxii_config cfg;
    taxii_server *s;
    vg_error err = {0};
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", store_path);
    cfg.port = 0;
    cfg.threads = 2;
    cfg.max_body = 64 * 1024;
    cfg.max_objects = 5;
    cfg.max_page = 50;
    cfg.default_page = 10;
    cfg.max_header = 8 * 1024;
    cfg.rate = rate;
    must(taxii_server_start(&cfg, &s, &err), &err);
    return s;
}

/* ---- placeholders ------------------------------------------------------------ */

static const char *lookup(const char *kind, const char *arg, char *tmp, size_t n)
{
    if (strcmp(kind, "coll") == 0) {
        for (size_t i = 0; i < sizeof colls / sizeof colls[0]; i++)
            if (strcmp(colls[i].name, arg) == 0)
                return colls[i].id;
    } else if (strcmp(kind, "token") == 0 || strcmp(kind, "basic") == 0) {
        for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
            if (strcmp(accounts[i].name, arg) != 0)
                continue;
            if (kind[0] == 't')
                return accounts[i].token;
            char plain[128];
            int k = snprintf(plain, sizeof plain, "%s:%s-pw", arg, arg);
            EVP_EncodeBlock((unsigned char *)tmp, (const unsigned char *)plain, k);
            return tmp;
        }
    } else if (strcmp(kind, "id") == 0) {
        snprintf(tmp, n, "%s", ind_id((int)strtol(arg, NULL, 10)));
        return tmp;
    } else if (strcmp(kind, "var") == 0) {
        for (int i = 0; i < MAXVARS; i++)
            if (strcmp(vars[i].name, arg) == 0)
                return vars[i].value;
    }
    return NULL;
}

/* Expands the placeholders of line into out. */
static void expand(const char *file, const char *line, vg_buf *out)
{
    static const char *const kinds[] = {"coll", "token", "basic", "id", "var", "repeat"};
    for (const char *p = line; *p;) {
        /* {KIND:ARG} with a known KIND; any other brace is text (JSON bodies have many). */
        size_t kl = *p == '{' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyz") : 0;
        const char *colon = kl && p[1 + kl] == ':' ? p + 1 + kl : NULL, *close = colon ? strchr(colon, '}') : NULL;
        int known = 0;
        for (size_t i = 0; close && i < sizeof kinds / sizeof kinds[0]; i++)
            known |= strlen(kinds[i]) == kl && strncmp(kinds[i], p + 1, kl) == 0;
        if (!known) {
            vg_buf_putc(out, *p++);
            continue;
        }
        char kind[16], arg[256], tmp[256];
        snprintf(kind, sizeof kind, "%.*s", (int)(colon - p - 1), p + 1);
        snprintf(arg, sizeof arg, "%.*s", (int)(close - colon - 1), colon + 1);
        if (strcmp(kind, "repeat") == 0) {
            char *text;
            long times = strtol(arg, &text, 10);
            for (long i = 0; *text == ':' && i < times; i++)
                vg_buf_puts(out, text + 1);
        } else {
            const char *v = lookup(kind, arg, tmp, sizeof tmp);
            if (!v)
                fail_msg("%s: unknown placeholder {%s:%s}", file, kind, arg);
            vg_buf_puts(out, v);
        }
        p = close + 1;
    }
}

/* ---- HTTP ----------------------------------------------------------------------- */

typedef struct answer {
    long status;  /* HTTP status */
    vg_buf body;  /* body */
    vg_buf head;  /* raw headers */
} answer;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    vg_buf_append(ctx, p, size * n);
    return size * n;
}

/* ---- assertions ------------------------------------------------------------------ */

/* The value at a path like $.objects[0].id, or NULL. */
static json_t *at(json_t *root, const char *path)
{
    json_t *v = root;
    const char *p = path + 1;
    while (v && *p) {
        char key[128];
        if (*p == '.') {
            size_t n = strcspn(p + 1, ".[");
            snprintf(key, sizeof key, "%.*s", (int)n, p + 1);
            v = json_object_get(v, key);
            p += 1 + n;
        } else if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            v = *end == ']' ? json_array_get(v, (size_t)i) : NULL;
            p = *end == ']' ? end + 1 : "";
        } else {
            return NULL;
        }
    }
    return v;
}

/* One "$..." assertion line against the body. */
static void check_json(const char *file, const char *line, const answer *a)
{
    json_error_t je;
    json_t *root = json_loadb(a->body.data ? a->body.data : "", a->body.len, 0, &je);
    if (!root)
        fail_msg("%s: the body is not JSON (%s): %.300s", file, je.text, a->body.data ? a->body.data : "");
    char path[256], op[16];
    int k = 0;
    if (sscanf(line, "%255s %15s %n", path, op, &k) < 2)
        fail_msg("%s: cannot read the assertion \"%s\"", file, line);
    const char *want = line + k;
    int length = 0;
    size_t pl = strlen(path);
    if (pl > 7 && strcmp(path + pl - 7, ".length") == 0) {
        path[pl - 7] = '\0';
        length = 1;
    }
    json_t *v = at(root, path);
    if (strcmp(op, "exists") == 0 || strcmp(op, "absent") == 0) {
        if ((v != NULL) != (op[0] == 'e'))
            fail_msg("%s: %s should be %s: %.300s", file, path, op, a->body.data);
    } else if (strcmp(op, "->") == 0) {
        const char *s = json_string_value(v);
        if (!s)
            fail_msg("%s: %s is not a string to keep", file, path);
        for (int i = 0; i < MAXVARS; i++)
            if (!vars[i].name[0] || strcmp(vars[i].name, want) == 0) {
                snprintf(vars[i].name, sizeof vars[i].name, "%s", want);
                snprintf(vars[i].value, sizeof vars[i].value, "%s", s);
                break;
            }
    } else if (strcmp(op, "contains") == 0) {
        json_t *needle = json_loads(want, JSON_DECODE_ANY, NULL);
        if (!json_string_value(v) || !json_string_value(needle) ||
            !strstr(json_string_value(v), json_string_value(needle)))
            fail_msg("%s: %s does not contain %s: %.300s", file, path, want, a->body.data);
        json_decref(needle);
    } else if (strcmp(op, "==") == 0) {
        if (length) {
            long n = strtol(want, NULL, 10);
            size_t size = json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : (size_t)-1;
            if (size != (size_t)n)
                fail_msg("%s: %s has %zd elements, not %ld: %.300s", file, path, (ssize_t)size, n, a->body.data);
        } else {
            json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
            if (!w)
                fail_msg("%s: \"%s\" is not a JSON value", file, want);
            if (!json_equal(v, w))
                fail_msg("%s: %s is not %s: %.300s", file, path, want, a->body.data);
            json_decref(w);
        }
    } else {
        fail_msg("%s: unknown operator \"%s\"", file, op);
    }
    json_decref(root);
}

/* One header assertion: "Name: text" (present, containing text) or "!Name" (absent). */
static void check_header(const char *file, const char *line, const answer *a)
{
    int absent = line[0] == '!';
    const char *name = line + absent, *colon = strchr(name, ':');
    size_t n = colon ? (size_t)(colon - name) : strlen(name);
    const char *want = colon ? colon + 1 : "";
    while (*want == ' ')
        want++;
    const char *h = a->head.data ? a->head.data : "";
    for (const char *p = h; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *eol = strpbrk(p, "\r\n");
            size_t len = eol ? (size_t)(eol - p) : strlen(p);
            if (absent)
                fail_msg("%s: header %.*s should be absent", file, (int)n, name);
            if (!memmem(p, len, want, strlen(want)))
                fail_msg("%s: header \"%.*s\" lacks \"%s\"", file, (int)len, p, want);
            return;
        }
    }
    if (!absent)
        fail_msg("%s: no header %.*s in: %s", file, (int)n, name, h);
}

/* ---- one case ------------------------------------------------------------------------ */

static void run_case(const char *file, char *text)
{
    vg_buf url, body;
    vg_buf_init(&url, 0);
    vg_buf_init(&body, 0);
    struct curl_slist *hl = NULL;
    int stage = 0, has_accept = 0, has_ctype = 0; /* 0 request line, 1 headers, 2 body, 3 expectations */
    taxii_server *target = srv;
    int repeat = 1; /* sends; the answer kept is the first with the expected status, else the last */
    char method[16] = "";
    answer a = {0};
    vg_buf_init(&a.body, 0);
    vg_buf_init(&a.head, 0);
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (stage < 2 && line[0] == '#')
            continue;
        if (stage == 0 && strcmp(line, "@server limited") == 0) {
            target = limited;
            continue;
        }
        if (stage == 0 && strncmp(line, "@repeat ", 8) == 0) {
            repeat = (int)strtol(line + 8, NULL, 10);
            continue;
        }
        if (stage == 0 && !line[0])
            continue;
        if (stage < 3 && strncmp(line, "=== ", 4) == 0) {
            /* Send the request, then read the expectations. */
            CURL *c = curl_easy_init();
            char full[8192];
            snprintf(full, sizeof full, "http://127.0.0.1:%d%s", taxii_server_port(target), url.data);
            if (!has_accept)
                hl = curl_slist_append(hl, "Accept: application/taxii+json;version=2.1");
            if (body.len && !has_ctype)
                hl = curl_slist_append(hl, "Content-Type: application/taxii+json;version=2.1");
            curl_easy_setopt(c, CURLOPT_URL, full);
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
            curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
            curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.head);
            if (body.len) {
                /* The body's last newline belongs to the file, not the request. */
                if (body.data[body.len - 1] == '\n')
                    body.data[--body.len] = '\0';
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
            }
            long want = strtol(line + 4, NULL, 10);
            for (int i = 0; i < repeat; i++) {
                vg_buf_reset(&a.body);
                vg_buf_reset(&a.head);
                CURLcode cc = curl_easy_perform(c);
                if (cc != CURLE_OK)
                    fail_msg("%s: %s %s: %s", file, method, url.data, curl_easy_strerror(cc));
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
                if (a.status == want)
                    break;
            }
            curl_easy_cleanup(c);
            if (a.status != want)
                fail_msg("%s: %s %.200s answered %ld, expected %ld: %.400s", file, method, url.data, a.status, want,
                         a.body.data ? a.body.data : "");
            /* Every error is a TAXII error message. */
            if (want >= 400) {
                check_header(file, "Content-Type: application/taxii+json;version=2.1", &a);
                check_json(file, "$.http_status exists", &a);
                check_json(file, "$.title exists", &a);
            }
            stage = 3;
            continue;
        }
        switch (stage) {
        case 0: {
            char path[4096];
            if (sscanf(line, "%15s %4095s", method, path) != 2)
                fail_msg("%s: the first line is not METHOD PATH: %s", file, line);
            expand(file, path, &url);
            stage = 1;
            break;
        }
        case 1:
            if (!line[0]) {
                stage = 2;
                break;
            }
            {
                vg_buf h;
                vg_buf_init(&h, 0);
                expand(file, line, &h);
                has_accept |= strncasecmp(h.data, "Accept:", 7) == 0;
                has_ctype |= strncasecmp(h.data, "Content-Type:", 13) == 0;
                /* "Name: none" sends no such header at all (curl's "Name:" removes it). */
                if (strlen(h.data) > 6 && strcmp(h.data + strlen(h.data) - 6, ": none") == 0)
                    h.data[strlen(h.data) - 5] = '\0';
                hl = curl_slist_append(hl, h.data);
                vg_buf_free(&h);
            }
            break;
        case 2:
            expand(file, line, &body);
            vg_buf_putc(&body, '\n');
            break;
        default:
            if (!line[0] || line[0] == '#')
                break;
            {
                vg_buf e;
                vg_buf_init(&e, 0);
                expand(file, line, &e);
                if (e.data[0] == '$')
                    check_json(file, e.data, &a);
                else
                    check_header(file, e.data, &a);
                vg_buf_free(&e);
            }
        }
    }
    if (stage != 3)
        fail_msg("%s: no \"=== STATUS\" line", file);
    curl_slist_free_all(hl);
    vg_buf_free(&url);
    vg_buf_free(&body);
    vg_buf_free(&a.body);
    vg_buf_free(&a.head);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int is_case(const struct dirent *d) { return strstr(d->d_name, ".http") != NULL; }

static void test_taxii_cases__all(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/tests/taxii/cases", src ? src : "..");
    struct dirent **names;
    int n = scandir(dir, &names, is_case, by_name);
    if (n <= 0)
        fail_msg("no cases in %s", dir);
    for (int i = 0; i < n; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        size_t len;
        char *text = vg_test_read_file(path, &len);
        run_case(names[i]->d_name, text);
        free(text);
        free(names[i]);
    }
    free(names);
    print_message("%d cases passed\n", n);
}

static int start(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(store_path, sizeof store_path, "%s/cases.db", vg_test_tmpdir("taxii_cases"));
    fixture();
    srv = serve(0);
    limited = serve(1);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    taxii_server_stop(srv, 2000);
    taxii_server_stop(limited, 2000);
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxii_cases__all),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
