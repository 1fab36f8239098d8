/*
 * inc_dict.c - the string-keyed hash table of inc_dict.h.
 */
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/inc_dict.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

inc_dict_slot *inc_dict_get(const inc_dict *d, const char *key)
{
    if (!d->cap)
        return NULL;
    for (size_t i = hash(key) & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
        if (!d->slot[i].key)
            return NULL;
        if (strcmp(d->slot[i].key, key) == 0)
            return &d->slot[i];
    }
}

static int grow(inc_dict *d)
{
    size_t cap = d->cap ? d->cap * 2 : 64;
    inc_dict_slot *s = vg_calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t k = 0; k < d->cap; k++) {
        if (!d->slot[k].key)
            continue;
        size_t i = hash(d->slot[k].key) & (cap - 1);
        while (s[i].key)
            i = (i + 1) & (cap - 1);
        s[i] = d->slot[k];
    }
    vg_free(d->slot);
    d->slot = s;
    d->cap = cap;
    return 0;
}

inc_dict_slot *inc_dict_put(inc_dict *d, const char *key, int *added)
{
    if (added)
        *added = 0;
    inc_dict_slot *e = inc_dict_get(d, key);
    if (e)
        return e;
    if ((d->n + 1) * 4 > d->cap * 3 && grow(d))
        return NULL;
    size_t i = hash(key) & (d->cap - 1);
    while (d->slot[i].key)
        i = (i + 1) & (d->cap - 1);
    d->slot[i].key = vg_strdup(key);
    if (!d->slot[i].key)
        return NULL;
    d->slot[i].value = NULL;
    d->n++;
    if (added)
        *added = 1;
    return &d->slot[i];
}

void inc_dict_free(inc_dict *d, void (*free_value)(void *))
{
    for (size_t i = 0; i < d->cap; i++)
        if (d->slot[i].key) {
            vg_free(d->slot[i].key);
            if (free_value)
                free_value(d->slot[i].value);
        }
    vg_free(d->slot);
    memset(d, 0, sizeof *d);
}
