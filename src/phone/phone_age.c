/*
 * phone_age.c - files encrypted with age (age-encryption.org/v1), as
 * AndroidQF writes an acquisition when a key.txt (an age recipient) sits
 * beside it: <uuid>.zip.age. Written from the public specification
 * (c2sp.org/age) with OpenSSL 3's X25519, HKDF-SHA-256, HMAC-SHA-256,
 * ChaCha20-Poly1305 and scrypt.
 *
 * The header is text: "age-encryption.org/v1", one or more stanzas ("-> "
 * type and arguments, then a base64 body wrapped at 64 columns that ends
 * with a shorter line), and "--- " with the base64 HMAC-SHA-256 of the
 * header up to "---", keyed with HKDF(file key, no salt, "header"). Each
 * stanza wraps the 16-byte file key for one recipient, body =
 * ChaCha20-Poly1305(wrap key, 12 zero bytes, file key):
 *   X25519: wrap key = HKDF(X25519(identity, share), share || recipient,
 *           "age-encryption.org/v1/X25519");
 *   scrypt: wrap key = scrypt(passphrase, "age-encryption.org/v1/scrypt" ||
 *           salt, N = 2^work factor, r = 8, p = 1).
 * The payload is a 16-byte nonce and 64 KiB chunks, each ChaCha20-Poly1305
 * with HKDF(file key, nonce, "payload") and the 12-byte nonce "chunk
 * counter (11 bytes, big endian) || 1 for the last chunk, else 0".
 *
 * The parser is as strict as the specification asks (canonical base64
 * without padding, LF line ends, the argument counts and lengths of X25519
 * and scrypt stanzas, an scrypt stanza alone) and bounded (a header of at
 * most 64 KiB and 64 stanzas; scrypt work factors up to 2^20, 1 GiB of
 * memory). The payload is decrypted in place: the plaintext overwrites the
 * file's bytes from the start, so a file costs its own size in memory.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "phone/phone_int.h"

#define HEADER_MAX (64u << 10)     /* bytes of header read */
#define BODY_LINE 64               /* columns of a full body line */
#define CHUNK (64u << 10)          /* plaintext bytes of a payload chunk */
#define TAG 16                     /* Poly1305 tag */
#define SCRYPT_WF_MAX 20           /* 2^20 * 1 KiB = 1 GiB of memory; age makes 18 */
#define IDENTITY_FILE_MAX (1u << 20)
#define IDENTITIES_MAX 1000u
#define PASSPHRASE_MAX 1024

static const char x25519_label[] = "age-encryption.org/v1/X25519";
static const char scrypt_label[] = "age-encryption.org/v1/scrypt";

/* The X25519 keys of an identity file. */
typedef struct age_key {
    unsigned char sk[32]; /* the identity (secret scalar) */
    unsigned char pk[32]; /* its recipient: X25519(sk, basepoint) */
} age_key;

struct phone_age_identity {
    char *name;   /* the file the identities came from (for messages) */
    age_key *key; /* the identities */
    size_t n;     /* their count */
};

/* ---- base64 (standard alphabet, no padding, canonical) ------------------------------ */

/* Byte classes: the 6-bit value + 1 of a base64 character, 0 for any other byte. */
static const unsigned char b64_class[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* A base64 decoder fed piece by piece (a stanza body spans lines). */
typedef struct b64_dec {
    uint32_t acc;       /* bits not yet output */
    int bits;           /* how many */
    size_t chars;       /* characters fed */
    size_t n;           /* bytes decoded (all of them, stored or not) */
    unsigned char *out; /* where the first cap bytes go (may be NULL) */
    size_t cap;
} b64_dec;

/* Feeds n characters. 0, or -1 at a character that is not base64. */
static int b64_feed(b64_dec *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = b64_class[(unsigned char)s[i]];
        if (!v)
            return -1;
        d->acc = ((d->acc << 6) | (v - 1)) & 0xFFFFFFu;
        d->bits += 6;
        d->chars++;
        if (d->bits >= 8) {
            d->bits -= 8;
            if (d->out && d->n < d->cap)
                d->out[d->n] = (unsigned char)(d->acc >> d->bits);
            d->n++;
        }
    }
    return 0;
}

