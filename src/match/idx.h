/*
 * idx.h - the match index: every indicator of the store compiled into flat
 * tables that answer "does this observed value hit an indicator?" in a few
 * memory reads.
 *
 * One open-addressing hash table holds every exact key, each key being a kind
 * byte followed by the normalised value: file hashes (MD5, SHA-1, SHA-256,
 * SHA-512 and certificate hashes, lower-case hex), e-mail addresses, file
 * names, file paths, process names, app ids, cryptocurrency wallets, URLs
 * (normalised), domains, and IPv4/IPv6 networks (prefix length + masked
 * address). A blocked bloom filter (one 64-bit word per probe) sits in front
 * of it so that the common miss costs one cache line.
 *
 * Domains match on label boundaries: the indicator `evil.com` matches
 * `evil.com` and `a.b.evil.com`, never `notevil.com`. URLs match exactly
 * after normalisation and their host is also looked up as a domain (or an
 * address). Addresses match the longest prefix that holds them.
 *
 * Everything lives in flat arrays addressed by offsets, so an index can be
 * written to a file and mapped back (idx_save / idx_load) without rebuilding.
 * A finished index is immutable: any number of threads may look up at once.
 *
 *     idx_builder *b; idx_builder_new(&b, &err);
 *     idx_builder_add_indicator(b, indicator_json, &now, &status, &err);  // for each
 *     idx *x; idx_builder_finish(b, &x, &err);                             // frees b
 *     idx_lookup(x, IDX_K_DOMAIN, "a.b.evil.com", 12, on_hit, ctx);
 *     idx_free(x);
 */
#ifndef IDX_H
#define IDX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"

/* Kinds of key (what an indicator value is) and of lookup (what was observed). */
enum idx_kind {
    IDX_K_NONE = 0,
    IDX_K_DOMAIN,    /* domain-name:value; matches itself and subdomains */
    IDX_K_URL,       /* url:value, normalised */
    IDX_K_IPV4,      /* ipv4-addr:value, address or CIDR */
    IDX_K_IPV6,      /* ipv6-addr:value, address or CIDR */
    IDX_K_EMAIL,     /* email-addr:value, lower-case */
    IDX_K_HASH,      /* file and certificate hashes, lower-case hex of 32/40/64/128 digits */
    IDX_K_FILE_NAME, /* file:name */
    IDX_K_FILE_PATH, /* file:path (MVT), directory:path */
    IDX_K_PROCESS,   /* process:name (MVT), process:image_ref.name */
    IDX_K_APP_ID,    /* app:id (MVT): mobile application identifiers */
    IDX_K_WALLET,    /* cryptocurrency-wallet:value */
    IDX_K_STRING,    /* lookup only: a whole string value, tried as file name, path, process and app id */
    IDX_K_ANDROID_PROP, /* android-property:name (MVT): an Android system property's name */
    IDX_K_PROC_TRUNC,   /* the first 15 and 16 characters of a longer process:name (kernel truncation) */
    IDX_K_PROFILE_ID,   /* configuration-profile:id (MVT): an iOS configuration profile's UUID or identifier,
                           case folded */
    IDX_K__COUNT
};

/* The short name of a kind ("domain", "url"...). Never NULL. */
const char *idx_kind_name(int kind);

/* ---- building -------------------------------------------------------------- */

typedef struct idx_builder idx_builder;
typedef struct idx idx;

/* What idx_builder_add_indicator did with one indicator. */
enum {
    IDX_ADDED = 0,       /* fully answered by the index */
    IDX_ADDED_PARTIAL,   /* kept for the evaluator; its equality leaves are indexed as candidates */
    IDX_SKIP_REVOKED,    /* revoked: true */
    IDX_SKIP_NOT_VALID,  /* valid_from in the future or valid_until in the past */
    IDX_SKIP_NO_PATTERN, /* not a STIX pattern (pattern_type other than stix), or no leaf the index knows */
    IDX_SKIP_BAD,        /* the pattern does not compile */
};

/* Counts of a build, by outcome and by kind of key. */
typedef struct idx_stats {
    uint64_t indicators;         /* indicators offered */
    uint64_t added;              /* IDX_ADDED */
    uint64_t partial;            /* IDX_ADDED_PARTIAL */
    uint64_t revoked;            /* IDX_SKIP_REVOKED */
    uint64_t not_valid;          /* IDX_SKIP_NOT_VALID */
    uint64_t no_pattern;         /* IDX_SKIP_NO_PATTERN */
    uint64_t bad;                /* IDX_SKIP_BAD */
    uint64_t keys;               /* distinct keys in the table */
    uint64_t by_kind[IDX_K__COUNT]; /* distinct keys of each kind */
    uint64_t bytes;              /* memory (or file size) of the finished index */
} idx_stats;

/* Creates an empty builder (free with idx_builder_free, or hand it to idx_builder_finish). */
int idx_builder_new(idx_builder **out, vg_error *err);
void idx_builder_free(idx_builder *b);

