/*
 * taxii_auth.c - credentials: argon2id password hashes, bearer tokens (kept
 * only as SHA-256 hashes), and the Authorization header.
 *
 * Passwords: argon2id, t = 2 passes, m = 19 MiB, p = 1 lane, 16-byte random
 * salt, 32-byte tag, stored in the encoded form ($argon2id$v=19$m=...,t=...,p=...$salt$tag)
 * so the parameters can be raised later without breaking older hashes.
 * Tokens: 256 random bits, hex; the store keeps their SHA-256 (a slow hash
 * buys nothing against a 256-bit secret, and bearer checks must be fast).
 */
#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "taxii/taxii.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int taxii_password_hash(const char *password, char out[TAXII_PWHASH_MAX], vg_error *err)
{
    unsigned char salt[16];
    size_t n = strlen(password);
    if (n == 0 || n > TAXII_PASSWORD_MAX)
        return vg_error_set(err, VG_E_USAGE, "a password must have 1 to %d characters", TAXII_PASSWORD_MAX);
    if (RAND_bytes(salt, sizeof salt) != 1)
        return vg_error_set(err, VG_E_IO, "no random bytes for a password salt");
    int r = argon2id_hash_encoded(TAXII_ARGON2_T, TAXII_ARGON2_M_KIB, TAXII_ARGON2_P, password, n, salt, sizeof salt,
                                  32, out, TAXII_PWHASH_MAX);
    OPENSSL_cleanse(salt, sizeof salt);
    if (r != ARGON2_OK)
        return vg_error_set(err, r == ARGON2_MEMORY_ALLOCATION_ERROR ? VG_E_NOMEM : VG_E_INTERNAL,
                            "hashing a password failed: %s", argon2_error_message(r));
    return 0;
}

int taxii_password_verify(const char *encoded, const char *password)
{
    if (!encoded || strncmp(encoded, "$argon2id$", 10) != 0 || !password)
        return 0;
    size_t n = strlen(password);
    if (n > TAXII_PASSWORD_MAX)
        return 0;
    /* argon2 compares the tags in constant time. */
    return argon2id_verify(encoded, password, n) == ARGON2_OK;
}

void taxii_token_hash(const char *secret, size_t n, char hash[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(secret, n, md, &len, EVP_sha256(), NULL);
    hex(md, 32, hash);
}

int taxii_token_new(char secret[TAXII_TOKEN_LEN + 1], char id[TAXII_TOKEN_ID_LEN + 1], char hash[65], vg_error *err)
{
    unsigned char raw[TAXII_TOKEN_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return vg_error_set(err, VG_E_IO, "no random bytes for a token");
    hex(raw, sizeof raw, secret);
    OPENSSL_cleanse(raw, sizeof raw);
    taxii_token_hash(secret, TAXII_TOKEN_LEN, hash);
    memcpy(id, hash, TAXII_TOKEN_ID_LEN);
    id[TAXII_TOKEN_ID_LEN] = '\0';
    return 0;
}

void taxii_credentials_clear(taxii_credentials *c)
{
    OPENSSL_cleanse(c, sizeof *c);
}

int taxii_auth_parse(const char *h, taxii_credentials *out)
{
    memset(out, 0, sizeof *out);
    if (!h)
        return 0;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        h += 7;
        while (*h == ' ')
            h++;
        size_t n = strlen(h);
        while (n && h[n - 1] == ' ')
            n--;
        if (n == 0 || n > TAXII_PASSWORD_MAX)
            return VG_E_PARSE;
        memcpy(out->secret, h, n);
        out->secret[n] = '\0';
        out->kind = 2;
        return 0;
    }
    if (strncasecmp(h, "Basic ", 6) == 0) {
        h += 6;
        while (*h == ' ')
            h++;
        size_t n = strlen(h);
        while (n && h[n - 1] == ' ')
            n--;
        /* base64 of "user:password": at most 4/3 of the two limits. */
        if (n == 0 || n % 4 || n > 4 * ((sizeof out->user + TAXII_PASSWORD_MAX + 2) / 3 + 1))
            return VG_E_PARSE;
        unsigned char dec[4 * ((sizeof out->user + TAXII_PASSWORD_MAX + 2) / 3 + 1)];
        int len = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)n);
        if (len < 0)
            return VG_E_PARSE;
        /* EVP_DecodeBlock counts the '=' padding as zero bytes. */
        if (n >= 1 && h[n - 1] == '=')
            len--;
        if (n >= 2 && h[n - 2] == '=')
            len--;
        unsigned char *colon = memchr(dec, ':', (size_t)len);
        if (!colon || memchr(dec, '\0', (size_t)len)) {
            OPENSSL_cleanse(dec, sizeof dec);
            return VG_E_PARSE;
        }
        size_t ulen = (size_t)(colon - dec), plen = (size_t)len - ulen - 1;
        if (ulen == 0 || ulen >= sizeof out->user || plen > TAXII_PASSWORD_MAX) {
            OPENSSL_cleanse(dec, sizeof dec);
            return VG_E_PARSE;
        }
        memcpy(out->user, dec, ulen);
        memcpy(out->secret, colon + 1, plen);
        out->secret[plen] = '\0';
        OPENSSL_cleanse(dec, sizeof dec);
        out->kind = 1;
        return 0;
    }
    return VG_E_PARSE;
}
