/*
 * phone_android_readers.c - the Android readers that are not dumpsys
 * services: properties, processes, tombstones, the bugreport's file
 * timestamps, AndroidQF's JSON and text files (packages, settings, files,
 * root binaries, mounts), and an `adb backup` with its SMS and MMS.
 *
 * The heuristics each answer one question a forensic examiner asks of a
 * phone suspected of carrying spyware or stalkerware, with the reason in the
 * finding's message; docs/internals/phone.md lists them. Their facts (store
 * and installer ids, root tools, settings that weaken protections) are the
 * tables below.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "phone/phone_android_int.h"
#include "phone/phone_tombstone.pb-c.h"

#define MAX_SMS_JSON (64u << 20) /* bytes of one inflated SMS/MMS backup file */

static void copy_val(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static int json_fail(phone_ctx *c, const json_error_t *je)
{
    return phone__a_fail(c, VG_E_PARSE, "%s:%d:%d: not valid JSON: %s", c->source, je->line, je->column, je->text);
}

/* ---- facts ------------------------------------------------------------------------------ */

enum { INST_STORE, INST_BROWSER, INST_THIRD_PARTY };

/* Installers: an app store, the package installer (an APK file opened by hand, usually from a browser), other stores. */
static const struct {
    const char *id;
    int kind;
    const char *label;
} installers[] = {
    {"com.android.vending", INST_STORE, "Google Play"},
    {"com.sec.android.app.samsungapps", INST_STORE, "Galaxy Store"},
    {"com.huawei.appmarket", INST_STORE, "Huawei AppGallery"},
    {"com.amazon.venezia", INST_STORE, "Amazon Appstore"},
    {"com.xiaomi.market", INST_STORE, "Xiaomi GetApps"},
    {"com.xiaomi.mipicks", INST_STORE, "Xiaomi GetApps"},
    {"com.heytap.market", INST_STORE, "OPPO App Market"},
    {"com.oppo.market", INST_STORE, "OPPO App Market"},
    {"com.bbk.appstore", INST_STORE, "vivo App Store"},
    {"com.google.android.packageinstaller", INST_BROWSER, "the package installer"},
    {"com.android.packageinstaller", INST_BROWSER, "the package installer"},
    {"org.fdroid.fdroid", INST_THIRD_PARTY, "F-Droid"},
    {"org.fdroid.basic", INST_THIRD_PARTY, "F-Droid"},
    {"com.aurora.store", INST_THIRD_PARTY, "Aurora Store"},
    {"com.looker.droidify", INST_THIRD_PARTY, "Droid-ify"},
    {"dev.imranr.obtainium", INST_THIRD_PARTY, "Obtainium"},
    {"com.apkpure.aegon", INST_THIRD_PARTY, "APKPure"},
    {"com.uptodown", INST_THIRD_PARTY, "Uptodown"},
};

int phone__a_installer_check(phone_ctx *c, const char *pkg, const char *inst, int is_system, const char *record,
                             const vg_time *t)
{
    if (!inst || !inst[0] || strcmp(inst, "null") == 0) {
        if (is_system)
            return 0;
        return phone__heuristic(c, PHONE_MEDIUM, record, pkg, t,
                                "non-system package %s has no installer: it was installed over adb or by another "
                                "method than a store (how stalkerware is put on a phone in hand)",
                                pkg);
    }
    for (size_t i = 0; i < sizeof installers / sizeof installers[0]; i++) {
        if (strcmp(inst, installers[i].id) != 0)
            continue;
        if (installers[i].kind == INST_BROWSER)
            return phone__heuristic(c, PHONE_MEDIUM, record, pkg, t,
                                    "package %s was installed by %s (installer %s): an APK file opened by hand, "
                                    "usually downloaded with a browser",
                                    pkg, installers[i].label, inst);
        if (installers[i].kind == INST_THIRD_PARTY)
            return phone__heuristic(c, PHONE_INFO, record, pkg, t,
                                    "package %s was installed from a third-party store, %s (installer %s)", pkg,
                                    installers[i].label, inst);
        return 0;
    }
    return phone__heuristic(c, PHONE_INFO, record, pkg, t, "package %s was installed by %s, which is not a known store",
                            pkg, inst);
}

/* Root managers: their package ids. */
static const struct {
    const char *id;
    const char *what;
} root_packages[] = {
    {"com.topjohnwu.magisk", "Magisk"},
    {"io.github.huskydg.magisk", "Magisk Delta"},
    {"me.weishu.kernelsu", "KernelSU"},
    {"eu.chainfire.supersu", "SuperSU"},
    {"com.noshufou.android.su", "Superuser"},
    {"com.noshufou.android.su.elite", "Superuser"},
    {"com.koushikdutta.superuser", "Superuser"},
    {"com.thirdparty.superuser", "Superuser"},
    {"com.yellowes.su", "Superuser"},
    {"com.kingroot.kinguser", "KingRoot"},
    {"com.kingo.root", "Kingo Root"},
    {"com.smedialink.oneclickroot", "One Click Root"},
    {"com.zhiqupk.root.global", "Root Master"},
    {"com.alephzain.framaroot", "Framaroot"},
};

const char *phone__a_root_package(const char *pkg, size_t n)
{
    for (size_t i = 0; i < sizeof root_packages / sizeof root_packages[0]; i++)
        if (strlen(root_packages[i].id) == n && memcmp(root_packages[i].id, pkg, n) == 0)
            return root_packages[i].what;
    return NULL;
}

/* Root tools by file or process name. */
static const struct {
    const char *name;
    const char *what;
} root_tools[] = {
    {"su", "the superuser binary"},
    {"busybox", "BusyBox (usually installed with root)"},
    {"magisk", "Magisk, a root framework"},
    {"magiskd", "Magisk's daemon"},
    {"magiskhide", "Magisk's tool to hide root"},
    {"magiskpolicy", "Magisk's SELinux policy tool"},
    {"resetprop", "Magisk's property rewriter"},
    {"supersu", "SuperSU"},
    {"daemonsu", "SuperSU's daemon"},
    {"ksud", "KernelSU's daemon"},
};

static const char *root_tool(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof root_tools / sizeof root_tools[0]; i++)
        if (strlen(root_tools[i].name) == n && memcmp(root_tools[i].name, name, n) == 0)
            return root_tools[i].what;
    return NULL;
}

