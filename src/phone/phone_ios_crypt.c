/*
 * phone_ios_crypt.c - encrypted iOS backups: the keybag, the password, the
 * class keys, and decrypting Manifest.db and the files.
 *
 * Manifest.plist holds BackupKeyBag and ManifestKey. The keybag is a run of
 * TLV records (4-byte tag, 4-byte big-endian length, value): VERS, TYPE,
 * UUID, HMCK, WRAP, SALT, ITER, DPWT, DPIC, DPSL, then for each class key a
 * UUID followed by CLAS, WRAP, KTYP, WPKY. The password is stretched with
 * PBKDF2-HMAC-SHA256(password, DPSL, DPIC) and then PBKDF2-HMAC-SHA1(that,
 * SALT, ITER) (iOS 10.2 and later; older backups have only the SHA-1 round,
 * over the password). Each class key wrapped with the passcode (WRAP 2) is
 * unwrapped with the result (RFC 3394 AES key wrap); the integrity check of
 * the unwrap is how a wrong password shows.
 *
 * ManifestKey and each file's EncryptionKey (in its MBFile record) are a
 * 4-byte little-endian protection class and the file key wrapped with that
 * class's key. Files are AES-256-CBC with a zero IV, padded to 16 bytes
 * (PKCS#7); a file is trimmed to its MBFile Size, Manifest.db to its
 * padding. Decryption streams: a file is never held in memory whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define KEYBAG_MAX (64u << 10)     /* a keybag is a few hundred bytes */
#define ITER_MAX 100000000u        /* PBKDF2 rounds beyond this would run for minutes */
#define KEY_FILE_MAX 4096          /* a saved key is three short lines */
#define MANIFEST_PLIST_MAX (64u << 20)

struct phone_ios_key {
    unsigned char uuid[16];        /* the keybag's UUID: a saved key opens only its own backup */
    unsigned char passkey[32];     /* the stretched password (what --save-key writes) */
    unsigned char classkey[32][32]; /* unwrapped class keys, by class number */
    unsigned char has_class[32];   /* 1 where classkey[c] is set */
    unsigned char manifest_key[64]; /* ManifestKey: class (4 bytes LE) + wrapped key */
    size_t manifest_key_len;       /* its length, 0 when Manifest.plist had none */
};

/* ---- the keybag ------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An integer record: big-endian, 1 to 4 bytes (longer values keep their low 32 bits). */
static uint32_t tlv_uint(const unsigned char *v, uint32_t n)
{
    uint32_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x = x << 8 | v[i];
    return x;
}

/* Copies a byte value into a fixed field; 0 when it does not fit. */
static int tlv_bytes(unsigned char *dst, size_t cap, size_t *dlen, const unsigned char *v, uint32_t n)
{
    if (n > cap)
        return 0;
    memcpy(dst, v, n);
    if (dlen)
        *dlen = n;
    return 1;
}

