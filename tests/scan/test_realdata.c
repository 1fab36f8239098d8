/*
 * test_realdata.c - every IOC bundle in ../shared/data/iocs imported into one
 * store and compiled into one index; a generated log plants a few values from
 * each file (a domain, as a subdomain inside a URL; an IPv4 address; an
 * e-mail address; a hash in upper case; an app id as a JSON string value)
 * among noise and near-misses (a "zzqnot" prefix on each domain, each hash
 * inside a longer hex run). The scan must find exactly the indicators those
 * values stand for across all the files - computed here independently from
 * the bundles' patterns (equality, domain label suffixes, CIDR containment,
 * e-mail domain parts) - and nothing else, with one thread and two alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "intel/intel.h"
#include "scan/scan.h"
#include "vg_test.h"

static const char *shared;

/* One comparison `path = 'value'` of an indicator the index holds. */
typedef struct leaf {
    char *id, *path, *value;
} leaf;

typedef struct set {
    char **v;
    size_t n;
} set;

static void set_add(set *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], v) == 0)
            return;
    s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = strdup(v);
}

static void set_free(set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int on_hit(const scan_hit *h, void *p)
{
    if (!h->candidate)
        set_add(p, h->id);
    return 0;
}

/* The bundles listed in INDEX.tsv. */
static size_t bundles(char (*paths)[1024], size_t max)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/data/iocs/INDEX.tsv", shared);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        char *tab = strchr(line, '\t');
        if (!tab || strncmp(line, "path\t", 5) == 0)
            continue;
        *tab = 0;
        int w = snprintf(paths[n], sizeof paths[n], "%s/data/iocs/", shared);
        if (w > 0 && (size_t)w + strlen(line) < sizeof paths[n])
            memcpy(paths[n++] + w, line, strlen(line) + 1);
    }
    fclose(f);
    return n;
}

/* Every `path = 'value'` comparison of the pattern (no escapes), appended to leaves. */
static void leaves_of(const char *id, const char *pat, leaf **lv, size_t *nl)
{
    const char *c = pat;
    while ((c = strstr(c, "'")) != NULL) {
        const char *ve = strchr(c + 1, '\'');
        if (!ve)
            break;
        /* the path: back from the quote over " = " to the start of the token */
        const char *e = c;
        while (e > pat && (e[-1] == ' ' || e[-1] == '='))
            e--;
        const char *s = e;
        while (s > pat && s[-1] != '[' && s[-1] != ' ' && s[-1] != '(')
            s--;
        if (e > s && memchr(c + 1, '\\', (size_t)(ve - c - 1)) == NULL && strstr(s, "=") < c + 1) {
            *lv = realloc(*lv, (*nl + 1) * sizeof **lv);
            (*lv)[*nl].id = strdup(id);
            (*lv)[*nl].path = strndup(s, (size_t)(e - s));
            (*lv)[*nl].value = strndup(c + 1, (size_t)(ve - c - 1));
            (*nl)++;
        }
        c = ve + 1;
    }
}

static int in_index(const idx *x, const char *id, int *partial)
{
    for (uint32_t j = 0; j < idx_indicator_count(x); j++)
        if (strcmp(idx_indicator_id(x, j), id) == 0) {
            *partial = (idx_indicator_flags(x, j) & IDX_IND_PARTIAL) != 0;
            return 1;
        }
    return 0;
}

/* Domain rule: v is d or a subdomain of d (case folded; "*." and trailing dots of d ignored). */
static int domain_hit(const char *v, const char *d)
{
    char dn[512];
    if (strncmp(d, "*.", 2) == 0)
        d += 2;
    snprintf(dn, sizeof dn, "%s", d);
    size_t n = strlen(dn);
    while (n && dn[n - 1] == '.')
        dn[--n] = 0;
    size_t vn = strlen(v);
    if (n == 0 || vn < n || strcasecmp(v + vn - n, dn) != 0)
        return 0;
    return vn == n || v[vn - n - 1] == '.';
}

static int cidr_hit(const char *ip, const char *net)
{
    char a[64];
    snprintf(a, sizeof a, "%s", net);
    int plen = 32;
    char *slash = strchr(a, '/');
    if (slash) {
        *slash = 0;
        plen = (int)strtol(slash + 1, NULL, 10);
    }
    struct in_addr x, y;
    if (inet_pton(AF_INET, a, &y) != 1 || inet_pton(AF_INET, ip, &x) != 1)
        return 0;
    uint32_t m = plen == 0 ? 0 : 0xffffffffu << (32 - plen);
    return (ntohl(x.s_addr) & m) == (ntohl(y.s_addr) & m);
}

