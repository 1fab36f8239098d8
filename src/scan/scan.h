/*
 * scan.h - the detection pipeline: evidence -> observations -> index ->
 * hits -> sightings.
 *
 *     idx *x; scan_index_from_store(st, NULL, NULL, &x, &err);
 *     scan_summary *sum; scan_run(x, paths, n, &opts, &sum, &err);   // opts.on_hit sees every hit
 *     scan_record(st, x, sum, &err);                                 // one sighting per indicator
 *     scan_summary_free(sum); idx_free(x);
 *
 * Files are read in chunks of whole lines; with two threads, two chunks are
 * scanned at once and their hits delivered in file order, so the output is
 * the same as with one thread. Nothing here prints.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_log.h"
#include "core/vg_time.h"
#include "match/idx.h"
#include "store/store.h"

/* One hit. Pointers are borrowed for the duration of the callback. */
typedef struct scan_hit {
    uint32_t indicator;    /* index in the idx */
    const char *id;        /* the indicator's id */
    const char *name;      /* its name, "" when none */
    int kind;              /* IDX_K_* of the key that matched */
    const char *value;     /* the observed value (NUL-terminated) */
    const char *file;      /* the evidence file */
    uint64_t line;         /* 1-based line; 0 for file-level observations (name, path, hashes) */
    uint64_t offset;       /* byte offset in the (decompressed) file */
    const char *field;     /* JSON path of the value in a JSON line, the field of a packet ("dns.qname"), or NULL */
    int candidate;         /* the indicator's pattern needs the evaluator: not a confirmed hit */
    uint64_t packet;       /* 1-based packet number in a capture; 0 when not from a capture */
    const vg_time *time;   /* that packet's capture time (UTC), or NULL */
    const char *indicates; /* what the indicator indicates ("Pegasus (malware)"), "" when unknown */
} scan_hit;

/*
 * Allow-lists: values that never alert, from MISP warninglists (types
 * hostname, string, substring, cidr, regex; see scan_allow.c for how each is
 * tested). Build with scan_allow_new, scan_allow_add_path for each list file
 * or folder of lists, then scan_allow_finish; hand it to the scan in
 * scan_opts.allow. Read-only once finished, but a check may use scratch
 * space: the scan calls it from one thread.
 */
typedef struct scan_allow scan_allow;
int scan_allow_new(scan_allow **out, vg_error *err);
/* A warninglist file, or every *.json warninglist in a folder (recursively). VG_E_NOTFOUND, VG_E_PARSE,
   VG_E_INVALID (not a warninglist), VG_E_UNSUPPORTED (unknown type), VG_E_NOMEM. */
int scan_allow_add_path(scan_allow *a, const char *path, vg_error *err);
int scan_allow_finish(scan_allow *a, vg_error *err);
void scan_allow_free(scan_allow *a);
/* Lists and entries loaded. */
uint64_t scan_allow_lists(const scan_allow *a);
uint64_t scan_allow_entries(const scan_allow *a);
/* 1 when the value of a kind (IDX_K_*) is on an allow-list. */
int scan_allow_check(const scan_allow *a, int kind, const char *value, size_t len);

/* Options. Zero-initialise, then set what you need. */
typedef struct scan_opts {
    int threads;        /* 1 or 2; 0 = 2 */
    size_t chunk;       /* bytes per chunk; 0 = 4 MB */
    int hash_files;     /* 0: hash binary files only; 1: hash every file; -1: never */
    int (*on_hit)(const scan_hit *h, void *ctx); /* every hit, in evidence order; nonzero stops the scan */
    void *ctx;          /* for on_hit */
    vg_progress progress; /* bytes read of all the evidence */
    const scan_allow *allow; /* values never reported (NULL: none) */
    int prefetch;       /* lookups prepared a few values ahead (idx_prepare): 0 = when the index outgrows the
                           caches (over 4 MB), 1 = always, -1 = never; the hits are the same */
} scan_opts;

/* What the scan found for one indicator. */
typedef struct scan_agg {
    uint32_t indicator; /* index in the idx */
    uint64_t count;     /* confirmed hits */
    uint64_t candidates; /* candidate hits (partial patterns) */
    char *first_file;   /* where it was first seen */
    uint64_t first_line;
    uint64_t first_offset;
    char *first_value;  /* what was seen there */
    int first_kind;     /* its IDX_K_* kind (IDX_K_NONE: unknown; the sighting then gets no observed-data) */
    char *first_field;  /* JSON path, or NULL */
    char *last_file;    /* where it was last seen */
    uint64_t last_line;
    uint64_t last_offset;
    char *last_value;
    uint64_t first_packet; /* capture packet number of the first hit; 0 when not from a capture */
    uint64_t last_packet;  /* of the last hit */
    uint64_t files;     /* evidence files it was seen in */
    char *last_file_counted; /* internal: the last file counted in `files` (borrowed from the scan) */
    int has_seen;       /* 1: first_seen/last_seen below are the evidence's own times (a phone artifact's
                           clock, a captured packet's time), used for the sighting instead of the scan's
                           start and end */
    vg_time first_seen; /* earliest time the evidence gives for a hit (when has_seen) */
    vg_time last_seen;  /* latest such time (when has_seen) */
} scan_agg;

