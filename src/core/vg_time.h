/*
 * vg_time.h - RFC 3339 timestamps as STIX writes them.
 *
 * STIX timestamps are UTC with a literal 'Z' and any number of fractional
 * digits: "2016-05-12T08:17:27Z", "2016-05-12T08:17:27.000Z",
 * "2016-05-12T08:17:27.123456Z". A vg_time remembers how many fractional
 * digits were given, so formatting gives back exactly the text that was read,
 * while comparison is by value (".5Z" == ".500Z", "27Z" < "27.001Z").
 */
#ifndef VG_TIME_H
#define VG_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "vg_error.h"

/* Longest formatted timestamp ("YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ") plus NUL. */
#define VG_TIME_MAX 32

typedef struct vg_time {
    int64_t sec;    /* seconds since 1970-01-01T00:00:00Z (negative before) */
    uint32_t nsec;  /* nanoseconds within the second, 0..999999999 */
    uint8_t digits; /* fractional digits written in the input, 0..9 */
} vg_time;

/* Parsing strictness. */
enum {
    VG_TIME_STIX = 0,    /* exactly YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z */
    VG_TIME_RFC3339 = 1, /* also lower-case t/z, a space separator and ±HH:MM offsets */
};

/*
 * Parses s[0..n) into *out. Returns 0, or VG_E_PARSE with a message that says
 * which part is wrong and at which character (1-based column).
 */
int vg_time_parse(const char *s, size_t n, int mode, vg_time *out, vg_error *err);

/* Formats t with its own number of fractional digits into out (VG_TIME_MAX bytes). */
void vg_time_format(const vg_time *t, char out[VG_TIME_MAX]);
/* Formats t with `digits` fractional digits (0..9), e.g. 3 for milliseconds. */
void vg_time_format_digits(const vg_time *t, int digits, char out[VG_TIME_MAX]);
/*
 * Formats t with always 9 fractional digits: such strings sort in time order
 * (byte-wise), so the store keeps them in its index columns.
 */
void vg_time_format_key(const vg_time *t, char out[VG_TIME_MAX]);

/* Compares by value: <0, 0, >0. */
int vg_time_cmp(const vg_time *a, const vg_time *b);

/* The current time, with `digits` fractional digits (0..9). */
vg_time vg_time_now(int digits);
/*
 * Fixes what vg_time_now returns from now on (t truncated to the precision
 * asked for), so that a test writes the same bytes at every run; NULL
 * gives the clock back. Process-wide: call it before starting threads.
 */
void vg_time_set_now(const vg_time *t);

/* Builds a time from seconds since the epoch. */
vg_time vg_time_from_unix(int64_t sec, uint32_t nsec, int digits);

/* Nanoseconds from a to b (b - a), saturating at INT64 limits. */
int64_t vg_time_diff_ns(const vg_time *a, const vg_time *b);

#endif
