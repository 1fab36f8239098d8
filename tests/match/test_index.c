/*
 * test_index.c - the match index: each kind of key, the false-positive traps
 * (notevil.com, hashes inside longer runs are the extractor's business),
 * subdomains, URL normalisation, longest-prefix addresses, candidates for
 * the evaluator, validity and revocation, save and load, allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "match/idx.h"
#include "vg_test.h"

/* Collects the ids of the hits of one lookup, comma-separated. */
typedef struct got {
    const idx *x;
    char ids[512];
    int prefix;
    int candidate;
} got;

static int on_hit(const idx_hit *h, void *p)
{
    got *g = p;
    size_t n = strlen(g->ids);
    snprintf(g->ids + n, sizeof g->ids - n, "%s%s", n ? "," : "", idx_indicator_id(g->x, h->indicator));
    g->prefix = h->prefix;
    g->candidate |= h->candidate;
    return 0;
}

static const char *look(const idx *x, int kind, const char *v)
{
    static got g;
    memset(&g, 0, sizeof g);
    g.x = x;
    idx_lookup(x, kind, v, strlen(v), on_hit, &g);
    return g.ids;
}

static idx *build(const char *const *pats, size_t n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "i%zu", i);
        int st;
        assert_int_equal(idx_builder_add_pattern(b, id, NULL, pats[i], 0, &st, &err), 0);
    }
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    return x;
}

static const char *const pats[] = {
    "[domain-name:value = 'evil.com']",                                       /* i0 */
    "[domain-name:value = 'Sub.Other.ORG.']",                                 /* i1 */
    "[url:value = 'HTTP://Evil.Example:80/a%7Eb/%2f?q=1#frag']",              /* i2 */
    "[ipv4-addr:value = '10.0.0.0/8']",                                       /* i3 */
    "[ipv4-addr:value = '10.1.2.0/24']",                                      /* i4 */
    "[ipv4-addr:value = '192.0.2.7']",                                        /* i5 */
    "[ipv6-addr:value = '2001:db8::/32']",                                    /* i6 */
    "[ipv6-addr:value = '2001:db8:0:0:0:0:0:1']",                             /* i7 */
    "[file:hashes.'SHA-256' = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']", /* i8 */
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",                 /* i9 */
    "[email-addr:value = 'Boss@Corp.Example']",                               /* i10 */
    "[file:name = 'smsvc.exe']",                                              /* i11 */
    "[app:id = 'com.spy.agent']",                                             /* i12 */
    "[cryptocurrency-wallet:value = '0x52908400098527886E0F7030069857D2E4169EE7']", /* i13 */
    "[domain-name:value = 'a.example' OR domain-name:value = 'b.example']",  /* i14 */
    "[file:name = 'x.bin' AND file:size = 10]",                               /* i15: partial */
    "[domain-name:value = 'evil.com']",                                       /* i16: same key as i0 */
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",                           /* i17 */
    "[process:name = 'bh']",                                                  /* i18 */
    "[file:path = '/private/var/tmp/bh']",                                    /* i19 */
    "[windows-registry-key:key = 'HKLM\\\\x']",                               /* i20: not indexable */
};
#define NPATS (sizeof pats / sizeof pats[0])

static void test_match_index__domain_label_boundaries(void **state)
{
    (void)state;
    idx *x = build(pats, NPATS);
    assert_string_equal(look(x, IDX_K_DOMAIN, "evil.com"), "i0,i16");
    assert_string_equal(look(x, IDX_K_DOMAIN, "a.b.evil.com"), "i0,i16");
    assert_string_equal(look(x, IDX_K_DOMAIN, "A.B.EVIL.COM."), "i0,i16");
    assert_string_equal(look(x, IDX_K_DOMAIN, "notevil.com"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "evil.com.au"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "com"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "other.org"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "x.sub.other.org"), "i1");
    assert_string_equal(look(x, IDX_K_DOMAIN, "b.example"), "i14");
    idx_free(x);
}

static void test_match_index__url_normalised(void **state)
{
    (void)state;
    idx *x = build(pats, NPATS);
    assert_string_equal(look(x, IDX_K_URL, "http://evil.example/a~b/%2F?q=1"), "i2");
    assert_string_equal(look(x, IDX_K_URL, "http://EVIL.example.:80/a%7eb/%2f?q=1"), "i2");
    assert_string_equal(look(x, IDX_K_URL, "http://evil.example/a~b/%2F?q=2"), "");
    /* the host is also a domain */
    assert_string_equal(look(x, IDX_K_URL, "https://www.evil.com/anything"), "i0,i16");
    assert_string_equal(look(x, IDX_K_URL, "https://user:pw@www.evil.com:8443/x"), "i0,i16");
    assert_string_equal(look(x, IDX_K_URL, "https://notevil.com/"), "");
    assert_string_equal(look(x, IDX_K_URL, "http://192.0.2.7:8080/x"), "i5");
    assert_string_equal(look(x, IDX_K_URL, "http://[2001:db8::1]/x"), "i7");
    char out[128];
    size_t h, hn;
    long n = idx_url_normalize("HTTPS://Ex.COM.:443", 19, out, sizeof out, &h, &hn);
    assert_true(n > 0);
    out[n] = 0;
    assert_string_equal(out, "https://ex.com/");
    assert_int_equal(hn, 6);
    assert_int_equal(idx_url_normalize("no scheme", 9, out, sizeof out, NULL, NULL), -1);
    idx_free(x);
}

