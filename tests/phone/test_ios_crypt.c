/*
 * test_ios_crypt.c - encrypted iOS backups. There is no real encrypted
 * backup in ../shared, so the test makes one: it encrypts the real iOS 14.3
 * test backup by the scheme iTunes/Finder use (a keybag of random class keys
 * wrapped with the password stretched by PBKDF2-SHA256 then PBKDF2-SHA1, at
 * low iteration counts; ManifestKey; Manifest.db and each file AES-256-CBC
 * with a zero IV under its own key, wrapped in its MBFile record), all with
 * OpenSSL and libplist here, not with vigil's code. Then check-ios with the
 * password finds what it finds in the plain backup, a wrong password is a
 * clear error, a saved key opens the backup, decrypt-ios writes a copy that
 * check-ios reads as a plain backup, the RFC 3394 test vector unwraps, and
 * damaged keybags are refused without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <plist/plist.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "vg_test.h"

static char backup[1024], bundle[1024];
static char enc[1200]; /* the encrypted copy made once by the group setup */
static const char password[] = "correct horse battery staple";

/* ---- the encryptor (independent of src/phone) ---------------------------------- */

static void wrap_key(const unsigned char kek[32], const unsigned char key[32], unsigned char out[40])
{
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    EVP_CIPHER_CTX_set_flags(cx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    assert_int_equal(EVP_EncryptInit_ex(cx, EVP_aes_256_wrap(), NULL, kek, NULL), 1);
    assert_int_equal(EVP_EncryptUpdate(cx, out, &n, key, 32), 1);
    assert_int_equal(EVP_EncryptFinal_ex(cx, out + n, &m), 1);
    assert_int_equal(n + m, 40);
    EVP_CIPHER_CTX_free(cx);
}

/* AES-256-CBC, zero IV, PKCS#7 padding: a malloc'd buffer. */
static unsigned char *cbc(const unsigned char key[32], const void *in, size_t len, size_t *outlen)
{
    unsigned char iv[16] = {0};
    unsigned char *out = malloc(len + 32);
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    assert_int_equal(EVP_EncryptInit_ex(cx, EVP_aes_256_cbc(), NULL, key, iv), 1);
    assert_int_equal(EVP_EncryptUpdate(cx, out, &n, in, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(cx, out + n, &m), 1);
    EVP_CIPHER_CTX_free(cx);
    *outlen = (size_t)(n + m);
    return out;
}

static size_t tlv(unsigned char *p, const char *tag, const void *v, uint32_t n)
{
    memcpy(p, tag, 4);
    p[4] = (unsigned char)(n >> 24);
    p[5] = (unsigned char)(n >> 16);
    p[6] = (unsigned char)(n >> 8);
    p[7] = (unsigned char)n;
    memcpy(p + 8, v, n);
    return 8 + n;
}

static size_t tlv_u32(unsigned char *p, const char *tag, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    return tlv(p, tag, b, 4);
}

typedef struct keys {
    unsigned char cls[12][32]; /* class keys 1..11 */
    unsigned char bag[2048];   /* the keybag */
    size_t baglen;
} keys;

/* A backup keybag: iOS 10.2+ double stretching with dpic/iter rounds, classes 1..11 wrapped with the password. */
static void make_keybag(keys *k, const char *pw, uint32_t dpic, uint32_t iter)
{
    unsigned char uuid[16], hmck[40], salt[20], dpsl[20], mid[32], pk[32];
    RAND_bytes(uuid, 16);
    RAND_bytes(hmck, 40);
    RAND_bytes(salt, 20);
    RAND_bytes(dpsl, 20);
    assert_int_equal(PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), dpsl, 20, (int)dpic, EVP_sha256(), 32, mid), 1);
    assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)mid, 32, salt, 20, (int)iter, EVP_sha1(), 32, pk), 1);
    unsigned char *p = k->bag;
    p += tlv_u32(p, "VERS", 4);
    p += tlv_u32(p, "TYPE", 1);
    p += tlv(p, "UUID", uuid, 16);
    p += tlv(p, "HMCK", hmck, 40);
    p += tlv_u32(p, "WRAP", 0);
    p += tlv(p, "SALT", salt, 20);
    p += tlv_u32(p, "ITER", iter);
    p += tlv_u32(p, "DPWT", 1);
    p += tlv_u32(p, "DPIC", dpic);
    p += tlv(p, "DPSL", dpsl, 20);
    for (uint32_t c = 1; c <= 11; c++) {
        unsigned char cu[16], w[40];
        RAND_bytes(cu, 16);
        RAND_bytes(k->cls[c], 32);
        wrap_key(pk, k->cls[c], w);
        p += tlv(p, "UUID", cu, 16);
        p += tlv_u32(p, "CLAS", c);
        p += tlv_u32(p, "WRAP", 2);
        p += tlv_u32(p, "KTYP", 0);
        p += tlv(p, "WPKY", w, 40);
    }
    k->baglen = (size_t)(p - k->bag);
}

