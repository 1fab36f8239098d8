/*
 * idx_key.c - how values become keys: the normalisation rules of each kind,
 * URL normalisation and the index's hash function.
 *
 * A key is one kind byte followed by the normalised value. Building and
 * looking up go through the same function, so an indicator and an observation
 * meet exactly when their normalised forms are equal.
 */
#include <arpa/inet.h>
#include <string.h>

#include "match/idx_int.h"

static const char *const kind_names[IDX_K__COUNT] = {
    "none", "domain", "url", "ipv4", "ipv6", "email", "hash", "file-name", "file-path", "process", "app-id", "wallet",
    "string", "android-property", "process-truncated", "configuration-profile",
};

const char *idx_kind_name(int kind)
{
    if (kind <= 0 || kind >= IDX_K__COUNT)
        return "none";
    return kind_names[kind];
}

/*
 * A fast 64-bit hash, eight bytes per step. Stable across runs and machines of
 * the same byte order: saved indexes store positions derived from it. The kind
 * goes into the seed, so the value is hashed where it lies.
 */
uint64_t idx__hash_val(int kind, const uint8_t *p, size_t n, int fold)
{
    const uint64_t m = 0x9FB21C651E98DF25ull;
    size_t total = n;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(n + 1) * 0xff51afd7ed558ccdull) ^ ((uint64_t)(uint8_t)kind << 48);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        if (fold)
            v = idx__lower8(v);
        h = (h ^ v) * m;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t v = 0;
    if (n && total >= 8) { /* the last eight bytes, shifted: no byte loop */
        memcpy(&v, p + n - 8, 8);
        v >>= 8 * (8 - n);
    } else {
        for (size_t i = 0; i < n; i++)
            v |= (uint64_t)p[i] << (8 * i);
    }
    if (fold)
        v = idx__lower8(v);
    h = (h ^ v ^ ((uint64_t)n << 59)) * m;
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return h;
}

uint64_t idx__hash(const uint8_t *p, size_t n)
{
    return n ? idx__hash_val(p[0], p + 1, n - 1, 0) : idx__hash_val(0, p, 0, 0);
}

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int unreserved(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

/* Appends with a bound check; returns 0 or -1. */
#define PUT(ch)                                                                                                       \
    do {                                                                                                              \
        if (o >= cap)                                                                                                 \
            return -1;                                                                                                \
        out[o++] = (char)(ch);                                                                                        \
    } while (0)

/* Copies s[0..n) with %XX rules: unreserved decoded, others upper-cased. */
static long put_pct(const char *s, size_t n, char *out, size_t cap, size_t o)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (unreserved(v)) {
                PUT(v);
            } else {
                PUT('%');
                PUT("0123456789ABCDEF"[v >> 4]);
                PUT("0123456789ABCDEF"[v & 15]);
            }
            i += 2;
        } else {
            PUT(s[i]);
        }
    }
    return (long)o;
}

static int default_port(const char *scheme, size_t n, const char *port, size_t pn)
{
    static const struct {
        const char *scheme, *port;
    } d[] = {{"http", "80"}, {"https", "443"}, {"ftp", "21"}, {"ws", "80"}, {"wss", "443"}};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (strlen(d[i].scheme) == n && memcmp(d[i].scheme, scheme, n) == 0 && strlen(d[i].port) == pn &&
            memcmp(d[i].port, port, pn) == 0)
            return 1;
    return 0;
}

