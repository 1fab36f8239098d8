/*
 * phone_plist.c - the property lists of an iOS backup, read with libplist:
 * Info.plist (device facts, installed applications), the MBFile records of
 * Manifest.db (NSKeyedArchiver plists: file times, size, mode) and single
 * top-level keys (Manifest.plist's IsEncrypted).
 *
 * libplist builds the tree; everything here treats that tree as hostile: a
 * node of the wrong type, a UID pointing outside $objects, a missing key are
 * all "not there", never a crash (fuzz/fuzz_phone_plist.c holds us to it).
 */
#include <plist/plist.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

static uint64_t be(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The count of a container object at d[p] (marker already read); 0 on a bad encoding. */
static int container(const unsigned char *d, size_t end, uint64_t off, uint64_t *n, uint64_t *p)
{
    *n = d[off] & 15;
    *p = off + 1;
    if (*n == 15) { /* the count is an int object: 0x1k then 2^k bytes */
        if (*p >= end || d[*p] >> 4 != 1 || (d[*p] & 15) > 3)
            return 0;
        unsigned k = 1u << (d[*p] & 15);
        if (*p + 1 + k > end)
            return 0;
        *n = be(d + *p + 1, k);
        *p += 1 + k;
    }
    return *n <= end;
}

/*
 * libplist 2.2 aborts (an assert in plist_get_key_val) on binary plists
 * whose dictionaries have odd keys, which fuzzing found at once: a key that
 * is not a string, a UTF-16 key, the same key object twice in a dictionary,
 * a key object that is also used as a value (libplist shares the node of an
 * offset). bplist_keys_ok refuses those before libplist sees them. Sharing
 * a key between dictionaries, as NSKeyedArchiver does, is allowed. Returns 1
 * when the binary plist passes (or is not binary).
 */
static int bplist_keys_ok(const unsigned char *d, size_t len)
{
    if (len < 8 || memcmp(d, "bplist00", 8) != 0)
        return 1;
    if (len < 40)
        return 0;
    size_t end = len - 32;
    const unsigned char *tr = d + end;
    unsigned osz = tr[6], rsz = tr[7];
    uint64_t nobj = be(tr + 8, 8), table = be(tr + 24, 8);
    if (osz < 1 || osz > 8 || rsz < 1 || rsz > 8 || nobj > len || table > end || nobj * osz > end - table)
        return 0;
    /* use[offset]: 1 = the object there is a dictionary key, 2 = it is referenced otherwise (libplist 2.2
       shares one node between references to the same offset, so offsets are what must not be mixed) */
    unsigned char *use = vg_calloc(end, 1);
    if (!use)
        return 0;
    int ok = 1;
    for (uint64_t i = 0; i < nobj && ok; i++) {
        uint64_t off = be(d + table + i * osz, osz), n, p;
        if (off >= end) {
            ok = 0;
            break;
        }
        unsigned t = d[off] >> 4;
        if (t != 0xD && t != 0xA && t != 0xC)
            continue;
        uint64_t refs;
        if (!container(d, end, off, &n, &p) || (refs = t == 0xD ? 2 * n : n) > end || p + refs * rsz > end) {
            ok = 0;
            break;
        }
        for (uint64_t a = 0; a < refs && ok; a++) {
            uint64_t ref = be(d + p + a * rsz, rsz);
            if (ref >= nobj) {
                ok = 0;
                break;
            }
            int as_key = t == 0xD && a < n;
            uint64_t ko = be(d + table + ref * osz, osz);
            if (ko >= end) {
                ok = 0;
                break;
            }
            if (as_key) {
                /* an ASCII string (libplist 2.2 mishandles bad UTF-16 keys), never a value elsewhere, and not
                   twice in this dictionary (sharing a key between dictionaries, as NSKeyedArchiver does, is fine) */
                if (d[ko] >> 4 != 5 || use[ko] == 2 || n > 4096)
                    ok = 0;
                for (uint64_t b = 0; b < a && ok; b++)
                    if (be(d + table + be(d + p + b * rsz, rsz) * osz, osz) == ko)
                        ok = 0;
                use[ko] = 1;
            } else {
                if (use[ko] == 1)
                    ok = 0;
                use[ko] = 2;
            }
        }
    }
    vg_free(use);
    return ok;
}

/* Parses bytes into a tree (binary or XML); NULL when they are not a plist. */
plist_t phone__plist_parse(const char *data, size_t len)
{
    if (!data || len < 8 || len > UINT32_MAX || !bplist_keys_ok((const unsigned char *)data, len))
        return NULL;
    plist_t p = NULL;
    plist_from_memory(data, (uint32_t)len, &p);
    return p;
}

static const char *str_of(plist_t n)
{
    if (!n || plist_get_node_type(n) != PLIST_STRING)
        return NULL;
    uint64_t len = 0;
    const char *s = plist_get_string_ptr(n, &len);
    return s && strlen(s) == len ? s : NULL; /* a string with a NUL inside is not one we use */
}

static int uint_of(plist_t n, uint64_t *v)
{
    if (!n || plist_get_node_type(n) != PLIST_UINT)
        return 0;
    plist_get_uint_val(n, v);
    return 1;
}

/* A plist date (seconds since 2001 in libplist 2.2) to vg_time. */
static int date_of(plist_t n, vg_time *t)
{
    if (!n || plist_get_node_type(n) != PLIST_DATE)
        return 0;
    int32_t sec = 0, usec = 0;
    plist_get_date_val(n, &sec, &usec);
    *t = phone_cocoa_time((double)sec + (double)usec / 1e6);
    return 1;
}

static char *dup_key(plist_t dict, const char *key)
{
    const char *s = str_of(plist_dict_get_item(dict, key));
    return s ? vg_strdup(s) : NULL;
}

int phone__plist_bool(const char *data, size_t len, const char *key)
{
    plist_t p = phone__plist_parse(data, len);
    int v = 0;
    if (p && plist_get_node_type(p) == PLIST_DICT) {
        plist_t n = plist_dict_get_item(p, key);
        if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
            uint8_t b = 0;
            plist_get_bool_val(n, &b);
            v = b != 0;
        }
    }
    plist_free(p);
    return v;
}

