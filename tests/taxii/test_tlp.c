/*
 * test_tlp.c - the TLP decision of the read path, from the stored text:
 * taxii_visible's one-pass scanner and taxii_visible_parsed's jansson tree
 * must give the expected answer for each case of a table (markings in both
 * places, duplicates, non-string values, escapes, UTF-8, malformed text,
 * authors and RED recipients), so the fast path can never show what the rules
 * withhold. fuzz/fuzz_taxii_tlp.c compares the two on random input.
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

#define RED "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\""
#define AMBER "\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\""
#define GREEN "\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\""
#define CLEAR1 "\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"" /* TLP 1.0 WHITE */
#define ME "\"identity--b\""

/* One case: the object, the collection's default and recipients, and what reader b (org identity--b, account carol) may do. */
static const struct tcase {
    const char *json;       /* the stored text */
    const char *deflt;      /* the collection's default TLP */
    const char *recipients; /* its AMBER recipients */
    int visible;            /* expected answer */
} cases[] = {
    {"{\"type\":\"x\"}", "green", "", 1},
    {"{\"type\":\"x\"}", "amber", "", 0},
    {"{\"type\":\"x\"}", "amber", "identity--a identity--b", 1},
    {"{\"type\":\"x\"}", "bogus", "", 0}, /* an unreadable default fails closed */
    {"{\"object_marking_refs\":[" GREEN "," RED "]}", "clear", "", 0},
    {"{\"object_marking_refs\":[" CLEAR1 "]}", "red", "", 1},
    {"{\"object_marking_refs\":[" AMBER "]}", "green", "identity--b", 1},
    {"{\"object_marking_refs\":[" AMBER "]}", "green", "identity--bb", 0},
    /* Duplicate members: the last one counts, as in a jansson tree. */
    {"{\"object_marking_refs\":[" RED "],\"object_marking_refs\":[" GREEN "]}", "red", "", 1},
    {"{\"object_marking_refs\":[" GREEN "],\"object_marking_refs\":\"x\"}", "red", "", 0},
    {"{\"object_marking_refs\":[1,null,{\"a\":" RED "}," GREEN "]}", "amber", "", 1},
    /* Granular markings withhold the whole object. */
    {"{\"granular_markings\":[{\"selectors\":[\"name\"],\"marking_ref\":" RED "}]}", "green", "", 0},
    {"{\"granular_markings\":[{\"marking_ref\":" RED ",\"marking_ref\":" GREEN "}]}", "amber", "", 1},
    {"{\"granular_markings\":[{\"marking_ref\":" RED ",\"marking_ref\":7}]}", "green", "", 1},
    {"{\"granular_markings\":[" RED "]}", "green", "", 1}, /* not an object: no marking */
    /* The author sees its own; a non-string author is none. */
    {"{\"object_marking_refs\":[" RED "],\"created_by_ref\":" ME "}", "green", "", 1},
    {"{\"object_marking_refs\":[" RED "],\"created_by_ref\":" ME ",\"created_by_ref\":[" ME "]}", "green", "", 0},
    {"{\"object_marking_refs\":[" RED "],\"created_by_ref\":\"identity--\"}", "green", "", 0},
    /* RED goes to the organisations and accounts the object names. */
    {"{\"object_marking_refs\":[" RED "],\"x_vigil_recipients\":[\"identity--c\"," ME "]}", "green", "", 1},
    {"{\"object_marking_refs\":[" RED "],\"x_vigil_recipients\":[\"account:carol\"]}", "green", "", 1},
    {"{\"object_marking_refs\":[" RED "],\"x_vigil_recipients\":[\"account:caro\",\"identity--bb\"]}", "green", "", 0},
    {"{\"object_marking_refs\":[" RED "],\"x_vigil_recipients\":\"account:carol\"}", "green", "", 0},
    /* Nested members of the same names do not count. */
    {"{\"ext\":{\"object_marking_refs\":[" RED "]},\"x\":[{\"created_by_ref\":" ME "}]}", "green", "", 1},
    {"{\"ext\":{\"object_marking_refs\":[" GREEN "]},\"created_by_ref\":\"identity--z\"}", "red", "", 0},
    /* Escapes: \u goes to jansson, which decodes it to the RED id. */
    {"{\"object_marking_refs\":[\"marking\\u002ddefinition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]}", "green", "", 0},
    {"{\"object_\\u006darking_refs\":[" RED "]}", "green", "", 0},
    {"{\"name\":\"a \\\"quoted\\\" \\\\ name\\n\",\"object_marking_refs\":[" GREEN "]}", "amber", "", 1},
    {"{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"object_marking_refs\":[" GREEN "]}", "red", "", 1},
    {"{\"n\":[0,-1,2.5,-0.125,123456789012345],\"t\":true,\"f\":false,\"z\":null}", "green", "", 1},
    {"{\"n\":1e3}", "green", "", 1},
    {"{\"n\":12345678901234567890123}", "green", "", 0}, /* jansson refuses the integer: withheld */
    /* Malformed text is withheld. */
    {"{\"type\":\"x\"", "green", "", 0},
    {"{\"type\":\"x\",}", "green", "", 0},
    {"{\"type\":\"x\" \"b\":1}", "green", "", 0},
    {"{\"n\":01}", "green", "", 0},
    {"{\"n\":-}", "green", "", 0},
    {"{\"n\":tru}", "green", "", 0},
    {"{\"s\":\"a\x01\"}", "green", "", 0},
    {"{\"s\":\"\xc3\"}", "green", "", 0},
    {"{\"s\":\"\xed\xa0\x80\"}", "green", "", 0}, /* a UTF-16 surrogate in UTF-8 */
    {"{\"s\":\"\xc0\xaf\"}", "green", "", 0},     /* overlong */
    {"{\"s\":\"\\x\"}", "green", "", 0},
    {"[{\"type\":\"x\"}]", "green", "", 0},
    {"", "green", "", 0},
    {"  {\"type\":\"x\"}  trailing", "green", "", 1}, /* text after the object is not read */
};

