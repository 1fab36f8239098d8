/*
 * phone.h - phone forensics: read the artifacts of an iOS backup, or of an
 * Android bugreport, AndroidQF acquisition or adb backup, that commercial
 * spyware and stalkerware leave traces in, look every value up in the match
 * index, and report findings (indicator hits and indicator-free heuristics).
 *
 *     idx *x;  phone_index_from_files(paths, n, &x, &err);   // or scan_index_from_store
 *     phone_report *r;
 *     phone_check_ios(x, "backup/", NULL, &r, &err);
 *     for (size_t i = 0; i < r->nfindings; i++) ... r->findings[i] ...
 *     scan_record(st, x, r->summary, NULL, NULL, &err);       // sightings, as `vigil scan` writes them
 *     phone_report_free(r); idx_free(x);
 *
 * Each artifact is one row of a table (phone_ios_readers): its name, where it
 * sits in the backup (domain and relative path, or a glob over Manifest.db),
 * what it extracts, and the function that reads it. docs/internals/phone.md
 * lists them. Databases are opened read-only and immutable (a database with a
 * write-ahead log is copied with its log to a private temporary folder and
 * read there, so the evidence is never written to). An artifact that is
 * missing is reported as absent; one that cannot be read is reported with its
 * error and the check goes on. Nothing here prints.
 */
#ifndef PHONE_H
#define PHONE_H

#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"
#include "match/idx.h"
#include "scan/scan.h"

/* How grave a finding is (the reference tool's levels). */
enum phone_level {
    PHONE_INFO = 0, /* worth knowing, not a sign of compromise (lockdown mode is on) */
    PHONE_LOW,      /* a weak sign (a gap in a process table) */
    PHONE_MEDIUM,   /* a sign that needs a look */
    PHONE_HIGH,     /* a strong sign */
    PHONE_CRITICAL, /* an indicator of compromise matched */
};

/* "informational", "low", "medium", "high", "critical". Never NULL. */
const char *phone_level_name(int level);

/* One finding. Strings are owned by the report. */
typedef struct phone_finding {
    int level;            /* PHONE_* */
    const char *artifact; /* the reader's name ("sms", "tcc"...) (static) */
    char *message;        /* one readable sentence */
    char *source;         /* where in the backup: "HomeDomain/Library/SMS/sms.db", "Info.plist" */
    char *record;         /* which record: "message ROWID=3 text" */
    char *value;          /* the value looked up ("" for a heuristic without one) */
    int kind;             /* IDX_K_* of the lookup; IDX_K_NONE for a heuristic */
    int64_t indicator;    /* index in the idx of the indicator hit; -1 for a heuristic */
    int has_time;         /* 1 when the artifact gave a time for the record */
    vg_time time;         /* that time, UTC */
} phone_finding;

/* What happened to one artifact. */
enum { PHONE_ABSENT = 0, PHONE_READ, PHONE_FAILED };

typedef struct phone_artifact {
    const char *name;  /* the reader's name (static) */
    int state;         /* PHONE_ABSENT, PHONE_READ (at least one file read), PHONE_FAILED (at least one failed) */
    uint64_t files;    /* files of this artifact read */
    uint64_t records;  /* records (rows, plist entries) read */
    uint64_t values;   /* values looked up in the index */
    char *error;       /* the first failure ("sms.db: database disk image is malformed"), or NULL */
} phone_artifact;

/* The device, from Info.plist (NULL when absent). */
typedef struct phone_device {
    char *name;            /* Device Name */
    char *product_type;    /* "iPhone9,3" */
    char *product_version; /* "14.3" */
    char *build_version;   /* "18C66" */
    char *serial;          /* Serial Number */
    char *udid;            /* Unique Identifier */
    int has_backup_date;   /* 1 when Last Backup Date was present */
    vg_time backup_date;   /* Last Backup Date */
    size_t napps;          /* Installed Applications */
    const char *os;        /* "Android" for an Android check; NULL for iOS (static) */
} phone_device;

