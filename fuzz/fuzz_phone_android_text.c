/*
 * fuzz_phone_android_text.c - libFuzzer target for the Android readers of
 * text and JSON: the first byte picks a reader (dumpstate and its dumpsys
 * sections, getprop, ps, tombstones in text and protobuf, AndroidQF's JSON files, settings,
 * mounts, SMS, logcat, env.txt), the rest is its input. Nothing may crash, leak or read out
 * of bounds (dumpstate's sections are handed on without a NUL after them).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"

static const char *const readers[] = {
    "dumpstate", "getprop", "processes", "dumpsys_packages", "dumpsys_activities", "dumpsys_receivers",
    "dumpsys_accessibility", "dumpsys_appops", "dumpsys_battery_daily", "dumpsys_battery_history", "dumpsys_dbinfo",
    "dumpsys_platform_compat", "dumpsys_adb", "tombstones", "aqf_packages", "aqf_settings", "aqf_files",
    "root_binaries", "aqf_mounts", "sms", "tombstones.pb", "logcat", "aqf_env",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static idx *x;
    if (!x) {
        vg_alloc_init();
        idx_builder *b = NULL;
        vg_error err = {0};
        idx_builder_new(&b, &err);
        idx_builder_add_pattern(b, "indicator--1", NULL, "[app:id = 'com.spy.agent']", 0, NULL, &err);
        idx_builder_add_pattern(b, "indicator--2", NULL, "[process:name = 'com.example.spyagent']", 0, NULL, &err);
        idx_builder_finish(b, &x, &err);
    }
    if (size < 1)
        return 0;
    const char *name = readers[data[0] % (sizeof readers / sizeof readers[0])];
    /* "tombstones.pb": the tombstone reader given a protobuf tombstone (it goes by the file's name) */
    int pb = strcmp(name, "tombstones.pb") == 0;
    const char *source = pb ? "tombstone_00.pb" : "settings_global.txt";
    if (pb)
        name = "tombstones";
    char *buf = malloc(size - 1 ? size - 1 : 1);
    memcpy(buf, data + 1, size - 1);
    phone_report *r = NULL;
    vg_error err = {0};
    if (phone_check_android_artifact(x, name, buf, size - 1, source, NULL, &r, &err) == 0)
        phone_report_free(r);
    free(buf);
    return 0;
}
