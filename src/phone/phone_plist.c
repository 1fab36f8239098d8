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

/* Parses bytes into a tree (binary or XML); NULL when they are not a plist. */
static plist_t parse(const char *data, size_t len)
{
    if (!data || len < 8 || len > UINT32_MAX)
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
    plist_t p = parse(data, len);
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
    plist_t p = parse(data, len);
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
    plist_t p = parse(data, len);
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
    uint_of(deref(objects, plist_dict_get_item(root, "Size")), &out->size);
    uint_of(deref(objects, plist_dict_get_item(root, "Mode")), &out->mode);
    rc = 0;
done:
    plist_free(p);
    return rc;
}

/* ---- helpers for readers of plist artifacts ------------------------------------ */

int phone__plist_walk(const char *data, size_t len, int (*fn)(void *ctx, const char *key, plist_t val), void *ctx)
{
    plist_t p = parse(data, len);
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