/* A value looked up, or an event an artifact describes (opts.collect). Strings are owned by the report. */
typedef struct phone_event {
    const char *artifact; /* the reader's name (static) */
    char *source;         /* the file it came from */
    char *record;         /* which record */
    int kind;             /* IDX_K_* of a looked-up value; IDX_K_NONE for a described event */
    char *value;          /* the value, or the event's description */
    int has_time;         /* 1 when the record has a time */
    vg_time time;         /* that time, UTC */
} phone_event;

typedef struct phone_report {
    phone_device device;       /* from Info.plist */
    phone_artifact *artifacts; /* one per reader, in table order */
    size_t nartifacts;
    phone_finding *findings;   /* in the order found (reader by reader) */
    size_t nfindings;
    uint64_t values;           /* values looked up in all */
    uint64_t hits;             /* indicator hits (findings with indicator >= 0) */
    scan_summary *summary;     /* one aggregate per indicator hit, for scan_record (device times in first/last_seen) */
    phone_event *events;       /* with opts.collect: every value looked up and every described event, in order */
    size_t nevents;
} phone_report;

void phone_report_free(phone_report *r);

/* The keys that open one encrypted backup (phone_ios_unlock). Opaque. */
typedef struct phone_ios_key phone_ios_key;

/* Options (zero-initialise). */
typedef struct phone_opts {
    const phone_ios_key *key; /* opens an encrypted backup (NULL: an encrypted backup is refused) */
    int fs;                   /* 1: the path is a filesystem dump (its root, holding private/var/...) */
    int collect;              /* 1: keep every value and event in the report (for phone_write_output) */
    /* Every value looked up, with its artifact; for timelines and tests (may be NULL). Nonzero stops the check. */
    int (*on_value)(const char *artifact, const char *record, int kind, const char *value, const vg_time *t,
                    void *ctx);
    void *ctx;
    /*
     * Android: asked once for the password of an encrypted `adb backup` when
     * the first one is met (NULL: such backups are reported as unreadable).
     * Writes a NUL-terminated password into buf (n bytes); nonzero: none given.
     */
    int (*password)(void *ctx, const char *what, char *buf, size_t n);
    void *password_ctx;
    /* Android: the X25519 identities that open an age-encrypted acquisition (<uuid>.zip.age), or NULL. */
    const struct phone_age_identity *age;
} phone_opts;

/*
 * Checks the iOS backup in the folder `path` (the one holding Info.plist,
 * Manifest.db and the two-hex-digit folders) against x. An encrypted backup
 * needs opts->key: Manifest.db and each file a reader wants are decrypted
 * into a private temporary folder (0700), read there and removed.
 * Returns 0 whatever was found (see (*out)->findings), VG_E_NOTFOUND when
 * path is not a backup folder, VG_E_USAGE for an encrypted backup without a
 * key, VG_E_INVALID when the key does not open its Manifest.db, VG_E_IO,
 * VG_E_NOMEM, or on_value's nonzero value. Unreadable artifacts are not
 * errors: they are recorded in (*out)->artifacts.
 */
int phone_check_ios(const idx *x, const char *path, const phone_opts *opts, phone_report **out, vg_error *err);

/*
 * Writes a check's results into the folder dir (made when missing; files in
 * it are replaced): info.json (device, artifacts), findings.json,
 * <artifact>.json (every value and event the artifact kept: run the check
 * with opts.collect), timeline.csv (timed values, events and findings sorted
 * by time) and report.html (self-contained: inline CSS, no script, no
 * outside request, all text escaped). Returns 0, VG_E_IO, VG_E_NOMEM.
 */
int phone_write_output(const idx *x, const phone_report *r, const char *dir, vg_error *err);

