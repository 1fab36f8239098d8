/*
 * test_text.c - the text extractor and the stream reader: every kind, the
 * defanged forms, the traps (hashes inside longer hex runs, file.txt is not a
 * domain, bad checksums are not wallets, times are not IPv6), line numbers
 * and offsets, lines longer than a chunk, binary garbage, .gz and .zst,
 * JSON paths of hits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "vg_test.h"

/* Collects "kind:value" lines. */
typedef struct got {
    char s[8192];
    uint64_t last_line, last_offset;
    int defanged;
} got;

static int cb(const ev_obs *o, void *p)
{
    got *g = p;
    if (o->kind == EV_STRING)
        return 0;
    size_t n = strlen(g->s);
    snprintf(g->s + n, sizeof g->s - n, "%s:%.*s\n", ev_kind_name(o->kind), (int)o->len, o->value);
    g->last_line = o->line;
    g->last_offset = o->offset;
    g->defanged |= o->defanged;
    return 0;
}

static got *scan(const char *text)
{
    static got g;
    memset(&g, 0, sizeof g);
    ev_text *t = NULL;
    vg_error err = {0};
    assert_int_equal(ev_text_new(0, &t, &err), 0);
    assert_int_equal(ev_text_scan(t, text, strlen(text), 0, 1, cb, &g), 0);
    ev_text_free(t);
    return &g;
}

static void test_evidence_text__domains(void **state)
{
    (void)state;
    assert_string_equal(scan("visit a.b.evil.com now")->s, "domain:a.b.evil.com\n");
    assert_string_equal(scan("see notevil.com.")->s, "domain:notevil.com\n");
    assert_string_equal(scan("open file.txt and report.exe")->s, "file-name:file.txt\nfile-name:report.exe\n");
    assert_string_equal(scan("host=Evil.COM:443;")->s, "domain:Evil.COM\n");
    assert_string_equal(scan("xn--80ak6aa92e.com")->s, "domain:xn--80ak6aa92e.com\n");
    assert_string_equal(scan("lure.example relay.test x.invalid")->s,
                        "domain:lure.example\ndomain:relay.test\ndomain:x.invalid\n");
    assert_string_equal(scan("version 1.2 and -bad-.com")->s, "");
    assert_string_equal(scan("evil[.]com evil(.)com evil[dot]com")->s,
                        "domain:evil.com\ndomain:evil.com\ndomain:evil.com\n");
    assert_int_equal(scan("evil[.]com")->defanged, 1);
}

static void test_evidence_text__urls(void **state)
{
    (void)state;
    assert_string_equal(scan("GET http://evil.com/a?b=1 HTTP/1.1")->s, "url:http://evil.com/a?b=1\n");
    assert_string_equal(scan("(see https://x.evil.com/p).")->s, "url:https://x.evil.com/p\n");
    assert_string_equal(scan("hxxp://evil[.]com/x")->s, "url:http://evil.com/x\n");
    assert_string_equal(scan("hxxps[:]//evil(.)com/x")->s, "url:https://evil.com/x\n");
    assert_string_equal(scan("http://user:pw@host.example:8080/x")->s, "url:http://user:pw@host.example:8080/x\n");
    assert_string_equal(scan("http://[2001:db8::1]:8080/")->s, "url:http://[2001:db8::1]:8080/\n");
    /* a URL already canonical is reported where it lies; any other is rebuilt: the scheme in lower case,
       defanged dots undone (the two paths must agree) */
    assert_string_equal(scan("HTTP://Evil.com/A")->s, "url:http://Evil.com/A\n");
    /* (a closing bracket at the end is trimmed, as sentence punctuation) */
    assert_string_equal(scan("Https://evil.com/a(1)[2]")->s, "url:https://evil.com/a(1)[2\n");
    assert_string_equal(scan("https://evil.com/a(1)[2]")->s, "url:https://evil.com/a(1)[2\n");
    assert_string_equal(scan("https://evil[.]com/a(1)")->s, "url:https://evil.com/a(1\n");
    assert_string_equal(scan("wss://chat.evil.com/s")->s, "url:wss://chat.evil.com/s\n");
    assert_string_equal(scan("notascheme://evil.com/")->s, "domain:evil.com\n");
}

static void test_evidence_text__addresses(void **state)
{
    (void)state;
    assert_string_equal(scan("from 192.0.2.7:80 to 10.0.0.1")->s, "ipv4:192.0.2.7\nipv4:10.0.0.1\n");
    assert_string_equal(scan("1.2.3.4.5 256.1.1.1 1.2.3")->s, "");
    assert_string_equal(scan("192[.]0[.]2[.]7")->s, "ipv4:192.0.2.7\n");
    assert_string_equal(scan("at 2001:db8::1, ::1 and fe80::1%eth0 [2001:db8:0:0:0:0:0:2]")->s,
                        "ipv6:2001:db8::1\nipv6:::1\nipv6:fe80::1\nipv6:2001:db8:0:0:0:0:0:2\n");
    assert_string_equal(scan("12:34:56 aa:bb:cc:dd:ee:ff 10:00")->s, "");
    assert_string_equal(scan("::ffff:192.0.2.1")->s, "ipv6:::ffff:192.0.2.1\n");
}

