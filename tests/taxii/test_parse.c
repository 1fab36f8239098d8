/*
 * test_parse.c - the TAXII parsers on their own: query strings (escapes,
 * lists, versions, ceilings), Accept and Content-Type, the Authorization
 * header, envelopes, the config file, credentials (argon2id, tokens) and the
 * TLP level of objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "taxii/taxii.h"
#include "vg_test.h"

static int q(taxii_filter *f, const char *s)
{
    vg_error err = {0};
    memset(f, 0, sizeof *f);
    return taxii_query_parse(f, s, strlen(s), &err);
}

static void test_taxii_parse_query__values(void **state)
{
    (void)state;
    taxii_filter f;
    assert_int_equal(q(&f, "added_after=2024-01-01T00%3A00%3A00Z&limit=25&match%5Btype%5D=indicator,malware"
                           "&match[id]=x--1&match[version]=first,2024-01-01T00:00:00.000Z&next=c1-2&unknown=1"),
                     0);
    assert_true(f.has_added_after);
    assert_int_equal(f.limit, 25);
    assert_int_equal(f.ntypes, 2);
    assert_string_equal(f.types[1], "malware");
    assert_int_equal(f.nids, 1);
    assert_int_equal(f.versions, STORE_VER_FIRST | STORE_VER_AT);
    assert_int_equal(f.nat, 1);
    assert_string_equal(f.next, "c1-2");
    taxii_filter_free(&f);
}

static void test_taxii_parse_query__errors(void **state)
{
    (void)state;
    const char *bad[] = {"limit=0", "limit=-3", "limit=12x", "limit=9999999999", "added_after=soon",
                         "match[version]=latest", "match[type]=a,,b", "next=", "a=%zz", "a=%00", "a=%4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        taxii_filter f;
        assert_int_not_equal(q(&f, bad[i]), 0);
        taxii_filter_free(&f);
    }
    /* Too many values: a ceiling, not an allocation without end. */
    char many[4096];
    size_t k = (size_t)snprintf(many, sizeof many, "match[type]=t");
    for (int i = 0; i < TAXII_MATCH_MAX; i++)
        k += (size_t)snprintf(many + k, sizeof many - k, ",t");
    taxii_filter f;
    assert_int_equal(q(&f, many), VG_E_LIMIT);
    taxii_filter_free(&f);
}

static void test_taxii_parse_media__types(void **state)
{
    (void)state;
    assert_true(taxii_accept_ok(NULL));
    assert_true(taxii_accept_ok("application/taxii+json;version=2.1"));
    assert_true(taxii_accept_ok("application/taxii+json; version=\"2.1\""));
    assert_true(taxii_accept_ok("text/html, */*;q=0.1"));
    assert_false(taxii_accept_ok("application/taxii+json;version=2.1;q=0"));
    assert_false(taxii_accept_ok("application/json"));
    assert_false(taxii_accept_ok("application/taxii+json;version=2.0"));
    assert_true(taxii_content_type_ok("application/taxii+json"));
    assert_true(taxii_content_type_ok("Application/TAXII+json;version=2.1"));
    assert_false(taxii_content_type_ok("*/*"));
    assert_false(taxii_content_type_ok(NULL));
    assert_false(taxii_content_type_ok("application/taxii+jsonx"));
}