static void test_match_index__cidr_longest_prefix(void **state)
{
    (void)state;
    idx *x = build(pats, NPATS);
    static got g;
    assert_string_equal(look(x, IDX_K_IPV4, "10.1.2.3"), "i4");
    memset(&g, 0, sizeof g);
    g.x = x;
    idx_lookup(x, IDX_K_IPV4, "10.1.2.3", 8, on_hit, &g);
    assert_int_equal(g.prefix, 24);
    assert_string_equal(look(x, IDX_K_IPV4, "10.9.9.9"), "i3");
    assert_string_equal(look(x, IDX_K_IPV4, "11.0.0.1"), "");
    assert_string_equal(look(x, IDX_K_IPV4, "192.0.2.7"), "i5");
    assert_string_equal(look(x, IDX_K_IPV4, "192.0.2.8"), "");
    assert_string_equal(look(x, IDX_K_IPV4, "198.51.100.200"), "i17");
    assert_string_equal(look(x, IDX_K_IPV4, "not an ip"), "");
    /* IPv6: compressed and full forms meet, zone ids are dropped */
    assert_string_equal(look(x, IDX_K_IPV6, "2001:DB8::1"), "i7");
    assert_string_equal(look(x, IDX_K_IPV6, "2001:db8:0::1%eth0"), "i7");
    assert_string_equal(look(x, IDX_K_IPV6, "2001:db8:ffff::2"), "i6");
    assert_string_equal(look(x, IDX_K_IPV6, "2001:db9::1"), "");
    idx_free(x);
}

/* The first-byte filter of IPv4 lookups never hides an address a short prefix covers. */
static void test_match_index__ipv4_first_byte_filter(void **state)
{
    (void)state;
    static const char *const p4[] = {"[ipv4-addr:value = '8.0.0.0/6']", "[ipv4-addr:value = '0.0.0.0/0']",
                                     "[ipv4-addr:value = '203.0.113.9']"};
    idx *x = build(p4, 1);
    assert_string_equal(look(x, IDX_K_IPV4, "9.1.2.3"), "i0");
    assert_string_equal(look(x, IDX_K_IPV4, "11.255.0.1"), "i0");
    assert_string_equal(look(x, IDX_K_IPV4, "12.0.0.1"), "");
    assert_string_equal(look(x, IDX_K_IPV4, "7.255.255.255"), "");
    idx_free(x);
    x = build(p4, 3); /* with /0 every address is covered, the longest prefix still wins */
    assert_string_equal(look(x, IDX_K_IPV4, "12.0.0.1"), "i1");
    assert_string_equal(look(x, IDX_K_IPV4, "10.0.0.1"), "i0");
    assert_string_equal(look(x, IDX_K_IPV4, "203.0.113.9"), "i2");
    idx_free(x);
    x = build(p4 + 2, 1);
    assert_string_equal(look(x, IDX_K_IPV4, "203.0.113.9"), "i0");
    assert_string_equal(look(x, IDX_K_IPV4, "10.0.113.9"), "");
    char path[512];
    snprintf(path, sizeof path, "%s/first.idx", vg_test_tmpdir("match_first"));
    vg_error err = {0};
    assert_int_equal(idx_save(x, path, &err), 0);
    idx *y = NULL;
    assert_int_equal(idx_load(path, &y, &err), 0);
    assert_string_equal(look(y, IDX_K_IPV4, "203.0.113.9"), "i0"); /* the filter is saved with the index */
    idx_free(y);
    idx_free(x);
}

/* configuration-profile:id (the non-standard type spyware bundles use): a profile's UUID in either case. */
static void test_match_index__profile_ids(void **state)
{
    (void)state;
    static const char *const pp[] = {"[configuration-profile:id = '6E2E4DB2-1F58-4E3A-9C2B-0D3E4F5A6B7C']",
                                     "[configuration-profile:id = 'com.evil.mdm']"};
    idx *x = build(pp, 2);
    assert_string_equal(look(x, IDX_K_PROFILE_ID, "6e2e4db2-1f58-4e3a-9c2b-0d3e4f5a6b7c"), "i0");
    assert_string_equal(look(x, IDX_K_PROFILE_ID, "6E2E4DB2-1F58-4E3A-9C2B-0D3E4F5A6B7C"), "i0");
    assert_string_equal(look(x, IDX_K_PROFILE_ID, "com.evil.mdm"), "i1");
    assert_string_equal(look(x, IDX_K_PROFILE_ID, "com.evil.mdm2"), "");
    assert_string_equal(look(x, IDX_K_APP_ID, "com.evil.mdm"), ""); /* a profile id is not an app id */
    assert_int_equal(idx_get_stats(x)->by_kind[IDX_K_PROFILE_ID], 2);
    assert_string_equal(idx_kind_name(IDX_K_PROFILE_ID), "configuration-profile");
    idx_free(x);
}

