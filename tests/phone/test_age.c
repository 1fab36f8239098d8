/*
 * test_age.c - age-encrypted files (src/phone/phone_age.c).
 *
 * The headers, identities and file keys are test vectors of the age
 * project's "testkit" (age-encryption.org/testkit: facts, a few kept here as
 * data): an scrypt header that opens with "password" and one whose work
 * factor was changed (wrong key), X25519 headers with one and two
 * recipients, and headers the specification says must be refused. Their
 * binary payloads are not text, so the payloads are made here with the
 * vector's file key (a nonce, ChaCha20-Poly1305 chunks of 64 KiB): empty,
 * one byte, exactly one chunk, one chunk and a byte, several chunks; then
 * cut and altered ones. Last, with the real `age` tool (Debian's age), the
 * real AndroidQF folder zipped here and encrypted to a fresh key gives the
 * plain zip's findings, and a wrong key, a cut file, no key are refused
 * with their messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "vg_test.h"

/* ---- testkit vectors (file key "YELLOW SUBMARINE") ------------------------------------ */

static const unsigned char yellow[16] = "YELLOW SUBMARINE";

/* testkit "scrypt": passphrase "password", work factor 10 */
static const char scrypt_ok[] = "age-encryption.org/v1\n"
                                "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 10\n"
                                "gUjEymFKMVXQEKdMMHL24oYexjE3TIC0O0zGSqJ2aUY\n"
                                "--- IOXiQYStkoT1mvZW2tFOqZdhRVvj58egABx/sWfZQbc\n";
/* testkit "scrypt_work_factor_wrong": the same passphrase does not open it */
static const char scrypt_wrong_wf[] = "age-encryption.org/v1\n"
                                      "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 10\n"
                                      "1hqlaoCUpkgzYI+oTS0p1Nxm9u3Fjib8REjrwp40mRE\n"
                                      "--- i9lHiMJydkXC7XcQk/j7lrJGmCfzI/L2cfJqGy6jT8I\n";

static const char x_identity[] = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6";
/* testkit "stream_empty_payload": one X25519 recipient */
static const char x25519_ok[] = "age-encryption.org/v1\n"
                                "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
                                "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
                                "--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n";
/* testkit "x25519_multiple_recipients" */
static const char x25519_two[] = "age-encryption.org/v1\n"
                                 "-> X25519 ajtqAvDEkVNr2B7zUOtq2mAQXDSBlNrVAuM/dKb5sT4\n"
                                 "0evrK/HQXVsQ4YaDe+659l5OQzvAzD2ytLGHQLQiqxg\n"
                                 "-> X25519 0qC7u6AbLxuwnM8tPFOWVtWZn/ZZe7z7gcsP5kgA0FI\n"
                                 "T/PZg76MmVt2IaLntrxppzDnzeFDYHsHFcnTnhbRLQ8\n"
                                 "--- 7W07ef2PhsTAl74pn+9vSj/Xzukwa6SuTqMc16cdBk0\n";

