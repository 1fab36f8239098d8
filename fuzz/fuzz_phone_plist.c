/*
 * fuzz_phone_plist.c - libFuzzer target for the plist reading of src/phone:
 * libplist parses any bytes (binary or XML) into a tree; vigil's code walks
 * that tree as Info.plist (device facts, installed applications), as a
 * Manifest.db MBFile record (an NSKeyedArchiver plist: UIDs into $objects)
 * and as a top-level dictionary (global preferences, profiles). Any input
 * must be read without a crash, a leak or an out-of-bounds read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

static int on_app(void *ctx, const char *id)
{
    (void)ctx;
    volatile size_t n = strlen(id);
    (void)n;
    return 0;
}

static int on_key(void *ctx, const char *key, plist_t val)
{
    (void)ctx;
    volatile size_t n = strlen(key);
    (void)n;
    (void)val;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    /* a copy without slack, so that reads past the end are caught */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    phone_device d;
    vg_error err = {0};
    if (phone_info_plist(buf, size, &d, on_app, NULL, &err) == 0)
        phone_device_clear(&d);
    phone_mbfile mb;
    phone_mbfile_parse(buf, size, &mb);
    phone__plist_walk(buf, size, on_key, NULL);
    phone__plist_bool(buf, size, "IsEncrypted");
    free(buf);
    return 0;
}