/* Settings whose value weakens the phone's protections (any namespace). */
static const struct {
    const char *key;
    const char *value;
    int level;
    const char *why;
} risky_settings[] = {
    {"package_verifier_enable", "0", PHONE_MEDIUM, "Google Play Protect's app verification is off"},
    {"package_verifier_user_consent", "-1", PHONE_MEDIUM, "Google Play Protect's scanning was refused"},
    {"verifier_verify_adb_installs", "0", PHONE_MEDIUM, "apps installed over adb are not verified"},
    {"upload_apk_enable", "0", PHONE_MEDIUM, "Google Play Protect does not send unknown apps for analysis"},
    {"install_non_market_apps", "1", PHONE_MEDIUM, "apps from unknown sources may be installed"},
    {"adb_enabled", "1", PHONE_MEDIUM, "USB debugging is on"},
    {"adb_wifi_enabled", "1", PHONE_MEDIUM, "wireless debugging is on"},
    {"development_settings_enabled", "1", PHONE_LOW, "developer options are on"},
    {"send_action_app_error", "0", PHONE_MEDIUM, "crash reports are not sent"},
    {"samsung_errorlog_agree", "0", PHONE_MEDIUM,
     "crash logs are not shared with the manufacturer (an exploit's crashes go unseen)"},
};

/* ---- getprop ------------------------------------------------------------------------------ */

int phone__a_getprop(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0, any = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        /* "[key]: [value]" */
        if (n < 6 || l[0] != '[')
            continue;
        const char *kc = memchr(l, ']', n);
        if (!kc || kc + 3 >= l + n || kc[1] != ':' || kc[2] != ' ' || kc[3] != '[')
            continue;
        const char *k = l + 1, *v = kc + 4;
        size_t kl = (size_t)(kc - k), vl = (size_t)(l + n - v);
        if (vl && v[vl - 1] == ']')
            vl--;
        if (!kl)
            continue;
        any = 1;
        phone__record(c);
        phone__a_property(c, k, kl, v, vl);
        char rec[600];
        snprintf(rec, sizeof rec, "property %.*s", (int)(kl < 500 ? kl : 500), k);
        rc = phone__value(c, IDX_K_ANDROID_PROP, k, kl, rec, NULL);
    }
    if (!rc && !any && len > 0)
        return phone__a_fail(c, VG_E_PARSE, "%s: no \"[name]: [value]\" line", c->source);
    return rc;
}

/* ---- processes (ps) --------------------------------------------------------------------------- */

