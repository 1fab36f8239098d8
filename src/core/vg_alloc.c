/*
 * vg_alloc.c - allocation wrappers with a failure-injection hook for tests.
 *
 * The hook is a pair of counters; it is not thread-safe, and is meant only for
 * single-threaded tests.
 */
#include "vg_alloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static long fail_at;  /* 0: never fail; otherwise fail allocation number >= fail_at */
static long counted;  /* allocations seen since the hook was armed */
static long failures; /* allocations that failed, ever (injected or real) */

static int should_fail(void)
{
    if (!fail_at)
        return 0;
    counted++;
    if (counted >= fail_at) {
        failures++;
        return 1;
    }
    return 0;
}

static void *counted_result(void *p)
{
    if (!p)
        failures++;
    return p;
}

long vg_alloc_failures(void) { return failures; }

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
