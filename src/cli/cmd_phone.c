/*
 * cmd_phone.c - vigil phone: phone forensics. `check-ios` reads an iOS
 * backup's artifacts, `check-android` an Android bugreport, AndroidQF
 * acquisition or adb backup; both look their values up in the indicators
 * (the store's, or bundles given with --iocs), print the findings and record
 * each indicator found as a sighting, the way `vigil scan` does.
 * `decrypt-ios` writes a decrypted copy of an encrypted iOS backup.
 */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "scan/scan.h"

static const char usage[] =
    "usage: vigil phone check-ios [--store PATH | --iocs FILE|DIR ... | --index FILE] [--collection NAME]\n"
    "                             [--password-stdin | --key-file F] [--output DIR] [--json]\n"
    "                             [--no-record] BACKUP\n"
    "       vigil phone check-ios --fs [options] ROOT\n"
    "       vigil phone decrypt-ios [--password-stdin | --key-file F] [--save-key F] BACKUP OUTDIR\n"
    "\n"
    "check-ios checks an iOS backup (the folder with Info.plist and Manifest.db)\n"
    "for traces of commercial spyware: browser histories and tabs, SMS and\n"
    "attachments, WhatsApp, interactions, contacts, IDStatusCache, location\n"
    "clients, OS analytics, DataUsage/netusage process names, TCC permissions,\n"
    "installed apps and their installers, WebKit statistics and session logs,\n"
    "calendar, shortcuts,\n"
    "configuration profiles and every file path of the manifest are looked up in\n"
    "the indicators (domains and their subdomains, URLs, addresses, e-mail,\n"
    "process names, app ids, file paths). Heuristics that need no indicator run\n"
    "too (Apple threat notifications, deleted DataUsage rows, apps not from the\n"
    "App Store, attachments in /var/tmp, profiles, lockdown mode).\n"
    "\n"
    "  --store PATH   the store whose indicators are used (default ./vigil.db);\n"
    "                 each indicator found becomes a sighting there\n"
    "  --iocs FILE    STIX bundle(s) or folders of them to use instead of the store's\n"
    "                 indicators (repeatable); sightings are then recorded only\n"
    "                 when --store is given too\n"
    "  --index FILE   an index saved by 'vigil index build': loaded at once instead\n"
    "                 of built (a warning when the store has gained indicators\n"
    "                 since); sightings are recorded only with --store\n"
    "  --fs           ROOT is a filesystem dump (the folder holding private/var):\n"
    "                 each artifact is read at its device path, and the whole tree\n"
    "                 is walked (file paths, folder names as process names, and\n"
    "                 DataUsage processes whose binary is nowhere in it); the\n"
    "                 shutdown log and crash reports (.ips) are read too\n"
    "  --output DIR   also write DIR/info.json, findings.json, one JSON file per\n"
    "                 artifact (every value and event it read), timeline.csv\n"
    "                 (sorted by time) and report.html (one self-contained page)\n"
    "  --json         one JSON document: device, artifacts, findings\n"
    "  --no-record    record no sightings\n"
    "\n"
    "An encrypted backup (Manifest.plist IsEncrypted) is opened with its password,\n"
    "asked for on the terminal or read from standard input (--password-stdin), or\n"
    "with a key saved by decrypt-ios --save-key (--key-file F: no slow password\n"
    "stretching); the files are decrypted into a private temporary folder.\n"
    "\n"
    "decrypt-ios writes a decrypted copy of an encrypted backup to OUTDIR (a new or\n"
    "empty folder): Manifest.db and every file decrypted, Info.plist copied,\n"
    "Manifest.plist marked not encrypted. --save-key F also writes the backup's\n"
    "key to F (mode 0600): it opens this backup without the password, keep it as\n"
    "safe as the password.\n"
    "\n"
    "Exit status: 0 nothing found (informational findings do not count),\n"
    "1 something found, 2 error (wrong password included).\n";

