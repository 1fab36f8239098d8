/*
 * ev_text.c - the one-pass text extractor.
 *
 * A 256-entry byte-class table drives a flat loop. Bytes that cannot start a
 * token (spaces, punctuation) are skipped in a tight inner loop; at an
 * alphanumeric byte the loop reads a "dotted name": labels of [A-Za-z0-9_-]
 * joined by dots (or defanged dots: [.] (.) [dot] {.}) and at most one '@'
 * (or [@]). The name is then classified once:
 *
 *   - followed by "://" (or "[:]//", "[://]") and a known scheme: a URL up to
 *     the next delimiter, trailing punctuation trimmed;
 *   - a hex label followed by ':' (or a "::"): tried as an IPv6 address;
 *   - four decimal labels of at most 255: IPv4;
 *   - local@domain: e-mail; two or more labels ending in a PSL top-level
 *     domain: a domain; ending in a short non-TLD label: a file-name token;
 *   - each maximal alphanumeric run: a hash when it is all hex of exactly
 *     32/40/64/128 digits (so a hash inside a longer hex run is no match),
 *     a wallet when its checksum verifies.
 *
 * Values are reported pointing into the caller's buffer, or into the
 * extractor's scratch buffer when defanging had to be undone.
 */
#include <arpa/inet.h>
#include <libpsl.h>
#include <pthread.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"

/* Byte classes (bits). */
enum {
    C_ALPHA = 1,
    C_DIGIT = 2,
    C_HEX = 4,    /* 0-9 a-f A-F */
    C_JOIN = 8,   /* - _ inside a label */
    C_URL = 16,   /* may appear in a URL after the scheme */
    C_V6 = 32,    /* 0-9 a-f A-F : . (IPv6 text) */
    C_B58 = 64,   /* base58 alphabet */
    C_ATTN = 128, /* the skip loop must stop here: alphanumeric, newline, '"', ':' */
};
#define C_ALNUM (C_ALPHA | C_DIGIT)

static uint8_t cls[256];

