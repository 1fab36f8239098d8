/*
 * fuzz_evidence_text.c - libFuzzer target for the text extractor: any bytes
 * must scan without a crash, a hang or an out-of-bounds read; every
 * observation must lie inside the input (or the extractor's scratch buffer
 * for undone defanging) and its offset inside the input. Each observation is
 * also looked up in a small index (URL normalisation, domain walk, address
 * parsing), and JSON paths are asked for every observation's offset.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "match/idx.h"

static idx *x;

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
    idx_lookup(x, kinds[o->kind], o->value, o->len, NULL, NULL);
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
        idx_builder_new(&b, &err);
        static const char *const pats[] = {"[domain-name:value = 'evil.com']", "[ipv4-addr:value = '10.0.0.0/8']",
                                           "[ipv6-addr:value = '2001:db8::/32']", "[url:value = 'http://a.b/c']",
                                           "[file:name = 'x.exe']", "[email-addr:value = 'a@b.com']"};
        for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
            idx_builder_add_pattern(b, "i", NULL, pats[i], 0, NULL, &err);
        idx_builder_finish(b, &x, &err);
    }
    /* a copy without slack, so that reads past the end are caught */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    ctx c = {buf, size};
    ev_text_scan(t, buf, size, 0, 1, on_obs, &c);
    free(buf);
    return 0;
}