static void test_evidence_text__emails(void **state)
{
    (void)state;
    assert_string_equal(scan("mail boss@corp.example.")->s, "email:boss@corp.example\n");
    assert_string_equal(scan("x[@]evil[.]com")->s, "email:x@evil.com\n");
    assert_string_equal(scan("user@localhost@x")->s, "");
}

static void test_evidence_text__hashes(void **state)
{
    (void)state;
    const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";
    char buf[512];
    snprintf(buf, sizeof buf, "md5=%s sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709", md5);
    assert_string_equal(scan(buf)->s,
                        "hash:d41d8cd98f00b204e9800998ecf8427e\nhash:da39a3ee5e6b4b0d3255bfef95601890afd80709\n");
    /* inside a longer hex run: no hash */
    snprintf(buf, sizeof buf, "%s00 ff%s", md5, md5);
    assert_string_equal(scan(buf)->s, "");
    /* 33 hex, or a non-hex letter */
    assert_string_equal(scan("d41d8cd98f00b204e9800998ecf8427g")->s, "");
    snprintf(buf, sizeof buf, "%s.exe", md5);
    assert_string_equal(scan(buf)->s, "hash:d41d8cd98f00b204e9800998ecf8427e\nfile-name:d41d8cd98f00b204e9800998ecf8427e.exe\n");
}

static void test_evidence_text__wallets(void **state)
{
    (void)state;
    assert_string_equal(scan("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now")->s,
                        "wallet:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n");
    assert_string_equal(scan("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 now")->s, ""); /* checksum fails */
    assert_string_equal(scan("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")->s, "wallet:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy\n");
    assert_string_equal(scan("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")->s,
                        "wallet:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n");
    assert_string_equal(scan("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr")->s, "");
    assert_string_equal(scan("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")->s,
                        "wallet:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4\n");
    assert_string_equal(scan("0x52908400098527886E0F7030069857D2E4169EE7")->s,
                        "wallet:0x52908400098527886E0F7030069857D2E4169EE7\n");
    assert_string_equal(scan("0x52908400098527886E0F7030069857D2E4169EE")->s, "");
    /* EIP-55: the specification's examples (all caps, all lower, mixed), and one letter's case changed */
    static const char *const eip55[] = {
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    for (size_t i = 0; i < sizeof eip55 / sizeof eip55[0]; i++) {
        assert_int_equal(ev_eip55_valid(eip55[i], 42), 1);
        char w[64], bad[43];
        snprintf(w, sizeof w, "wallet:%s\n", eip55[i]);
        assert_string_equal(scan(eip55[i])->s, w);
        memcpy(bad, eip55[i], 43);
        size_t k = strcspn(bad + 2, "abcdefABCDEF") + 2; /* its first letter, in the other case */
        bad[k] ^= 32;
        int mixed = strpbrk(bad + 2, "abcdef") && strpbrk(bad + 2, "ABCDEF");
        assert_int_equal(ev_eip55_valid(bad, 42), !mixed); /* one case throughout again: no checksum */
        assert_string_equal(scan(bad)->s, mixed ? "" : (snprintf(w, sizeof w, "wallet:%s\n", bad), w));
    }
    assert_string_equal(scan("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7")->s, "wallet:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7\n");
    assert_int_equal(ev_bech32_valid("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", 42), 1);
}

static void test_evidence_text__positions(void **state)
{
    (void)state;
    got *g = scan("line one\nline two\n\nthird has evil.com here");
    assert_string_equal(g->s, "domain:evil.com\n");
    assert_int_equal(g->last_line, 4);
    assert_int_equal(g->last_offset, 29);
}

static void test_evidence_text__garbage(void **state)
{
    (void)state;
    /* binary garbage and very long runs: no crash, nothing invented */
    size_t n = 1 << 20;
    char *b = malloc(n + 1);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (char)(x >> 16);
    }
    b[n] = 0;
    ev_text *t = NULL;
    vg_error err = {0};
    assert_int_equal(ev_text_new(0, &t, &err), 0);
    got g = {0};
    assert_int_equal(ev_text_scan(t, b, n, 0, 1, cb, &g), 0);
    memset(b, 'a', n);
    memcpy(b + n - 20, ".evil.com", 9);
    memset(&g, 0, sizeof g);
    assert_int_equal(ev_text_scan(t, b, n, 0, 1, cb, &g), 0);
    assert_string_equal(g.s, "");
    memset(b, '.', n);
    assert_int_equal(ev_text_scan(t, b, n, 0, 1, cb, &g), 0);
    ev_text_free(t);
    free(b);
}

