/*
 * test_api.c - the public API around the core: diagnostics with positions
 * and carets, ceilings on length and depth, the leaf export and the
 * plain-disjunction flag for the scanner, observations input errors,
 * bindings, sharing one compiled pattern between threads, and allocation
 * failure at every step (N = 1, 2, ... until the call succeeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"
#include "vg_test.h"

static pat_pattern *compile_ok(const char *s)
{
    pat_pattern *p = NULL;
    vg_error err = {0};
    if (pat_compile(s, strlen(s), NULL, &p, NULL, &err))
        fail_msg("%s: %s %s", s, err.where, err.msg);
    return p;
}

static void test_pattern_api__error_position_and_caret(void **state)
{
    (void)state;
    const char *src = "[file:name = 'a']\nAND [file:size < 'big']";
    pat_diags d = {0};
    vg_error err = {0};
    assert_int_equal(pat_check(src, strlen(src), NULL, &d, &err), VG_E_INVALID);
    assert_string_equal(err.where, "2:18");
    assert_non_null(strstr(err.msg, "cannot be ordered"));
    assert_int_equal(d.errors, 1);
    vg_buf b;
    vg_buf_init(&b, 0);
    assert_int_equal(pat_diag_excerpt(src, strlen(src), &d.v[0], &b), 0);
    assert_string_equal(b.data, "AND [file:size < 'big']\n                 ^\n");
    vg_buf_free(&b);
    pat_diags_free(&d);

    /* A syntax error says what was expected. */
    src = "[file:size = ]";
    assert_int_equal(pat_check(src, strlen(src), NULL, &d, &err), VG_E_PARSE);
    assert_string_equal(err.where, "1:14");
    assert_non_null(strstr(err.msg, "expected a literal"));
    assert_non_null(strstr(d.v[0].expected, "integer"));
    pat_diags_free(&d);

    /* Columns count characters, not bytes. */
    src = "[file:name = 'é'] AND ?";
    assert_int_equal(pat_check(src, strlen(src), NULL, &d, &err), VG_E_PARSE);
    assert_string_equal(err.where, "1:23");
    pat_diags_free(&d);
}

static void test_pattern_api__ceilings(void **state)
{
    (void)state;
    pat_opts o = {0};
    o.max_len = 20;
    vg_error err = {0};
    const char *src = "[file:name = 'a long enough pattern']";
    assert_int_equal(pat_check(src, strlen(src), &o, NULL, &err), VG_E_LIMIT);
    assert_non_null(strstr(err.msg, "ceiling"));

    /* Nesting: 200 parentheses exceed the default depth of 64. */
    char deep[1024];
    size_t k = 0;
    for (int i = 0; i < 200; i++)
        deep[k++] = '(';
    k += (size_t)snprintf(deep + k, sizeof deep - k, "[file:name = 'a']");
    for (int i = 0; i < 200; i++)
        deep[k++] = ')';
    deep[k] = '\0';
    assert_int_equal(pat_check(deep, k, NULL, NULL, &err), VG_E_LIMIT);
    assert_non_null(strstr(err.msg, "deeper"));
    o.max_len = 0;
    o.max_depth = 500;
    assert_int_equal(pat_check(deep, k, &o, NULL, &err), 0);

    /* Long flat chains are not nesting: 20,000 ORs compile. */
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, "[");
    for (int i = 0; i < 20000; i++)
        vg_buf_printf(&b, "%sfile:name = 'f%d'", i ? " OR " : "", i);
    vg_buf_puts(&b, "]");
    pat_pattern *p = NULL;
    assert_int_equal(pat_compile(b.data, b.len, NULL, &p, NULL, &err), 0);
    assert_int_equal(pat_leaf_count(p), 20000);
    assert_true(pat_is_simple_disjunction(p));
    pat_free(p);
    vg_buf_free(&b);
}

