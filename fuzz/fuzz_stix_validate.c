/*
 * fuzz_stix_validate.c - libFuzzer target for the validator and the 2.0 ->
 * 2.1 upgrade: any JSON object, upgraded when it looks like STIX 2.0 and then
 * validated, must give findings or nothing, never a crash, a leak or an
 * upgrade result that breaks the upgrade's own contract (a second upgrade
 * changes nothing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    json_error_t e;
    json_t *obj = json_loadb((const char *)data, size, JSON_DECODE_ANY, &e);
    if (!obj)
        return 0;
    stix_meta m;
    vg_error err = {0};
    (void)stix_meta_get(obj, &m, &err);
    /* The first byte decides whether the "bundle" said 2.0, so both paths are explored. */
    int bundle_20 = size > 0 && (data[0] & 1);
    if (stix_is_20(obj, bundle_20)) {
        if (stix_upgrade_20(obj, &err) == 0) {
            char *once = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
            if (stix_upgrade_20(obj, &err) != 0)
                abort();
            char *twice = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
            if (once && twice && strcmp(once, twice) != 0)
                abort(); /* upgrading an upgraded object must change nothing */
            vg_free(once);
            vg_free(twice);
        }
    }
    stix_issues is = {0};
    (void)stix_validate(obj, STIX_VALIDATE_STRICT_VOCAB, &is);
    for (size_t i = 0; i < is.n; i++)
        if (is.v[i].path[0] != '$' || !is.v[i].msg[0])
            abort(); /* every finding has a path and says what is wrong */
    stix_issues_free(&is);
    json_decref(obj);
    return 0;
}