/* Headers the specification refuses ("expect: header failure"), and the line the error must name. */
static const struct {
    const char *name;
    const char *text;
    const char *says;
} bad_headers[] = {
    {"scrypt_work_factor_zero",
     "age-encryption.org/v1\n-> scrypt rF0/NwblUHHTpgQgRpe5CQ 0\ngUjEymFKMVXQEKdMMHL24oYexjE3TIC0O0zGSqJ2aUY\n"
     "--- a+ZwnySFgU+1ZDOps5Ba45mz9PC/mrkOlb068FfXMS8\n",
     "line 2: the scrypt work factor"},
    {"scrypt_work_factor_leading_plus",
     "age-encryption.org/v1\n-> scrypt rF0/NwblUHHTpgQgRpe5CQ +10\ngUjEymFKMVXQEKdMMHL24oYexjE3TIC0O0zGSqJ2aUY\n"
     "--- asCGzSHSu5DwU7Y5j+nSrTohKoFNji9uK/3IksXnC4k\n",
     "line 2: the scrypt work factor"},
    {"scrypt_work_factor_hex",
     "age-encryption.org/v1\n-> scrypt rF0/NwblUHHTpgQgRpe5CQ 0xa\ngUjEymFKMVXQEKdMMHL24oYexjE3TIC0O0zGSqJ2aUY\n"
     "--- Zhfvm6wXgjB06Uuu4GdFFKOAkvLkoS964+CClpeHSUM\n",
     "line 2: the scrypt work factor"},
    {"scrypt_salt_long",
     "age-encryption.org/v1\n-> scrypt rF0/NwblUHHTpgQgRpe5CRs1xuY 10\nJP7roI4ahATYBIWimTJaQii7ksmW/z+Aq0eSVr9HbLo\n"
     "--- p2iAunuF0fUVkNI7hUtH1BWFFn68WdOogdUeLa84nE4\n",
     "line 2: the scrypt salt"},
    {"scrypt_and_x25519",
     "age-encryption.org/v1\n-> X25519 ajtqAvDEkVNr2B7zUOtq2mAQXDSBlNrVAuM/dKb5sT4\n"
     "U+hKlJ4isweJ9PKG7pgscmG3cPASLgTw7SOBpbZ8x2U\n-> scrypt 3d9y0G+8q1ffPQ0xJJatIQ 10\n"
     "foZolxuhRSL7IG7oaR+456IzkHtvue7j4mUjh3DB6EI\n--- yp4Z0lV1LEdkm1+uDCuPUV+9hIXbPKrBXKQ/f5Y03As\n",
     "must be the only one"},
    {"stanza_missing_final_line",
     "age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n-> stanza\n"
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
     "--- GRjUy1ShNhFoV3cQikdtUZqDeDEZSrbtNXUgDtDbwC8\n",
     "line 6: a body line holds a character that is not base64"},
    {"stanza_not_canonical",
     "age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n-> stanza\n"
     "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUF\n"
     "--- nQM2VCzmNLPrUurNWN+SW9wVp/9uTMQ/6CTUM7l8c84\n",
     "not canonical base64"},
    {"padding", "age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc=\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n",
     "line 2: the X25519 share"},
    {"crlf", "age-encryption.org/v1\r\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n",
     "line 1"},
    {"x25519_extra_argument", "age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc x\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n",
     "line 2: an X25519 stanza takes 2 arguments"},
    {"empty_argument", "age-encryption.org/v1\n-> X25519  TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n",
     "line 2: an empty argument"},
    {"mac_missing", "age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
     "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n---\n",
     "line 4: the MAC line"},
    {"no_stanza", "age-encryption.org/v1\n--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n",
     "before any recipient stanza"},
};

/* ---- making payloads with a known file key ---------------------------------------------- */

static void hkdf(const unsigned char *ikm, size_t n, const unsigned char *salt, size_t sn, const char *info,
                 unsigned char out[32])
{
    EVP_KDF *k = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *cx = EVP_KDF_CTX_new(k);
    OSSL_PARAM ps[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, n),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, sn),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info)),
        OSSL_PARAM_construct_end(),
    };
    assert_int_equal(EVP_KDF_derive(cx, out, 32, ps), 1);
    EVP_KDF_CTX_free(cx);
    EVP_KDF_free(k);
}

/* header + nonce + the plaintext in 64 KiB ChaCha20-Poly1305 chunks; *len its size (malloc'd). */
static unsigned char *seal(const char *header, const unsigned char *plain, size_t n, size_t *len)
{
    size_t hl = strlen(header), chunks = n ? (n + 65535) / 65536 : 1;
    unsigned char *out = malloc(hl + 16 + n + 16 * chunks), *p = out;
    memcpy(p, header, hl);
    p += hl;
    for (int i = 0; i < 16; i++)
        p[i] = (unsigned char)(0xA0 + i);
    unsigned char key[32];
    hkdf(yellow, 16, p, 16, "payload", key);
    p += 16;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    for (size_t c = 0; c < chunks; c++) {
        size_t k = c + 1 < chunks ? 65536 : n - c * 65536;
        unsigned char nonce[12] = {0};
        for (int b = 0; b < 8; b++)
            nonce[10 - b] = (unsigned char)((uint64_t)c >> (8 * b));
        nonce[11] = c + 1 == chunks;
        int m = 0;
        assert_int_equal(EVP_EncryptInit_ex(cx, EVP_chacha20_poly1305(), NULL, key, nonce), 1);
        assert_int_equal(EVP_EncryptUpdate(cx, p, &m, plain + c * 65536, (int)k), 1);
        assert_int_equal(EVP_EncryptFinal_ex(cx, p + m, &m), 1);
        assert_int_equal(EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_GET_TAG, 16, p + k), 1);
        p += k + 16;
    }
    EVP_CIPHER_CTX_free(cx);
    *len = (size_t)(p - out);
    return out;
}

