/*
 * idx_build.c - compiling indicators into the match index.
 *
 * The builder collects (key, indicator) pairs in one growable array and a key
 * pool; idx_builder_finish sorts them by hash, folds equal keys into one entry
 * with a list of postings, lays the entries into a power-of-two open-addressing
 * table at load factor <= 1/2 and fills the bloom filter (16 bits a key, three
 * bits in one 64-bit word).
 *
 * Which indicator patterns the index answers alone: a plain disjunction of
 * equalities (pat_is_simple_disjunction), and a single `ISSUBSET` comparison
 * on an address. The common one-comparison form `[type:path = 'literal']` is
 * recognised without the pattern compiler (a million indicators build in a
 * second); everything else is compiled. Other patterns (AND, qualifiers,
 * MATCHES...) are kept with their text and their equality leaves are indexed
 * as candidates: a hit on one says "worth evaluating", not "matched".
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "match/idx_int.h"
#include "pattern/pattern.h"

typedef struct tuple {
    uint64_t hash;    /* idx__hash of the key */
    uint32_t key_off; /* in keys */
    uint32_t key_len; /* kind byte included */
    uint32_t post;    /* indicator index | IDX_POST_CANDIDATE */
    uint32_t pad;     /* keeps the struct 24 bytes */
} tuple;

struct idx_builder {
    tuple *t;      /* collected pairs */
    size_t nt;     /* how many */
    size_t capt;   /* allocated */
    vg_buf keys;   /* key bytes */
    idx_ind *inds; /* indicator records */
    size_t ninds;  /* how many */
    size_t capi;   /* allocated */
    vg_buf strs;   /* indicator strings; starts with one NUL so offset 0 is "" */
    size_t ndropped; /* indicators taken back (IDX_IND_DROPPED) */
    uint32_t *byid;  /* id -> ind + 1, open addressing, built by the first idx_builder_attribute */
    size_t nbyid;    /* its slots (power of two); 0 when not built */
    size_t byid_n;   /* indicators it holds (it catches up with inds added since) */
    uint64_t v4lens, v6lens[3];
    uint64_t v4first[4]; /* first bytes covered by IPv4 keys */
    idx_stats st;
    uint32_t *texts;     /* attribution texts -> offset in strs, open addressing: each distinct text once */
    size_t ntexts_slots; /* its slots (power of two), 0 before the first */
    size_t ntexts;       /* texts it holds */
};

#define MAX_POOL ((size_t)0xffffffffu)

/*
 * Asks for transparent huge pages on a large array (from 8 MB): a million
 * indicators fill some 200 MB of fresh memory, and a page fault every 4 KB
 * costs more than the copying that fills it. The whole mapping is advised,
 * from the page that holds its start: advising only its aligned middle
 * would split the mapping, and realloc could then no longer move it without
 * copying. Only a hint (nothing where the system has no such pages).
 */
static void huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < ((size_t)8 << 20))
        return;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, e = ((uintptr_t)p + n + 4095) & ~(uintptr_t)4095;
    madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

/* vg_buf_reserve, with huge pages asked for when the pool grows large. */
static int pool_reserve(vg_buf *v, size_t n)
{
    size_t cap = v->cap;
    int rc = vg_buf_reserve(v, n);
    if (!rc && v->cap != cap)
        huge_pages(v->data, v->cap);
    return rc;
}

int idx_builder_new(idx_builder **out, vg_error *err)
{
    *out = NULL;
    idx_builder *b = vg_calloc(1, sizeof *b);
    if (!b)
        return vg_error_set(err, VG_E_NOMEM, "out of memory creating the index builder");
    vg_buf_init(&b->keys, MAX_POOL);
    vg_buf_init(&b->strs, MAX_POOL);
    if (vg_buf_putc(&b->strs, 0)) {
        idx_builder_free(b);
        return vg_error_set(err, VG_E_NOMEM, "out of memory creating the index builder");
    }
    *out = b;
    return 0;
}

void idx_builder_free(idx_builder *b)
{
    if (!b)
        return;
    vg_free(b->t);
    vg_free(b->inds);
    vg_free(b->byid);
    vg_free(b->texts);
    vg_buf_free(&b->keys);
    vg_buf_free(&b->strs);
    vg_free(b);
}

const idx_stats *idx_builder_stats(const idx_builder *b)
{
    return &b->st;
}

/* Appends s[0..n) and a NUL to the strings; *off gets its offset (0, the empty string, when s is NULL or n is 0). */
static int put_span(idx_builder *b, const char *s, size_t n, uint32_t *off, vg_error *err)
{
    if (!s || !n) {
        *off = 0;
        return 0;
    }
    size_t at = b->strs.len;
    int rc = pool_reserve(&b->strs, n + 1);
    if (rc)
        return vg_error_set(err, rc, rc == VG_E_NOMEM ? "out of memory in the index" : "index strings exceed 4 GB");
    memcpy(b->strs.data + at, s, n);
    b->strs.data[at + n] = 0;
    b->strs.len = at + n + 1;
    *off = (uint32_t)at;
    return 0;
}

