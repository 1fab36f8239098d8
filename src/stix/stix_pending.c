/*
 * stix_pending.c - TEMPORARY placeholders so the tree links while the
 * validator (stix_meta.c, stix_validate.c, stix_upgrade.c) is being written.
 * DELETE THIS FILE in the same commit that adds the real implementations
 * (the linker will report duplicate definitions until then).
 */
#include "stix/stix.h"

int stix_is_20(json_t *obj, int bundle_says_20) { (void)obj; return bundle_says_20; }
void stix_issues_clear(stix_issues *is) { (void)is; }
void stix_issues_free(stix_issues *is) { (void)is; }
int stix_meta_get(json_t *obj, stix_meta *m, vg_error *err) { (void)obj; (void)m; return vg_error_set(err, VG_E_UNSUPPORTED, "validator not built yet"); }
vg_time stix_meta_version(const stix_meta *m, int *has) { (void)m; *has = 0; vg_time t = {0, 0, 0}; return t; }
int stix_upgrade_20(json_t *obj, vg_error *err) { (void)obj; return vg_error_set(err, VG_E_UNSUPPORTED, "upgrade not built yet"); }
int stix_validate(json_t *obj, int flags, stix_issues *out) { (void)obj; (void)flags; (void)out; return VG_E_UNSUPPORTED; }