/* What a byte after an alphanumeric run may do to the name being read. */
enum { A_END = 0, A_JOIN = 1, A_MORE = 2 /* '.', '[', '(', '{', '@': a label may follow */ };
static uint8_t after[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl;
static psl_ctx_t *psl_owned;

static void init_once(void)
{
    for (int c = 0; c < 256; c++) {
        uint8_t k = 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            k |= C_ALPHA;
        if (c >= '0' && c <= '9')
            k |= C_DIGIT | C_HEX;
        if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            k |= C_HEX;
        if (c == '-' || c == '_')
            k |= C_JOIN;
        if (c > 0x20 && c < 0x7f && !strchr("\"<>`'{}|\\^", c))
            k |= C_URL;
        if ((k & C_HEX) || c == ':' || c == '.')
            k |= C_V6;
        if ((k & C_ALNUM) && !strchr("0OIl", c))
            k |= C_B58;
        if ((k & (C_ALPHA | C_DIGIT)) || c == '\n' || c == '"' || c == ':')
            k |= C_ATTN;
        cls[c] = k;
        after[c] = (c == '-' || c == '_') ? A_JOIN : (c && strchr(".[({@", c)) ? A_MORE : A_END;
    }
    psl_owned = psl_latest("/usr/share/publicsuffix/public_suffix_list.dafsa");
    psl = psl_owned ? psl_owned : psl_builtin();
}

/* ---- the TLD cache -------------------------------------------------------- */

#define TLD_MAX 24
#define TLD_SLOTS 1024

typedef struct tld_slot {
    uint8_t len;          /* 0 = empty */
    int8_t ok;            /* verdict */
    char s[TLD_MAX];      /* lower-case TLD */
} tld_slot;

struct ev_text {
    int want;                 /* EV_WANT_* */
    uint64_t lines;           /* newlines seen by the last scan */
    tld_slot tld[TLD_SLOTS];  /* verdicts of the TLDs seen */
    char scratch[4096 + 64];  /* de-defanged values */
};

static const char *const kind_names[EV__COUNT] = {"none", "domain", "url",       "ipv4",      "ipv6",  "email",
                                                  "hash", "wallet", "file-name", "file-path", "string"};

const char *ev_kind_name(int kind)
{
    return kind > 0 && kind < EV__COUNT ? kind_names[kind] : "none";
}

int ev_text_new(int want, ev_text **out, vg_error *err)
{
    pthread_once(&once, init_once);
    ev_text *t = vg_calloc(1, sizeof *t);
    if (!t)
        return vg_error_set(err, VG_E_NOMEM, "out of memory creating a text extractor");
    t->want = want ? want : EV_WANT_ALL;
    *out = t;
    return 0;
}

uint64_t ev_text_lines(const ev_text *t)
{
    return t->lines;
}

void ev_text_free(ev_text *t)
{
    vg_free(t);
}

/*
 * Names reserved for documentation, testing and special use (RFC 2606, 6761,
 * 6762, 7686): not in the Public Suffix List, yet indicators and logs use them.
 */
static const char *const special_tlds[] = {"example", "test", "invalid", "localhost", "onion", "local", "internal"};

static int psl_tld(const char *s, size_t n)
{
    char z[72];
    if (n == 0 || n >= sizeof z)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        z[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    z[n] = 0;
    for (size_t i = 0; i < sizeof special_tlds / sizeof special_tlds[0]; i++)
        if (strcmp(z, special_tlds[i]) == 0)
            return 1;
    return psl_is_public_suffix2(psl, z, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) ? 1 : 0;
}

int ev_tld_valid(const char *tld, size_t len)
{
    pthread_once(&once, init_once);
    return psl_tld(tld, len);
}

static int tld_ok(ev_text *t, const char *s, size_t n)
{
    if (n < 2 || n > 63)
        return 0;
    /* a TLD is letters, or an xn-- label */
    int xn = n > 4 && (s[0] | 32) == 'x' && (s[1] | 32) == 'n' && s[2] == '-' && s[3] == '-';
    if (!xn)
        for (size_t i = 0; i < n; i++)
            if (!(cls[(uint8_t)s[i]] & C_ALPHA))
                return 0;
    if (n >= TLD_MAX)
        return psl_tld(s, n);
    uint32_t h = 2166136261u;
    char low[TLD_MAX];
    for (size_t i = 0; i < n; i++) {
        low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
        h = (h ^ (uint8_t)low[i]) * 16777619u;
    }
    for (unsigned k = 0; k < 8; k++) {
        tld_slot *sl = &t->tld[(h + k) & (TLD_SLOTS - 1)];
        if (sl->len == n && memcmp(sl->s, low, n) == 0)
            return sl->ok;
        if (sl->len == 0) {
            sl->len = (uint8_t)n;
            memcpy(sl->s, low, n);
            sl->ok = (int8_t)psl_tld(low, n);
            return sl->ok;
        }
    }
    return psl_tld(low, n); /* cache neighbourhood full */
}

/* ---- checksums ------------------------------------------------------------ */

int ev_base58check_valid(const char *s, size_t len, int *version);
int ev_bech32_valid(const char *s, size_t len);

/* ---- the scanner ------------------------------------------------------------ */

typedef struct scan {
    ev_text *t;
    const char *buf; /* the caller's bytes */
    size_t len;
    uint64_t offset; /* stream offset of buf[0] */
    uint64_t line;   /* current line */
    ev_obs_fn fn;
    void *ctx;
    size_t qend; /* the closing quote of the last quoted string: not an opening one */
} scan;

static int emit(scan *s, int kind, const char *v, size_t n, size_t at, int defanged)
{
    ev_obs o = {kind, v, n, s->offset + at, s->line, defanged};
    return s->fn(&o, s->ctx);
}

/* Length of a defanged dot at p (e.g. "[.]"), or 0. */
static inline size_t defanged_dot(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= 3 && ((p[0] == '[' && p[1] == '.' && p[2] == ']') || (p[0] == '(' && p[1] == '.' && p[2] == ')') ||
                   (p[0] == '{' && p[1] == '.' && p[2] == '}')))
        return 3;
    if (n >= 5 && (p[0] == '[' || p[0] == '(') && (p[1] | 32) == 'd' && (p[2] | 32) == 'o' && (p[3] | 32) == 't' &&
        (p[4] == ']' || p[4] == ')'))
        return 5;
    return 0;
}

static size_t defanged_at(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= 3 && ((p[0] == '[' && p[1] == '@' && p[2] == ']') || (p[0] == '(' && p[1] == '@' && p[2] == ')')))
        return 3;
    return 0;
}

