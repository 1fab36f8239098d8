/*
 * vg_uuid.c - UUID v4 (getrandom) and v5 (SHA-1 via OpenSSL).
 */
#include "vg_uuid.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void to_text(const unsigned char u[16], char out[VG_UUID_STR])
{
    static const char hex[] = "0123456789abcdef";
    int k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[u[i] >> 4];
        out[k++] = hex[u[i] & 15];
    }
    out[k] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vg_uuid_check(const char *s, size_t n, int *version)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (hexval(s[i]) < 0) {
            return 0;
        }
    }
    if (version)
        *version = hexval(s[14]);
    return 1;
}

static int from_text(const char *s, unsigned char u[16])
{
    if (!vg_uuid_check(s, strlen(s), NULL))
        return -1;
    int k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (s[i] == '-')
            continue;
        u[k / 2] = (unsigned char)(k % 2 ? (u[k / 2] | hexval(s[i])) : hexval(s[i]) << 4);
        k++;
    }
    return 0;
}

int vg_uuid_v4(char out[VG_UUID_STR], vg_error *err)
{
    unsigned char u[16];
    size_t got = 0;
    while (got < sizeof u) {
        ssize_t r = getrandom(u + got, sizeof u - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return vg_error_set(err, VG_E_IO, "cannot read random bytes: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    to_text(u, out);
    return 0;
}

int vg_uuid_v5(const char *ns, const char *name, size_t n, char out[VG_UUID_STR], vg_error *err)
{
    unsigned char nsb[16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (from_text(ns, nsb))
        return vg_error_set(err, VG_E_USAGE, "invalid namespace UUID \"%s\"", ns);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return vg_error_set(err, VG_E_NOMEM, "out of memory computing a UUIDv5");
    int ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, nsb, 16) &&
             EVP_DigestUpdate(ctx, name, n) && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return vg_error_set(err, VG_E_INTERNAL, "SHA-1 failed computing a UUIDv5");
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    to_text(md, out);
    return 0;
}
