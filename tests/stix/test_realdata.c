/*
 * test_realdata.c - every object of the real intelligence in ../shared/data
 * validates with no error: the 17 IOC bundles (STIX 2.1) and the four
 * ATT&CK bundles (Enterprise and Mobile 18.1 are STIX 2.0 and are upgraded
 * first; Mobile 17.1 and ICS 18.1 are STIX 2.1). Object counts by type must
 * equal the counts published beside the data (iocs/INDEX.tsv and the table
 * in attack/SOURCE.md, copied into expect_attack below).
 *
 * Objects that are truly invalid by the specification would be listed in
 * known_invalid[] with the reason; today there are none.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"
#include "vg_test.h"

static const char *shared;

/* Real objects that break a MUST of STIX 2.1, by id, with the reason. */
static const struct {
    const char *id;
    const char *reason;
} known_invalid[] = {
    {NULL, NULL},
};

static int is_known_invalid(const char *id)
{
    for (size_t i = 0; known_invalid[i].id; i++)
        if (id && strcmp(id, known_invalid[i].id) == 0)
            return 1;
    return 0;
}

/* Reads a whole file, gunzipping when the name ends in .gz. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    if (!g)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (cap - n < (1 << 16)) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        int r = gzread(g, buf + n, (unsigned)(cap - n));
        if (r < 0)
            fail_msg("cannot read %s", path);
        if (r == 0)
            break;
        n += (size_t)r;
    }
    gzclose(g);
    *len = n;
    return buf;
}

typedef struct tally {
    json_t *by_type; /* type -> count */
    size_t objects;  /* objects seen */
    size_t upgraded; /* objects upgraded from 2.0 */
    size_t errors;   /* objects with errors, not known invalid */
    size_t warnings; /* warnings over all objects */
    double seconds;  /* time in upgrade + validate */
} tally;

/* Upgrades (when 2.0) and validates every object of the bundle at path. */
static void check_bundle(const char *path, tally *t)
{
    size_t len;
    char *text = slurp(path, &len);
    json_error_t e;
    json_t *b = json_loadb(text, len, 0, &e);
    free(text);
    if (!b)
        fail_msg("%s:%d: %s", path, e.line, e.text);
    int b20 = json_is_string(json_object_get(b, "spec_version")) &&
              strcmp(json_string_value(json_object_get(b, "spec_version")), "2.0") == 0;
    t->by_type = json_object();
    t->objects = t->upgraded = t->errors = t->warnings = 0;
    t->seconds = 0;
    stix_issues is = {0};
    size_t i;
    json_t *obj;
    json_array_foreach(json_object_get(b, "objects"), i, obj)
    {
        const char *type = json_string_value(json_object_get(obj, "type"));
        json_t *n = json_object_get(t->by_type, type ? type : "?");
        json_object_set_new(t->by_type, type ? type : "?", json_integer(n ? json_integer_value(n) + 1 : 1));
        t->objects++;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (stix_is_20(obj, b20)) {
            vg_error err = {0};
            assert_int_equal(stix_upgrade_20(obj, &err), 0);
            t->upgraded++;
        }
        stix_issues_clear(&is);
        assert_int_equal(stix_validate(obj, 0, &is), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        t->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        t->warnings += is.n - is.errors;
        const char *id = json_string_value(json_object_get(obj, "id"));
        if (is.errors && !is_known_invalid(id)) {
            if (t->errors < 10)
                for (size_t k = 0; k < is.n; k++)
                    fprintf(stderr, "%s object %zu (%s): %s %s: %s\n", path, i, id ? id : "?",
                            is.v[k].severity ? "warning" : "error", is.v[k].path, is.v[k].msg);
            t->errors++;
        }
    }
    stix_issues_free(&is);
    json_decref(b);
}

/* Compares counts by type with want (an object type -> count). */
static int same_counts(const char *what, json_t *got, json_t *want)
{
    if (json_equal(got, want))
        return 1;
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS),
         *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(stderr, "%s: counts by type\n  got  %s\n  want %s\n", what, g, w);
    free(g);
    free(w);
    return 0;
}