/* Length of the scheme separator at p ("://", "[:]//", "[://]", ":\/\/"), or 0. */
static size_t scheme_sep(const char *p, const char *end, int *defanged)
{
    size_t n = (size_t)(end - p);
    *defanged = 0;
    if (n >= 3 && p[0] == ':' && p[1] == '/' && p[2] == '/')
        return 3;
    *defanged = 1;
    if (n >= 5 && memcmp(p, "[:]//", 5) == 0)
        return 5;
    if (n >= 5 && memcmp(p, "[://]", 5) == 0)
        return 5;
    if (n >= 5 && memcmp(p, ":\\/\\/", 5) == 0)
        return 5;
    return 0;
}

/* The canonical scheme of a (possibly defanged) scheme word, or NULL. */
static const char *scheme_of(const char *p, size_t n, int *defanged)
{
    static const struct {
        const char *in, *out;
        int defanged;
    } s[] = {{"http", "http", 0}, {"https", "https", 0}, {"hxxp", "http", 1}, {"hxxps", "https", 1},
             {"ftp", "ftp", 0},   {"fxp", "ftp", 1},     {"ftps", "ftps", 0}, {"sftp", "sftp", 0},
             {"ws", "ws", 0},     {"wss", "wss", 0}};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (strlen(s[i].in) == n && strncasecmp(s[i].in, p, n) == 0) {
            *defanged = s[i].defanged;
            return s[i].out;
        }
    return NULL;
}

/*
 * A URL whose scheme word is p[ss..se) and whose separator starts at se.
 * Returns the end of the URL in buf (or 0 when it is not one).
 */
static size_t url_at(scan *s, size_t ss, size_t se, size_t seplen, int defanged, int *rc)
{
    const char *b = s->buf;
    int sdef = 0;
    const char *scheme = scheme_of(b + ss, se - ss, &sdef);
    if (!scheme)
        return 0;
    size_t i = se + seplen, n = s->len;
    size_t start = i;
    while (i < n && (cls[(uint8_t)b[i]] & C_URL))
        i++;
    /* trim trailing punctuation a sentence or a bracket put there */
    while (i > start && strchr(".,;:!?)]", b[i - 1])) {
        if (b[i - 1] == ']' && i - start >= 3 && defanged_dot(b + i - 3, b + i))
            break;
        i--;
    }
    if (i == start || (!(cls[(uint8_t)b[start]] & C_ALNUM) && b[start] != '['))
        return 0;
    size_t sl = strlen(scheme);
    if (!defanged && !sdef && seplen == 3 && se - ss == sl && memcmp(b + ss, scheme, sl) == 0 &&
        !memchr(b + start, '[', i - start) && !memchr(b + start, '(', i - start)) {
        /* already canonical (a lower-case scheme, "://", no defanged dot): reported where it lies */
        if (s->t->want & EV_WANT_NET)
            *rc = emit(s, EV_URL, b + ss, i - ss, ss, 0);
        return i;
    }
    /* build the canonical form */
    char *o = s->t->scratch;
    size_t cap = sizeof s->t->scratch - 8, k = 0;
    if (i - start + sl + 3 > cap)
        return i; /* too long: skipped */
    memcpy(o, scheme, sl);
    k = sl;
    memcpy(o + k, "://", 3);
    k += 3;
    int def = defanged || sdef;
    for (size_t j = start; j < i;) {
        size_t d = defanged_dot(b + j, b + i);
        if (d) {
            o[k++] = '.';
            j += d;
            def = 1;
        } else {
            o[k++] = b[j++];
        }
    }
    if (s->t->want & EV_WANT_NET)
        *rc = emit(s, EV_URL, o, k, ss, def);
    return i;
}