/*
 * Compiles an index from STIX bundle files (or folders of *.json / *.stix2 /
 * *.stix bundles, walked recursively): scan_index_from_files, so indicators
 * keep what they `indicate`. Validity is checked at the current time.
 * Returns 0, VG_E_NOTFOUND, VG_E_IO, VG_E_PARSE, VG_E_LIMIT (over 4096 files),
 * VG_E_NOMEM.
 */
int phone_index_from_files(const char *const *paths, size_t n, idx **out, vg_error *err);

/*
 * The name a finding shows for indicator i: its own name, else the name of
 * the first thing it indicates ("Pegasus" of "Pegasus (malware)"), as spyware
 * bundles name their families that way; "" when neither. buf (cap bytes)
 * holds the latter.
 */
const char *phone_indicator_label(const idx *x, uint32_t i, char *buf, size_t cap);

/* ---- encrypted backups (phone_ios_crypt.c) ----------------------------------- */

/* 1 when the backup's Manifest.plist says IsEncrypted (a backup without Manifest.plist is not encrypted). */
int phone_ios_is_encrypted(const char *backup);

/*
 * Opens an encrypted backup's keybag (Manifest.plist's BackupKeyBag) with its
 * password (password != NULL, len bytes) or with a key saved earlier by
 * phone_ios_key_save (key_file != NULL): the password is stretched with
 * PBKDF2-HMAC-SHA256 (DPSL, DPIC) then PBKDF2-HMAC-SHA1 (SALT, ITER) (iOS
 * 10.2 and later; the SHA-1 round alone before), and every class key is
 * unwrapped (RFC 3394) with the result. The caller frees *out with
 * phone_ios_key_free (which wipes it).
 * Returns 0, VG_E_NOTFOUND (no Manifest.plist), VG_E_PARSE (no keybag, a
 * damaged one), VG_E_INVALID (wrong password; a key file of another backup
 * or that does not open it), VG_E_LIMIT (iteration counts over 10^8),
 * VG_E_UNSUPPORTED (no passcode-wrapped class key), VG_E_IO, VG_E_NOMEM.
 */
int phone_ios_unlock(const char *backup, const char *password, size_t len, const char *key_file,
                     phone_ios_key **out, vg_error *err);

/* Writes the unlocked key (the stretched password and the keybag's UUID) to path, mode 0600. 0, VG_E_IO. */
int phone_ios_key_save(const phone_ios_key *k, const char *path, vg_error *err);

void phone_ios_key_free(phone_ios_key *k);

/* What phone_ios_decrypt did. */
typedef struct phone_decrypt_stats {
    uint64_t files;   /* files decrypted (or copied: empty files have no key) */
    uint64_t bytes;   /* plaintext bytes written */
    uint64_t missing; /* files of Manifest.db not on disk (a partial backup) */
} phone_decrypt_stats;

/*
 * Writes a decrypted copy of the encrypted backup `backup` to `outdir`
 * (created; an existing folder must be empty): Manifest.db decrypted, every
 * file of it decrypted at <xx>/<file id>, Info.plist and Status.plist copied,
 * Manifest.plist copied with IsEncrypted false. phone_check_ios reads the
 * copy like any unencrypted backup. st may be NULL.
 * Returns 0, VG_E_CONFLICT (outdir not empty), VG_E_INVALID (the key does not
 * open Manifest.db), VG_E_PARSE (a damaged file: its name in err), VG_E_IO,
 * VG_E_NOMEM.
 */
int phone_ios_decrypt(const char *backup, const phone_ios_key *k, const char *outdir, phone_decrypt_stats *st,
                      vg_error *err);

/* One class key of a keybag. */
typedef struct phone_keybag_class {
    uint32_t clas;          /* CLAS: the protection class (1..11) */
    uint32_t wrap;          /* WRAP: 1 device key, 2 passcode key (backups: 2) */
    uint32_t ktyp;          /* KTYP: 0 AES, 1 Curve25519 */
    unsigned char wpky[40]; /* WPKY: the wrapped class key */
    size_t wpky_len;        /* its length (40 for a 256-bit key) */
} phone_keybag_class;