int phone__a_processes(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0, header = 0, pid_col = -1;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        /* split on blanks */
        const char *tok[64];
        size_t tl[64], nt = 0;
        for (size_t i = 0; i < n && nt < 64;) {
            while (i < n && (l[i] == ' ' || l[i] == '\t'))
                i++;
            if (i >= n)
                break;
            size_t s = i;
            while (i < n && l[i] != ' ' && l[i] != '\t')
                i++;
            tok[nt] = l + s;
            tl[nt++] = i - s;
        }
        if (nt < 2)
            continue;
        if (!header) { /* "USER PID PPID VSZ RSS WCHAN ADDR S NAME" (or LABEL first, CMD last) */
            for (size_t i = 0; i < nt; i++)
                if (tl[i] == 3 && memcmp(tok[i], "PID", 3) == 0)
                    pid_col = (int)i;
            header = pid_col >= 0;
            continue;
        }
        if ((size_t)pid_col >= nt)
            continue;
        const char *name = tok[nt - 1];
        size_t nl = tl[nt - 1];
        if (nl >= 2 && name[0] == '[' && name[nl - 1] == ']') { /* a kernel thread: [kworker/0:0H] */
            name++;
            nl -= 2;
        }
        if (!nl)
            continue;
        phone__record(c);
        char rec[600];
        snprintf(rec, sizeof rec, "pid %.*s %.*s", (int)(tl[pid_col] < 16 ? tl[pid_col] : 16), tok[pid_col],
                 (int)(nl < 500 ? nl : 500), name);
        rc = phone__value(c, memchr(name, '/', nl) && name[0] == '/' ? IDX_K_FILE_PATH : IDX_K_PROCESS, name, nl, rec,
                          NULL);
        /* an app's process is its package, or package:service */
        const char *colon = memchr(name, ':', nl);
        size_t pk = colon ? (size_t)(colon - name) : nl;
        if (!rc && phone__a_is_package(name, pk))
            rc = phone__value(c, IDX_K_APP_ID, name, pk, rec, NULL);
        const char *base = name;
        for (size_t i = 0; i < nl; i++)
            if (name[i] == '/')
                base = name + i + 1;
        const char *rt = rc ? NULL : root_tool(base, (size_t)(name + nl - base));
        if (rt && name[0] != '[')
            rc = phone__heuristic(c, PHONE_HIGH, rec, base, NULL, "process %.*s is running: %s", (int)nl, name, rt);
    }
    if (!rc && !header && len > 0)
        return phone__a_fail(c, VG_E_PARSE, "%s: no ps header line (with a PID column)", c->source);
    return rc;
}

/* ---- tombstones ---------------------------------------------------------------------------------- */

/* Processes whose crash is worth a look: privileged ones (a failed exploit often crashes its target). */
static const struct {
    long uid;
    const char *who;
} privileged_uids[] = {
    {0, "root"},
    {1000, "system"},
    {2000, "shell"},
};

/* What a tombstone says of its crash, from the text or the protobuf form. */
typedef struct tomb {
    char name[256];     /* the crashing thread's name */
    char binary[1024];  /* the process's binary */
    char cmdline[1024]; /* its command line (text: "Cmdline:"; protobuf: argv joined) */
    char pid[32];
    char sig[128];      /* "signal 11 (SIGSEGV), code 1 (SEGV_MAPERR)" */
    long uid;           /* -1 when not given */
    int has_time;
    vg_time time;
} tomb;

/* The values, and the heuristic, of one crash. */
static int tomb_report(phone_ctx *c, const tomb *tb)
{
    phone__record(c);
    const char *base = strrchr(c->source, '/');
    base = base ? base + 1 : c->source;
    char rec[1400];
    snprintf(rec, sizeof rec, "%s pid %s %s uid %ld", base, tb->pid, tb->name, tb->uid);
    const vg_time *tp = tb->has_time ? &tb->time : NULL;
    int rc = phone__event(c, rec, tp, "crash of %s (%s) uid %ld%s%s", tb->name[0] ? tb->name : "a process",
                          tb->binary[0] ? tb->binary : "?", tb->uid, tb->sig[0] ? ", " : "", tb->sig);
    if (!rc && tb->name[0])
        rc = phone__value(c, IDX_K_PROCESS, tb->name, strlen(tb->name), rec, tp);
    if (!rc && tb->binary[0])
        rc = phone__value(c, IDX_K_FILE_PATH, tb->binary, strlen(tb->binary), rec, tp);
    if (!rc && tb->cmdline[0]) {
        const char *sp = strchr(tb->cmdline, ' ');
        size_t cl = sp ? (size_t)(sp - tb->cmdline) : strlen(tb->cmdline);
        if (tb->cmdline[0] == '/' && (strncmp(tb->cmdline, tb->binary, cl) != 0 || tb->binary[cl]))
            rc = phone__value(c, IDX_K_FILE_PATH, tb->cmdline, cl, rec, tp);
        else if (tb->cmdline[0] != '/' && phone__a_is_package(tb->cmdline, cl))
            rc = phone__value(c, IDX_K_APP_ID, tb->cmdline, cl, rec, tp);
    }
    for (size_t i = 0; !rc && i < sizeof privileged_uids / sizeof privileged_uids[0]; i++)
        if (tb->uid == privileged_uids[i].uid)
            rc = phone__heuristic(c, PHONE_MEDIUM, rec, tb->name, tp,
                                  "crash of %s (%s) running as %s (uid %ld)%s%s: a failed exploit often crashes the "
                                  "privileged process it attacks",
                                  tb->name[0] ? tb->name : "a process", tb->binary[0] ? tb->binary : "?",
                                  privileged_uids[i].who, tb->uid, tb->sig[0] ? ", " : "", tb->sig);
    return rc;
}

