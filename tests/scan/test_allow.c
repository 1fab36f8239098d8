/*
 * test_allow.c - allow-lists from the real MISP warninglists
 * (../shared/data/misp/warninglists): a public resolver address, an RFC 1918
 * network, a what-is-my-IP host (and its subdomain), a URL shortener's URL,
 * an abuse@ address (regex) and a sandbox domain (substring) planted in a log
 * with matching indicators are all reported without the lists and all
 * suppressed with them, while a value on no list still alerts. Also: a list
 * of TLDs (type string) does not allow every domain, bad files are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "scan/scan.h"
#include "vg_test.h"

static const char *shared;

typedef struct seen {
    char trace[4096];
    size_t tn;
} seen;

static int on_hit(const scan_hit *h, void *p)
{
    seen *s = p;
    s->tn += (size_t)snprintf(s->trace + s->tn, sizeof s->trace - s->tn, "%s ", h->id);
    return 0;
}

static idx *build(const char *const *pats, size_t n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "p%zu", i);
        assert_int_equal(idx_builder_add_pattern(b, id, NULL, pats[i], 0, NULL, &err), 0);
    }
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    return x;
}

static void sum_free(scan_summary *sum)
{
    for (size_t i = 0; i < sum->naggs; i++) {
        vg_free(sum->aggs[i].first_file);
        vg_free(sum->aggs[i].first_value);
        vg_free(sum->aggs[i].first_field);
        vg_free(sum->aggs[i].last_file);
        vg_free(sum->aggs[i].last_value);
    }
    vg_free(sum->aggs);
}

static void scan_text(const idx *x, const scan_allow *a, const char *text, seen *s, scan_summary *sum)
{
    memset(s, 0, sizeof *s);
    memset(sum, 0, sizeof *sum);
    scan_opts o = {0};
    o.on_hit = on_hit;
    o.ctx = s;
    o.allow = a;
    vg_error err = {0};
    assert_int_equal(scan_buffer(x, "log", text, strlen(text), &o, sum, &err), 0);
}

static void test_scan_allow__warninglists(void **state)
{
    (void)state;
    static const char *const pats[] = {
        "[ipv4-addr:value = '8.8.8.8']",                    /* p0 public-dns-v4 (cidr) */
        "[ipv4-addr:value = '10.20.30.40']",                /* p1 rfc1918 (cidr) */
        "[domain-name:value = 'api.ipify.org']",            /* p2 whats-my-ip (hostname) */
        "[url:value = 'https://bit.ly/3xYzAbC']",           /* p3 url-shortener (hostname, via the URL's host) */
        "[email-addr:value = 'abuse@corp.example']",        /* p4 common-contact-emails (regex) */
        "[domain-name:value = 'analyze.intezer.com']",      /* p5 automated-malware-analysis (substring) */
        "[domain-name:value = 'c2.really-bad.example']",    /* p6 on no list */
        "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']", /* p7 eicar.com (string) */
    };
    idx *x = build(pats, sizeof pats / sizeof pats[0]);
    const char *text = "resolver 8.8.8.8 answered\n"
                       "from 10.20.30.40\n"
                       "GET https://API.ipify.org/?format=json\n"
                       "click https://bit.ly/3xYzAbC now\n"
                       "mail to abuse@corp.example\n"
                       "sandbox analyze.intezer.com\n"
                       "beacon c2.really-bad.example\n"
                       "md5 44D88612FEA8A8F36DE82E1278ABB02F\n";
    seen s;
    scan_summary sum;
    scan_text(x, NULL, text, &s, &sum);
    assert_string_equal(s.trace, "p0 p1 p2 p3 p4 p5 p6 p7 ");
    assert_int_equal(sum.allowed, 0);
    sum_free(&sum);

    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/misp/warninglists", shared);
    scan_allow *a = NULL;
    vg_error err = {0};
    assert_int_equal(scan_allow_new(&a, &err), 0);
    assert_int_equal(scan_allow_add_path(a, dir, &err), 0);
    assert_int_equal(scan_allow_finish(a, &err), 0);
    assert_int_equal(scan_allow_lists(a), 29); /* every list.json; schema.json passed over */
    assert_true(scan_allow_entries(a) > 100000);
    scan_text(x, a, text, &s, &sum);
    assert_string_equal(s.trace, "p6 ");
    assert_int_equal(sum.allowed, 7);
    assert_int_equal(sum.hits, 1);
    sum_free(&sum);

    /* the direct checks: subdomains of a hostname entry; the TLD list (strings) allows only the TLDs themselves */
    assert_true(scan_allow_check(a, IDX_K_DOMAIN, "x.api.ipify.org", 15));
    assert_true(scan_allow_check(a, IDX_K_IPV4, "192.168.1.1", 11));
    assert_false(scan_allow_check(a, IDX_K_DOMAIN, "c2.really-bad.example", 21));
    assert_false(scan_allow_check(a, IDX_K_DOMAIN, "notipify.org", 12));
    assert_false(scan_allow_check(a, IDX_K_EMAIL, "ceo@corp.example", 16));
    scan_allow_free(a);
    idx_free(x);
}

/* One list file given directly; files that are not warninglists are refused with where. */
static void test_scan_allow__files(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/data/misp/warninglists/lists/public-dns-v4/list.json", shared);
    scan_allow *a = NULL;
    vg_error err = {0};
    assert_int_equal(scan_allow_new(&a, &err), 0);
    assert_int_equal(scan_allow_add_path(a, path, &err), 0);
    assert_int_equal(scan_allow_finish(a, &err), 0);
    assert_int_equal(scan_allow_lists(a), 1);
    assert_true(scan_allow_check(a, IDX_K_IPV4, "9.9.9.9", 7));
    assert_false(scan_allow_check(a, IDX_K_DOMAIN, "api.ipify.org", 13));
    scan_allow_free(a);

    snprintf(path, sizeof path, "%s/data/misp/warninglists/schema.json", shared);
    assert_int_equal(scan_allow_new(&a, &err), 0);
    assert_int_equal(scan_allow_add_path(a, path, &err), VG_E_INVALID);
    assert_non_null(strstr(err.where, "schema.json"));
    scan_allow_free(a);

    vg_error e2 = {0};
    assert_int_equal(scan_allow_new(&a, &e2), 0);
    assert_int_equal(scan_allow_add_path(a, "/nonexistent/list.json", &e2), VG_E_NOTFOUND);
    scan_allow_free(a);
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_allow__warninglists),
        cmocka_unit_test(test_scan_allow__files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
