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

static const char ripple58[] = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

/*
 * Decodes s as a base58 number of exactly N bytes (alphabet `abc`) and checks
 * its last four bytes against the double SHA-256 of the others.
 */
static int b58check(const char *s, size_t len, const char *abc, size_t N, int *version)
{
    unsigned char out[32] = {0}; /* big-endian number, N bytes used */
    for (size_t i = 0; i < len; i++) {
        const char *p = s[i] ? memchr(abc, s[i], 58) : NULL;
        if (!p)
            return 0;
        unsigned carry = (unsigned)(p - abc);
        for (size_t k = N; k-- > 0;) {
            carry += 58u * out[k];
            out[k] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return 0; /* more than N bytes */
    }
    /* each leading zero digit stands for one leading zero byte, and only those */
    size_t z = 0;
    while (z < len && s[z] == abc[0])
        z++;
    for (size_t k = 0; k < N && k < z; k++)
        if (out[k])
            return 0;
    if (z < N && out[z] == 0)
        return 0;
    unsigned char h1[32], h2[32];
    SHA256(out, N - 4, h1);
    SHA256(h1, 32, h2);
    if (memcmp(h2, out + N - 4, 4) != 0)
        return 0;
    if (version)
        *version = N == 25 ? out[0] : (out[0] << 8 | out[1]);
    return 1;
}

/*
 * Base58check as Bitcoin and its forks use it: a one-byte version, 20 bytes
 * of hash and 4 of checksum (25 bytes), or a two-byte version (26 bytes:
 * Zcash t-addresses). *version gets the version (one or two bytes).
 */
int ev_base58check_valid(const char *s, size_t len, int *version)
{
    if (len < 26 || len > 36)
        return 0;
    return b58check(s, len, b58, 25, version) || b58check(s, len, b58, 26, version);
}

int ev_ripple_valid(const char *s, size_t len)
{
    int v;
    return len >= 25 && len <= 35 && b58check(s, len, ripple58, 25, &v) && v == 0;
}

/* ---- CashAddr (Bitcoin Cash) ------------------------------------------------- */

static uint64_t cash_polymod(const unsigned char *v, size_t n)
{
    uint64_t c = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t c0 = (uint8_t)(c >> 35);
        c = ((c & 0x07ffffffffull) << 5) ^ v[i];
        if (c0 & 0x01)
            c ^= 0x98f2bc8e61ull;
        if (c0 & 0x02)
            c ^= 0x79b76d99e2ull;
        if (c0 & 0x04)
            c ^= 0xf33e5fb3c4ull;
        if (c0 & 0x08)
            c ^= 0xae2eabe2a8ull;
        if (c0 & 0x10)
            c ^= 0x1e4f43e470ull;
    }
    return c ^ 1;
}

int ev_cashaddr_valid(const char *s, size_t len)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    static const char prefix[] = "bitcoincash";
    unsigned char v[128];
    size_t n = 0;
    if (len < 42 || len > 112)
        return 0;
    for (size_t i = 0; prefix[i]; i++)
        v[n++] = (unsigned char)(prefix[i] & 31);
    v[n++] = 0;
    int lower = 0, upper = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        lower |= c >= 'a' && c <= 'z';
        upper |= c >= 'A' && c <= 'Z';
        const char *p = c ? memchr(cs, c | 32, 32) : NULL;
        if (!p)
            return 0;
        v[n++] = (unsigned char)(p - cs);
    }
    return !(lower && upper) && cash_polymod(v, n) == 0;
}

/* ---- Monero (Keccak-256 checksum) ------------------------------------------ */

static uint64_t rol(uint64_t x, unsigned n)
{
    return n ? (x << n) | (x >> (64 - n)) : x;
}