static uint64_t id_hash(const char *s, size_t n)
{
    return idx__hash_val(0, (const uint8_t *)s, n, 0);
}

/*
 * Attribution texts are kept once each ("Pegasus (malware)" is the text of
 * thousands of indicators): the offset in strs of text[0..n), added when new.
 */
static int intern_text(idx_builder *b, const char *text, size_t n, uint32_t *off, vg_error *err)
{
    if ((b->ntexts + 1) * 2 > b->ntexts_slots) { /* grow: rehash the offsets */
        size_t ns = b->ntexts_slots ? b->ntexts_slots * 2 : 256;
        uint32_t *t = vg_calloc(ns, sizeof *t);
        if (!t)
            return vg_error_set(err, VG_E_NOMEM, "out of memory attributing indicators");
        for (size_t i = 0; i < b->ntexts_slots; i++) {
            if (!b->texts[i])
                continue;
            const char *x = b->strs.data + b->texts[i];
            size_t pos = id_hash(x, strlen(x)) & (ns - 1);
            while (t[pos])
                pos = (pos + 1) & (ns - 1);
            t[pos] = b->texts[i];
        }
        vg_free(b->texts);
        b->texts = t;
        b->ntexts_slots = ns;
    }
    size_t pos = id_hash(text, n) & (b->ntexts_slots - 1);
    for (; b->texts[pos]; pos = (pos + 1) & (b->ntexts_slots - 1)) {
        const char *x = b->strs.data + b->texts[pos];
        if (strncmp(x, text, n) == 0 && x[n] == 0) {
            *off = b->texts[pos];
            return 0;
        }
    }
    int rc = put_span(b, text, n, off, err);
    if (!rc) {
        b->texts[pos] = *off;
        b->ntexts++;
    }
    return rc;
}

/* The text `old` (an offset in strs, 0 for none) with what appended, interned into *off; the same text when it
   says what already or the 400 bytes are full. */
static int text_plus(idx_builder *b, uint32_t old_off, const char *what, uint32_t *off, vg_error *err)
{
    const char *old = b->strs.data + old_off;
    *off = old_off;
    if (old[0] && strstr(old, what)) /* said already (two relationships to one family) */
        return 0;
    char buf[401];
    size_t on = strlen(old), wn = strlen(what), n = on + (on ? 2 : 0) + wn;
    if (n >= sizeof buf)
        return 0; /* full: the first ones are kept */
    memcpy(buf, old, on);
    if (on)
        memcpy(buf + on, ", ", 2);
    memcpy(buf + n - wn, what, wn);
    return intern_text(b, buf, n, off, err);
}

/* idx_builder_add_id over spans: id and name (NULL when absent), and the pattern text when partial. */
static int add_id_n(idx_builder *b, const char *id, size_t idn, const char *name, size_t namen, const char *pattern,
                    size_t patn, uint32_t *ind, vg_error *err)
{
    if (b->ninds >= 0x7fffffffu)
        return vg_error_set(err, VG_E_LIMIT, "more than 2^31 indicators in one index");
    if (b->ninds == b->capi) {
        size_t nc = b->capi ? b->capi * 2 : 1024;
        idx_ind *n = vg_realloc(b->inds, nc * sizeof *n);
        if (!n)
            return vg_error_set(err, VG_E_NOMEM, "out of memory in the index");
        b->inds = n;
        b->capi = nc;
        huge_pages(b->inds, nc * sizeof *n);
    }
    idx_ind r = {0};
    int rc = put_span(b, id, idn, &r.id_off, err);
    if (!rc)
        rc = put_span(b, name, namen, &r.name_off, err);
    if (!rc && pattern) {
        rc = put_span(b, pattern, patn, &r.pattern_off, err);
        r.flags |= IDX_IND_PARTIAL;
    }
    if (rc)
        return rc;
    b->inds[b->ninds] = r;
    *ind = (uint32_t)b->ninds++;
    return 0;
}

int idx_builder_add_id(idx_builder *b, const char *id, const char *name, const char *pattern, uint32_t *ind,
                       vg_error *err)
{
    return add_id_n(b, id, id ? strlen(id) : 0, name, name ? strlen(name) : 0, pattern,
                    pattern ? strlen(pattern) : 0, ind, err);
}

