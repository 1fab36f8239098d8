/*
 * phone_int.h - what the files of src/phone share: the check's context, the
 * artifact table's row, and the helpers a reader calls to hand over values.
 *
 * A reader is one function: it opens its file (phone__db_open for SQLite),
 * walks its records and, for each value, calls phone__value (a value of a
 * known kind: a process name, an app id, a URL) or phone__text (free text
 * whose URLs, domains, addresses and e-mail addresses are extracted first),
 * or phone__heuristic for a finding that needs no indicator. Those helpers
 * look the value up, make findings and aggregates; a reader never touches
 * the report itself.
 */
#ifndef PHONE_INT_H
#define PHONE_INT_H

#include <plist/plist.h>
#include <sqlite3.h>

#include "evidence/ev.h"
#include "phone/phone.h"

typedef struct phone_ctx phone_ctx;

/* Where a row applies (phone_reader.modes); 0 is both. */
enum { PHONE_M_BACKUP = 1, PHONE_M_FS = 2 };

/* One row of the artifact table. */
typedef struct phone_reader {
    const char *name;     /* short name, as the reference tool names its module ("sms") */
    const char *domain;   /* backup domain; NULL for files at the backup's top (Info.plist, Manifest.db) */
    const char *path;     /* relative path; when it holds '*' it is a GLOB over Manifest.db (domain too);
                             NULL (with domain NULL): the reader is given the root folder itself */
    const char *extracts; /* what it reads, one line (docs and --help) */
    /* Reads one file: `file` is its path on disk, `source` the backup name ("HomeDomain/Library/SMS/sms.db"). */
    int (*read)(phone_ctx *c, const char *file, const char *source);
    unsigned modes;       /* PHONE_M_BACKUP, PHONE_M_FS, or 0 for both */
    const char *fs;       /* filesystem dumps: the device path glob relative to the root ({a,b} allowed);
                             NULL: derived from domain and path (phone_ios_fs.c) */
} phone_reader;

/* The iOS table (phone_ios_readers.c), NULL-name terminated. */
extern const phone_reader phone__ios_readers[];

/* Readers of the table kept in other files (phone_ios_readers_apps.c, phone_ios_readers_sys.c). */
int phone__read_chrome(phone_ctx *c, const char *file, const char *source);
int phone__read_firefox(phone_ctx *c, const char *file, const char *source);
int phone__read_interactions(phone_ctx *c, const char *file, const char *source);
int phone__read_contacts(phone_ctx *c, const char *file, const char *source);
int phone__read_whatsapp_contacts(phone_ctx *c, const char *file, const char *source);
int phone__read_idstatuscache(phone_ctx *c, const char *file, const char *source);
int phone__read_location_clients(phone_ctx *c, const char *file, const char *source);
int phone__read_addaily(phone_ctx *c, const char *file, const char *source);
int phone__read_profile_events(phone_ctx *c, const char *file, const char *source);
int phone__read_applications(phone_ctx *c, const char *file, const char *source);
int phone__read_shutdown_log(phone_ctx *c, const char *file, const char *source);
int phone__read_session_resource_log(phone_ctx *c, const char *file, const char *source);
int phone__read_ips(phone_ctx *c, const char *file, const char *source);

/* The data folder (/private/var/db/, /private/var/tmp/...) a program's path lies in, or NULL: programs live elsewhere. */
const char *phone__data_dir(const char *path);

/* The check's state. */
struct phone_ctx {
    const idx *x;            /* the index */
    const phone_opts *opts;  /* options (never NULL) */
    const char *root;        /* the backup folder */
    phone_report *r;         /* the report being filled */
    phone_artifact *art;     /* the current artifact's status */
    const phone_reader *rd;  /* the current reader */
    const char *source;      /* the current file's backup name */
    ev_text *text;           /* the text extractor (URLs, domains... in free text) */
    sqlite3 *manifest;       /* Manifest.db, or NULL when absent */
    const phone_ios_key *key; /* an encrypted backup's keys (files are decrypted into tmp), or NULL */
    char manifest_path[512]; /* the decrypted Manifest.db in tmp (encrypted backups), "" otherwise */
    char tmp[256];           /* private temporary folder (for databases with a WAL), "" until made */
    const char *cur_file;    /* the file the current reader was given */
    const char *cur_wal;     /* its write-ahead log in the backup (file id of "<path>-wal"), or NULL */
    int fs;                  /* 1: root is a filesystem dump (--fs) */
    char **names;            /* --fs: every file name of the tree, sorted (phone__fs_walk) */
    size_t nnames;           /* their count */
    int stop;                /* a fatal code (VG_E_NOMEM, on_value's return) once set */
    vg_error *err;           /* where a fatal error goes */
};

/*
 * Looks one value of a kind (IDX_K_*) up; every hit becomes a finding
 * (CRITICAL) and counts in its indicator's aggregate. `record` says which
 * record ("message ROWID=3"); t may be NULL. Returns 0 or a fatal code.
 */
int phone__value(phone_ctx *c, int kind, const char *value, size_t len, const char *record, const vg_time *t);

/* Extracts URLs, domains, IP addresses and e-mail addresses from text and looks each up. */
int phone__text(phone_ctx *c, const char *text, size_t len, const char *record, const vg_time *t);

