/*
 * test_upgrade.c - STIX 2.0 -> 2.1: which objects count as 2.0, what the
 * upgrade adds, renames and keeps, where new keys go (exact key order), that
 * the result validates, and that allocation failures come back as
 * VG_E_NOMEM without leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"
#include "vg_test.h"

#define UUID "6513270e-269e-4d37-b2a7-4de452e6b438"
#define TS "\"created\":\"2017-06-01T00:00:00.000Z\",\"modified\":\"2018-01-01T00:00:00.000Z\""

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s (%s)", e.text, text);
    return j;
}

/* Upgrades in, compares with want (compact JSON, key order included), and validates the result. */
static void upgrade_to(const char *in, const char *want)
{
    json_t *o = parse(in);
    vg_error err = {0};
    assert_int_equal(stix_upgrade_20(o, &err), 0);
    char *got = json_dumps(o, JSON_COMPACT);
    if (strcmp(got, want) != 0)
        fail_msg("upgrade of\n  %s\ngave\n  %s\nwant\n  %s", in, got, want);
    free(got);
    stix_issues is = {0};
    assert_int_equal(stix_validate(o, 0, &is), 0);
    for (size_t i = 0; i < is.n; i++)
        fprintf(stderr, "  %s: %s\n", is.v[i].path, is.v[i].msg);
    assert_int_equal(is.errors, 0);
    stix_issues_free(&is);
    json_decref(o);
}

static void test_stix_upgrade__is_20(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int bundle_20, want;
    } cases[] = {
        {"{\"type\":\"indicator\"}", 0, 1},                          /* SDO without spec_version */
        {"{\"type\":\"relationship\"}", 0, 1},                       /* SRO */
        {"{\"type\":\"marking-definition\"}", 0, 1},                 /* marking definition */
        {"{\"type\":\"indicator\",\"spec_version\":\"2.1\"}", 1, 0}, /* explicit 2.1 wins over the bundle */
        {"{\"type\":\"indicator\",\"spec_version\":\"2.0\"}", 0, 1}, /* explicit 2.0 */
        {"{\"type\":\"ipv4-addr\"}", 0, 0},                          /* SCOs may omit spec_version in 2.1 */
        {"{\"type\":\"ipv4-addr\"}", 1, 1},                          /* ... unless the bundle says 2.0 */
        {"{\"type\":\"language-content\"}", 0, 0},                   /* new in 2.1: a 2.1 error, not 2.0 */
        {"{\"type\":\"x-mitre-tactic\",\"created\":\"x\"}", 0, 1},   /* SDO-shaped custom object */
        {"{\"type\":\"x-thing\",\"value\":\"x\"}", 0, 0},            /* SCO-shaped custom object */
        {"{\"type\":\"bundle\"}", 0, 0},
        {"{\"id\":\"x\"}", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = parse(cases[i].json);
        if (stix_is_20(o, cases[i].bundle_20) != cases[i].want)
            fail_msg("stix_is_20(%s, %d) != %d", cases[i].json, cases[i].bundle_20, cases[i].want);
        json_decref(o);
    }
    json_t *a = json_array();
    assert_int_equal(stix_is_20(a, 1), 0);
    json_decref(a);
}

static void test_stix_upgrade__indicator(void **state)
{
    (void)state;
    upgrade_to(
        "{\"type\":\"indicator\",\"id\":\"indicator--" UUID "\"," TS ",\"labels\":[\"malicious-activity\"],"
        "\"pattern\":\"[file:name = 'a']\",\"valid_from\":\"2017-06-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" UUID "\"," TS
        ",\"indicator_types\":[\"malicious-activity\"],\"pattern\":\"[file:name = 'a']\","
        "\"pattern_type\":\"stix\",\"pattern_version\":\"2.0\",\"valid_from\":\"2017-06-01T00:00:00Z\"}");
    /* an existing pattern_type stays; pattern_version follows it */
    upgrade_to("{\"type\":\"indicator\",\"id\":\"indicator--" UUID "\"," TS ",\"pattern\":\"x\","
               "\"valid_from\":\"2017-06-01T00:00:00Z\",\"pattern_type\":\"yara\"}",
               "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" UUID "\"," TS
               ",\"pattern\":\"x\",\"valid_from\":\"2017-06-01T00:00:00Z\",\"pattern_type\":\"yara\","
               "\"pattern_version\":\"2.0\"}");
}