/* Ends the decoding: -1 unless the text was canonical (a length that is not 1 mod 4, unused bits zero). */
static int b64_end(const b64_dec *d)
{
    if (d->chars % 4 == 1)
        return -1;
    return d->bits && (d->acc & ((1u << d->bits) - 1)) ? -1 : 0;
}

/* Decodes s[0..n) into out (exactly want bytes). 0, or -1 when it is not the canonical encoding of want bytes. */
static int b64_exact(const char *s, size_t n, unsigned char *out, size_t want)
{
    b64_dec d = {0, 0, 0, 0, out, want};
    return b64_feed(&d, s, n) == 0 && b64_end(&d) == 0 && d.n == want ? 0 : -1;
}

/* ---- the header ------------------------------------------------------------------------ */

/* 1 when s[0..n) is a stanza argument: one or more visible ASCII characters. */
static int is_arg(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7E)
            return 0;
    return 1;
}

/* Splits a stanza's argument line (after "-> ") into s. 0, or -1 with the reason in why. */
static int stanza_args(const char *p, size_t n, phone_age_stanza *s, const char **arg2, size_t *arg2n,
                       const char **arg3, size_t *arg3n, const char **why)
{
    size_t i = 0;
    s->nargs = 0;
    while (i <= n) {
        const char *sp = memchr(p + i, ' ', n - i);
        size_t k = sp ? (size_t)(sp - p) - i : n - i;
        if (!is_arg(p + i, k)) {
            *why = k ? "an argument holds a character that is not visible ASCII" : "an empty argument";
            return -1;
        }
        if (s->nargs == 0 && k < sizeof s->type) {
            memcpy(s->type, p + i, k);
            s->type[k] = 0;
        } else if (s->nargs == 1) {
            *arg2 = p + i;
            *arg2n = k;
        } else if (s->nargs == 2) {
            *arg3 = p + i;
            *arg3n = k;
        }
        s->nargs++;
        if (!sp)
            break;
        i += k + 1;
    }
    return 0;
}

/* The work factor argument: decimal, no sign, no leading zero, at most two digits. -1 otherwise. */
static int work_factor(const char *s, size_t n)
{
    if (n == 0 || n > 2 || s[0] < '1' || s[0] > '9')
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The checks of the two recipient types vigil opens, made on every such stanza. NULL when it is well-formed. */
static const char *stanza_check(phone_age_stanza *s, const char *a2, size_t a2n, const char *a3, size_t a3n)
{
    if (strcmp(s->type, "X25519") == 0) {
        if (s->nargs != 2)
            return "an X25519 stanza takes 2 arguments";
        if (b64_exact(a2, a2n, s->arg, 32) != 0)
            return "the X25519 share is not the canonical base64 of 32 bytes";
        s->arg_len = 32;
    } else if (strcmp(s->type, "scrypt") == 0) {
        if (s->nargs != 3)
            return "an scrypt stanza takes 3 arguments";
        if (b64_exact(a2, a2n, s->arg, 16) != 0)
            return "the scrypt salt is not the canonical base64 of 16 bytes";
        s->arg_len = 16;
        int wf = work_factor(a3, a3n);
        if (wf < 1)
            return "the scrypt work factor is not a decimal number from 1 (no sign, no leading zero)";
        s->work_factor = (unsigned)wf;
    } else {
        return NULL;
    }
    if (s->body_len != 32)
        return "the stanza's body is not 32 bytes";
    return NULL;
}

/* Reads the stanza whose argument line starts at *pp (line *line). Advances *pp and *line past its body. */
static int read_stanza(const char **pp, const char *end, int *line, phone_age_stanza *s, vg_error *err)
{
    const char *p = *pp, *nl = memchr(p, '\n', (size_t)(end - p));
    const char *a2 = NULL, *a3 = NULL, *why = NULL;
    size_t a2n = 0, a3n = 0;
    memset(s, 0, sizeof *s);
    s->line = *line;
    if (stanza_args(p + 3, (size_t)(nl - p - 3), s, &a2, &a2n, &a3, &a3n, &why) != 0)
        return vg_error_set(err, VG_E_PARSE, "age header line %d: %s", *line, why);
    b64_dec d = {0, 0, 0, 0, s->body, sizeof s->body};
    p = nl + 1;
    for (;;) { /* body lines: full ones of 64 columns, then a shorter (maybe empty) one */
        (*line)++;
        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!nl)
            return vg_error_set(err, VG_E_PARSE, "age header line %d: the stanza's body does not end (the header "
                                "is cut, or longer than %u bytes)", *line, HEADER_MAX);
        size_t k = (size_t)(nl - p);
        if (k > BODY_LINE)
            return vg_error_set(err, VG_E_PARSE, "age header line %d: a body line longer than %d columns", *line,
                                BODY_LINE);
        if (b64_feed(&d, p, k) != 0)
            return vg_error_set(err, VG_E_PARSE, "age header line %d: a body line holds a character that is not "
                                "base64 (padding, CR or space included)", *line);
        p = nl + 1;
        if (k < BODY_LINE)
            break;
    }
    if (b64_end(&d) != 0)
        return vg_error_set(err, VG_E_PARSE, "age header line %d: the stanza's body is not canonical base64", *line);
    s->body_len = d.n;
    if ((why = stanza_check(s, a2, a2n, a3, a3n)) != NULL)
        return vg_error_set(err, VG_E_PARSE, "age header line %d: %s", s->line, why);
    *pp = p;
    (*line)++; /* the line after the body */
    return 0;
}

