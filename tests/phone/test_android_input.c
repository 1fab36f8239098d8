/*
 * test_android_input.c - Android inputs made here, good and bad: binary XML
 * (strict, truncated at every length, and as dumpsys prints it), adb backups
 * (encrypted here with a password and a master key that has high bytes, so
 * that the Java-char checksum quirk is exercised; damaged headers; truncated
 * payloads), zips cut short and nested archives that are not archives (the
 * rest of the check goes on and says what failed), the heuristics on inputs
 * made to trigger them and not to, device-local times converted with the
 * device's time zone, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "phone/phone_tombstone.pb-c.h"
#include "vg_test.h"

/* ---- helpers -------------------------------------------------------------------- */

typedef struct buf {
    unsigned char *b;
    size_t n, cap;
} buf;

static void put(buf *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->b = realloc(w->b, w->cap);
        assert_non_null(w->b);
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void put_u8(buf *w, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(w, &c, 1);
}

static void put_be(buf *w, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        put_u8(w, (unsigned)(v >> (8 * i)) & 0xff);
}

static void put_str(buf *w, const char *s)
{
    put_be(w, strlen(s), 2);
    put(w, s, strlen(s));
}

static void put_new_name(buf *w, const char *s)
{
    put_be(w, 0xFFFF, 2);
    put_str(w, s);
}

static idx *index_of(const char *const *pats, size_t n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char id[80];
        snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012zu", i + 1);
        assert_int_equal(idx_builder_add_pattern(b, id, "Test", pats[i], 0, NULL, &err), 0);
    }
    idx *x = NULL;
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    return x;
}

static const phone_artifact *art(const phone_report *r, const char *name)
{
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, name) == 0)
            return &r->artifacts[i];
    fail_msg("no artifact %s", name);
    return NULL;
}

static const phone_finding *find(const phone_report *r, const char *artifact, int level, const char *in_record)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) == 0 && f->level == level && (!in_record || strstr(f->record, in_record)))
            return f;
    }
    return NULL;
}

static size_t count(const phone_report *r, const char *artifact, int level)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += strcmp(r->findings[i].artifact, artifact) == 0 && r->findings[i].level == level;
    return n;
}

static void time_is(const phone_finding *f, const char *want)
{
    assert_non_null(f);
    assert_true(f->has_time);
    char t[VG_TIME_MAX];
    vg_time_format(&f->time, t);
    assert_string_equal(t, want);
}

static void write_file(const char *dir, const char *name, const void *d, size_t n)
{
    char p[9000];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    vg_test_write_file(p, d, n);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    write_file(dir, name, text, strlen(text));
}