static int tomb_text(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    tomb tb;
    memset(&tb, 0, sizeof tb);
    tb.uid = -1;
    int seen_pid = 0;
    while (phone__a_line(&p, end, &l, &n)) {
        if (phone__a_starts(l, n, "Timestamp: ") && !tb.has_time) {
            tb.has_time = phone__a_time(c, l + 11, n - 11, &tb.time) > 0;
        } else if (phone__a_starts(l, n, "Cmdline: ") && !tb.cmdline[0]) {
            copy_val(tb.cmdline, sizeof tb.cmdline, l + 9, n - 9);
        } else if (phone__a_starts(l, n, "pid: ") && !seen_pid) {
            /* "pid: 9850, tid: 9893, name: UsbFfs-worker  >>> /system/bin/adbd <<<" */
            seen_pid = 1;
            const char *cm = memchr(l, ',', n);
            copy_val(tb.pid, sizeof tb.pid, l + 5, cm ? (size_t)(cm - l - 5) : 0);
            const char *nm = memmem(l, n, "name: ", 6);
            const char *gt = memmem(l, n, "  >>> ", 6);
            if (nm)
                copy_val(tb.name, sizeof tb.name, nm + 6, (size_t)((gt && gt > nm ? gt : l + n) - nm - 6));
            const char *lt = gt ? memmem(gt, (size_t)(l + n - gt), " <<<", 4) : NULL;
            if (gt && lt)
                copy_val(tb.binary, sizeof tb.binary, gt + 6, (size_t)(lt - gt - 6));
        } else if (phone__a_starts(l, n, "uid: ") && tb.uid < 0) {
            char b[32];
            copy_val(b, sizeof b, l + 5, n - 5);
            char *e;
            long v = strtol(b, &e, 10);
            if (e != b && v >= 0)
                tb.uid = v;
        } else if (phone__a_starts(l, n, "signal ") && !tb.sig[0]) {
            const char *cm = memchr(l, ',', n);
            const char *fa = memmem(l, n, ", fault addr", 12);
            copy_val(tb.sig, sizeof tb.sig, l, fa ? (size_t)(fa - l) : cm ? (size_t)(cm - l) : n);
        }
    }
    if (!seen_pid)
        return phone__a_fail(c, VG_E_PARSE, "%s: not a text tombstone (no \"pid:\" line)", c->source);
    return tomb_report(c, &tb);
}

/* protobuf-c's allocations through vg_malloc, so that failure injection reaches them. */
static void *pb_alloc(void *data, size_t n)
{
    (void)data;
    return vg_malloc(n);
}

static void pb_free(void *data, void *p)
{
    (void)data;
    vg_free(p);
}

static int tomb_proto(phone_ctx *c, const char *data, size_t len)
{
    ProtobufCAllocator al = {pb_alloc, pb_free, NULL};
    long failed = vg_alloc_failures();
    VigilTombstone__Tombstone *t = vigil_tombstone__tombstone__unpack(&al, len, (const uint8_t *)data);
    if (!t) {
        if (vg_alloc_failures() != failed)
            return VG_E_NOMEM;
        return phone__a_fail(c, VG_E_PARSE, "%s: not a protobuf tombstone (the message does not decode)", c->source);
    }
    tomb tb;
    memset(&tb, 0, sizeof tb);
    snprintf(tb.pid, sizeof tb.pid, "%u", t->pid);
    tb.uid = (long)t->uid;
    if (t->timestamp && t->timestamp[0])
        tb.has_time = phone__a_time(c, t->timestamp, strlen(t->timestamp), &tb.time) > 0;
    for (size_t i = 0; i < t->n_threads; i++) /* the crashing thread's name, as the text form's "name:" */
        if (t->threads[i] && t->threads[i]->value && t->threads[i]->key == t->tid && t->threads[i]->value->name)
            snprintf(tb.name, sizeof tb.name, "%s", t->threads[i]->value->name);
    if (t->n_command_line && t->command_line[0]) {
        snprintf(tb.binary, sizeof tb.binary, "%s", t->command_line[0]);
        size_t k = 0;
        for (size_t i = 0; i < t->n_command_line && k + 1 < sizeof tb.cmdline; i++)
            k += (size_t)snprintf(tb.cmdline + k, sizeof tb.cmdline - k, "%s%s", i ? " " : "",
                                  t->command_line[i] ? t->command_line[i] : "");
        if (k >= sizeof tb.cmdline)
            tb.cmdline[sizeof tb.cmdline - 1] = 0;
    }
    if (t->signal_info)
        snprintf(tb.sig, sizeof tb.sig, "signal %d (%s), code %d (%s)", t->signal_info->number,
                 t->signal_info->name ? t->signal_info->name : "", t->signal_info->code,
                 t->signal_info->code_name ? t->signal_info->code_name : "");
    vigil_tombstone__tombstone__free_unpacked(t, &al);
    return tomb_report(c, &tb);
}

