/*
 * pat_lex.c - the STIX pattern tokenizer.
 *
 * A 256-entry byte-class table and a flat switch, as STIXPattern.g4's lexer
 * rules describe: keywords are upper-case and case-sensitive (true/false
 * lower-case), identifiers may contain hyphens (object types), literals are
 * decoded here (string escapes, base64, hex, timestamps) so that a malformed
 * literal is reported at its own position with what is wrong inside it -
 * not, as an ANTLR lexer does, as "extraneous input 't'".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

/* Byte classes. */
enum {
    C_BAD = 0, /* not part of the language */
    C_SPACE,   /* ASCII white space */
    C_ALPHA,   /* a-z A-Z _ */
    C_DIGIT,   /* 0-9 */
    C_PUNCT,   /* single-character tokens and operators */
    C_QUOTE,   /* ' */
    C_SIGN,    /* + - */
    C_SLASH,   /* / (comments) */
    C_HIGH,    /* >= 0x80: a UTF-8 sequence (maybe a Unicode space) */
};

static unsigned char cls[256];
static int cls_ready;

static void cls_init(void)
{
    /* Idempotent: racing threads write the same values. */
    for (int c = 0; c < 256; c++) {
        unsigned char k = C_BAD;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
            k = C_SPACE;
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
            k = C_ALPHA;
        else if (c >= '0' && c <= '9')
            k = C_DIGIT;
        else if (strchr("[]():.,*=!<>", c) && c)
            k = C_PUNCT;
        else if (c == '\'')
            k = C_QUOTE;
        else if (c == '+' || c == '-')
            k = C_SIGN;
        else if (c == '/')
            k = C_SLASH;
        else if (c >= 0x80)
            k = C_HIGH;
        cls[c] = k;
    }
    __atomic_store_n(&cls_ready, 1, __ATOMIC_RELEASE);
}

void pat__lex_init(pat__lexer *lx, pat__ctx *c)
{
    if (!__atomic_load_n(&cls_ready, __ATOMIC_ACQUIRE))
        cls_init();
    lx->src = c->src;
    lx->len = c->len;
    lx->pos = 0;
    lx->arena = c->arena;
    lx->version = c->opts.version;
}

const char *pat__tok_name(int kind)
{
    static const char *const names[] = {
        [TK_EOF] = "the end of the pattern", [TK_LBRACK] = "'['", [TK_RBRACK] = "']'", [TK_LPAREN] = "'('",
        [TK_RPAREN] = "')'", [TK_COLON] = "':'", [TK_DOT] = "'.'", [TK_COMMA] = "','", [TK_STAR] = "'*'",
        [TK_EQ] = "'='", [TK_NEQ] = "'!='", [TK_LT] = "'<'", [TK_LE] = "'<='", [TK_GT] = "'>'", [TK_GE] = "'>='",
        [TK_AND] = "AND", [TK_OR] = "OR", [TK_NOT] = "NOT", [TK_FOLLOWEDBY] = "FOLLOWEDBY", [TK_LIKE] = "LIKE",
        [TK_MATCHES] = "MATCHES", [TK_ISSUBSET] = "ISSUBSET", [TK_ISSUPERSET] = "ISSUPERSET",
        [TK_EXISTS] = "EXISTS", [TK_IN] = "IN", [TK_START] = "START", [TK_STOP] = "STOP",
        [TK_SECONDS] = "SECONDS", [TK_WITHIN] = "WITHIN", [TK_REPEATS] = "REPEATS", [TK_TIMES] = "TIMES",
        [TK_LAST] = "LAST", [TK_IDENT] = "an identifier", [TK_IDENT_H] = "an identifier",
        [TK_INT] = "an integer", [TK_FLOAT] = "a float", [TK_STRING] = "a string", [TK_BOOL] = "a boolean",
        [TK_BINARY] = "a binary literal", [TK_HEX] = "a hex literal", [TK_TIMESTAMP] = "a timestamp",
        [TK_OTHER] = "a character the language does not use",
    };
    if (kind < 0 || (size_t)kind >= sizeof names / sizeof names[0] || !names[kind])
        return "a token";
    return names[kind];
}

/* Keywords, matched on the whole identifier. */
static const struct {
    const char *word;
    unsigned char len;
    unsigned char tok;
} keywords[] = {
    {"AND", 3, TK_AND},         {"OR", 2, TK_OR},           {"NOT", 3, TK_NOT},
    {"FOLLOWEDBY", 10, TK_FOLLOWEDBY}, {"LIKE", 4, TK_LIKE}, {"MATCHES", 7, TK_MATCHES},
    {"ISSUBSET", 8, TK_ISSUBSET}, {"ISSUPERSET", 10, TK_ISSUPERSET}, {"EXISTS", 6, TK_EXISTS},
    {"IN", 2, TK_IN},           {"START", 5, TK_START},     {"STOP", 4, TK_STOP},
    {"SECONDS", 7, TK_SECONDS}, {"WITHIN", 6, TK_WITHIN},   {"REPEATS", 7, TK_REPEATS},
    {"TIMES", 5, TK_TIMES},     {"LAST", 4, TK_LAST},
};

