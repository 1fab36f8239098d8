/*
 * ev_crypto.c - checksums of cryptocurrency addresses, so that a random word
 * of the right shape is not reported as a wallet.
 *
 *   base58check (Bitcoin P2PKH/P2SH, Tron): the decoded payload ends with the
 *   first 4 bytes of SHA-256(SHA-256(rest));
 *   bech32 / bech32m (BIP 173 / BIP 350: bc1..., tb1..., ltc1...): the BCH
 *   checksum over the human-readable part and the data.
 */
#include <openssl/sha.h>
#include <string.h>

#include "evidence/ev.h"

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int ev_base58check_valid(const char *s, size_t len, int *version)
{
    unsigned char out[32] = {0}; /* big-endian number, 25 bytes used */
    const size_t N = 25;
    if (len < 26 || len > 35)
        return 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = memchr(b58, s[i], 58);
        if (!p || !s[i])
            return 0;
        unsigned carry = (unsigned)(p - b58);
        for (size_t k = N; k-- > 0;) {
            carry += 58u * out[k];
            out[k] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return 0; /* more than 25 bytes */
    }
    /* leading '1's stand for leading zero bytes: the decoded length must be 25 */
    unsigned char h1[32], h2[32];
    SHA256(out, N - 4, h1);
    SHA256(h1, 32, h2);
    if (memcmp(h2, out + N - 4, 4) != 0)
        return 0;
    if (version)
        *version = out[0];
    return 1;
}

static uint32_t polymod(const unsigned char *v, size_t n)
{
    static const uint32_t g[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int k = 0; k < 5; k++)
            if ((top >> k) & 1)
                chk ^= g[k];
    }
    return chk;
}

int ev_bech32_valid(const char *s, size_t len)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (len < 14 || len > 90)
        return 0;
    const char *sep = NULL;
    int lower = 0, upper = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            lower = 1;
        else if (c >= 'A' && c <= 'Z')
            upper = 1;
        if (c == '1')
            sep = s + i;
    }
    if ((lower && upper) || !sep)
        return 0;
    size_t hrp = (size_t)(sep - s), dn = len - hrp - 1;
    if (dn < 6)
        return 0;
    /* only the coin prefixes we scan for */
    char h[5] = {0};
    if (hrp > 4)
        return 0;
    for (size_t i = 0; i < hrp; i++)
        h[i] = (char)(s[i] | 32);
    if (strcmp(h, "bc") != 0 && strcmp(h, "tb") != 0 && strcmp(h, "ltc") != 0)
        return 0;
    unsigned char v[200];
    size_t n = 0;
    for (size_t i = 0; i < hrp; i++)
        v[n++] = (unsigned char)(h[i] >> 5);
    v[n++] = 0;
    for (size_t i = 0; i < hrp; i++)
        v[n++] = (unsigned char)(h[i] & 31);
    for (size_t i = 0; i < dn; i++) {
        const char *p = memchr(cs, sep[1 + i] | 32, 32);
        if (!p || !sep[1 + i])
            return 0;
        v[n++] = (unsigned char)(p - cs);
    }
    uint32_t pm = polymod(v, n);
    return pm == 1 || pm == 0x2bc830a3;
}
