/*
 * test_json.c - the server's JSON scanner on the POST path: the objects of an
 * envelope found in the body (taxii__json_elements) and compacted to exactly
 * the bytes jansson's dump of the parsed object gives (taxii__json_compact),
 * or declined where jansson would write something else (\u and \/ escapes,
 * real numbers, -0); and the jansson tree built in the same pass
 * (taxii__json_tree), the same as jansson's parse. fuzz/fuzz_taxii_compact.c
 * compares them on random input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "taxii/taxii_json.h"
#include "vg_test.h"

/* Compacts text; when it succeeds, the result must equal jansson's dump. Returns whether it succeeded. */
static int compacts(const char *text)
{
    vg_buf out;
    vg_buf_init(&out, 0);
    int rc = taxii__json_compact(text, strlen(text), &out);
    if (rc == 0) {
        json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
        assert_non_null(v);
        char *dump = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        assert_non_null(dump);
        assert_string_equal(out.data, dump);
        free(dump);
        json_decref(v);
    }
    vg_buf_free(&out);
    return rc == 0;
}

static void test_taxii_json_compact__same_as_jansson(void **state)
{
    (void)state;
    assert_true(compacts("{\"type\":\"indicator\",\"n\":[1,-2,0,123456789012345],\"t\":true,\"f\":false,\"z\":null}"));
    assert_true(compacts(" { \"a\" : { \"b\" : [ ] , \"c\" : { } } ,\n\t\"d\" : \"x y\" } "));
    assert_true(compacts("{\"s\":\"q\\\"b\\\\s\\b\\f\\n\\r\\t \xc3\xa9 \xe2\x82\xac \x7f\"}"));
    assert_true(compacts("[1,[2,[3]],\"x\"]"));
    /* jansson writes these otherwise: declined. */
    assert_false(compacts("{\"s\":\"\\u0041\"}"));
    assert_false(compacts("{\"s\":\"a\\/b\"}"));
    assert_false(compacts("{\"a\\/b\":1}"));
    assert_false(compacts("{\"n\":2.5}"));
    assert_false(compacts("{\"n\":0.1}"));
    assert_false(compacts("{\"n\":-0}"));
    assert_false(compacts("{\"n\":1e3}"));
    /* \\/ is an escaped backslash and a slash: written as is. */
    assert_true(compacts("{\"s\":\"a\\\\/b\"}"));
    /* Malformed text is declined, never compacted. */
    assert_false(compacts("{\"a\":1,}"));
    assert_false(compacts("{\"a\":1} x"));
    assert_false(compacts("[1 2]"));
    assert_false(compacts("{\"a\" 1}"));
}

