/*
 * phone_ab.c - `adb backup` files (.ab): the header, the password scheme,
 * AES-256-CBC and zlib, down to the tar inside.
 *
 * The header is text lines: "ANDROID BACKUP", the format version (1..5),
 * "1" or "0" for a zlib-compressed payload, and the encryption, "none" or
 * "AES-256". An encrypted backup adds five lines: the user-key salt, the
 * checksum salt (hex), the PBKDF2 round count, the IV of the master-key blob
 * and the blob itself (hex). Then the payload.
 *
 * The user key is PBKDF2-HMAC-SHA1(password, user salt, rounds, 32 bytes).
 * It decrypts the blob (AES-256-CBC, PKCS#7), which holds three
 * length-prefixed fields: the payload's IV, the master key and a checksum.
 * The checksum is PBKDF2-HMAC-SHA1 of the master key with the checksum salt,
 * where Android hands the key's bytes to Java as chars: each byte is
 * sign-extended to a 16-bit char, and from version 2 the chars are encoded
 * as UTF-8 for PBKDF2 (0x80 becomes U+FF80, bytes EF BE 80); version 1 takes
 * them as 8-bit again, i.e. the raw bytes. A checksum that differs means a
 * wrong password. The payload is AES-256-CBC with the master key, then zlib
 * when compressed, and is a tar file.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define AB_MAX_ROUNDS 10000000u /* PBKDF2 rounds: Android writes 10,000 */

