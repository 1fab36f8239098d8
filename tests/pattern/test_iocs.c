/*
 * test_iocs.c - every indicator pattern in the real IOC bundles
 * (every .stix2 file under ../shared/data/iocs, 10,759 indicators from Amnesty Tech, MVT
 * and the stalkerware list) parses and checks without errors. Non-standard
 * object types (app:id, configuration-profile:id, android-property:name) and
 * non-vocabulary hash names (hashes.sha256) are legal custom content: they
 * give warnings only, which this test counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"
#include "vg_test.h"

static const char *shared;
static size_t files, indicators, errors, warnings, simple;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (flag != FTW_F || n < 6 || strcmp(path + n - 6, ".stix2") != 0)
        return 0;
    json_error_t je;
    json_t *b = json_load_file(path, 0, &je);
    if (!b) {
        print_message("%s: not JSON: %s\n", path, je.text);
        errors++;
        return 0;
    }
    files++;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(b, "objects"), i, o) {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *pat = json_string_value(json_object_get(o, "pattern"));
        if (!type || strcmp(type, "indicator") != 0 || !pat)
            continue;
        indicators++;
        pat_opts opts = {0};
        opts.version = pat_version_of_indicator(o);
        pat_diags d = {0};
        vg_error err = {0};
        pat_pattern *p = NULL;
        int rc = pat_compile(pat, strlen(pat), &opts, &p, &d, &err);
        if (rc) {
            errors++;
            print_message("%s %s: %s: %s %s\n", path, json_string_value(json_object_get(o, "id")), pat, err.where,
                          err.msg);
        } else {
            simple += pat_is_simple_disjunction(p);
            assert_true(pat_leaf_count(p) >= 1);
        }
        warnings += d.warnings;
        pat_diags_free(&d);
        pat_free(p);
    }
    json_decref(b);
    return 0;
}

static void test_pattern_iocs__all_check_clean(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/iocs", shared);
    assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
    print_message("%zu files, %zu indicators: %zu with errors, %zu warnings, %zu plain disjunctions of equalities\n",
                  files, indicators, errors, warnings, simple);
    assert_true(files >= 17);
    assert_true(indicators >= 10759);
    assert_int_equal(errors, 0);
    /* These bundles hold only [type:prop = 'value'] patterns: all of them go to the index. */
    assert_int_equal(simple, indicators);
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_iocs__all_check_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