static void test_match_index__exact_kinds(void **state)
{
    (void)state;
    idx *x = build(pats, NPATS);
    assert_string_equal(look(x, IDX_K_HASH, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "i8");
    assert_string_equal(look(x, IDX_K_HASH, "D41D8CD98F00B204E9800998ECF8427E"), "i9");
    assert_string_equal(look(x, IDX_K_HASH, "d41d8cd98f00b204e9800998ecf8427"), "");
    assert_string_equal(look(x, IDX_K_EMAIL, "boss@corp.example"), "i10");
    assert_string_equal(look(x, IDX_K_EMAIL, "x@mail.evil.com"), "i0,i16");
    assert_string_equal(look(x, IDX_K_FILE_NAME, "smsvc.exe"), "i11");
    assert_string_equal(look(x, IDX_K_FILE_PATH, "C:\\Windows\\smsvc.exe"), "i11");
    assert_string_equal(look(x, IDX_K_FILE_PATH, "/private/var/tmp/bh"), "i19,i18");
    assert_string_equal(look(x, IDX_K_STRING, "com.spy.agent"), "i12");
    assert_string_equal(look(x, IDX_K_WALLET, "0x52908400098527886e0f7030069857d2e4169ee7"), "i13");
    got g = {0};
    g.x = x;
    idx_lookup(x, IDX_K_FILE_NAME, "x.bin", 5, on_hit, &g);
    assert_string_equal(g.ids, "i15");
    assert_int_equal(g.candidate, 1);
    assert_int_equal(idx_indicator_flags(x, 15) & IDX_IND_PARTIAL, IDX_IND_PARTIAL);
    assert_string_equal(idx_indicator_pattern(x, 15), pats[15]);
    const idx_stats *st = idx_get_stats(x);
    assert_int_equal(st->indicators, NPATS);
    assert_int_equal(st->partial, 1);
    assert_int_equal(st->no_pattern, 1);
    idx_free(x);
}

/* Android: property names, and process names cut by the kernel to 15 characters (MVT matches 16 too). */
static void test_match_index__android_kinds(void **state)
{
    (void)state;
    static const char *const ap[] = {
        "[android-property:name = 'sys.foobar']",                /* i0 */
        "[process:name = 'com.example.spyagent']",               /* i1: 20 characters */
        "[process:name = 'short']",                              /* i2 */
        "[process:name = 'exactly15chars!']",                    /* i3: 15, nothing shorter to match */
    };
    idx *x = build(ap, sizeof ap / sizeof ap[0]);
    assert_string_equal(look(x, IDX_K_ANDROID_PROP, "sys.foobar"), "i0");
    assert_string_equal(look(x, IDX_K_ANDROID_PROP, "sys.foobar2"), "");
    assert_string_equal(look(x, IDX_K_STRING, "sys.foobar"), ""); /* a property name is not a file or a process */
    assert_string_equal(look(x, IDX_K_PROCESS, "com.example.spyagent"), "i1");
    assert_string_equal(look(x, IDX_K_PROCESS, "com.example.spy"), "i1");  /* 15: what the kernel keeps */
    assert_string_equal(look(x, IDX_K_PROCESS, "com.example.spya"), "i1"); /* 16 */
    assert_string_equal(look(x, IDX_K_PROCESS, "com.example.sp"), "");    /* 14: not a truncation */
    assert_string_equal(look(x, IDX_K_PROCESS, "com.example.spx"), "");
    assert_string_equal(look(x, IDX_K_PROCESS, "exactly15chars!"), "i3");
    assert_string_equal(look(x, IDX_K_PROCESS, "short"), "i2");
    got g = {0};
    g.x = x;
    assert_int_equal(idx_lookup(x, IDX_K_PROCESS, "com.example.spy", 15, on_hit, &g), 1);
    assert_string_equal(idx_kind_name(IDX_K_PROC_TRUNC), "process-truncated");
    assert_string_equal(idx_kind_name(IDX_K_ANDROID_PROP), "android-property");
    idx_free(x);
}

/* Lookups hash and compare in place, folding case on the fly: check every path of that. */
static void test_match_index__in_place_lookups(void **state)
{
    (void)state;
    static const char *const pats[] = {
        "[domain-name:value = 'evil.example']",
        "[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
        "[email-addr:value = 'boss@corp.example']",
        "[domain-name:value = 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.deep.example']",
        "[ipv4-addr:value = '10.1.2.3']",
        "[file:name = 'Smsvc.exe']",
        "[cryptocurrency-wallet:value = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']",
    };
    idx *x = build(pats, sizeof pats / sizeof pats[0]);
    assert_string_equal(look(x, IDX_K_DOMAIN, "WWW.Evil.EXAMPLE"), "i0");
    assert_string_equal(look(x, IDX_K_DOMAIN, "www.evil.example."), "i0");
    assert_string_equal(look(x, IDX_K_DOMAIN, "*.evil.example"), "i0");
    assert_string_equal(look(x, IDX_K_DOMAIN, "notevil.example"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "evil.example.org"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "evil .example"), "");
    {
        char many[1100]; /* more labels than a DNS name can have: no match, no overflow */
        for (int k = 0; k < 500; k++)
            memcpy(many + 2 * k, "a.", 2);
        memcpy(many + 1000, "evil.example", 13);
        assert_string_equal(look(x, IDX_K_DOMAIN, many), "");
        memset(many, '.', 1000);
        many[0] = 'x'; /* leading dots are dropped, so start with a label: x......evil.example */
        assert_string_equal(look(x, IDX_K_DOMAIN, many), "");
    }
    /* more than one batch of suffixes */
    assert_string_equal(look(x, IDX_K_DOMAIN, "z.y.x.w.v.u.t.s.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.deep.example"), "i3");
    assert_string_equal(look(x, IDX_K_HASH, "0123456789ABCDEF0123456789ABCDEF"), "i1");
    assert_string_equal(look(x, IDX_K_HASH, "0123456789abcdef0123456789abcdeg"), "");
    assert_string_equal(look(x, IDX_K_EMAIL, "Boss@CORP.example"), "i2");
    assert_string_equal(look(x, IDX_K_EMAIL, "x@mail.evil.example"), "i0");
    assert_string_equal(look(x, IDX_K_FILE_NAME, "Smsvc.exe"), "i5");
    assert_string_equal(look(x, IDX_K_FILE_NAME, "smsvc.exe"), ""); /* names are case-sensitive */
    assert_string_equal(look(x, IDX_K_WALLET, "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"), "i6");
    /* addresses: the fast dotted-quad parser agrees with inet_pton */
    assert_string_equal(look(x, IDX_K_IPV4, "10.1.2.3"), "i4");
    assert_string_equal(look(x, IDX_K_IPV4, "010.1.2.3"), "");
    assert_string_equal(look(x, IDX_K_IPV4, "10.1.2.3.4"), "");
    assert_string_equal(look(x, IDX_K_IPV4, "10.1.2.256"), "");
    /* URLs without URL keys: only the host is read */
    assert_string_equal(look(x, IDX_K_URL, "HTTP://user:pw@Sub.EVIL.example.:8080/x?y#z"), "i0");
    assert_string_equal(look(x, IDX_K_URL, "https://10.1.2.3/login"), "i4");
    assert_string_equal(look(x, IDX_K_URL, "https://notevil.example/"), "");
    assert_string_equal(look(x, IDX_K_URL, "https://[::1]/"), "");
    idx_free(x);
}

static void test_match_index__validity_and_revocation(void **state)
{
    (void)state;
    const char *js[] = {
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value='a.test']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[domain-name:value='b.test']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\",\"revoked\":true}",
        "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern\":\"[domain-name:value='c.test']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2021-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern\":\"[domain-name:value='d.test']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2099-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern\":\"alert tcp any any\","
        "\"pattern_type\":\"snort\",\"valid_from\":\"2020-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--6\",\"pattern\":\"[domain-name:value = \","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}",
    };
    int want[] = {IDX_ADDED, IDX_SKIP_REVOKED, IDX_SKIP_NOT_VALID, IDX_SKIP_NOT_VALID, IDX_SKIP_NO_PATTERN,
                  IDX_SKIP_BAD};
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    vg_time now = vg_time_from_unix(1772357400, 0, 0);
    for (size_t i = 0; i < sizeof js / sizeof js[0]; i++) {
        json_t *o = json_loads(js[i], 0, NULL);
        assert_non_null(o);
        int st = -1;
        assert_int_equal(idx_builder_add_indicator(b, o, &now, &st, &err), 0);
        assert_int_equal(st, want[i]);
        json_decref(o);
    }
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    assert_string_equal(look(x, IDX_K_DOMAIN, "www.a.test"), "indicator--1");
    assert_string_equal(look(x, IDX_K_DOMAIN, "b.test"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "c.test"), "");
    assert_int_equal(idx_indicator_count(x), 1);
    idx_free(x);
}

