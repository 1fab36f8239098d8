/*
 * inc_dict.h - a small string-keyed hash table (open addressing, FNV-1a),
 * shared by the incident and brief modules for id -> value lookups.
 * Keys are copied; values are the caller's (a pointer or an index).
 */
#ifndef INC_DICT_H
#define INC_DICT_H

#include <stddef.h>

typedef struct inc_dict_slot {
    char *key;   /* owned copy, NULL when empty */
    void *value; /* the caller's */
} inc_dict_slot;

typedef struct inc_dict {
    inc_dict_slot *slot; /* cap slots */
    size_t n;            /* keys held */
    size_t cap;          /* a power of two, or 0 */
} inc_dict;

/* Zero-initialise an inc_dict before use. */
/* Finds key: its slot, or NULL. */
inc_dict_slot *inc_dict_get(const inc_dict *d, const char *key);
/* Finds or adds key (value NULL when new; *added tells). NULL on allocation failure. */
inc_dict_slot *inc_dict_put(inc_dict *d, const char *key, int *added);
/* Frees keys and table; calls free_value on each value when non-NULL. */
void inc_dict_free(inc_dict *d, void (*free_value)(void *));

#endif
