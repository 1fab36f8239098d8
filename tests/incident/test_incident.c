/*
 * test_incident.c - the incident extension: vocabularies, setting and
 * validating properties, the severity score and rules files, mapping files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/incident.h"
#include "vg_test.h"

static void test_incident_vocab__lookup(void **st)
{
    (void)st;
    assert_string_equal(inc_country_code("Korea, Republic of"), "KR");
    assert_string_equal(inc_country_code("south korea"), "KR");
    assert_string_equal(inc_country_code("de"), "DE");
    assert_null(inc_country_code("Europe (region)"));
    assert_int_equal(inc_sector_from_misp("News - Media"), inc_sector_index("media"));
    assert_int_equal(inc_sector_from_misp("nothing"), -1);
    int sev;
    assert_int_equal(inc_severity_parse("high", &sev, NULL), 0);
    assert_int_equal(sev, 4);
    assert_int_equal(inc_severity_parse("6", &sev, NULL), VG_E_INVALID);
    assert_true(inc_nsectors <= 64);
    for (size_t i = 0; i < inc_nsectors; i++)
        if (inc_sectors[i].misp)
            assert_int_equal(inc_sector_from_misp(inc_sectors[i].misp), (int)i);
}

static void test_incident_object__set_and_validate(void **st)
{
    (void)st;
    json_t *o;
    vg_error err = {0};
    assert_int_equal(inc_new(NULL, "Ransomware at the water utility", &o, &err), 0);
    assert_int_equal(inc_set(o, "severity", "critical", &err), 0);
    assert_int_equal(inc_set(o, "sectors", "water,energy", &err), 0);
    assert_int_equal(inc_set(o, "sectors", "-energy", &err), 0);
    assert_int_equal(inc_set(o, "countries", "Germany, fr", &err), 0);
    assert_int_equal(inc_set(o, "categories", "+ransomware", &err), 0);
    assert_int_equal(inc_set(o, "first_activity", "2024-03-01T10:00:00Z", &err), 0);
    assert_int_equal(inc_set(o, "status", "done", &err), VG_E_INVALID);
    assert_int_equal(inc_set(o, "sectors", "bakeries", &err), VG_E_INVALID);
    assert_int_equal(inc_set(o, "colour", "red", &err), VG_E_USAGE);
    json_t *ext = inc_ext(o);
    assert_int_equal(json_integer_value(json_object_get(ext, "severity")), 5);
    assert_int_equal(json_array_size(json_object_get(ext, "sectors")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(ext, "countries"), 0)), "DE");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ext, "countries"), 1)), "FR");
    stix_issues is = {0};
    assert_int_equal(inc_validate(o, &is), 0);
    assert_int_equal(is.errors, 0);
    stix_issues_free(&is);
    /* break it by hand: the validator names the path */
    json_object_set_new(ext, "status", json_string("done"));
    json_array_append_new(json_object_get(ext, "countries"), json_string("de"));
    json_object_set_new(ext, "last_activity", json_string("2024-01-01T00:00:00Z"));
    assert_int_equal(inc_validate(o, &is), 0);
    assert_int_equal(is.errors, 3);
    assert_non_null(strstr(is.v[1].path, ".countries[2]"));
    stix_issues_free(&is);
    json_decref(o);
    /* the meta objects are valid STIX */
    json_t *m[2] = {inc_identity(), inc_extension_definition()};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(stix_validate(m[i], 0, &is), 0);
        assert_int_equal(is.errors, 0);
        stix_issues_free(&is);
        json_decref(m[i]);
    }
}

static void test_incident_score__defaults(void **st)
{
    (void)st;
    const char *ransom[] = {"ransomware"}, *backdoor[] = {"backdoor"};
    uint64_t health = 1ull << inc_sector_index("health"), uni = 1ull << inc_sector_index("education-research");
    inc_score_in a = {.sectors = health, .malware_types = ransom, .nmalware_types = 1, .confidence = 90};
    assert_int_equal(inc_score(NULL, &a), 5); /* 1 + 2 + 2 + 1, clamped */
    inc_score_in b = {.sectors = uni, .malware_types = backdoor, .nmalware_types = 1, .confidence = 50};
    assert_int_equal(inc_score(NULL, &b), 2); /* 1 + 0 + 1 */
    inc_score_in c = {.sectors = uni, .confidence = 10};
    assert_int_equal(inc_score(NULL, &c), 1); /* 1 + 0 + 0 - 1, clamped */
    inc_score_in d = {.sectors = 1ull << inc_sector_index("government"),
                      .categories = 1u << inc_category_index("denial-of-service"), .confidence = -1};
    assert_int_equal(inc_score(NULL, &d), 3);
}

