/*
 * taxii_int.h - what the server's files share: the request context handed to
 * the route handlers (taxii_routes.c) and the response helpers of
 * taxii_server.c.
 */
#ifndef TAXII_INT_H
#define TAXII_INT_H

#include <microhttpd.h>

#include "core/vg_buf.h"
#include "taxii/taxii.h"

#define TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"
#define TAXII_STIX_MEDIA_TYPE "application/stix+json;version=2.1"

/* One request, as the handlers see it. */
typedef struct taxii_ctx {
    taxii_server *srv;           /* the server */
    struct MHD_Connection *conn; /* the connection to answer */
    store *s;                    /* this thread's store */
    store_account acct;          /* who asks (password hash wiped) */
    taxii_reader reader;         /* acct as the TLP rules see it */
    const char *coll_seg;        /* collection id from the path, or NULL */
    const char *obj_seg;         /* object id from the path, or NULL */
    const char *status_seg;      /* status id from the path, or NULL */
    store_share share;           /* the collection, when coll_seg */
    int rights;                  /* the account's rights on it */
    taxii_filter filter;         /* query parameters */
    int filter_rc;               /* first error adding them */
    const char *body;            /* request body (NUL-terminated), or NULL */
    size_t body_len;             /* its length */
    vg_error err;                /* detail of a failure */
} taxii_ctx;

typedef int (*taxii_handler)(taxii_ctx *c);

/* Queues a response with the TAXII media type; takes body's contents. Returns MHD_YES/MHD_NO. */
int taxii__respond(struct MHD_Connection *conn, int status, vg_buf *body, const char *first, const char *last,
                   int www_auth);
/* Queues a TAXII error message with this status. */
int taxii__error(struct MHD_Connection *conn, int status, const char *description);
int taxii__error_from(struct MHD_Connection *conn, int status, const vg_error *err);
/* This thread's store (opened on first use), or NULL with err. */
store *taxii__store(taxii_server *srv, vg_error *err);
const taxii_config *taxii__config(taxii_server *srv);

int taxii__discovery(taxii_ctx *c);
int taxii__api_root(taxii_ctx *c);
int taxii__status(taxii_ctx *c);
int taxii__collections(taxii_ctx *c);
int taxii__collection(taxii_ctx *c);
int taxii__objects_get(taxii_ctx *c);
int taxii__objects_post(taxii_ctx *c);
int taxii__object_get(taxii_ctx *c);
int taxii__object_delete(taxii_ctx *c);
int taxii__versions(taxii_ctx *c);
int taxii__manifest(taxii_ctx *c);

#endif