/* A parsed keybag (TLV records: 4-byte tag, 4-byte big-endian length, value). */
typedef struct phone_keybag {
    uint32_t version, type;     /* VERS, TYPE (1: backup) */
    unsigned char uuid[16];     /* UUID of the keybag (the first UUID record) */
    unsigned char salt[64];     /* SALT of the PBKDF2-SHA1 round */
    size_t salt_len;
    uint32_t iter;              /* ITER */
    unsigned char dpsl[64];     /* DPSL of the PBKDF2-SHA256 round (iOS 10.2+), dpsl_len 0 before */
    size_t dpsl_len;
    uint32_t dpic;              /* DPIC */
    phone_keybag_class classes[32]; /* one per class key, in order */
    size_t nclasses;
} phone_keybag;

/* Parses keybag bytes (at most 64 KiB). Returns 0, VG_E_PARSE (truncated, a bad length, no UUID/SALT/ITER), VG_E_LIMIT. */
int phone_keybag_parse(const void *data, size_t len, phone_keybag *out, vg_error *err);

/* ---- plists (exposed for tests and the fuzz target) ------------------------- */

/*
 * Reads Info.plist bytes into *dev and calls app(ctx, id) for each installed
 * application id. Returns 0, VG_E_PARSE (not a plist, or not a dictionary),
 * VG_E_NOMEM, or app's nonzero return.
 */
int phone_info_plist(const char *data, size_t len, phone_device *dev, int (*app)(void *ctx, const char *id),
                     void *ctx, vg_error *err);
void phone_device_clear(phone_device *dev);

/* An MBFile record of Manifest.db's `file` column (an NSKeyedArchiver plist). */
typedef struct phone_mbfile {
    int has_modified, has_birth, has_changed;
    vg_time modified; /* LastModified */
    vg_time birth;    /* Birth */
    vg_time changed;  /* LastStatusChange */
    uint64_t size;    /* Size */
    uint64_t mode;    /* Mode (st_mode bits) */
    int has_size;     /* 1 when Size was present */
    uint32_t protection_class;   /* ProtectionClass (encrypted backups), 0 when absent */
    unsigned char enckey[64];    /* EncryptionKey (encrypted backups): 4-byte little-endian class + wrapped key */
    size_t enckey_len;           /* its length, 0 when absent (or longer than enckey) */
} phone_mbfile;

/* Decodes an MBFile blob. Returns 0 or VG_E_PARSE (not an archived MBFile). Never reads out of bounds. */
int phone_mbfile_parse(const void *data, size_t len, phone_mbfile *out);

/* The file id of a backup file: SHA-1 hex of "domain-relativePath" (41 bytes with the NUL). */
void phone_file_id(const char *domain, const char *relpath, char out[41]);

/* Apple's "Cocoa" time (seconds since 2001-01-01T00:00:00Z) to a vg_time. */
vg_time phone_cocoa_time(double secs);

/* ---- Android ---------------------------------------------------------------- */

/*
 * Checks an Android acquisition at `path` against x: a bugreport (zip or
 * its extracted folder: the dumpstate file's dumpsys sections, tombstones,
 * file timestamps), an AndroidQF acquisition (folder or zip: packages,
 * processes, properties, settings, files, root binaries, mounts, dumpsys,
 * and its nested bugreport.zip and backup.ab), an `adb backup` file (.ab,
 * encrypted or not: opts->password is asked), or the extracted folder of
 * one. Returns 0 whatever was found, VG_E_NOTFOUND when path is none of
 * these, VG_E_NOMEM, or on_value's nonzero value. Unreadable or damaged
 * artifacts (a truncated zip, a wrong password) are not errors: they are
 * recorded in (*out)->artifacts and the rest is read.
 */