/* The next header line at *pos (without its newline). Returns its length, or -1 when there is none. */
static long line_at(const char *d, size_t len, size_t *pos, const char **line)
{
    if (*pos >= len)
        return -1;
    const char *s = d + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    if (!nl || nl - s > 1024)
        return -1;
    *line = s;
    *pos += (size_t)(nl - s) + 1;
    return nl - s;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex text of n characters into out (at most cap bytes). Returns the byte count, or -1. */
static long unhex(const char *s, long n, unsigned char *out, size_t cap)
{
    if (n <= 0 || n % 2 || (size_t)n / 2 > cap)
        return -1;
    for (long i = 0; i < n; i += 2) {
        int h = hexval((unsigned char)s[i]), l = hexval((unsigned char)s[i + 1]);
        if (h < 0 || l < 0)
            return -1;
        out[i / 2] = (unsigned char)(h << 4 | l);
    }
    return n / 2;
}

int phone_ab_header_parse(const void *data, size_t len, phone_ab_header *h, vg_error *err)
{
    const char *d = data;
    memset(h, 0, sizeof *h);
    size_t pos = 0;
    const char *l;
    long n = line_at(d, len, &pos, &l);
    if (n != 14 || memcmp(l, "ANDROID BACKUP", 14) != 0)
        return vg_error_set(err, VG_E_PARSE, "not an Android backup (no \"ANDROID BACKUP\" line)");
    static const char *const what[] = {"format version", "compression flag", "encryption"};
    const char *lines[3];
    long lens[3];
    for (int i = 0; i < 3; i++) {
        lens[i] = line_at(d, len, &pos, &lines[i]);
        if (lens[i] < 0)
            return vg_error_set(err, VG_E_PARSE, "truncated Android backup header: no %s line (line %d)", what[i],
                                i + 2);
    }
    if (lens[0] != 1 || lines[0][0] < '1' || lines[0][0] > '5')
        return vg_error_set(err, VG_E_UNSUPPORTED, "Android backup format version \"%.*s\" (line 2) is not 1 to 5",
                            (int)(lens[0] > 16 ? 16 : lens[0]), lines[0]);
    h->version = lines[0][0] - '0';
    if (lens[1] != 1 || (lines[1][0] != '0' && lines[1][0] != '1'))
        return vg_error_set(err, VG_E_PARSE, "Android backup compression flag (line 3) is not 0 or 1");
    h->compressed = lines[1][0] == '1';
    if (lens[2] == 4 && memcmp(lines[2], "none", 4) == 0) {
        h->payload = pos;
        return 0;
    }
    if (lens[2] != 7 || memcmp(lines[2], "AES-256", 7) != 0)
        return vg_error_set(err, VG_E_UNSUPPORTED, "Android backup encryption \"%.*s\" (line 4) is not none or AES-256",
                            (int)(lens[2] > 32 ? 32 : lens[2]), lines[2]);
    h->encrypted = 1;
    static const char *const ewhat[] = {"user-key salt", "checksum salt", "PBKDF2 round count", "master-key IV",
                                        "master-key blob"};
    for (int i = 0; i < 5; i++) {
        n = line_at(d, len, &pos, &l);
        if (n < 0)
            return vg_error_set(err, VG_E_PARSE, "truncated Android backup header: no %s line (line %d)", ewhat[i],
                                i + 5);
        long got = 0;
        switch (i) {
        case 0: got = unhex(l, n, h->user_salt, sizeof h->user_salt), h->user_salt_len = got > 0 ? (size_t)got : 0; break;
        case 1: got = unhex(l, n, h->ck_salt, sizeof h->ck_salt), h->ck_salt_len = got > 0 ? (size_t)got : 0; break;
        case 2: {
            uint64_t r = 0;
            got = n > 0 && n <= 9 ? 1 : -1;
            for (long k = 0; k < n && got > 0; k++)
                if (l[k] < '0' || l[k] > '9')
                    got = -1;
                else
                    r = r * 10 + (uint64_t)(l[k] - '0');
            if (got > 0 && (r == 0 || r > AB_MAX_ROUNDS))
                got = -1;
            h->rounds = (uint32_t)r;
            break;
        }
        case 3: got = unhex(l, n, h->user_iv, sizeof h->user_iv) == 16 ? 16 : -1; break;
        case 4: got = unhex(l, n, h->mk_blob, sizeof h->mk_blob), h->mk_blob_len = got > 0 ? (size_t)got : 0; break;
        }
        if (got <= 0)
            return vg_error_set(err, VG_E_PARSE, "Android backup %s (line %d) is not %s", ewhat[i], i + 5,
                                i == 2 ? "a number from 1 to 10000000" : i == 3 ? "16 bytes of hex" : "hex");
    }
    if (h->mk_blob_len % 16)
        return vg_error_set(err, VG_E_PARSE, "Android backup master-key blob (line 9) is not a whole number of AES blocks");
    h->payload = pos;
    return 0;
}

/* AES-256-CBC decryption with PKCS#7 padding. Returns the plain length, or -1 (bad padding: wrong key). */
static long aes_dec(const unsigned char *key, const unsigned char *iv, const unsigned char *in, size_t n,
                    unsigned char *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int a = 0, b = 0;
    long r = -1;
    if (x && n <= 0x7fffffff && EVP_DecryptInit_ex(x, EVP_aes_256_cbc(), NULL, key, iv) == 1 &&
        EVP_DecryptUpdate(x, out, &a, in, (int)n) == 1 && EVP_DecryptFinal_ex(x, out + a, &b) == 1)
        r = (long)a + b;
    EVP_CIPHER_CTX_free(x);
    return r;
}

/* The checksum of a master key: PBKDF2 over its bytes as Java chars (see the top of the file). */
static int mk_checksum(const unsigned char *mk, size_t n, int utf8, const phone_ab_header *h, unsigned char out[32])
{
    unsigned char buf[3 * 64];
    size_t k = 0;
    if (n > 64)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!utf8 || mk[i] < 0x80) {
            buf[k++] = mk[i];
        } else { /* (char)(byte) is U+FF80..U+FFFF: three UTF-8 bytes EF, BE|BF, 80..BF */
            unsigned c = 0xFF00u | mk[i];
            buf[k++] = (unsigned char)(0xE0 | c >> 12);
            buf[k++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            buf[k++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    int ok = PKCS5_PBKDF2_HMAC_SHA1((const char *)buf, (int)k, h->ck_salt, (int)h->ck_salt_len, (int)h->rounds, 32,
                                    out) == 1;
    OPENSSL_cleanse(buf, sizeof buf);
    return ok ? 0 : -1;
}

/* The master key and its IV from the header and the password. 0, VG_E_INVALID (wrong password), VG_E_PARSE. */
static int master_key(const phone_ab_header *h, const char *password, unsigned char mk[32], unsigned char iv[16],
                      vg_error *err)
{
    unsigned char uk[32], blob[256];
    if (PKCS5_PBKDF2_HMAC_SHA1(password, (int)strlen(password), h->user_salt, (int)h->user_salt_len, (int)h->rounds,
                               32, uk) != 1)
        return vg_error_set(err, VG_E_INTERNAL, "PBKDF2 failed");
    long n = aes_dec(uk, h->user_iv, h->mk_blob, h->mk_blob_len, blob);
    OPENSSL_cleanse(uk, sizeof uk);
    int rc = VG_E_INVALID;
    /* blob: [len][IV][len][master key][len][checksum] */
    if (n > 0) {
        size_t p = 0, L = (size_t)n;
        size_t ivl = blob[p++];
        if (ivl == 16 && p + ivl < L) {
            memcpy(iv, blob + p, 16);
            p += ivl;
            size_t mkl = blob[p++];
            if (mkl == 32 && p + mkl < L) {
                memcpy(mk, blob + p, 32);
                p += mkl;
                size_t ckl = blob[p++];
                if (ckl == 32 && p + ckl <= L) {
                    unsigned char ck[32];
                    int utf8 = h->version >= 2;
                    /* the version's own conversion first, then the other (backups made by other tools) */
                    if ((mk_checksum(mk, 32, utf8, h, ck) == 0 && CRYPTO_memcmp(ck, blob + p, 32) == 0) ||
                        (mk_checksum(mk, 32, !utf8, h, ck) == 0 && CRYPTO_memcmp(ck, blob + p, 32) == 0))
                        rc = 0;
                }
            }
        }
    }
    OPENSSL_cleanse(blob, sizeof blob);
    if (rc) {
        OPENSSL_cleanse(mk, 32);
        vg_error_set(err, VG_E_INVALID, "wrong password for the encrypted Android backup (its master key's checksum "
                                        "does not match)");
        vg_error_hint(err, "give the password that was typed on the phone when the backup was made");
    }
    return rc;
}

/* Inflates a zlib stream into a growing buffer of at most max bytes. */
static int inflate_all(const unsigned char *in, size_t n, size_t max, char **out, size_t *outlen, vg_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return vg_error_set(err, VG_E_NOMEM, "out of memory inflating the backup");
    size_t cap = n * 4 + 4096, len = 0;
    if (cap > max + 1)
        cap = max + 1;
    char *b = vg_malloc(cap);
    int rc = b ? 0 : vg_error_set(err, VG_E_NOMEM, "out of memory inflating the backup");
    z.next_in = (unsigned char *)in;
    int zr = Z_OK;
    size_t left = n;
    while (!rc) {
        if (z.avail_in == 0 && left) {
            z.avail_in = left > 0x40000000 ? 0x40000000 : (uInt)left;
            left -= z.avail_in;
        }
        if (len == cap) {
            if (cap > max) {
                rc = vg_error_set(err, VG_E_LIMIT, "the backup's tar is larger than %zu bytes", max);
                break;
            }
            size_t nc = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *g = vg_realloc(b, nc);
            if (!g) {
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory inflating the backup");
                break;
            }
            b = g;
            cap = nc;
        }
        size_t room = cap - len;
        z.next_out = (unsigned char *)b + len;
        z.avail_out = room > 0x40000000 ? 0x40000000 : (uInt)room;
        uInt before = z.avail_out;
        zr = inflate(&z, Z_NO_FLUSH);
        len += before - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && z.avail_in == 0 && !left) {
            rc = vg_error_set(err, VG_E_PARSE, "truncated Android backup: the compressed data ends early");
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = vg_error_set(err, VG_E_PARSE, "damaged Android backup: %s", z.msg ? z.msg : "bad compressed data");
            break;
        }
    }
    inflateEnd(&z);
    if (!rc && len > max)
        rc = vg_error_set(err, VG_E_LIMIT, "the backup's tar is larger than %zu bytes", max);
    if (rc) {
        vg_free(b);
        return rc;
    }
    *out = b;
    *outlen = len;
    return 0;
}

int phone_ab_decode(const void *data, size_t len, const char *password, size_t max, char **tar, size_t *tarlen,
                    vg_error *err)
{
    *tar = NULL;
    *tarlen = 0;
    phone_ab_header h;
    int rc = phone_ab_header_parse(data, len, &h, err);
    if (rc)
        return rc;
    const unsigned char *p = (const unsigned char *)data + h.payload;
    size_t n = len - h.payload;
    unsigned char *plain = NULL;
    size_t plain_cap = 0;
    if (h.encrypted) {
        if (!password || !password[0]) {
            vg_error_set(err, VG_E_USAGE, "the Android backup is encrypted and no password was given");
            return vg_error_hint(err, "give it with --password-stdin, or at the prompt");
        }
        if (n == 0 || n % 16) {
            return vg_error_set(err, VG_E_PARSE, "truncated Android backup: the encrypted data (%zu bytes) is not a "
                                                 "whole number of AES blocks",
                                n);
        }
        unsigned char mk[32], iv[16];
        rc = master_key(&h, password, mk, iv, err);
        if (rc)
            return rc;
        plain_cap = n + 16;
        plain = vg_malloc(plain_cap);
        if (!plain) {
            OPENSSL_cleanse(mk, sizeof mk);
            return vg_error_set(err, VG_E_NOMEM, "out of memory decrypting the backup");
        }
        long m = aes_dec(mk, iv, p, n, plain);
        OPENSSL_cleanse(mk, sizeof mk);
        if (m < 0) {
            vg_free(plain);
            return vg_error_set(err, VG_E_PARSE, "damaged Android backup: the encrypted data does not decrypt "
                                                 "(bad padding at its end)");
        }
        p = plain;
        n = (size_t)m;
    }
    if (h.compressed) {
        rc = inflate_all(p, n, max, tar, tarlen, err);
    } else if (n > max) {
        rc = vg_error_set(err, VG_E_LIMIT, "the backup's tar is larger than %zu bytes", max);
    } else {
        *tar = vg_malloc(n + 1);
        if (!*tar) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading the backup");
        } else {
            memcpy(*tar, p, n);
            *tarlen = n;
        }
    }
    if (plain) {
        OPENSSL_cleanse(plain, plain_cap);
        vg_free(plain);
    }
    return rc;
}