/*
 * Adds one indicator (a STIX indicator object; its latest version). `now`
 * decides validity (NULL: the current time). *status (may be NULL) gets one
 * of the IDX_* outcomes; skipping an indicator is not an error. Returns 0,
 * VG_E_NOMEM or VG_E_LIMIT (more than 2^31 indicators or 4 GB of keys).
 */
int idx_builder_add_indicator(idx_builder *b, json_t *indicator, const vg_time *now, int *status, vg_error *err);
/*
 * Indicators added so far (the next added one gets this number), and taking
 * one back: idx_builder_drop(b, ind, status) undoes the indicator `ind` added
 * with outcome `status` (a later version replaces it); its keys are left out
 * of the finished index and the counts forget it. status is that of an
 * indicator never given a number (a skip) with ind = UINT32_MAX.
 */
uint32_t idx_builder_count_inds(const idx_builder *b);
/*
 * Says what an indicator added to the builder indicates (a malware family,
 * an intrusion set, a campaign...): `what` is appended to its attribution,
 * comma-separated, up to 400 bytes. An id not in the builder (skipped,
 * dropped, never added) is ignored. Returns 0 or VG_E_NOMEM.
 */
int idx_builder_attribute(idx_builder *b, const char *indicator_id, const char *what, vg_error *err);
/*
 * The same for npairs pairs at once: pairs[2i] an indicator id, pairs[2i+1]
 * what it indicates, applied in that order. When the pairs are few next to
 * the indicators, the indicators are walked once rather than mapped by id
 * (a store of a million indicators with a hundred relationships).
 */
int idx_builder_attribute_pairs(idx_builder *b, const char *const *pairs, size_t npairs, vg_error *err);
void idx_builder_drop(idx_builder *b, uint32_t ind, int status);

/*
 * The same from the indicator's JSON text (what the store and the streaming
 * reader hold): the members the index needs are read without building a
 * tree; unusual text (escapes in those members, duplicates) takes the tree
 * path, so the outcome is idx_builder_add_indicator's. Text that is not
 * JSON counts as IDX_SKIP_BAD.
 */
int idx_builder_add_indicator_text(idx_builder *b, const char *json, size_t len, const vg_time *now, int *status,
                                   vg_error *err);

/* Hands out the next indicator's text: 1 with *json (borrowed until the next call) and *len, 0 at the end, or a
   negative VG_E_* with err filled. */
typedef int (*idx_text_next_fn)(void *ctx, const char **json, size_t *len, vg_error *err);
/*
 * Adds every indicator text `next` hands out, as idx_builder_add_indicator_text
 * would one by one. With threads >= 2 the work is shared by two threads: the
 * caller's calls next and reads each text, a helper adds them to the builder;
 * the index is the same either way. Returns 0, next's error, VG_E_NOMEM or
 * VG_E_LIMIT.
 */
int idx_builder_add_texts(idx_builder *b, idx_text_next_fn next, void *ctx, const vg_time *now, int threads,
                          vg_error *err);

/*
 * Adds one indicator given by its parts (id, optional name, pattern text and
 * dialect, PAT_STIX_21 or PAT_STIX_20), without validity checks.
 */
int idx_builder_add_pattern(idx_builder *b, const char *id, const char *name, const char *pattern, int dialect,
                            int *status, vg_error *err);

/*
 * Adds one value of a kind for the indicator `ind` (an index returned by
 * idx_builder_add_id). The value is normalised for its kind; a value that is
 * not valid for its kind (a hash that is not hex...) is ignored and
 * *added (may be NULL) is 0. `candidate` marks a leaf of a pattern the index
 * cannot answer alone.
 */
int idx_builder_add_id(idx_builder *b, const char *id, const char *name, const char *pattern, uint32_t *ind,
                       vg_error *err);
int idx_builder_add_value(idx_builder *b, uint32_t ind, int kind, const char *value, size_t len, int candidate,
                          int *added, vg_error *err);

/* The counts so far. */
const idx_stats *idx_builder_stats(const idx_builder *b);

/* Freezes the builder into an index (the builder is freed, even on failure). */
int idx_builder_finish(idx_builder *b, idx **out, vg_error *err);

void idx_free(idx *x);

/* Counts of a finished index (borrowed). */
const idx_stats *idx_get_stats(const idx *x);

/* Where an index came from; saved with it and shown by `vigil index info`. */
typedef struct idx_origin {
    char built[VG_TIME_MAX];       /* when idx_builder_finish ran (RFC 3339, UTC) */
    char source[256];              /* what it was compiled from ("store ./vigil.db", "files a.json b.json") */
    char store_added[VG_TIME_MAX]; /* the store's newest date added when compiled from a store, else "":
                                      indicators added after it are not in the index */
} idx_origin;

/* The index's origin (borrowed). */
const idx_origin *idx_get_origin(const idx *x);
/* Records what the index was compiled from (truncated to fit; NULL leaves a field as it is). */
void idx_set_origin(idx *x, const char *source, const char *store_added);

/* ---- indicators ------------------------------------------------------------ */

/* Flags of an indicator record. */
enum {
    IDX_IND_PARTIAL = 1, /* its pattern needs the evaluator: a key hit is only a candidate */
    IDX_IND_DROPPED = 2, /* replaced by a later version while building (idx_builder_drop): has no keys */
};