static int is_hash_path(const char *p)
{
    return strstr(p, "hashes.") || strstr(p, "cert.");
}

enum { P_DOMAIN, P_IP, P_EMAIL, P_HASH, P_APP, P__N };

/* Which indicators a planted value of kind k stands for, over every leaf. */
static void expect_for(int k, const char *v, const leaf *lv, size_t nl, set *want)
{
    const char *at = strchr(v, '@');
    for (size_t i = 0; i < nl; i++) {
        const leaf *l = &lv[i];
        int hit = 0;
        switch (k) {
        case P_DOMAIN: hit = strcmp(l->path, "domain-name:value") == 0 && domain_hit(v, l->value); break;
        case P_IP: hit = strcmp(l->path, "ipv4-addr:value") == 0 && cidr_hit(v, l->value); break;
        case P_EMAIL:
            hit = (strcmp(l->path, "email-addr:value") == 0 && strcasecmp(v, l->value) == 0) ||
                  (at && strcmp(l->path, "domain-name:value") == 0 && domain_hit(at + 1, l->value));
            break;
        case P_HASH: hit = is_hash_path(l->path) && strcasecmp(v, l->value) == 0; break;
        case P_APP: {
            /* the whole JSON string: app id, file name or path, process name; the text inside it is also read
               as a dotted name: a domain when its last label is a TLD */
            const char *dot = strrchr(v, '.');
            hit = ((strcmp(l->path, "app:id") == 0 || strcmp(l->path, "file:name") == 0 ||
                    strcmp(l->path, "file:path") == 0 || strcmp(l->path, "process:name") == 0) &&
                   strcmp(v, l->value) == 0) ||
                  (dot && ev_tld_valid(dot + 1, strlen(dot + 1)) && strcmp(l->path, "domain-name:value") == 0 &&
                   domain_hit(v, l->value));
            break;
        }
        }
        if (hit)
            set_add(want, l->id);
    }
}

