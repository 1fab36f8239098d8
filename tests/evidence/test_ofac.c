/*
 * test_ofac.c - every cryptocurrency address on OFAC's SDN list
 * (../shared/data/crypto-ofac/sanctioned_addresses_<CHAIN>.txt) planted in a
 * log line is recognised by the text extractor as a wallet, whole, with its
 * checksum verified where the format has one; the same addresses with one
 * character changed are not (checksum formats only).
 *
 * Recognised per chain (the counts are asserted exactly):
 *   XBT  base58check (1..., 3...) and bech32/bech32m (bc1...)
 *   BCH, BSV  legacy base58check (1..., 3...) and CashAddr (q..., p...; BCH checksum, "bitcoincash" prefix)
 *   LTC  base58check (L..., M...) and bech32 (ltc1...)
 *   DASH (X...), BTG (G...), XVG (D...): base58check
 *   ZEC  t-addresses: base58check with a two-byte version (t1...)
 *   TRX  base58check, version 0x41 (T...)
 *   XRP  base58check in Ripple's alphabet (r...)
 *   ETH, ETC, ARB, BSC, USDC, USDT: 0x + 40 hex, the EIP-55 case checksum verified when the case is mixed
 *   (one changed character is not always caught: an address in one case has no checksum)
 *   XMR  Monero's block base58, 69 or 77 bytes, Keccak-256 checksum verified (4..., 8...)
 *
 * One entry is not recognised as a wallet, rightly: OFAC's XMR list holds
 * 5be5543f...c320, 64 hex digits, which is not a Monero address (a
 * transaction id or key entered in the address field); the extractor reports
 * it as a SHA-256-sized hash instead, and the test checks that too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "vg_test.h"

static const char *shared;

typedef struct got {
    char want[256]; /* the planted address */
    int exact;      /* a wallet observation equal to it */
    int other;      /* any other wallet observation */
} got;

static int cb(const ev_obs *o, void *p)
{
    got *g = p;
    if (o->kind != EV_WALLET)
        return 0;
    if (o->len == strlen(g->want) && memcmp(o->value, g->want, o->len) == 0)
        g->exact++;
    else
        g->other++;
    return 0;
}

/* Scans one log line holding addr; returns 1 when it is recognised exactly once and nothing else is. */
static int recognised(ev_text *t, const char *addr)
{
    got g = {0};
    snprintf(g.want, sizeof g.want, "%s", addr);
    char line[512];
    int n = snprintf(line, sizeof line, "2024-09-27T10:00:00Z transfer to=%s amount=1.5\n", addr);
    assert_int_equal(ev_text_scan(t, line, (size_t)n, 0, 1, cb, &g), 0);
    return g.exact == 1 && g.other == 0;
}

static int first_kind(const ev_obs *o, void *p)
{
    int *k = p;
    if (!*k && o->kind != EV_STRING)
        *k = o->kind;
    return 0;
}

/* The kind of the first observation of a line holding v. */
static int kind_of(ev_text *t, const char *v)
{
    int k = 0;
    char line[512];
    int n = snprintf(line, sizeof line, "id %s\n", v);
    assert_int_equal(ev_text_scan(t, line, (size_t)n, 0, 1, first_kind, &k), 0);
    return k;
}

static void test_evidence_ofac__every_chain(void **state)
{
    (void)state;
    static const struct {
        const char *chain;
        int total;    /* entries in the file */
        int expect;   /* recognised as wallets */
        int checksum; /* 1: the format has a checksum we verify, so a changed character must fail */
    } chains[] = {
        {"XBT", 435, 435, 1}, {"BCH", 7, 7, 1},    {"BSV", 1, 1, 1},   {"LTC", 10, 10, 1}, {"DASH", 3, 3, 1},
        {"BTG", 1, 1, 1},     {"XVG", 1, 1, 1},    {"ZEC", 3, 3, 1},   {"TRX", 6, 6, 1},   {"XRP", 1, 1, 1},
        {"ETH", 152, 152, 0}, {"ETC", 1, 1, 0},    {"ARB", 1, 1, 0},   {"BSC", 1, 1, 0},   {"USDC", 2, 2, 0},
        {"USDT", 26, 26, 0},  {"XMR", 3, 2, 1},
    };
    ev_text *t = NULL;
    vg_error err = {0};
    assert_int_equal(ev_text_new(EV_WANT_ALL, &t, &err), 0);
    int fails = 0;
    for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/data/crypto-ofac/sanctioned_addresses_%s.txt", shared, chains[c].chain);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char addr[256];
        int total = 0, ok = 0, tampered_ok = 0;
        while (fgets(addr, sizeof addr, f)) {
            addr[strcspn(addr, "\r\n")] = 0;
            if (!addr[0])
                continue;
            total++;
            if (recognised(t, addr))
                ok++;
            else if (strlen(addr) == 64 && strspn(addr, "0123456789abcdef") == 64 && kind_of(t, addr) == EV_HASH)
                continue; /* the XMR entry that is no address: seen as a hash (and not tampered with below) */
            else
                fprintf(stderr, "  %s not recognised: %s\n", chains[c].chain, addr);
            if (chains[c].checksum) {
                /* change one character in the middle to another of the same class */
                size_t k = strlen(addr) / 2;
                char o = addr[k];
                addr[k] = (o >= '0' && o <= '8') ? (char)(o + 1) : (o == '9') ? '2' : (o == 'z') ? 'y' :
                          (o == 'Z') ? 'Y' : (char)(o + 1);
                if (addr[k] == 'l' || addr[k] == 'I' || addr[k] == 'O' || addr[k] == 'b' || addr[k] == 'i' ||
                    addr[k] == 'o')
                    addr[k] = (char)(addr[k] + 1); /* stay inside base58 / bech32 alphabets */
                if (recognised(t, addr)) {
                    tampered_ok++;
                    fprintf(stderr, "  %s tampered still recognised: %s\n", chains[c].chain, addr);
                }
            }
        }
        fclose(f);
        fprintf(stderr, "%-5s %4d of %4d recognised\n", chains[c].chain, ok, total);
        if (ok != chains[c].expect || total != chains[c].total || tampered_ok)
            fails++;
    }
    ev_text_free(t);
    assert_int_equal(fails, 0);
}

/* EIP-55 on the real list: every mixed-case Ethereum address verifies; one letter's case flipped does not. */
static void test_evidence_ofac__eip55(void **state)
{
    (void)state;
    char path[1024], addr[256];
    snprintf(path, sizeof path, "%s/data/crypto-ofac/sanctioned_addresses_ETH.txt", shared);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int mixed = 0;
    while (fgets(addr, sizeof addr, f)) {
        addr[strcspn(addr, "\r\n")] = 0;
        if (strlen(addr) != 42 || !strpbrk(addr + 2, "abcdef") || !strpbrk(addr + 2, "ABCDEF"))
            continue;
        mixed++;
        assert_int_equal(ev_eip55_valid(addr, 42), 1);
        for (size_t k = 2; k < 42; k++)
            if ((addr[k] | 32) >= 'a' && (addr[k] | 32) <= 'f') {
                addr[k] ^= 32;
                if (strpbrk(addr + 2, "abcdef") && strpbrk(addr + 2, "ABCDEF") && ev_eip55_valid(addr, 42))
                    fail_msg("case flipped at %zu still valid: %s", k, addr);
                addr[k] ^= 32;
            }
    }
    fclose(f);
    assert_true(mixed >= 100); /* 115 in the list as fetched */
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence_ofac__every_chain),
        cmocka_unit_test(test_evidence_ofac__eip55),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
