/*
 * fuzz_pattern_parse.c - libFuzzer target for the pattern lexer, parser and
 * checker: any bytes, in both dialects, must compile or give diagnostics
 * with sane positions - never a crash, a hang or a leak. The leaf export and
 * the caret excerpt are exercised on what compiles or fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        vg_alloc_init();
        init = 1;
    }
    const char *src = (const char *)data;
    for (int version = PAT_STIX_21; version <= PAT_STIX_20; version++) {
        pat_opts o = {0};
        o.version = version;
        o.max_depth = 48;
        pat_diags d = {0};
        vg_error err = {0};
        pat_pattern *p = NULL;
        int rc = pat_compile(src, size, &o, &p, &d, &err);
        if (rc == 0) {
            size_t n = pat_leaf_count(p);
            for (size_t i = 0; i < n; i++) {
                const pat_leaf *l = pat_leaf_at(p, i);
                if (!l || !l->object_type || !l->path || l->offset > size)
                    __builtin_trap();
            }
            (void)pat_is_simple_disjunction(p);
        } else if (d.errors == 0 && rc != VG_E_NOMEM) {
            __builtin_trap(); /* a failure always comes with a diagnostic */
        }
        for (size_t i = 0; i < d.n; i++) {
            if (d.v[i].offset > size || d.v[i].line == 0 || d.v[i].col == 0)
                __builtin_trap();
            vg_buf b;
            vg_buf_init(&b, 1 << 16);
            pat_diag_excerpt(src, size, &d.v[i], &b);
            vg_buf_free(&b);
        }
        pat_diags_free(&d);
        pat_free(p);
    }
    return 0;
}