/* Adds an already-made key. */
static int add_key(idx_builder *b, const uint8_t *key, size_t n, uint32_t post, vg_error *err)
{
    if (b->nt == b->capt) {
        size_t nc = b->capt ? b->capt * 2 : 1024;
        tuple *t = vg_realloc(b->t, nc * sizeof *t);
        if (!t)
            return vg_error_set(err, VG_E_NOMEM, "out of memory in the index");
        b->t = t;
        b->capt = nc;
        huge_pages(b->t, nc * sizeof *t);
    }
    size_t at = b->keys.len;
    int rc = pool_reserve(&b->keys, n);
    if (rc)
        return vg_error_set(err, rc, rc == VG_E_NOMEM ? "out of memory in the index" : "index keys exceed 4 GB");
    memcpy(b->keys.data + at, key, n);
    b->keys.len = at + n;
    b->t[b->nt++] = (tuple){idx__hash(key, n), (uint32_t)at, (uint32_t)n, post, 0};
    return 0;
}

/* Adds a key made by idx__key (n bytes; prefix: its prefix length for addresses) for the posting post. */
static int add_made_key(idx_builder *b, uint8_t *key, size_t n, int prefix, uint32_t post, vg_error *err)
{
    int kind = key[0];
    if (kind == IDX_K_IPV4) {
        b->v4lens |= 1ull << prefix;
        unsigned first = key[2], span = prefix >= 8 ? 1u : 1u << (8 - prefix); /* key: kind, prefix, address */
        for (unsigned f = first; f < first + span && f < 256; f++)
            b->v4first[f >> 6] |= 1ull << (f & 63);
    } else if (kind == IDX_K_IPV6) {
        b->v6lens[prefix / 64] |= 1ull << (prefix % 64);
    }
    int rc = add_key(b, key, n, post, err);
    /* a long process name also under its 15- and 16-character prefixes: what `ps` shows of it */
    for (size_t t = 15; !rc && kind == IDX_K_PROCESS && t <= 16 && n - 1 > t; t++) {
        key[0] = IDX_K_PROC_TRUNC;
        rc = add_key(b, key, t + 1, post, err);
    }
    return rc;
}

int idx_builder_add_value(idx_builder *b, uint32_t ind, int kind, const char *value, size_t len, int candidate,
                          int *added, vg_error *err)
{
    uint8_t key[IDX_MAX_VALUE + 8];
    int prefix = -1;
    if (added)
        *added = 0;
    long n = idx__key(kind, value, len, key, sizeof key, &prefix);
    if (n < 0)
        return 0;
    int rc = add_made_key(b, key, (size_t)n, prefix, ind | (candidate ? IDX_POST_CANDIDATE : 0), err);
    if (!rc && added)
        *added = 1;
    return rc;
}

/* ---- from object paths to kinds ------------------------------------------- */

/* The kind of key for `type:path`, or 0. `value` (vn bytes) decides v4/v6 for network-traffic refs. */
static int kind_of(const char *type, size_t tn, const char *path, size_t pn, const char *value, size_t vn)
{
    static const struct {
        const char *type, *path;
        int kind;
    } map[] = {
        {"domain-name", "value", IDX_K_DOMAIN},
        {"url", "value", IDX_K_URL},
        {"ipv4-addr", "value", IDX_K_IPV4},
        {"ipv6-addr", "value", IDX_K_IPV6},
        {"email-addr", "value", IDX_K_EMAIL},
        {"email-message", "from_ref.value", IDX_K_EMAIL},
        {"email-message", "sender_ref.value", IDX_K_EMAIL},
        {"file", "name", IDX_K_FILE_NAME},
        {"file", "path", IDX_K_FILE_PATH},
        {"directory", "path", IDX_K_FILE_PATH},
        {"process", "name", IDX_K_PROCESS},
        {"process", "image_ref.name", IDX_K_PROCESS},
        {"app", "id", IDX_K_APP_ID},
        {"android-property", "name", IDX_K_ANDROID_PROP},
        {"configuration-profile", "id", IDX_K_PROFILE_ID},
        {"app", "cert.sha1", IDX_K_HASH},
        {"app", "cert.sha256", IDX_K_HASH},
        {"app", "cert.md5", IDX_K_HASH},
        {"cryptocurrency-wallet", "value", IDX_K_WALLET},
        {"x-crypto-wallet", "value", IDX_K_WALLET},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].type) == tn && memcmp(map[i].type, type, tn) == 0 && strlen(map[i].path) == pn &&
            memcmp(map[i].path, path, pn) == 0)
            return map[i].kind;
    if (pn > 7 && memcmp(path, "hashes.", 7) == 0 &&
        ((tn == 4 && memcmp(type, "file", 4) == 0) || (tn == 8 && memcmp(type, "artifact", 8) == 0) ||
         (tn == 16 && memcmp(type, "x509-certificate", 16) == 0)))
        return IDX_K_HASH;
    if (tn == 15 && memcmp(type, "network-traffic", 15) == 0 &&
        ((pn == 13 && memcmp(path, "dst_ref.value", 13) == 0) || (pn == 13 && memcmp(path, "src_ref.value", 13) == 0)))
        return value && memchr(value, ':', vn) ? IDX_K_IPV6 : IDX_K_IPV4;
    return 0;
}