static void test_pattern_api__leaves_and_simple_disjunction(void **state)
{
    (void)state;
    pat_pattern *p = compile_ok("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' "
                                "OR domain-name:value IN ('a.example', 'b.example')] OR [url:value = 'http://x/']");
    assert_true(pat_is_simple_disjunction(p));
    assert_int_equal(pat_leaf_count(p), 3);
    assert_int_equal(pat_observation_count(p), 2);
    const pat_leaf *l = pat_leaf_at(p, 0);
    assert_string_equal(l->object_type, "file");
    assert_string_equal(l->path, "hashes.'SHA-256'");
    assert_int_equal(l->nsteps, 2);
    assert_string_equal(l->steps[1].key, "SHA-256");
    assert_int_equal(l->op, PAT_OP_EQ);
    assert_int_equal(l->value->kind, PAT_LIT_STRING);
    assert_int_equal(l->value->len, 64);
    l = pat_leaf_at(p, 1);
    assert_int_equal(l->op, PAT_OP_IN);
    assert_int_equal(l->value->nitems, 2);
    assert_string_equal(l->value->items[1].s, "b.example");
    l = pat_leaf_at(p, 2);
    assert_int_equal(l->observation, 1);
    assert_null(pat_leaf_at(p, 3));
    pat_free(p);

    const char *not_simple[] = {
        "[file:name = 'a'] AND [file:name = 'b']",
        "[file:name = 'a' AND file:size = 1]",
        "[file:name != 'a']",
        "[file:name NOT = 'a']",
        "[file:name LIKE 'a%']",
        "[file:name = 'a'] WITHIN 5 SECONDS",
        "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']",
    };
    for (size_t i = 0; i < sizeof not_simple / sizeof not_simple[0]; i++) {
        p = compile_ok(not_simple[i]);
        if (pat_is_simple_disjunction(p))
            fail_msg("%s is not a plain disjunction of equalities", not_simple[i]);
        pat_free(p);
    }
    p = compile_ok("[EXISTS file:name]");
    assert_int_equal(pat_leaf_at(p, 0)->op, PAT_OP_EXISTS);
    assert_int_equal(pat_leaf_at(p, 0)->value->kind, PAT_LIT_NONE);
    pat_free(p);
}

static const char *bundle_json =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
    "{\"type\":\"observed-data\",\"id\":\"observed-data--1\",\"first_observed\":\"2020-01-01T00:00:00Z\","
    "\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":1,\"object_refs\":[\"file--1\"]},"
    "{\"type\":\"file\",\"id\":\"file--1\",\"name\":\"a.exe\"},"
    "{\"type\":\"observed-data\",\"id\":\"observed-data--2\",\"first_observed\":\"2020-01-01T00:01:00Z\","
    "\"last_observed\":\"2020-01-01T00:01:00Z\",\"number_observed\":1,\"object_refs\":[\"file--2\",\"domain-name--1\"]},"
    "{\"type\":\"file\",\"id\":\"file--2\",\"name\":\"b.exe\"},"
    "{\"type\":\"domain-name\",\"id\":\"domain-name--1\",\"value\":\"evil.example\"}]}";

static void test_pattern_api__bindings(void **state)
{
    (void)state;
    json_t *j = json_loads(bundle_json, 0, NULL);
    pat_observations *o = NULL;
    vg_error err = {0};
    assert_int_equal(pat_observations_from_json(j, &o, &err), 0);
    assert_int_equal(pat_observations_count(o), 2);
    assert_string_equal(pat_observation_id(o, 1), "observed-data--2");
    pat_pattern *p = compile_ok("[file:name = 'a.exe'] FOLLOWEDBY [file:name = 'b.exe' AND domain-name:value = 'evil.example']");
    pat_result r = {0};
    assert_int_equal(pat_match(p, o, &r, &err), 0);
    assert_true(r.matched);
    assert_int_equal(r.nbindings, 2);
    assert_int_equal(r.bindings[0].expression, 0);
    assert_string_equal(r.bindings[0].obs_id, "observed-data--1");
    assert_int_equal(r.bindings[0].nobjects, 1);
    assert_string_equal(r.bindings[0].object_ids[0], "file--1");
    assert_int_equal(r.bindings[1].expression, 1);
    assert_int_equal(r.bindings[1].observation, 1);
    assert_int_equal(r.bindings[1].nobjects, 2);
    assert_string_equal(r.bindings[1].object_ids[0], "file--2");
    assert_string_equal(r.bindings[1].object_ids[1], "domain-name--1");
    pat_result_free(&r);
    pat_free(p);
    pat_observations_free(o);
    json_decref(j);
}

