/*
 * fuzz_taxii_request.c - libFuzzer target for what the TAXII server parses
 * from outside: the first byte picks the parser (query string, Accept,
 * Content-Type, Authorization, envelope, TLP visibility of an object), the
 * rest is the input. Every input must give a result or an error, never a
 * crash, a leak or an overread; a parsed filter must respect its ceilings.
 */
#include <stddef.h>
#include <stdint.h>
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
    int which = data[0] % 6;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    char *z = malloc(n + 1); /* NUL-terminated copy for the header parsers */
    if (!z)
        return 0;
    memcpy(z, in, n);
    z[n] = '\0';
    vg_error err = {0};
    switch (which) {
    case 0: {
        taxii_filter f = {0};
        (void)taxii_query_parse(&f, in, n, &err);
        if (f.nids > TAXII_MATCH_MAX || f.ntypes > TAXII_MATCH_MAX || f.nspecs > TAXII_MATCH_MAX ||
            f.nat > TAXII_MATCH_MAX || strlen(f.next) >= sizeof f.next)
            abort();
        taxii_filter_free(&f);
        break;
    }
    case 1: (void)taxii_accept_ok(z); break;
    case 2: (void)taxii_content_type_ok(z); break;
    case 3: {
        taxii_credentials c;
        if (taxii_auth_parse(z, &c) == 0 && (strlen(c.user) >= sizeof c.user || strlen(c.secret) > TAXII_PASSWORD_MAX))
            abort();
        taxii_credentials_clear(&c);
        break;
    }
    case 4: {
        json_t *root = NULL, *objs = NULL;
        if (taxii_envelope_parse(in, n, 100, &root, &objs, &err) == 0 && json_array_size(objs) > 100)
            abort();
        json_decref(root);
        break;
    }
    default: {
        store_share sh = {0};
        memcpy(sh.default_tlp, "amber", 6);
        memcpy(sh.recipients, "identity--b", 12);
        taxii_reader r = {"carol", "identity--b"};
        (void)taxii_visible(&r, &sh, in, n);
        break;
    }
    }
    free(z);
    return 0;
}