/* "class (LE) + wrapped key" for a fresh random key of class c. */
static void new_file_key(const keys *k, uint32_t c, unsigned char key[32], unsigned char out[44])
{
    RAND_bytes(key, 32);
    out[0] = (unsigned char)c;
    out[1] = out[2] = out[3] = 0;
    wrap_key(k->cls[c], key, out + 4);
}

/* The MBFile blob with EncryptionKey (an archived NSData), ProtectionClass and Size added. */
static void *mbfile_with_key(const void *blob, size_t bl, const unsigned char ek[44], uint64_t size, uint32_t *len)
{
    plist_t p = NULL;
    plist_from_bin(blob, (uint32_t)bl, &p);
    assert_non_null(p);
    plist_t objs = plist_dict_get_item(p, "$objects");
    uint64_t rootuid = 0;
    plist_get_uid_val(plist_dict_get_item(plist_dict_get_item(p, "$top"), "root"), &rootuid);
    plist_t root = plist_array_get_item(objs, (uint32_t)rootuid);
    assert_non_null(root);
    uint32_t n = plist_array_get_size(objs);
    plist_t data = plist_new_dict();
    plist_dict_set_item(data, "NS.data", plist_new_data((const char *)ek, 44));
    plist_dict_set_item(data, "$class", plist_new_uid(n + 1));
    plist_t cls = plist_new_dict();
    plist_dict_set_item(cls, "$classname", plist_new_string("NSMutableData"));
    plist_t chain = plist_new_array();
    plist_array_append_item(chain, plist_new_string("NSMutableData"));
    plist_array_append_item(chain, plist_new_string("NSData"));
    plist_array_append_item(chain, plist_new_string("NSObject"));
    plist_dict_set_item(cls, "$classes", chain);
    plist_array_append_item(objs, data);
    plist_array_append_item(objs, cls);
    plist_dict_set_item(root, "EncryptionKey", plist_new_uid(n));
    plist_dict_set_item(root, "ProtectionClass", plist_new_uint(ek[0]));
    plist_dict_set_item(root, "Size", plist_new_uint(size));
    char *out = NULL;
    plist_to_bin(p, &out, len);
    plist_free(p);
    return out;
}

static void write_at(const char *root, const char *id, const void *data, size_t len)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/%.2s", root, id);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/%.2s/%s", root, id, id);
    vg_test_write_file(p, data, len);
}

