/*
 * inc_alert_int.h - the alerts config as inc_alert.c reads it and
 * inc_deliver.c uses it. Private to the incident module.
 */
#ifndef INC_ALERT_INT_H
#define INC_ALERT_INT_H

#include "incident/incident_int.h"

#define INC_ALERT_MAX_CHANNELS 16

/* Kinds of channel, in the order of their section names. */
enum { INC__CH_JSONL, INC__CH_HOOK, INC__CH_SYSLOG, INC__CH_WEBHOOK };

/* One delivery channel: a section of the config. */
typedef struct inc__channel {
    int kind;          /* INC__CH_* */
    char name[100];    /* "webhook" or "webhook:soc": the name deliveries are recorded under */
    char path[1024];   /* jsonl: the file; hook: the command (words split on blanks, no shell) */
    char url[2048];    /* webhook: where to POST */
    char secret[256];  /* webhook: HMAC-SHA256 key */
    double timeout;    /* hook, webhook: seconds one attempt may take (default 10) */
    int attempts;      /* webhook: tries per alert in one run (default 4) */
    double backoff;    /* webhook: seconds before the second try, doubled after each (default 1) */
    int facility;      /* syslog: LOG_USER, LOG_LOCAL0... */
    char ident[32];    /* syslog: the program name logged (default "vigil") */
} inc__channel;

struct inc_alerts {
    int threshold;                            /* severity at or above which incidents alert (default 4) */
    inc__channel ch[INC_ALERT_MAX_CHANNELS];  /* the channels, in file order */
    size_t nch;                               /* how many */
};

#endif