static phone_report *check_path(const idx *x, const char *path, const phone_opts *o)
{
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_android(x, path, o, &r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
    assert_int_equal(rc, 0);
    return r;
}

/* An archive in memory: zip or tar, entries (name, data). */
typedef struct entry {
    const char *name;
    const void *data;
    size_t len;
} entry;

static buf archive_of(int zip, const entry *e, size_t n)
{
    buf out = {0};
    size_t cap = 1 << 20, used = 0;
    out.b = malloc(cap);
    struct archive *w = archive_write_new();
    assert_int_equal(zip ? archive_write_set_format_zip(w) : archive_write_set_format_pax_restricted(w), ARCHIVE_OK);
    if (zip) /* stored: a cut at a byte count falls where the test means it to */
        assert_int_equal(archive_write_zip_set_compression_store(w), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(w, out.b, cap, &used), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_size(ae, (la_int64_t)e[i].len);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_mtime(ae, 1650000000, 0);
        assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
        assert_int_equal(archive_write_data(w, e[i].data, e[i].len), (la_ssize_t)e[i].len);
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(w), ARCHIVE_OK);
    archive_write_free(w);
    out.n = used;
    out.cap = cap;
    return out;
}

static buf zlib_of(const void *d, size_t n)
{
    buf out = {0};
    uLongf cap = compressBound((uLong)n);
    out.b = malloc(cap);
    assert_int_equal(compress(out.b, &cap, d, (uLong)n), Z_OK);
    out.n = cap;
    return out;
}

/* ---- binary XML ---------------------------------------------------------------------- */

static const char key_b64[] = "QAAAAAcgbytJst31DsaSP7hn8QcBXKR9NPVPK9MZssFVSNIP";

/* An adb keystore as Android 12+ writes it: keyStore version=1, one adbKey with key and lastConnection. */
static buf abx_keystore(void)
{
    buf w = {0};
    put(&w, "ABX", 4); /* with its NUL */
    put_u8(&w, 0x10);  /* START_DOCUMENT */
    put_u8(&w, 0x32);  /* START_TAG, interned */
    put_new_name(&w, "keyStore");
    put_u8(&w, 0x6F); /* ATTRIBUTE int */
    put_new_name(&w, "version");
    put_be(&w, 1, 4);
    put_u8(&w, 0x32);
    put_new_name(&w, "adbKey");
    put_u8(&w, 0x2F); /* ATTRIBUTE string */
    put_new_name(&w, "key");
    char kv[256];
    snprintf(kv, sizeof kv, "%s user@laptop", key_b64);
    put_str(&w, kv);
    put_u8(&w, 0x8F); /* ATTRIBUTE long */
    put_new_name(&w, "lastConnection");
    put_be(&w, 1628501829898ull, 8);
    put_u8(&w, 0xCF); /* ATTRIBUTE boolean true */
    put_new_name(&w, "trusted");
    put_u8(&w, 0x33); /* END_TAG adbKey */
    put_be(&w, 2, 2);
    put_u8(&w, 0x33); /* END_TAG keyStore */
    put_be(&w, 0, 2);
    put_u8(&w, 0x11); /* END_DOCUMENT */
    return w;
}

typedef struct abx_seen {
    char text[2048];
} abx_seen;

static int on_abx(void *ctx, int depth, const char *tag, const char *attr, const char *value)
{
    abx_seen *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%d:%s%s%s%s%s;", depth, tag, attr ? " " : "", attr ? attr : "",
             attr ? "=" : "", attr ? value : "");
    return 0;
}

static void test_phone_abx__strict_truncated_lossy(void **state)
{
    (void)state;
    buf w = abx_keystore();
    abx_seen s = {""};
    vg_error err = {0};
    assert_int_equal(phone_abx_parse(w.b, w.n, 0, on_abx, &s, &err), 0);
    char want[1024];
    snprintf(want, sizeof want,
             "0:keyStore;0:keyStore version=1;1:adbKey;1:adbKey key=%s user@laptop;1:adbKey lastConnection=1628501829898;"
             "1:adbKey trusted=true;",
             key_b64);
    assert_string_equal(s.text, want);
    /* every prefix that cuts a token or leaves a tag open is refused, none read out of bounds */
    size_t ok = 0;
    for (size_t n = 0; n < w.n; n++) {
        memset(&s, 0, sizeof s);
        vg_error_clear(&err);
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, w.b, n);
        int rc = phone_abx_parse(cut, n, 0, on_abx, &s, &err);
        free(cut);
        if (rc == 0)
            ok++;
        else
            assert_int_equal(rc, VG_E_PARSE);
    }
    assert_int_equal(ok, 3); /* the magic alone, START_DOCUMENT alone, and all but END_DOCUMENT: complete documents */
    /* an unknown token, an end tag closing the wrong tag, an index never interned */
    static const struct {
        size_t at;
        unsigned char byte;
    } bad[] = {{4, 0x0E}, {0, 'X'}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char *d = malloc(w.n);
        memcpy(d, w.b, w.n);
        d[bad[i].at] = bad[i].byte;
        vg_error_clear(&err);
        assert_int_equal(phone_abx_parse(d, w.n, 0, on_abx, &s, &err), VG_E_PARSE);
        free(d);
    }
    unsigned char *d = malloc(w.n);
    memcpy(d, w.b, w.n);
    d[w.n - 3] = 0x09; /* END_TAG keyStore names string 0x900: never interned */
    vg_error_clear(&err);
    assert_int_equal(phone_abx_parse(d, w.n, 0, on_abx, &s, &err), VG_E_PARSE);
    free(d);

    /* as dumpsys prints it: every byte >= 0x80 became U+FFFD; the lossy reader finds the one reading */
    buf l = {0};
    for (size_t i = 0; i < w.n; i++)
        if (w.b[i] >= 0x80)
            put(&l, "\xef\xbf\xbd", 3);
        else
            put_u8(&l, w.b[i]);
    memset(&s, 0, sizeof s);
    vg_error_clear(&err);
    assert_int_equal(phone_abx_parse(l.b, l.n, 0, on_abx, &s, &err), VG_E_PARSE); /* strictly: damaged */
    vg_error_clear(&err);
    assert_int_equal(phone_abx_parse(l.b, l.n, 1, on_abx, &s, &err), 0);
    if (!strstr(s.text, "1:adbKey key=QAAAAAcgbyt"))
        fail_msg("lossy: %s", s.text);
    /* 1628501829898 is 0x0000017B2A45E90A: its 0xE9 byte was lost, so the number is unknown */
    assert_non_null(strstr(s.text, "lastConnection=?;"));
    /* as a keys file: the key is trusted, found once */
    idx *x = index_of(NULL, 0);
    phone_report *r = NULL;
    assert_int_equal(phone_check_android_artifact(x, "adb_keys", (const char *)w.b, w.n, "adb_temp_keys.xml", NULL, &r, &err), 0);
    time_is(find(r, "adb_keys", PHONE_LOW, "user@laptop"), "2021-08-09T09:37:09.898Z");
    assert_int_equal(count(r, "adb_keys", PHONE_LOW), 1);
    phone_report_free(r);
    /* a damaged keystore: the artifact says so */
    assert_int_equal(phone_check_android_artifact(x, "adb_keys", (const char *)w.b, w.n / 2, "adb_temp_keys.xml", NULL, &r, &err), 0);
    assert_int_equal(art(r, "adb_keys")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "adb_keys")->error, "damaged binary XML"));
    phone_report_free(r);
    idx_free(x);
    free(w.b);
    free(l.b);
}