int phone_keybag_parse(const void *data, size_t len, phone_keybag *out, vg_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > KEYBAG_MAX)
        return vg_error_set(err, VG_E_LIMIT, "the backup keybag is %zu bytes (at most %u)", len, KEYBAG_MAX);
    const unsigned char *d = data;
    size_t off = 0;
    int have_uuid = 0, have_salt = 0, have_iter = 0;
    phone_keybag_class *cur = NULL; /* the class key being read, NULL before the second UUID */
    while (off < len) {
        if (len - off < 8)
            return vg_error_set(err, VG_E_PARSE, "the backup keybag is truncated at byte %zu (a record header)", off);
        const unsigned char *tag = d + off;
        uint32_t n = be32(d + off + 4);
        if (n > len - off - 8)
            return vg_error_set(err, VG_E_PARSE, "the backup keybag's record %.4s at byte %zu is longer (%u) than "
                                "what is left (%zu)", (const char *)tag, off, n, len - off - 8);
        const unsigned char *v = d + off + 8;
        int ok = 1;
        if (memcmp(tag, "UUID", 4) == 0) {
            if (!have_uuid) {
                ok = n == 16 && tlv_bytes(out->uuid, 16, NULL, v, n);
                have_uuid = 1;
            } else if (out->nclasses == sizeof out->classes / sizeof out->classes[0]) {
                return vg_error_set(err, VG_E_LIMIT, "the backup keybag has more than %zu class keys",
                                    sizeof out->classes / sizeof out->classes[0]);
            } else {
                cur = &out->classes[out->nclasses++];
            }
        } else if (memcmp(tag, "WPKY", 4) == 0 && cur) {
            ok = tlv_bytes(cur->wpky, sizeof cur->wpky, &cur->wpky_len, v, n);
        } else if (memcmp(tag, "CLAS", 4) == 0 && cur) {
            cur->clas = tlv_uint(v, n < 4 ? n : 4);
        } else if (memcmp(tag, "WRAP", 4) == 0 && cur) {
            cur->wrap = tlv_uint(v, n < 4 ? n : 4);
        } else if (memcmp(tag, "KTYP", 4) == 0 && cur) {
            cur->ktyp = tlv_uint(v, n < 4 ? n : 4);
        } else if (memcmp(tag, "VERS", 4) == 0 && !cur) {
            out->version = tlv_uint(v, n < 4 ? n : 4);
        } else if (memcmp(tag, "TYPE", 4) == 0 && !cur) {
            out->type = tlv_uint(v, n < 4 ? n : 4);
        } else if (memcmp(tag, "SALT", 4) == 0 && !cur) {
            ok = tlv_bytes(out->salt, sizeof out->salt, &out->salt_len, v, n);
            have_salt = 1;
        } else if (memcmp(tag, "ITER", 4) == 0 && !cur) {
            out->iter = tlv_uint(v, n < 4 ? n : 4);
            have_iter = 1;
        } else if (memcmp(tag, "DPSL", 4) == 0 && !cur) {
            ok = tlv_bytes(out->dpsl, sizeof out->dpsl, &out->dpsl_len, v, n);
        } else if (memcmp(tag, "DPIC", 4) == 0 && !cur) {
            out->dpic = tlv_uint(v, n < 4 ? n : 4);
        } /* HMCK, DPWT, PBKY and unknown records are skipped */
        if (!ok)
            return vg_error_set(err, VG_E_PARSE, "the backup keybag's record %.4s at byte %zu has a bad length (%u)",
                                (const char *)tag, off, n);
        off += 8 + (size_t)n;
    }
    if (!have_uuid || !have_salt || !have_iter)
        return vg_error_set(err, VG_E_PARSE, "the backup keybag lacks its %s record",
                            !have_uuid ? "UUID" : !have_salt ? "SALT" : "ITER");
    return 0;
}

/* ---- keys ------------------------------------------------------------------- */

/* RFC 3394 unwrap of a 256-bit key (40 bytes in). 0, or -1 when the integrity check fails. */
static int aes_unwrap(const unsigned char kek[32], const unsigned char *in, size_t inlen, unsigned char out[32])
{
    if (inlen != 40)
        return -1;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    if (!cx)
        return -1;
    int n = 0, m = 0, rc = -1;
    EVP_CIPHER_CTX_set_flags(cx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_DecryptInit_ex(cx, EVP_aes_256_wrap(), NULL, kek, NULL) == 1 &&
        EVP_DecryptUpdate(cx, out, &n, in, (int)inlen) == 1 && EVP_DecryptFinal_ex(cx, out + n, &m) == 1 &&
        n + m == 32)
        rc = 0;
    EVP_CIPHER_CTX_free(cx);
    return rc;
}