static phone_age_identity *identity(const char *text)
{
    phone_age_identity *id = NULL;
    vg_error err = {0};
    int rc = phone_age_identity_parse(text, strlen(text), "key.txt", &id, &err);
    if (rc)
        fail_msg("%s", err.msg);
    return id;
}

static int ask_password(void *ctx, const char *what, char *buf, size_t n)
{
    (*(int *)ctx)++;
    assert_non_null(strstr(what, "passphrase"));
    snprintf(buf, n, "password");
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------------ */

/* The testkit's headers: parsed, unwrapped to YELLOW SUBMARINE with their identity or passphrase, MAC checked. */
static void test_phone_age__vectors(void **state)
{
    (void)state;
    phone_age_header *h = malloc(sizeof *h);
    vg_error err = {0};
    unsigned char fk[16];
    phone_age_identity *id = identity("# created: a while ago\n# public key: (not needed)\n\nAGE-SECRET-KEY-"
                                      "1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6\n");
    assert_int_equal(phone_age_identity_count(id), 1);
    /* X25519, one and two recipients */
    const char *const xs[] = {x25519_ok, x25519_two};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(phone_age_header_parse(xs[i], strlen(xs[i]), h, &err), 0);
        assert_int_equal(h->n, (size_t)i + 1);
        assert_string_equal(h->stanza[0].type, "X25519");
        assert_int_equal(h->payload, strlen(xs[i]));
        memset(fk, 0, sizeof fk);
        assert_int_equal(phone_age_unwrap(xs[i], h, id, NULL, NULL, "v.age", fk, &err), 0);
        assert_memory_equal(fk, yellow, 16);
    }
    /* the same header with another identity: no match, named */
    phone_age_identity *other = identity("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
    assert_int_equal(phone_age_header_parse(x25519_ok, strlen(x25519_ok), h, &err), 0);
    assert_int_equal(phone_age_unwrap(x25519_ok, h, other, NULL, NULL, "v.age", fk, &err), VG_E_INVALID);
    assert_string_equal(err.msg, "no identity in key.txt matches the recipients of v.age");
    /* no identity at all */
    assert_int_equal(phone_age_unwrap(x25519_ok, h, NULL, NULL, NULL, "v.age", fk, &err), VG_E_USAGE);
    /* an altered MAC */
    char forged[sizeof x25519_ok];
    memcpy(forged, x25519_ok, sizeof forged);
    forged[strlen(forged) - 3] ^= 1;
    assert_int_equal(phone_age_header_parse(forged, strlen(forged), h, &err), 0); /* still canonical base64 */
    assert_int_equal(phone_age_unwrap(forged, h, id, NULL, NULL, "v.age", fk, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "MAC does not verify"));
    /* scrypt: the passphrase is asked once, opens the right stanza, not the altered one */
    int asked = 0;
    assert_int_equal(phone_age_header_parse(scrypt_ok, strlen(scrypt_ok), h, &err), 0);
    assert_int_equal(h->stanza[0].work_factor, 10);
    memset(fk, 0, sizeof fk);
    assert_int_equal(phone_age_unwrap(scrypt_ok, h, id, ask_password, &asked, "p.age", fk, &err), 0);
    assert_memory_equal(fk, yellow, 16);
    assert_int_equal(asked, 1);
    assert_int_equal(phone_age_header_parse(scrypt_wrong_wf, strlen(scrypt_wrong_wf), h, &err), 0);
    assert_int_equal(phone_age_unwrap(scrypt_wrong_wf, h, id, ask_password, &asked, "p.age", fk, &err),
                     VG_E_INVALID);
    assert_non_null(strstr(err.msg, "wrong passphrase for p.age"));
    assert_int_equal(phone_age_header_parse(scrypt_ok, strlen(scrypt_ok), h, &err), 0);
    assert_int_equal(phone_age_unwrap(scrypt_ok, h, id, NULL, NULL, "p.age", fk, &err), VG_E_USAGE);
    /* headers the specification refuses, each with its line */
    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        vg_error e = {0};
        int rc = phone_age_header_parse(bad_headers[i].text, strlen(bad_headers[i].text), h, &e);
        if (rc == 0 || !strstr(e.msg, bad_headers[i].says))
            fail_msg("%s: rc %d, \"%s\" lacks \"%s\"", bad_headers[i].name, rc, e.msg, bad_headers[i].says);
    }
    /* another version; not age */
    assert_int_equal(phone_age_header_parse("age-encryption.org/v2\n", 22, h, &err), VG_E_UNSUPPORTED);
    assert_int_equal(phone_age_header_parse("PK\3\4", 4, h, &err), VG_E_PARSE);
    phone_age_identity_free(other);
    phone_age_identity_free(id);
    free(h);
}