/* ---- adb backups -------------------------------------------------------------------------- */

static const char sms_json[] = "[{\"address\":\"+4412345\",\"body\":\"see https://evil.example/x now\",\"date\":\"1645543781956\"}]";

static buf backup_tar(void)
{
    buf z = zlib_of(sms_json, strlen(sms_json));
    entry e[] = {{"apps/com.android.providers.telephony/d_f/000000_sms_backup", z.b, z.n},
                 {"apps/com.spy.agent/f/config", "x", 1}};
    buf t = archive_of(0, e, 2);
    free(z.b);
    return t;
}

static void hex(buf *w, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char h[3];
        snprintf(h, sizeof h, "%02X", p[i]);
        put(w, h, 2);
    }
    put_u8(w, '\n');
}

/* The Java-char checksum of a master key (version >= 2): bytes >= 0x80 become U+FF80.. in UTF-8. */
static void java_checksum(const unsigned char *mk, const unsigned char *salt, int rounds, unsigned char out[32])
{
    unsigned char b[96];
    size_t k = 0;
    for (int i = 0; i < 32; i++) {
        if (mk[i] < 0x80) {
            b[k++] = mk[i];
        } else {
            unsigned c = 0xFF00u | mk[i];
            b[k++] = (unsigned char)(0xE0 | c >> 12);
            b[k++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[k++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    assert_int_equal(PKCS5_PBKDF2_HMAC_SHA1((const char *)b, (int)k, salt, 64, rounds, 32, out), 1);
}

static int aes(int enc, const unsigned char *key, const unsigned char *iv, const unsigned char *in, int n,
               unsigned char *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int a = 0, b = 0;
    assert_int_equal(EVP_CipherInit_ex(x, EVP_aes_256_cbc(), NULL, key, iv, enc), 1);
    assert_int_equal(EVP_CipherUpdate(x, out, &a, in, n), 1);
    assert_int_equal(EVP_CipherFinal_ex(x, out + a, &b), 1);
    EVP_CIPHER_CTX_free(x);
    return a + b;
}

/* An encrypted, compressed version-5 backup of tar, as Android writes one. */
static buf encrypted_backup(const buf *tar, const char *password)
{
    unsigned char usalt[64], csalt[64], uiv[16], mkiv[16], mk[32], uk[32], ck[32];
    RAND_bytes(usalt, 64);
    RAND_bytes(csalt, 64);
    RAND_bytes(uiv, 16);
    RAND_bytes(mkiv, 16);
    RAND_bytes(mk, 32);
    mk[0] = 0x80; /* high bytes for the quirk, whatever the random draw */
    mk[1] = 0xFF;
    int rounds = 1000;
    assert_int_equal(PKCS5_PBKDF2_HMAC_SHA1(password, (int)strlen(password), usalt, 64, rounds, 32, uk), 1);
    java_checksum(mk, csalt, rounds, ck);
    unsigned char blob[1 + 16 + 1 + 32 + 1 + 32], eblob[128];
    size_t p = 0;
    blob[p++] = 16;
    memcpy(blob + p, mkiv, 16), p += 16;
    blob[p++] = 32;
    memcpy(blob + p, mk, 32), p += 32;
    blob[p++] = 32;
    memcpy(blob + p, ck, 32), p += 32;
    int bl = aes(1, uk, uiv, blob, (int)p, eblob);
    buf w = {0};
    const char *head = "ANDROID BACKUP\n5\n1\nAES-256\n";
    put(&w, head, strlen(head));
    hex(&w, usalt, 64);
    hex(&w, csalt, 64);
    char r[16];
    snprintf(r, sizeof r, "%d\n", rounds);
    put(&w, r, strlen(r));
    hex(&w, uiv, 16);
    hex(&w, eblob, (size_t)bl);
    buf z = zlib_of(tar->b, tar->n);
    unsigned char *enc = malloc(z.n + 32);
    int el = aes(1, mk, mkiv, z.b, (int)z.n, enc);
    put(&w, enc, (size_t)el);
    free(enc);
    free(z.b);
    return w;
}

static int give_password(void *ctx, const char *what, char *b, size_t n)
{
    (void)what;
    snprintf(b, n, "%s", (const char *)ctx);
    return 0;
}

static void test_phone_ab__made_here(void **state)
{
    (void)state;
    static const char *const pats[] = {"[domain-name:value = 'evil.example']", "[app:id = 'com.spy.agent']"};
    idx *x = index_of(pats, 2);
    const char *dir = vg_test_tmpdir("android_ab");
    char d[4096];
    snprintf(d, sizeof d, "%s", dir);
    buf tar = backup_tar();
    /* unencrypted, compressed, version 1 */
    buf plain = {0};
    put(&plain, "ANDROID BACKUP\n1\n1\nnone\n", 24);
    buf z = zlib_of(tar.b, tar.n);
    put(&plain, z.b, z.n);
    free(z.b);
    write_file(d, "plain.ab", plain.b, plain.n);
    char p[4200];
    snprintf(p, sizeof p, "%s/plain.ab", d);
    phone_report *r = check_path(x, p, NULL);
    time_is(find(r, "sms", PHONE_CRITICAL, "sms 0 (+4412345)"), "2022-02-22T15:29:41.956Z");
    assert_non_null(find(r, "backup_packages", PHONE_CRITICAL, "apps/com.spy.agent"));
    assert_int_equal(r->hits, 2);
    phone_report_free(r);

    /* encrypted with a non-ASCII password and a master key with high bytes */
    const char *pw = "pässwörd-123";
    buf enc = encrypted_backup(&tar, pw);
    write_file(d, "enc.bin", enc.b, enc.n); /* any name: the header says what it is */
    snprintf(p, sizeof p, "%s/enc.bin", d);
    phone_opts o = {0};
    o.password = give_password;
    o.password_ctx = (void *)pw;
    r = check_path(x, p, &o);
    assert_int_equal(art(r, "backup")->state, PHONE_READ);
    assert_non_null(find(r, "sms", PHONE_CRITICAL, "sms 0"));
    phone_report_free(r);
    o.password_ctx = (void *)"passwörd-123";
    r = check_path(x, p, &o);
    assert_int_equal(art(r, "backup")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "backup")->error, "wrong password"));
    assert_int_equal(r->nfindings, 0);
    phone_report_free(r);

    /* truncated anywhere: a clear error for the backup, never a crash; the check itself succeeds */
    size_t cuts[] = {20, 30, 200, 300, enc.n - 100, enc.n - 16, enc.n - 1}; /* header lines, then the payload */
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(d, "cut.ab", enc.b, cuts[i]);
        snprintf(p, sizeof p, "%s/cut.ab", d);
        o.password_ctx = (void *)pw;
        r = check_path(x, p, &o);
        const phone_artifact *a = art(r, "backup");
        assert_int_equal(a->state, PHONE_FAILED);
        assert_non_null(a->error);
        assert_true(strstr(a->error, "truncated") || strstr(a->error, "damaged") || strstr(a->error, "not hex") ||
                    strstr(a->error, "AES blocks") || strstr(a->error, "not 16 bytes"));
        phone_report_free(r);
    }
    /* damaged headers: each line has its own error */
    static const struct {
        const char *head;
        int rc;
        const char *msg;
    } bad[] = {
        {"ANDROID BACKUP\n9\n1\nnone\n", VG_E_UNSUPPORTED, "version"},
        {"ANDROID BACKUP\n5\n2\nnone\n", VG_E_PARSE, "compression flag"},
        {"ANDROID BACKUP\n5\n1\nDES\n", VG_E_UNSUPPORTED, "encryption"},
        {"ANDROID BACKUP\n5\n1\nAES-256\nXYZ\n", VG_E_PARSE, "user-key salt"},
        {"ANDROID BACKUP\n5\n1\nAES-256\n00\n00\n0\n", VG_E_PARSE, "round count"},
        {"ANDROID BACKUP\n5\n1\nAES-256\n00\n00\n100\n0011\n", VG_E_PARSE, "master-key IV"},
        {"ANDROID BACK\n", VG_E_PARSE, "not an Android backup"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *tarp = NULL;
        size_t tl = 0;
        vg_error err = {0};
        assert_int_equal(phone_ab_decode(bad[i].head, strlen(bad[i].head), "x", 1 << 20, &tarp, &tl, &err), bad[i].rc);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s: got \"%s\"", bad[i].msg, err.msg);
    }
    /* the ceiling on the inflated tar */
    char *tarp = NULL;
    size_t tl = 0;
    vg_error err = {0};
    assert_int_equal(phone_ab_decode(plain.b, plain.n, NULL, 100, &tarp, &tl, &err), VG_E_LIMIT);
    free(plain.b);
    free(enc.b);
    free(tar.b);
    idx_free(x);
}

/* ---- zips and nesting ------------------------------------------------------------------------------ */

static const char dumpstate[] =
    "== dumpstate: 2022-03-29 23:14:26\n"
    "------ SYSTEM PROPERTIES (getprop) ------\n"
    "[persist.sys.timezone]: [Europe/Paris]\n"
    "[ro.product.model]: [SM-A105F]\n"
    "[ro.build.version.release]: [11]\n"
    "[ro.build.id]: [RP1A.200720.012]\n"
    "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------\n"
    "-------------------------------------------------------------------------------\n"
    "DUMP OF SERVICE appops:\n"
    "Current AppOps Service state:\n"
    "  Uid u0a104:\n"
    "    state=cch\n"
    "    Package org.mozilla.firefox:\n"
    "      REQUEST_INSTALL_PACKAGES (allow):\n"
    "          Access: [fg-s] 2022-03-29 18:37:30.315 (-4h50m23s772ms)\n"
    "          Access: [fg-s] 2022-01-10 08:00:00.000 (-78d)\n"
    "--------- 0.053s was the duration of dumpsys appops, ending at: 2022-03-29 23:14:27\n"
    "-------------------------------------------------------------------------------\n"
    "DUMP OF SERVICE package:\n"
    "Packages:\n"
    "  Package [com.topjohnwu.magisk] (abc):\n"
    "    userId=10200\n"
    "    codePath=/data/app/com.topjohnwu.magisk-1\n"
    "    lastUpdateTime=2022-01-10 09:30:00\n"
    "    installerPackageName=com.android.vending\n"
    "    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]\n";

static const char tombstone[] = "Build fingerprint: 'x'\nTimestamp: 2021-09-29 17:43:49+0200\n"
                                "pid: 9850, tid: 9893, name: exploited  >>> /system/bin/mediaserver <<<\n"
                                "uid: 0\nsignal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0\n";

static void test_phone_android__zips_and_times(void **state)
{
    (void)state;
    idx *x = index_of(NULL, 0);
    const char *t = vg_test_tmpdir("android_zip_in");
    char d[4096];
    snprintf(d, sizeof d, "%s", t);
    /* tombstone first and stored big enough that a cut keeps it and loses the dumpstate file's end */
    char filler[20000];
    memset(filler, 'x', sizeof filler);
    for (size_t i = 99; i < sizeof filler; i += 100)
        filler[i] = '\n';
    entry e[] = {{"FS/data/tombstones/tombstone_00", tombstone, strlen(tombstone)},
                 {"main_entry.txt", "dumpstate.txt", 13},
                 {"dumpstate.txt", dumpstate, strlen(dumpstate)},
                 {"FS/data/local/tmp/filler", filler, sizeof filler}};
    buf z = archive_of(1, e, 4);
    write_file(d, "br.zip", z.b, z.n);
    char p[4200];
    snprintf(p, sizeof p, "%s/br.zip", d);
    phone_report *r = check_path(x, p, NULL);
    /* device facts and times: Paris is UTC+2 on 29 March 2022 (summer time began on the 27th), UTC+1 in January */
    assert_string_equal(r->device.product_type, "SM-A105F");
    assert_string_equal(r->device.os, "Android");
    assert_true(r->device.has_backup_date);
    char ts[VG_TIME_MAX];
    vg_time_format_digits(&r->device.backup_date, 0, ts);
    assert_string_equal(ts, "2022-03-29T21:14:26Z");
    time_is(find(r, "dumpsys_appops", PHONE_MEDIUM, "org.mozilla.firefox"), "2022-03-29T16:37:30.315Z");
    time_is(find(r, "dumpsys_packages", PHONE_HIGH, "com.topjohnwu.magisk"), "2022-01-10T08:30:00Z");
    time_is(find(r, "tombstones", PHONE_MEDIUM, "exploited uid 0"), "2021-09-29T15:43:49Z");
    assert_int_equal(art(r, "bugreport_timestamps")->records, 2);
    phone_report_free(r);

    /* cut short: the central directory is gone; the entries before the cut are read as a stream */
    write_file(d, "cut.zip", z.b, z.n - sizeof filler / 2);
    snprintf(p, sizeof p, "%s/cut.zip", d);
    r = check_path(x, p, NULL);
    assert_non_null(find(r, "tombstones", PHONE_MEDIUM, "exploited"));
    assert_non_null(find(r, "dumpsys_appops", PHONE_MEDIUM, "org.mozilla.firefox"));
    assert_int_equal(art(r, "dumpstate")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "dumpstate")->error, "damaged archive"));
    phone_report_free(r);
    /* cut before anything is whole: an error for the check */
    write_file(d, "tiny.zip", z.b, 20);
    snprintf(p, sizeof p, "%s/tiny.zip", d);
    vg_error err = {0};
    assert_int_equal(phone_check_android(x, p, NULL, &r, &err), VG_E_PARSE);
    assert_null(r);

    /* an AndroidQF folder whose bugreport.zip and backup.ab are junk, packages.json broken: the rest is read */
    char q[4200];
    snprintf(q, sizeof q, "%s/aqf", d);
    assert_int_equal(vg_test_sh("mkdir -p '%s'", q), 0);
    write_text(q, "bugreport.zip", "PK\x03\x04 this is not a zip at all");
    write_text(q, "backup.ab", "ANDROID BACKUP\n5\n1\nnone\n\x78\x9c garbage");
    write_text(q, "packages.json", "[{\"name\": \"com.a.b\", \"files\": [}]");
    write_text(q, "getprop.txt", "[ro.product.model]: [Pixel 7]\n[sys.foobar]: [1]\n[persist.sys.timezone]: [America/New_York]\n");
    /* AndroidQF's dumpsys.txt is read before getprop.txt, yet its device times use getprop's zone */
    write_text(q, "dumpsys.txt", "DUMP OF SERVICE appops:\n  Uid u0a9:\n    Package com.x.y:\n      REQUEST_INSTALL_PACKAGES (allow):\n"
                                 "          Access: [fg-s] 2023-07-01 12:00:00.000 (-1d)\n");
    write_text(q, "ps.txt", "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S init\n"
                            "root 777 1 1 1 0 0 S magiskd\nu0_a1 900 1 1 1 0 0 S com.example.verylongname\n");
    write_text(q, "mounts.json", "[\"/dev/block/dm-0 /system ext4 rw,seclabel,relatime 0 0\","
                                 "\"/dev/block/dm-1 /vendor ext4 ro,seclabel 0 0\",\"tmpfs / tmpfs rw 0 0\"]");
    write_text(q, "settings_global.txt", "adb_enabled=1\npackage_verifier_enable=0\nwifi_on=1\n");
    write_text(q, "files.json", "[{\"path\":\"/data/local/tmp/payload\",\"mode\":\"-rwxr-xr-x\",\"modified_time\":1600000000},"
                                "{\"path\":\"/data/local/tmp/notes.txt\",\"mode\":\"-rw-r--r--\",\"modified_time\":1600000000}]");
    static const char *const pats[] = {"[android-property:name = 'sys.foobar']",
                                       "[process:name = 'com.example.verylongname.service']"};
    idx *x2 = index_of(pats, 2);
    r = check_path(x2, q, NULL);
    assert_int_equal(art(r, "bugreport")->state, PHONE_FAILED);
    assert_non_null(art(r, "bugreport")->error);
    assert_int_equal(art(r, "backup")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "backup")->error, "backup.ab"));
    assert_int_equal(art(r, "aqf_packages")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "aqf_packages")->error, "packages.json:1:"));
    assert_non_null(find(r, "getprop", PHONE_CRITICAL, "property sys.foobar"));
    assert_string_equal(r->device.product_type, "Pixel 7");
    time_is(find(r, "dumpsys_appops", PHONE_MEDIUM, "com.x.y"), "2023-07-01T16:00:00.000Z"); /* EDT, UTC-4 */
    assert_non_null(find(r, "processes", PHONE_HIGH, "magiskd"));
    assert_null(find(r, "processes", PHONE_CRITICAL, "com.example.verylongname")); /* 24 characters: not a cut name */
    /* the mounts: /system rw is HIGH, /vendor ro and tmpfs are not */
    assert_int_equal(count(r, "aqf_mounts", PHONE_HIGH), 1);
    assert_non_null(find(r, "aqf_mounts", PHONE_HIGH, "mount /system ext4"));
    assert_int_equal(count(r, "aqf_settings", PHONE_MEDIUM), 2);
    assert_int_equal(count(r, "aqf_files", PHONE_MEDIUM), 1);
    time_is(find(r, "aqf_files", PHONE_MEDIUM, "/data/local/tmp/payload"), "2020-09-13T12:26:40Z");
    phone_report_free(r);
    idx_free(x2);

    /* not an acquisition */
    snprintf(q, sizeof q, "%s/empty", d);
    assert_int_equal(vg_test_sh("mkdir -p '%s/sub' && echo hi > '%s/sub/readme.md'", q, q), 0);
    vg_error_clear(&err);
    assert_int_equal(phone_check_android(x, q, NULL, &r, &err), VG_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "not an Android acquisition"));
    free(z.b);
    idx_free(x);
}

