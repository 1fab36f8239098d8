/*
 * idx_int.h - the match index's private layout, shared by its files.
 *
 * The index is a handful of flat arrays. In memory they are vg_malloc'd; after
 * idx_load they point into one read-only mapping of the file, which is why
 * nothing here holds a pointer to anything but the start of an array.
 */
#ifndef IDX_INT_H
#define IDX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "match/idx.h"

/* One slot of the open-addressing table (linear probing, power-of-two size). */
typedef struct idx_slot {
    uint32_t tag;   /* high 32 bits of the key's hash */
    uint32_t entry; /* entry index + 1; 0 = empty */
} idx_slot;

/* One distinct key and the indicators it came from. */
typedef struct idx_entry {
    uint32_t key_off;  /* offset of the key in keys[] (kind byte first) */
    uint32_t key_len;  /* length of the key, kind byte included */
    uint32_t post_off; /* first posting in posts[] */
    uint32_t post_n;   /* number of postings */
} idx_entry;

/* Posting: indicator index, with this bit set when the hit is a candidate only. */
#define IDX_POST_CANDIDATE 0x80000000u

/* One indicator record; strings are offsets into strs[] (NUL-terminated). */
typedef struct idx_ind {
    uint32_t id_off;      /* its id */
    uint32_t name_off;    /* its name, or the offset of "" (0) */
    uint32_t pattern_off; /* its pattern when partial, else 0 */
    uint32_t flags;       /* IDX_IND_* */
    uint32_t attr_off;    /* what it indicates ("Pegasus (malware)", comma-separated), or 0 */
} idx_ind;

struct idx {
    const idx_slot *slots;    /* nslots slots */
    uint64_t nslots;          /* power of two */
    const idx_entry *entries; /* nentries entries */
    uint64_t nentries;
    const uint8_t *keys; /* key bytes */
    uint64_t nkeys_bytes;
    const uint32_t *posts; /* postings */
    uint64_t nposts;
    const uint64_t *bloom; /* nbloom words (power of two) */
    uint64_t nbloom;
    const idx_ind *inds; /* indicator records */
    uint64_t ninds;
    const char *strs; /* indicator strings */
    uint64_t nstrs;
    uint64_t v4lens;    /* bit n set: some IPv4 network of prefix n (0..32) */
    uint64_t v4first[4]; /* bit n set: some IPv4 key covers addresses whose first byte is n (a lookup of an
                            address outside them, 10.x or 192.168.x in most logs, stops at once) */
    uint64_t v6lens[3]; /* bit n of the 129: some IPv6 network of prefix n */
    uint64_t dlabels;   /* bit n set: some domain key of n labels (63: 63 or more) */
    idx_stats stats;    /* counts */
    idx_origin origin;  /* when and from what it was built */
    void *map;          /* the mapping when loaded from a file, else NULL */
    size_t map_len;     /* its length */
};

/*
 * The hash of the index (stable: it is stored in files). idx__hash_val hashes
 * a key given as its kind and its value bytes, reading the value in place and
 * lower-casing ASCII letters on the fly when `fold` is set (so a lookup never
 * copies the observed value); idx__hash(key, n) is the same over a stored key
 * (kind byte first): idx__hash(key, n) == idx__hash_val(key[0], key + 1, n - 1, f)
 * whenever the value is already lower-case.
 */
uint64_t idx__hash_val(int kind, const uint8_t *p, size_t n, int fold);

/* Counts an indicator offered and its outcome (IDX_ADDED...) without adding anything; *out (may be NULL) gets
   status. Returns 0. */
int idx__builder_count(idx_builder *b, int status, int *out);
uint64_t idx__hash(const uint8_t *p, size_t n);

/* An indicator's id, name and pattern as spans of a text (not NUL-terminated); a NULL pointer: absent. */
typedef struct span3 {
    const char *id;   /* its id */
    size_t idn;       /* length */
    const char *name; /* its name */
    size_t namen;     /* length */
    const char *pat;  /* its pattern */
    size_t patn;      /* length */
} span3;

/* idx_builder_add_pattern over spans (the text path hands them over without copying). */
int idx__builder_add_pattern_n(idx_builder *b, const span3 *in, int dialect, int *status, vg_error *err);

/* SWAR lower-case of eight bytes: ASCII 'A'..'Z' become 'a'..'z', other bytes unchanged. */
static inline uint64_t idx__lower8(uint64_t v)
{
    uint64_t hep = v & 0x7f7f7f7f7f7f7f7full;
    uint64_t gt_z = hep + 0x2525252525252525ull; /* 0x80 set where byte > 'Z' */
    uint64_t ge_a = hep + 0x3f3f3f3f3f3f3f3full; /* 0x80 set where byte >= 'A' */
    uint64_t upper = ~v & (ge_a ^ gt_z) & 0x8080808080808080ull;
    return v | (upper >> 2);
}

/* idx_builder_finish, except that on failure b is left to the caller (to free once nobody reads it). */
int idx__builder_finish(idx_builder *b, idx **out, vg_error *err);
/* The builder's indicator records and strings (borrowed; finishing moves them into the index unchanged). */
void idx__builder_records(const idx_builder *b, const idx_ind **inds, size_t *ninds, const char **strs,
                          size_t *nstrs);

/* Normalises value of kind into out (kind byte first); returns the key length or -1 if not valid. */
long idx__key(int kind, const char *value, size_t len, uint8_t *out, size_t cap, int *prefix);

#endif
