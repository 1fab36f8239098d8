/*
 * fuzz_phone_ab.c - libFuzzer target for `adb backup` files: the header,
 * the password scheme (the seeds use few PBKDF2 rounds; inputs asking for
 * more than 2,000 are only parsed, so that a run stays fast), AES, zlib and
 * the tar inside read as a nested file set by the backup reader. Nothing may
 * crash, leak or read out of bounds, whatever the bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"

static int password(void *ctx, const char *what, char *buf, size_t n)
{
    (void)ctx;
    (void)what;
    snprintf(buf, n, "123456");
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
        idx_builder_add_pattern(b, "indicator--1", NULL, "[domain-name:value = 'example.com']", 0, NULL, &err);
        idx_builder_finish(b, &x, &err);
    }
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    phone_ab_header h;
    vg_error err = {0};
    if (phone_ab_header_parse(buf, size, &h, &err) == 0 && (!h.encrypted || h.rounds <= 2000)) {
        char *tar = NULL;
        size_t tl = 0;
        vg_error_clear(&err);
        if (phone_ab_decode(buf, size, "123456", 1u << 22, &tar, &tl, &err) == 0)
            vg_free(tar);
        phone_opts o = {0};
        o.password = password;
        phone_report *r = NULL;
        vg_error_clear(&err);
        if (phone_check_android_artifact(x, "backup", buf, size, "backup.ab", &o, &r, &err) == 0)
            phone_report_free(r);
    }
    free(buf);
    return 0;
}