/* Protobuf tombstones: read alone, skipped beside their text twin, refused when they do not decode. */
static void test_phone_android__protobuf_tombstones(void **state)
{
    (void)state;
    VigilTombstone__Tombstone t = VIGIL_TOMBSTONE__TOMBSTONE__INIT;
    VigilTombstone__Signal sig = VIGIL_TOMBSTONE__SIGNAL__INIT;
    VigilTombstone__Thread th = VIGIL_TOMBSTONE__THREAD__INIT;
    VigilTombstone__ThreadEntry te = VIGIL_TOMBSTONE__THREAD_ENTRY__INIT;
    VigilTombstone__ThreadEntry *tes[] = {&te};
    char *argv[] = {"/system/bin/surfaceflinger", "--x"};
    t.timestamp = "2024-01-15 10:00:00.250+0100";
    t.pid = 600;
    t.tid = 601;
    t.uid = 1000;
    t.n_command_line = 2;
    t.command_line = argv;
    sig.number = 11;
    sig.name = "SIGSEGV";
    sig.code = 1;
    sig.code_name = "SEGV_MAPERR";
    t.signal_info = &sig;
    th.id = 601;
    th.name = "binder:600_2";
    te.key = 601;
    te.value = &th;
    t.n_threads = 1;
    t.threads = tes;
    size_t n = vigil_tombstone__tombstone__get_packed_size(&t);
    uint8_t *pb = malloc(n);
    vigil_tombstone__tombstone__pack(&t, pb);
    const char *tmp = vg_test_tmpdir("android_pb");
    char d[4096];
    snprintf(d, sizeof d, "%s", tmp);
    assert_int_equal(vg_test_sh("mkdir -p '%s/alone/FS/data/tombstones' '%s/both/FS/data/tombstones'", d, d), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/alone/FS/data/tombstones", d);
    write_file(p, "tombstone_03.pb", pb, n);
    write_text(d, "alone/main_entry.txt", "dumpstate.txt");
    write_text(d, "alone/dumpstate.txt", "DUMP OF SERVICE x:\n");
    idx *x = index_of(NULL, 0);
    snprintf(p, sizeof p, "%s/alone", d);
    phone_report *r = check_path(x, p, NULL);
    const phone_finding *f = find(r, "tombstones", PHONE_MEDIUM, "tombstone_03.pb pid 600 binder:600_2 uid 1000");
    time_is(f, "2024-01-15T09:00:00.250Z");
    assert_non_null(strstr(f->message, "/system/bin/surfaceflinger"));
    assert_non_null(strstr(f->message, "signal 11 (SIGSEGV), code 1 (SEGV_MAPERR)"));
    phone_report_free(r);
    /* beside its text twin: one finding, from the text */
    snprintf(p, sizeof p, "%s/both/FS/data/tombstones", d);
    write_file(p, "tombstone_03.pb", pb, n);
    write_text(p, "tombstone_03", tombstone);
    write_text(d, "both/main_entry.txt", "dumpstate.txt");
    write_text(d, "both/dumpstate.txt", "DUMP OF SERVICE x:\n");
    snprintf(p, sizeof p, "%s/both", d);
    r = check_path(x, p, NULL);
    assert_int_equal(count(r, "tombstones", PHONE_MEDIUM), 1);
    assert_non_null(find(r, "tombstones", PHONE_MEDIUM, "tombstone_03 pid 9850 exploited"));
    phone_report_free(r);
    /* damaged: cut in the middle of a field */
    r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_android_artifact(x, "tombstones", (const char *)pb, n - 3, "tombstone_09.pb", NULL, &r, &err), 0);
    assert_int_equal(art(r, "tombstones")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "tombstones")->error, "not a protobuf tombstone"));
    phone_report_free(r);
    free(pb);
    idx_free(x);
}

