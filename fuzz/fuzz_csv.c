/*
 * fuzz_csv.c - libFuzzer target for the incident CSV reader: any bytes must
 * give records, or errors that name a record, and then the end - never a
 * crash, a hang or a leak. Small ceilings make the limit paths reachable.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    inc_csv_opts o = {.max_field = 256, .max_record = 1024, .max_fields = 32};
    if (size && data[0] == ';')
        o.delim = ';';
    inc_csv *r = NULL;
    vg_error err = {0};
    if (inc_csv_open_mem((const char *)data, size, &o, &r, &err))
        return 0;
    for (size_t guard = 0; guard <= size + 1; guard++) {
        inc_csv_record rec;
        int rc = inc_csv_next(r, &rec, &err);
        if (rc == 0)
            break;
        if (rc == 1) {
            if (rec.n == 0 || rec.n > 32)
                __builtin_trap();
            for (size_t i = 0; i < rec.n; i++)
                if (strlen(rec.field[i]) > rec.len[i] || rec.len[i] > 256)
                    __builtin_trap();
        } else if (rc != VG_E_PARSE && rc != VG_E_LIMIT) {
            break;
        } else if (!err.where[0] && rc == VG_E_LIMIT) {
            __builtin_trap(); /* an error always says where */
        }
        if (rc == VG_E_PARSE && strstr(err.msg, "never closed"))
            break;
        vg_error_clear(&err);
    }
    inc_csv_free(r);
    return 0;
}