static void test_evidence_text__json_path(void **state)
{
    (void)state;
    const char *l = "{\"a\":1,\"q\":{\"name\":\"x.evil.com\",\"list\":[\"b\",\"evil.com\"]},\"odd key\":\"z\"}";
    char out[128];
    assert_int_equal(ev_json_path(l, strlen(l), (size_t)(strstr(l, "x.evil") - l), out, sizeof out), 0);
    assert_string_equal(out, "$.q.name");
    assert_int_equal(ev_json_path(l, strlen(l), (size_t)(strstr(l, "\"evil.com") + 1 - l), out, sizeof out), 0);
    assert_string_equal(out, "$.q.list[1]");
    assert_int_equal(ev_json_path(l, strlen(l), (size_t)(strstr(l, "\"z\"") + 1 - l), out, sizeof out), 0);
    assert_string_equal(out, "$['odd key']");
    assert_int_equal(ev_json_path("not json", 8, 2, out, sizeof out), -1);
}

/* Writes `text` plain, gzip and zstd, reads each back in small chunks. */
static void test_evidence_text__streams(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("evidence_streams");
    size_t n = 300000;
    char *text = malloc(n + 1);
    size_t o = 0;
    int line = 0;
    while (o + 64 < n) {
        line++;
        o += (size_t)snprintf(text + o, n - o, "line %d host%d.evil.com\n", line, line);
    }
    text[o] = 0;
    /* plain */
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/a.log", dir);
    vg_test_write_file(p1, text, o);
    /* gzip, two members */
    snprintf(p2, sizeof p2, "%s/a.log.gz", dir);
    gzFile gz = gzopen(p2, "wb");
    gzwrite(gz, text, (unsigned)(o / 2));
    gzclose(gz);
    gz = gzopen(p2, "ab");
    gzwrite(gz, text + o / 2, (unsigned)(o - o / 2));
    gzclose(gz);
    /* zstd */
    snprintf(p3, sizeof p3, "%s/a.log.zst", dir);
    size_t zc = ZSTD_compressBound(o);
    char *z = malloc(zc);
    size_t zn = ZSTD_compress(z, zc, text, o, 3);
    vg_test_write_file(p3, z, zn);
    free(z);
    const char *paths[] = {p1, p2, p3};
    int comps[] = {EV_PLAIN, EV_GZIP, EV_ZSTD};
    for (int k = 0; k < 3; k++) {
        ev_stream *s = NULL;
        vg_error err = {0};
        assert_int_equal(ev_stream_open(paths[k], EV_STREAM_HASH, &s, &err), 0);
        ev_chunk c;
        assert_int_equal(ev_chunk_init(&c, 65536, &err), 0);
        size_t total = 0;
        uint64_t expect_line = 1;
        int r;
        while ((r = ev_stream_next(s, &c, &err)) == 1) {
            assert_int_equal(c.offset, total);
            assert_int_equal(c.line, expect_line);
            assert_memory_equal(c.data, text + total, c.len);
            assert_true(c.data[c.len - 1] == '\n');
            total += c.len;
            for (size_t i = 0; i < c.len; i++)
                expect_line += c.data[i] == '\n';
        }
        assert_int_equal(r, 0);
        assert_int_equal(total, o);
        assert_int_equal(ev_stream_compression(s), comps[k]);
        ev_hashes h;
        assert_int_equal(ev_stream_hashes(s, &h, &err), 0);
        assert_int_equal(strlen(h.sha256), 64);
        ev_chunk_free(&c);
        ev_stream_close(s);
    }
    /* a damaged gzip file is an error that names the file */
    char p4[512];
    snprintf(p4, sizeof p4, "%s/bad.gz", dir);
    vg_test_write_file(p4, "\x1f\x8b\x08\x00garbagegarbagegarbage", 25);
    ev_stream *s = NULL;
    vg_error err = {0};
    assert_int_equal(ev_stream_open(p4, 0, &s, &err), 0);
    ev_chunk c;
    ev_chunk_init(&c, 65536, &err);
    assert_int_equal(ev_stream_next(s, &c, &err), VG_E_PARSE);
    assert_non_null(strstr(err.where, "bad.gz"));
    ev_chunk_free(&c);
    ev_stream_close(s);
    free(text);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence_text__domains),   cmocka_unit_test(test_evidence_text__urls),
        cmocka_unit_test(test_evidence_text__addresses), cmocka_unit_test(test_evidence_text__emails),
        cmocka_unit_test(test_evidence_text__hashes),    cmocka_unit_test(test_evidence_text__wallets),
        cmocka_unit_test(test_evidence_text__positions), cmocka_unit_test(test_evidence_text__garbage),
        cmocka_unit_test(test_evidence_text__json_path), cmocka_unit_test(test_evidence_text__streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
