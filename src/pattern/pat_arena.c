/*
 * pat_arena.c - compile-scoped memory for patterns: a bump allocator over a
 * list of chunks, freed in one go with the pattern (or with the scratch state
 * of one pat_match call).
 *
 * The first chunk can live inside the struct that owns the arena, so that a
 * short pattern compiles with one allocation; further chunks double in size
 * up to 64 KiB, and a request bigger than that gets a chunk of its own.
 */
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern_int.h"

struct pat__chunk {
    pat__chunk *next; /* the chunk allocated before this one */
    size_t size;      /* usable bytes after the header */
};

#define CHUNK_MIN 1024u
#define CHUNK_MAX (64u * 1024u)

void pat__arena_init(pat__arena *a, void *first, size_t first_size)
{
    a->heap = NULL;
    a->allocated = 0;
    if (first && first_size >= 8) {
        uintptr_t p = ((uintptr_t)first + 7) & ~(uintptr_t)7;
        a->cur = (char *)p;
        a->end = (char *)first + first_size;
        if (a->cur > a->end)
            a->cur = a->end;
    } else {
        a->cur = a->end = NULL;
    }
}

void *pat__arena_alloc(pat__arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (size == 0)
        size = 8;
    if (a->cur && (size_t)(a->end - a->cur) >= size) {
        void *p = a->cur;
        a->cur += size;
        return p;
    }
    size_t want = a->heap ? a->heap->size * 2 : CHUNK_MIN;
    if (want > CHUNK_MAX)
        want = CHUNK_MAX;
    if (want < size)
        want = size;
    if (want > SIZE_MAX - sizeof(pat__chunk) - 8)
        return NULL;
    pat__chunk *c = vg_malloc(sizeof(pat__chunk) + want + 8);
    if (!c)
        return NULL;
    c->size = want;
    c->next = a->heap;
    a->heap = c;
    a->allocated += want;
    char *base = (char *)(((uintptr_t)(c + 1) + 7) & ~(uintptr_t)7);
    a->cur = base + size;
    a->end = base + want;
    return base;
}

char *pat__arena_strndup(pat__arena *a, const char *s, size_t n)
{
    char *d = pat__arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void pat__arena_free(pat__arena *a)
{
    if (!a)
        return;
    pat__chunk *c = a->heap;
    while (c) {
        pat__chunk *next = c->next;
        vg_free(c);
        c = next;
    }
    a->heap = NULL;
    a->cur = a->end = NULL;
    a->allocated = 0;
}