/* Number of indicators recorded (skipped ones are not). */
uint32_t idx_indicator_count(const idx *x);
/* The i-th indicator's id, name ("" when none), pattern ("" unless partial) and flags; borrowed. */
const char *idx_indicator_id(const idx *x, uint32_t i);
const char *idx_indicator_name(const idx *x, uint32_t i);
/* What the indicator indicates, by name and type ("Pegasus (malware), NSO Group (intrusion-set)"), or "". */
const char *idx_indicator_attribution(const idx *x, uint32_t i);
const char *idx_indicator_pattern(const idx *x, uint32_t i);
unsigned idx_indicator_flags(const idx *x, uint32_t i);

/* ---- looking up ------------------------------------------------------------ */

/* One hit of a lookup. Pointers are borrowed from the index. */
typedef struct idx_hit {
    uint32_t indicator; /* the indicator's index (idx_indicator_id) */
    int kind;           /* the kind of the key that matched (IDX_K_*) */
    const char *key;    /* the key as stored (not NUL-terminated; for IPs the raw address bytes) */
    size_t key_len;     /* its length */
    int prefix;         /* for IPv4/IPv6: the prefix length that matched; else -1 */
    int candidate;      /* 1 when the indicator needs the evaluator to confirm */
} idx_hit;

/* Called once per hit; a nonzero return stops the lookup and is returned by idx_lookup. */
typedef int (*idx_hit_fn)(const idx_hit *h, void *ctx);

/*
 * Looks up an observed value of a kind (IDX_K_*; IDX_K_STRING for a string
 * of unknown meaning). The value is normalised first (case, trailing dot,
 * URL rules); values longer than IDX_MAX_VALUE never match. A process name
 * of 15 or 16 characters also matches longer indicator names it begins
 * (the kernel keeps 15 characters and a NUL of a process's name; the hit's
 * kind is then IDX_K_PROC_TRUNC). Returns the
 * number of hits (>= 0), or the callback's nonzero return.
 */
#define IDX_MAX_VALUE 4096
int idx_lookup(const idx *x, int kind, const char *value, size_t len, idx_hit_fn fn, void *ctx);

/*
 * A lookup in two steps, for callers with many values: idx_prepare hashes
 * the keys a value's lookup will probe first and starts fetching their bloom
 * filter words into the cache without waiting; idx_lookup_prepared, called a
 * few values later with the same value, finishes it (same hits, same order,
 * same return as idx_lookup). Meanwhile the cache misses of several lookups
 * overlap instead of following one another. Kinds without a prepared form
 * are looked up in full by idx_lookup_prepared.
 */
#define IDX_PRE_SUFFIXES 6
typedef struct idx_pre {
    uint8_t how;       /* what was prepared (the index's IDX_PRE_*) */
    uint8_t n;         /* domain: suffixes prepared */
    uint8_t addr[4];   /* IPv4: the address */
    uint32_t off, len; /* the part of the value prepared (a domain trimmed, a URL's host) */
    uint64_t h0;       /* the exact key's hash, or the longest IPv4 prefix's */
    uint32_t at[IDX_PRE_SUFFIXES]; /* domain: where each suffix looked up starts (in the part) */
    uint64_t h[IDX_PRE_SUFFIXES];  /* and its hash */
} idx_pre;
void idx_prepare(const idx *x, int kind, const char *value, size_t len, idx_pre *pre);
int idx_lookup_prepared(const idx *x, const idx_pre *pre, int kind, const char *value, size_t len, idx_hit_fn fn,
                        void *ctx);

/*
 * Normalises a URL into out (cap bytes): scheme and host lower-case, host
 * trailing dot removed, default port removed, %XX of unreserved characters
 * decoded and other %xx upper-cased, empty path made "/", fragment dropped.
 * *host / *host_len (may be NULL) get the host inside out (brackets removed
 * for IPv6). Returns the length written, or -1 when it is not a URL
 * (no "scheme://") or does not fit.
 */
long idx_url_normalize(const char *in, size_t len, char *out, size_t cap, size_t *host, size_t *host_len);

/* ---- saving and loading ---------------------------------------------------- */

/*
 * Writes the index to path (atomically: a temporary file renamed over it).
 * Returns 0, VG_E_IO.
 */
int idx_save(const idx *x, const char *path, vg_error *err);
/*
 * idx_builder_finish and idx_save at once, faster: the indicator records and
 * their strings (half the file) are written on a helper thread while the
 * table is built. source and store_added go to the index's origin as with
 * idx_set_origin (NULL: unset). The builder is freed, even on failure; *out
 * gets the finished index. Returns 0, VG_E_NOMEM, VG_E_IO.
 */
int idx_builder_finish_save(idx_builder *b, const char *path, const char *source, const char *store_added, idx **out,
                            vg_error *err);

/*
 * Maps an index file back. The file stays mapped until idx_free. Returns 0,
 * VG_E_IO, VG_E_NOTFOUND, VG_E_PARSE (not an index file, or damaged),
 * VG_E_UNSUPPORTED (another layout version or byte order).
 */
int idx_load(const char *path, idx **out, vg_error *err);

#endif