int phone_check_android(const idx *x, const char *path, const phone_opts *opts, phone_report **out, vg_error *err);

/*
 * Runs the one Android reader named `artifact` ("dumpsys_appops",
 * "getprop", "aqf_packages"...: the names of docs/internals/phone.md) on
 * bytes, as if read from a file called `source`. For tests and tools: a
 * single `dumpsys <service>` output. Returns as phone_check_android, and
 * VG_E_NOTFOUND for an unknown artifact name.
 */
int phone_check_android_artifact(const idx *x, const char *artifact, const char *data, size_t len,
                                 const char *source, const phone_opts *opts, phone_report **out, vg_error *err);

/* The header of an `adb backup` file. */
typedef struct phone_ab_header {
    int version;            /* 1..5 */
    int compressed;         /* 1: the payload is zlib-compressed */
    int encrypted;          /* 1: AES-256 */
    unsigned char user_salt[64], ck_salt[64], user_iv[16], mk_blob[256];
    size_t user_salt_len, ck_salt_len, mk_blob_len;
    uint32_t rounds;        /* PBKDF2 rounds */
    size_t payload;         /* offset of the payload in the file */
} phone_ab_header;

/*
 * Parses an `adb backup` header (ANDROID BACKUP, version, compressed,
 * encryption and, for AES-256, salts, rounds, IV and master-key blob in hex).
 * Returns 0, VG_E_PARSE (not a backup, or a damaged header, with the line),
 * VG_E_UNSUPPORTED (another version or cipher).
 */
int phone_ab_header_parse(const void *data, size_t len, phone_ab_header *h, vg_error *err);

/*
 * Decodes an `adb backup` into its tar: decrypts it with password (UTF-8;
 * may be NULL for an unencrypted one) and inflates it. At most `max` bytes
 * of tar. Returns 0 with *tar (vg_malloc'd) and *tarlen, VG_E_PARSE (damaged
 * header or payload, truncated data), VG_E_USAGE (encrypted and no
 * password), VG_E_INVALID (wrong password: the master key's checksum
 * differs), VG_E_LIMIT (more than max), VG_E_UNSUPPORTED, VG_E_NOMEM.
 */
int phone_ab_decode(const void *data, size_t len, const char *password, size_t max, char **tar, size_t *tarlen,
                    vg_error *err);

/* ---- age-encrypted files (phone_age.c) -------------------------------------------- */

/* X25519 identities (age's AGE-SECRET-KEY-1... keys), wiped when freed. */
typedef struct phone_age_identity phone_age_identity;

/*
 * Reads an identity file as age-keygen writes it: AGE-SECRET-KEY-1 lines
 * (Bech32), blank lines and # comments; at most 1 MB and 1,000 keys.
 * Returns 0, VG_E_NOTFOUND, VG_E_IO, VG_E_LIMIT, VG_E_PARSE (a line that
 * is no identity, with its number), VG_E_INVALID (a recipient, age1...,
 * given instead), VG_E_UNSUPPORTED (plugin or post-quantum identities, an
 * encrypted identity file), VG_E_NOMEM. Free with phone_age_identity_free.
 */
int phone_age_identity_load(const char *path, phone_age_identity **out, vg_error *err);

/* The same from text; name is used in messages. */
int phone_age_identity_parse(const char *text, size_t len, const char *name, phone_age_identity **out,
                             vg_error *err);
void phone_age_identity_free(phone_age_identity *id);

/* The keys an identity set holds (0 for NULL). */
size_t phone_age_identity_count(const phone_age_identity *id);

#define PHONE_AGE_MAX_STANZAS 64