int phone_info_plist(const char *data, size_t len, phone_device *dev, int (*app)(void *ctx, const char *id),
                     void *ctx, vg_error *err)
{
    memset(dev, 0, sizeof *dev);
    plist_t p = phone__plist_parse(data, len);
    if (!p || plist_get_node_type(p) != PLIST_DICT) {
        plist_free(p);
        return vg_error_set(err, VG_E_PARSE, "Info.plist is not a property list dictionary");
    }
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"Device Name", offsetof(phone_device, name)},
        {"Product Type", offsetof(phone_device, product_type)},
        {"Product Version", offsetof(phone_device, product_version)},
        {"Build Version", offsetof(phone_device, build_version)},
        {"Serial Number", offsetof(phone_device, serial)},
        {"Unique Identifier", offsetof(phone_device, udid)},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        plist_t n = plist_dict_get_item(p, keys[i].key);
        if (!str_of(n))
            continue;
        char *s = dup_key(p, keys[i].key);
        if (!s) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading Info.plist");
            break;
        }
        *(char **)((char *)dev + keys[i].off) = s;
    }
    dev->has_backup_date = date_of(plist_dict_get_item(p, "Last Backup Date"), &dev->backup_date);
    plist_t apps = plist_dict_get_item(p, "Installed Applications");
    if (!rc && apps && plist_get_node_type(apps) == PLIST_ARRAY) {
        uint32_t n = plist_array_get_size(apps);
        for (uint32_t i = 0; i < n && !rc; i++) {
            const char *id = str_of(plist_array_get_item(apps, i));
            if (!id)
                continue;
            dev->napps++;
            if (app)
                rc = app(ctx, id);
        }
    }
    /* Applications: {bundle id: {...}} (Info.plist of newer iTunes, Manifest.plist) */
    plist_t dict = plist_dict_get_item(p, "Applications");
    if (!rc && app && dict && plist_get_node_type(dict) == PLIST_DICT) {
        plist_dict_iter it = NULL;
        plist_dict_new_iter(dict, &it);
        while (!rc && it) {
            char *key = NULL;
            plist_t val = NULL;
            plist_dict_next_item(dict, it, &key, &val);
            if (!key)
                break;
            rc = app(ctx, key);
            free(key);
        }
        free(it);
    }
    plist_free(p);
    if (rc)
        phone_device_clear(dev);
    return rc;
}