/* Encrypts the plain backup `src` into `dst` with password pw. */
static void encrypt_backup(const char *src, const char *dst, const char *pw)
{
    keys *k = calloc(1, sizeof *k);
    make_keybag(k, pw, 1000, 100);
    char p[1400], work[1400];
    snprintf(p, sizeof p, "%s/Manifest.db", src);
    snprintf(work, sizeof work, "%s/Manifest.plain.db", dst);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    vg_test_write_file(work, data, len);
    free(data);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(work, &db), SQLITE_OK);
    sqlite3_stmt *sel = NULL, *upd = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT fileID, file FROM Files WHERE flags = 1", -1, &sel, NULL), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE Files SET file = ? WHERE fileID = ?", -1, &upd, NULL), 0);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    int files = 0;
    while (sqlite3_step(sel) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(sel, 0);
        snprintf(p, sizeof p, "%s/%.2s/%s", src, id, id);
        struct stat sb;
        if (stat(p, &sb) != 0)
            continue; /* listed, not in the backup: stays so */
        unsigned char fk[32], ek[44];
        new_file_key(k, files % 2 ? 3 : 4, fk, ek); /* classes 3 and 4, as most backup files */
        char *plain = vg_test_read_file(p, &len);
        size_t cl;
        unsigned char *ct = cbc(fk, plain, len, &cl);
        write_at(dst, id, ct, cl);
        free(ct);
        free(plain);
        uint32_t bl = 0;
        void *blob = mbfile_with_key(sqlite3_column_blob(sel, 1), (size_t)sqlite3_column_bytes(sel, 1), ek, len, &bl);
        sqlite3_bind_blob(upd, 1, blob, (int)bl, SQLITE_TRANSIENT);
        sqlite3_bind_text(upd, 2, id, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
        sqlite3_reset(upd);
        free(blob);
        files++;
    }
    assert_int_equal(files, 10); /* 11 files on disk, LID.sqlite is not in the manifest */
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_close(db);
    /* Manifest.db under ManifestKey (class 3) */
    unsigned char mk[32], mkw[44];
    new_file_key(k, 3, mk, mkw);
    data = vg_test_read_file(work, &len);
    size_t cl;
    unsigned char *ct = cbc(mk, data, len, &cl);
    snprintf(p, sizeof p, "%s/Manifest.db", dst);
    vg_test_write_file(p, ct, cl);
    free(ct);
    free(data);
    remove(work);
    plist_t mp = plist_new_dict();
    plist_dict_set_item(mp, "BackupKeyBag", plist_new_data((const char *)k->bag, k->baglen));
    plist_dict_set_item(mp, "ManifestKey", plist_new_data((const char *)mkw, 44));
    plist_dict_set_item(mp, "IsEncrypted", plist_new_bool(1));
    plist_dict_set_item(mp, "Version", plist_new_string("10.0"));
    char *bin = NULL;
    uint32_t binlen = 0;
    plist_to_bin(mp, &bin, &binlen);
    plist_free(mp);
    snprintf(p, sizeof p, "%s/Manifest.plist", dst);
    vg_test_write_file(p, bin, binlen);
    free(bin);
    snprintf(p, sizeof p, "%s/Info.plist", src);
    data = vg_test_read_file(p, &len);
    snprintf(p, sizeof p, "%s/Info.plist", dst);
    vg_test_write_file(p, data, len);
    free(data);
    free(k);
}

/* ---- checks ----------------------------------------------------------------------- */

static idx *test_index(void)
{
    const char *paths[] = {bundle};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 1, &x, &err), 0);
    return x;
}

static int has_finding(const phone_report *r, const char *artifact, const char *value)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i].artifact, artifact) == 0 && strcmp(r->findings[i].value, value) == 0)
            return 1;
    return 0;
}

