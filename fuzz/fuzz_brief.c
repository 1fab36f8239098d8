/*
 * fuzz_brief.c - libFuzzer target for what the briefing reads and writes
 * from outside text. First byte even: the rest is a briefing model (JSON),
 * rendered as JSON, Markdown and HTML; the HTML must hold no "<script" and no
 * unescaped text from the model (every model string is escaped, so a "<x"
 * from the input never appears as a tag). First byte odd: the rest is a JSON
 * value; its compact text (as the store keeps an incident's categories,
 * sectors and countries) is walked by inc__array_strings, which must give
 * exactly the string elements jansson gives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief/brief.h"
#include "core/vg_alloc.h"
#include "incident/incident_int.h"

typedef struct seen {
    char *text; /* the strings, each followed by '\n' */
    size_t len, cap;
} seen;

static int collect(const char *s, size_t n, void *ctx)
{
    seen *c = ctx;
    if (c->len + n + 1 > c->cap) {
        size_t cap = (c->len + n + 1) * 2;
        char *t = realloc(c->text, cap);
        if (!t)
            abort();
        c->text = t;
        c->cap = cap;
    }
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len++] = '\n';
    return 0;
}

static void arrays(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!v)
        return;
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    seen a = {0}, b = {0};
    if (text)
        inc__array_strings(text, collect, &a);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (json_is_string(x)) collect(json_string_value(x), strlen(json_string_value(x)), &b);
    if (text && (a.len != b.len || (a.len && memcmp(a.text, b.text, a.len) != 0))) {
        fprintf(stderr, "inc__array_strings gave %zu bytes of strings, jansson %zu, for %s\n", a.len, b.len, text);
        abort();
    }
    free(a.text);
    free(b.text);
    free(text);
    json_decref(v);
}

static void render(const uint8_t *data, size_t size)
{
    json_t *m = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        return;
    }
    for (int fmt = BRIEF_JSON; fmt <= BRIEF_HTML; fmt++) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
            abort();
        vg_error err = {0};
        brief_render(m, fmt, f, &err);
        fclose(f);
        if (fmt == BRIEF_HTML && out && (strstr(out, "<script") || strstr(out, "<x"))) {
            fprintf(stderr, "the HTML has a tag from the model\n");
            abort();
        }
        free(out);
    }
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    if (size < 1)
        return 0;
    if (data[0] & 1)
        arrays(data + 1, size - 1);
    else
        render(data + 1, size - 1);
    return 0;
}