/* Tries an IPv6 address starting at buf[i]. Returns its end, or 0. */
static size_t ipv6_at(scan *s, size_t i, int *rc)
{
    const char *b = s->buf;
    size_t j = i, colons = 0, dbl = 0;
    while (j < s->len && j - i < 46 && (cls[(uint8_t)b[j]] & C_V6)) {
        if (b[j] == ':') {
            colons++;
            if (j + 1 < s->len && b[j + 1] == ':')
                dbl = 1;
        }
        j++;
    }
    if (j < s->len && (cls[(uint8_t)b[j]] & C_ALNUM))
        return 0; /* runs into a longer word */
    size_t e = j;
    while (e > i && b[e - 1] == '.')
        e--;
    if (colons < 2 || (!dbl && colons != 7) || e - i < 2)
        return 0;
    char z[48];
    memcpy(z, b + i, e - i);
    z[e - i] = 0;
    unsigned char a[16];
    if (inet_pton(AF_INET6, z, a) != 1)
        return 0;
    size_t end = e;
    if (end < s->len && b[end] == '%') { /* zone id: consumed, not reported */
        end++;
        while (end < s->len && (cls[(uint8_t)b[end]] & (C_ALNUM | C_JOIN)))
            end++;
    }
    if (s->t->want & EV_WANT_NET)
        *rc = emit(s, EV_IPV6, b + i, e - i, i, 0);
    return end;
}

/*
 * The end of the alphanumeric run starting at p[j] (j < len); *digits is
 * cleared when the run holds a non-digit, *hex when it holds a non-hex
 * character (so a hash needs no second look). Sixteen bytes a step with SSE2
 * was tried: no fewer instructions, runs in logs are short.
 */
static inline size_t alnum_run(const uint8_t *p, size_t j, size_t len, int *digits, int *hex)
{
    uint8_t all = 0xff, c; /* the class bits every byte of the run has */
    while (j < len && ((c = cls[p[j]]) & C_ALNUM)) {
        all &= c;
        j++;
    }
    *digits &= (all & C_DIGIT) != 0;
    *hex &= (all & C_HEX) != 0;
    return j;
}

/* Checks one maximal alphanumeric run for a hash or a wallet. */
static int run_check(scan *s, size_t a, size_t e, int hex)
{
    const char *b = s->buf;
    size_t n = e - a;
    if (n < 26)
        return 0;
    if ((s->t->want & EV_WANT_HASH) && (n == 32 || n == 40 || n == 64 || n == 128) && hex)
        return emit(s, EV_HASH, b + a, n, a, 0);
    if (!(s->t->want & EV_WANT_WALLET))
        return 0;
    if (n == 42 && b[a] == '0' && b[a + 1] == 'x') {
        size_t k = a + 2;
        while (k < e && (cls[(uint8_t)b[k]] & C_HEX))
            k++;
        if (k == e && ev_eip55_valid(b + a, n))
            return emit(s, EV_WALLET, b + a, n, a, 0);
        return 0;
    }
    if (n >= 14 && n <= 90 && ((b[a] | 32) == 'b' || (b[a] | 32) == 't' || (b[a] | 32) == 'l')) {
        if (ev_bech32_valid(b + a, n))
            return emit(s, EV_WALLET, b + a, n, a, 0);
    }
    /* base58check: Bitcoin and forks (1 3), Tron (T), Litecoin (L M), Dash (X 7), Bitcoin Gold (G A),
       Verge and Dogecoin (D), Zcash (t); the 32-bit checksum keeps random words out */
    if (n <= 36 && strchr("13TLMX7GADt", b[a])) {
        int ver;
        if (ev_base58check_valid(b + a, n, &ver))
            return emit(s, EV_WALLET, b + a, n, a, 0);
    }
    if (b[a] == 'r' && n <= 35 && ev_ripple_valid(b + a, n))
        return emit(s, EV_WALLET, b + a, n, a, 0);
    if ((b[a] == 'q' || b[a] == 'p') && n == 42 && ev_cashaddr_valid(b + a, n))
        return emit(s, EV_WALLET, b + a, n, a, 0);
    if ((b[a] == '4' || b[a] == '8') && (n == 95 || n == 106) && ev_monero_valid(b + a, n))
        return emit(s, EV_WALLET, b + a, n, a, 0);
    return 0;
}

/* A dotted name's parts, as read. */
#define MAX_LABELS 64
typedef struct name {
    size_t start, end;           /* the name in buf */
    size_t nl;                   /* labels */
    size_t ls[MAX_LABELS];       /* label starts */
    size_t le[MAX_LABELS];       /* label ends */
    int at_label;                /* index of the first label after '@', or -1 */
    int defanged;                /* a defanged separator was seen */
    int all_digit[MAX_LABELS];   /* label is all digits */
} name;