int phone__a_tombstone(phone_ctx *c, const char *data, size_t len)
{
    size_t sl = strlen(c->source);
    if (sl > 3 && strcmp(c->source + sl - 3, ".pb") == 0) {
        /* Android 12+ writes tombstone_NN and tombstone_NN.pb side by side: read the protobuf one only alone */
        phone_actx *a = phone__actx(c);
        size_t pl = strlen(a->prefix);
        char twin[4096];
        if (sl - 3 > pl && sl - 3 - pl < sizeof twin) {
            memcpy(twin, c->source + pl, sl - 3 - pl);
            twin[sl - 3 - pl] = 0;
            if (a->fs && phone__afs_find(a->fs, twin))
                return 0;
        }
        return tomb_proto(c, data, len);
    }
    return tomb_text(c, data, len);
}

/* ---- the bugreport's file timestamps ------------------------------------------------------------- */

int phone__a_timestamps(phone_ctx *c, const char *data, size_t len)
{
    (void)data;
    (void)len;
    phone_afs *fs = phone__actx(c)->fs;
    int rc = 0, seen = 0;
    for (size_t i = 0; !rc && i < fs->n; i++) {
        const phone_afile *f = &fs->files[i];
        if (f->is_dir || strncmp(f->path, "FS/", 3) != 0)
            continue;
        if (!seen)
            phone__a_seen(c);
        seen = 1;
        phone__record(c);
        char rec[4200];
        snprintf(rec, sizeof rec, "file %s", f->path);
        /* the phone's own path: FS/data/... is /data/... */
        rc = phone__value(c, IDX_K_FILE_PATH, f->path + 2, strlen(f->path + 2), rec, f->has_mtime ? &f->mtime : NULL);
    }
    return rc;
}

/* ---- AndroidQF packages.json ------------------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Looks up each hash of an object under the given keys. */
static int hashes(phone_ctx *c, json_t *o, const char *const *keys, size_t nk, const char *rec)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < nk; i++) {
        const char *h = jstr(o, keys[i]);
        if (h[0])
            rc = phone__value(c, IDX_K_HASH, h, strlen(h), rec, NULL);
    }
    return rc;
}

int phone__a_aqf_packages(phone_ctx *c, const char *data, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL, &je);
    if (!root)
        return json_fail(c, &je);
    if (!json_is_array(root)) {
        json_decref(root);
        return phone__a_fail(c, VG_E_PARSE, "%s: not a JSON array of packages", c->source);
    }
    int rc = 0;
    size_t i;
    json_t *pk;
    json_array_foreach(root, i, pk)
    {
        if (rc)
            break;
        const char *name = jstr(pk, "name");
        if (!name[0])
            continue;
        phone__record(c);
        phone__actx(c)->packages[1]++;
        char rec[600];
        snprintf(rec, sizeof rec, "package %s", name);
        rc = phone__value(c, IDX_K_APP_ID, name, strlen(name), rec, NULL);
        size_t j;
        json_t *f;
        json_array_foreach(json_object_get(pk, "files"), j, f)
        {
            if (rc)
                break;
            const char *path = jstr(f, "path");
            char frec[2000];
            snprintf(frec, sizeof frec, "package %s file %s", name, path);
            if (path[0])
                rc = phone__value(c, IDX_K_FILE_PATH, path, strlen(path), frec, NULL);
            static const char *const fh[] = {"sha256", "sha1", "md5", "sha512"};
            if (!rc)
                rc = hashes(c, f, fh, 4, frec);
            json_t *cert = json_object_get(f, "certificate");
            snprintf(frec, sizeof frec, "package %s certificate", name);
            static const char *const ch[] = {"Sha256", "Sha1", "Md5"};
            if (!rc && json_is_object(cert))
                rc = hashes(c, cert, ch, 3, frec);
        }
        json_t *sys = json_object_get(pk, "system");
        if (!rc)
            rc = phone__a_installer_check(c, name, jstr(pk, "installer"), json_is_true(sys), rec, NULL);
        const char *rp = rc ? NULL : phone__a_root_package(name, strlen(name));
        if (rp)
            rc = phone__heuristic(c, PHONE_HIGH, rec, name, NULL,
                                  "root manager %s is installed: %s (it gives apps full control of the phone)", name, rp);
    }
    json_decref(root);
    return rc;
}

/* ---- AndroidQF settings_<namespace>.txt ------------------------------------------------------------------ */