/* The text path gives the tree path's outcome, indicator by indicator, on the awkward cases: escapes in the
   members it reads, a string "true" for revoked, members given twice, nested values holding quotes and
   braces, STIX 2.0 without spec_version, and text that is not JSON. */
static void test_match_index__text_path_same_as_tree(void **state)
{
    (void)state;
    const char *js[] = {
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value='a.test']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}",
        "{\"id\":\"indicator--2\",\"revoked\":true,\"pattern\":\"[domain-name:value='b.test']\"}",
        "{\"id\":\"indicator--3\",\"revoked\":\"true\",\"pattern\":\"[domain-name:value='c.test']\"}",
        "{\"id\":\"indicator--4\",\"pattern\":\"[domain-name:value='d.test']\",\"valid_until\":\"2021-01-01T00:00:00Z\"}",
        "{\"id\":\"indicator--5\",\"pattern\":\"[domain-name:value='e.test']\",\"valid_from\":\"2099-01-01T00:00:00Z\"}",
        "{\"id\":\"indicator--6\",\"pattern\":\"alert tcp\",\"pattern_type\":\"snort\"}",
        "{\"id\":\"indicator--7\",\"pattern\":\"[file:name = 'a\\\\'b.exe']\"}",
        "{\"id\":\"indicator--8\",\"name\":\"caf\\u00e9\",\"pattern\":\"[domain-name:value='h.test']\"}",
        "{\"id\":\"indicator--9\",\"pattern\":\"[domain-name:value='i.test']\",\"pattern\":\"[domain-name:value='j.test']\"}",
        "{\"external_references\":[{\"description\":\"a \\\"quoted\\\" } ] { brace\",\"x\":[1,2.5e3,null,false]}],"
        "\"id\":\"indicator--10\",\"kill_chain_phases\":{},\"pattern\":\"[domain-name:value='k.test']\"}",
        "{\"id\":\"indicator--11\",\"spec_version\":\"2.0\",\"pattern\":\"[file:name = 'x' AND file:size = 1] START '2020-01-01T00:00:00Z' STOP '2021-01-01T00:00:00Z'\"}",
        "{\"id\":\"indicator--12\",\"pattern\":\"[domain-name:value = \"}",
        "{\"id\":\"indicator--13\",\"pattern\":42}",
        "{\"id\":\"indicator--14\" \"pattern\":\"[domain-name:value='n.test']\"}",
        "not json at all",
        "  {  \"id\" : \"indicator--16\" , \"pattern\" : \"[ipv4-addr:value = '192.0.2.16']\" }  ",
    };
    size_t n = sizeof js / sizeof js[0];
    idx_builder *bt = NULL, *bx = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&bt, &err), 0);
    assert_int_equal(idx_builder_new(&bx, &err), 0);
    vg_time now = vg_time_from_unix(1772357400, 0, 0);
    for (size_t i = 0; i < n; i++) {
        int st_text = -1, st_tree = -1;
        assert_int_equal(idx_builder_add_indicator_text(bx, js[i], strlen(js[i]), &now, &st_text, &err), 0);
        json_t *o = json_loads(js[i], 0, NULL);
        if (o) {
            assert_int_equal(idx_builder_add_indicator(bt, o, &now, &st_tree, &err), 0);
            json_decref(o);
        } else {
            st_tree = IDX_SKIP_BAD; /* not JSON: counted as bad */
        }
        if (st_text != st_tree)
            fail_msg("case %zu: text path %d, tree path %d", i, st_text, st_tree);
    }
    idx *xt = NULL, *xx = NULL;
    assert_int_equal(idx_builder_finish(bt, &xt, &err), 0);
    assert_int_equal(idx_builder_finish(bx, &xx, &err), 0);
    assert_int_equal(idx_indicator_count(xt), idx_indicator_count(xx));
    for (uint32_t i = 0; i < idx_indicator_count(xt); i++) {
        assert_string_equal(idx_indicator_id(xt, i), idx_indicator_id(xx, i));
        assert_string_equal(idx_indicator_name(xt, i), idx_indicator_name(xx, i));
    }
    static const char *const doms[] = {"a.test", "b.test", "c.test", "d.test", "e.test", "h.test",
                                       "i.test", "j.test", "k.test", "n.test"};
    for (size_t i = 0; i < sizeof doms / sizeof doms[0]; i++) {
        char a[512];
        snprintf(a, sizeof a, "%s", look(xt, IDX_K_DOMAIN, doms[i]));
        assert_string_equal(look(xx, IDX_K_DOMAIN, doms[i]), a);
    }
    assert_string_equal(look(xx, IDX_K_DOMAIN, "c.test"), "indicator--3"); /* "true" as a string is not revoked */
    assert_string_equal(look(xx, IDX_K_DOMAIN, "j.test"), "indicator--9"); /* the later duplicate, as jansson */
    assert_string_equal(look(xx, IDX_K_IPV4, "192.0.2.16"), "indicator--16");
    assert_string_equal(look(xx, IDX_K_FILE_NAME, "a'b.exe"), "indicator--7");
    int named = 0;
    for (uint32_t i = 0; i < idx_indicator_count(xx); i++)
        if (!strcmp(idx_indicator_id(xx, i), "indicator--8")) {
            assert_string_equal(idx_indicator_name(xx, i), "caf\xc3\xa9"); /* the \\u escape decoded */
            named = 1;
        }
    assert_true(named);
    const idx_stats *a = idx_get_stats(xt), *c = idx_get_stats(xx);
    /* the two texts that are not JSON count as bad on the text path; the tree path never saw them */
    assert_int_equal(a->indicators + 2, c->indicators);
    assert_int_equal(a->bad + 2, c->bad);
    assert_int_equal(a->added, c->added);
    assert_int_equal(a->partial, c->partial);
    assert_int_equal(a->revoked, c->revoked);
    assert_int_equal(a->not_valid, c->not_valid);
    assert_int_equal(a->no_pattern, c->no_pattern);
    assert_int_equal(a->keys, c->keys);
    idx_free(xt);
    idx_free(xx);
}