/* Writes the name's canonical text (dots and '@' undefanged) into scratch. */
static size_t name_text(scan *s, const name *nm, size_t from_label, char *out)
{
    size_t k = 0;
    for (size_t l = from_label; l < nm->nl; l++) {
        if (l > from_label)
            out[k++] = ((int)l == nm->at_label) ? '@' : '.';
        memcpy(out + k, s->buf + nm->ls[l], nm->le[l] - nm->ls[l]);
        k += nm->le[l] - nm->ls[l];
    }
    return k;
}

static int domain_labels_ok(const scan *s, const name *nm, size_t from)
{
    size_t total = 0;
    for (size_t l = from; l < nm->nl; l++) {
        size_t n = nm->le[l] - nm->ls[l];
        if (n == 0 || n > 63)
            return 0;
        char c0 = s->buf[nm->ls[l]], c1 = s->buf[nm->le[l] - 1];
        if (c0 == '-' || c1 == '-')
            return 0;
        total += n + 1;
    }
    return total <= 254;
}

static int classify(scan *s, const name *nm)
{
    const char *b = s->buf;
    int want = s->t->want;
    size_t nl = nm->nl;
    char *o = s->t->scratch;
    if (nm->end - nm->start > 4096)
        return 0;
    if (nm->at_label > 0) { /* e-mail */
        size_t d = (size_t)nm->at_label;
        if (!(want & EV_WANT_NET) || nl - d < 2 || !domain_labels_ok(s, nm, d) ||
            !tld_ok(s->t, b + nm->ls[nl - 1], nm->le[nl - 1] - nm->ls[nl - 1]))
            return 0;
        if (!nm->defanged)
            return emit(s, EV_EMAIL, b + nm->start, nm->end - nm->start, nm->start, 0);
        size_t k = name_text(s, nm, 0, o);
        return emit(s, EV_EMAIL, o, k, nm->start, 1);
    }
    if (nl == 4 && nm->all_digit[0] && nm->all_digit[1] && nm->all_digit[2] && nm->all_digit[3]) {
        for (size_t l = 0; l < 4; l++) {
            size_t n = nm->le[l] - nm->ls[l];
            if (n > 3 || (n == 3 && memcmp(b + nm->ls[l], "255", 3) > 0))
                return 0;
        }
        if (!(want & EV_WANT_NET))
            return 0;
        if (!nm->defanged)
            return emit(s, EV_IPV4, b + nm->start, nm->end - nm->start, nm->start, 0);
        size_t k = name_text(s, nm, 0, o);
        return emit(s, EV_IPV4, o, k, nm->start, 1);
    }
    if (nl < 2)
        return 0;
    const char *tld = b + nm->ls[nl - 1];
    size_t tn = nm->le[nl - 1] - nm->ls[nl - 1];
    if (tld_ok(s->t, tld, tn)) {
        if (!(want & EV_WANT_NET) || !domain_labels_ok(s, nm, 0))
            return 0;
        if (!nm->defanged)
            return emit(s, EV_DOMAIN, b + nm->start, nm->end - nm->start, nm->start, 0);
        size_t k = name_text(s, nm, 0, o);
        return emit(s, EV_DOMAIN, o, k, nm->start, 1);
    }
    if ((want & EV_WANT_NAMES) && tn >= 1 && tn <= 5 && !nm->defanged && !nm->all_digit[nl - 1])
        return emit(s, EV_FILE_NAME, b + nm->start, nm->end - nm->start, nm->start, 0);
    return 0;
}

/* Emits a whole double-quoted string starting after the quote at q. */
static int quoted(scan *s, size_t q)
{
    size_t lim = s->len - q - 1 < 1024 ? s->len - q - 1 : 1024;
    const char *b = s->buf + q + 1;
    const char *e = memchr(b, '"', lim);
    if (!e)
        return 0;
    s->qend = (size_t)(e - s->buf);
    if (e == b)
        return 0;
    if (memchr(b, '\n', (size_t)(e - b)) || memchr(b, '\\', (size_t)(e - b)))
        return 0;
    return emit(s, EV_STRING, b, (size_t)(e - b), q + 1, 0);
}

