/*
 * fuzz_taxii_compact.c - differential libFuzzer target for how a POSTed
 * envelope's objects are stored: when the server's scanner finds the objects'
 * own texts in the body (taxii__json_elements) and compacts one
 * (taxii__json_compact), the bytes must be exactly those of jansson's dump of
 * the parsed object, which the server would store otherwise; and when the
 * scanner vouches for a whole envelope (taxii__json_envelope), jansson must
 * accept the body exactly when it accepts each object alone; and when
 * taxii__json_tree builds a tree (of the body, of each object), it is the
 * tree jansson parses (same values, same key order) and its text is the
 * compacted one. The input is the body.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "taxii/taxii.h"
#include "taxii/taxii_json.h"

/* When taxii__json_tree accepts v, its tree must dump as want (jansson's parse of v, or NULL: parse it here). */
static void same_tree(const char *v, size_t n, json_t *want)
{
    vg_buf out, ref;
    vg_buf_init(&out, 0);
    vg_buf_init(&ref, 0);
    json_t *t = NULL;
    if (taxii__json_tree(v, n, &out, &t) == 0) {
        json_t *mine = want ? json_incref(want) : json_loadb(v, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        char *a = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        char *b = mine ? json_dumps(mine, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
        if (!a || !b || strcmp(a, b) != 0 || !json_equal(t, mine) || taxii__json_compact(v, n, &ref) != 0 ||
            ref.len != out.len || memcmp(ref.data, out.data, out.len) != 0) {
            fprintf(stderr, "tree \"%s\" but jansson \"%s\"\n", a ? a : "(null)", b ? b : "(refused)");
            abort();
        }
        free(a);
        free(b);
        json_decref(mine);
    }
    json_decref(t);
    vg_buf_free(&out);
    vg_buf_free(&ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    /* An exact-size copy, so reading past the end is caught. */
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    vg_error err = {0};
    same_tree(body, size, NULL);
    json_t *root = NULL, *objs = NULL;
    int whole = taxii_envelope_parse(body, size, 1000, &root, &objs, &err);
    /*
     * When the scanner vouches for the envelope, jansson accepts the body
     * exactly when it accepts each object alone, and finds as many objects.
     */
    taxii_span *ev = NULL;
    size_t en = 0;
    if (taxii__json_envelope(body, size, 1000, &ev, &en) == 0) {
        int each = 1;
        for (size_t i = 0; i < en; i++) {
            json_t *o = json_loadb(ev[i].p, ev[i].n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
            each &= o != NULL;
            json_decref(o);
        }
        if ((whole == 0) != each || (whole == 0 && en != json_array_size(objs))) {
            fprintf(stderr, "envelope: jansson %d, objects alone %d, %zu spans\n", whole, each, en);
            abort();
        }
    }
    vg_free(ev);
    if (whole == 0) {
        taxii_span *sp = NULL;
        size_t n = 0;
        if (taxii__json_elements(body, size, "objects", 1000, &sp, &n) == 0) {
            if (n != json_array_size(objs)) {
                fprintf(stderr, "%zu spans for %zu objects\n", n, json_array_size(objs));
                abort();
            }
            vg_buf out;
            vg_buf_init(&out, 0);
            for (size_t i = 0; i < n; i++) {
                same_tree(sp[i].p, sp[i].n, json_array_get(objs, i));
                vg_buf_reset(&out);
                if (taxii__json_compact(sp[i].p, sp[i].n, &out) != 0)
                    continue;
                char *dump = json_dumps(json_array_get(objs, i), JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
                if (!dump || strlen(dump) != out.len || memcmp(dump, out.data ? out.data : "", out.len) != 0) {
                    fprintf(stderr, "compact \"%.*s\" but jansson \"%s\"\n", (int)out.len, out.data ? out.data : "",
                            dump ? dump : "(null)");
                    abort();
                }
                free(dump);
            }
            vg_buf_free(&out);
            vg_free(sp);
        }
    }
    json_decref(root);
    free(body);
    return 0;
}
