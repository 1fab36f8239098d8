/*
 * vg_log.c - the log sink.
 */
#include "vg_log.h"

#include <stdarg.h>
#include <stdio.h>

static vg_log_fn sink;
static void *sink_ctx;
static int sink_min = VG_LOG_INFO;

void vg_log_set(vg_log_fn fn, void *ctx, int min_level)
{
    sink = fn;
    sink_ctx = ctx;
    sink_min = min_level;
}

void vg_log(int level, const char *fmt, ...)
{
    if (!sink || level < sink_min)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sink(level, msg, sink_ctx);
}
