/*
 * idx_lookup.c - answering lookups: the bloom filter, the probe, and the
 * per-kind walks (domain label suffixes, address prefixes, URL host).
 *
 * Nothing here allocates: keys are built in a buffer on the stack. The
 * domain walk writes the kind byte over the dot before each suffix so that
 * every suffix is hashed in place.
 */
#include <string.h>

#include "core/vg_alloc.h"
#include "match/idx_int.h"

long idx__ip_key(int kind, const uint8_t *addr, int prefix, uint8_t *out);
int idx__parse_ip(int kind, const char *v, size_t len, uint8_t addr[16], int *prefix);

static const idx_entry *find(const idx *x, const uint8_t *key, size_t n)
{
    uint64_t h = idx__hash(key, n);
    uint64_t w = x->bloom[(h >> 20) & (x->nbloom - 1)];
    uint64_t m = (1ull << (h & 63)) | (1ull << ((h >> 6) & 63)) | (1ull << ((h >> 12) & 63));
    if ((w & m) != m)
        return NULL;
    uint64_t mask = x->nslots - 1, pos = h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        const idx_slot *s = &x->slots[pos];
        if (!s->entry)
            return NULL;
        if (s->tag == tag) {
            const idx_entry *e = &x->entries[s->entry - 1];
            if (e->key_len == n && memcmp(x->keys + e->key_off, key, n) == 0)
                return e;
        }
        pos = (pos + 1) & mask;
    }
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

static int exact(const idx *x, int kind, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    uint8_t key[IDX_MAX_VALUE + 8];
    long n = idx__key(kind, v, len, key, sizeof key, NULL);
    if (n < 0)
        return 0;
    const idx_entry *e = find(x, key, (size_t)n);
    return e ? report(x, e, -1, hits, fn, ctx) : 0;
}

/* The domain and each of its parent domains, on label boundaries. */
static int domain_walk(const idx *x, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    if (x->stats.by_kind[IDX_K_DOMAIN] == 0)
        return 0;
    uint8_t key[IDX_MAX_VALUE + 8];
    long n = idx__key(IDX_K_DOMAIN, v, len, key, sizeof key, NULL);
    if (n < 0)
        return 0;
    for (long s = 0; s < n;) {
        uint8_t saved = key[s];
        key[s] = IDX_K_DOMAIN;
        const idx_entry *e = find(x, key + s, (size_t)(n - s));
        key[s] = saved;
        if (e) {
            int rc = report(x, e, -1, hits, fn, ctx);
            if (rc)
                return rc;
        }
        /* next label: after the next dot */
        long d = s + 1;
        while (d < n && key[d] != '.')
            d++;
        s = d; /* key[d] is '.', the next suffix starts after it; s points at its dot */
    }
    return 0;
}

static int lens_has(const idx *x, int kind, int p)
{
    if (kind == IDX_K_IPV4)
        return (x->v4lens >> p) & 1;
    return (x->v6lens[p / 64] >> (p % 64)) & 1;
}

/* The longest prefix holding the address. */
static int ip_walk(const idx *x, int kind, const char *v, size_t len, long *hits, idx_hit_fn fn, void *ctx)
{
    if (x->stats.by_kind[kind] == 0)
        return 0;
    uint8_t addr[16], key[24];
    int p;
    if (idx__parse_ip(kind, v, len, addr, &p) < 0)
        return 0;
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
    int p;
    if (n > 0 && h[n - 1] >= '0' && h[n - 1] <= '9' && idx__parse_ip(IDX_K_IPV4, h, n, a, &p) == 0)
        return ip_walk(x, IDX_K_IPV4, h, n, hits, fn, ctx);
    return domain_walk(x, h, n, hits, fn, ctx);
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
    case IDX_K_PROCESS: rc = exact(x, kind, v, len, &hits, fn, ctx); break;
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
