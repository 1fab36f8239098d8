/*
 * vg_alloc.c - allocation wrappers with a failure-injection hook for tests.
 *
 * The hook is a pair of atomic counters, so a test may arm it around code
 * that allocates on several threads (the index builder's reader and adder):
 * which thread meets the failing allocation may vary, every caller must
 * still fail cleanly. Unarmed, an allocation only reads fail_at.
 */
#include "vg_alloc.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic long fail_at;  /* 0: never fail; otherwise fail allocation number >= fail_at */
static _Atomic long counted;  /* allocations seen since the hook was armed */
static _Atomic long failures; /* allocations that failed, ever (injected or real) */

static int should_fail(void)
{
    long at = atomic_load_explicit(&fail_at, memory_order_relaxed);
    if (!at)
        return 0;
    if (atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed) + 1 >= at) {
        atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
        return 1;
    }
    return 0;
}

static void *counted_result(void *p)
{
    if (!p)
        atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
    return p;
}

long vg_alloc_failures(void) { return atomic_load_explicit(&failures, memory_order_relaxed); }

void *vg_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return counted_result(malloc(n ? n : 1));
}

void *vg_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return counted_result(calloc(count ? count : 1, size ? size : 1));
}

void *vg_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return counted_result(realloc(p, n ? n : 1));
}

void vg_free(void *p) { free(p); }

char *vg_strndup(const char *s, size_t n)
{
    char *d = vg_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *vg_strdup(const char *s) { return vg_strndup(s, strlen(s)); }

void vg_alloc_init(void) { json_set_alloc_funcs(vg_malloc, vg_free); }

void vg_alloc_fail_after(long n)
{
    fail_at = n;
    counted = 0;
}

void vg_alloc_fail_reset(void)
{
    fail_at = 0;
    counted = 0;
}

long vg_alloc_count(void) { return counted; }