/* What the plain backup gives, less WhatsApp's LID map (not in the manifest, so without a key). */
static void assert_same_findings(const phone_report *r)
{
    assert_true(has_finding(r, "tcc", "Launch"));
    assert_true(has_finding(r, "sms", "https://badbadbad.example.org/"));
    assert_true(has_finding(r, "whatsapp", "https://example.org/news"));
    assert_true(has_finding(r, "calendar", "user@example.org"));
    assert_int_equal(r->nfindings, 6); /* and the DataUsage gap, lockdown mode */
    assert_string_equal(r->device.product_version, "14.3");
    for (size_t i = 0; i < r->nartifacts; i++) {
        assert_null(r->artifacts[i].error);
        if (strcmp(r->artifacts[i].name, "manifest") == 0)
            assert_int_equal(r->artifacts[i].records, 3721);
    }
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_phone_ios_crypt__password(void **state)
{
    (void)state;
    idx *x = test_index();
    assert_true(phone_ios_is_encrypted(enc));
    vg_error err = {0};
    phone_report *r = NULL;
    /* without a key: refused with a hint */
    assert_int_equal(phone_check_ios(x, enc, NULL, &r, &err), VG_E_USAGE);
    assert_non_null(strstr(err.msg, "encrypted backup"));
    phone_ios_key *k = NULL;
    assert_int_equal(phone_ios_unlock(enc, password, strlen(password), NULL, &k, &err), 0);
    /* the decrypted files live in a private folder under TMPDIR and go away after the check */
    const char *tmp = vg_test_tmpdir("phone_crypt_tmp");
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", tmp, 1);
    phone_opts o = {0};
    o.key = k;
    int rc = phone_check_ios(x, enc, &o, &r, &err);
    if (old) {
        setenv("TMPDIR", old, 1);
        free(old);
    } else {
        unsetenv("TMPDIR");
    }
    assert_int_equal(rc, 0);
    assert_same_findings(r);
    assert_int_equal(count_entries(tmp), 0);
    phone_report_free(r);
    phone_ios_key_free(k);
    idx_free(x);
}

static void test_phone_ios_crypt__wrong_password(void **state)
{
    (void)state;
    vg_error err = {0};
    phone_ios_key *k = NULL;
    assert_int_equal(phone_ios_unlock(enc, "hunter2", 7, NULL, &k, &err), VG_E_INVALID);
    assert_null(k);
    assert_non_null(strstr(err.msg, "wrong password for the backup"));
    /* the CLI: exit 2, the same message */
    const char *dir = vg_test_tmpdir("phone_crypt_cli");
    assert_int_equal(vg_test_sh("echo hunter2 | %s phone check-ios --no-record --iocs '%s' --password-stdin '%s' "
                                "2>'%s/err'",
                                vg_test_bin(), bundle, enc, dir),
                     2);
    char p[1400];
    snprintf(p, sizeof p, "%s/err", dir);
    char *msg = vg_test_read_file(p, NULL);
    assert_non_null(strstr(msg, "wrong password for the backup"));
    free(msg);
}

/* decrypt-ios --save-key, then check-ios --key-file, then the copy read as a plain backup. */
static void test_phone_ios_crypt__decrypt_and_key_file(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("phone_crypt_copy");
    char out[1300], key[1300], p[1500];
    snprintf(out, sizeof out, "%s/plain", dir);
    snprintf(key, sizeof key, "%s/backup.key", dir);
    assert_int_equal(vg_test_sh("printf '%%s\\n' '%s' | %s phone decrypt-ios --password-stdin --save-key '%s' '%s' "
                                "'%s' 2>/dev/null",
                                password, vg_test_bin(), key, enc, out),
                     0);
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* the copy: not encrypted, the same findings without any key */
    assert_false(phone_ios_is_encrypted(out));
    idx *x = test_index();
    phone_report *r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_ios(x, out, NULL, &r, &err), 0);
    assert_same_findings(r);
    phone_report_free(r);
    /* each file is byte for byte the original (trimmed to its Size) */
    static const char *const ids[] = {"3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28",
                                      "64/64d0019cb3d46bfc8cce545a8ba54b93e7ea9347"};
    for (size_t i = 0; i < 2; i++) {
        size_t a, b;
        snprintf(p, sizeof p, "%s/%s", backup, ids[i]);
        char *orig = vg_test_read_file(p, &a);
        snprintf(p, sizeof p, "%s/%s", out, ids[i]);
        char *copy = vg_test_read_file(p, &b);
        assert_int_equal(a, b);
        assert_memory_equal(orig, copy, a);
        free(orig);
        free(copy);
    }
    /* the saved key opens the backup without the password, by the library and by the CLI */
    phone_ios_key *k = NULL;
    assert_int_equal(phone_ios_unlock(enc, NULL, 0, key, &k, &err), 0);
    phone_opts o = {0};
    o.key = k;
    assert_int_equal(phone_check_ios(x, enc, &o, &r, &err), 0);
    assert_same_findings(r);
    phone_report_free(r);
    phone_ios_key_free(k);
    assert_int_equal(vg_test_sh("%s phone check-ios --no-record --iocs '%s' --key-file '%s' '%s' >/dev/null 2>&1",
                                vg_test_bin(), bundle, key, enc),
                     1); /* found */
    /* decrypt-ios into a folder that already holds a backup: refused */
    assert_int_equal(vg_test_sh("%s phone decrypt-ios --key-file '%s' '%s' '%s' 2>/dev/null", vg_test_bin(), key,
                                enc, out),
                     2);
    /* a key file of another backup, and a file that is no key file */
    char other[1300];
    snprintf(other, sizeof other, "%s/other", dir);
    mkdir(other, 0700);
    encrypt_backup(backup, other, password);
    assert_int_equal(phone_ios_unlock(other, NULL, 0, key, &k, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "another backup"));
    snprintf(p, sizeof p, "%s/Info.plist", backup);
    assert_int_equal(phone_ios_unlock(enc, NULL, 0, p, &k, &err), VG_E_PARSE);
    idx_free(x);
}