/* The key of an encrypted backup: from --key-file, or the password (stdin or the terminal). NULL on error (printed). */
static phone_ios_key *unlock(const char *cmd, const char *backup, int pw_stdin, const char *key_file)
{
    vg_error err = {0};
    phone_ios_key *k = NULL;
    char pw[1026];
    int rc;
    if (key_file) {
        rc = phone_ios_unlock(backup, NULL, 0, key_file, &k, &err);
    } else {
        if (cli_read_password(cmd, pw_stdin, 0, pw, sizeof pw) != 0)
            return NULL;
        rc = phone_ios_unlock(backup, pw, strlen(pw), NULL, &k, &err);
        OPENSSL_cleanse(pw, sizeof pw);
    }
    if (rc) {
        cli_print_error("phone", &err);
        return NULL;
    }
    return k;
}

static const char usage_android[] =
    "usage: vigil phone check-android [--store PATH | --iocs FILE|DIR ... | --index FILE]\n"
    "                                 [--collection NAME]\n"
    "                                 [--password-stdin] [--age-identity FILE] [--output DIR] [--json]\n"
    "                                 [--no-record] PATH\n"
    "\n"
    "Checks an Android acquisition for traces of spyware and stalkerware. PATH is\n"
    "a bugreport (zip or folder: dumpsys packages, activities, receivers,\n"
    "accessibility, appops, batterystats, dbinfo, platform_compat, adb keys,\n"
    "properties, tombstones, file timestamps, the log), an AndroidQF acquisition\n"
    "(folder or zip: packages with APK and certificate hashes, processes,\n"
    "properties, settings, files, root binaries, mounts, logcat, environment,\n"
    "and its bugreport.zip and backup.ab; encrypted with age as <uuid>.zip.age,\n"
    "or a folder holding one), or an adb backup (.ab, encrypted or not: SMS and\n"
    "MMS). Values are looked up in the indicators (app ids, android-property\n"
    "names, process names with the 15-character truncation, file paths, APK and\n"
    "certificate hashes, domains and URLs in messages and the log); heuristics\n"
    "need no indicator (root binaries and apps, system partitions mounted\n"
    "read-write, sideloaded apps, enabled accessibility services, risky app\n"
    "operations, trusted adb keys, crashes of privileged processes, settings\n"
    "that weaken protections, LD_PRELOAD and writable folders in PATH).\n"
    "\n"
    "  --store PATH      the store whose indicators are used (default ./vigil.db);\n"
    "                    each indicator found becomes a sighting there\n"
    "  --iocs FILE       STIX bundle(s) or folders of them to use instead of the\n"
    "                    store's indicators (repeatable); sightings are then\n"
    "                    recorded only when --store is given too\n"
    "  --index FILE      an index saved by 'vigil index build': loaded at once\n"
    "                    instead of built; sightings are recorded only with --store\n"
    "  --password-stdin  the password of an encrypted backup (or the passphrase of\n"
    "                    an age file), one line of standard input (without it, it\n"
    "                    is asked on the terminal when an encrypted file is met)\n"
    "  --age-identity F  the age identity (AGE-SECRET-KEY-1... lines, as age-keygen\n"
    "                    writes them) whose public key was AndroidQF's key.txt: an\n"
    "                    encrypted acquisition (.zip.age) is decrypted in memory\n"
    "  --output DIR      also write DIR/info.json, findings.json, one JSON file per\n"
    "                    artifact (every value and event it read), timeline.csv and\n"
    "                    report.html (self-contained)\n"
    "  --json            one JSON document: device, artifacts, findings\n"
    "  --no-record       record no sightings\n"
    "\n"
    "An artifact that cannot be read (a damaged zip, a wrong password) is listed\n"
    "with its error and the rest is checked. Exit status: 0 nothing found\n"
    "(informational findings do not count), 1 something found, 2 error.\n";