int phone_age_header_parse(const void *data, size_t len, phone_age_header *h, vg_error *err)
{
    memset(h, 0, sizeof *h);
    const char *base = data, *p = base, *end = base + (len < HEADER_MAX ? len : HEADER_MAX);
    static const char magic[] = "age-encryption.org/", v1[] = "age-encryption.org/v1\n";
    if (len < sizeof magic - 1 || memcmp(p, magic, sizeof magic - 1) != 0)
        return vg_error_set(err, VG_E_PARSE, "not an age file (it does not start with \"age-encryption.org/\")");
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return vg_error_set(err, VG_E_PARSE, "age header line 1: the version line does not end");
    if (nl > p && nl[-1] == '\r')
        return vg_error_set(err, VG_E_PARSE, "age header line 1 ends with CR LF (age ends its lines with LF only: "
                            "was the file converted as text?)");
    if ((size_t)(nl + 1 - p) != sizeof v1 - 1 || memcmp(p, v1, sizeof v1 - 1) != 0)
        return vg_error_set(err, VG_E_UNSUPPORTED, "age header line 1: version \"%.*s\" is not supported (only "
                            "age-encryption.org/v1)", nl - p > 60 ? 60 : (int)(nl - p), p);
    p = nl + 1;
    int line = 2, scrypt = 0;
    for (;;) {
        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!nl)
            return vg_error_set(err, VG_E_PARSE, "age header line %d does not end (the header is cut, or longer "
                                "than %u bytes)", line, HEADER_MAX);
        if (nl - p >= 3 && memcmp(p, "-> ", 3) == 0) {
            if (h->n == PHONE_AGE_MAX_STANZAS)
                return vg_error_set(err, VG_E_LIMIT, "age header line %d: more than %d recipient stanzas", line,
                                    PHONE_AGE_MAX_STANZAS);
            int rc = read_stanza(&p, end, &line, &h->stanza[h->n], err);
            if (rc)
                return rc;
            scrypt |= strcmp(h->stanza[h->n].type, "scrypt") == 0;
            h->n++;
            continue;
        }
        if (nl - p >= 3 && memcmp(p, "---", 3) == 0) {
            if (!h->n)
                return vg_error_set(err, VG_E_PARSE, "age header line %d: the MAC line comes before any recipient "
                                    "stanza", line);
            if (nl - p != 4 + 43 || p[3] != ' ' || b64_exact(p + 4, 43, h->mac, 32) != 0)
                return vg_error_set(err, VG_E_PARSE, "age header line %d: the MAC line is not \"--- \" and the "
                                    "canonical base64 of 32 bytes", line);
            h->mac_len = (size_t)(p + 3 - base);
            h->payload = (size_t)(nl + 1 - base);
            break;
        }
        return vg_error_set(err, VG_E_PARSE, "age header line %d: neither a recipient stanza (\"-> \") nor the "
                            "MAC line (\"--- \")", line);
    }
    if (scrypt && h->n > 1)
        return vg_error_set(err, VG_E_PARSE, "age header: an scrypt (passphrase) stanza must be the only one, "
                            "this header has %zu", h->n);
    return 0;
}