int phone__a_aqf_settings(phone_ctx *c, const char *data, size_t len)
{
    const char *base = strrchr(c->source, '/');
    base = base ? base + 1 : c->source;
    char ns[64] = "";
    if (strncmp(base, "settings_", 9) == 0) {
        const char *dot = strrchr(base, '.');
        copy_val(ns, sizeof ns, base + 9, dot && dot > base + 9 ? (size_t)(dot - base - 9) : strlen(base + 9));
    }
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        const char *eq = memchr(l, '=', n);
        if (!eq || eq == l)
            continue;
        phone__record(c);
        size_t kl = (size_t)(eq - l), vl = (size_t)(l + n - eq - 1);
        for (size_t i = 0; !rc && i < sizeof risky_settings / sizeof risky_settings[0]; i++) {
            if (strlen(risky_settings[i].key) != kl || memcmp(risky_settings[i].key, l, kl) != 0 ||
                strlen(risky_settings[i].value) != vl || memcmp(risky_settings[i].value, eq + 1, vl) != 0)
                continue;
            char rec[400];
            snprintf(rec, sizeof rec, "settings %s %.*s=%.*s", ns, (int)kl, l, (int)vl, eq + 1);
            rc = phone__heuristic(c, risky_settings[i].level, rec, risky_settings[i].key, NULL,
                                  "setting %s %s = %s: %s", ns, risky_settings[i].key, risky_settings[i].value,
                                  risky_settings[i].why);
        }
    }
    return rc;
}

/* ---- AndroidQF files.json ------------------------------------------------------------------------------------ */

int phone__a_aqf_files(phone_ctx *c, const char *data, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL, &je);
    if (!root)
        return json_fail(c, &je);
    if (!json_is_array(root)) {
        json_decref(root);
        return phone__a_fail(c, VG_E_PARSE, "%s: not a JSON array of files", c->source);
    }
    int rc = 0;
    size_t i;
    json_t *f;
    json_array_foreach(root, i, f)
    {
        if (rc)
            break;
        const char *path = jstr(f, "path");
        if (!path[0])
            continue;
        phone__record(c);
        json_t *mt = json_object_get(f, "modified_time");
        vg_time t, *tp = NULL;
        if (json_is_number(mt) && json_number_value(mt) > 0 && json_number_value(mt) < 1e11) {
            t = vg_time_from_unix((int64_t)json_number_value(mt), 0, 0);
            tp = &t;
        }
        char rec[4200];
        snprintf(rec, sizeof rec, "file %s", path);
        rc = phone__value(c, IDX_K_FILE_PATH, path, strlen(path), rec, tp);
        static const char *const fh[] = {"sha256", "sha1", "md5", "sha512"};
        if (!rc)
            rc = hashes(c, f, fh, 4, rec);
        const char *mode = jstr(f, "mode");
        if (!rc && strncmp(path, "/data/local/tmp/", 16) == 0 && mode[0] == '-' && strchr(mode, 'x'))
            rc = phone__heuristic(c, PHONE_MEDIUM, rec, path, tp,
                                  "executable file %s (%s) in /data/local/tmp, where exploits and adb tools drop "
                                  "their binaries",
                                  path, mode);
    }
    json_decref(root);
    return rc;
}

/* ---- root_binaries.json --------------------------------------------------------------------------------------- */

int phone__a_root_binaries(phone_ctx *c, const char *data, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL, &je);
    if (!root)
        return json_fail(c, &je);
    if (!json_is_array(root)) {
        json_decref(root);
        return phone__a_fail(c, VG_E_PARSE, "%s: not a JSON array of paths", c->source);
    }
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(root, i, v)
    {
        const char *path = json_string_value(v);
        if (rc || !path || !path[0])
            continue;
        phone__record(c);
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const char *what = root_tool(base, strlen(base));
        char rec[4200];
        snprintf(rec, sizeof rec, "root binary %s", path);
        rc = phone__value(c, IDX_K_FILE_PATH, path, strlen(path), rec, NULL);
        if (!rc)
            rc = phone__heuristic(c, PHONE_HIGH, rec, path, NULL,
                                  "root binary %s found at %s%s%s: a rooted phone lets any app with root read "
                                  "everything",
                                  base, path, what ? ", " : "", what ? what : "");
    }
    json_decref(root);
    return rc;
}

/* ---- mounts ------------------------------------------------------------------------------------------------------ */

static const char *const system_mounts[] = {"/", "/system", "/system_root", "/vendor", "/product", "/system_ext",
                                            "/odm"};