/* An indicator taken back (a later version replaces it) leaves no key and no count behind. */
static void test_match_index__drop(void **state)
{
    (void)state;
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    int st;
    assert_int_equal(idx_builder_count_inds(b), 0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--a", NULL, "[domain-name:value = 'old.test']", 0, &st, &err), 0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--b", NULL, "[domain-name:value = 'keep.test']", 0, &st, &err), 0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--c", NULL, "[file:name = 'p' AND file:size = 1]", 0, &st, &err), 0);
    assert_int_equal(st, IDX_ADDED_PARTIAL);
    assert_int_equal(idx_builder_count_inds(b), 3);
    idx_builder_drop(b, 0, IDX_ADDED);
    idx_builder_drop(b, 2, IDX_ADDED_PARTIAL);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--a", NULL, "[domain-name:value = 'new.test']", 0, &st, &err), 0);
    /* attribution: appended, once per value, never to the dropped version, ignored for unknown ids */
    assert_int_equal(idx_builder_attribute(b, "indicator--b", "Pegasus (malware)", &err), 0);
    assert_int_equal(idx_builder_attribute(b, "indicator--b", "NSO Group (intrusion-set)", &err), 0);
    assert_int_equal(idx_builder_attribute(b, "indicator--b", "Pegasus (malware)", &err), 0);
    assert_int_equal(idx_builder_attribute(b, "indicator--a", "Predator (malware)", &err), 0);
    assert_int_equal(idx_builder_attribute(b, "indicator--zz", "Nobody (malware)", &err), 0);
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    assert_string_equal(look(x, IDX_K_DOMAIN, "old.test"), "");
    assert_string_equal(look(x, IDX_K_DOMAIN, "new.test"), "indicator--a");
    assert_string_equal(look(x, IDX_K_DOMAIN, "keep.test"), "indicator--b");
    assert_string_equal(look(x, IDX_K_FILE_NAME, "p"), "");
    assert_string_equal(idx_indicator_attribution(x, 1), "Pegasus (malware), NSO Group (intrusion-set)");
    assert_string_equal(idx_indicator_attribution(x, 0), ""); /* the dropped version */
    assert_string_equal(idx_indicator_attribution(x, 3), "Predator (malware)");
    assert_string_equal(idx_indicator_id(x, 3), "indicator--a");
    const idx_stats *s = idx_get_stats(x);
    assert_int_equal(s->indicators, 2);
    assert_int_equal(s->added, 2);
    assert_int_equal(s->partial, 0);
    idx_free(x);
}

