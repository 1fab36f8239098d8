/*
 * fuzz_index_text.c - differential libFuzzer target for the index builder's
 * text path (idx_builder_add_indicator_text: the members the index needs
 * read from an indicator's JSON text, without a jansson tree). Whenever
 * jansson accepts the input as an object, the text path gives the outcome
 * the tree path (idx_builder_add_indicator) gives, and the two finished
 * indexes hold the same indicators (ids, names, flags) and the same keys by
 * kind. Any input at all is read within its bounds (an exact-size copy).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "match/idx.h"

static const char *input;  /* the input being run (for the report) */
static size_t input_len;   /* its length */

static void differ(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "text path and tree path differ: %s: \"%s\" against \"%s\" on: %.*s\n", what, a, b,
            (int)input_len, input);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    char *text = malloc(size ? size : 1); /* exact size: reading past the end is caught */
    if (!text)
        return 0;
    memcpy(text, data, size);
    input = text;
    input_len = size;
    vg_time now = vg_time_from_unix(1772357400, 0, 0); /* 2026-03-01 */
    vg_error err = {0};
    idx_builder *bx = NULL, *bt = NULL;
    if (idx_builder_new(&bx, &err) || idx_builder_new(&bt, &err)) {
        idx_builder_free(bx);
        free(text);
        return 0;
    }
    int st_text = -1, st_tree = -1;
    int rc = idx_builder_add_indicator_text(bx, text, size, &now, &st_text, &err);
    json_t *o = json_loadb(text, size, 0, NULL);
    int compare = rc == 0 && json_is_object(o);
    if (compare && idx_builder_add_indicator(bt, o, &now, &st_tree, &err) == 0 && st_text != st_tree) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", st_text);
        snprintf(b, sizeof b, "%d", st_tree);
        differ("outcome", a, b);
    }
    json_decref(o);
    idx *xx = NULL, *xt = NULL;
    if (idx_builder_finish(bx, &xx, &err) || idx_builder_finish(bt, &xt, &err))
        compare = 0;
    if (compare) {
        const idx_stats *sx = idx_get_stats(xx), *st = idx_get_stats(xt);
        if (sx->keys != st->keys || memcmp(sx->by_kind, st->by_kind, sizeof sx->by_kind) != 0)
            differ("keys", "", "");
        if (idx_indicator_count(xx) != idx_indicator_count(xt))
            differ("indicators", "", "");
        for (uint32_t i = 0; i < idx_indicator_count(xx); i++) {
            if (strcmp(idx_indicator_id(xx, i), idx_indicator_id(xt, i)) != 0)
                differ("id", idx_indicator_id(xx, i), idx_indicator_id(xt, i));
            if (strcmp(idx_indicator_name(xx, i), idx_indicator_name(xt, i)) != 0)
                differ("name", idx_indicator_name(xx, i), idx_indicator_name(xt, i));
            if (idx_indicator_flags(xx, i) != idx_indicator_flags(xt, i))
                differ("flags", "", "");
        }
    }
    idx_free(xx);
    idx_free(xt);
    free(text);
    return 0;
}
