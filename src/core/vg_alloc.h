/*
 * vg_alloc.h - replaceable allocation.
 *
 * All of vigil's own allocations go through vg_malloc / vg_realloc / vg_free, and
 * jansson's are routed here too (vg_alloc_init), so a test can make the N-th
 * allocation fail and check that every caller returns VG_E_NOMEM cleanly and
 * leaks nothing.
 */
#ifndef VG_ALLOC_H
#define VG_ALLOC_H

#include <stddef.h>

void *vg_malloc(size_t n);
void *vg_calloc(size_t count, size_t size);
void *vg_realloc(void *p, size_t n);
void vg_free(void *p);
/* Returns a vg_malloc'd copy of s (or of its first n bytes, NUL-terminated). */
char *vg_strdup(const char *s);
char *vg_strndup(const char *s, size_t n);

/* Routes jansson's allocator through vg_malloc/vg_free. Call once at start-up. */
void vg_alloc_init(void);

/*
 * Test hook: make the allocation numbered `n` (1-based, counted from this call)
 * and every later one fail, until vg_alloc_fail_reset(). n = 0 disables.
 */
void vg_alloc_fail_after(long n);
void vg_alloc_fail_reset(void);
/* Allocations counted since the last vg_alloc_fail_after (failed ones included). */
long vg_alloc_count(void);

/*
 * Allocations that have failed since start-up (injected or real). Lets a caller
 * tell "out of memory" from bad input after a library call that does not
 * say which (jansson reports some allocation failures as syntax errors).
 */
long vg_alloc_failures(void);

#endif