/* RFC 3394 §4.6: 256-bit key data wrapped with a 256-bit KEK, through a keybag opened by a key file. */
static void test_phone_ios_crypt__rfc3394_vector(void **state)
{
    (void)state;
    static const unsigned char wrapped[40] = {
        0x28, 0xC9, 0xF4, 0x04, 0xC4, 0xB8, 0x10, 0xF4, 0xCB, 0xCC, 0xB3, 0x5C, 0xFB, 0x87, 0xF8, 0x26,
        0x3F, 0x57, 0x86, 0xE2, 0xD8, 0x0E, 0xD3, 0x26, 0xCB, 0xC7, 0xF0, 0xE7, 0x1A, 0x99, 0xF4, 0x3B,
        0xFB, 0x98, 0x8B, 0x9B, 0x7A, 0x02, 0xDD, 0x21};
    const char *dir = vg_test_tmpdir("phone_crypt_rfc");
    unsigned char bag[512], *q = bag, uuid[16] = {1, 2, 3};
    q += tlv_u32(q, "VERS", 3);
    q += tlv(q, "UUID", uuid, 16);
    q += tlv(q, "SALT", "saltsaltsaltsaltsalt", 20);
    q += tlv_u32(q, "ITER", 1);
    q += tlv(q, "UUID", uuid, 16);
    q += tlv_u32(q, "CLAS", 3);
    q += tlv_u32(q, "WRAP", 2);
    q += tlv(q, "WPKY", wrapped, 40);
    /* ManifestKey: the test's own random key wrapped with the RFC's key data as class 3 key */
    static const unsigned char kd[32] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA,
                                         0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                         0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
    keys *k = calloc(1, sizeof *k);
    memcpy(k->cls[3], kd, 32);
    unsigned char mk[32], mkw[44];
    new_file_key(k, 3, mk, mkw);
    free(k);
    plist_t mp = plist_new_dict();
    plist_dict_set_item(mp, "BackupKeyBag", plist_new_data((const char *)bag, (uint64_t)(q - bag)));
    plist_dict_set_item(mp, "ManifestKey", plist_new_data((const char *)mkw, 44));
    plist_dict_set_item(mp, "IsEncrypted", plist_new_bool(1));
    char *xml = NULL;
    uint32_t xl = 0;
    plist_to_xml(mp, &xml, &xl);
    plist_free(mp);
    char p[1400];
    snprintf(p, sizeof p, "%s/Manifest.plist", dir);
    vg_test_write_file(p, xml, xl);
    free(xml);
    /* a Manifest.db of one empty table, under the ManifestKey */
    static const char sql_db[] = "SQLite format 3";
    char db[1300];
    snprintf(db, sizeof db, "%s/plain.db", dir);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "CREATE TABLE Files (fileID TEXT, domain TEXT, relativePath TEXT, flags "
                                     "INTEGER, file BLOB)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    size_t len, cl;
    char *plain = vg_test_read_file(db, &len);
    assert_memory_equal(plain, sql_db, 15);
    unsigned char *ct = cbc(mk, plain, len, &cl);
    snprintf(p, sizeof p, "%s/Manifest.db", dir);
    vg_test_write_file(p, ct, cl);
    free(ct);
    free(plain);
    /* the key file holds the RFC's KEK 000102...1F as the stretched password */
    snprintf(p, sizeof p, "%s/k", dir);
    FILE *f = fopen(p, "w");
    fprintf(f, "vigil-ios-backup-key 1\nkeybag 01020300000000000000000000000000\nkey ");
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02x", i);
    fprintf(f, "\n");
    fclose(f);
    phone_ios_key *key = NULL;
    vg_error err = {0};
    assert_int_equal(phone_ios_unlock(dir, NULL, 0, p, &key, &err), 0);
    char out[1200];
    snprintf(out, sizeof out, "%s/out", dir);
    phone_decrypt_stats ds;
    assert_int_equal(phone_ios_decrypt(dir, key, out, &ds, &err), 0);
    assert_int_equal(ds.files, 0);
    snprintf(p, sizeof p, "%s/Manifest.db", out);
    plain = vg_test_read_file(p, &len);
    assert_memory_equal(plain, sql_db, 15);
    assert_int_equal(len % 512, 0); /* the padding was stripped: a whole number of pages */
    free(plain);
    phone_ios_key_free(key);
    /* one bit off in the KEK: the unwrap's integrity check fails */
    snprintf(p, sizeof p, "%s/k", dir);
    f = fopen(p, "w");
    fprintf(f, "vigil-ios-backup-key 1\nkeybag 01020300000000000000000000000000\nkey 01");
    for (int i = 1; i < 32; i++)
        fprintf(f, "%02x", i);
    fprintf(f, "\n");
    fclose(f);
    assert_int_equal(phone_ios_unlock(dir, NULL, 0, p, &key, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "does not open the backup"));
}