typedef struct scan_summary {
    uint64_t files;       /* evidence files read */
    uint64_t bytes;       /* bytes scanned (decompressed) */
    uint64_t raw_bytes;   /* bytes read from disk */
    uint64_t hits;        /* confirmed hits */
    uint64_t candidates;  /* candidate hits the pattern evaluator did not confirm (and file-level candidates) */
    uint64_t allowed;     /* hits dropped because their value is on an allow-list */
    uint64_t packets;     /* packets read from captures (pcap, pcapng) */
    uint64_t malformed;   /* of which skipped as malformed */
    uint64_t damaged;     /* captures whose read ended early (truncated or damaged; a warning is logged) */
    scan_agg *aggs;       /* one per indicator hit, in order of first hit */
    size_t naggs;
    vg_time started;      /* when the scan started */
    vg_time ended;        /* when it ended */
    const char *org;      /* where the evidence was sighted: an identity (or location) id for the
                             sightings' where_sighted_refs, set by the caller before scan_record;
                             borrowed; NULL: none */
} scan_summary;

void scan_summary_free(scan_summary *s);

/*
 * Compiles the index from the store's indicators: the latest version of each,
 * valid at `now` (NULL: the current time) and not revoked. collection NULL:
 * every collection. `progress` (may be NULL) counts indicators read.
 */
int scan_index_from_store(store *st, const char *collection, const vg_time *now, idx **out, vg_error *err);
/*
 * The same, saved to path as it is finished (idx_builder_finish_save: part of
 * the file is written while the table is built). source describes the store
 * in the index's origin ("store ./vigil.db"; NULL: "store"). *out gets the
 * index.
 */
int scan_index_save_from_store(store *st, const char *collection, const char *source, const vg_time *now,
                               const char *path, idx **out, vg_error *err);

/*
 * Counts (up to 1,000) the versions of indicators added to the store after
 * an index compiled from it (idx_origin.store_added): indicators the index
 * does not know. 0 for an index not compiled from a store.
 */
int scan_index_newer(store *st, const idx *x, const char *collection, uint64_t *n, vg_error *err);

/*
 * Compiles the index from STIX files (bundles or arrays of objects, 2.0 or
 * 2.1), without a store: the latest version of each indicator, valid at `now`
 * (NULL: the current time), not revoked. Returns 0, VG_E_NOTFOUND, VG_E_IO,
 * VG_E_PARSE (with where), VG_E_NOMEM.
 */
int scan_index_from_files(const char *const *paths, size_t npaths, const vg_time *now, idx **out, vg_error *err);

/*
 * Scans every path (files, or folders walked recursively) against x.
 * Returns 0 (whatever was found; see (*out)->hits), VG_E_NOTFOUND / VG_E_IO /
 * VG_E_PARSE for unreadable evidence, VG_E_NOMEM, or on_hit's nonzero value.
 */
int scan_run(const idx *x, const char *const *paths, size_t npaths, const scan_opts *opts, scan_summary **out,
             vg_error *err);

/*
 * Scans a buffer in memory as if it were a file named `name` (benchmarks,
 * tests). Adds to *sum (zero-initialised by the caller).
 */
int scan_buffer(const idx *x, const char *name, const char *data, size_t len, const scan_opts *opts,
                scan_summary *sum, vg_error *err);

/*
 * Writes one STIX 2.1 sighting per confirmed indicator of the summary to the
 * store, with the observed-data and cyber-observable of its first hit, all in
 * one transaction (see docs/internals/scan.md for their shape). When
 * ids is non-NULL it gets the new sighting ids (caller frees each and the
 * array with vg_free). Returns 0, VG_E_STORE, VG_E_NOMEM.
 */
int scan_record(store *st, const idx *x, const scan_summary *sum, char ***ids, size_t *nids, vg_error *err);

/*
 * The objects for one aggregate: out[0] the sighting, then (when the first
 * value's kind has a cyber-observable) the observed-data and its SCOs.
 * *n gets how many (1 to 4); the caller json_decref's each. Returns 0 or
 * VG_E_NOMEM.
 */
struct json_t;
#define SCAN_SIGHTING_OBJECTS 4
int scan_sighting_json(const idx *x, const scan_summary *sum, const scan_agg *a,
                       struct json_t *out[SCAN_SIGHTING_OBJECTS], size_t *n, vg_error *err);

/* 1 when s is a STIX id of an identity or a location (what where_sighted_refs may name). */
int scan_org_valid(const char *s);

#endif