static void test_stix_realdata__iocs(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/iocs/INDEX.tsv", shared);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int files = 0, bad = 0;
    size_t objects = 0;
    double secs = 0;
    assert_true(getline(&line, &cap, f) > 0); /* header: path bytes indicators object_types ... */
    while (getline(&line, &cap, f) > 0) {
        char *cols[8] = {0};
        int nc = 0;
        for (char *s = line, *tab; nc < 8 && s; s = tab ? tab + 1 : NULL) {
            tab = strchr(s, '\t');
            if (tab)
                *tab = '\0';
            cols[nc++] = s;
        }
        assert_true(nc >= 4);
        json_error_t e;
        json_t *want = json_loads(cols[3], 0, &e);
        assert_non_null(want);
        char file[4096];
        snprintf(file, sizeof file, "%s/data/iocs/%s", shared, cols[0]);
        tally t;
        check_bundle(file, &t);
        if (!same_counts(file, t.by_type, want) || t.errors)
            bad++;
        assert_int_equal(t.upgraded, 0); /* all IOC bundles are STIX 2.1 */
        objects += t.objects;
        secs += t.seconds;
        json_decref(want);
        json_decref(t.by_type);
        files++;
    }
    free(line);
    fclose(f);
    fprintf(stderr, "iocs: %d files, %zu objects, validated in %.3f s (%.2f us/object)\n", files, objects,
            secs, objects ? secs * 1e6 / (double)objects : 0.0);
    assert_int_equal(files, 17);
    assert_int_equal(bad, 0);
}

/* Counts by type from attack/SOURCE.md ("Record counts"). */
static const struct {
    const char *file;
    int is_20;
    const char *counts;
} expect_attack[] = {
    {"enterprise-attack-18.1.stix20.json.gz", 1,
     "{\"relationship\":20048,\"x-mitre-analytic\":1739,\"attack-pattern\":835,\"malware\":696,"
     "\"x-mitre-detection-strategy\":691,\"course-of-action\":268,\"intrusion-set\":187,"
     "\"x-mitre-data-component\":109,\"tool\":91,\"campaign\":52,\"x-mitre-data-source\":38,"
     "\"x-mitre-tactic\":14,\"identity\":1,\"marking-definition\":1,\"x-mitre-matrix\":1}"},
    {"mobile-attack-18.1.stix20.json.gz", 1,
     "{\"relationship\":1811,\"x-mitre-analytic\":211,\"attack-pattern\":190,\"malware\":121,"
     "\"x-mitre-detection-strategy\":124,\"course-of-action\":15,\"intrusion-set\":17,"
     "\"x-mitre-data-component\":17,\"tool\":2,\"campaign\":3,\"x-mitre-data-source\":6,"
     "\"x-mitre-tactic\":14,\"identity\":1,\"marking-definition\":1,\"x-mitre-matrix\":2}"},
    {"mobile-attack-17.1.json", 0,
     "{\"relationship\":1766,\"attack-pattern\":188,\"malware\":117,\"course-of-action\":15,"
     "\"intrusion-set\":15,\"x-mitre-data-component\":17,\"tool\":2,\"campaign\":3,\"x-mitre-data-source\":6,"
     "\"x-mitre-tactic\":14,\"x-mitre-collection\":1,\"identity\":1,\"marking-definition\":1,"
     "\"x-mitre-matrix\":2}"},
    {"ics-attack-18.1.json", 0,
     "{\"relationship\":1373,\"x-mitre-analytic\":82,\"attack-pattern\":95,\"malware\":30,"
     "\"x-mitre-detection-strategy\":83,\"course-of-action\":52,\"intrusion-set\":16,"
     "\"x-mitre-data-component\":36,\"campaign\":8,\"x-mitre-data-source\":17,\"x-mitre-tactic\":12,"
     "\"x-mitre-asset\":18,\"x-mitre-collection\":1,\"identity\":1,\"marking-definition\":1,"
     "\"x-mitre-matrix\":1}"},
};

static void test_stix_realdata__attack(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof expect_attack / sizeof expect_attack[0]; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/data/attack/%s", shared, expect_attack[i].file);
        tally t;
        check_bundle(file, &t);
        json_error_t e;
        json_t *want = json_loads(expect_attack[i].counts, 0, &e);
        assert_non_null(want);
        if (!same_counts(file, t.by_type, want) || t.errors)
            bad++;
        if (expect_attack[i].is_20)
            assert_int_equal(t.upgraded, t.objects);
        else
            assert_int_equal(t.upgraded, 0);
        fprintf(stderr,
                "%s: %zu objects (%zu upgraded), %zu with errors, %zu warnings, %.3f s (%.2f us/object)\n",
                expect_attack[i].file, t.objects, t.upgraded, t.errors, t.warnings, t.seconds,
                t.objects ? t.seconds * 1e6 / (double)t.objects : 0.0);
        json_decref(want);
        json_decref(t.by_type);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    shared = vg_test_shared();
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix_realdata__iocs),
        cmocka_unit_test(test_stix_realdata__attack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