static const char *state_name(int s)
{
    return s == PHONE_READ ? "read" : s == PHONE_FAILED ? "failed" : "absent";
}

static json_t *report_json(const idx *x, const phone_report *r, size_t nsight)
{
    json_t *j = json_object(), *dev = json_object(), *arts = json_array(), *fs = json_array();
    if (!j || !dev || !arts || !fs) {
        json_decref(j);
        json_decref(dev);
        json_decref(arts);
        json_decref(fs);
        return NULL;
    }
    const phone_device *d = &r->device;
    const struct {
        const char *k;
        const char *v;
    } dk[] = {{"name", d->name},         {"product_type", d->product_type}, {"product_version", d->product_version},
              {"build_version", d->build_version}, {"serial", d->serial}, {"udid", d->udid}};
    for (size_t i = 0; i < sizeof dk / sizeof dk[0]; i++)
        if (dk[i].v)
            json_object_set_new(dev, dk[i].k, json_string(dk[i].v));
    if (d->has_backup_date) {
        char t[VG_TIME_MAX];
        vg_time_format_digits(&d->backup_date, 0, t);
        json_object_set_new(dev, "backup_date", json_string(t));
    }
    json_object_set_new(dev, "installed_applications", json_integer((json_int_t)d->napps));
    if (d->os)
        json_object_set_new(dev, "os", json_string(d->os));
    for (size_t i = 0; i < r->nartifacts; i++) {
        const phone_artifact *a = &r->artifacts[i];
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", a->name, "state", state_name(a->state), "files",
                              (json_int_t)a->files, "records", (json_int_t)a->records, "values",
                              (json_int_t)a->values);
        if (o && a->error)
            json_object_set_new(o, "error", json_string(a->error));
        json_array_append_new(arts, o);
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "level", phone_level_name(f->level), "artifact",
                              f->artifact, "message", f->message, "source", f->source, "record", f->record, "value",
                              f->value);
        if (!o)
            continue;
        if (f->has_time) {
            char t[VG_TIME_MAX];
            vg_time_format(&f->time, t);
            json_object_set_new(o, "time", json_string(t));
        }
        if (f->indicator >= 0) {
            json_object_set_new(o, "kind", json_string(idx_kind_name(f->kind)));
            json_object_set_new(o, "indicator", json_string(idx_indicator_id(x, (uint32_t)f->indicator)));
            char nb[256];
            const char *n = phone_indicator_label(x, (uint32_t)f->indicator, nb, sizeof nb);
            if (n[0])
                json_object_set_new(o, "indicator_name", json_string(n));
        }
        json_array_append_new(fs, o);
    }
    json_object_set_new(j, "device", dev);
    json_object_set_new(j, "artifacts", arts);
    json_object_set_new(j, "findings", fs);
    json_object_set_new(j, "values", json_integer((json_int_t)r->values));
    json_object_set_new(j, "hits", json_integer((json_int_t)r->hits));
    json_object_set_new(j, "sightings", json_integer((json_int_t)nsight));
    return j;
}