/* Payloads of every shape decrypt in place; a cut or altered chunk is named. */
static void test_phone_age__payload(void **state)
{
    (void)state;
    phone_age_identity *id = identity(x_identity);
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536 + 77};
    unsigned char *plain = malloc(3 * 65536 + 77);
    for (size_t i = 0; i < 3 * 65536 + 77; i++)
        plain[i] = (unsigned char)(i * 31 + 7);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t len, got = 99;
        unsigned char *f = seal(x25519_ok, plain, sizes[s], &len);
        vg_error err = {0};
        int rc = phone_age_decrypt(f, len, id, NULL, NULL, "t.age", &got, &err);
        if (rc)
            fail_msg("%zu bytes: %s", sizes[s], err.msg);
        assert_int_equal(got, sizes[s]);
        if (sizes[s])
            assert_memory_equal(f, plain, sizes[s]);
        free(f);
    }
    /* the scrypt vector's header with a payload: the passphrase opens the whole file */
    size_t len, got = 0;
    int asked = 0;
    unsigned char *f = seal(scrypt_ok, plain, 1000, &len);
    vg_error err = {0};
    assert_int_equal(phone_age_decrypt(f, len, NULL, ask_password, &asked, "p.age", &got, &err), 0);
    assert_int_equal(got, 1000);
    assert_memory_equal(f, plain, 1000);
    free(f);
    /* damage: a byte of the second chunk, the file cut after a whole chunk or inside one, no payload */
    size_t hl = strlen(x25519_ok);
    f = seal(x25519_ok, plain, 3 * 65536 + 77, &len);
    unsigned char *g = malloc(len);
    memcpy(g, f, len);
    g[hl + 16 + 65552 + 100] ^= 0x40;
    assert_int_equal(phone_age_decrypt(g, len, id, NULL, NULL, "t.age", &got, &err), VG_E_INVALID);
    assert_string_equal(err.msg, "t.age: age payload chunk 1 fails authentication (the file was altered)");
    memcpy(g, f, len);
    assert_int_equal(phone_age_decrypt(g, hl + 16 + 2 * 65552, id, NULL, NULL, "t.age", &got, &err), VG_E_INVALID);
    assert_string_equal(err.msg, "t.age: age payload chunk 1 fails authentication (the last one: the file is "
                                 "truncated or altered)");
    memcpy(g, f, len);
    assert_int_equal(phone_age_decrypt(g, hl + 16 + 65552 + 10, id, NULL, NULL, "t.age", &got, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "chunk 1 is cut"));
    memcpy(g, f, len);
    assert_int_equal(phone_age_decrypt(g, hl + 8, id, NULL, NULL, "t.age", &got, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "no nonce"));
    /* a chunk flagged final in the middle: swapping two chunks breaks their nonces */
    memcpy(g, f, len);
    memcpy(g + hl + 16, f + hl + 16 + 65552, 65552);
    memcpy(g + hl + 16 + 65552, f + hl + 16, 65552);
    assert_int_equal(phone_age_decrypt(g, len, id, NULL, NULL, "t.age", &got, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "chunk 0 fails authentication"));
    free(g);
    free(f);
    free(plain);
    phone_age_identity_free(id);
}