/* One mount line: "dev mountpoint fstype opts ..." or "dev on mountpoint type fstype (opts)". */
static int mount_line(phone_ctx *c, const char *l, size_t n)
{
    const char *tok[8];
    size_t tl[8], nt = 0;
    for (size_t i = 0; i < n && nt < 8;) {
        while (i < n && (l[i] == ' ' || l[i] == '\t'))
            i++;
        if (i >= n)
            break;
        size_t s = i;
        while (i < n && l[i] != ' ' && l[i] != '\t')
            i++;
        tok[nt] = l + s;
        tl[nt++] = i - s;
    }
    const char *mp, *fs, *opts;
    size_t mpl, fsl, optl;
    if (nt >= 6 && tl[1] == 2 && memcmp(tok[1], "on", 2) == 0 && tl[3] == 4 && memcmp(tok[3], "type", 4) == 0) {
        mp = tok[2], mpl = tl[2], fs = tok[4], fsl = tl[4], opts = tok[5], optl = tl[5];
        if (optl >= 2 && opts[0] == '(') {
            opts++;
            optl -= 2;
        }
    } else if (nt >= 4) {
        mp = tok[1], mpl = tl[1], fs = tok[2], fsl = tl[2], opts = tok[3], optl = tl[3];
    } else {
        return 0;
    }
    phone__record(c);
    int sys = 0;
    for (size_t i = 0; i < sizeof system_mounts / sizeof system_mounts[0]; i++)
        if (strlen(system_mounts[i]) == mpl && memcmp(system_mounts[i], mp, mpl) == 0)
            sys = 1;
    int rw = optl >= 2 && memcmp(opts, "rw", 2) == 0 && (optl == 2 || opts[2] == ',');
    int virt = (fsl == 5 && memcmp(fs, "tmpfs", 5) == 0) || (fsl == 6 && memcmp(fs, "rootfs", 6) == 0);
    if (!sys || !rw || virt)
        return 0;
    char rec[600];
    snprintf(rec, sizeof rec, "mount %.*s %.*s %.*s", (int)(mpl < 200 ? mpl : 200), mp, (int)(fsl < 40 ? fsl : 40), fs,
             (int)(optl < 200 ? optl : 200), opts);
    char where[256];
    copy_val(where, sizeof where, mp, mpl);
    return phone__heuristic(c, PHONE_HIGH, rec, where, NULL,
                            "system partition %s is mounted read-write (%.*s): it is read-only on a phone that was "
                            "not rooted or tampered with",
                            where, (int)(fsl < 40 ? fsl : 40), fs);
}

int phone__a_mounts(phone_ctx *c, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    int rc = 0;
    if (i < len && data[i] == '[') { /* a JSON array of lines, or of objects */
        json_error_t je;
        json_t *root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL, &je);
        if (!root)
            return json_fail(c, &je);
        size_t k;
        json_t *v;
        json_array_foreach(root, k, v)
        {
            if (rc)
                break;
            if (json_is_string(v)) {
                rc = mount_line(c, json_string_value(v), json_string_length(v));
            } else if (json_is_object(v)) {
                char line[2048];
                snprintf(line, sizeof line, "%s %s %s %s", jstr(v, "device")[0] ? jstr(v, "device") : "-",
                         jstr(v, "mount_point")[0] ? jstr(v, "mount_point") : jstr(v, "path"),
                         jstr(v, "type")[0] ? jstr(v, "type") : jstr(v, "filesystem"), jstr(v, "options"));
                rc = mount_line(c, line, strlen(line));
            }
        }
        json_decref(root);
        return rc;
    }
    const char *p = data, *end = data + len, *l;
    size_t n;
    while (!rc && phone__a_line(&p, end, &l, &n))
        rc = mount_line(c, l, n);
    return rc;
}

/* ---- adb backup ---------------------------------------------------------------------------------------------------- */

int phone__a_backup(phone_ctx *c, const char *data, size_t len)
{
    phone_ab_header h;
    vg_error e = {0};
    int rc = phone_ab_header_parse(data, len, &h, &e);
    if (rc)
        return phone__a_fail(c, rc, "%s: %s", c->source, e.msg);
    const char *pw = NULL;
    if (h.encrypted) {
        pw = phone__a_password(c, c->source);
        if (!pw)
            return phone__a_fail(c, VG_E_USAGE, "%s: encrypted backup (AES-256) and no password given "
                                                "(--password-stdin, or answer the prompt)",
                                 c->source);
    }
    phone__record(c);
    char *tar = NULL;
    size_t tarlen = 0;
    rc = phone_ab_decode(data, len, pw, PHONE_AFS_MAX_FILE, &tar, &tarlen, &e);
    if (rc == VG_E_NOMEM)
        return rc;
    if (rc)
        return phone__a_fail(c, rc, "%s: %s", c->source, e.msg);
    const char *base = strrchr(c->source, '/');
    rc = phone__a_nested(c, base ? base + 1 : c->source, tar, tarlen);
    vg_free(tar);
    return rc;
}

