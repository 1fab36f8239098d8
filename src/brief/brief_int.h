/*
 * brief_int.h - what the brief module's files share.
 */
#ifndef BRIEF_INT_H
#define BRIEF_INT_H

#include "brief/brief.h"
#include "incident/incident.h"

/*
 * Adds the indicator appendix ("indicators") to the model: the indicators the
 * period's incidents (cur) are related to, at or below o->audience
 * (brief_indicators.c).
 */
int brief__indicators(store *s, const brief_opts *o, const inc_list *cur, json_t *model, vg_error *err);

#endif