static void test_pattern_api__observation_errors(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"type\":\"indicator\"}",
        "42",
        "[{\"type\":\"observed-data\",\"last_observed\":\"2020-01-01T00:00:00Z\",\"object_refs\":[]}]",
        "[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"yesterday\",\"object_refs\":[]}]",
        "[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-02T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\",\"object_refs\":[]}]",
        "[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":0,\"object_refs\":[]}]",
        "[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        pat_observations *o = NULL;
        vg_error err = {0};
        int rc = pat_observations_from_json(j, &o, &err);
        if (rc != VG_E_INVALID)
            fail_msg("case %zu: rc %d", i, rc);
        assert_null(o);
        assert_true(err.msg[0] != '\0');
        json_decref(j);
    }
}

typedef struct shared_match {
    const pat_pattern *p;
    const pat_observations *o;
    int ok;
} shared_match;

static void *worker(void *arg)
{
    shared_match *s = arg;
    s->ok = 1;
    for (int i = 0; i < 2000; i++) {
        pat_result r = {0};
        vg_error err = {0};
        if (pat_match(s->p, s->o, &r, &err) || !r.matched || r.nbindings != 2)
            s->ok = 0;
        pat_result_free(&r);
    }
    return NULL;
}

static void test_pattern_api__shared_between_threads(void **state)
{
    (void)state;
    json_t *j = json_loads(bundle_json, 0, NULL);
    pat_observations *o = NULL;
    vg_error err = {0};
    assert_int_equal(pat_observations_from_json(j, &o, &err), 0);
    pat_pattern *p = compile_ok("[file:name MATCHES '^a\\\\.'] AND [domain-name:value LIKE 'evil.%']");
    shared_match s[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        s[i].p = p;
        s[i].o = o;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(s[i].ok);
    }
    pat_free(p);
    pat_observations_free(o);
    json_decref(j);
}

/* Fails allocation N = 1, 2, ... until the whole sequence succeeds; each failure must be a clean VG_E_NOMEM. */
static int run_all(void)
{
    const char *src = "([file:name MATCHES '^a' OR file:hashes.MD5 IN ('cead3f77f6cda6ec00f57d76c9a6879f')] "
                      "FOLLOWEDBY [domain-name:value LIKE 'evil.%' AND file:name = 'b.exe']) WITHIN 300 SECONDS "
                      "OR [ipv4-addr:value ISSUBSET '10.0.0.0/8'] REPEATS 2 TIMES";
    pat_pattern *p = NULL;
    pat_diags d = {0};
    vg_error err = {0};
    int rc = pat_compile(src, strlen(src), NULL, &p, &d, &err);
    pat_diags_free(&d);
    if (rc)
        return rc;
    json_t *j = json_loads(bundle_json, 0, NULL);
    if (!j) {
        pat_free(p);
        return VG_E_NOMEM;
    }
    pat_observations *o = NULL;
    rc = pat_observations_from_json(j, &o, &err);
    if (!rc) {
        pat_result r = {0};
        rc = pat_match(p, o, &r, &err);
        if (!rc && !r.matched)
            rc = VG_E_INTERNAL;
        pat_result_free(&r);
    }
    pat_observations_free(o);
    json_decref(j);
    pat_free(p);
    return rc;
}

static void test_pattern_api__allocation_failures(void **state)
{
    (void)state;
    int rc = -1;
    long n;
    for (n = 1; n < 5000; n++) {
        vg_alloc_fail_after(n);
        rc = run_all();
        vg_alloc_fail_reset();
        if (rc == 0)
            break;
        if (rc != VG_E_NOMEM)
            fail_msg("allocation %ld failing gave %d (%s), not VG_E_NOMEM", n, rc, vg_strerror(rc));
    }
    assert_int_equal(rc, 0);
    print_message("succeeded once %ld allocations were allowed to work\n", n);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_api__error_position_and_caret),
        cmocka_unit_test(test_pattern_api__ceilings),
        cmocka_unit_test(test_pattern_api__leaves_and_simple_disjunction),
        cmocka_unit_test(test_pattern_api__bindings),
        cmocka_unit_test(test_pattern_api__observation_errors),
        cmocka_unit_test(test_pattern_api__shared_between_threads),
        cmocka_unit_test(test_pattern_api__allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