static void test_taxii_parse_auth__headers(void **state)
{
    (void)state;
    taxii_credentials c;
    assert_int_equal(taxii_auth_parse("Basic YWxpY2U6czNjcjp0", &c), 0); /* alice:s3cr:t */
    assert_int_equal(c.kind, 1);
    assert_string_equal(c.user, "alice");
    assert_string_equal(c.secret, "s3cr:t");
    assert_int_equal(taxii_auth_parse("bearer abc", &c), 0);
    assert_int_equal(c.kind, 2);
    assert_string_equal(c.secret, "abc");
    const char *bad[] = {"Basic", "Basic !!!!", "Basic YWxpY2U=", "Basic OnB3", "Digest x", "Bearer "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(taxii_auth_parse(bad[i], &c), 0);
    taxii_credentials_clear(&c);
}

static void test_taxii_parse_envelope__kinds(void **state)
{
    (void)state;
    json_t *root, *objs;
    vg_error err = {0};
    const char *ok = "{\"objects\":[{},{}],\"more\":false}";
    assert_int_equal(taxii_envelope_parse(ok, strlen(ok), 2, &root, &objs, &err), 0);
    assert_int_equal(json_array_size(objs), 2);
    json_decref(root);
    assert_int_equal(taxii_envelope_parse(ok, strlen(ok), 1, &root, &objs, &err), VG_E_LIMIT);
    assert_int_equal(taxii_envelope_parse("{\"objects\":", 11, 5, &root, &objs, &err), VG_E_PARSE);
    assert_int_equal(taxii_envelope_parse("{\"objects\":{}}", 14, 5, &root, &objs, &err), VG_E_INVALID);
    const char *dup = "{\"objects\":[],\"objects\":[]}";
    assert_int_equal(taxii_envelope_parse(dup, strlen(dup), 5, &root, &objs, &err), VG_E_PARSE);
}

static void test_taxii_parse_config__file(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/t.conf", vg_test_tmpdir("taxii_parse"));
    const char *text = "# comment\n\ntitle = \"My server\"\nmax_body = 2m\nport=8080\nrate = 5\n";
    vg_test_write_file(path, text, strlen(text));
    taxii_config c;
    taxii_config_defaults(&c);
    vg_error err = {0};
    assert_int_equal(taxii_config_load(&c, path, &err), 0);
    assert_string_equal(c.title, "My server");
    assert_int_equal(c.max_body, 2u << 20);
    assert_int_equal(c.port, 8080);
    assert_int_equal(c.rate, 5);
    const char *bad = "port = 80\nmax_page = lots\n";
    vg_test_write_file(path, bad, strlen(bad));
    assert_int_equal(taxii_config_load(&c, path, &err), VG_E_PARSE);
    assert_non_null(strstr(err.where, ":2"));
    const char *unknown = "colour = blue\n";
    vg_test_write_file(path, unknown, strlen(unknown));
    assert_int_equal(taxii_config_load(&c, path, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "colour"));
}

static void test_taxii_parse_credentials__hashes(void **state)
{
    (void)state;
    char h[TAXII_PWHASH_MAX], h2[TAXII_PWHASH_MAX];
    vg_error err = {0};
    assert_int_equal(taxii_password_hash("pässwörd", h, &err), 0);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
    assert_true(taxii_password_verify(h, "pässwörd"));
    assert_false(taxii_password_verify(h, "passwörd"));
    assert_false(taxii_password_verify("", "x"));
    assert_false(taxii_password_verify("$argon2i$garbage", "x"));
    assert_int_equal(taxii_password_hash("pässwörd", h2, &err), 0);
    assert_string_not_equal(h, h2); /* salted */
    assert_int_equal(taxii_password_hash("", h, &err), VG_E_USAGE);
    char tok[TAXII_TOKEN_LEN + 1], id[TAXII_TOKEN_ID_LEN + 1], th[65], again[65];
    assert_int_equal(taxii_token_new(tok, id, th, &err), 0);
    assert_int_equal(strlen(tok), 64);
    taxii_token_hash(tok, strlen(tok), again);
    assert_string_equal(th, again);
    assert_int_equal(strncmp(th, id, TAXII_TOKEN_ID_LEN), 0);
    assert_string_not_equal(tok, th);
}

static void test_taxii_parse_tlp__levels(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:[s,s]}", "object_marking_refs", taxii_tlp_marking_id(TAXII_TLP_GREEN),
                          "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"); /* TLP 1.0 amber */
    assert_int_equal(taxii_tlp_of(o), TAXII_TLP_AMBER);
    json_decref(o);
    o = json_pack("{s:[{s:s,s:[s]}]}", "granular_markings", "marking_ref", taxii_tlp_marking_id(TAXII_TLP_RED),
                  "selectors", "description");
    assert_int_equal(taxii_tlp_of(o), TAXII_TLP_RED);
    json_decref(o);
    o = json_pack("{s:[s]}", "object_marking_refs", "marking-definition--00000000-0000-4000-8000-000000000000");
    assert_int_equal(taxii_tlp_of(o), TAXII_TLP_NONE);
    json_decref(o);
    assert_int_equal(taxii_tlp_parse("white"), TAXII_TLP_CLEAR);
    assert_int_equal(taxii_tlp_parse("amber+strict"), TAXII_TLP_AMBER_STRICT);
    assert_int_equal(taxii_tlp_parse("purple"), TAXII_TLP_NONE);
    /* Unparseable text is withheld; an unknown default fails closed. */
    store_share sh = {0};
    memcpy(sh.default_tlp, "green", 6);
    taxii_reader r = {"a", "identity--x"};
    assert_false(taxii_visible(&r, &sh, "{\"marking-definition--", 22));
    assert_true(taxii_visible(&r, &sh, "{\"type\":\"x\"}", 12));
    memcpy(sh.default_tlp, "bogus", 6);
    assert_false(taxii_visible(&r, &sh, "{\"type\":\"x\"}", 12));
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxii_parse_query__values),   cmocka_unit_test(test_taxii_parse_query__errors),
        cmocka_unit_test(test_taxii_parse_media__types),    cmocka_unit_test(test_taxii_parse_auth__headers),
        cmocka_unit_test(test_taxii_parse_envelope__kinds), cmocka_unit_test(test_taxii_parse_config__file),
        cmocka_unit_test(test_taxii_parse_credentials__hashes), cmocka_unit_test(test_taxii_parse_tlp__levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