static int keyword(const char *s, size_t n)
{
    if (n < 2 || n > 10 || s[0] < 'A' || s[0] > 'Z')
        return TK_IDENT;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].len == n && memcmp(keywords[i].word, s, n) == 0)
            return keywords[i].tok;
    return TK_IDENT;
}

/* Length of a Unicode white-space sequence the grammar skips at s, or 0. */
static size_t uspace(const unsigned char *s, size_t n)
{
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n >= 3 && s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

/* Skips white space and comments. Returns 0 or an error for an unclosed comment. */
static int skip(pat__lexer *lx, pat__ctx *c)
{
    const unsigned char *s = (const unsigned char *)lx->src;
    for (;;) {
        size_t p = lx->pos;
        if (p >= lx->len)
            return 0;
        unsigned char k = cls[s[p]];
        if (k == C_SPACE) {
            lx->pos++;
        } else if (k == C_HIGH) {
            size_t u = uspace(s + p, lx->len - p);
            if (!u)
                return 0;
            lx->pos += u;
        } else if (k == C_SLASH && p + 1 < lx->len && s[p + 1] == '*') {
            size_t q = p + 2;
            while (q + 1 < lx->len && !(s[q] == '*' && s[q + 1] == '/'))
                q++;
            if (q + 1 >= lx->len)
                return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, p, "'*/' to close the comment",
                                   "the comment opened here is not closed");
            lx->pos = q + 2;
        } else if (k == C_SLASH && p + 1 < lx->len && s[p + 1] == '/') {
            while (lx->pos < lx->len && s[lx->pos] != '\n' && s[lx->pos] != '\r')
                lx->pos++;
        } else {
            return 0;
        }
    }
}

static int lex_error(pat__ctx *c, size_t off, const char *expected, const char *msg)
{
    return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, off, expected, "%s", msg);
}

/* The text of a literal, as written, in the arena. */
static int keep_text(pat__lexer *lx, pat__ctx *c, pat__token *t)
{
    t->val.text = pat__arena_strndup(lx->arena, lx->src + t->off, t->len);
    if (!t->val.text)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
    return 0;
}

static int lex_number(pat__lexer *lx, pat__ctx *c, pat__token *t)
{
    const char *s = lx->src;
    size_t p = lx->pos, n = lx->len;
    t->sign = 0;
    if (s[p] == '+' || s[p] == '-') {
        t->sign = s[p] == '-';
        p++;
    }
    size_t d0 = p;
    while (p < n && s[p] >= '0' && s[p] <= '9')
        p++;
    size_t ndig = p - d0;
    int is_float = 0;
    if (p + 1 < n && s[p] == '.' && s[p + 1] >= '0' && s[p + 1] <= '9') {
        is_float = 1;
        p++;
        while (p < n && s[p] >= '0' && s[p] <= '9')
            p++;
    }
    if (!is_float && ndig > 1 && s[d0] == '0')
        return lex_error(c, d0, "a number without leading zeros",
                         "integer literals may not have leading zeros");
    if (p < n && (cls[(unsigned char)s[p]] == C_ALPHA || s[p] == '.') &&
        !(s[p] == '.' && !is_float))
        return lex_error(c, p, "white space or an operator after the number",
                         "unexpected character in a number literal");
    t->off = lx->pos;
    t->len = p - lx->pos;
    lx->pos = p;
    char buf[64];
    if (t->len >= sizeof buf)
        return lex_error(c, t->off, NULL, "number literal too long");
    memcpy(buf, s + t->off, t->len);
    buf[t->len] = '\0';
    errno = 0;
    char *e;
    if (is_float) {
        t->kind = TK_FLOAT;
        t->val.kind = PAT_LIT_FLOAT;
        t->val.f = strtod(buf, &e);
    } else {
        t->kind = TK_INT;
        t->val.kind = PAT_LIT_INT;
        t->val.i = strtoll(buf, &e, 10);
        if (errno == ERANGE)
            return lex_error(c, t->off, "an integer between -2^63 and 2^63-1", "integer literal out of range");
        t->val.f = (double)t->val.i;
    }
    return keep_text(lx, c, t);
}