static void test_stix_upgrade__malware_tool_and_friends(void **state)
{
    (void)state;
    /* ATT&CK's shape: labels last, description present */
    upgrade_to("{\"type\":\"malware\",\"id\":\"malware--" UUID "\"," TS ",\"name\":\"Pegasus\","
               "\"description\":\"d\",\"x_mitre_version\":\"1.0\",\"labels\":[\"malware\"]}",
               "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--" UUID "\"," TS
               ",\"name\":\"Pegasus\",\"description\":\"d\",\"is_family\":true,\"x_mitre_version\":\"1.0\","
               "\"malware_types\":[\"malware\"]}");
    /* no description: is_family after name */
    upgrade_to("{\"type\":\"malware\",\"id\":\"malware--" UUID "\"," TS
               ",\"labels\":[\"spyware\"],\"name\":\"P\"}",
               "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--" UUID "\"," TS
               ",\"malware_types\":[\"spyware\"],\"name\":\"P\",\"is_family\":true}");
    upgrade_to("{\"type\":\"tool\",\"id\":\"tool--" UUID "\"," TS ",\"name\":\"t\",\"labels\":[\"tool\"]}",
               "{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" UUID "\"," TS
               ",\"name\":\"t\",\"tool_types\":[\"tool\"]}");
    upgrade_to("{\"type\":\"threat-actor\",\"id\":\"threat-actor--" UUID "\"," TS
               ",\"name\":\"t\",\"labels\":[\"spy\"]}",
               "{\"type\":\"threat-actor\",\"spec_version\":\"2.1\",\"id\":\"threat-actor--" UUID "\"," TS
               ",\"name\":\"t\",\"threat_actor_types\":[\"spy\"]}");
    upgrade_to("{\"type\":\"report\",\"id\":\"report--" UUID "\"," TS
               ",\"name\":\"r\",\"labels\":[\"threat-report\"],"
               "\"published\":\"2017-06-01T00:00:00Z\",\"object_refs\":[\"malware--" UUID "\"]}",
               "{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"report--" UUID "\"," TS
               ",\"name\":\"r\",\"report_types\":[\"threat-report\"],\"published\":\"2017-06-01T00:00:00Z\","
               "\"object_refs\":[\"malware--" UUID "\"]}");
    /* labels stay labels (the common property) when the 2.1 property is already there */
    upgrade_to("{\"type\":\"tool\",\"id\":\"tool--" UUID "\"," TS
               ",\"name\":\"t\",\"labels\":[\"x\"],\"tool_types\":[\"remote-access\"]}",
               "{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" UUID "\"," TS
               ",\"name\":\"t\",\"labels\":[\"x\"],\"tool_types\":[\"remote-access\"]}");
    /* identity keeps identity_class; attack-pattern keeps labels (not renamed in 2.1) */
    upgrade_to("{\"type\":\"identity\",\"id\":\"identity--" UUID "\"," TS ",\"name\":\"i\","
               "\"identity_class\":\"organization\"}",
               "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"identity--" UUID "\"," TS
               ",\"name\":\"i\",\"identity_class\":\"organization\"}");
    upgrade_to("{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--" UUID "\"," TS ",\"name\":\"a\","
               "\"labels\":[\"x\"]}",
               "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\",\"id\":\"attack-pattern--" UUID "\"," TS
               ",\"name\":\"a\",\"labels\":[\"x\"]}");
}