/* A builder of n indicators "indicator--<i>" (the 5th dropped and added again) for the attribution tests. */
static idx_builder *attr_builder(int n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    char id[64], pat[96];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "indicator--%d", i);
        snprintf(pat, sizeof pat, "[domain-name:value = 'd%d.test']", i);
        assert_int_equal(idx_builder_add_pattern(b, id, NULL, pat, 0, NULL, &err), 0);
    }
    idx_builder_drop(b, 5, IDX_ADDED);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--5", NULL, "[domain-name:value = 'new.test']", 0, NULL,
                                             &err),
                     0);
    return b;
}

/* Pairs at once give what one call per pair gives, whether they are few (the indicators walked) or many
   (the indicators mapped by id): in order, once per value, never to a dropped version, unknown ids ignored. */
static void test_match_index__attribute_pairs(void **state)
{
    (void)state;
    const char *few[] = {"indicator--7", "Pegasus (malware)", "indicator--5", "Predator (malware)",
                         "indicator--7", "NSO Group (intrusion-set)", "indicator--7", "Pegasus (malware)",
                         "indicator--zz", "Nobody (malware)", "indicator--199", "Hermit (malware)"};
    size_t nfew = sizeof few / sizeof few[0] / 2;
    const char *many[2 * 60];
    char ids[60][32];
    for (int i = 0; i < 60; i++) {
        snprintf(ids[i], sizeof ids[i], "indicator--%d", (i * 7) % 200);
        many[2 * i] = ids[i];
        many[2 * i + 1] = i % 2 ? "Odd (campaign)" : "Even (campaign)";
    }
    const struct {
        const char *const *pairs;
        size_t n;
    } cases[] = {{few, nfew}, {many, 60}};
    for (size_t c = 0; c < 2; c++) {
        idx_builder *b1 = attr_builder(200), *b2 = attr_builder(200);
        vg_error err = {0};
        assert_int_equal(idx_builder_attribute_pairs(b1, cases[c].pairs, cases[c].n, &err), 0);
        for (size_t i = 0; i < cases[c].n; i++)
            assert_int_equal(idx_builder_attribute(b2, cases[c].pairs[2 * i], cases[c].pairs[2 * i + 1], &err), 0);
        idx *x1 = NULL, *x2 = NULL;
        assert_int_equal(idx_builder_finish(b1, &x1, &err), 0);
        assert_int_equal(idx_builder_finish(b2, &x2, &err), 0);
        size_t said = 0;
        for (uint32_t i = 0; i < 201; i++) {
            assert_string_equal(idx_indicator_attribution(x1, i), idx_indicator_attribution(x2, i));
            said += idx_indicator_attribution(x1, i)[0] != 0;
        }
        if (c == 0) {
            assert_string_equal(idx_indicator_attribution(x1, 7), "Pegasus (malware), NSO Group (intrusion-set)");
            assert_string_equal(idx_indicator_attribution(x1, 5), ""); /* the dropped version */
            assert_string_equal(idx_indicator_attribution(x1, 200), "Predator (malware)");
            assert_string_equal(idx_indicator_attribution(x1, 199), "Hermit (malware)");
            assert_int_equal(said, 3);
        } else {
            assert_int_equal(said, 60);
        }
        idx_free(x1);
        idx_free(x2);
    }
}

/* idx_text_next_fn over an array of texts; fails with VG_E_IO at text number fail_at (when non-zero). */
typedef struct texts {
    char **v;       /* the texts */
    size_t n;       /* how many */
    size_t at;      /* the next one */
    size_t fail_at; /* 1-based text that fails, 0 never */
} texts;

static int next_of(void *ctx, const char **json, size_t *len, vg_error *err)
{
    texts *t = ctx;
    if (t->fail_at && t->at + 1 == t->fail_at)
        return vg_error_set(err, VG_E_IO, "text %zu cannot be read", t->at + 1);
    if (t->at == t->n)
        return 0;
    *json = t->v[t->at++];
    *len = strlen(*json);
    return 1;
}

/* n texts: generated indicators (every 7th expired, every 11th a compound pattern) with the awkward cases of
   the text path (escapes, duplicates, not JSON...) among them. */
static texts make_texts(size_t n)
{
    static const char *const awkward[] = {
        "{\"id\":\"indicator--w1\",\"revoked\":true,\"pattern\":\"[domain-name:value='b.test']\"}",
        "{\"id\":\"indicator--w2\",\"revoked\":\"true\",\"pattern\":\"[domain-name:value='c.test']\"}",
        "{\"id\":\"indicator--w3\",\"pattern\":\"alert tcp\",\"pattern_type\":\"snort\"}",
        "{\"id\":\"indicator--w4\",\"pattern\":\"[file:name = 'a\\\\'b.exe']\"}",
        "{\"id\":\"indicator--w5\",\"name\":\"caf\\u00e9\",\"pattern\":\"[domain-name:value='h.test']\"}",
        "{\"id\":\"indicator--w6\",\"pattern\":\"[domain-name:value='i.test']\",\"pattern\":\"[domain-name:value='j.test']\"}",
        "{\"id\":\"indicator--w7\",\"pattern\":\"[domain-name:value = \"}",
        "{\"id\":\"indicator--w8\",\"pattern\":42}",
        "not json at all",
        "  {  \"id\" : \"indicator--w9\" , \"pattern\" : \"[ipv4-addr:value = '192.0.2.16']\" }  ",
    };
    texts t = {vg_calloc(n, sizeof(char *)), n, 0, 0};
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        if (i % 97 == 3)
            snprintf(buf, sizeof buf, "%s", awkward[(i / 97) % (sizeof awkward / sizeof awkward[0])]);
        else if (i % 11 == 0)
            snprintf(buf, sizeof buf,
                     "{\"id\":\"indicator--g%zu\",\"name\":\"n%zu\",\"pattern\":\"[file:name = 'f%zu' AND file:size = %zu]\"}",
                     i, i, i, i);
        else
            snprintf(buf, sizeof buf,
                     "{\"type\":\"indicator\",\"id\":\"indicator--g%zu\",\"name\":\"n%zu\",\"pattern\":\"[domain-name:value "
                     "= 'g%zu.test']\",\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"%s}",
                     i, i, i, i % 7 == 0 ? ",\"valid_until\":\"2021-01-01T00:00:00Z\"" : "");
        t.v[i] = vg_strdup(buf);
    }
    return t;
}