/* A quoted string with \' and \\ escapes; lx->pos is at the opening quote. */
static int lex_string(pat__lexer *lx, pat__ctx *c, pat__token *t, size_t start)
{
    const char *s = lx->src;
    size_t q = lx->pos, n = lx->len, p = q + 1, esc = 0;
    while (p < n && s[p] != '\'') {
        if (s[p] == '\\') {
            if (p + 1 >= n)
                break;
            if (s[p + 1] != '\'' && s[p + 1] != '\\')
                return lex_error(c, p, "\\' or \\\\ (the only escapes in STIX strings)",
                                 "invalid escape sequence in a string literal");
            esc++;
            p += 2;
            continue;
        }
        p++;
    }
    if (p >= n)
        return lex_error(c, q, "a closing quote (')", "the string literal opened here is not closed");
    size_t rawlen = p - q - 1;
    char *d = pat__arena_alloc(lx->arena, rawlen - esc + 1);
    if (!d)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, q, NULL, "out of memory");
    size_t k = 0;
    for (size_t i = q + 1; i < p; i++) {
        if (s[i] == '\\')
            i++;
        d[k++] = s[i];
    }
    d[k] = '\0';
    t->kind = TK_STRING;
    t->off = start;
    t->len = p + 1 - start;
    t->val.kind = PAT_LIT_STRING;
    t->val.s = d;
    t->val.len = k;
    lx->pos = p + 1;
    return keep_text(lx, c, t);
}

static int b64val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

long pat__b64_decode(const char *s, size_t n, unsigned char *out)
{
    if (n % 4)
        return -1;
    long k = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int j = 0; j < 4; j++) {
            unsigned char ch = (unsigned char)s[i + j];
            if (ch == '=' && i + 4 == n && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad)
                return -1;
            v[j] = b64val(ch);
            if (v[j] < 0)
                return -1;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[k++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[k++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[k++] = (unsigned char)w;
    }
    return k;
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

long pat__hex_decode(const char *s, size_t n, unsigned char *out)
{
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int a = hexval((unsigned char)s[i]), b = hexval((unsigned char)s[i + 1]);
        if (a < 0 || b < 0)
            return -1;
        out[i / 2] = (unsigned char)(a << 4 | b);
    }
    return (long)(n / 2);
}

int64_t pat__time_ns(const vg_time *t)
{
    const int64_t lim = INT64_MAX / 1000000000 - 1;
    if (t->sec > lim)
        return INT64_MAX;
    if (t->sec < -lim)
        return INT64_MIN;
    return t->sec * 1000000000 + (int64_t)t->nsec;
}

/* Normalises the two things patterns allow that vg_time does not: second 60 and >9 fraction digits. */
static int time_parse(const char *s, size_t n, vg_time *out, vg_error *e)
{
    char buf[64];
    if (n < 20 || n >= sizeof buf)
        return vg_time_parse(s, n, VG_TIME_STIX, out, e);
    memcpy(buf, s, n);
    buf[n] = '\0';
    int leap = 0;
    if (buf[17] == '6' && buf[18] == '0') {
        buf[17] = '5';
        buf[18] = '9';
        leap = 1;
    }
    char *dot = memchr(buf, '.', n);
    if (dot && n > 0 && buf[n - 1] == 'Z') {
        size_t digits = (size_t)(buf + n - 1 - dot - 1);
        if (digits > 9) {
            dot[10] = 'Z';
            n = (size_t)(dot + 11 - buf);
        }
    }
    int rc = vg_time_parse(buf, n, VG_TIME_STIX, out, e);
    if (rc == 0 && leap)
        out->sec += 1;
    return rc;
}

int pat__time_parse(const char *s, size_t n, int64_t *ns)
{
    vg_time t;
    vg_error e = {0};
    if (time_parse(s, n, &t, &e))
        return -1;
    *ns = pat__time_ns(&t);
    return 0;
}

/* A prefixed literal t'...', b'...' or h'...'; lx->pos is at the quote. */
static int lex_prefixed(pat__lexer *lx, pat__ctx *c, pat__token *t, char prefix, size_t start)
{
    const char *s = lx->src;
    size_t q = lx->pos, p = q + 1, n = lx->len;
    while (p < n && s[p] != '\'')
        p++;
    if (p >= n)
        return lex_error(c, q, "a closing quote (')", "the literal opened here is not closed");
    const char *body = s + q + 1;
    size_t blen = p - q - 1;
    t->off = start;
    t->len = p + 1 - start;
    lx->pos = p + 1;
    if (prefix == 't') {
        vg_error e = {0};
        t->kind = TK_TIMESTAMP;
        t->val.kind = PAT_LIT_TIMESTAMP;
        if (time_parse(body, blen, &t->val.t, &e))
            return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, q + 1, "a timestamp like t'2016-05-12T08:17:27.000Z'",
                               "malformed timestamp literal: %s", e.msg);
    } else if (prefix == 'b') {
        t->kind = TK_BINARY;
        t->val.kind = PAT_LIT_BINARY;
        unsigned char *d = pat__arena_alloc(lx->arena, blen / 4 * 3 + 4);
        if (!d)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, q, NULL, "out of memory");
        long k = blen ? pat__b64_decode(body, blen, d) : -1;
        if (k < 0)
            return lex_error(c, q + 1, "base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters)",
                             "malformed binary literal");
        d[k] = '\0';
        t->val.s = (const char *)d;
        t->val.len = (size_t)k;
    } else {
        t->kind = TK_HEX;
        t->val.kind = PAT_LIT_HEX;
        unsigned char *d = pat__arena_alloc(lx->arena, blen / 2 + 1);
        if (!d)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, q, NULL, "out of memory");
        long k = pat__hex_decode(body, blen, d);
        if (k < 0)
            return lex_error(c, q + 1, "pairs of hex digits (0-9 a-f A-F)", "malformed hex literal");
        d[k] = '\0';
        t->val.s = (const char *)d;
        t->val.len = (size_t)k;
    }
    return keep_text(lx, c, t);
}