static void test_taxii_tlp_visible__cases(void **state)
{
    (void)state;
    taxii_reader r = {"carol", "identity--b"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store_share sh;
        memset(&sh, 0, sizeof sh);
        snprintf(sh.default_tlp, sizeof sh.default_tlp, "%s", cases[i].deflt);
        snprintf(sh.recipients, sizeof sh.recipients, "%s", cases[i].recipients);
        size_t n = strlen(cases[i].json);
        int fast = taxii_visible(&r, &sh, cases[i].json, n), ref = taxii_visible_parsed(&r, &sh, cases[i].json, n);
        if (fast != cases[i].visible || ref != cases[i].visible)
            fail_msg("case %zu (%s, default %s): scanner %d, jansson %d, expected %d", i, cases[i].json,
                     cases[i].deflt, fast, ref, cases[i].visible);
    }
}

/* Deep nesting: the scanner hands it to jansson, whose answer stands. */
static void test_taxii_tlp_visible__deep(void **state)
{
    (void)state;
    char text[8192];
    size_t k = (size_t)snprintf(text, sizeof text, "{\"a\":");
    for (int i = 0; i < 1000; i++)
        text[k++] = '[';
    for (int i = 0; i < 1000; i++)
        text[k++] = ']';
    k += (size_t)snprintf(text + k, sizeof text - k, ",\"object_marking_refs\":[" GREEN "]}");
    store_share sh;
    memset(&sh, 0, sizeof sh);
    memcpy(sh.default_tlp, "red", 4);
    taxii_reader r = {"carol", "identity--b"};
    assert_int_equal(taxii_visible(&r, &sh, text, k), taxii_visible_parsed(&r, &sh, text, k));
    assert_true(taxii_visible(&r, &sh, text, k));
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxii_tlp_visible__cases),
        cmocka_unit_test(test_taxii_tlp_visible__deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
