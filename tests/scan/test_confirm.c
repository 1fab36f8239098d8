/*
 * test_confirm.c - candidate hits confirmed by the STIX pattern evaluator:
 * patterns the index cannot answer alone (AND within and across observation
 * expressions, MATCHES) hit only when the line holds what the whole pattern
 * asks for; simple patterns beside them are unaffected; one and two threads
 * agree.
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

typedef struct seen {
    char trace[4096]; /* "id line\n" per hit, in order */
    size_t tn;
    int candidates; /* hits delivered as unconfirmed candidates */
} seen;

static int on_hit(const scan_hit *h, void *p)
{
    seen *s = p;
    if (h->candidate) {
        s->candidates++;
        return 0;
    }
    s->tn += (size_t)snprintf(s->trace + s->tn, sizeof s->trace - s->tn, "%s %llu\n", h->id,
                              (unsigned long long)h->line);
    return 0;
}

static idx *build(const char *const *pats, size_t n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "indicator--p%zu", i);
        int st = -1;
        assert_int_equal(idx_builder_add_pattern(b, id, NULL, pats[i], 0, &st, &err), 0);
    }
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    return x;
}

static void run(const idx *x, const char *text, int threads, size_t chunk, seen *s, scan_summary *sum)
{
    memset(s, 0, sizeof *s);
    memset(sum, 0, sizeof *sum);
    scan_opts o = {0};
    o.threads = threads;
    o.chunk = chunk;
    o.on_hit = on_hit;
    o.ctx = s;
    vg_error err = {0};
    assert_int_equal(scan_buffer(x, "mem", text, strlen(text), &o, sum, &err), 0);
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

static void test_scan_confirm__and_patterns(void **state)
{
    (void)state;
    static const char *const pats[] = {
        /* p0: two observation expressions: two observations on the line */
        "[domain-name:value = 'c2.evil.example'] AND [ipv4-addr:value = '203.0.113.9']",
        /* p1: AND inside one observation expression */
        "[domain-name:value = 'drop.evil.example' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
        /* p2: a simple indicator beside them */
        "[domain-name:value = 'plain.example']",
        /* p3: MATCHES needs the evaluator too */
        "[url:value = 'http://x.bad.example/gate.php' AND url:value MATCHES 'gate\\\\.php$']",
    };
    idx *x = build(pats, 4);
    const idx_stats *st = idx_get_stats(x);
    assert_int_equal(st->partial, 3);
    assert_int_equal(st->added, 1);
    const char *text = "l1 c2.evil.example connected to 203.0.113.9 port 443\n"  /* p0: both -> hit */
                       "l2 c2.evil.example resolved, no address here\n"           /* p0: one only */
                       "l3 203.0.113.9 alone\n"                                   /* p0: the other only */
                       "l4 fetched drop.evil.example md5=0123456789ABCDEF0123456789ABCDEF\n" /* p1: both */
                       "l5 fetched drop.evil.example md5=ffffffffffffffffffffffffffffffff\n" /* p1: one */
                       "l6 plain.example and c2.evil.example\n"                   /* p2 only */
                       "l7 GET http://x.bad.example/gate.php 200\n"              /* p3 */
                       "l8 www.c2.evil.example 203.0.113.9\n";                    /* p0: subdomain is not equal */
    const char *want = "indicator--p0 1\n"
                       "indicator--p1 4\n"
                       "indicator--p2 6\n"
                       "indicator--p3 7\n";
    seen s1, s2;
    scan_summary sum1, sum2;
    run(x, text, 1, 0, &s1, &sum1);
    assert_string_equal(s1.trace, want);
    assert_int_equal(s1.candidates, 0);
    assert_int_equal(sum1.hits, 4);
    assert_true(sum1.candidates >= 4); /* l2, l3, l5, l6 (p0), l8 rejected */
    /* two threads and small chunks: the same */
    run(x, text, 2, 100, &s2, &sum2);
    assert_string_equal(s2.trace, want);
    assert_int_equal(sum2.hits, sum1.hits);
    assert_int_equal(sum2.candidates, sum1.candidates);
    sum_free(&sum1);
    sum_free(&sum2);
    idx_free(x);
}

/* A line hitting the same AND indicator twice counts once. */
static void test_scan_confirm__once_per_line(void **state)
{
    (void)state;
    static const char *const pats[] = {
        "[domain-name:value = 'a.evil.example'] AND [domain-name:value = 'b.evil.example']",
    };
    idx *x = build(pats, 1);
    seen s;
    scan_summary sum;
    run(x, "a.evil.example b.evil.example a.evil.example\nb.evil.example\n", 1, 0, &s, &sum);
    assert_string_equal(s.trace, "indicator--p0 1\n");
    assert_int_equal(sum.hits, 1);
    assert_int_equal(sum.naggs, 1);
    assert_int_equal(sum.aggs[0].count, 1);
    sum_free(&sum);
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_confirm__and_patterns),
        cmocka_unit_test(test_scan_confirm__once_per_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