static void test_scan_realdata__every_ioc_file(void **state)
{
    (void)state;
    static char paths[64][1024];
    size_t nb = bundles(paths, 64);
    assert_true(nb >= 17);
    const char *dir = vg_test_tmpdir("scan_realdata");
    char db[1024], logp[1024];
    snprintf(db, sizeof db, "%s/vigil.db", dir);
    store *st = NULL;
    vg_error err = {0};
    assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
    for (size_t b = 0; b < nb; b++) {
        intel_import_opts io = {0};
        intel_import_stats is = {0};
        if (intel_import_path(st, paths[b], &io, &is, &err) != 0)
            fail_msg("import %s: %s %s", paths[b], err.where, err.msg);
    }
    idx *x = NULL;
    assert_int_equal(scan_index_from_store(st, NULL, NULL, &x, &err), 0);
    assert_true(idx_indicator_count(x) > 10000);

    /* every comparison of every indicator the index answers alone */
    leaf *lv = NULL;
    size_t nl = 0;
    json_t *docs[64];
    for (size_t b = 0; b < nb; b++) {
        docs[b] = json_load_file(paths[b], 0, NULL);
        assert_non_null(docs[b]);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(docs[b], "objects"), i, o) {
            const char *pat = json_string_value(json_object_get(o, "pattern"));
            const char *id = json_string_value(json_object_get(o, "id"));
            int partial = 0;
            if (pat && id && in_index(x, id, &partial) && !partial)
                leaves_of(id, pat, &lv, &nl);
        }
    }

    /* plant one value of each kind from each file */
    snprintf(logp, sizeof logp, "%s/evidence.log", dir);
    FILE *f = fopen(logp, "w");
    assert_non_null(f);
    set want = {0};
    size_t planted = 0;
    static const char *const kpath[P__N] = {"domain-name:value", "ipv4-addr:value", "email-addr:value", "hashes",
                                            "app:id"};
    for (size_t b = 0; b < nb; b++) {
        int done[P__N] = {0};
        size_t i;
        json_t *o;
        for (int k = 0; k < 300; k++) /* noise */
            fprintf(f, "2026-03-01T10:%02d:00Z 192.0.2.%d GET https://static%d.noise-site.invalid/a.js 200\n",
                    k % 60, k % 250, k);
        json_array_foreach(json_object_get(docs[b], "objects"), i, o) {
            const char *pat = json_string_value(json_object_get(o, "pattern"));
            const char *id = json_string_value(json_object_get(o, "id"));
            int partial = 0;
            if (!pat || !id || !in_index(x, id, &partial) || partial)
                continue;
            leaf *one = NULL;
            size_t n1 = 0;
            leaves_of(id, pat, &one, &n1);
            for (int k = 0; k < P__N && n1 == 1; k++) {
                if (done[k] || !strstr(one[0].path, kpath[k]))
                    continue;
                const char *v = one[0].value;
                if (k == P_DOMAIN && (strchr(v, '*') || !strchr(v, '.')))
                    continue;
                if (k == P_IP && strchr(v, '/'))
                    continue;
                if (k == P_HASH && !is_hash_path(one[0].path))
                    continue;
                char pv[600];
                switch (k) {
                case P_DOMAIN:
                    snprintf(pv, sizeof pv, "cdn.%s", v);
                    fprintf(f, "2026-03-01T11:00:00Z 10.1.1.1 GET https://%s/x?y=1 200\n", pv);
                    fprintf(f, "2026-03-01T11:00:01Z dns query zzqnot%s\n", v);
                    break;
                case P_IP:
                    snprintf(pv, sizeof pv, "%s", v);
                    fprintf(f, "2026-03-01T11:00:02Z conn %s:443 established\n", pv);
                    break;
                case P_EMAIL:
                    snprintf(pv, sizeof pv, "%s", v);
                    fprintf(f, "2026-03-01T11:00:03Z mail from=<%s> status=sent\n", pv);
                    break;
                case P_HASH: {
                    size_t hn = strlen(v);
                    for (size_t c = 0; c < hn && c < sizeof pv - 1; c++)
                        pv[c] = (v[c] >= 'a' && v[c] <= 'f') ? (char)(v[c] - 32) : v[c];
                    pv[hn < sizeof pv ? hn : sizeof pv - 1] = 0;
                    fprintf(f, "2026-03-01T11:00:04Z sha=%s file=dropper.bin\n", pv);
                    fprintf(f, "2026-03-01T11:00:05Z run=%s0 (longer run)\n", v);
                    break;
                }
                case P_APP:
                    snprintf(pv, sizeof pv, "%s", v);
                    fprintf(f, "{\"ts\":\"2026-03-01T11:00:06Z\",\"package\":\"%s\"}\n", pv);
                    break;
                }
                expect_for(k, pv, lv, nl, &want);
                done[k] = 1;
                planted++;
            }
            for (size_t j = 0; j < n1; j++) {
                free(one[j].id);
                free(one[j].path);
                free(one[j].value);
            }
            free(one);
        }
    }
    fclose(f);
    assert_true(planted >= 30);

    for (int threads = 1; threads <= 2; threads++) {
        set got = {0};
        scan_opts o = {0};
        o.threads = threads;
        o.on_hit = on_hit;
        o.ctx = &got;
        scan_summary *sum = NULL;
        assert_int_equal(scan_run(x, (const char *const[]){logp}, 1, &o, &sum, &err), 0);
        qsort(got.v, got.n, sizeof *got.v, cmpstr);
        qsort(want.v, want.n, sizeof *want.v, cmpstr);
        for (size_t i = 0; i < got.n || i < want.n; i++)
            if (i >= got.n || i >= want.n || strcmp(got.v[i], want.v[i]) != 0)
                fail_msg("%d thread(s), hit %zu: found %s, expected %s (%zu found, %zu expected, %zu planted)",
                         threads, i, i < got.n ? got.v[i] : "(none)", i < want.n ? want.v[i] : "(none)", got.n,
                         want.n, planted);
        scan_summary_free(sum);
        set_free(&got);
    }
    fprintf(stderr, "planted %zu values from %zu files: %zu indicators expected and found\n", planted, nb, want.n);

    set_free(&want);
    for (size_t i = 0; i < nl; i++) {
        free(lv[i].id);
        free(lv[i].path);
        free(lv[i].value);
    }
    free(lv);
    for (size_t b = 0; b < nb; b++)
        json_decref(docs[b]);
    idx_free(x);
    store_close(st);
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_realdata__every_ioc_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