int phone__a_backup_packages(phone_ctx *c, const char *data, size_t len)
{
    (void)data;
    (void)len;
    phone_afs *fs = phone__actx(c)->fs;
    int rc = 0, seen = 0;
    char last[256] = "";
    for (size_t i = 0; !rc && i < fs->n; i++) {
        const char *p = fs->files[i].path;
        if (strncmp(p, "apps/", 5) != 0)
            continue;
        const char *s = p + 5, *sl = strchr(s, '/');
        size_t n = sl ? (size_t)(sl - s) : strlen(s);
        if (!phone__a_is_package(s, n) || n >= sizeof last || (strlen(last) == n && memcmp(last, s, n) == 0))
            continue;
        copy_val(last, sizeof last, s, n);
        if (!seen)
            phone__a_seen(c);
        seen = 1;
        phone__record(c);
        char rec[400];
        snprintf(rec, sizeof rec, "apps/%s", last);
        rc = phone__value(c, IDX_K_APP_ID, last, n, rec, NULL);
    }
    return rc;
}

/* ---- SMS and MMS of a backup --------------------------------------------------------------------------------------------- */

/* Android's message dates: milliseconds for SMS, seconds for MMS; told apart by size. */
static const vg_time *msg_time(json_t *v, vg_time *t)
{
    const char *s = json_string_value(v);
    long long x = 0;
    if (s) {
        char *e;
        x = strtoll(s, &e, 10);
        if (e == s)
            return NULL;
    } else if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) < 1e15) {
        x = (long long)json_number_value(v);
    }
    if (x <= 0)
        return NULL;
    *t = x < 100000000000LL ? vg_time_from_unix(x, 0, 0) : vg_time_from_unix(x / 1000, (uint32_t)(x % 1000) * 1000000, 3);
    return t;
}

int phone__a_sms(phone_ctx *c, const char *data, size_t len)
{
    char *plain = NULL;
    size_t plen = 0;
    const char *js = data;
    size_t jl = len;
    if (len >= 2 && (unsigned char)data[0] == 0x78) { /* a zlib stream */
        size_t cap = len * 8 + 1024;
        if (cap > MAX_SMS_JSON)
            cap = MAX_SMS_JSON;
        for (;;) {
            plain = vg_malloc(cap + 1);
            if (!plain)
                return VG_E_NOMEM;
            uLongf dl = (uLongf)cap;
            int zr = uncompress((Bytef *)plain, &dl, (const Bytef *)data, (uLong)len);
            if (zr == Z_OK) {
                plen = dl;
                break;
            }
            vg_free(plain);
            plain = NULL;
            if (zr == Z_BUF_ERROR && cap < MAX_SMS_JSON) {
                cap = cap * 4 > MAX_SMS_JSON ? MAX_SMS_JSON : cap * 4;
                continue;
            }
            if (zr == Z_MEM_ERROR)
                return VG_E_NOMEM;
            return phone__a_fail(c, zr == Z_BUF_ERROR ? VG_E_LIMIT : VG_E_PARSE, "%s: %s", c->source,
                                 zr == Z_BUF_ERROR ? "inflates to more than 64 MB" : "damaged compressed data");
        }
        plain[plen] = 0;
        js = plain;
        jl = plen;
    }
    json_error_t je;
    json_t *root = json_loadb(js, jl, 0, &je);
    vg_free(plain);
    if (!root)
        return json_fail(c, &je);
    int mms = strstr(c->source, "_mms_backup") != NULL, rc = 0;
    size_t i;
    json_t *m;
    json_array_foreach(root, i, m)
    {
        if (rc)
            break;
        if (!json_is_object(m))
            continue;
        phone__record(c);
        vg_time t;
        const vg_time *tp = msg_time(json_object_get(m, "date"), &t);
        const char *addr = jstr(m, "address");
        char rec[400];
        snprintf(rec, sizeof rec, "%s %zu%s%s%s", mms ? "mms" : "sms", i, addr[0] ? " (" : "", addr, addr[0] ? ")" : "");
        const char *body = jstr(m, "body");
        if (!body[0])
            body = jstr(m, "mms_body");
        rc = phone__event(c, rec, tp, "%s %s %s: %.300s", mms ? "MMS" : "SMS", addr[0] ? "with" : "", addr, body);
        if (!rc)
            rc = phone__text(c, body, strlen(body), rec, tp);
        if (!rc && addr[0]) /* an address can be an e-mail (SMS to e-mail gateways) */
            rc = phone__text(c, addr, strlen(addr), rec, tp);
        size_t j;
        json_t *a;
        json_array_foreach(json_object_get(m, "mms_addresses"), j, a)
        {
            const char *s = jstr(a, "address");
            if (!rc && s[0])
                rc = phone__text(c, s, strlen(s), rec, tp);
        }
    }
    json_decref(root);
    return rc;
}
