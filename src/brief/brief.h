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

#endif