static void test_taxii_json_elements__envelope(void **state)
{
    (void)state;
    const char *body = " {\"more\":[1],\"objects\" : [ {\"id\":\"a\"} , 7,\"s\" ,[ ]], \"x\":{}} ";
    taxii_span *sp = NULL;
    size_t n = 0;
    assert_int_equal(taxii__json_elements(body, strlen(body), "objects", 10, &sp, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(sp[0].p, "{\"id\":\"a\"}", sp[0].n);
    assert_int_equal(sp[1].n, 1);
    assert_memory_equal(sp[2].p, "\"s\"", 3);
    assert_memory_equal(sp[3].p, "[ ]", 3);
    vg_free(sp);
    /* More elements than allowed, no such member, not an array, not an object, malformed: declined. */
    assert_int_equal(taxii__json_elements(body, strlen(body), "objects", 3, &sp, &n), TAXII_JSON_DECLINED);
    assert_null(sp);
    assert_int_equal(taxii__json_elements(body, strlen(body), "items", 10, &sp, &n), TAXII_JSON_DECLINED);
    assert_int_equal(taxii__json_elements("{\"objects\":{}}", 14, "objects", 10, &sp, &n), TAXII_JSON_DECLINED);
    assert_int_equal(taxii__json_elements("[{\"objects\":[]}]", 16, "objects", 10, &sp, &n), TAXII_JSON_DECLINED);
    assert_int_equal(taxii__json_elements("{\"objects\":[1,]}", 16, "objects", 10, &sp, &n), TAXII_JSON_DECLINED);
    assert_null(sp);
    /* The last of duplicate members counts (jansson refuses duplicates before this is used). */
    assert_int_equal(taxii__json_elements("{\"objects\":[1],\"objects\":[2,3]}", 31, "objects", 10, &sp, &n), 0);
    assert_int_equal(n, 2);
    vg_free(sp);
    assert_int_equal(taxii__json_elements("{\"objects\":[]}", 14, "objects", 10, &sp, &n), 0);
    assert_int_equal(n, 0);
    vg_free(sp);
}

/* The strict form the POST handler trusts: other members scalars, no key twice, nothing after. */
static void test_taxii_json_envelope__strict(void **state)
{
    (void)state;
    taxii_span *sp = NULL;
    size_t n = 0;
    const char *ok = " {\"more\":false,\"next\":\"c1\",\"objects\":[{\"a\":1},{}]} \n";
    assert_int_equal(taxii__json_envelope(ok, strlen(ok), 10, &sp, &n), 0);
    assert_int_equal(n, 2);
    vg_free(sp);
    /* \u escapes inside the objects pass (each object is parsed again on its own), their span unchanged. */
    const char *u = "{\"objects\":[{\"n\":\"\\u00e9\\uD83D\\ude00\"},\"\\u0000\"]}";
    assert_int_equal(taxii__json_envelope(u, strlen(u), 10, &sp, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sp[0].n, strlen("{\"n\":\"\\u00e9\\uD83D\\ude00\"}"));
    assert_int_equal(sp[1].n, strlen("\"\\u0000\""));
    vg_free(sp);
    /* Objects are only delimited: what is inside is for the caller to parse again (and refuse). */
    const char *loose = "{\"objects\":[{\"a\":tru,\"b\":\"]}\\\"[\"},[{\"x\":\"\\q\xff\"}]]}";
    assert_int_equal(taxii__json_envelope(loose, strlen(loose), 10, &sp, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sp[0].n, strlen("{\"a\":tru,\"b\":\"]}\\\"[\"}"));
    assert_int_equal(sp[1].n, strlen("[{\"x\":\"\\q\xff\"}]"));
    vg_free(sp);
    char deep[700];
    int k = snprintf(deep, sizeof deep, "{\"objects\":[");
    memset(deep + k, '[', 300);
    memset(deep + k + 300, ']', 300);
    snprintf(deep + k + 600, sizeof deep - (size_t)k - 600, "]}");
    assert_int_equal(taxii__json_envelope(deep, strlen(deep), 10, &sp, &n), TAXII_JSON_DECLINED); /* jansson judges */
    assert_null(sp);
    const char *declined[] = {
        "{\"objects\":[{\"a\":\"unterminated}]}", /* an object without its end */
        "{\"objects\":[{\"a\":1}",             /* the array without its end */
        "{\"objects\":[{}],}",
        "{\"objects\":[{},]}",
        "{\"objects\":[\"\\u00g0\"]}",         /* not four hex digits */
        "{\"objects\":[\"\\u00e\"]}",
        "{\"objects\":[],\"x\":\"\\u0041\"}",    /* \u beside the objects: nobody reads it again */
        "{\"objects\":[1],\"objects\":[2]}",   /* a key twice */
        "{\"objects\":[],\"x\":{\"a\":1}}",     /* a container beside the objects */
        "{\"objects\":[],\"x\":[1]}",
        "{\"objects\":[]} []",                /* something after the object */
        "{\"objects\":[],}",                  /* a trailing comma */
        "{\"obj\\u0065cts\":[]}",             /* an escape: jansson decides */
        "{\"o\\nbjects\":[],\"objects\":[]}", /* an escaped key */
        "{\"objects\":[1,2,3]}",              /* more than max (2) */
        "{\"objects\":{}}",
        "{\"more\":true}",
    };
    for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++) {
        if (taxii__json_envelope(declined[i], strlen(declined[i]), 2, &sp, &n) != TAXII_JSON_DECLINED)
            fail_msg("envelope %zu accepted: %s", i, declined[i]);
        assert_null(sp);
    }
}

/*
 * Builds the tree and text of text; when it succeeds, the tree must dump as
 * jansson's parse of text does (same values, same key order) and the text
 * must be taxii__json_compact's. Returns taxii__json_tree's result.
 */
static int tree_of(const char *text)
{
    vg_buf out, ref;
    vg_buf_init(&out, 0);
    vg_buf_init(&ref, 0);
    json_t *t = NULL;
    int rc = taxii__json_tree(text, strlen(text), &out, &t);
    if (rc == 0) {
        assert_non_null(t);
        json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
        assert_non_null(v);
        assert_true(json_equal(t, v));
        char *a = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        char *b = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        assert_string_equal(a, b);
        assert_int_equal(taxii__json_compact(text, strlen(text), &ref), 0);
        assert_int_equal(out.len, ref.len);
        assert_memory_equal(out.data, ref.data, out.len);
        free(a);
        free(b);
        json_decref(v);
    } else {
        assert_null(t);
    }
    json_decref(t);
    vg_buf_free(&out);
    vg_buf_free(&ref);
    return rc;
}

static void test_taxii_json_tree__same_as_jansson(void **state)
{
    (void)state;
    const char *same[] = {
        "{\"type\":\"indicator\",\"n\":[1,-2,0,123456789012345,-12345678901234],\"t\":true,\"f\":false,\"z\":null}",
        " { \"a\" : { \"b\" : [ ] , \"c\" : { } } ,\n\t\"d\" : \"x y\" } ",
        "{\"s\":\"q\\\"b\\\\s\\b\\f\\n\\r\\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"}",
        "{\"a\\tb\":1,\"a\\nb\":2,\"\":3,\"a\\\\/b\":4}", /* escaped keys, decoded; an empty key */
        "{\"z\":1,\"a\":2,\"m\":{\"y\":[{\"b\":1,\"a\":2}]}}", /* key order kept */
        "[1,[2,[3]],\"x\",{}]",
        "\"top\"", "7", "true", "null", "[]", "{}",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (tree_of(same[i]) != 0)
            fail_msg("declined %zu: %s", i, same[i]);
    /* A string longer than the decoding buffer on the stack, with escapes. */
    char big[2048] = "{\"long\\tkey";
    size_t k = strlen(big);
    for (int i = 0; i < 300; i++, k += 3)
        memcpy(big + k, "a\\n", 3);
    memcpy(big + k, "\":\"", 3);
    k += 3;
    for (int i = 0; i < 300; i++, k += 3)
        memcpy(big + k, "b\\\"", 3);
    memcpy(big + k, "\"}", 3);
    assert_int_equal(tree_of(big), 0);
    /* Declined: a key twice (jansson refuses it, with its message), what compaction declines, bad text. */
    const char *declined[] = {
        "{\"a\":1,\"a\":2}", "{\"x\":{\"a\\n\":1,\"a\\n\":2}}", "[{\"a\":1,\"b\":{},\"a\":[]}]",
        "{\"s\":\"\\u0041\"}", "{\"s\":\"a\\/b\"}", "{\"a\\/b\":1}", "{\"n\":2.5}", "{\"n\":-0}",
        "{\"n\":1e3}", "{\"n\":1234567890123456}", "{\"a\":1,}", "{\"a\":1} x", "[1 2]", "{\"a\" 1}", "[01]",
        "", "{", "\"\x80\"",
    };
    for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++)
        if (tree_of(declined[i]) != TAXII_JSON_DECLINED)
            fail_msg("not declined %zu: %s", i, declined[i]);
}

/* Every allocation failing in turn: VG_E_NOMEM and nothing kept (ASan would see a leak), until it succeeds. */
static void test_taxii_json_tree__out_of_memory(void **state)
{
    (void)state;
    const char *text = "{\"id\":\"a\\tb\",\"n\":[1,{\"k\":\"v\"},true],\"o\":{\"x\":null}}";
    int rc = VG_E_NOMEM;
    long n;
    for (n = 1; rc == VG_E_NOMEM && n < 1000; n++) {
        vg_buf out;
        vg_buf_init(&out, 0);
        json_t *t = NULL;
        vg_alloc_fail_after(n);
        rc = taxii__json_tree(text, strlen(text), &out, &t);
        vg_alloc_fail_after(0);
        if (rc)
            assert_null(t);
        json_decref(t);
        vg_buf_free(&out);
    }
    assert_int_equal(rc, 0);
    assert_true(n > 5); /* it did fail along the way */
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxii_json_compact__same_as_jansson),
        cmocka_unit_test(test_taxii_json_elements__envelope),
        cmocka_unit_test(test_taxii_json_envelope__strict),
        cmocka_unit_test(test_taxii_json_tree__same_as_jansson),
        cmocka_unit_test(test_taxii_json_tree__out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
