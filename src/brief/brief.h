/*
 * brief.h - threat-landscape briefings: the figures of a period gathered from
 * the store (incidents, what was added, courses of action), and their
 * rendering as JSON, Markdown or one self-contained HTML page with inline
 * SVG charts. Every format renders the same model, so the figures agree.
 * docs/internals/brief.md describes the model and the sections.
 */
#ifndef BRIEF_H
#define BRIEF_H

#include <jansson.h>
#include <stdio.h>

#include "core/vg_error.h"
#include "core/vg_time.h"
#include "store/store.h"

typedef struct brief_opts {
    vg_time from, to;  /* the period: from <= t < to */
    size_t top;        /* most serious incidents listed, default 10 */
    size_t actors;     /* actors listed, default 15 */
    size_t actions;    /* courses of action listed, default 10 */
    int audience;      /* TLP of the readers (enum taxii_tlp, CLEAR..RED); 0: RED. Bounds the indicator appendix */
    size_t indicators; /* indicators listed in the appendix at most, default 50 */
} brief_opts;

/* "clear", "green", "amber", "amber+strict", "red" (or "white") -> audience level; 0 when unknown. */
int brief_audience(const char *name);

/*
 * Gathers the figures of the period and of the previous period of the same
 * length into a JSON model (caller owns: json_decref). VG_E_USAGE when to <= from.
 */
int brief_gather(store *s, const brief_opts *o, json_t **model, vg_error *err);

enum { BRIEF_JSON, BRIEF_MD, BRIEF_HTML };

/* Writes the model in a format. VG_E_IO when writing fails. */
int brief_render(const json_t *model, int format, FILE *out, vg_error *err);

/* ---- on a schedule (brief_schedule.c) ------------------------------------------ */

enum { BRIEF_EVERY_WEEK = 1, BRIEF_EVERY_MONTH = 2 };
/* "week" or "month" -> BRIEF_EVERY_*; 0 when neither. */
int brief_every(const char *name);

#define BRIEF_PERIOD_NAME 16 /* "2025-W23", "2025-05" */
/*
 * The last full period before now: the calendar week (Monday 00:00 UTC to
 * the next Monday), named by its ISO week ("2025-W23"), or month ("2025-05").
 */
void brief_period_last(int every, const vg_time *now, vg_time *from, vg_time *to, char name[BRIEF_PERIOD_NAME]);
/* The next boundary after now: when the current period becomes the last full one. */
vg_time brief_period_next(int every, const vg_time *now);

/* What a scheduled briefing is. Strings are borrowed. */
typedef struct brief_schedule {
    const char *store; /* the store URI */
    const char *dir;   /* the folder the files go to (made if missing) */
    int every;         /* BRIEF_EVERY_* */
    int audience;      /* brief_opts.audience */
} brief_schedule;

/*
 * Writes o->dir/brief-NAME.{json,md,html} of the last full period before now
 * unless brief-NAME.html exists (*written says whether it did; name gets the
 * period's name). VG_E_IO when the folder cannot be written.
 */
int brief_write_last(const brief_schedule *o, const vg_time *now, char name[BRIEF_PERIOD_NAME], int *written,
                     vg_error *err);

typedef struct brief_scheduler brief_scheduler;
/* Starts a thread that calls brief_write_last now and after each boundary (logging through vg_log). */
int brief_scheduler_start(const brief_schedule *o, brief_scheduler **out, vg_error *err);
/* Stops and frees it (waits for a briefing being written). NULL-safe. */
void brief_scheduler_stop(brief_scheduler *b);

#endif
