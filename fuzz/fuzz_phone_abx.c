/*
 * fuzz_phone_abx.c - libFuzzer target for Android's binary XML reader:
 * any bytes are read strictly and lossily (the form dumpsys prints, where
 * bytes became U+FFFD and the reader searches the readings that fit), and
 * as an adb keys file and a `dumpsys adb` keystore. Nothing may crash, leak,
 * read out of bounds or run past its step budget.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"

static int on_event(void *ctx, int depth, const char *tag, const char *attr, const char *value)
{
    (void)ctx;
    volatile size_t n = strlen(tag) + (size_t)depth + (attr ? strlen(attr) + strlen(value) : 0);
    (void)n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static idx *x;
    if (!x) {
        vg_alloc_init();
        idx_builder *b = NULL;
        vg_error err = {0};
        idx_builder_new(&b, &err);
        idx_builder_finish(b, &x, &err);
    }
    /* a copy without slack, so that reads past the end are caught */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    vg_error err = {0};
    phone_abx_parse(buf, size, 0, on_event, NULL, &err);
    vg_error_clear(&err);
    phone_abx_parse(buf, size, 1, on_event, NULL, &err);
    phone_report *r = NULL;
    vg_error_clear(&err);
    if (phone_check_android_artifact(x, "adb_keys", buf, size, "adb_temp_keys.xml", NULL, &r, &err) == 0)
        phone_report_free(r);
    vg_error_clear(&err);
    if (phone_check_android_artifact(x, "dumpsys_adb", buf, size, "dumpsys adb", NULL, &r, &err) == 0)
        phone_report_free(r);
    free(buf);
    return 0;
}
