/*
 * test_data.c - the data-driven suites: tests/data/pattern/check.txt
 * (pattern -> valid / warn / invalid, with the first error's position) and
 * tests/data/pattern/match.txt (observations + pattern -> match / nomatch).
 * The files explain their own format and, case by case, the specification's
 * reasoning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"
#include "vg_test.h"

static char *data_file(const char *name)
{
    char path[4096];
    const char *src = getenv("VIGIL_SRC");
    snprintf(path, sizeof path, "%s/tests/data/pattern/%s", src ? src : "..", name);
    return vg_test_read_file(path, NULL);
}

/* Splits "verdict[@2.0][:L:C] rest": returns the version and fills verdict, line, col, rest. */
static int head(char *line, char **verdict, unsigned *l, unsigned *c, char **rest)
{
    char *sp = strchr(line, ' ');
    *rest = sp ? sp + 1 : line + strlen(line);
    if (sp)
        *sp = '\0';
    *verdict = line;
    int version = PAT_STIX_21;
    char *at = strchr(line, '@');
    if (at) {
        *at = '\0';
        if (strncmp(at + 1, "2.0", 3) == 0)
            version = PAT_STIX_20;
    }
    *l = *c = 0;
    char *colon = strchr(line, ':');
    if (colon) {
        *colon = '\0';
        *l = (unsigned)strtoul(colon + 1, &colon, 10);
        if (*colon == ':')
            *c = (unsigned)strtoul(colon + 1, NULL, 10);
    }
    return version;
}

/* Replaces the two characters "\n" with a line break (in place). */
static void unescape_newlines(char *s)
{
    char *d = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            *d++ = '\n';
            s++;
        } else {
            *d++ = *s;
        }
    }
    *d = '\0';
}

static void test_pattern_data__check_cases(void **state)
{
    (void)state;
    char *text = data_file("check.txt");
    size_t cases = 0, failures = 0, lineno = 0;
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (!*line || *line == '#')
            continue;
        char *verdict, *pat;
        unsigned el, ec;
        pat_opts o = {0};
        o.version = head(line, &verdict, &el, &ec, &pat);
        unescape_newlines(pat);
        pat_diags d = {0};
        vg_error err = {0};
        int rc = pat_check(pat, strlen(pat), &o, &d, &err);
        cases++;
        int ok;
        if (strcmp(verdict, "valid") == 0)
            ok = rc == 0 && d.warnings == 0;
        else if (strcmp(verdict, "warn") == 0)
            ok = rc == 0 && d.warnings > 0;
        else
            ok = rc != 0 && rc != VG_E_NOMEM && d.errors > 0;
        if (ok && el) {
            const pat_diag *first = NULL;
            for (size_t i = 0; i < d.n && !first; i++)
                if (d.v[i].severity == PAT_DIAG_ERROR)
                    first = &d.v[i];
            ok = first && first->line == el && first->col == ec;
            if (!ok && first)
                print_message("check.txt:%zu: first error at %u:%u, expected %u:%u\n", lineno, first->line,
                              first->col, el, ec);
        }
        if (!ok) {
            failures++;
            print_message("check.txt:%zu: expected %s, got rc=%d errors=%zu warnings=%zu: %s\n", lineno, verdict, rc,
                          d.errors, d.warnings, pat);
            for (size_t i = 0; i < d.n; i++)
                print_message("    %s %u:%u %s\n", d.v[i].severity ? "warning" : "error", d.v[i].line, d.v[i].col,
                              d.v[i].msg);
        }
        pat_diags_free(&d);
    }
    print_message("check.txt: %zu cases, %zu failures\n", cases, failures);
    assert_true(cases > 100);
    assert_int_equal(failures, 0);
    free(text);
}

typedef struct obsset {
    char name[64];
    json_t *json;
    pat_observations *obs;
} obsset;

static void test_pattern_data__match_cases(void **state)
{
    (void)state;
    char *text = data_file("match.txt");
    obsset sets[16];
    size_t nsets = 0, cases = 0, failures = 0, lineno = 0;
    char *collect = NULL;
    size_t collect_line = 0;
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (collect) {
            if (strcmp(line, "@end") == 0) {
                /* Everything between the @obs line and here is the JSON: restore the newlines. */
                for (char *p = collect; p < line; p++)
                    if (!*p)
                        *p = '\n';
                line[-1] = '\0';
                json_error_t je;
                json_t *j = json_loads(collect, 0, &je);
                if (!j)
                    fail_msg("match.txt:%zu: bad JSON: %s (line %d)", collect_line, je.text, je.line);
                vg_error err = {0};
                assert_true(nsets < 16);
                sets[nsets].json = j;
                if (pat_observations_from_json(j, &sets[nsets].obs, &err))
                    fail_msg("match.txt:%zu: %s: %s", collect_line, err.where, err.msg);
                nsets++;
                collect = NULL;
            }
            continue;
        }
        if (!*line || *line == '#')
            continue;
        if (strncmp(line, "@obs ", 5) == 0) {
            snprintf(sets[nsets].name, sizeof sets[nsets].name, "%s", line + 5);
            collect = nl + 1;
            collect_line = lineno;
            continue;
        }
        char *verdict, *rest;
        unsigned el, ec;
        pat_opts o = {0};
        o.version = head(line, &verdict, &el, &ec, &rest);
        char *sp = strchr(rest, ' ');
        assert_non_null(sp);
        *sp = '\0';
        const char *pat = sp + 1;
        obsset *set = NULL;
        for (size_t i = 0; i < nsets; i++)
            if (strcmp(sets[i].name, rest) == 0)
                set = &sets[i];
        if (!set)
            fail_msg("match.txt:%zu: no observation set '%s'", lineno, rest);
        cases++;
        pat_pattern *p = NULL;
        vg_error err = {0};
        if (pat_compile(pat, strlen(pat), &o, &p, NULL, &err)) {
            print_message("match.txt:%zu: does not compile: %s %s: %s\n", lineno, err.where, err.msg, pat);
            failures++;
            continue;
        }
        pat_result res = {0};
        int rc = pat_match(p, set->obs, &res, &err);
        int want = strcmp(verdict, "match") == 0;
        if (rc || res.matched != want) {
            failures++;
            print_message("match.txt:%zu: expected %s, got %s%s%s: %s\n", lineno, verdict,
                          rc ? "error " : res.matched ? "match" : "nomatch", rc ? err.msg : "", "", pat);
        } else if (res.matched) {
            /* A match names which observations bound to which expression. */
            assert_true(res.nbindings >= 1);
            for (size_t i = 0; i < res.nbindings; i++) {
                assert_true(res.bindings[i].expression < pat_observation_count(p));
                assert_true(res.bindings[i].observation < pat_observations_count(set->obs));
            }
        }
        pat_result_free(&res);
        pat_free(p);
    }
    for (size_t i = 0; i < nsets; i++) {
        pat_observations_free(sets[i].obs);
        json_decref(sets[i].json);
    }
    print_message("match.txt: %zu cases, %zu failures\n", cases, failures);
    assert_true(cases > 100);
    assert_int_equal(failures, 0);
    free(text);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_data__check_cases),
        cmocka_unit_test(test_pattern_data__match_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