static int stretch(const phone_keybag *kb, const char *pw, size_t len, unsigned char out[32], vg_error *err)
{
    if (kb->iter == 0 || kb->iter > ITER_MAX || kb->dpic > ITER_MAX)
        return vg_error_set(err, VG_E_LIMIT, "the backup keybag asks for %u and %u PBKDF2 rounds (at most %u, at "
                            "least 1)", kb->dpic, kb->iter, ITER_MAX);
    unsigned char mid[32];
    const unsigned char *p = (const unsigned char *)pw;
    size_t plen = len;
    int ok = 1;
    if (kb->dpsl_len && kb->dpic) { /* iOS 10.2+: the SHA-256 round first */
        ok = PKCS5_PBKDF2_HMAC(pw, (int)len, kb->dpsl, (int)kb->dpsl_len, (int)kb->dpic, EVP_sha256(), 32, mid) == 1;
        p = mid;
        plen = 32;
    }
    ok = ok && PKCS5_PBKDF2_HMAC((const char *)p, (int)plen, kb->salt, (int)kb->salt_len, (int)kb->iter, EVP_sha1(),
                                 32, out) == 1;
    OPENSSL_cleanse(mid, sizeof mid);
    return ok ? 0 : vg_error_set(err, VG_E_NOMEM, "PBKDF2 failed");
}

/* Unwraps every passcode-wrapped class key with k->passkey. 0, or -1 when one fails (wrong key). */
static int unwrap_classes(phone_ios_key *k, const phone_keybag *kb, int *usable)
{
    *usable = 0;
    for (size_t i = 0; i < kb->nclasses; i++) {
        const phone_keybag_class *c = &kb->classes[i];
        if (!(c->wrap & 2) || c->clas >= 32 || c->wpky_len != 40)
            continue; /* device-wrapped (not in backups) or not a class we can hold */
        unsigned char key[32];
        if (aes_unwrap(k->passkey, c->wpky, c->wpky_len, key) != 0)
            return -1;
        memcpy(k->classkey[c->clas], key, 32);
        k->has_class[c->clas] = 1;
        OPENSSL_cleanse(key, sizeof key);
        ++*usable;
    }
    return 0;
}

void phone_ios_key_free(phone_ios_key *k)
{
    if (!k)
        return;
    OPENSSL_cleanse(k, sizeof *k);
    vg_free(k);
}

