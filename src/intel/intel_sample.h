/*
 * intel_sample.h - a realistic, deterministic sample of threat intelligence.
 *
 * vigil's demo and benchmarks use intelligence the project makes itself, not
 * real feeds: one STIX 2.1 bundle that looks like what a national CERT holds.
 * It has the producing CERT and victim organisations (identities with
 * sectors), the TLP 2.0 marking definitions, threat actors and intrusion sets,
 * malware families (commercial spyware, ransomware, a wiper, an infostealer),
 * ATT&CK techniques and mitigations (attack-patterns, courses of action), a
 * campaign, a vulnerability, indicators of every kind vigil scans for (domain,
 * URL, IPv4/CIDR, IPv6, e-mail, MD5/SHA-1/SHA-256, file and process names,
 * cryptocurrency wallets, mobile app ids, compound patterns), the
 * relationships between them, an observed-data with its observables, a
 * sighting, a report and objects in two versions.
 *
 * Every name is fictional; indicators only use reserved names (.example,
 * .test, .invalid, example.com/.net/.org) and the documentation address
 * ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
 *
 * The output depends only on the options: the same seed, count and base time
 * give the same bytes. Ids are version-4 UUIDs drawn from a seeded PRNG
 * (xoshiro256**), except observables, which use the spec's UUIDv5. The
 * curated part comes first and does not depend on the number of generated
 * indicators, so a bigger sample is a superset of a smaller one.
 *
 * The bundle is streamed: one object is built in a small buffer and written at
 * a time, so 1,000,000 generated indicators take no more memory than ten.
 */
#ifndef INTEL_SAMPLE_H
#define INTEL_SAMPLE_H

#include <stdint.h>
#include <stdio.h>

#include "core/vg_error.h"

/* The default seed of `vigil sample` and the demo. */
#define INTEL_SAMPLE_DEFAULT_SEED 2
/* The default "now" of the sample: 2026-03-01T09:30:00Z. Every timestamp is before it. */
#define INTEL_SAMPLE_DEFAULT_BASE_TIME 1772357400
/* Ceiling on generated indicators (about 1 KB of JSON each, with a relationship). */
#define INTEL_SAMPLE_MAX_INDICATORS 100000000ULL

/* What to generate. Fill with intel_sample_opts_init, then change fields. */
typedef struct intel_sample_opts {
    uint64_t seed;       /* PRNG seed: equal seeds give equal bytes */
    uint64_t indicators; /* generated indicators beyond the curated ones (0 = curated only) */
    int relationships;   /* nonzero: each generated indicator gets an 'indicates' relationship */
    int64_t base_time;   /* the sample's "now", seconds since the epoch; all times are before it */
} intel_sample_opts;

/* Sets *opts to the defaults: default seed, no extra indicators, relationships on. */
void intel_sample_opts_init(intel_sample_opts *opts);

/* What one run wrote. */
typedef struct intel_sample_counts {
    uint64_t objects;       /* objects in the bundle, every version counted */
    uint64_t indicators;    /* indicator objects (versions counted) */
    uint64_t relationships; /* relationship objects */
} intel_sample_counts;

/*
 * Writes the sample bundle to out. opts may be NULL for the defaults. Returns
 * 0, VG_E_USAGE for bad options, VG_E_LIMIT when opts->indicators exceeds
 * INTEL_SAMPLE_MAX_INDICATORS, VG_E_NOMEM, or VG_E_IO when writing fails (out
 * then holds a partial bundle). The caller keeps out open and owns it.
 */
int intel_sample_write(FILE *out, const intel_sample_opts *opts, vg_error *err);

/* As intel_sample_write, and fills *counts (when non-NULL) with what was written. */
int intel_sample_write_counted(FILE *out, const intel_sample_opts *opts, intel_sample_counts *counts,
                               vg_error *err);

#endif