/* The process list as ps prints a name the kernel cut: "com.example.ver" is 15 characters of a longer one. */
static void test_phone_android__process_truncation(void **state)
{
    (void)state;
    static const char *const pats[] = {"[process:name = 'com.example.verylongname.service']"};
    idx *x = index_of(pats, 1);
    const char ps[] = "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu0_a1 900 1 1 1 0 0 S com.example.ver\n"
                      "u0_a1 901 1 1 1 0 0 S com.example.ve\n";
    phone_report *r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_android_artifact(x, "processes", ps, strlen(ps), "ps.txt", NULL, &r, &err), 0);
    assert_int_equal(r->hits, 1);
    const phone_finding *f = find(r, "processes", PHONE_CRITICAL, "pid 900 com.example.ver");
    assert_non_null(f);
    assert_int_equal(f->kind, IDX_K_PROC_TRUNC);
    phone_report_free(r);
    idx_free(x);
}

/* Allocation failures: every failing allocation gives VG_E_NOMEM (or a recorded artifact error), never a leak. */
static void test_phone_android__alloc_failures(void **state)
{
    (void)state;
    static const char *const pats[] = {"[app:id = 'org.mozilla.firefox']"};
    idx *x = index_of(pats, 1);
    for (long n = 1; n < 2000; n++) {
        phone_report *r = NULL;
        vg_error err = {0};
        long before = vg_alloc_failures();
        vg_alloc_fail_after(n);
        int rc = phone_check_android_artifact(x, "dumpstate", dumpstate, strlen(dumpstate), "dumpstate.txt", NULL, &r,
                                              &err);
        vg_alloc_fail_reset();
        if (rc == 0) {
            phone_report_free(r);
            if (vg_alloc_failures() == before)
                break; /* no allocation failed: every earlier one was tried */
            continue;
        }
        assert_int_equal(rc, VG_E_NOMEM);
        assert_null(r);
    }
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    setenv("TZDIR", "/usr/share/zoneinfo", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_abx__strict_truncated_lossy),
        cmocka_unit_test(test_phone_ab__made_here),
        cmocka_unit_test(test_phone_android__zips_and_times),
        cmocka_unit_test(test_phone_android__process_truncation),
        cmocka_unit_test(test_phone_android__protobuf_tombstones),
        cmocka_unit_test(test_phone_android__alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
