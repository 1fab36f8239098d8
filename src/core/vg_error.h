/*
 * vg_error.h - the one error convention of vigil.
 *
 * Every fallible function returns int: 0 on success or a negative VG_E_* code.
 * Detail goes into a caller-provided vg_error, filled once where the fault is
 * found (what, where, what to do) and carried out unchanged to the CLI or HTTP
 * edge, which is the only place it is turned into text for a person.
 */
#ifndef VG_ERROR_H
#define VG_ERROR_H

#include <stddef.h>

/* Error codes. Keep in step with the table in vg_error.c. */
enum {
    VG_OK = 0,
    VG_E_NOMEM = -1,       /* an allocation failed */
    VG_E_IO = -2,          /* reading or writing a file or socket failed */
    VG_E_PARSE = -3,       /* input is not well-formed (JSON, pattern, ...) */
    VG_E_INVALID = -4,     /* well-formed input that breaks a rule (STIX) */
    VG_E_LIMIT = -5,       /* input exceeds a ceiling (size, depth, count) */
    VG_E_NOTFOUND = -6,    /* the thing asked for does not exist */
    VG_E_STORE = -7,       /* the store engine failed */
    VG_E_USAGE = -8,       /* a caller passed bad arguments or options */
    VG_E_UNSUPPORTED = -9, /* valid but not supported (format, version) */
    VG_E_CONFLICT = -10,   /* state conflict (exists, schema newer, busy) */
    VG_E_INTERNAL = -11,   /* a bug: an invariant did not hold */
};

#define VG_ERR_MSG_MAX 1024
#define VG_ERR_WHERE_MAX 512

/*
 * Detail of one failure. Zero-initialise (vg_error e = {0}) before use.
 * `where` names the place: "file.json:12:5", "file.json object 7 (indicator--…) $.pattern",
 * a store path... `hint` says what to do about it, when there is something to say.
 */
typedef struct vg_error {
    int code;                     /* the VG_E_* code, 0 when nothing happened */
    char msg[VG_ERR_MSG_MAX];     /* what went wrong, one sentence, no trailing newline */
    char where[VG_ERR_WHERE_MAX]; /* where it went wrong, may be empty */
    char hint[VG_ERR_MSG_MAX];    /* what to do about it, may be empty */
} vg_error;

/* Sets err (if non-NULL) to code and a printf-style message; returns code. */
int vg_error_set(vg_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the location of err; returns err->code. Safe with err == NULL. */
int vg_error_where(vg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the advice of err; returns err->code. Safe with err == NULL. */
int vg_error_hint(vg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the location of err with a context ("file.json: " + old where). */
int vg_error_prefix_where(vg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears err back to "no error". */
void vg_error_clear(vg_error *err);

/* A short fixed name for a code ("out of memory", "parse error"...). Never NULL. */
const char *vg_strerror(int code);

/*
 * Formats err for a person: "where: msg (hint)" into buf of size n.
 * Returns buf.
 */
char *vg_error_format(const vg_error *err, char *buf, size_t n);

#endif