static void test_stix_upgrade__markings_custom_and_sros(void **state)
{
    (void)state;
    /* the 2.0 TLP marking gets the name the 2.1 predefined marking has */
    upgrade_to("{\"type\":\"marking-definition\",\"id\":\"marking-definition--f88d31f6-486f-44da-b317-"
               "01333bde0b82\","
               "\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"definition\":{\"tlp\":"
               "\"amber\"}}",
               "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\","
               "\"id\":\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\","
               "\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"name\":\"TLP:AMBER\","
               "\"definition\":{\"tlp\":\"amber\"}}");
    /* ATT&CK's statement marking: keys before "type" stay before it */
    upgrade_to(
        "{\"definition\":{\"statement\":\"(c)\"},\"id\":\"marking-definition--" UUID "\","
        "\"type\":\"marking-definition\",\"created\":\"2017-06-01T00:00:00.000Z\","
        "\"definition_type\":\"statement\"}",
        "{\"definition\":{\"statement\":\"(c)\"},\"id\":\"marking-definition--" UUID "\","
        "\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"created\":\"2017-06-01T00:00:00.000Z\","
        "\"definition_type\":\"statement\"}");
    upgrade_to("{\"type\":\"x-mitre-tactic\",\"id\":\"x-mitre-tactic--" UUID "\"," TS
               ",\"name\":\"t\",\"x_mitre_shortname\":\"t\"}",
               "{\"type\":\"x-mitre-tactic\",\"spec_version\":\"2.1\",\"id\":\"x-mitre-tactic--" UUID "\"," TS
               ",\"name\":\"t\",\"x_mitre_shortname\":\"t\"}");
    upgrade_to("{\"type\":\"relationship\",\"id\":\"relationship--" UUID "\"," TS
               ",\"relationship_type\":\"uses\","
               "\"source_ref\":\"malware--" UUID "\",\"target_ref\":\"attack-pattern--" UUID "\"}",
               "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--" UUID "\"," TS
               ",\"relationship_type\":\"uses\",\"source_ref\":\"malware--" UUID "\","
               "\"target_ref\":\"attack-pattern--" UUID "\"}");
    /* an explicit "2.0" is replaced where it stands */
    upgrade_to("{\"id\":\"sighting--" UUID "\",\"spec_version\":\"2.0\",\"type\":\"sighting\"," TS
               ",\"sighting_of_ref\":\"malware--" UUID "\"}",
               "{\"id\":\"sighting--" UUID "\",\"spec_version\":\"2.1\",\"type\":\"sighting\"," TS
               ",\"sighting_of_ref\":\"malware--" UUID "\"}");
    /* observed-data keeps its (deprecated in 2.1) objects */
    upgrade_to(
        "{\"type\":\"observed-data\",\"id\":\"observed-data--" UUID "\"," TS
        ",\"first_observed\":\"2017-06-01T00:00:00Z\",\"last_observed\":\"2017-06-01T00:00:00Z\","
        "\"number_observed\":1,\"objects\":{\"0\":{\"type\":\"domain-name\",\"value\":\"x.example\"}}}",
        "{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":\"observed-data--" UUID "\"," TS
        ",\"first_observed\":\"2017-06-01T00:00:00Z\",\"last_observed\":\"2017-06-01T00:00:00Z\","
        "\"number_observed\":1,\"objects\":{\"0\":{\"type\":\"domain-name\",\"value\":\"x.example\"}}}");
}

static void test_stix_upgrade__leaves_others_alone(void **state)
{
    (void)state;
    static const char *same[] = {
        "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--" UUID "\",\"value\":\"1.2.3.4\"}",
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" UUID "\"}",
        "{\"type\":\"bundle\",\"id\":\"bundle--" UUID "\",\"spec_version\":\"2.0\"}",
        "{\"no\":\"type\"}",
        "[1,2]",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *o = parse(same[i]);
        vg_error err = {0};
        assert_int_equal(stix_upgrade_20(o, &err), 0);
        char *got = json_dumps(o, JSON_COMPACT);
        assert_string_equal(got, same[i]);
        free(got);
        json_decref(o);
    }
}

static void test_stix_upgrade__allocation_failure(void **state)
{
    (void)state;
    static const char *in =
        "{\"type\":\"indicator\",\"id\":\"indicator--" UUID "\"," TS ",\"labels\":[\"malicious-activity\"],"
        "\"pattern\":\"[file:name = 'a']\",\"valid_from\":\"2017-06-01T00:00:00Z\",\"x_a\":1,\"x_b\":2}";
    json_t *ref = parse(in);
    assert_int_equal(stix_upgrade_20(ref, NULL), 0);
    char *want = json_dumps(ref, JSON_COMPACT);
    json_decref(ref);
    int ok = 0, failures = 0;
    for (long n = 1; n < 200 && !ok; n++) {
        json_t *o = parse(in);
        vg_error err = {0};
        vg_alloc_fail_after(n);
        int rc = stix_upgrade_20(o, &err);
        vg_alloc_fail_reset();
        if (rc == 0) {
            char *got = json_dumps(o, JSON_COMPACT);
            assert_string_equal(got, want);
            free(got);
            ok = 1;
        } else {
            assert_int_equal(rc, VG_E_NOMEM);
            assert_int_equal(err.code, VG_E_NOMEM);
            assert_non_null(strstr(err.msg, "indicator--" UUID));
            failures++;
        }
        json_decref(o);
    }
    assert_true(ok);
    assert_true(failures > 5);
    free(want);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix_upgrade__is_20),
        cmocka_unit_test(test_stix_upgrade__indicator),
        cmocka_unit_test(test_stix_upgrade__malware_tool_and_friends),
        cmocka_unit_test(test_stix_upgrade__markings_custom_and_sros),
        cmocka_unit_test(test_stix_upgrade__leaves_others_alone),
        cmocka_unit_test(test_stix_upgrade__allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
