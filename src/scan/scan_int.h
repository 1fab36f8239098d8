/*
 * scan_int.h - private parts of the scan pipeline shared by its files:
 * confirming candidate hits with the STIX pattern evaluator.
 *
 * An indicator whose pattern the index cannot answer alone (AND, qualifiers,
 * MATCHES...) has its equality leaves in the index as candidates. A candidate
 * hit on a line is confirmed by turning that line's extracted values into
 * cyber-observables and running the indicator's pattern over them
 * (pat_match). Only a match is reported.
 */
#ifndef SCAN_INT_H
#define SCAN_INT_H

#include <jansson.h>

#include "core/vg_buf.h"
#include "evidence/ev.h"
#include "match/idx.h"
#include "pattern/pattern.h"
#include "scan/scan.h"

/*
 * What indicators indicate (scan_attrib.c): feed every object that goes by
 * to scan__attrib_object (it keeps the names of malware, tools, intrusion
 * sets, threat actors and campaigns, and `indicates` relationships from
 * indicators), then scan__attrib_apply once the indicators are in the builder.
 */
typedef struct scan_attrib {
    json_t *names; /* id -> "Name (type)" */
    vg_buf pairs;  /* indicator id \0 target id \0, ... */
} scan_attrib;
void scan__attrib_init(scan_attrib *a);
void scan__attrib_free(scan_attrib *a);
int scan__attrib_object(scan_attrib *a, json_t *o, vg_error *err);
int scan__attrib_apply(scan_attrib *a, idx_builder *b, vg_error *err);
/* Whether some name was noted; the "Name (type)" noted for id (borrowed), or NULL. */
int scan__attrib_any_named(const scan_attrib *a);
const char *scan__attrib_name(const scan_attrib *a, const char *id);
/* The types whose names are kept (for a store query). */
const char *const *scan__attrib_types(size_t *n);

/* The compiled patterns of the partial indicators, compiled on first use; shared by the scan's threads. */
typedef struct scan_confirm scan_confirm;

/* The observations of one line, built once however many candidates it holds. Zero-initialise. */
typedef struct scan_lineobs {
    const char *line;           /* the line they were built from (borrowed), NULL when none */
    size_t len;                 /* its length */
    json_t *scos;               /* the line's values as SCOs (array) */
    pat_observations *combined; /* one observed-data holding every SCO of the line */
    pat_observations *split;    /* one observed-data per SCO (for [a] AND [b] across expressions) */
} scan_lineobs;

/* Creates the confirmer for x (patterns are compiled lazily). VG_E_NOMEM. */
int scan__confirm_new(const idx *x, scan_confirm **out, vg_error *err);
void scan__confirm_free(scan_confirm *c);

/* Forgets the observations of the last line. */
void scan__lineobs_reset(scan_lineobs *l);

/*
 * Whether indicator ind's pattern matches the observations of line[0..len)
 * (extracted with t, an extractor wanting everything). Returns 1 (match),
 * 0 (no match, or the pattern does not compile), or a negative VG_E_* code.
 */
int scan__confirm(scan_confirm *c, ev_text *t, scan_lineobs *l, const char *line, size_t len, uint32_t ind,
                  vg_error *err);

/* ---- captures (scan_pcap.c) ----------------------------------------------------- */

/* What reading a capture needs from the pipeline. */
typedef struct scan_capture {
    const idx *x; /* the index */
    /* delivers one hit of a packet's observation (scan.c: allow-lists, aggregate, on_hit); nonzero stops */
    int (*deliver)(const idx_hit *h, const ev_pcap_obs *o, void *ctx, vg_error *err);
    void *ctx;            /* for deliver */
    vg_progress progress; /* raw bytes read: done + this file's, of total */
    uint64_t done;        /* raw bytes of the files before this one */
    uint64_t total;       /* raw bytes of every file */
    scan_confirm *conf;   /* the evaluator's patterns, NULL when the index has no partial indicator */
} scan_capture;

/*
 * Reads the capture in st (opened on path, nothing read yet) packet by
 * packet, looks every observation up and delivers the hits; adds packets,
 * malformed packets and bytes to sum. A candidate hit is confirmed by the
 * evaluator over the values decoded from its packet (as if they were one
 * line of text) or dropped and counted in sum->candidates. A truncated or damaged capture is not
 * an error: its hits so far stay, a warning naming the file and packet goes
 * to vg_log, sum->damaged counts it, and the rest of the file is read for its
 * hashes. Returns 0, VG_E_IO, VG_E_NOMEM or deliver's nonzero value.
 */
int scan__capture(const scan_capture *c, ev_stream *st, const char *path, scan_summary *sum, vg_error *err);

/*
 * Folds where a confirmed hit was seen into its aggregate, before a->count
 * counts it: the packet number and time of a capture's hit (o), or no packet
 * (o NULL: a hit in text).
 */
void scan__capture_seen(scan_agg *a, const ev_pcap_obs *o);

#endif