static void print_report(const idx *x, const phone_report *r)
{
    const phone_device *d = &r->device;
    if (d->product_type || d->product_version) {
        printf("device: %s, %s %s (%s)", d->product_type ? d->product_type : "?", d->os ? d->os : "iOS",
               d->product_version ? d->product_version : "?", d->build_version ? d->build_version : "?");
        if (d->has_backup_date) {
            char t[VG_TIME_MAX];
            vg_time_format_digits(&d->backup_date, 0, t);
            printf(", backed up %s", t);
        }
        printf(", %zu installed applications\n", d->napps);
    }
    printf("artifacts:\n");
    for (size_t i = 0; i < r->nartifacts; i++) {
        const phone_artifact *a = &r->artifacts[i];
        printf("  %-32s %-6s", a->name, state_name(a->state));
        if (a->state != PHONE_ABSENT)
            printf(" %llu file%s, %llu records, %llu values", (unsigned long long)a->files, a->files == 1 ? "" : "s",
                   (unsigned long long)a->records, (unsigned long long)a->values);
        if (a->error)
            printf("  (%s)", a->error);
        putchar('\n');
    }
    printf("findings: %zu\n", r->nfindings);
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        char t[VG_TIME_MAX] = "-";
        if (f->has_time)
            vg_time_format_digits(&f->time, 0, t);
        printf("  %-13s %-20s %s %s: ", phone_level_name(f->level), t, f->artifact, f->source);
        if (f->indicator >= 0) {
            char nb[256];
            const char *n = phone_indicator_label(x, (uint32_t)f->indicator, nb, sizeof nb);
            printf("%s: %s %s -> %s%s%s%s\n", f->record, idx_kind_name(f->kind), f->value,
                   idx_indicator_id(x, (uint32_t)f->indicator), n[0] ? " (" : "", n, n[0] ? ")" : "");
        } else {
            printf("%s\n", f->message);
        }
    }
}

/* What check-ios and check-android share: where the indicators come from, what to print and record. */
typedef struct check_opts {
    const char *store;       /* --store, or NULL */
    const char *collection;  /* --collection, or NULL */
    const char *const *iocs; /* --iocs files */
    size_t niocs;
    const char *index;       /* --index FILE (a saved index), or NULL */
    int json;                /* --json */
    int record;              /* 0: --no-record, or --iocs without --store */
    const char *output;      /* --output DIR, or NULL (the check must collect: phone_opts.collect) */
} check_opts;

typedef int (*check_fn)(const idx *x, const char *path, const phone_opts *opts, phone_report **out, vg_error *err);

