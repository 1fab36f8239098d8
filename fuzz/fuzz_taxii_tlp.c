/*
 * fuzz_taxii_tlp.c - differential libFuzzer target for the TLP decision on
 * the read path: taxii_visible (a one-pass scanner over the stored text, with
 * jansson as a fallback) must give exactly the answer of
 * taxii_visible_parsed (a jansson tree) for every input. The first byte picks
 * the collection's default TLP, its recipients and the reader; the rest is
 * the object's text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "taxii/taxii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    if (size < 1)
        return 0;
    static const char *const tlp[] = {"clear", "green", "amber", "amber+strict", "red", "purple"};
    static const char *const orgs[] = {"identity--b", "identity--c", "", NULL};
    static const char *const accounts[] = {"carol", "", "dave", NULL};
    store_share sh;
    memset(&sh, 0, sizeof sh);
    snprintf(sh.default_tlp, sizeof sh.default_tlp, "%s", tlp[data[0] % 6]);
    snprintf(sh.recipients, sizeof sh.recipients, "%s", (data[0] >> 3) & 1 ? "identity--a identity--b" : "");
    taxii_reader r = {accounts[(data[0] >> 4) & 3], orgs[(data[0] >> 6) & 3]};
    /* An exact-size copy, so reading past the end is caught. */
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, n);
    int fast = taxii_visible(&r, &sh, text, n);
    int ref = taxii_visible_parsed(&r, &sh, text, n);
    if (fast != ref) {
        fprintf(stderr, "taxii_visible %d but taxii_visible_parsed %d\n", fast, ref);
        abort();
    }
    free(text);
    return 0;
}