/* Identity files: what is not one is refused with its line and a hint. */
static void test_phone_age__identities(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
        const char *says;
    } cases[] = {
        {"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n", VG_E_INVALID, "key.txt:1 holds a recipient"},
        {"Public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n", VG_E_INVALID,
         "holds a recipient"},
        /* one character changed: the checksum fails */
        {"# x\nAGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F7\n", VG_E_PARSE,
         "key.txt:2 is not an age identity"},
        /* mixed case */
        {"AGE-SECRET-KEY-1xMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6\n", VG_E_PARSE, "key.txt:1"},
        {"# nothing\n\n", VG_E_PARSE, "holds no age identity"},
        {"AGE-PLUGIN-YUBIKEY-1ABC\n", VG_E_UNSUPPORTED, "plugin"},
        {"age-encryption.org/v1\n-> scrypt x 10\n", VG_E_UNSUPPORTED, "itself encrypted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        phone_age_identity *id = NULL;
        vg_error err = {0};
        int rc = phone_age_identity_parse(cases[i].text, strlen(cases[i].text), "key.txt", &id, &err);
        if (rc != cases[i].code || !strstr(err.msg, cases[i].says))
            fail_msg("case %zu: rc %d \"%s\"", i, rc, err.msg);
        assert_null(id);
    }
    /* CRLF, spaces, lower case, several keys */
    phone_age_identity *id =
        identity("  age-secret-key-1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4qx3s7f6\r\n"
                 "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n");
    assert_int_equal(phone_age_identity_count(id), 2);
    phone_age_header h;
    vg_error err = {0};
    unsigned char fk[16];
    assert_int_equal(phone_age_header_parse(x25519_ok, strlen(x25519_ok), &h, &err), 0);
    assert_int_equal(phone_age_unwrap(x25519_ok, &h, id, NULL, NULL, "v.age", fk, &err), 0);
    assert_memory_equal(fk, yellow, 16);
    phone_age_identity_free(id);
}

/* Every allocation of a decryption failing in turn: VG_E_NOMEM, or a decryption that got by; no leak. */
static void test_phone_age__alloc_failures(void **state)
{
    (void)state;
    phone_age_identity *id = identity(x_identity);
    unsigned char plain[100] = {1, 2, 3};
    size_t len, got;
    unsigned char *f = seal(x25519_ok, plain, sizeof plain, &len);
    unsigned char *g = malloc(len);
    long n;
    for (n = 1; n < 100; n++) {
        memcpy(g, f, len);
        vg_error err = {0};
        vg_alloc_fail_after(n);
        int rc = phone_age_decrypt(g, len, id, NULL, NULL, "t.age", &got, &err);
        vg_alloc_fail_reset();
        if (rc == 0)
            break;
        assert_int_equal(rc, VG_E_NOMEM);
    }
    assert_true(n > 1 && n < 100); /* some allocation failed cleanly before the one that got through */
    assert_memory_equal(g, plain, sizeof plain);
    free(g);
    free(f);
    phone_age_identity_free(id);
}

/* ---- the real AndroidQF, encrypted by the age tool ----------------------------------------------- */

static void add_tree(struct archive *w, const char *root, const char *rel)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    DIR *d = opendir(p);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char r[1024], full[3100];
        snprintf(r, sizeof r, "%s/%s", rel, e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, r);
        struct stat sb;
        assert_int_equal(stat(full, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            add_tree(w, root, r);
            continue;
        }
        size_t len;
        char *data = vg_test_read_file(full, &len);
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, r);
        archive_entry_set_size(ae, (la_int64_t)len);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_mtime(ae, 1700000000, 0);
        assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
        assert_int_equal(archive_write_data(w, data, len), (la_ssize_t)len);
        archive_entry_free(ae);
        free(data);
    }
    closedir(d);
}

static int same_findings(const phone_report *a, const phone_report *b, const char *prefix)
{
    if (a->nfindings != b->nfindings)
        return 0;
    for (size_t i = 0; i < a->nfindings; i++) {
        const phone_finding *x = &a->findings[i], *y = &b->findings[i];
        size_t pl = strlen(prefix);
        if (x->level != y->level || strcmp(x->artifact, y->artifact) || strcmp(x->message, y->message) ||
            strcmp(x->record, y->record) || strcmp(x->value, y->value) || strncmp(y->source, prefix, pl) ||
            strcmp(x->source, y->source + pl))
            return 0;
    }
    return 1;
}

