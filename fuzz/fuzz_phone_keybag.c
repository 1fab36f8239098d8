/*
 * fuzz_phone_keybag.c - libFuzzer target for the keybag of an encrypted iOS
 * backup (Manifest.plist's BackupKeyBag, src/phone/phone_ios_crypt.c): TLV
 * records of a 4-byte tag and a 4-byte big-endian length. Any bytes must be
 * parsed or refused without a crash or an out-of-bounds read, and what is
 * parsed must hold within its fixed fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    unsigned char *buf = malloc(size ? size : 1); /* no slack: reads past the end are caught */
    memcpy(buf, data, size);
    phone_keybag kb;
    vg_error err = {0};
    if (phone_keybag_parse(buf, size, &kb, &err) == 0) {
        if (kb.nclasses > sizeof kb.classes / sizeof kb.classes[0] || kb.salt_len > sizeof kb.salt ||
            kb.dpsl_len > sizeof kb.dpsl)
            abort();
        for (size_t i = 0; i < kb.nclasses; i++)
            if (kb.classes[i].wpky_len > sizeof kb.classes[i].wpky)
                abort();
    }
    free(buf);
    return 0;
}