static void test_incident_rules__file(void **st)
{
    (void)st;
    const char *text = "[correlate]\nwindow = 3\n[severity]\nbase = 0\nmalware.backdoor = 3 ; rank backdoors high\n"
                       "sector.1 = 1\n";
    inc_rules *r;
    vg_error err = {0};
    assert_int_equal(inc_rules_parse(text, strlen(text), "r.conf", &r, &err), 0);
    const char *backdoor[] = {"backdoor"};
    inc_score_in b = {.sectors = 1ull << inc_sector_index("education-research"), .malware_types = backdoor,
                      .nmalware_types = 1, .confidence = -1};
    assert_int_equal(inc_score(r, &b), 4); /* 0 + 1 + 3 */
    inc_rules_free(r);
    const char *bad = "[severity]\nbase = 9\n";
    assert_int_equal(inc_rules_parse(bad, strlen(bad), "r.conf", &r, &err), VG_E_INVALID);
    assert_string_equal(err.where, "r.conf:2");
    const char *bad2 = "[severity]\nloudness = 9\n";
    assert_int_equal(inc_rules_parse(bad2, strlen(bad2), "r.conf", &r, &err), VG_E_INVALID);
}

static void test_incident_mapping__errors(void **st)
{
    (void)st;
    inc_mapping *m;
    vg_error err = {0};
    const char *a = "[source]\nname = X\nkey = id\n[colour]\ncolumn = c\n";
    assert_int_equal(inc_mapping_parse(a, strlen(a), "m.map", &m, &err), VG_E_INVALID);
    assert_string_equal(err.where, "m.map:4");
    const char *b = "[source]\nname = X\nkey = id\n[categories]\ncolumn = t\nsplit = ab\n";
    assert_int_equal(inc_mapping_parse(b, strlen(b), "m.map", &m, &err), VG_E_INVALID);
    assert_string_equal(err.where, "m.map:6");
    const char *c = "[source]\nname = X\n";
    assert_int_equal(inc_mapping_parse(c, strlen(c), "m.map", &m, &err), VG_E_INVALID);
    const char *d = "[source]\nname = X\nkey = id\n[categories]\ncolumn = t\n\"Sabotage\" = disruption\n";
    assert_int_equal(inc_mapping_parse(d, strlen(d), "m.map", &m, &err), 0);
    inc_mapping_free(m);
}

static void test_incident_import__rows(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("incident_import");
    char csv[4200], map[4200], db[4200];
    snprintf(csv, sizeof csv, "%s/in.csv", dir);
    snprintf(map, sizeof map, "%s/m.map", dir);
    snprintf(db, sizeof db, "%s/s.db", dir);
    const char *c = "id,title,when,kind,targets,where,who\n"
                    "1,\"Grid, down\",2022-03-01,Sabotage,\"['Energy']\",\"['Ukraine']\",\"['Sandworm/Voodoo Bear']\"\n"
                    "2,Leak,2022-04-01,Espionage,\"['Telecoms']\",\"['Germany', 'Europe (region)']\",\"['voodoo bear']\"\n"
                    "3,No date,,Espionage,[],[],[]\n"
                    "4,Odd,2022-05-01,Knitting,[],[],[]\n"
                    "5,Short,2022-05-01\n"
                    "6,Bad list,2022-05-01,Espionage,\"['x'\",[],[]\n";
    const char *mp = "[source]\nname = Test\nkey = id\n[name]\ncolumn = title\n[first_activity]\ncolumn = when\n"
                     "required = yes\n[categories]\ncolumn = kind\nunknown = reject\n\"Sabotage\" = disruption\n"
                     "\"Espionage\" = espionage\n[sectors]\ncolumn = targets\nsplit = python-list\nunknown = reject\n"
                     "[countries]\ncolumn = where\nsplit = python-list\n[actors]\ncolumn = who\n"
                     "split = python-list\naliases = \"/\"\n[severity]\ndefault = auto\n";
    vg_test_write_file(csv, c, strlen(c));
    vg_test_write_file(map, mp, strlen(mp));
    inc_mapping *m;
    store *s;
    vg_error err = {0};
    assert_int_equal(inc_mapping_load(map, &m, &err), 0);
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    inc_import_stats is = {0};
    assert_int_equal(inc_import_csv(s, m, csv, NULL, NULL, &is, &err), 0);
    assert_int_equal(is.rows, 6);
    assert_int_equal(is.imported, 2);
    assert_int_equal(is.rejected, 4);
    assert_int_equal(is.actors, 1); /* "voodoo bear" reuses Sandworm by alias */
    memset(&is, 0, sizeof is);
    assert_int_equal(inc_import_csv(s, m, csv, NULL, NULL, &is, &err), 0);
    assert_int_equal(is.unchanged, 2);
    assert_int_equal(is.imported, 0);
    inc_filter f;
    inc_filter_init(&f);
    inc_list l;
    assert_int_equal(inc_load(s, &f, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].name, "Grid, down");
    assert_int_equal(l.v[0].severity, 5); /* energy (2) + disruption (2) + 1 */
    assert_string_equal(l.v[1].countries, "DE");
    assert_int_equal(l.v[1].nactors, 1);
    assert_string_equal(l.v[1].actors[0], "Sandworm");
    inc_list_free(&l);
    f.actor = "VOODOO BEAR";
    f.category = inc_category_index("espionage");
    assert_int_equal(inc_load(s, &f, &l, &err), 0);
    assert_int_equal(l.n, 1);
    inc_list_free(&l);
    store_close(s);
    inc_mapping_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_vocab__lookup),
        cmocka_unit_test(test_incident_object__set_and_validate),
        cmocka_unit_test(test_incident_score__defaults),
        cmocka_unit_test(test_incident_rules__file),
        cmocka_unit_test(test_incident_mapping__errors),
        cmocka_unit_test(test_incident_import__rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