static void test_phone_age__androidqf(void **state)
{
    (void)state;
    const char *shared = getenv("VIGIL_SHARED");
    char mobile[1024];
    snprintf(mobile, sizeof mobile, "%s/data/mobile", shared ? shared : "");
    struct stat sb;
    int ci = getenv("CI") && strcmp(getenv("CI"), "true") == 0;
    if (!shared || stat(mobile, &sb) != 0 || vg_test_sh("command -v age >/dev/null && command -v age-keygen "
                                                       ">/dev/null") != 0) {
        if (ci)
            fail_msg("the shared data or the age tool (Debian package age) is missing, and CI=true needs them");
        skip();
    }
    const char *tmp = vg_test_tmpdir("phone_age");
    char zip[1200], enc[1300], key[1200], other[1200];
    snprintf(zip, sizeof zip, "%s/aqf.zip", tmp);
    snprintf(enc, sizeof enc, "%s/0a1b2c3d.zip.age", tmp);
    snprintf(key, sizeof key, "%s/key.txt", tmp);
    snprintf(other, sizeof other, "%s/other.txt", tmp);
    struct archive *w = archive_write_new();
    assert_int_equal(archive_write_set_format_zip(w), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(w, zip), ARCHIVE_OK);
    add_tree(w, mobile, "androidqf");
    assert_int_equal(archive_write_close(w), ARCHIVE_OK);
    archive_write_free(w);
    assert_int_equal(vg_test_sh("age-keygen -o '%s' 2>/dev/null && age-keygen -o '%s' 2>/dev/null && "
                                "age -r \"$(age-keygen -y '%s')\" -o '%s' '%s'",
                                key, other, key, enc, zip),
                     0);
    char bundle[1200];
    snprintf(bundle, sizeof bundle, "%s/test-indicators.stix2", mobile);
    const char *paths[] = {bundle};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 1, &x, &err), 0);
    phone_age_identity *id = NULL, *wrong = NULL;
    assert_int_equal(phone_age_identity_load(key, &id, &err), 0);
    assert_int_equal(phone_age_identity_load(other, &wrong, &err), 0);
    phone_report *plain = NULL, *dec = NULL;
    assert_int_equal(phone_check_android(x, zip, NULL, &plain, &err), 0);
    assert_true(plain->nfindings >= 10); /* MVT's 10 alerts and what dumpsys.txt adds */
    phone_opts o = {0};
    o.age = id;
    if (phone_check_android(x, enc, &o, &dec, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(same_findings(plain, dec, "0a1b2c3d.zip.age/"));
    phone_report_free(dec);
    /* the folder that holds it */
    dec = NULL;
    assert_int_equal(vg_test_sh("mkdir '%s/out' && cp '%s' '%s/out/'", tmp, enc, tmp), 0);
    char folder[1200];
    snprintf(folder, sizeof folder, "%s/out", tmp);
    assert_int_equal(phone_check_android(x, folder, &o, &dec, &err), 0);
    assert_true(same_findings(plain, dec, "0a1b2c3d.zip.age/"));
    phone_report_free(dec);
    /* a wrong key, no key, a cut file: the check fails, and says why */
    o.age = wrong;
    assert_int_equal(phone_check_android(x, enc, &o, &dec, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "no identity in"));
    assert_non_null(strstr(err.msg, "other.txt matches the recipients of 0a1b2c3d.zip.age"));
    assert_int_equal(phone_check_android(x, enc, NULL, &dec, &err), VG_E_USAGE);
    assert_non_null(strstr(err.hint, "--age-identity"));
    o.age = id;
    assert_int_equal(vg_test_sh("head -c 5000 '%s' > '%s.cut'", enc, enc), 0);
    char cut[1400];
    snprintf(cut, sizeof cut, "%s.cut", enc);
    assert_int_equal(phone_check_android(x, cut, &o, &dec, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "chunk 0 fails authentication"));
    assert_null(dec);
    phone_report_free(plain);
    phone_age_identity_free(id);
    phone_age_identity_free(wrong);
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_age__vectors),    cmocka_unit_test(test_phone_age__payload),
        cmocka_unit_test(test_phone_age__identities), cmocka_unit_test(test_phone_age__alloc_failures),
        cmocka_unit_test(test_phone_age__androidqf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
