/*
 * fuzz_evidence_text.c - libFuzzer target for the text extractor: any bytes
 * must scan without a crash, a hang or an out-of-bounds read; every
 * observation must lie inside the input (or the extractor's scratch buffer
 * for undone defanging) and its offset inside the input. Each observation is
 * also looked up in a small index (URL normalisation, domain walk, address
 * parsing), in one step and in two (idx_prepare, idx_lookup_prepared: the
 * same count of hits, in an index with URL keys and one without), and JSON
 * paths are asked for every observation's offset. The newlines the extractor
 * counted must be the input's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "match/idx.h"

static idx *x, *y; /* y: no URL key, so URL lookups prepare their host */

typedef struct ctx {
    const char *data;
    size_t size;
} ctx;

static int on_obs(const ev_obs *o, void *p)
{
    ctx *c = p;
    if (o->offset > c->size || o->len == 0 || o->len > 4200)
        abort();
    volatile char sink = 0;
    for (size_t i = 0; i < o->len; i++)
        sink ^= o->value[i];
    (void)sink;
    static const int kinds[] = {0, IDX_K_DOMAIN, IDX_K_URL, IDX_K_IPV4, IDX_K_IPV6, IDX_K_EMAIL, IDX_K_HASH,
                                IDX_K_WALLET, IDX_K_FILE_NAME, IDX_K_FILE_PATH, IDX_K_STRING};
    idx *both[] = {x, y};
    for (int k = 0; k < 2; k++) {
        int one = idx_lookup(both[k], kinds[o->kind], o->value, o->len, NULL, NULL);
        idx_pre pre;
        idx_prepare(both[k], kinds[o->kind], o->value, o->len, &pre);
        if (idx_lookup_prepared(both[k], &pre, kinds[o->kind], o->value, o->len, NULL, NULL) != one)
            abort();
    }
    char path[256];
    ev_json_path(c->data, c->size, (size_t)o->offset, path, sizeof path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ev_text *t;
    if (!t) {
        vg_alloc_init();
        vg_error err = {0};
        ev_text_new(0, &t, &err);
        idx_builder *b = NULL;
        static const char *const pats[] = {
            "[domain-name:value = 'evil.com']", "[ipv4-addr:value = '10.0.0.0/8']", "[ipv4-addr:value = '1.2.3.4']",
            "[ipv6-addr:value = '2001:db8::/32']", "[file:name = 'x.exe']", "[email-addr:value = 'a@b.com']",
            "[domain-name:value = 'a.b.c.d.e.f.g.h.example']",
            "[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']", "[url:value = 'http://a.b/c']"};
        size_t np = sizeof pats / sizeof pats[0];
        for (int k = 0; k < 2; k++) {
            idx_builder_new(&b, &err);
            for (size_t i = 0; i < np - (size_t)k; i++) /* the second without the URL */
                idx_builder_add_pattern(b, "i", NULL, pats[i], 0, NULL, &err);
            idx_builder_finish(b, k ? &y : &x, &err);
        }
    }
    /* a copy without slack, so that reads past the end are caught */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    ctx c = {buf, size};
    if (ev_text_scan(t, buf, size, 0, 1, on_obs, &c) == 0) {
        uint64_t nl = 0; /* the extractor counts every newline on the way (the scan's line numbers rely on it) */
        for (size_t i = 0; i < size; i++)
            nl += buf[i] == '\n';
        if (ev_text_lines(t) != nl)
            abort();
    }
    free(buf);
    return 0;
}