static void free_texts(texts *t)
{
    for (size_t i = 0; i < t->n; i++)
        vg_free(t->v[i]);
    vg_free(t->v);
}

/* The index of texts added on two threads is the one added on one: the same indicators in the same order, the
   same counts and hits. Enough texts for several batches round the ring. */
static void test_match_index__texts_on_two_threads(void **state)
{
    (void)state;
    texts t = make_texts(40000);
    vg_time now = vg_time_from_unix(1772357400, 0, 0);
    idx *x[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        idx_builder *b = NULL;
        vg_error err = {0};
        assert_int_equal(idx_builder_new(&b, &err), 0);
        t.at = 0;
        assert_int_equal(idx_builder_add_texts(b, next_of, &t, &now, k + 1, &err), 0);
        assert_int_equal(idx_builder_finish(b, &x[k], &err), 0);
    }
    const idx_stats *s1 = idx_get_stats(x[0]), *s2 = idx_get_stats(x[1]);
    assert_int_equal(s1->indicators, 40000);
    assert_true(s1->added > 30000 && s1->partial > 3000 && s1->not_valid > 4000 && s1->bad > 0 && s1->revoked > 0);
    assert_memory_equal(s1, s2, offsetof(idx_stats, bytes));
    assert_int_equal(idx_indicator_count(x[0]), idx_indicator_count(x[1]));
    for (uint32_t i = 0; i < idx_indicator_count(x[0]); i++) {
        assert_string_equal(idx_indicator_id(x[0], i), idx_indicator_id(x[1], i));
        assert_string_equal(idx_indicator_name(x[0], i), idx_indicator_name(x[1], i));
        assert_int_equal(idx_indicator_flags(x[0], i), idx_indicator_flags(x[1], i));
    }
    static const char *const doms[] = {"g1.test", "g39999.test", "g7.test", "h.test", "i.test", "b.test"};
    for (size_t i = 0; i < sizeof doms / sizeof doms[0]; i++)
        assert_string_equal(look(x[0], IDX_K_DOMAIN, doms[i]), look(x[1], IDX_K_DOMAIN, doms[i]));
    assert_string_equal(look(x[1], IDX_K_DOMAIN, "g39997.test"), "indicator--g39997");
    assert_string_equal(look(x[1], IDX_K_DOMAIN, "g7.test"), ""); /* expired */
    idx_free(x[0]);
    idx_free(x[1]);
    /* the reader's error stops both threads and is returned */
    for (int k = 1; k <= 2; k++) {
        idx_builder *b = NULL;
        vg_error err = {0};
        assert_int_equal(idx_builder_new(&b, &err), 0);
        t.at = 0;
        t.fail_at = 25000;
        assert_int_equal(idx_builder_add_texts(b, next_of, &t, &now, k, &err), VG_E_IO);
        assert_non_null(strstr(err.msg, "text 25000"));
        idx_builder_free(b);
    }
    free_texts(&t);
}

/* An allocation failing on either thread fails the whole cleanly (no hang, no leak under ASan). */
static void test_match_index__texts_alloc_failures(void **state)
{
    (void)state;
    texts t = make_texts(3000);
    vg_time now = vg_time_from_unix(1772357400, 0, 0);
    long failed = 0;
    for (long n = 1; n < 1000000; n = n < 16 ? n + 1 : n + n / 4) {
        idx_builder *b = NULL;
        vg_error err = {0};
        assert_int_equal(idx_builder_new(&b, &err), 0);
        t.at = 0;
        vg_alloc_fail_after(n);
        int rc = idx_builder_add_texts(b, next_of, &t, &now, 2, &err);
        vg_alloc_fail_reset();
        idx_builder_free(b);
        if (rc == 0)
            break; /* past the last allocation */
        if (rc != VG_E_NOMEM)
            fail_msg("failing allocation %ld: %d", n, rc);
        failed++;
    }
    assert_true(failed > 20);
    free_texts(&t);
}

static void test_match_index__save_and_load(void **state)
{
    (void)state;
    idx *x = build(pats, NPATS);
    char path[512];
    snprintf(path, sizeof path, "%s/i.vgidx", vg_test_tmpdir("match_index"));
    vg_error err = {0};
    assert_int_equal(idx_save(x, path, &err), 0);
    idx_free(x);
    idx *y = NULL;
    assert_int_equal(idx_load(path, &y, &err), 0);
    assert_string_equal(look(y, IDX_K_DOMAIN, "a.b.evil.com"), "i0,i16");
    assert_string_equal(look(y, IDX_K_IPV4, "10.1.2.3"), "i4");
    assert_string_equal(look(y, IDX_K_IPV6, "2001:db8::1"), "i7");
    assert_string_equal(look(y, IDX_K_DOMAIN, "notevil.com"), "");
    assert_int_equal(idx_get_stats(y)->indicators, NPATS);
    idx_free(y);
    /* a damaged file is refused, not read out of bounds */
    size_t len;
    char *data = vg_test_read_file(path, &len);
    data[8 + 4 + 4 + 8] ^= 0x7f; /* the slots' offset */
    vg_test_write_file(path, data, len);
    free(data);
    assert_int_equal(idx_load(path, &y, &err), VG_E_PARSE);
    vg_test_write_file(path, "short", 5);
    assert_int_equal(idx_load(path, &y, &err), VG_E_PARSE);
    assert_int_equal(idx_load("/nonexistent/i.vgidx", &y, &err), VG_E_NOTFOUND);
}

