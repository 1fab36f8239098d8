/*
 * fuzz_phone_ios_artifacts.c - libFuzzer target for the iOS readers of
 * property lists and text (src/phone/phone_ios_readers_sys.c and the plist
 * rows of phone_ios_readers.c): the first byte of the input picks an artifact,
 * the rest is written where a backup (or, for the shutdown log, a filesystem
 * dump) keeps it, and the whole check runs over that folder. IDStatusCache,
 * locationd clients, ADDaily, profile events, global preferences, Info.plist
 * (device facts and the installers of applications, with nested
 * iTunesMetadata plists), shutdown.log, WebKit's session resource log and
 * diagnostic reports (.ips) must be read or refused without a
 * crash, a leak or an out-of-bounds read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"
#include "phone/phone.h"

/* Where each artifact lives: backup domain and path (domain NULL: at the top), or a dump path (fs). */
static const struct target {
    const char *domain;
    const char *path;
    int fs;
} targets[] = {
    {"HomeDomain", "Library/Preferences/com.apple.identityservices.idstatuscache.plist", 0},
    {"RootDomain", "Library/Caches/locationd/clients.plist", 0},
    {"HomeDomain", "Library/Preferences/com.apple.osanalytics.addaily.plist", 0},
    {"SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
     "Library/ConfigurationProfiles/MCProfileEvents.plist", 0},
    {"HomeDomain", "Library/Preferences/.GlobalPreferences.plist", 0},
    {NULL, "Info.plist", 0},
    {NULL, "private/var/db/diagnostics/shutdown.log", 1},
    {NULL, "private/var/mobile/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
     1},
    {NULL, "private/var/mobile/Library/Logs/CrashReporter/fuzz.ips", 1},
};

static char root[64], dump[80];
static idx *x;

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_phone_ios_artifacts: cannot remove %s\n", root);
}

static void setup(void)
{
    vg_alloc_init();
    snprintf(root, sizeof root, "/tmp/vigil-fuzz-ios-XXXXXX");
    if (!mkdtemp(root))
        abort();
    atexit(cleanup);
    snprintf(dump, sizeof dump, "%s/fs", root);
    char p[512];
    snprintf(p, sizeof p,
             "mkdir -p '%s/private/var/db/diagnostics' '%s/private/var/mobile/Library/WebKit/WebsiteData/"
             "ResourceLoadStatistics' '%s/private/var/mobile/Library/Logs/CrashReporter'",
             dump, dump, dump);
    if (system(p) != 0)
        abort();
    /* a few indicators of the kinds these artifacts look up, so lookups do hit */
    static const char *const pats[] = {"[process:name = 'bh']", "[app:id = 'com.evil.app']",
                                       "[email-addr:value = 'a@evil.example']", "[domain-name:value = 'evil.example']",
                                       "[file:path = '/private/var/db/bh']"};
    idx_builder *b = NULL;
    vg_error err = {0};
    if (idx_builder_new(&b, &err))
        abort();
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        char id[64];
        snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-00000000000%zu", i);
        if (idx_builder_add_pattern(b, id, "fuzz", pats[i], PAT_STIX_21, NULL, &err))
            abort();
    }
    if (idx_builder_finish(b, &x, &err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        setup();
        init = 1;
    }
    if (size < 1)
        return 0;
    const struct target *t = &targets[data[0] % (sizeof targets / sizeof targets[0])];
    char p[512], id[41];
    const char *base = t->fs ? dump : root;
    if (t->domain) {
        phone_file_id(t->domain, t->path, id);
        snprintf(p, sizeof p, "%s/%.2s", base, id);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/%.2s/%s", base, id, id);
    } else {
        snprintf(p, sizeof p, "%s/%s", base, t->path);
    }
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    /* a backup needs Info.plist or Manifest.db to be one: an empty Info.plist when that is not the target */
    char info[256];
    snprintf(info, sizeof info, "%s/Info.plist", root);
    if (t->fs || t->domain) {
        f = fopen(info, "wb");
        if (f)
            fclose(f);
    }
    phone_opts o = {0};
    o.fs = t->fs;
    o.collect = 1;
    phone_report *r = NULL;
    vg_error err = {0};
    if (phone_check_ios(x, base, &o, &r, &err) == 0)
        phone_report_free(r);
    unlink(p);
    return 0;
}