static int hexval(int ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* n bytes from 2n hex digits at s; 0 when they are exactly that. */
static int unhex(const char *s, size_t slen, unsigned char *out, size_t n)
{
    if (slen != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int a = hexval((unsigned char)s[2 * i]), b = hexval((unsigned char)s[2 * i + 1]);
        if (a < 0 || b < 0)
            return -1;
        out[i] = (unsigned char)(a << 4 | b);
    }
    return 0;
}

static void tohex(const unsigned char *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = 0;
}

static const char key_magic[] = "vigil-ios-backup-key 1";

int phone_ios_key_save(const phone_ios_key *k, const char *path, vg_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return vg_error_set(err, VG_E_IO, "cannot write the key file %s: %s", path, strerror(errno));
    fchmod(fd, 0600); /* an existing file keeps its mode otherwise */
    char uuid[33], key[65], buf[256];
    tohex(k->uuid, 16, uuid);
    tohex(k->passkey, 32, key);
    int n = snprintf(buf, sizeof buf, "%s\nkeybag %s\nkey %s\n", key_magic, uuid, key);
    int bad = write(fd, buf, (size_t)n) != n;
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(buf, sizeof buf);
    if (close(fd) != 0 || bad)
        return vg_error_set(err, VG_E_IO, "cannot write the key file %s", path);
    return 0;
}

/* Reads a key file into k->uuid and k->passkey. */
static int key_load(phone_ios_key *k, const char *path, vg_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(path, KEY_FILE_MAX, &data, &len, err);
    if (rc)
        return rc;
    /* three lines: the magic, "keybag <32 hex>", "key <64 hex>" */
    const char *l1 = data, *l2 = memchr(l1, '\n', len);
    const char *l3 = l2 ? memchr(l2 + 1, '\n', len - (size_t)(l2 + 1 - data)) : NULL;
    const char *end = l3 ? memchr(l3 + 1, '\n', len - (size_t)(l3 + 1 - data)) : NULL;
    if (!end)
        end = data + len;
    rc = VG_E_PARSE;
    if (l2 && l3 && (size_t)(l2 - l1) == strlen(key_magic) && memcmp(l1, key_magic, strlen(key_magic)) == 0 &&
        strncmp(l2 + 1, "keybag ", 7) == 0 && unhex(l2 + 8, (size_t)(l3 - l2 - 8), k->uuid, 16) == 0 &&
        strncmp(l3 + 1, "key ", 4) == 0 && unhex(l3 + 5, (size_t)(end - l3 - 5), k->passkey, 32) == 0)
        rc = 0;
    OPENSSL_cleanse(data, len);
    vg_free(data);
    if (rc) {
        vg_error_set(err, VG_E_PARSE, "%s is not a key file written by vigil phone decrypt-ios --save-key", path);
        return vg_error_hint(err, "its first line is \"%s\", then \"keybag <32 hex digits>\", \"key <64 hex digits>\"",
                             key_magic);
    }
    return 0;
}

int phone_ios_is_encrypted(const char *root)
{
    char p[4096], *data = NULL;
    size_t len = 0;
    snprintf(p, sizeof p, "%s/Manifest.plist", root);
    if (phone__read_file(p, MANIFEST_PLIST_MAX, &data, &len, NULL) != 0)
        return 0;
    int enc = 0;
    static const char key[] = "IsEncrypted";
    if (memmem(data, len, key, sizeof key - 1)) /* cheap test before parsing: the key must be there */
        enc = phone__plist_bool(data, len, key);
    vg_free(data);
    return enc;
}

/* Manifest.plist's BackupKeyBag (parsed into kb) and ManifestKey (into k). */
static int read_manifest_plist(const char *root, phone_keybag *kb, phone_ios_key *k, vg_error *err)
{
    char p[4096], *data = NULL;
    size_t len = 0;
    snprintf(p, sizeof p, "%s/Manifest.plist", root);
    int rc = phone__read_file(p, MANIFEST_PLIST_MAX, &data, &len, err);
    if (rc)
        return rc;
    plist_t pl = phone__plist_parse(data, len);
    vg_free(data);
    plist_t bag = pl && plist_get_node_type(pl) == PLIST_DICT ? plist_dict_get_item(pl, "BackupKeyBag") : NULL;
    if (!bag || plist_get_node_type(bag) != PLIST_DATA) {
        plist_free(pl);
        return vg_error_set(err, VG_E_PARSE, "%s has no BackupKeyBag: not an encrypted backup's manifest", p);
    }
    uint64_t n = 0;
    const char *b = plist_get_data_ptr(bag, &n);
    rc = phone_keybag_parse(b, (size_t)n, kb, err);
    if (rc)
        vg_error_where(err, "%s: BackupKeyBag", p);
    plist_t mk = plist_dict_get_item(pl, "ManifestKey");
    if (!rc && mk && plist_get_node_type(mk) == PLIST_DATA) {
        const char *m = plist_get_data_ptr(mk, &n);
        if (m && n >= 4 && n <= sizeof k->manifest_key) {
            memcpy(k->manifest_key, m, (size_t)n);
            k->manifest_key_len = (size_t)n;
        }
    }
    plist_free(pl);
    return rc;
}

int phone_ios_unlock(const char *backup, const char *password, size_t len, const char *key_file,
                     phone_ios_key **out, vg_error *err)
{
    *out = NULL;
    phone_ios_key *k = vg_calloc(1, sizeof *k);
    phone_keybag *kb = vg_calloc(1, sizeof *kb);
    int rc = k && kb ? 0 : vg_error_set(err, VG_E_NOMEM, "out of memory opening the backup's keybag");
    if (!rc)
        rc = read_manifest_plist(backup, kb, k, err);
    if (!rc && key_file) {
        rc = key_load(k, key_file, err);
        if (!rc && memcmp(k->uuid, kb->uuid, 16) != 0) {
            vg_error_set(err, VG_E_INVALID, "the key in %s belongs to another backup (its keybag UUID differs)",
                         key_file);
            rc = vg_error_hint(err, "save the key of this backup with vigil phone decrypt-ios --save-key");
        }
    } else if (!rc) {
        memcpy(k->uuid, kb->uuid, 16);
        rc = stretch(kb, password ? password : "", password ? len : 0, k->passkey, err);
    }
    int usable = 0;
    if (!rc && unwrap_classes(k, kb, &usable) != 0) {
        if (key_file)
            vg_error_set(err, VG_E_INVALID, "the key in %s does not open the backup %s", key_file, backup);
        else
            vg_error_set(err, VG_E_INVALID, "wrong password for the backup %s", backup);
        rc = vg_error_hint(err, "the backup password is the one set in iTunes/Finder (\"Encrypt local backup\")");
    }
    if (!rc && !usable)
        rc = vg_error_set(err, VG_E_UNSUPPORTED, "the keybag of %s has no class key wrapped with the password", backup);
    if (kb)
        OPENSSL_cleanse(kb, sizeof *kb);
    vg_free(kb);
    if (rc) {
        phone_ios_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

/* ---- files ------------------------------------------------------------------ */

/* The file key from "class (4 bytes LE) + wrapped key". 0, VG_E_INVALID (no such class key, unwrap failed). */
static int file_key(const phone_ios_key *k, const unsigned char *w, size_t n, unsigned char key[32])
{
    if (n != 44)
        return VG_E_INVALID;
    uint32_t clas = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
    if (clas >= 32 || !k->has_class[clas])
        return VG_E_INVALID;
    return aes_unwrap(k->classkey[clas], w + 4, n - 4, key) == 0 ? 0 : VG_E_INVALID;
}

/*
 * AES-256-CBC (zero IV) from `in` to a new file `out` (0600), then the
 * plaintext trimmed to `size` (has_size) or its PKCS#7 padding.
 */
static int decrypt_stream(const unsigned char key[32], const char *in, const char *out, int has_size, uint64_t size,
                          uint64_t *written, vg_error *err)
{
    int fi = open(in, O_RDONLY | O_CLOEXEC);
    if (fi < 0)
        return vg_error_set(err, errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO, "cannot open %s: %s", in, strerror(errno));
    int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fo < 0) {
        close(fi);
        return vg_error_set(err, VG_E_IO, "cannot write %s: %s", out, strerror(errno));
    }
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    unsigned char zero[16] = {0}, last[16] = {0};
    int rc = cx && EVP_DecryptInit_ex(cx, EVP_aes_256_cbc(), NULL, key, zero) == 1 ? 0 : VG_E_NOMEM;
    if (cx)
        EVP_CIPHER_CTX_set_padding(cx, 0);
    enum { CHUNK = 1 << 16 };
    unsigned char *ib = vg_malloc(CHUNK), *ob = vg_malloc(CHUNK + 16);
    if (!ib || !ob)
        rc = VG_E_NOMEM;
    uint64_t total = 0;
    ssize_t r = 0;
    while (!rc && (r = read(fi, ib, CHUNK)) > 0) {
        int n = 0;
        if (EVP_DecryptUpdate(cx, ob, &n, ib, (int)r) != 1)
            rc = VG_E_INTERNAL;
        else if (n > 0 && write(fo, ob, (size_t)n) != n)
            rc = VG_E_IO;
        if (!rc && n >= 16) /* without padding, CBC hands out whole blocks only */
            memcpy(last, ob + n - 16, 16);
        total += (uint64_t)(n > 0 ? n : 0);
    }
    if (!rc && r < 0)
        rc = VG_E_IO;
    int rest = 0;
    if (!rc && EVP_DecryptFinal_ex(cx, ob, &rest) != 1)
        rc = VG_E_PARSE; /* the ciphertext is not a whole number of blocks */
    if (!rc) {
        uint64_t keep = total;
        if (has_size && size <= total)
            keep = size;
        else if (total >= 16 && last[15] >= 1 && last[15] <= 16) {
            int pad = last[15], good = 1;
            for (int i = 16 - pad; i < 16; i++)
                good &= last[i] == pad;
            if (good)
                keep = total - (uint64_t)pad;
        }
        if (keep != total && ftruncate(fo, (off_t)keep) != 0)
            rc = VG_E_IO;
        *written = keep;
    }
    OPENSSL_cleanse(last, sizeof last);
    if (ob)
        OPENSSL_cleanse(ob, CHUNK + 16);
    vg_free(ib);
    vg_free(ob);
    EVP_CIPHER_CTX_free(cx);
    close(fi);
    if (close(fo) != 0 && !rc)
        rc = VG_E_IO;
    if (rc) {
        unlink(out);
        if (rc == VG_E_PARSE)
            return vg_error_set(err, rc, "%s is not a whole number of AES blocks: damaged or not encrypted", in);
        if (rc == VG_E_NOMEM)
            return vg_error_set(err, rc, "out of memory decrypting %s", in);
        return vg_error_set(err, rc == VG_E_INTERNAL ? VG_E_IO : rc, "cannot decrypt %s to %s", in, out);
    }
    return 0;
}

int phone__ios_decrypt_file(const phone_ios_key *k, const phone_mbfile *mb, const char *in, const char *out,
                            uint64_t *written, vg_error *err)
{
    unsigned char key[32];
    if (file_key(k, mb->enckey, mb->enckey_len, key) != 0)
        return vg_error_set(err, VG_E_INVALID, "the file key of %s does not unwrap with the backup's class keys", in);
    int rc = decrypt_stream(key, in, out, mb->has_size, mb->size, written, err);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int phone__ios_decrypt_manifest(const phone_ios_key *k, const char *backup, const char *out, vg_error *err)
{
    unsigned char key[32];
    char in[4096];
    snprintf(in, sizeof in, "%s/Manifest.db", backup);
    if (!k->manifest_key_len)
        return vg_error_set(err, VG_E_PARSE, "%s/Manifest.plist has no ManifestKey", backup);
    if (file_key(k, k->manifest_key, k->manifest_key_len, key) != 0)
        return vg_error_set(err, VG_E_INVALID, "the ManifestKey of %s does not unwrap with the backup's class keys",
                            backup);
    uint64_t n = 0;
    int rc = decrypt_stream(key, in, out, 0, 0, &n, err);
    OPENSSL_cleanse(key, sizeof key);
    if (rc)
        return rc;
    /* the right key gives a database: anything else means the key is not this backup's */
    char head[16] = {0};
    FILE *f = fopen(out, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (got != 16 || memcmp(head, "SQLite format 3", 16) != 0) {
        unlink(out);
        return vg_error_set(err, VG_E_INVALID, "%s/Manifest.db does not decrypt to a database with the backup's key",
                            backup);
    }
    return 0;
}

/* ---- a decrypted copy ------------------------------------------------------- */

static int copy_plain(const char *from, const char *to, vg_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(from, MANIFEST_PLIST_MAX, &data, &len, err);
    if (rc)
        return rc == VG_E_NOTFOUND ? 0 : rc; /* Status.plist is optional */
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        if (f)
            fclose(f);
        vg_free(data);
        return vg_error_set(err, VG_E_IO, "cannot write %s", to);
    }
    vg_free(data);
    return fclose(f) == 0 ? 0 : vg_error_set(err, VG_E_IO, "cannot write %s", to);
}

/* Manifest.plist with IsEncrypted false (binary plist). */
static int write_manifest_plist(const char *backup, const char *outdir, vg_error *err)
{
    char in[4096], out[4096], *data = NULL;
    size_t len = 0;
    snprintf(in, sizeof in, "%s/Manifest.plist", backup);
    snprintf(out, sizeof out, "%s/Manifest.plist", outdir);
    int rc = phone__read_file(in, MANIFEST_PLIST_MAX, &data, &len, err);
    if (rc)
        return rc;
    plist_t pl = phone__plist_parse(data, len);
    vg_free(data);
    if (!pl || plist_get_node_type(pl) != PLIST_DICT) {
        plist_free(pl);
        return vg_error_set(err, VG_E_PARSE, "%s is not a property list dictionary", in);
    }
    plist_dict_set_item(pl, "IsEncrypted", plist_new_bool(0));
    char *bin = NULL;
    uint32_t blen = 0;
    plist_to_bin(pl, &bin, &blen);
    plist_free(pl);
    if (!bin)
        return vg_error_set(err, VG_E_NOMEM, "out of memory writing %s", out);
    FILE *f = fopen(out, "wb");
    int bad = !f || fwrite(bin, 1, blen, f) != blen;
    if (f && fclose(f) != 0)
        bad = 1;
    free(bin);
    return bad ? vg_error_set(err, VG_E_IO, "cannot write %s", out) : 0;
}

static int make_outdir(const char *dir, vg_error *err)
{
    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return vg_error_set(err, VG_E_IO, "cannot make %s: %s", dir, strerror(errno));
    char p[4200];
    snprintf(p, sizeof p, "%s/Manifest.db", dir);
    struct stat sb;
    if (stat(p, &sb) == 0) {
        vg_error_set(err, VG_E_CONFLICT, "%s already holds a backup", dir);
        return vg_error_hint(err, "give a new or empty folder");
    }
    return 0;
}

/* One Files row: the file at <backup>/<xx>/<id> decrypted to <outdir>/<xx>/<id>. */
static int decrypt_row(const char *backup, const phone_ios_key *k, const char *outdir, const char *id,
                       const void *blob, size_t bl, phone_decrypt_stats *st, vg_error *err)
{
    char in[4200], out[4200];
    snprintf(in, sizeof in, "%s/%.2s/%s", backup, id, id);
    struct stat sb;
    if (stat(in, &sb) != 0) {
        snprintf(in, sizeof in, "%s/%s", backup, id);
        if (stat(in, &sb) != 0) {
            st->missing++;
            return 0;
        }
    }
    snprintf(out, sizeof out, "%s/%.2s", outdir, id);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return vg_error_set(err, VG_E_IO, "cannot make %s: %s", out, strerror(errno));
    snprintf(out, sizeof out, "%s/%.2s/%s", outdir, id, id);
    phone_mbfile mb;
    if (phone_mbfile_parse(blob, bl, &mb) != 0)
        return vg_error_set(err, VG_E_PARSE, "Manifest.db: the record of file %s is not an MBFile", id);
    uint64_t n = 0;
    int rc;
    if (!mb.enckey_len && sb.st_size == 0) { /* an empty file has no key */
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        rc = fd >= 0 && close(fd) == 0 ? 0 : vg_error_set(err, VG_E_IO, "cannot write %s", out);
    } else {
        rc = phone__ios_decrypt_file(k, &mb, in, out, &n, err);
    }
    if (!rc) {
        st->files++;
        st->bytes += n;
    }
    return rc;
}

int phone_ios_decrypt(const char *backup, const phone_ios_key *k, const char *outdir, phone_decrypt_stats *stp,
                      vg_error *err)
{
    phone_decrypt_stats dummy;
    phone_decrypt_stats *st = stp ? stp : &dummy;
    memset(st, 0, sizeof *st);
    char p[4200], q[4200];
    int rc = make_outdir(outdir, err);
    snprintf(p, sizeof p, "%s/Manifest.db", outdir);
    if (!rc)
        rc = phone__ios_decrypt_manifest(k, backup, p, err);
    sqlite3 *db = NULL;
    if (!rc && sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) /* our own copy */
        rc = vg_error_set(err, VG_E_IO, "cannot open the decrypted %s: %s", p, sqlite3_errmsg(db));
    sqlite3_stmt *s = NULL;
    if (!rc && sqlite3_prepare_v2(db, "SELECT fileID, file FROM Files WHERE flags = 1 ORDER BY fileID", -1, &s,
                                  NULL) != SQLITE_OK)
        rc = vg_error_set(err, VG_E_PARSE, "the decrypted Manifest.db has no Files table: %s", sqlite3_errmsg(db));
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!id || strlen(id) != 40 || strspn(id, "0123456789abcdef") != 40)
            continue; /* a file id is 40 hex digits: anything else could name a path outside outdir */
        rc = decrypt_row(backup, k, outdir, id, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1), st,
                         err);
    }
    if (!rc && step != SQLITE_DONE)
        rc = vg_error_set(err, VG_E_PARSE, "the decrypted Manifest.db: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    static const char *const plain[] = {"Info.plist", "Status.plist"};
    for (size_t i = 0; !rc && i < sizeof plain / sizeof plain[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", backup, plain[i]);
        snprintf(q, sizeof q, "%s/%s", outdir, plain[i]);
        rc = copy_plain(p, q, err);
    }
    if (!rc)
        rc = write_manifest_plist(backup, outdir, err);
    return rc;
}