/* One recipient stanza of an age header. */
typedef struct phone_age_stanza {
    char type[32];             /* the first argument ("X25519", "scrypt", another's); "" when longer */
    int nargs;                 /* arguments, the type included */
    unsigned char arg[32];     /* X25519: the ephemeral share (32 bytes); scrypt: the salt (16) */
    size_t arg_len;            /* bytes of arg used (0 for other types) */
    unsigned work_factor;      /* scrypt: log2 of N */
    unsigned char body[32];    /* the first 32 bytes of the decoded body */
    size_t body_len;           /* the body's decoded length */
    int line;                  /* the line of its "-> " */
} phone_age_stanza;

/* An age header (age-encryption.org/v1). */
typedef struct phone_age_header {
    phone_age_stanza stanza[PHONE_AGE_MAX_STANZAS];
    size_t n;                  /* stanzas */
    unsigned char mac[32];     /* the header's HMAC-SHA-256 */
    size_t mac_len;            /* bytes the MAC covers (through "---") */
    size_t payload;            /* offset of the payload (its 16-byte nonce) */
} phone_age_header;

/*
 * Parses an age header strictly (the specification's rules: canonical
 * base64, LF only, 64-column body lines, X25519 stanzas with a 32-byte share
 * and body, scrypt stanzas with a 16-byte salt, a decimal work factor and
 * alone in the header). At most 64 KB and 64 stanzas. Returns 0,
 * VG_E_PARSE (not age, or a bad header: the message names the line),
 * VG_E_UNSUPPORTED (another version), VG_E_LIMIT.
 */
int phone_age_header_parse(const void *data, size_t len, phone_age_header *h, vg_error *err);

/* Asks for a passphrase (phone_opts.password's shape): NUL-terminated into buf; nonzero when none. */
typedef int (*phone_age_ask)(void *ctx, const char *what, char *buf, size_t n);

/*
 * The file key of a parsed header (data: the file's bytes, for its MAC),
 * from an identity (every X25519 stanza is tried with every key) or, for an
 * scrypt header, the passphrase ask gives (work factor at most 2^20). The
 * header's MAC is verified. `name` names the file in messages. Returns 0,
 * VG_E_USAGE (no identity or passphrase given), VG_E_INVALID ("no identity
 * in FILE matches the recipients of X", a wrong passphrase, a MAC that does
 * not verify), VG_E_PARSE (a low-order X25519 share), VG_E_LIMIT,
 * VG_E_UNSUPPORTED (only other recipient types), VG_E_NOMEM.
 */
int phone_age_unwrap(const void *data, const phone_age_header *h, const phone_age_identity *ids, phone_age_ask ask,
                     void *ask_ctx, const char *name, unsigned char fk[16], vg_error *err);

/*
 * Decrypts an age file in place: on success its plaintext is data[0..*plain)
 * (the rest of the buffer is garbage). The payload's chunks are checked one
 * by one; a chunk that fails authentication is "X: age payload chunk N fails
 * authentication" (VG_E_INVALID), a cut one VG_E_PARSE. Returns as
 * phone_age_header_parse and phone_age_unwrap, and those.
 */
int phone_age_decrypt(void *data, size_t len, const phone_age_identity *ids, phone_age_ask ask, void *ask_ctx,
                      const char *name, size_t *plain, vg_error *err);

/*
 * Android's binary XML ("ABX", Android 12 and later) to events: fn is
 * called for each start tag (attr NULL), each of its attributes (name and
 * value as text: numbers in decimal, bytes in hex or base64 as written) and
 * each text. `lossy` accepts the form dumpsys prints, where each byte that
 * is not valid UTF-8 became U+FFFD (EF BF BD): lengths and numbers hidden
 * that way are worked out where the rest allows it. Depth at most 64,
 * strings at most 64 KB. Returns 0, VG_E_PARSE (with the offset), or fn's
 * nonzero value.
 */
typedef int (*phone_abx_fn)(void *ctx, int depth, const char *tag, const char *attr, const char *value);
int phone_abx_parse(const void *data, size_t len, int lossy, phone_abx_fn fn, void *ctx, vg_error *err);

#endif