/* $objects[uid], or NULL when the UID is not an index into it. */
static plist_t deref(plist_t objects, plist_t n)
{
    if (!n || plist_get_node_type(n) != PLIST_UID)
        return n;
    uint64_t uid = 0;
    plist_get_uid_val(n, &uid);
    if (uid >= plist_array_get_size(objects))
        return NULL;
    return plist_array_get_item(objects, (uint32_t)uid);
}

int phone_mbfile_parse(const void *data, size_t len, phone_mbfile *out)
{
    memset(out, 0, sizeof *out);
    plist_t p = phone__plist_parse(data, len);
    int rc = VG_E_PARSE;
    if (!p || plist_get_node_type(p) != PLIST_DICT)
        goto done;
    plist_t objects = plist_dict_get_item(p, "$objects");
    plist_t top = plist_dict_get_item(p, "$top");
    if (!objects || plist_get_node_type(objects) != PLIST_ARRAY || !top || plist_get_node_type(top) != PLIST_DICT)
        goto done;
    plist_t root = deref(objects, plist_dict_get_item(top, "root"));
    if (!root || plist_get_node_type(root) != PLIST_DICT)
        goto done;
    uint64_t v;
    if (uint_of(deref(objects, plist_dict_get_item(root, "LastModified")), &v) && v < (1ull << 40)) {
        out->modified = vg_time_from_unix((int64_t)v, 0, 0);
        out->has_modified = 1;
    }
    if (uint_of(deref(objects, plist_dict_get_item(root, "Birth")), &v) && v < (1ull << 40)) {
        out->birth = vg_time_from_unix((int64_t)v, 0, 0);
        out->has_birth = 1;
    }
    if (uint_of(deref(objects, plist_dict_get_item(root, "LastStatusChange")), &v) && v < (1ull << 40)) {
        out->changed = vg_time_from_unix((int64_t)v, 0, 0);
        out->has_changed = 1;
    }
    out->has_size = uint_of(deref(objects, plist_dict_get_item(root, "Size")), &out->size);
    uint_of(deref(objects, plist_dict_get_item(root, "Mode")), &out->mode);
    if (uint_of(deref(objects, plist_dict_get_item(root, "ProtectionClass")), &v) && v < 64)
        out->protection_class = (uint32_t)v;
    /* EncryptionKey: an archived NSData ({"NS.data": <data>}) or, in some archives, the data itself */
    plist_t ek = deref(objects, plist_dict_get_item(root, "EncryptionKey"));
    if (ek && plist_get_node_type(ek) == PLIST_DICT)
        ek = deref(objects, plist_dict_get_item(ek, "NS.data"));
    if (ek && plist_get_node_type(ek) == PLIST_DATA) {
        uint64_t n = 0;
        const char *d = plist_get_data_ptr(ek, &n);
        if (d && n >= 4 && n <= sizeof out->enckey) {
            memcpy(out->enckey, d, (size_t)n);
            out->enckey_len = (size_t)n;
        }
    }
    rc = 0;
done:
    plist_free(p);
    return rc;
}

/* ---- helpers for readers of plist artifacts ------------------------------------ */

int phone__plist_walk(const char *data, size_t len, int (*fn)(void *ctx, const char *key, plist_t val), void *ctx)
{
    plist_t p = phone__plist_parse(data, len);
    if (!p)
        return VG_E_PARSE;
    int rc = 0;
    if (plist_get_node_type(p) == PLIST_DICT) {
        plist_dict_iter it = NULL;
        plist_dict_new_iter(p, &it);
        while (!rc && it) {
            char *key = NULL;
            plist_t val = NULL;
            plist_dict_next_item(p, it, &key, &val);
            if (!key)
                break;
            rc = fn(ctx, key, val);
            free(key);
        }
        free(it);
    } else {
        rc = VG_E_PARSE;
    }
    plist_free(p);
    return rc;
}