static void test_phone_ios_crypt__keybag_damage(void **state)
{
    (void)state;
    keys *k = calloc(1, sizeof *k);
    make_keybag(k, "x", 1, 1);
    phone_keybag kb;
    vg_error err = {0};
    assert_int_equal(phone_keybag_parse(k->bag, k->baglen, &kb, &err), 0);
    assert_int_equal(kb.version, 4);
    assert_int_equal(kb.type, 1);
    assert_int_equal(kb.iter, 1);
    assert_int_equal(kb.dpic, 1);
    assert_int_equal(kb.dpsl_len, 20);
    assert_int_equal(kb.nclasses, 11);
    assert_int_equal(kb.classes[10].clas, 11);
    assert_int_equal(kb.classes[10].wrap, 2);
    assert_int_equal(kb.classes[10].wpky_len, 40);
    /* every truncation: a clean error or a shorter keybag, never a crash */
    for (size_t n = 0; n < k->baglen; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, k->bag, n);
        int rc = phone_keybag_parse(copy, n, &kb, &err);
        assert_true(rc == 0 || rc == VG_E_PARSE);
        free(copy);
    }
    /* a length past the end */
    k->bag[4] = 0x7f;
    assert_int_equal(phone_keybag_parse(k->bag, k->baglen, &kb, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "VERS"));
    free(k);
}

static int setup(void **state)
{
    (void)state;
    snprintf(enc, sizeof enc, "%s/enc", vg_test_tmpdir("phone_crypt"));
    mkdir(enc, 0700);
    encrypt_backup(backup, enc, password);
    return 0;
}

int main(void)
{
    vg_alloc_init();
    const char *shared = vg_test_shared();
    snprintf(backup, sizeof backup, "%s/data/mobile/ios_backup", shared);
    snprintf(bundle, sizeof bundle, "%s/data/mobile/test-indicators.stix2", shared);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_ios_crypt__password),
        cmocka_unit_test(test_phone_ios_crypt__wrong_password),
        cmocka_unit_test(test_phone_ios_crypt__decrypt_and_key_file),
        cmocka_unit_test(test_phone_ios_crypt__rfc3394_vector),
        cmocka_unit_test(test_phone_ios_crypt__keybag_damage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