/* Builds the index, runs the check, records sightings, prints the report. Returns the exit code. */
static int check_run(const char *path, check_fn check, const phone_opts *popts, const check_opts *co)
{
    vg_error err = {0};
    store *st = NULL;
    idx *x = NULL;
    phone_report *r = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    if ((!co->niocs && !co->index) || co->record)
        rc = store_open(cli_store_path(co->store), co->record ? STORE_CREATE : STORE_READONLY, &st, &err);
    if (!rc)
        rc = co->index  ? idx_load(co->index, &x, &err)
             : co->niocs ? phone_index_from_files(co->iocs, co->niocs, &x, &err)
                         : scan_index_from_store(st, co->collection, NULL, &x, &err);
    double tindex = cli_secs_since(&t0);
    uint64_t newer = 0;
    if (!rc && co->index && st && scan_index_newer(st, x, co->collection, &newer, &err) == 0 && newer)
        fprintf(stderr,
                "vigil phone: warning: %s%llu indicator versions were added to the store after the index %s was "
                "built; they are not looked for (rebuild it with 'vigil index build')\n",
                newer >= 1000 ? "at least " : "", (unsigned long long)newer, co->index);
    if (!rc)
        rc = check(x, path, popts, &r, &err);
    double tcheck = cli_secs_since(&t0) - tindex;
    size_t nsight = 0;
    if (!rc && co->record) {
        char **ids = NULL;
        rc = scan_record(st, x, r->summary, &ids, &nsight, &err);
        for (size_t i = 0; i < nsight; i++)
            vg_free(ids[i]);
        vg_free(ids);
    }
    if (!rc && co->output)
        rc = phone_write_output(x, r, co->output, &err);
    int found = 0;
    if (!rc) {
        for (size_t i = 0; i < r->nfindings; i++)
            found |= r->findings[i].level >= PHONE_LOW;
        if (co->json) {
            json_t *j = report_json(x, r, nsight);
            char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
            json_decref(j);
            if (!s) {
                rc = vg_error_set(&err, VG_E_NOMEM, "out of memory writing the report");
            } else {
                puts(s);
                vg_free(s);
            }
        } else {
            print_report(x, r);
            const idx_stats *is = idx_get_stats(x);
            fprintf(stderr,
                    "index: %llu indicators, %llu keys in %.3f s; checked %llu values in %.3f s: %llu indicator hits, "
                    "%zu findings; %zu sightings recorded\n",
                    (unsigned long long)is->indicators, (unsigned long long)is->keys, tindex,
                    (unsigned long long)r->values, tcheck, (unsigned long long)r->hits, r->nfindings, nsight);
        }
    }
    phone_report_free(r);
    idx_free(x);
    store_close(st);
    if (rc) {
        cli_print_error("phone", &err);
        return CLI_EXIT_FAIL;
    }
    return found ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static int check_ios(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"iocs", required_argument, NULL, 'i'},
        {"collection", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {"no-record", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
        {"password-stdin", no_argument, NULL, 'p'}, {"key-file", required_argument, NULL, 'k'},
        {"fs", no_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"index", required_argument, NULL, 'x'}, {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *collection = NULL, *key_file = NULL, *output = NULL, *index = NULL;
    const char *iocs[64];
    size_t niocs = 0;
    int o, json = 0, record = 1, pw_stdin = 0, fs = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 's': store_opt = optarg; break;
        case 'c': collection = optarg; break;
        case 'j': json = 1; break;
        case 'n': record = 0; break;
        case 'p': pw_stdin = 1; break;
        case 'k': key_file = optarg; break;
        case 'f': fs = 1; break;
        case 'o': output = optarg; break;
        case 'x': index = optarg; break;
        case 'i':
            if (niocs == sizeof iocs / sizeof iocs[0]) {
                fprintf(stderr, "vigil phone: at most 64 --iocs (give a folder instead)\n");
                return CLI_EXIT_FAIL;
            }
            iocs[niocs++] = optarg;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind + 1 != argc) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    if ((niocs || index) && !store_opt)
        record = 0; /* the bundle's or index's indicators are not in any store the user named */
    if (niocs && index) {
        fprintf(stderr, "vigil phone: --iocs and --index cannot be used together\n");
        return CLI_EXIT_FAIL;
    }
    check_opts co = {store_opt, collection, iocs, niocs, index, json, record, output};
    phone_opts popts = {0};
    popts.fs = fs;
    popts.collect = output != NULL;
    phone_ios_key *key = NULL;
    if (!fs && phone_ios_is_encrypted(argv[optind])) {
        if (!(key = unlock("phone check-ios", argv[optind], pw_stdin, key_file)))
            return CLI_EXIT_FAIL;
        popts.key = key;
    }
    int code = check_run(argv[optind], phone_check_ios, &popts, &co);
    phone_ios_key_free(key);
    return code;
}

/* The password of an encrypted adb backup: read from stdin before the check, or asked on the terminal when met. */
typedef struct pw_ctx {
    char pw[1026]; /* from --password-stdin, "" when it is asked instead */
    int from_stdin;
} pw_ctx;

static int ask_password(void *ctx, const char *what, char *buf, size_t n)
{
    pw_ctx *p = ctx;
    if (p->from_stdin) {
        snprintf(buf, n, "%s", p->pw);
        return buf[0] ? 0 : -1;
    }
    fprintf(stderr, "vigil phone: %s is encrypted\n", what);
    return cli_read_password("phone check-android", 0, 0, buf, n);
}

static int check_android(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"iocs", required_argument, NULL, 'i'},
        {"collection", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {"no-record", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
        {"password-stdin", no_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"age-identity", required_argument, NULL, 'a'}, {"index", required_argument, NULL, 'x'},
        {NULL, 0, NULL, 0},
    };
    check_opts co = {0};
    const char *age_file = NULL;
    co.record = 1;
    static const char *iocs[64];
    static pw_ctx pw;
    memset(&pw, 0, sizeof pw);
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 's': co.store = optarg; break;
        case 'c': co.collection = optarg; break;
        case 'j': co.json = 1; break;
        case 'n': co.record = 0; break;
        case 'p': pw.from_stdin = 1; break;
        case 'o': co.output = optarg; break;
        case 'a': age_file = optarg; break;
        case 'x': co.index = optarg; break;
        case 'i':
            if (co.niocs == sizeof iocs / sizeof iocs[0]) {
                fprintf(stderr, "vigil phone: at most 64 --iocs (give a folder instead)\n");
                return CLI_EXIT_FAIL;
            }
            iocs[co.niocs++] = optarg;
            break;
        case 'h': fputs(usage_android, stdout); return CLI_EXIT_OK;
        default: fputs(usage_android, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind + 1 != argc) {
        fputs(usage_android, stderr);
        return CLI_EXIT_FAIL;
    }
    co.iocs = iocs;
    if ((co.niocs || co.index) && !co.store)
        co.record = 0; /* the bundle's or index's indicators are not in any store the user named */
    if (co.niocs && co.index) {
        fprintf(stderr, "vigil phone: --iocs and --index cannot be used together\n");
        return CLI_EXIT_FAIL;
    }
    if (pw.from_stdin && cli_read_password("phone check-android", 1, 0, pw.pw, sizeof pw.pw) != 0)
        return CLI_EXIT_FAIL;
    phone_age_identity *age = NULL;
    if (age_file) {
        vg_error err = {0};
        if (phone_age_identity_load(age_file, &age, &err) != 0) {
            cli_print_error("phone", &err);
            OPENSSL_cleanse(pw.pw, sizeof pw.pw);
            return CLI_EXIT_FAIL;
        }
    }
    phone_opts popts = {0};
    popts.password = ask_password;
    popts.password_ctx = &pw;
    popts.collect = co.output != NULL;
    popts.age = age;
    int code = check_run(argv[optind], phone_check_android, &popts, &co);
    OPENSSL_cleanse(pw.pw, sizeof pw.pw);
    phone_age_identity_free(age);
    return code;
}

static int decrypt_ios(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"password-stdin", no_argument, NULL, 'p'}, {"key-file", required_argument, NULL, 'k'},
        {"save-key", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_file = NULL, *save = NULL;
    int o, pw_stdin = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'p': pw_stdin = 1; break;
        case 'k': key_file = optarg; break;
        case 's': save = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind + 2 != argc) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    const char *backup = argv[optind], *outdir = argv[optind + 1];
    if (!phone_ios_is_encrypted(backup)) {
        fprintf(stderr, "vigil phone: %s is not an encrypted backup (no Manifest.plist saying IsEncrypted); "
                        "check-ios reads it as it is\n", backup);
        return CLI_EXIT_FAIL;
    }
    phone_ios_key *key = unlock("phone decrypt-ios", backup, pw_stdin, key_file);
    if (!key)
        return CLI_EXIT_FAIL;
    vg_error err = {0};
    phone_decrypt_stats ds;
    int rc = save ? phone_ios_key_save(key, save, &err) : 0;
    if (!rc)
        rc = phone_ios_decrypt(backup, key, outdir, &ds, &err);
    phone_ios_key_free(key);
    if (rc) {
        cli_print_error("phone", &err);
        return CLI_EXIT_FAIL;
    }
    fprintf(stderr, "vigil phone: decrypted %llu files (%llu bytes) into %s", (unsigned long long)ds.files,
            (unsigned long long)ds.bytes, outdir);
    if (ds.missing)
        fprintf(stderr, "; %llu files of the manifest are not in the backup", (unsigned long long)ds.missing);
    fputc('\n', stderr);
    return CLI_EXIT_OK;
}

int cmd_phone(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "check-ios") == 0)
        return check_ios(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "decrypt-ios") == 0)
        return decrypt_ios(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "check-android") == 0)
        return check_android(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
        printf("%s\n%s", usage, usage_android);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "%s\n%s", usage, usage_android);
    return CLI_EXIT_FAIL;
}