/* A finding without an indicator. value may be NULL. Returns 0 or VG_E_NOMEM. */
int phone__heuristic(phone_ctx *c, int level, const char *record, const char *value, const vg_time *t,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * An event the current artifact describes (an interaction, a profile
 * installed, a contact): no lookup, kept for the timeline and the
 * per-artifact output when opts.collect is set. Returns 0 or VG_E_NOMEM.
 */
int phone__event(phone_ctx *c, const char *record, const vg_time *t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Finds another file of the device for the current reader (WhatsApp's
 * contacts for interactions): by its backup domain and path, or at its
 * device path in a filesystem dump, or decrypted. 0 and its path in out, or -1.
 */
int phone__find_other(phone_ctx *c, const char *domain, const char *rel, char *out, size_t cap);

/* ---- SQLite helpers of the readers (phone_ios_readers.c) ---- */

/* One query of a reader and the function called for each of its rows. */
typedef struct phone_query {
    const char *sql;
    int (*row)(phone_ctx *c, sqlite3_stmt *st);
} phone_query;

/* Runs sql and calls row per result row (counting records). A statement that does not prepare (another iOS's schema) is 0. */
int phone__each_row(phone_ctx *c, sqlite3 *db, const char *sql, int (*row)(phone_ctx *c, sqlite3_stmt *st));

/* Opens file (phone__db_open), runs the queries (NULL-terminated), closes. */
int phone__run_queries(phone_ctx *c, const char *file, const phone_query *q);

/* A text column and its length (NULL when NULL). */
const char *phone__col_text(sqlite3_stmt *st, int i, size_t *len);

/* A time column: Cocoa seconds (nanoseconds when huge) or Unix seconds; NULL when NULL or 0, else t. */
const vg_time *phone__cocoa_col(sqlite3_stmt *st, int i, vg_time *t);
const vg_time *phone__unix_col(sqlite3_stmt *st, int i, vg_time *t);

/* Counts a record read by the current artifact. */
void phone__record(phone_ctx *c);

/*
 * Opens a SQLite database of the evidence read-only: `file:PATH?immutable=1`
 * (no lock, no -shm, nothing written beside it). When PATH-wal exists (or
 * `wal` names the log's file, for backups where it has its own file id), the
 * database and its log are copied into the check's private temporary folder
 * and opened there without `immutable`, so that SQLite replays the log while
 * the evidence stays untouched. Returns 0, VG_E_IO, VG_E_PARSE (not a
 * database) with the message in c's current artifact.
 */
int phone__db_open(phone_ctx *c, const char *file, const char *wal, sqlite3 **out);

/* True when the table exists in db. */
int phone__db_has_table(sqlite3 *db, const char *table);

/* Reads a whole (small) file: at most `max` bytes, vg_malloc'd. Returns 0, VG_E_NOTFOUND, VG_E_IO, VG_E_LIMIT, VG_E_NOMEM. */
int phone__read_file(const char *path, size_t max, char **data, size_t *len, vg_error *err);

/* The boolean value of a top-level key of a plist (0 when absent, not a boolean or not a plist). */
int phone__plist_bool(const char *data, size_t len, const char *key);

/* Parses a plist (binary or XML) after checks that keep libplist 2.2 from aborting; NULL when not one (plist_free it). */
plist_t phone__plist_parse(const char *data, size_t len);

/* Calls fn for each key of a top-level dictionary plist. Returns 0, VG_E_PARSE, or fn's nonzero return. */
int phone__plist_walk(const char *data, size_t len, int (*fn)(void *ctx, const char *key, plist_t val), void *ctx);

/*
 * Decrypts the encrypted backup's file `in` into a new file `out` (0600)
 * with the key wrapped in its MBFile record, trimmed to its Size; *written
 * gets the plaintext length. Returns 0, VG_E_INVALID (the key does not
 * unwrap), VG_E_PARSE (not whole AES blocks), VG_E_NOTFOUND, VG_E_IO, VG_E_NOMEM.
 */
int phone__ios_decrypt_file(const phone_ios_key *k, const phone_mbfile *mb, const char *in, const char *out,
                            uint64_t *written, vg_error *err);

/* Decrypts <backup>/Manifest.db into out with ManifestKey; VG_E_INVALID when it does not give a database. */
int phone__ios_decrypt_manifest(const phone_ios_key *k, const char *backup, const char *out, vg_error *err);

/*
 * Filesystem dumps (phone_ios_fs.c). phone__fs_find calls each(c, file,
 * device path relative to the root) for every regular file of the row's
 * device glob (a container's metadata must name the row's container id);
 * *found counts them. Returns 0 or each's nonzero return.
 */
int phone__fs_find(phone_ctx *c, const phone_reader *rd, int (*each)(phone_ctx *c, const char *file, const char *rel),
                   int *found);

/* The first file of the row's device glob into out. 0, or -1 when none. */
int phone__fs_first(phone_ctx *c, const phone_reader *rd, char *out, size_t cap);

/* The `filesystem` reader: walks the tree at root (file paths, folder names as processes), keeps file names. */
int phone__fs_walk(phone_ctx *c, const char *root, const char *source);

/* True when a file of that name was seen by the walk. */
int phone__fs_has_name(const phone_ctx *c, const char *name);
void phone__fs_names_free(phone_ctx *c);

/* Unix seconds to vg_time (microsecond digits). */
vg_time phone__unix_time(double secs);

#endif
