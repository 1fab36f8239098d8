/*
 * idx_lookup.c - answering lookups: the bloom filter, the probe, and the
 * per-kind walks (domain label suffixes, address prefixes, URL host).
 *
 * Nothing here allocates or copies the observed value: the hash takes the kind
 * as a seed and reads the value where it lies, lower-casing eight bytes at a
 * time when the kind is case-insensitive, and the comparison folds case the
 * same way. Only URLs (when URL keys exist) and addresses build a key.
 */
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "match/idx_int.h"

long idx__ip_key(int kind, const uint8_t *addr, int prefix, uint8_t *out);
int idx__parse_ip(int kind, const char *v, size_t len, uint8_t addr[16], int *prefix);

/* 1 when the bloom filter may hold a key of hash h. */
static inline int bloom_maybe(const idx *x, uint64_t h)
{
    uint64_t w = x->bloom[(h >> 20) & (x->nbloom - 1)];
    uint64_t m = (1ull << (h & 63)) | (1ull << ((h >> 6) & 63)) | (1ull << ((h >> 12) & 63));
    return (w & m) == m;
}

/* Whether the stored (lower-case) bytes s equal the observed bytes o, lower-cased on the fly. */
static int eq_fold(const uint8_t *s, const uint8_t *o, size_t n)
{
    while (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, o, 8);
        if (a != idx__lower8(b))
            return 0;
        s += 8;
        o += 8;
        n -= 8;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = o[i];
        if (s[i] != ((c >= 'A' && c <= 'Z') ? c + 32 : c))
            return 0;
    }
    return 1;
}

/*
 * The entry of the key (kind, value v[0..n)) whose hash is h, after the bloom
 * filter said maybe. `fold`: compare the value lower-cased.
 */
static const idx_entry *probe(const idx *x, uint64_t h, int kind, const uint8_t *v, size_t n, int fold)
{
    uint64_t mask = x->nslots - 1, pos = h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        const idx_slot *s = &x->slots[pos];
        if (!s->entry)
            return NULL;
        if (s->tag == tag) {
            const idx_entry *e = &x->entries[s->entry - 1];
            const uint8_t *k = x->keys + e->key_off;
            if (e->key_len == n + 1 && k[0] == (uint8_t)kind &&
                (fold ? eq_fold(k + 1, v, n) : memcmp(k + 1, v, n) == 0))
                return e;
        }
        pos = (pos + 1) & mask;
    }
}

/* Looks a value up in place (no copy). */
static inline const idx_entry *find_val(const idx *x, int kind, const uint8_t *v, size_t n, int fold)
{
    uint64_t h = idx__hash_val(kind, v, n, fold);
    return bloom_maybe(x, h) ? probe(x, h, kind, v, n, fold) : NULL;
}

/* Looks up a key already made (kind byte first). */
static const idx_entry *find(const idx *x, const uint8_t *key, size_t n)
{
    return find_val(x, key[0], key + 1, n - 1, 0);
}