/* ---- primitives -------------------------------------------------------------------------------- */

/* HKDF-SHA-256 with 32 bytes of output. 0 or VG_E_NOMEM. */
static int hkdf(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt, size_t saltlen, const char *info,
                unsigned char out[32])
{
    static const unsigned char none[1];
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *cx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM ps[5];
    ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    ps[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
    ps[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(saltlen ? salt : none), saltlen);
    ps[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
    ps[4] = OSSL_PARAM_construct_end();
    int ok = cx && EVP_KDF_derive(cx, out, 32, ps) == 1;
    EVP_KDF_CTX_free(cx);
    EVP_KDF_free(kdf);
    return ok ? 0 : VG_E_NOMEM;
}

/*
 * ChaCha20-Poly1305 decryption of in[0..inlen) (ciphertext and its 16-byte
 * tag) into out (inlen - 16 bytes), with cx reused. 0, 1 when the tag does
 * not verify, VG_E_NOMEM.
 */
static int aead_open(EVP_CIPHER_CTX *cx, const unsigned char key[32], const unsigned char nonce[12],
                     const unsigned char *in, size_t inlen, unsigned char *out)
{
    int n = 0, m = 0;
    if (inlen < TAG)
        return 1;
    if (EVP_DecryptInit_ex(cx, EVP_chacha20_poly1305(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
        EVP_DecryptInit_ex(cx, NULL, NULL, key, nonce) != 1 ||
        EVP_DecryptUpdate(cx, out, &n, in, (int)(inlen - TAG)) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_TAG, TAG, (void *)(in + inlen - TAG)) != 1)
        return VG_E_NOMEM;
    return EVP_DecryptFinal_ex(cx, out + n, &m) == 1 ? 0 : 1;
}

/* Unwraps a 32-byte stanza body with a wrap key. 0 (the file key in fk), 1 (not this key), VG_E_NOMEM. */
static int unwrap_body(const unsigned char wrap[32], const phone_age_stanza *s, unsigned char fk[16])
{
    static const unsigned char zero[12];
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    if (!cx)
        return VG_E_NOMEM;
    int rc = aead_open(cx, wrap, zero, s->body, 32, fk);
    EVP_CIPHER_CTX_free(cx);
    return rc;
}

/* The shared secret X25519(sk, share). 0, 1 (a low-order share: an all-zero secret), VG_E_NOMEM. */
static int x25519(const unsigned char sk[32], const unsigned char share[32], unsigned char out[32])
{
    static const unsigned char zero[32];
    EVP_PKEY *me = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, share, 32);
    EVP_PKEY_CTX *cx = me && peer ? EVP_PKEY_CTX_new(me, NULL) : NULL;
    size_t n = 32;
    int rc = VG_E_NOMEM;
    if (cx && EVP_PKEY_derive_init(cx) == 1 && EVP_PKEY_derive_set_peer(cx, peer) == 1)
        rc = EVP_PKEY_derive(cx, out, &n) == 1 && n == 32 && CRYPTO_memcmp(out, zero, 32) != 0 ? 0 : 1;
    EVP_PKEY_CTX_free(cx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(me);
    return rc;
}

/* One identity against one X25519 stanza. 0 (file key in fk), 1 (not for it), VG_E_PARSE (low order), VG_E_NOMEM. */
static int x25519_unwrap(const age_key *k, const phone_age_stanza *s, unsigned char fk[16])
{
    unsigned char shared[32], salt[64], wrap[32];
    int rc = x25519(k->sk, s->arg, shared);
    if (rc == 1)
        rc = VG_E_PARSE;
    if (!rc) {
        memcpy(salt, s->arg, 32);
        memcpy(salt + 32, k->pk, 32);
        rc = hkdf(shared, 32, salt, 64, x25519_label, wrap);
    }
    if (!rc)
        rc = unwrap_body(wrap, s, fk);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(wrap, sizeof wrap);
    return rc;
}

/* The passphrase against the scrypt stanza. 0, 1 (wrong passphrase), VG_E_NOMEM. */
static int scrypt_unwrap(const char *pass, const phone_age_stanza *s, unsigned char fk[16])
{
    unsigned char salt[sizeof scrypt_label - 1 + 16], wrap[32];
    memcpy(salt, scrypt_label, sizeof scrypt_label - 1);
    memcpy(salt + sizeof scrypt_label - 1, s->arg, 16);
    uint64_t n = 1ull << s->work_factor, maxmem = 128ull * 8 * (n + 2) + (1u << 20);
    if (EVP_PBE_scrypt(pass, strlen(pass), salt, sizeof salt, n, 8, 1, maxmem, wrap, 32) != 1)
        return VG_E_NOMEM;
    int rc = unwrap_body(wrap, s, fk);
    OPENSSL_cleanse(wrap, sizeof wrap);
    return rc;
}

/* The file key from the passphrase (an scrypt header). */
static int unwrap_scrypt(const phone_age_header *h, phone_age_ask ask, void *ask_ctx, const char *name,
                         unsigned char fk[16], vg_error *err)
{
    const phone_age_stanza *s = &h->stanza[0];
    if (s->work_factor > SCRYPT_WF_MAX) {
        vg_error_set(err, VG_E_LIMIT, "%s asks for scrypt with a work factor of 2^%u (at most 2^%d: %u MiB of memory)",
                     name, s->work_factor, SCRYPT_WF_MAX, 1u << (SCRYPT_WF_MAX - 10));
        return vg_error_hint(err, "decrypt it with age -d, then check the zip");
    }
    char pass[PASSPHRASE_MAX];
    char what[600];
    snprintf(what, sizeof what, "%s (age, passphrase)", name);
    if (!ask || ask(ask_ctx, what, pass, sizeof pass) != 0 || !pass[0]) {
        OPENSSL_cleanse(pass, sizeof pass);
        vg_error_set(err, VG_E_USAGE, "%s is encrypted with a passphrase (age scrypt) and none was given", name);
        return vg_error_hint(err, "give it with --password-stdin, or at the prompt");
    }
    int rc = scrypt_unwrap(pass, s, fk);
    OPENSSL_cleanse(pass, sizeof pass);
    if (rc == 1)
        return vg_error_set(err, VG_E_INVALID, "wrong passphrase for %s (its scrypt stanza does not open)", name);
    return rc ? vg_error_set(err, rc, "out of memory deriving the key of %s", name) : 0;
}

/* The file key from an X25519 identity: every identity against every X25519 stanza. */
static int unwrap_x25519(const phone_age_header *h, const phone_age_identity *ids, const char *name,
                         unsigned char fk[16], vg_error *err)
{
    size_t nx = 0;
    for (size_t i = 0; i < h->n; i++)
        nx += strcmp(h->stanza[i].type, "X25519") == 0;
    if (!nx) {
        vg_error_set(err, VG_E_UNSUPPORTED, "%s is encrypted to recipients vigil cannot open (the first is \"%s\"): "
                     "only X25519 keys and passphrases are read", name, h->stanza[0].type);
        return vg_error_hint(err, "decrypt it with age -d (and its plugin), then check the zip");
    }
    if (!ids || !ids->n) {
        vg_error_set(err, VG_E_USAGE, "%s is encrypted with age to %zu X25519 recipient%s and no identity was given",
                     name, nx, nx == 1 ? "" : "s");
        return vg_error_hint(err, "give --age-identity FILE: the AGE-SECRET-KEY-1... file made by age-keygen "
                             "(AndroidQF's key.txt holds only its public half, age1...)");
    }
    for (size_t k = 0; k < ids->n; k++)
        for (size_t i = 0; i < h->n; i++) {
            if (strcmp(h->stanza[i].type, "X25519") != 0)
                continue;
            int rc = x25519_unwrap(&ids->key[k], &h->stanza[i], fk);
            if (rc == 0)
                return 0;
            if (rc == VG_E_PARSE)
                return vg_error_set(err, VG_E_PARSE, "%s: age header line %d: the X25519 share is a low-order "
                                    "point (a forged stanza)", name, h->stanza[i].line);
            if (rc < 0)
                return vg_error_set(err, rc, "out of memory opening %s", name);
        }
    vg_error_set(err, VG_E_INVALID, "no identity in %s matches the recipients of %s", ids->name, name);
    return vg_error_hint(err, "give the identity whose public key (age1...) was in AndroidQF's key.txt");
}

int phone_age_unwrap(const void *data, const phone_age_header *h, const phone_age_identity *ids, phone_age_ask ask,
                     void *ask_ctx, const char *name, unsigned char fk[16], vg_error *err)
{
    int scrypt = h->n == 1 && strcmp(h->stanza[0].type, "scrypt") == 0;
    int rc = scrypt ? unwrap_scrypt(h, ask, ask_ctx, name, fk, err) : unwrap_x25519(h, ids, name, fk, err);
    if (rc)
        return rc;
    unsigned char mk[32], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    rc = hkdf(fk, 16, NULL, 0, "header", mk);
    if (!rc && !HMAC(EVP_sha256(), mk, 32, data, h->mac_len, mac, &maclen))
        rc = VG_E_NOMEM;
    OPENSSL_cleanse(mk, sizeof mk);
    if (rc) {
        OPENSSL_cleanse(fk, 16);
        return vg_error_set(err, rc, "out of memory checking the header of %s", name);
    }
    if (maclen != 32 || CRYPTO_memcmp(mac, h->mac, 32) != 0) {
        OPENSSL_cleanse(fk, 16);
        return vg_error_set(err, VG_E_INVALID, "%s: the age header's MAC does not verify: the header was altered "
                            "after it was made", name);
    }
    return 0;
}

/* ---- the payload --------------------------------------------------------------------------- */

/* Decrypts the payload at buf[off..len) in place to buf[0..*plain). */
static int payload(unsigned char *buf, size_t len, size_t off, const unsigned char fk[16], const char *name,
                   size_t *plain, vg_error *err)
{
    if (len - off < 16)
        return vg_error_set(err, VG_E_PARSE, "%s is cut: the age payload has no nonce", name);
    unsigned char key[32], nonce[12] = {0};
    int rc = hkdf(fk, 16, buf + off, 16, "payload", key);
    if (rc)
        return vg_error_set(err, rc, "out of memory decrypting %s", name);
    off += 16;
    unsigned char *tmp = vg_malloc(CHUNK);
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    if (!tmp || !cx)
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory decrypting %s", name);
    size_t out = 0;
    for (uint64_t i = 0; !rc; i++) {
        size_t rem = len - off;
        int last = rem <= CHUNK + TAG;
        size_t clen = last ? rem : CHUNK + TAG;
        if (clen < TAG || (last && clen == TAG && i > 0)) {
            rc = vg_error_set(err, VG_E_PARSE, "%s: age payload chunk %llu is cut (%zu bytes): the file is truncated",
                              name, (unsigned long long)i, clen);
            break;
        }
        for (int b = 0; b < 8; b++)
            nonce[10 - b] = (unsigned char)(i >> (8 * b));
        nonce[11] = (unsigned char)last;
        int a = aead_open(cx, key, nonce, buf + off, clen, tmp);
        if (a == 1) {
            rc = vg_error_set(err, VG_E_INVALID, "%s: age payload chunk %llu fails authentication%s", name,
                              (unsigned long long)i,
                              last ? " (the last one: the file is truncated or altered)" : " (the file was altered)");
        } else if (a) {
            rc = vg_error_set(err, a, "out of memory decrypting %s", name);
        } else {
            memcpy(buf + out, tmp, clen - TAG); /* behind the chunk just read: never over what is still to read */
            out += clen - TAG;
            off += clen;
            if (last)
                break;
        }
    }
    OPENSSL_cleanse(key, sizeof key);
    EVP_CIPHER_CTX_free(cx);
    if (tmp)
        OPENSSL_cleanse(tmp, CHUNK);
    vg_free(tmp);
    if (!rc)
        *plain = out;
    return rc;
}

int phone_age_decrypt(void *data, size_t len, const phone_age_identity *ids, phone_age_ask ask, void *ask_ctx,
                      const char *name, size_t *plain, vg_error *err)
{
    phone_age_header *h = vg_malloc(sizeof *h);
    if (!h)
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", name);
    unsigned char fk[16];
    int rc = phone_age_header_parse(data, len, h, err);
    if (rc) {
        vg_error_where(err, "%s", name);
    } else {
        rc = phone_age_unwrap(data, h, ids, ask, ask_ctx, name, fk, err);
        if (!rc)
            rc = payload(data, len, h->payload, fk, name, plain, err);
        OPENSSL_cleanse(fk, sizeof fk);
    }
    vg_free(h);
    return rc;
}

/* ---- identities ------------------------------------------------------------------------------ */

/* Bech32 (BIP 173) checksum steps. */
static uint32_t polymod(uint32_t c, unsigned v)
{
    static const uint32_t gen[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu, 0x2a1462b3u};
    unsigned top = c >> 25;
    c = ((c & 0x1ffffffu) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            c ^= gen[i];
    return c;
}

/* The 5-bit value of a Bech32 character (either case), or -1. */
static int bech32_val(char ch)
{
    static const char set[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (ch >= 'A' && ch <= 'Z')
        ch = (char)(ch - 'A' + 'a');
    const char *p = ch ? strchr(set, ch) : NULL;
    return p ? (int)(p - set) : -1;
}

/*
 * Decodes a Bech32 string whose human-readable part is hrp (lower case,
 * compared without case) into exactly 32 bytes. 0, or -1 (wrong part, mixed
 * case, bad character or checksum, not 32 bytes).
 */
static int bech32_32(const char *s, size_t n, const char *hrp, unsigned char out[32])
{
    size_t hl = strlen(hrp);
    int upper = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        upper |= s[i] >= 'A' && s[i] <= 'Z';
        lower |= s[i] >= 'a' && s[i] <= 'z';
    }
    if ((upper && lower) || n < hl + 1 + 6 || strncasecmp(s, hrp, hl) != 0 || s[hl] != '1')
        return -1;
    uint32_t c = 1;
    for (size_t i = 0; i < hl; i++)
        c = polymod(c, (unsigned char)hrp[i] >> 5);
    c = polymod(c, 0);
    for (size_t i = 0; i < hl; i++)
        c = polymod(c, (unsigned char)hrp[i] & 31);
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0, data_end = n - 6;
    for (size_t i = hl + 1; i < n; i++) {
        int v = bech32_val(s[i]);
        if (v < 0)
            return -1;
        c = polymod(c, (unsigned)v);
        if (i >= data_end)
            continue;
        acc = ((acc << 5) | (unsigned)v) & 0xFFFu;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (k == 32)
                return -1;
            out[k++] = (unsigned char)(acc >> bits);
        }
    }
    if (c != 1 || k != 32 || bits >= 5 || (acc & ((1u << bits) - 1)))
        return -1;
    return 0;
}

void phone_age_identity_free(phone_age_identity *id)
{
    if (!id)
        return;
    if (id->key)
        OPENSSL_cleanse(id->key, id->n * sizeof *id->key);
    vg_free(id->key);
    vg_free(id->name);
    vg_free(id);
}

/* The recipient of an identity: X25519(sk, basepoint). 0 or VG_E_NOMEM. */
static int public_of(age_key *k)
{
    EVP_PKEY *p = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, k->sk, 32);
    size_t n = 32;
    int ok = p && EVP_PKEY_get_raw_public_key(p, k->pk, &n) == 1 && n == 32;
    EVP_PKEY_free(p);
    return ok ? 0 : VG_E_NOMEM;
}

/* One line of an identity file (without its newline). 0 (a key added or a line skipped), or an error. */
static int identity_line(phone_age_identity *id, size_t *cap, const char *s, size_t n, size_t line, vg_error *err)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (!n || s[0] == '#')
        return 0;
    static const char hrp[] = "age-secret-key-";
    /* a recipient: "age1..." (AndroidQF's key.txt), "# public key: age1..." copied without its '#' */
    if ((n < 15 || strncasecmp(s, "AGE-SECRET-KEY-", 15) != 0) && memmem(s, n, "age1", 4)) {
        vg_error_set(err, VG_E_INVALID, "%s:%zu holds a recipient (a public key, age1...), not an identity",
                     id->name, line);
        return vg_error_hint(err, "AndroidQF's key.txt is the public half: give the file age-keygen wrote, with "
                             "its AGE-SECRET-KEY-1... line");
    }
    if (n > 18 && strncasecmp(s, "AGE-SECRET-KEY-PQ-", 18) == 0)
        return vg_error_set(err, VG_E_UNSUPPORTED, "%s:%zu: post-quantum identities (AGE-SECRET-KEY-PQ-) are not "
                            "supported", id->name, line);
    if (n > 11 && strncasecmp(s, "AGE-PLUGIN-", 11) == 0)
        return vg_error_set(err, VG_E_UNSUPPORTED, "%s:%zu: plugin identities (AGE-PLUGIN-) are not supported",
                            id->name, line);
    if (id->n == IDENTITIES_MAX)
        return vg_error_set(err, VG_E_LIMIT, "%s:%zu: more than %u identities", id->name, line, IDENTITIES_MAX);
    if (id->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        age_key *k = vg_calloc(nc, sizeof *k);
        if (!k)
            return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", id->name);
        if (id->n) {
            memcpy(k, id->key, id->n * sizeof *k);
            OPENSSL_cleanse(id->key, id->n * sizeof *k);
        }
        vg_free(id->key);
        id->key = k;
        *cap = nc;
    }
    age_key *k = &id->key[id->n];
    if (bech32_32(s, n, hrp, k->sk) != 0) {
        OPENSSL_cleanse(k, sizeof *k);
        vg_error_set(err, VG_E_PARSE, "%s:%zu is not an age identity (AGE-SECRET-KEY-1 and 58 Bech32 characters "
                     "with a valid checksum)", id->name, line);
        return vg_error_hint(err, "give the file age-keygen wrote; comment lines start with #");
    }
    if (public_of(k) != 0)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", id->name);
    id->n++;
    return 0;
}

int phone_age_identity_parse(const char *text, size_t len, const char *name, phone_age_identity **out,
                             vg_error *err)
{
    *out = NULL;
    phone_age_identity *id = vg_calloc(1, sizeof *id);
    if (!id || !(id->name = vg_strdup(name ? name : "the identity"))) {
        vg_free(id);
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", name ? name : "an identity");
    }
    if (len >= 19 && memcmp(text, "age-encryption.org/", 19) == 0) {
        vg_error_set(err, VG_E_UNSUPPORTED, "%s is itself encrypted with age", id->name);
        vg_error_hint(err, "decrypt it first (age -d -o key.txt %s)", id->name);
        phone_age_identity_free(id);
        return VG_E_UNSUPPORTED;
    }
    size_t cap = 0, line = 0;
    const char *p = text, *end = text + len;
    int rc = 0;
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        rc = identity_line(id, &cap, p, n, ++line, err);
        p += n + 1;
    }
    if (!rc && !id->n) {
        rc = vg_error_set(err, VG_E_PARSE, "%s holds no age identity (no AGE-SECRET-KEY-1... line)", id->name);
        vg_error_hint(err, "give the file age-keygen wrote");
    }
    if (rc) {
        phone_age_identity_free(id);
        return rc;
    }
    *out = id;
    return 0;
}

int phone_age_identity_load(const char *path, phone_age_identity **out, vg_error *err)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(path, IDENTITY_FILE_MAX, &data, &len, err);
    if (rc == VG_E_LIMIT)
        return vg_error_set(err, rc, "%s is larger than %u bytes: not an age identity file", path, IDENTITY_FILE_MAX);
    if (rc)
        return rc;
    rc = phone_age_identity_parse(data, len, path, out, err);
    OPENSSL_cleanse(data, len);
    vg_free(data);
    return rc;
}

size_t phone_age_identity_count(const phone_age_identity *id)
{
    return id ? id->n : 0;
}
