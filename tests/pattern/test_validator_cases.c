/*
 * test_validator_cases.c - vigil against the reference validator's verdicts.
 *
 * ../shared/spec/pattern-validator-cases.jsonl holds 168 patterns (STIX 2.0
 * and 2.1) with the verdict of oasis-open/cti-pattern-validator. vigil must
 * agree with each, except the cases listed in
 * tests/data/pattern/validator-exceptions.txt, where the specification says
 * the reference is wrong; each line there gives the case id, vigil's verdict
 * and the reasoning.
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

static const char *shared;

/* Looks id up in the exceptions file; returns vigil's verdict there (1 valid, 0 invalid) or -1. */
static int exception_for(const char *exceptions, const char *id)
{
    const char *p = exceptions;
    size_t n = strlen(id);
    while ((p = strstr(p, id))) {
        if ((p == exceptions || p[-1] == '\n') && p[n] == '\t') {
            const char *v = p + n + 1;
            if (strncmp(v, "valid", 5) == 0)
                return 1;
            if (strncmp(v, "invalid", 7) == 0)
                return 0;
        }
        p += n;
    }
    return -1;
}

static void test_pattern_validator_cases__agree_with_reference(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/spec/pattern-validator-cases.jsonl", shared);
    size_t len;
    char *text = vg_test_read_file(path, &len);
    char xpath[4096];
    snprintf(xpath, sizeof xpath, "%s/tests/data/pattern/validator-exceptions.txt", getenv("VIGIL_SRC"));
    char *exceptions = vg_test_read_file(xpath, NULL);
    size_t cases = 0, agreed = 0, excepted = 0, failures = 0;
    char *line = text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        json_error_t je;
        json_t *c = json_loads(line, 0, &je);
        if (c) {
            const char *id = json_string_value(json_object_get(c, "id"));
            const char *pat = json_string_value(json_object_get(c, "pattern"));
            const char *ver = json_string_value(json_object_get(c, "stix_version"));
            int expected = json_is_true(json_object_get(c, "expected_valid"));
            pat_opts o = {0};
            o.version = ver && strcmp(ver, "2.0") == 0 ? PAT_STIX_20 : PAT_STIX_21;
            vg_error err = {0};
            int rc = pat_check(pat, strlen(pat), &o, NULL, &err);
            int got = rc == 0;
            int ex = exception_for(exceptions, id);
            cases++;
            if (ex >= 0) {
                excepted++;
                if (got != ex) {
                    print_message("exception %s: vigil says %s, the exceptions file says %s: %s (%s)\n", id,
                                  got ? "valid" : "invalid", ex ? "valid" : "invalid", pat, err.msg);
                    failures++;
                }
                if (ex == expected) {
                    print_message("exception %s agrees with the reference; remove it\n", id);
                    failures++;
                }
            } else if (got == expected) {
                agreed++;
            } else {
                print_message("%s (%s): reference says %s, vigil says %s: %s | %s %s\n", id, ver,
                              expected ? "valid" : "invalid", got ? "valid" : "invalid", pat, err.where, err.msg);
                failures++;
            }
            json_decref(c);
        }
        line = nl ? nl + 1 : NULL;
    }
    print_message("%zu cases: %zu agree, %zu documented exceptions, %zu failures\n", cases, agreed, excepted,
                  failures);
    assert_int_equal(cases, 168);
    assert_int_equal(failures, 0);
    free(text);
    free(exceptions);
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_validator_cases__agree_with_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