int ev_text_scan(ev_text *t, const char *buf, size_t len, uint64_t offset, uint64_t line, ev_obs_fn fn, void *ctx)
{
    scan s = {t, buf, len, offset, line ? line : 1, fn, ctx, (size_t)-1};
    const uint8_t *p = (const uint8_t *)buf;
    size_t i = 0;
    int rc = 0;
    name nm;
    while (i < len) {
        /* the tight loop: skip what cannot start a token */
        while (i < len && !(cls[p[i]] & C_ALNUM)) {
            while (i < len && !(cls[p[i]] & C_ATTN))
                i++;
            if (i >= len || (cls[p[i]] & C_ALNUM))
                break;
            uint8_t c = p[i];
            if (c == '\n')
                s.line++;
            else if (c == '"' && (t->want & EV_WANT_STRINGS) && i != s.qend && (rc = quoted(&s, i)))
                return rc;
            else if (c == ':' && i + 1 < len && p[i + 1] == ':' && (i == 0 || !(cls[p[i - 1]] & C_V6))) {
                size_t e = ipv6_at(&s, i, &rc);
                if (rc)
                    return rc;
                if (e) {
                    i = e;
                    continue;
                }
            }
            i++;
        }
        if (i >= len)
            break;
        /* a word starts at i: read a dotted name */
        nm.start = i;
        nm.nl = 0;
        nm.at_label = -1;
        nm.defanged = 0;
        size_t j = i;
        for (;;) {
            size_t ls = j;
            int digits = 1;
            /* one label: alphanumeric runs joined by - and _ */
            while (j < len) {
                size_t ra = j;
                int hex = 1;
                j = alnum_run(p, j, len, &digits, &hex);
                if (j - ra >= 26 && (rc = run_check(&s, ra, j, hex)))
                    return rc;
                if (j < len && after[p[j]] == A_JOIN && j + 1 < len && (cls[p[j + 1]] & (C_ALNUM | C_JOIN))) {
                    digits = 0;
                    j++;
                    continue;
                }
                break;
            }
            if (nm.nl < MAX_LABELS) {
                nm.ls[nm.nl] = ls;
                nm.le[nm.nl] = j;
                nm.all_digit[nm.nl] = digits;
            }
            nm.nl++;
            if (j >= len || after[p[j]] <= A_JOIN) /* most names end at a space, a colon, a slash, a quote */
                break;
            size_t d = 0;
            if (p[j] == '.')
                d = 1;
            else if (p[j] == '[' || p[j] == '(' || p[j] == '{') {
                d = defanged_dot(buf + j, buf + len);
                if (!d && nm.at_label < 0 && (d = defanged_at(buf + j, buf + len))) {
                    if (j + d < len && (cls[p[j + d]] & C_ALNUM)) {
                        nm.at_label = (int)nm.nl;
                        nm.defanged = 1;
                        j += d;
                        continue;
                    }
                    d = 0;
                }
                if (d)
                    nm.defanged = 1;
            } else if (p[j] == '@' && nm.at_label < 0 && j + 1 < len && (cls[p[j + 1]] & C_ALNUM)) {
                nm.at_label = (int)nm.nl;
                j++;
                continue;
            }
            if (d && j + d < len && (cls[p[j + d]] & C_ALNUM)) {
                j += d;
                continue;
            }
            break;
        }
        nm.end = j;
        /* a URL? the scheme is the last label */
        if (j < len && (p[j] == ':' || p[j] == '[') && nm.at_label < 0) {
            int def = 0;
            size_t sep = scheme_sep(buf + j, buf + len, &def);
            if (sep && nm.nl <= MAX_LABELS) {
                size_t ss = nm.ls[nm.nl - 1];
                size_t e = url_at(&s, ss, j, sep, def, &rc);
                if (rc)
                    return rc;
                if (e) {
                    /* earlier labels of the name (e.g. "x.http://") are not worth a look */
                    i = e;
                    continue;
                }
            }
            /* an IPv6 address? */
            if (p[j] == ':' && nm.nl == 1 && j - i <= 4 && (i == 0 || p[i - 1] != ':')) {
                size_t e = ipv6_at(&s, i, &rc);
                if (rc)
                    return rc;
                if (e) {
                    i = e;
                    continue;
                }
            }
        }
        if (nm.nl <= MAX_LABELS && (rc = classify(&s, &nm)))
            return rc;
        i = j > i ? j : i + 1;
    }
    t->lines = s.line - (line ? line : 1);
    return 0;
}