/* Byte classes of the fast path's scanner. */
enum { QC_TYPE = 1, QC_PATH = 2 };
static const uint8_t qclass[256] = {
    ['-'] = QC_TYPE | QC_PATH, ['.'] = QC_PATH, ['_'] = QC_PATH, ['\''] = QC_PATH,
    ['0'] = 3, ['1'] = 3, ['2'] = 3, ['3'] = 3, ['4'] = 3, ['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3,
    ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3, ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3,
    ['k'] = 3, ['l'] = 3, ['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3,
    ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3, ['y'] = 3, ['z'] = 3,
    ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2,
    ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2,
    ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
};

/*
 * The fast path: `[type:path = 'literal']` (p[0..n), spaces and tabs allowed
 * between the parts) with a literal free of escapes and of NUL. Fills the
 * parts and returns 1, else 0 (then the compiler decides).
 */
static int quick_form(const char *p, size_t n, const char **type, size_t *tn, const char **path, size_t *pn,
                      const char **lit, size_t *ln)
{
    const char *q = p, *e = p + n;
#define WS() while (q < e && (*q == ' ' || *q == '\t')) q++
#define TAKE(c) (q < e && *q == (c) ? (q++, 1) : 0)
    WS();
    if (!TAKE('['))
        return 0;
    WS();
    *type = q;
    while (q < e && (qclass[(uint8_t)*q] & QC_TYPE))
        q++;
    *tn = (size_t)(q - *type);
    if (*tn == 0 || !TAKE(':'))
        return 0;
    *path = q;
    while (q < e && (qclass[(uint8_t)*q] & QC_PATH))
        q++;
    *pn = (size_t)(q - *path);
    if (*pn == 0)
        return 0;
    WS();
    if (!TAKE('='))
        return 0;
    WS();
    if (!TAKE('\''))
        return 0;
    *lit = q;
    while (q < e && *q != '\'' && *q != '\\' && *q != 0)
        q++;
    *ln = (size_t)(q - *lit);
    if (!TAKE('\''))
        return 0;
    WS();
    if (!TAKE(']'))
        return 0;
    WS();
    return q == e;
#undef WS
#undef TAKE
}

/* The path with quotes removed ("hashes.'SHA-256'" -> "hashes.SHA-256") into buf. */
static size_t unquote_path(const char *p, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        if (p[i] != '\'')
            buf[o++] = p[i];
    buf[o] = 0;
    return o;
}

static void count(idx_builder *b, int status)
{
    switch (status) {
    case IDX_ADDED: b->st.added++; break;
    case IDX_ADDED_PARTIAL: b->st.partial++; break;
    case IDX_SKIP_REVOKED: b->st.revoked++; break;
    case IDX_SKIP_NOT_VALID: b->st.not_valid++; break;
    case IDX_SKIP_NO_PATTERN: b->st.no_pattern++; break;
    default: b->st.bad++; break;
    }
}

/* Brings the id map up to date with the indicators added (grows it as needed). */
static int byid_sync(idx_builder *b)
{
    if ((b->ninds + 1) * 2 > b->nbyid) {
        size_t ns = 1024;
        while (ns < (b->ninds + 1) * 2)
            ns *= 2;
        uint32_t *m = vg_calloc(ns, sizeof *m);
        if (!m)
            return VG_E_NOMEM;
        vg_free(b->byid);
        b->byid = m;
        b->nbyid = ns;
        b->byid_n = 0;
    }
    for (; b->byid_n < b->ninds; b->byid_n++) {
        const char *id = b->strs.data + b->inds[b->byid_n].id_off;
        size_t pos = id_hash(id, strlen(id)) & (b->nbyid - 1);
        while (b->byid[pos])
            pos = (pos + 1) & (b->nbyid - 1);
        b->byid[pos] = (uint32_t)b->byid_n + 1;
    }
    return 0;
}

/* Appends `what` to indicator ind's attribution, unless it says it already or the 400 bytes are full. */
static int attr_add(idx_builder *b, size_t ind, const char *what, vg_error *err)
{
    uint32_t off;
    int rc = text_plus(b, b->inds[ind].attr_off, what, &off, err);
    if (!rc)
        b->inds[ind].attr_off = off;
    return rc;
}

int idx_builder_attribute(idx_builder *b, const char *indicator_id, const char *what, vg_error *err)
{
    if (byid_sync(b))
        return vg_error_set(err, VG_E_NOMEM, "out of memory attributing indicators");
    size_t pos = id_hash(indicator_id, strlen(indicator_id)) & (b->nbyid - 1);
    for (; b->byid[pos]; pos = (pos + 1) & (b->nbyid - 1)) {
        size_t ind = b->byid[pos] - 1;
        if (strcmp(b->strs.data + b->inds[ind].id_off, indicator_id) != 0 || (b->inds[ind].flags & IDX_IND_DROPPED))
            continue;
        int rc = attr_add(b, ind, what, err);
        if (rc)
            return rc;
    }
    return 0;
}

int idx_builder_attribute_pairs(idx_builder *b, const char *const *pairs, size_t npairs, vg_error *err)
{
    if (npairs * 8 >= b->ninds) { /* many: map the indicators by id (idx_builder_attribute) */
        for (size_t i = 0; i < npairs; i++) {
            int rc = idx_builder_attribute(b, pairs[2 * i], pairs[2 * i + 1], err);
            if (rc)
                return rc;
        }
        return 0;
    }
    /* few: map the pairs by id and walk the indicators once (a map of a million ids costs more) */
    size_t ns = 16;
    while (ns < npairs * 2)
        ns *= 2;
    uint32_t *m = vg_calloc(ns, sizeof *m); /* pair + 1; linear probing keeps one id's pairs in their order */
    if (!m)
        return vg_error_set(err, VG_E_NOMEM, "out of memory attributing indicators");
    for (size_t i = 0; i < npairs; i++) {
        size_t pos = id_hash(pairs[2 * i], strlen(pairs[2 * i])) & (ns - 1);
        while (m[pos])
            pos = (pos + 1) & (ns - 1);
        m[pos] = (uint32_t)i + 1;
    }
    int rc = 0;
    for (size_t ind = 0; ind < b->ninds && !rc; ind++) {
        if (b->inds[ind].flags & IDX_IND_DROPPED)
            continue;
        const char *id = b->strs.data + b->inds[ind].id_off;
        for (size_t pos = id_hash(id, strlen(id)) & (ns - 1); m[pos] && !rc; pos = (pos + 1) & (ns - 1)) {
            const char *const *p = pairs + 2 * (m[pos] - 1);
            if (strcmp(p[0], b->strs.data + b->inds[ind].id_off) == 0)
                rc = attr_add(b, ind, p[1], err);
        }
    }
    vg_free(m);
    return rc;
}

uint32_t idx_builder_count_inds(const idx_builder *b)
{
    return (uint32_t)b->ninds;
}

void idx_builder_drop(idx_builder *b, uint32_t ind, int status)
{
    if (ind != UINT32_MAX && ind < b->ninds) {
        b->inds[ind].flags = IDX_IND_DROPPED; /* no longer partial: nothing to evaluate */
        b->ndropped++;
    }
    b->st.indicators--;
    switch (status) {
    case IDX_ADDED: b->st.added--; break;
    case IDX_ADDED_PARTIAL: b->st.partial--; break;
    case IDX_SKIP_REVOKED: b->st.revoked--; break;
    case IDX_SKIP_NOT_VALID: b->st.not_valid--; break;
    case IDX_SKIP_NO_PATTERN: b->st.no_pattern--; break;
    default: b->st.bad--; break;
    }
}

int idx__builder_count(idx_builder *b, int status, int *out)
{
    b->st.indicators++;
    count(b, status);
    if (out)
        *out = status;
    return 0;
}

/* One (kind, value) of a compiled pattern. */
typedef struct leafval {
    int kind;
    const char *s;
    size_t len;
} leafval;

/* The compiler's path: a pattern other than `[type:path = 'literal']`. */
static int add_compiled(idx_builder *b, const span3 *in, int dialect, int *status, vg_error *err)
{
    pat_opts o = {0};
    o.version = dialect;
    o.no_warnings = 1;
    pat_pattern *p = NULL;
    vg_error perr = {0};
    int rc = pat_compile(in->pat, in->patn, &o, &p, NULL, &perr);
    if (rc == VG_E_NOMEM)
        return vg_error_set(err, VG_E_NOMEM, "out of memory compiling a pattern");
    if (rc) {
        *status = IDX_SKIP_BAD;
        return 0;
    }
    size_t nl = pat_leaf_count(p), nv = 0, cap = 0;
    leafval *v = NULL;
    int simple = pat_is_simple_disjunction(p);
    if (!simple && nl == 1 && pat_observation_count(p) == 1 && pat_leaf_at(p, 0)->op == PAT_OP_ISSUBSET &&
        !pat_leaf_at(p, 0)->negated && !memmem(in->pat, in->patn, "REPEATS", 7) && !memmem(in->pat, in->patn, "START", 5))
        simple = 1;
    for (size_t i = 0; i < nl && !rc; i++) {
        const pat_leaf *l = pat_leaf_at(p, i);
        if (l->negated || (l->op != PAT_OP_EQ && l->op != PAT_OP_IN && l->op != PAT_OP_ISSUBSET))
            continue;
        char path[256];
        size_t pn = unquote_path(l->path, strlen(l->path), path, sizeof path);
        const pat_value *vals = l->value;
        size_t nvals = 1;
        if (l->value->kind == PAT_LIT_SET) {
            vals = l->value->items;
            nvals = l->value->nitems;
        }
        for (size_t k = 0; k < nvals; k++) {
            if (vals[k].kind != PAT_LIT_STRING)
                continue;
            int kind = kind_of(l->object_type, strlen(l->object_type), path, pn, vals[k].s, vals[k].len);
            if (!kind || (l->op == PAT_OP_ISSUBSET && kind != IDX_K_IPV4 && kind != IDX_K_IPV6))
                continue;
            if (nv == cap) {
                size_t nc = cap ? cap * 2 : 8;
                leafval *n = vg_realloc(v, nc * sizeof *n);
                if (!n) {
                    rc = vg_error_set(err, VG_E_NOMEM, "out of memory in the index");
                    break;
                }
                v = n;
                cap = nc;
            }
            v[nv++] = (leafval){kind, vals[k].s, vals[k].len};
        }
    }
    uint32_t ind = 0;
    if (!rc && nv == 0)
        *status = IDX_SKIP_NO_PATTERN;
    else if (!rc) {
        *status = simple ? IDX_ADDED : IDX_ADDED_PARTIAL;
        rc = add_id_n(b, in->id, in->idn, in->name, in->namen, simple ? NULL : in->pat, in->patn, &ind, err);
        int any = 0;
        for (size_t i = 0; i < nv && !rc; i++) {
            int added = 0;
            rc = idx_builder_add_value(b, ind, v[i].kind, v[i].s, v[i].len, !simple, &added, err);
            any |= added;
        }
        if (!rc && !any) { /* nothing valid: forget the record */
            b->ninds--;
            *status = IDX_SKIP_NO_PATTERN;
        }
    }
    vg_free(v);
    pat_free(p);
    return rc;
}

int idx__builder_add_pattern_n(idx_builder *b, const span3 *in, int dialect, int *status, vg_error *err)
{
    int st = IDX_SKIP_NO_PATTERN, rc = 0;
    const char *type, *path, *lit;
    size_t tn, pn, ln;
    b->st.indicators++;
    if (!in->id || !in->pat) {
        st = IDX_SKIP_NO_PATTERN;
    } else if (quick_form(in->pat, in->patn, &type, &tn, &path, &pn, &lit, &ln)) {
        char upath[256];
        size_t un = unquote_path(path, pn, upath, sizeof upath);
        int kind = kind_of(type, tn, upath, un, lit, ln), prefix = -1;
        uint8_t key[IDX_MAX_VALUE + 8];
        long kn = kind ? idx__key(kind, lit, ln, key, sizeof key, &prefix) : -1;
        if (kn >= 0) {
            uint32_t ind;
            st = IDX_ADDED;
            rc = add_id_n(b, in->id, in->idn, in->name, in->namen, NULL, 0, &ind, err);
            if (!rc)
                rc = add_made_key(b, key, (size_t)kn, prefix, ind, err);
        } else if (kind) {
            st = IDX_SKIP_NO_PATTERN;
        } else {
            rc = add_compiled(b, in, dialect, &st, err);
        }
    } else {
        rc = add_compiled(b, in, dialect, &st, err);
    }
    if (rc)
        return rc;
    count(b, st);
    if (status)
        *status = st;
    return 0;
}

int idx_builder_add_pattern(idx_builder *b, const char *id, const char *name, const char *pattern, int dialect,
                            int *status, vg_error *err)
{
    span3 in = {id, id ? strlen(id) : 0, name, name ? strlen(name) : 0, pattern, pattern ? strlen(pattern) : 0};
    return idx__builder_add_pattern_n(b, &in, dialect, status, err);
}

static int time_prop(json_t *o, const char *name, vg_time *t)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return 0;
    return vg_time_parse(json_string_value(v), json_string_length(v), VG_TIME_RFC3339, t, NULL) == 0;
}

int idx_builder_add_indicator(idx_builder *b, json_t *ind, const vg_time *now, int *status, vg_error *err)
{
    vg_time tnow = now ? *now : vg_time_now(0), t;
    int st = -1;
    if (json_is_true(json_object_get(ind, "revoked")))
        st = IDX_SKIP_REVOKED;
    else if (time_prop(ind, "valid_from", &t) && vg_time_cmp(&t, &tnow) > 0)
        st = IDX_SKIP_NOT_VALID;
    else if (time_prop(ind, "valid_until", &t) && vg_time_cmp(&t, &tnow) <= 0)
        st = IDX_SKIP_NOT_VALID;
    else {
        const char *ptype = json_string_value(json_object_get(ind, "pattern_type"));
        if (ptype && strcmp(ptype, "stix") != 0)
            st = IDX_SKIP_NO_PATTERN;
    }
    if (st >= 0) {
        b->st.indicators++;
        count(b, st);
        if (status)
            *status = st;
        return 0;
    }
    return idx_builder_add_pattern(b, json_string_value(json_object_get(ind, "id")),
                                   json_string_value(json_object_get(ind, "name")),
                                   json_string_value(json_object_get(ind, "pattern")), pat_version_of_indicator(ind),
                                   status, err);
}

/* ---- finishing ------------------------------------------------------------ */

static int cmp_tuple(const void *pa, const void *pb, void *ctx)
{
    const tuple *a = pa, *b = pb;
    const uint8_t *keys = ctx;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    int c = memcmp(keys + a->key_off, keys + b->key_off, a->key_len);
    if (c)
        return c;
    return a->post < b->post ? -1 : a->post > b->post;
}

static uint64_t pow2_at_least(uint64_t n, uint64_t min)
{
    uint64_t p = min;
    while (p < n)
        p <<= 1;
    return p;
}

static int same_key(const tuple *a, const tuple *b, const uint8_t *keys)
{
    return a->hash == b->hash && a->key_len == b->key_len &&
           memcmp(keys + a->key_off, keys + b->key_off, a->key_len) == 0;
}

/*
 * Puts t[0..n) in the order the table is filled in: by slot position
 * (hash & mask), stable, with a least-significant-digit radix sort of 11
 * bits a pass into tmp (n tuples); then each run of one position is sorted
 * by cmp_tuple, so equal keys lie together with their postings in order.
 * Filling the table in position order writes the slots from first to last
 * instead of at random (and the sort is a few passes, not n log n
 * comparisons). Returns the array holding the result (t or tmp).
 */
static tuple *sort_by_slot(tuple *t, tuple *tmp, size_t n, uint64_t mask, const uint8_t *keys)
{
    int bits = 0;
    while (bits < 64 && (mask >> bits))
        bits++;
    for (int shift = 0; shift < bits; shift += 11) {
        size_t at[2048];
        memset(at, 0, sizeof at);
        for (size_t i = 0; i < n; i++)
            at[((t[i].hash & mask) >> shift) & 2047]++;
        size_t sum = 0, skip = 0;
        for (size_t d = 0; d < 2048; d++) {
            skip |= at[d] == n;
            size_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        if (skip)
            continue; /* every tuple has the same digit here */
        for (size_t i = 0; i < n; i++)
            tmp[at[((t[i].hash & mask) >> shift) & 2047]++] = t[i];
        tuple *sw = t;
        t = tmp;
        tmp = sw;
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && ((t[j].hash ^ t[i].hash) & mask) == 0; j++)
            ;
        if (j - i > 16) {
            qsort_r(t + i, j - i, sizeof *t, cmp_tuple, (void *)keys);
            continue;
        }
        for (size_t k = i + 1; k < j; k++) { /* short runs: insertion sort */
            tuple v = t[k];
            size_t m = k;
            for (; m > i && cmp_tuple(&t[m - 1], &v, (void *)keys) > 0; m--)
                t[m] = t[m - 1];
            t[m] = v;
        }
    }
    return t;
}

void idx__builder_records(const idx_builder *b, const idx_ind **inds, size_t *ninds, const char **strs, size_t *nstrs)
{
    *inds = b->inds;
    *ninds = b->ninds;
    *strs = b->strs.data;
    *nstrs = b->strs.len;
}

int idx_builder_finish(idx_builder *b, idx **out, vg_error *err)
{
    int rc = idx__builder_finish(b, out, err);
    if (rc)
        idx_builder_free(b);
    return rc;
}

int idx__builder_finish(idx_builder *b, idx **out, vg_error *err)
{
    *out = NULL;
    /* the maps of attribution are done with: their memory goes before the table's comes */
    vg_free(b->texts);
    vg_free(b->byid);
    b->texts = b->byid = NULL;
    b->ntexts = b->ntexts_slots = b->nbyid = b->byid_n = 0;
    idx *x = vg_calloc(1, sizeof *x);
    const uint8_t *keys = (const uint8_t *)b->keys.data;
    if (b->ndropped) { /* leave out the keys of indicators taken back */
        size_t k = 0;
        for (size_t i = 0; i < b->nt; i++)
            if (!(b->inds[b->t[i].post & ~IDX_POST_CANDIDATE].flags & IDX_IND_DROPPED))
                b->t[k++] = b->t[i];
        b->nt = k;
    }
    /* the table's size from the tuples (an upper bound of the keys), so that they can be sorted by slot */
    uint64_t nslots = pow2_at_least((uint64_t)b->nt * 2, 16);
    if (x && b->nt > 1) {
        tuple *tmp = vg_malloc(b->nt * sizeof *tmp);
        huge_pages(tmp, b->nt * sizeof *tmp);
        if (!tmp) {
            vg_free(x);
            x = NULL;
        } else if (sort_by_slot(b->t, tmp, b->nt, nslots - 1, keys) == tmp) {
            vg_free(b->t);
            b->t = tmp;
            b->capt = b->nt;
        } else {
            vg_free(tmp);
        }
    }
    /* count distinct keys, postings and key bytes */
    size_t ne = 0, np = 0, kbytes = 0;
    for (size_t i = 0; i < b->nt; i++) {
        if (i == 0 || !same_key(&b->t[i], &b->t[i - 1], keys))
            ne++, np++, kbytes += b->t[i].key_len;
        else if ((b->t[i].post & ~IDX_POST_CANDIDATE) != (b->t[i - 1].post & ~IDX_POST_CANDIDATE))
            np++;
    }
    /* the keys stay where the builder put them unless a quarter of the bytes there is no longer used
       (keys given twice, keys of indicators taken back): then the used ones are copied out */
    int compact = b->keys.len == 0 || kbytes < b->keys.len - b->keys.len / 4;
    uint64_t nbloom = pow2_at_least((uint64_t)ne / 4, 8);
    nslots = pow2_at_least((uint64_t)ne * 2, 16); /* smaller when keys were given more than once */
    idx_slot *slots = x ? vg_calloc(nslots, sizeof *slots) : NULL;
    idx_entry *entries = x ? vg_malloc((ne ? ne : 1) * sizeof *entries) : NULL;
    uint32_t *posts = x ? vg_malloc((np ? np : 1) * sizeof *posts) : NULL;
    uint64_t *bloom = x ? vg_calloc(nbloom, sizeof *bloom) : NULL;
    uint8_t *kpool = x && compact ? vg_malloc(kbytes ? kbytes : 1) : NULL;
    huge_pages(slots, nslots * sizeof *slots);
    huge_pages(entries, ne * sizeof *entries);
    if (!x || !slots || !entries || !posts || !bloom || (compact && !kpool)) {
        vg_free(x);
        vg_free(slots);
        vg_free(entries);
        vg_free(posts);
        vg_free(bloom);
        vg_free(kpool);
        return vg_error_set(err, VG_E_NOMEM, "out of memory finishing the index");
    }
    size_t e = 0, p = 0, ko = 0;
    for (size_t i = 0; i < b->nt; i++) {
        const tuple *t = &b->t[i];
        if (i == 0 || !same_key(t, &b->t[i - 1], keys)) {
            if (compact) {
                memcpy(kpool + ko, keys + t->key_off, t->key_len);
                entries[e] = (idx_entry){(uint32_t)ko, t->key_len, (uint32_t)p, 0};
                ko += t->key_len;
            } else {
                entries[e] = (idx_entry){t->key_off, t->key_len, (uint32_t)p, 0};
            }
            x->stats.by_kind[keys[t->key_off] < IDX_K__COUNT ? keys[t->key_off] : 0]++;
            if (keys[t->key_off] == IDX_K_DOMAIN) {
                unsigned labels = 1;
                for (uint32_t k = 1; k < t->key_len; k++)
                    labels += keys[t->key_off + k] == '.';
                x->dlabels |= 1ull << (labels > 63 ? 63 : labels);
            }
            uint64_t h = t->hash, pos = h & (nslots - 1);
            while (slots[pos].entry)
                pos = (pos + 1) & (nslots - 1);
            slots[pos] = (idx_slot){(uint32_t)(h >> 32), (uint32_t)(e + 1)};
            bloom[(h >> 20) & (nbloom - 1)] |= (1ull << (h & 63)) | (1ull << ((h >> 6) & 63)) |
                                               (1ull << ((h >> 12) & 63));
            e++;
        } else if ((t->post & ~IDX_POST_CANDIDATE) == (posts[p - 1] & ~IDX_POST_CANDIDATE)) {
            posts[p - 1] &= t->post; /* a definitive posting wins over a candidate one */
            continue;
        }
        posts[p++] = t->post;
        entries[e - 1].post_n++;
    }
    x->slots = slots;
    x->nslots = nslots;
    x->entries = entries;
    x->nentries = ne;
    if (compact) {
        x->keys = kpool;
        x->nkeys_bytes = ko;
    } else {
        x->nkeys_bytes = b->keys.len;
        x->keys = (const uint8_t *)vg_buf_detach(&b->keys);
        ko = x->nkeys_bytes;
    }
    x->posts = posts;
    x->nposts = np;
    x->bloom = bloom;
    x->nbloom = nbloom;
    x->inds = b->inds;
    x->ninds = b->ninds;
    b->inds = NULL;
    x->nstrs = b->strs.len;
    x->strs = vg_buf_detach(&b->strs);
    x->v4lens = b->v4lens;
    memcpy(x->v4first, b->v4first, sizeof x->v4first);
    memcpy(x->v6lens, b->v6lens, sizeof x->v6lens);
    idx_stats st = b->st;
    memcpy(st.by_kind, x->stats.by_kind, sizeof st.by_kind);
    st.keys = ne;
    x->stats = st;
    idx_builder_free(b);
    x->stats.bytes = sizeof *x + nslots * sizeof *slots + ne * sizeof *entries + np * sizeof *posts +
                     nbloom * sizeof *bloom + ko + x->ninds * sizeof(idx_ind) + x->nstrs;
    vg_time now = vg_time_now(0);
    vg_time_format(&now, x->origin.built);
    *out = x;
    return 0;
}