/* A builder of the test patterns with an attribution (for the saving tests). */
static idx_builder *pats_builder(void)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    for (size_t i = 0; i < NPATS; i++) {
        char id[32];
        snprintf(id, sizeof id, "i%zu", i);
        assert_int_equal(idx_builder_add_pattern(b, id, "a name", pats[i], 0, NULL, &err), 0);
    }
    assert_int_equal(idx_builder_attribute(b, "i4", "Pegasus (malware)", &err), 0);
    return b;
}

/* Finishing and saving at once (the records written while the table is built) gives the file that
   finishing and then saving gives, but for the arrays' places: the same index once loaded. */
static void test_match_index__finish_save(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("match_finish_save");
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/a.vgidx", dir);
    snprintf(p2, sizeof p2, "%s/b.vgidx", dir);
    vg_error err = {0};
    idx *x1 = NULL, *x2 = NULL;
    assert_int_equal(idx_builder_finish(pats_builder(), &x1, &err), 0);
    idx_set_origin(x1, "store s.db", "2026-01-01T00:00:00Z");
    assert_int_equal(idx_save(x1, p1, &err), 0);
    assert_int_equal(idx_builder_finish_save(pats_builder(), p2, "store s.db", "2026-01-01T00:00:00Z", &x2, &err), 0);
    idx *y[2] = {NULL, NULL};
    assert_int_equal(idx_load(p1, &y[0], &err), 0);
    assert_int_equal(idx_load(p2, &y[1], &err), 0);
    for (int k = 0; k < 2; k++) {
        assert_string_equal(look(y[k], IDX_K_DOMAIN, "a.b.evil.com"), "i0,i16");
        assert_string_equal(look(y[k], IDX_K_IPV4, "10.1.2.3"), "i4");
        assert_string_equal(idx_indicator_attribution(y[k], 4), "Pegasus (malware)");
        assert_string_equal(idx_indicator_name(y[k], 4), "a name");
        assert_string_equal(idx_get_origin(y[k])->source, "store s.db");
        assert_string_equal(idx_get_origin(y[k])->store_added, "2026-01-01T00:00:00Z");
        assert_memory_equal(idx_get_stats(y[k]), idx_get_stats(x2), offsetof(idx_stats, bytes));
    }
    assert_int_equal(idx_get_stats(y[0])->bytes, idx_get_stats(y[1])->bytes);
    idx_free(y[0]);
    idx_free(y[1]);
    idx_free(x1);
    idx_free(x2);
    /* a file that cannot be written: an error, the builder freed, nothing left behind */
    assert_int_equal(idx_builder_finish_save(pats_builder(), "/nonexistent/c.vgidx", NULL, NULL, &x2, &err),
                     VG_E_IO);
    assert_null(x2);
    /* out of memory while finishing: the same */
    for (long n = 1; n < 100; n++) {
        idx_builder *b = pats_builder();
        vg_alloc_fail_after(n);
        int rc = idx_builder_finish_save(b, p2, NULL, NULL, &x2, &err);
        vg_alloc_fail_reset();
        if (rc == 0) {
            idx_free(x2);
            break;
        }
        assert_int_equal(rc, VG_E_NOMEM);
        assert_null(x2);
    }
    assert_int_equal(vg_test_sh("ls %s | grep -q tmp", dir), 1); /* no temporary file left */
}

static void test_match_index__alloc_failures(void **state)
{
    (void)state;
    for (long n = 1; n < 400; n++) {
        idx_builder *b = NULL;
        vg_error err = {0};
        idx *x = NULL;
        vg_alloc_fail_after(n);
        int rc = idx_builder_new(&b, &err);
        for (size_t i = 0; i < NPATS && !rc; i++)
            rc = idx_builder_add_pattern(b, "id", NULL, pats[i], 0, NULL, &err);
        if (!rc)
            rc = idx_builder_finish(b, &x, &err);
        else
            idx_builder_free(b);
        vg_alloc_fail_reset();
        if (rc == 0) {
            idx_free(x);
            break;
        }
        assert_int_equal(rc, VG_E_NOMEM);
    }
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_index__domain_label_boundaries),
        cmocka_unit_test(test_match_index__url_normalised),
        cmocka_unit_test(test_match_index__cidr_longest_prefix),
        cmocka_unit_test(test_match_index__exact_kinds),
        cmocka_unit_test(test_match_index__android_kinds),
        cmocka_unit_test(test_match_index__in_place_lookups),
        cmocka_unit_test(test_match_index__validity_and_revocation),
        cmocka_unit_test(test_match_index__save_and_load),
        cmocka_unit_test(test_match_index__finish_save),
        cmocka_unit_test(test_match_index__text_path_same_as_tree),
        cmocka_unit_test(test_match_index__drop),
        cmocka_unit_test(test_match_index__attribute_pairs),
        cmocka_unit_test(test_match_index__texts_on_two_threads),
        cmocka_unit_test(test_match_index__texts_alloc_failures),
        cmocka_unit_test(test_match_index__ipv4_first_byte_filter),
        cmocka_unit_test(test_match_index__profile_ids),
        cmocka_unit_test(test_match_index__alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