long idx_url_normalize(const char *in, size_t len, char *out, size_t cap, size_t *host, size_t *host_len)
{
    size_t o = 0, i = 0;
    /* scheme */
    while (i < len && ((in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z') ||
                       (i > 0 && ((in[i] >= '0' && in[i] <= '9') || in[i] == '+' || in[i] == '-' || in[i] == '.'))))
        i++;
    if (i == 0 || i + 3 > len || memcmp(in + i, "://", 3) != 0)
        return -1;
    size_t scheme_len = i;
    for (size_t k = 0; k < i; k++)
        PUT(lower(in[k]));
    const char *scheme = out;
    PUT(':');
    PUT('/');
    PUT('/');
    i += 3;
    /* authority: up to / ? # */
    size_t a = i;
    while (i < len && in[i] != '/' && in[i] != '?' && in[i] != '#')
        i++;
    size_t ae = i;
    size_t hs = a;
    for (size_t k = a; k < ae; k++)
        if (in[k] == '@')
            hs = k + 1;
    if (hs > a) { /* userinfo kept as written */
        long r = put_pct(in + a, hs - a, out, cap, o);
        if (r < 0)
            return -1;
        o = (size_t)r;
    }
    /* host and port */
    size_t he, ps = ae;
    if (hs < ae && in[hs] == '[') {
        he = hs;
        while (he < ae && in[he] != ']')
            he++;
        if (he == ae)
            return -1;
        he++; /* include ']' */
        if (he < ae && in[he] == ':')
            ps = he;
    } else {
        he = hs;
        while (he < ae && in[he] != ':')
            he++;
        ps = he;
    }
    size_t hn = he - hs;
    while (hn > 0 && in[hs + hn - 1] == '.')
        hn--;
    if (hn == 0)
        return -1;
    size_t host_at = o;
    for (size_t k = 0; k < hn; k++)
        PUT(lower(in[hs + k]));
    if (host) {
        if (out[host_at] == '[') {
            *host = host_at + 1;
            *host_len = o - host_at - 2;
        } else {
            *host = host_at;
            *host_len = o - host_at;
        }
    }
    if (ps < ae) { /* ":port" */
        const char *port = in + ps + 1;
        size_t pn = ae - ps - 1;
        while (pn > 1 && port[0] == '0') {
            port++;
            pn--;
        }
        if (pn > 0 && !default_port(scheme, scheme_len, port, pn)) {
            PUT(':');
            for (size_t k = 0; k < pn; k++)
                PUT(port[k]);
        }
    }
    /* path and query, without the fragment */
    size_t pe = i;
    while (pe < len && in[pe] != '#')
        pe++;
    if (i == pe || in[i] != '/')
        PUT('/');
    return put_pct(in + i, pe - i, out, cap, o);
}

static int parse_ip(int kind, const char *v, size_t len, uint8_t addr[16], int *prefix)
{
    char tmp[64];
    size_t n = len;
    const char *slash = memchr(v, '/', len);
    if (slash)
        n = (size_t)(slash - v);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = 0;
    char *zone = strchr(tmp, '%'); /* fe80::1%eth0: the zone is not part of the address */
    if (zone)
        *zone = 0;
    int max = kind == IDX_K_IPV4 ? 32 : 128;
    if (inet_pton(kind == IDX_K_IPV4 ? AF_INET : AF_INET6, tmp, addr) != 1)
        return -1;
    int p = max;
    if (slash) {
        const char *s = slash + 1;
        size_t sn = len - n - 1;
        if (sn == 0 || sn > 3)
            return -1;
        p = 0;
        for (size_t k = 0; k < sn; k++) {
            if (s[k] < '0' || s[k] > '9')
                return -1;
            p = p * 10 + (s[k] - '0');
        }
        if (p > max)
            return -1;
    }
    *prefix = p;
    return 0;
}

/* Key for an address network: kind, prefix length, masked address bytes. */
static long ip_key(int kind, const uint8_t *addr, int prefix, uint8_t *out)
{
    int nb = kind == IDX_K_IPV4 ? 4 : 16;
    out[0] = (uint8_t)kind;
    out[1] = (uint8_t)prefix;
    for (int k = 0; k < nb; k++) {
        int bits = prefix - k * 8;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        out[2 + k] = addr[k] & m;
    }
    return 2 + nb;
}

long idx__ip_key(int kind, const uint8_t *addr, int prefix, uint8_t *out);
long idx__ip_key(int kind, const uint8_t *addr, int prefix, uint8_t *out)
{
    return ip_key(kind, addr, prefix, out);
}

int idx__parse_ip(int kind, const char *v, size_t len, uint8_t addr[16], int *prefix);
int idx__parse_ip(int kind, const char *v, size_t len, uint8_t addr[16], int *prefix)
{
    return parse_ip(kind, v, len, addr, prefix);
}

static int is_hex_run(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hexval(v[i]) < 0)
            return 0;
    return 1;
}

long idx__key(int kind, const char *v, size_t len, uint8_t *out, size_t cap, int *prefix)
{
    if (prefix)
        *prefix = -1;
    if (len == 0 || len + 2 > cap)
        return -1;
    out[0] = (uint8_t)kind;
    char *o = (char *)out + 1;
    switch (kind) {
    case IDX_K_DOMAIN: {
        while (len > 0 && (v[len - 1] == '.'))
            len--;
        if (len >= 2 && v[0] == '*' && v[1] == '.') {
            v += 2;
            len -= 2;
        }
        while (len > 0 && v[0] == '.') {
            v++;
            len--;
        }
        if (len == 0)
            return -1;
        for (size_t i = 0; i < len; i++) {
            char c = lower(v[i]);
            if (c == ' ' || c == '/' || c == '@' || c == ':' || c == '\t')
                return -1;
            o[i] = c;
        }
        return (long)len + 1;
    }
    case IDX_K_URL: {
        long n = idx_url_normalize(v, len, o, cap - 1, NULL, NULL);
        return n < 0 ? -1 : n + 1;
    }
    case IDX_K_IPV4:
    case IDX_K_IPV6: {
        uint8_t addr[16];
        int p;
        if (parse_ip(kind, v, len, addr, &p) < 0)
            return -1;
        if (prefix)
            *prefix = p;
        return ip_key(kind, addr, p, out);
    }
    case IDX_K_EMAIL:
        if (!memchr(v, '@', len))
            return -1;
        for (size_t i = 0; i < len; i++)
            o[i] = lower(v[i]);
        return (long)len + 1;
    case IDX_K_PROFILE_ID: /* UUIDs are written in either case */
        for (size_t i = 0; i < len; i++)
            o[i] = lower(v[i]);
        return (long)len + 1;
    case IDX_K_HASH:
        if ((len != 32 && len != 40 && len != 64 && len != 128) || !is_hex_run(v, len))
            return -1;
        for (size_t i = 0; i < len; i++)
            o[i] = lower(v[i]);
        return (long)len + 1;
    case IDX_K_WALLET: {
        int fold = (len == 42 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ||
                   (len > 4 && (lower(v[0]) == 'b' && lower(v[1]) == 'c' && v[2] == '1')) ||
                   (len > 4 && (lower(v[0]) == 't' && lower(v[1]) == 'b' && v[2] == '1')) ||
                   (len > 5 && memcmp(v, "ltc1", 4) == 0);
        for (size_t i = 0; i < len; i++)
            o[i] = fold ? lower(v[i]) : v[i];
        return (long)len + 1;
    }
    case IDX_K_FILE_NAME:
    case IDX_K_FILE_PATH:
    case IDX_K_PROCESS:
    case IDX_K_APP_ID:
    case IDX_K_ANDROID_PROP:
    case IDX_K_PROC_TRUNC:
        memcpy(o, v, len);
        return (long)len + 1;
    default: return -1;
    }
}
