/*
 * fuzz_stix_reader.c - libFuzzer target for the streaming bundle reader:
 * any bytes must give objects or a clean error, never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    stix_reader_opts o = {.max_object_bytes = 1 << 20, .max_depth = 64, .max_objects = 10000};
    stix_reader *r;
    vg_error err = {0};
    if (stix_reader_open_mem((const char *)data, size, "fuzz", &o, &r, &err))
        return 0;
    for (;;) {
        json_t *obj;
        stix_pos pos;
        int rc = stix_reader_next(r, &obj, &pos, &err);
        if (rc == 1) {
            json_decref(obj);
            continue;
        }
        if (rc == VG_E_INVALID)
            continue;
        break;
    }
    stix_reader_free(r);
    return 0;
}