/* Keccak-f[1600], the permutation under Keccak-256 (not SHA-3: the padding differs). */
static void keccakf(uint64_t st[25])
{
    static const uint64_t rc[24] = {
        0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
        0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
        0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
        0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
        0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
        0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};
    static const unsigned rotc[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                                      27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
    static const unsigned piln[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                                      15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};
    for (int r = 0; r < 24; r++) {
        uint64_t bc[5];
        for (int i = 0; i < 5; i++)
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            uint64_t t = bc[(i + 4) % 5] ^ rol(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5)
                st[j + i] ^= t;
        }
        uint64_t t = st[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = piln[i];
            uint64_t tmp = st[j];
            st[j] = rol(t, rotc[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++)
                bc[i] = st[j + i];
            for (int i = 0; i < 5; i++)
                st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= rc[r];
    }
}

/* Keccak-256 of a short message (under 136 bytes: one block), the first outn (at most 32) bytes of the digest. */
static void keccak256_short(const unsigned char *m, size_t n, unsigned char *out, size_t outn)
{
    uint64_t st[25] = {0};
    unsigned char block[136] = {0};
    memcpy(block, m, n);
    block[n] ^= 0x01;
    block[135] ^= 0x80;
    for (int i = 0; i < 17; i++) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--)
            w = (w << 8) | block[i * 8 + k];
        st[i] ^= w;
    }
    keccakf(st);
    for (size_t k = 0; k < outn; k++)
        out[k] = (unsigned char)(st[k / 8] >> (8 * (k % 8)));
}

/*
 * A Monero address: Monero's base58 (blocks of 8 bytes as 11 characters, the
 * last block shorter), 69 bytes (standard, subaddress) or 77 (integrated),
 * whose last 4 bytes are the Keccak-256 of the rest.
 */
int ev_monero_valid(const char *s, size_t len)
{
    static const int enc_size[9] = {0, 2, 3, 5, 6, 7, 9, 10, 11};
    unsigned char out[80];
    size_t o = 0;
    if (len != 95 && len != 106)
        return 0;
    for (size_t at = 0; at < len; at += 11) {
        size_t bl = len - at < 11 ? len - at : 11;
        int bytes = -1;
        for (int k = 0; k < 9; k++)
            if ((size_t)enc_size[k] == bl)
                bytes = k;
        if (bytes <= 0)
            return 0;
        unsigned __int128 num = 0;
        for (size_t i = 0; i < bl; i++) {
            const char *p = s[at + i] ? memchr(b58, s[at + i], 58) : NULL;
            if (!p)
                return 0;
            num = num * 58 + (unsigned)(p - b58);
        }
        if (bytes < 8 && (num >> (8 * bytes)) != 0)
            return 0;
        if (bytes == 8 && (num >> 64) != 0)
            return 0;
        for (int k = bytes - 1; k >= 0; k--) {
            out[o + (size_t)k] = (unsigned char)(num & 0xff);
            num >>= 8;
        }
        o += (size_t)bytes;
    }
    if (o != 69 && o != 77)
        return 0;
    unsigned char h[4];
    keccak256_short(out, o - 4, h, 4);
    return memcmp(h, out + o - 4, 4) == 0;
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

/* ---- Ethereum (EIP-55 mixed-case checksum) ---------------------------------- */

/*
 * "0x" + 40 hex digits. All letters of one case carry no checksum (valid);
 * mixed case is EIP-55: a letter is upper case exactly when the matching
 * nibble of Keccak-256 of the 40 digits in lower case is 8 or more.
 */
int ev_eip55_valid(const char *s, size_t len)
{
    unsigned char low[40], h[20];
    int upper = 0, lower = 0;
    if (len != 42 || s[0] != '0' || s[1] != 'x')
        return 0;
    for (size_t i = 0; i < 40; i++) {
        char c = s[2 + i];
        if (c >= 'A' && c <= 'F')
            upper = 1;
        else if (c >= 'a' && c <= 'f')
            lower = 1;
        else if (c < '0' || c > '9')
            return 0;
        low[i] = (unsigned char)(c >= 'A' && c <= 'F' ? c + 32 : c);
    }
    if (!upper || !lower)
        return 1;
    keccak256_short(low, 40, h, 20);
    for (size_t i = 0; i < 40; i++) {
        char c = s[2 + i];
        unsigned nib = i % 2 ? h[i / 2] & 15 : h[i / 2] >> 4;
        if (c > '9' && (nib >= 8) != (c <= 'F'))
            return 0;
    }
    return 1;
}
