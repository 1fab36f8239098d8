/*
 * vg_log.h - logging and progress, delivered through callbacks.
 *
 * Modules below the CLI never print. They report through these hooks, which
 * the CLI (or the server) points at the terminal, syslog or nowhere. Secrets
 * must never be passed to vg_log.
 */
#ifndef VG_LOG_H
#define VG_LOG_H

#include <stdint.h>

enum { VG_LOG_DEBUG = 0, VG_LOG_INFO = 1, VG_LOG_WARN = 2, VG_LOG_ERROR = 3 };

typedef void (*vg_log_fn)(int level, const char *msg, void *ctx);

/* Installs the log sink (NULL: discard) and the lowest level passed to it. */
void vg_log_set(vg_log_fn fn, void *ctx, int min_level);
void vg_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Progress of one long task: `done` of `total` units (bytes, objects);
 * total == 0 when unknown. `label` names the task. Called at most a few times
 * a second by the producer; the sink decides how to draw it.
 */
typedef struct vg_progress {
    void (*fn)(const char *label, uint64_t done, uint64_t total, void *ctx); /* NULL: no progress */
    void *ctx;                                                              /* passed to fn */
} vg_progress;

#endif