/* Calls fn for every posting of e. Returns the callback's nonzero value, or 0. */
static int report(const idx *x, const idx_entry *e, int prefix, long *hits, idx_hit_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < e->post_n; i++) {
        uint32_t p = x->posts[e->post_off + i];
        idx_hit h = {p & ~IDX_POST_CANDIDATE, x->keys[e->key_off], (const char *)x->keys + e->key_off + 1,
                     e->key_len - 1, prefix, (p & IDX_POST_CANDIDATE) != 0};
        if (h.kind == IDX_K_IPV4 || h.kind == IDX_K_IPV6) {
            h.key += 1; /* past the prefix byte: the address bytes */
            h.key_len -= 1;
        }
        (*hits)++;
        if (fn) {
            int rc = fn(&h, ctx);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Bytes of x (all below 0x80 where it matters) in [a, b]: 0x80 set in each such byte. */
static inline uint64_t in_range8(uint64_t x, uint8_t a, uint8_t b)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t hep = x & 0x7f7f7f7f7f7f7f7full;
    uint64_t ge_a = hep + ones * (uint64_t)(0x80 - a);
    uint64_t gt_b = hep + ones * (uint64_t)(0x7f - b);
    return ge_a & ~gt_b & ~x & 0x8080808080808080ull;
}

/* Whether v[0..n) is all hex digits, eight bytes a step. */
static int all_hex(const char *v, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, v + i, 8);
        w |= 0x2020202020202020ull; /* digits already have the bit; letters become lower case */
        if ((in_range8(w, '0', '9') | in_range8(w, 'a', 'f')) != 0x8080808080808080ull)
            return 0;
    }
    for (; i < n; i++) {
        uint8_t c = (uint8_t)v[i] | 32;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

/*
 * An exact lookup. The kinds the extractor feeds by the million (hashes,
 * e-mail, wallets, names) are hashed and compared where they lie, with the
 * same rules as idx__key (keep the two in step); others go through idx__key.
 */
static int exact(const idx *x, int kind, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    int fold = 0;
    switch (kind) {
    case IDX_K_HASH:
        if ((len != 32 && len != 40 && len != 64 && len != 128) || !all_hex(v, len))
            return 0;
        fold = 1;
        break;
    case IDX_K_EMAIL:
        if (!memchr(v, '@', len))
            return 0;
        fold = 1;
        break;
    case IDX_K_PROFILE_ID: fold = 1; break;
    case IDX_K_WALLET:
        fold = (len == 42 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ||
               (len > 4 && (v[0] | 32) == 'b' && (v[1] | 32) == 'c' && v[2] == '1') ||
               (len > 4 && (v[0] | 32) == 't' && (v[1] | 32) == 'b' && v[2] == '1') ||
               (len > 5 && memcmp(v, "ltc1", 4) == 0);
        break;
    case IDX_K_FILE_NAME:
    case IDX_K_FILE_PATH:
    case IDX_K_PROCESS:
    case IDX_K_APP_ID:
    case IDX_K_ANDROID_PROP:
    case IDX_K_PROC_TRUNC: break;
    default: {
        uint8_t key[IDX_MAX_VALUE + 8];
        long n = idx__key(kind, v, len, key, sizeof key, NULL);
        if (n < 0)
            return 0;
        const idx_entry *e = find(x, key, (size_t)n);
        return e ? report(x, e, -1, hits, fn, ctx) : 0;
    }
    }
    if (len + 2 > IDX_MAX_VALUE + 8)
        return 0;
    const idx_entry *e = find_val(x, kind, (const uint8_t *)v, len, fold);
    return e ? report(x, e, -1, hits, fn, ctx) : 0;
}

/*
 * The domain and each of its parent domains, on label boundaries, hashed in
 * place and lower-cased on the fly. Only suffixes with a number of labels
 * some indicator domain has are looked up (x->dlabels); their bloom words are
 * fetched together before any is tested, so the cache misses overlap.
 */
#define WALK_BATCH 16

/*
 * The suffixes of the domain v[0..len) worth a look: their starts in at[] and
 * hashes in hs[] (at most WALK_BATCH, from label *l on; *l moves past them),
 * each hash's bloom word prefetched. *vp and *lenp are trimmed first (call
 * with *l == 0): the bounds idx__key keeps, no trailing dots, no leading "*."
 * or dots. Returns how many, or -1 when the value cannot be a domain key.
 */
typedef struct dom_labels {
    const uint8_t *u;   /* the trimmed domain */
    size_t len;         /* its length */
    unsigned labels;    /* labels in it */
    size_t starts[128]; /* where each label starts (a DNS name has at most 127 labels) */
} dom_labels;

/* Bytes of a domain: 1 a dot, 2 one that cannot be in a domain key (space, '/', '@', ':', tab), else 0. */
static const uint8_t dom_byte[256] = {['.'] = 1, [' '] = 2, ['/'] = 2, ['@'] = 2, [':'] = 2, ['\t'] = 2};

static int dom_split(const idx *x, const char *v, size_t len, dom_labels *d)
{
    if (x->stats.by_kind[IDX_K_DOMAIN] == 0)
        return -1;
    while (len > 0 && v[len - 1] == '.')
        len--;
    if (len >= 2 && v[0] == '*' && v[1] == '.') {
        v += 2;
        len -= 2;
    }
    while (len > 0 && v[0] == '.') {
        v++;
        len--;
    }
    if (len == 0 || len + 2 > IDX_MAX_VALUE + 8)
        return -1;
    /* one pass: check the bytes and note where each label starts (no memchr per label) */
    d->labels = 1;
    d->starts[0] = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t k = dom_byte[(uint8_t)v[i]];
        if (!k)
            continue;
        if (k == 2 || d->labels == 128)
            return -1;
        d->starts[d->labels++] = i + 1;
    }
    d->u = (const uint8_t *)v;
    d->len = len;
    return 0;
}

/* A batch of the suffixes worth a look from label *l on, hashed, their bloom words prefetched. */
static int dom_batch(const idx *x, const dom_labels *d, unsigned *l, int cap, size_t *at, uint64_t *hs)
{
    int nb = 0;
    for (; *l < d->labels && nb < cap; (*l)++) {
        unsigned nlab = d->labels - *l;
        size_t s = d->starts[*l];
        if (s >= d->len || !((x->dlabels >> (nlab > 63 ? 63 : nlab)) & 1))
            continue;
        at[nb] = s;
        hs[nb] = idx__hash_val(IDX_K_DOMAIN, d->u + s, d->len - s, 1);
        __builtin_prefetch(&x->bloom[(hs[nb] >> 20) & (x->nbloom - 1)]);
        nb++;
    }
    return nb;
}

/*
 * The domain and each of its parent domains, on label boundaries, hashed in
 * place and lower-cased on the fly. Only suffixes with a number of labels
 * some indicator domain has are looked up (x->dlabels); their bloom words are
 * fetched together before any is tested, so the cache misses overlap.
 */
static int domain_walk(const idx *x, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    dom_labels d;
    if (dom_split(x, v, len, &d) < 0)
        return 0;
    size_t at[WALK_BATCH];
    uint64_t hs[WALK_BATCH];
    unsigned l = 0;
    while (l < d.labels) {
        int nb = dom_batch(x, &d, &l, WALK_BATCH, at, hs);
        for (int k = 0; k < nb; k++) {
            if (!bloom_maybe(x, hs[k]))
                continue;
            const idx_entry *e = probe(x, hs[k], IDX_K_DOMAIN, d.u + at[k], d.len - at[k], 1);
            if (e) {
                int rc = report(x, e, -1, hits, fn, ctx);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

static int lens_has(const idx *x, int kind, int p)
{
    if (kind == IDX_K_IPV4)
        return (x->v4lens >> p) & 1;
    return (x->v6lens[p / 64] >> (p % 64)) & 1;
}

/* A dotted quad exactly as inet_pton accepts it (no leading zeros), without a copy. */
static int parse_v4(const char *v, size_t len, uint8_t addr[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= len || v[i] != '.')
                return -1;
            i++;
        }
        size_t s = i;
        unsigned n = 0;
        while (i < len && v[i] >= '0' && v[i] <= '9' && i - s < 3)
            n = n * 10 + (unsigned)(v[i++] - '0');
        if (i == s || n > 255 || (i - s > 1 && v[s] == '0'))
            return -1;
        addr[part] = (uint8_t)n;
    }
    return i == len ? 0 : -1;
}

/*
 * 0 when v starts with a decimal first octet and a dot, and no IPv4 key
 * covers addresses of that first byte (x->v4first): no parse needed. Most
 * addresses in logs (10.x, 192.168.x) end here.
 */
static inline int v4_first_may(const idx *x, const char *v, size_t len)
{
    unsigned n = 0;
    size_t i = 0;
    while (i < len && i < 4 && v[i] >= '0' && v[i] <= '9')
        n = n * 10 + (unsigned)(v[i++] - '0');
    if (i == 0 || i > 3 || i >= len || v[i] != '.' || n > 255)
        return 1;
    return (x->v4first[n >> 6] >> (n & 63)) & 1;
}

/* The longest prefix holding the address. */
static int ip_walk(const idx *x, int kind, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    if (x->stats.by_kind[kind] == 0 || (kind == IDX_K_IPV4 && !v4_first_may(x, v, len)))
        return 0;
    uint8_t addr[16], key[24];
    int p;
    if (kind == IDX_K_IPV4 && parse_v4(v, len, addr) == 0)
        p = 32;
    else if (idx__parse_ip(kind, v, len, addr, &p) < 0)
        return 0;
    if (kind == IDX_K_IPV4) { /* only the prefix lengths present, longest first */
        if (!((x->v4first[addr[0] >> 6] >> (addr[0] & 63)) & 1))
            return 0; /* no key covers this first byte */
        uint64_t m = x->v4lens & (p >= 63 ? ~0ull : ((2ull << p) - 1));
        while (m) {
            int q = 63 - __builtin_clzll(m);
            m &= ~(1ull << q);
            long n = idx__ip_key(kind, addr, q, key);
            const idx_entry *e = find(x, key, (size_t)n);
            if (e)
                return report(x, e, q, hits, fn, ctx);
        }
        return 0;
    }
    for (; p >= 0; p--) {
        if (!lens_has(x, kind, p))
            continue;
        long n = idx__ip_key(kind, addr, p, key);
        const idx_entry *e = find(x, key, (size_t)n);
        if (e)
            return report(x, e, p, hits, fn, ctx);
    }
    return 0;
}

static int host_walk(const idx *x, const char *h, size_t n, long *hits, idx_hit_fn fn, void *ctx)
{
    if (memchr(h, ':', n))
        return ip_walk(x, IDX_K_IPV6, h, n, hits, fn, ctx);
    uint8_t a[16];
    if (n > 0 && h[n - 1] >= '0' && h[n - 1] <= '9' && parse_v4(h, n, a) == 0)
        return ip_walk(x, IDX_K_IPV4, h, n, hits, fn, ctx);
    return domain_walk(x, h, n, hits, fn, ctx);
}

/*
 * The host of a URL without normalising the rest (what idx_url_normalize
 * would give: userinfo skipped, port and brackets removed, trailing dots
 * dropped; case is folded by the walks). Returns 0, or -1 when not a URL.
 */
static int url_host(const char *v, size_t len, size_t *hs, size_t *hn)
{
    size_t i = 0;
    while (i < len && ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
                       (i > 0 && ((v[i] >= '0' && v[i] <= '9') || v[i] == '+' || v[i] == '-' || v[i] == '.'))))
        i++;
    if (i == 0 || i + 3 > len || memcmp(v + i, "://", 3) != 0)
        return -1;
    size_t a = i + 3, ae = a;
    while (ae < len && v[ae] != '/' && v[ae] != '?' && v[ae] != '#')
        ae++;
    const char *at = memrchr(v + a, '@', ae - a);
    size_t s = at ? (size_t)(at - v) + 1 : a, e;
    if (s < ae && v[s] == '[') {
        const char *rb = memchr(v + s, ']', ae - s);
        if (!rb)
            return -1;
        s++;
        e = (size_t)(rb - v);
    } else {
        const char *colon = memchr(v + s, ':', ae - s);
        e = colon ? (size_t)(colon - v) : ae;
        while (e > s && v[e - 1] == '.')
            e--;
    }
    if (e == s)
        return -1;
    *hs = s;
    *hn = e - s;
    return 0;
}

/* ---- lookups in two steps ---------------------------------------------------- */

enum {
    IDX_PRE_NONE,   /* nothing prepared: the whole lookup later */
    IDX_PRE_MISS,   /* the value cannot hit */
    IDX_PRE_DOMAIN, /* domain suffixes of value[off..off+len) */
    IDX_PRE_V4,     /* an IPv4 address at value[off..off+len) */
    IDX_PRE_EXACT,  /* an exact key of the value's kind, case folded (hashes) */
};

static inline void fetch_bloom(const idx *x, uint64_t h)
{
    __builtin_prefetch(&x->bloom[(h >> 20) & (x->nbloom - 1)]);
}

/* The suffixes of a domain at v[0..len), part of a value starting `off` bytes before v. */
static void pre_domain(const idx *x, const char *v, size_t len, size_t off, idx_pre *pre)
{
    dom_labels d;
    if (dom_split(x, v, len, &d) < 0) {
        pre->how = IDX_PRE_MISS;
        return;
    }
    size_t at[IDX_PRE_SUFFIXES];
    unsigned l = 0;
    int nb = dom_batch(x, &d, &l, IDX_PRE_SUFFIXES, at, pre->h);
    if (l < d.labels) /* more than the room: the whole walk later */
        return;
    pre->how = IDX_PRE_DOMAIN;
    pre->n = (uint8_t)nb;
    pre->off = (uint32_t)(off + (size_t)((const char *)d.u - v));
    pre->len = (uint32_t)d.len;
    for (int k = 0; k < nb; k++)
        pre->at[k] = (uint32_t)at[k];
}

/* An IPv4 address at v[0..len); `off` as above. parse_v4 failing leaves the whole lookup for later. */
static void pre_v4(const idx *x, const char *v, size_t len, size_t off, idx_pre *pre)
{
    uint8_t key[24];
    if (x->stats.by_kind[IDX_K_IPV4] == 0 || !v4_first_may(x, v, len)) {
        pre->how = IDX_PRE_MISS;
        return;
    }
    if (parse_v4(v, len, pre->addr) != 0)
        return;
    uint64_t m = x->v4lens & ((2ull << 32) - 1);
    if (!((x->v4first[pre->addr[0] >> 6] >> (pre->addr[0] & 63)) & 1) || !m) {
        pre->how = IDX_PRE_MISS;
        return;
    }
    long n = idx__ip_key(IDX_K_IPV4, pre->addr, 63 - __builtin_clzll(m), key);
    pre->h0 = idx__hash_val(key[0], key + 1, (size_t)n - 1, 0);
    fetch_bloom(x, pre->h0);
    pre->how = IDX_PRE_V4;
    pre->off = (uint32_t)off;
    pre->len = (uint32_t)len;
}

void idx_prepare(const idx *x, int kind, const char *v, size_t len, idx_pre *pre)
{
    pre->how = IDX_PRE_NONE;
    if (!x || len == 0 || len > IDX_MAX_VALUE) {
        pre->how = IDX_PRE_MISS;
        return;
    }
    switch (kind) {
    case IDX_K_DOMAIN: pre_domain(x, v, len, 0, pre); break;
    case IDX_K_IPV4: pre_v4(x, v, len, 0, pre); break;
    case IDX_K_HASH:
        if ((len != 32 && len != 40 && len != 64 && len != 128) || !all_hex(v, len)) {
            pre->how = IDX_PRE_MISS;
            break;
        }
        pre->h0 = idx__hash_val(IDX_K_HASH, (const uint8_t *)v, len, 1);
        fetch_bloom(x, pre->h0);
        pre->how = IDX_PRE_EXACT;
        break;
    case IDX_K_URL: {
        size_t hs, hn;
        if (x->stats.by_kind[IDX_K_URL] != 0) /* the URL key too: the whole lookup later */
            break;
        if (url_host(v, len, &hs, &hn) < 0) {
            pre->how = IDX_PRE_MISS;
            break;
        }
        const char *h = v + hs; /* as host_walk decides */
        if (memchr(h, ':', hn))
            break;
        if (h[hn - 1] >= '0' && h[hn - 1] <= '9' && parse_v4(h, hn, pre->addr) == 0)
            pre_v4(x, h, hn, hs, pre);
        else
            pre_domain(x, h, hn, hs, pre);
        break;
    }
    default: break;
    }
}

int idx_lookup_prepared(const idx *x, const idx_pre *pre, int kind, const char *v, size_t len, idx_hit_fn fn,
                        void *ctx)
{
    long hits = 0;
    int rc = 0;
    switch (pre->how) {
    case IDX_PRE_NONE: return idx_lookup(x, kind, v, len, fn, ctx);
    case IDX_PRE_MISS: return 0;
    case IDX_PRE_DOMAIN: {
        const uint8_t *u = (const uint8_t *)v + pre->off;
        for (int k = 0; k < pre->n && !rc; k++) {
            if (!bloom_maybe(x, pre->h[k]))
                continue;
            const idx_entry *e = probe(x, pre->h[k], IDX_K_DOMAIN, u + pre->at[k], pre->len - pre->at[k], 1);
            if (e)
                rc = report(x, e, -1, &hits, fn, ctx);
        }
        break;
    }
    case IDX_PRE_V4: {
        uint8_t key[24];
        uint64_t m = x->v4lens & ((2ull << 32) - 1);
        int first = 1;
        while (m) {
            int q = 63 - __builtin_clzll(m);
            m &= ~(1ull << q);
            long n = idx__ip_key(IDX_K_IPV4, pre->addr, q, key);
            uint64_t h = first ? pre->h0 : idx__hash_val(key[0], key + 1, (size_t)n - 1, 0);
            first = 0;
            const idx_entry *e = bloom_maybe(x, h) ? probe(x, h, IDX_K_IPV4, key + 1, (size_t)n - 1, 0) : NULL;
            if (e) {
                rc = report(x, e, q, &hits, fn, ctx);
                break;
            }
        }
        break;
    }
    case IDX_PRE_EXACT: {
        const idx_entry *e =
            bloom_maybe(x, pre->h0) ? probe(x, pre->h0, kind, (const uint8_t *)v, len, 1) : NULL;
        if (e)
            rc = report(x, e, -1, &hits, fn, ctx);
        break;
    }
    default: return idx_lookup(x, kind, v, len, fn, ctx);
    }
    if (rc)
        return rc;
    return (int)(hits > 0x7fffffff ? 0x7fffffff : hits);
}

int idx_lookup(const idx *x, int kind, const char *v, size_t len, idx_hit_fn fn, void *ctx)
{
    long hits = 0;
    int rc = 0;
    if (!x || len == 0 || len > IDX_MAX_VALUE)
        return 0;
    switch (kind) {
    case IDX_K_DOMAIN: rc = domain_walk(x, v, len, &hits, fn, ctx); break;
    case IDX_K_IPV4:
    case IDX_K_IPV6: rc = ip_walk(x, kind, v, len, &hits, fn, ctx); break;
    case IDX_K_URL: {
        if (x->stats.by_kind[IDX_K_URL] == 0) { /* only the host can hit: no need to normalise the rest */
            size_t hs, hn;
            if (url_host(v, len, &hs, &hn) == 0)
                rc = host_walk(x, v + hs, hn, &hits, fn, ctx);
            break;
        }
        uint8_t key[IDX_MAX_VALUE + 8];
        size_t hs = 0, hn = 0;
        long n = idx_url_normalize(v, len, (char *)key + 1, sizeof key - 1, &hs, &hn);
        if (n < 0)
            break;
        key[0] = IDX_K_URL;
        const idx_entry *e = x->stats.by_kind[IDX_K_URL] ? find(x, key, (size_t)n + 1) : NULL;
        if (e)
            rc = report(x, e, -1, &hits, fn, ctx);
        if (!rc)
            rc = host_walk(x, (const char *)key + 1 + hs, hn, &hits, fn, ctx);
        break;
    }
    case IDX_K_EMAIL: {
        rc = exact(x, IDX_K_EMAIL, v, len, &hits, fn, ctx);
        const char *at = memrchr(v, '@', len);
        if (!rc && at)
            rc = domain_walk(x, at + 1, len - (size_t)(at + 1 - v), &hits, fn, ctx);
        break;
    }
    case IDX_K_HASH:
    case IDX_K_WALLET:
    case IDX_K_APP_ID:
    case IDX_K_ANDROID_PROP:
    case IDX_K_PROFILE_ID: rc = exact(x, kind, v, len, &hits, fn, ctx); break;
    case IDX_K_PROCESS:
        rc = exact(x, kind, v, len, &hits, fn, ctx);
        if (!rc && (len == 15 || len == 16) && x->stats.by_kind[IDX_K_PROC_TRUNC])
            rc = exact(x, IDX_K_PROC_TRUNC, v, len, &hits, fn, ctx);
        break;
    case IDX_K_FILE_NAME:
        rc = exact(x, IDX_K_FILE_NAME, v, len, &hits, fn, ctx);
        if (!rc)
            rc = exact(x, IDX_K_PROCESS, v, len, &hits, fn, ctx);
        break;
    case IDX_K_FILE_PATH: {
        rc = exact(x, IDX_K_FILE_PATH, v, len, &hits, fn, ctx);
        const char *slash = memrchr(v, '/', len);
        if (!slash)
            slash = memrchr(v, '\\', len);
        if (!rc && slash && slash + 1 < v + len) {
            const char *b = slash + 1;
            size_t bn = len - (size_t)(b - v);
            rc = exact(x, IDX_K_FILE_NAME, b, bn, &hits, fn, ctx);
            if (!rc)
                rc = exact(x, IDX_K_PROCESS, b, bn, &hits, fn, ctx);
        }
        break;
    }
    case IDX_K_STRING: {
        static const int kinds[] = {IDX_K_FILE_NAME, IDX_K_FILE_PATH, IDX_K_PROCESS, IDX_K_APP_ID};
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !rc; i++)
            if (x->stats.by_kind[kinds[i]])
                rc = exact(x, kinds[i], v, len, &hits, fn, ctx);
        break;
    }
    default: break;
    }
    if (rc)
        return rc;
    return (int)(hits > 0x7fffffff ? 0x7fffffff : hits);
}

/* ---- accessors ------------------------------------------------------------ */

uint32_t idx_indicator_count(const idx *x)
{
    return x ? (uint32_t)x->ninds : 0;
}

static const char *str_at(const idx *x, uint32_t off)
{
    return off < x->nstrs ? x->strs + off : "";
}

const char *idx_indicator_id(const idx *x, uint32_t i)
{
    return i < x->ninds ? str_at(x, x->inds[i].id_off) : "";
}

const char *idx_indicator_attribution(const idx *x, uint32_t i)
{
    return i < x->ninds ? str_at(x, x->inds[i].attr_off) : "";
}

const char *idx_indicator_name(const idx *x, uint32_t i)
{
    return i < x->ninds ? str_at(x, x->inds[i].name_off) : "";
}

const char *idx_indicator_pattern(const idx *x, uint32_t i)
{
    return i < x->ninds ? str_at(x, x->inds[i].pattern_off) : "";
}

unsigned idx_indicator_flags(const idx *x, uint32_t i)
{
    return i < x->ninds ? x->inds[i].flags : 0;
}

const idx_stats *idx_get_stats(const idx *x)
{
    return &x->stats;
}

const idx_origin *idx_get_origin(const idx *x)
{
    return &x->origin;
}

void idx_set_origin(idx *x, const char *source, const char *store_added)
{
    if (source)
        snprintf(x->origin.source, sizeof x->origin.source, "%s", source);
    if (store_added)
        snprintf(x->origin.store_added, sizeof x->origin.store_added, "%s", store_added);
}
