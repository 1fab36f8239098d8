/*
 * intel.h - importers and exporters of intelligence: STIX bundles in and out
 * of the store (MISP feeds, CSV lists and ATT&CK follow).
 *
 * An import reads each input streamed, upgrades STIX 2.0 objects to 2.1,
 * validates every object and stores the valid ones. Invalid objects are
 * reported through a callback, never printed.
 */
#ifndef INTEL_H
#define INTEL_H

#include <stdio.h>

#include "core/vg_error.h"
#include "core/vg_log.h"
#include "stix/stix.h"
#include "store/store.h"

/* One object that was not imported, handed to intel_import_opts.on_invalid. */
typedef struct intel_invalid {
    const char *file;          /* the input file */
    uint64_t index;            /* its index in the bundle's objects array */
    long line, col;            /* where it starts in the file */
    const char *id;            /* its id, or NULL when it has none */
    const stix_issues *issues; /* the validator's findings (NULL when err is set) */
    const vg_error *err;       /* why it could not be read at all (NULL when issues is set) */
} intel_invalid;

/* Import options. Zero-initialise, then set what you need. */
typedef struct intel_import_opts {
    const char *collection;      /* NULL: the default collection */
    int caller_txn;              /* the caller has begun a transaction and will commit it (--strict) */
    uint64_t batch;              /* commit every N objects inside a file; 0: one transaction per file */
    stix_reader_opts reader;     /* reader ceilings */
    void (*on_invalid)(const intel_invalid *bad, void *ctx); /* each invalid object, may be NULL */
    void (*on_warning)(const intel_invalid *obj, void *ctx); /* objects with warnings only, may be NULL */
    void *ctx;                   /* passed to the callbacks */
    vg_progress progress;        /* bytes read of the current file */
} intel_import_opts;

/* What an import did. Zero-initialise; calls add to it. */
typedef struct intel_import_stats {
    uint64_t files;     /* input files read */
    uint64_t read;      /* objects read */
    uint64_t imported;  /* new object versions stored */
    uint64_t unchanged; /* object versions the store already had */
    uint64_t invalid;   /* objects rejected */
    uint64_t upgraded;  /* STIX 2.0 objects upgraded to 2.1 */
    uint64_t warnings;  /* objects stored with warnings */
} intel_import_stats;

/*
 * Imports one file or, for a folder, every file in it and below it whose name
 * ends in .json, .stix, .stix2 (optionally followed by .gz), in name order.
 * Each file is one transaction (or batches of opts->batch objects), unless
 * opts->caller_txn. A file that cannot be read to its end (syntax error,
 * I/O, limit) is rolled back whole and the error returned; invalid objects
 * are skipped, counted and reported, and do not stop the import.
 */
int intel_import_path(store *s, const char *path, const intel_import_opts *opts, intel_import_stats *st,
                      vg_error *err);

/*
 * The same for a buffer held by the caller (a TAXII envelope or a bundle):
 * one transaction unless opts->caller_txn; name labels it in reports.
 */
int intel_import_mem(store *s, const char *data, size_t len, const char *name, const intel_import_opts *opts,
                     intel_import_stats *st, vg_error *err);

/*
 * Writes the objects selected by q as one STIX 2.1 bundle to out (one object
 * per line inside "objects"). *count (optional) gets the number written.
 */
int intel_export_bundle(store *s, const store_query *q, FILE *out, uint64_t *count, vg_error *err);

#endif