int pat__lex_next(pat__lexer *lx, pat__ctx *c, pat__token *t)
{
    memset(t, 0, sizeof *t);
    int rc = skip(lx, c);
    if (rc)
        return rc;
    const char *s = lx->src;
    size_t p = lx->pos, n = lx->len;
    t->off = p;
    if (p >= n) {
        t->kind = TK_EOF;
        return 0;
    }
    unsigned char ch = (unsigned char)s[p];
    switch (cls[ch]) {
    case C_ALPHA: {
        size_t q = p + 1;
        int hyphen = 0;
        while (q < n) {
            unsigned char k = cls[(unsigned char)s[q]];
            if (k == C_ALPHA || k == C_DIGIT)
                q++;
            else if (s[q] == '-') {
                hyphen = 1;
                q++;
            } else
                break;
        }
        if (q == p + 1 && q < n && s[q] == '\'' && (ch == 't' || ch == 'b' || ch == 'h')) {
            lx->pos = q;
            return lex_prefixed(lx, c, t, (char)ch, p);
        }
        t->len = q - p;
        lx->pos = q;
        if (hyphen) {
            t->kind = TK_IDENT_H;
        } else if ((t->len == 4 && memcmp(s + p, "true", 4) == 0) || (t->len == 5 && memcmp(s + p, "false", 5) == 0)) {
            t->kind = TK_BOOL;
            t->val.kind = PAT_LIT_BOOL;
            t->val.i = t->len == 4;
            return keep_text(lx, c, t);
        } else {
            t->kind = keyword(s + p, t->len);
        }
        return 0;
    }
    case C_DIGIT:
        return lex_number(lx, c, t);
    case C_SIGN:
        if (p + 1 < n && ((s[p + 1] >= '0' && s[p + 1] <= '9') ||
                          (s[p + 1] == '.' && p + 2 < n && s[p + 2] >= '0' && s[p + 2] <= '9')))
            return lex_number(lx, c, t);
        t->kind = TK_OTHER;
        t->len = 1;
        lx->pos++;
        return 0;
    case C_QUOTE:
        return lex_string(lx, c, t, p);
    case C_PUNCT: {
        char nx = p + 1 < n ? s[p + 1] : '\0';
        t->len = 1;
        switch (ch) {
        case '[': t->kind = TK_LBRACK; break;
        case ']': t->kind = TK_RBRACK; break;
        case '(': t->kind = TK_LPAREN; break;
        case ')': t->kind = TK_RPAREN; break;
        case ':': t->kind = TK_COLON; break;
        case ',': t->kind = TK_COMMA; break;
        case '*': t->kind = TK_STAR; break;
        case '.':
            if (nx >= '0' && nx <= '9')
                return lex_number(lx, c, t);
            t->kind = TK_DOT;
            break;
        case '=':
            t->kind = TK_EQ;
            if (nx == '=')
                t->len = 2;
            break;
        case '!':
            if (nx == '=') {
                t->kind = TK_NEQ;
                t->len = 2;
            } else {
                t->kind = TK_OTHER;
            }
            break;
        case '<':
            t->kind = TK_LT;
            if (nx == '=') {
                t->kind = TK_LE;
                t->len = 2;
            } else if (nx == '>') {
                t->kind = TK_NEQ;
                t->len = 2;
            }
            break;
        case '>':
            t->kind = TK_GT;
            if (nx == '=') {
                t->kind = TK_GE;
                t->len = 2;
            }
            break;
        default: t->kind = TK_OTHER; break;
        }
        lx->pos += t->len;
        return 0;
    }
    default: {
        /* One whole UTF-8 sequence, so the message can show the character. */
        size_t q = p + 1;
        if (ch >= 0x80)
            while (q < n && ((unsigned char)s[q] & 0xC0) == 0x80 && q - p < 4)
                q++;
        t->kind = TK_OTHER;
        t->len = q - p;
        lx->pos = q;
        return 0;
    }
    }
}
