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

/* ---- per-thread caches (taxii_cache.c) ------------------------------------- */

#define TAXII_BASIC_TTL 60 /* seconds verified Basic credentials are trusted before argon2 runs again */

typedef struct taxii_cache taxii_cache;

/* An account's view of a collection: the lookup's outcome, the settings and the rights. */
typedef struct taxii_view {
    int rc;          /* 0 found, VG_E_NOTFOUND when the collection does not exist */
    store_share share; /* its settings (when found) */
    int rights;      /* the account's STORE_RIGHT_* bits on it */
} taxii_view;

/* A cache with at most page_budget bytes of answers (0: none). VG_E_NOMEM. */
int taxii__cache_new(size_t page_budget, taxii_cache **out);
void taxii__cache_free(taxii_cache *c);
/* The store's data version at the start of a request: entries of other versions stop counting. */
void taxii__cache_version(taxii_cache *c, uint64_t version);
/* How many answers it holds, and their bytes. */
size_t taxii__cache_pages(const taxii_cache *c, size_t *bytes);
/* 1 with *acct when the token hash is known under the current version. */
int taxii__cache_token_get(taxii_cache *c, const char hash[65], store_account *acct);
void taxii__cache_token_put(taxii_cache *c, const char hash[65], const store_account *acct);
/*
 * 1 with *acct (and the password hash verified) when these credentials
 * (key: their HMAC) were verified less than TAXII_BASIC_TTL ago; *confirmed
 * when nothing changed in the store since, else the caller must check that
 * the account still has that password hash (then basic_put with fresh = 0).
 */
int taxii__cache_basic_get(taxii_cache *c, const unsigned char key[32], store_account *acct, int *confirmed);
/* Remembers credentials argon2 verified (fresh = 1: the TTL restarts) or re-confirmed (fresh = 0). */
void taxii__cache_basic_put(taxii_cache *c, const unsigned char key[32], const store_account *acct, int fresh);
void taxii__cache_basic_drop(taxii_cache *c, const unsigned char key[32]);
/* 1 with *out when (account, collection id) was looked up under the current version. */
int taxii__cache_view_get(taxii_cache *c, int64_t account, const char *seg, taxii_view *out);
void taxii__cache_view_put(taxii_cache *c, int64_t account, const char *seg, const taxii_view *v);
/* A cached answer (borrowed: queue it, do not destroy it), or NULL. */
struct MHD_Response *taxii__cache_page_get(taxii_cache *c, const char *key, size_t keylen);
/* Keeps resp (taking the caller's reference) and returns 1, or 0 when it is not kept (the caller still owns it). */
int taxii__cache_page_put(taxii_cache *c, const char *key, size_t keylen, struct MHD_Response *resp, size_t size);

/* ---- the checkpointer (taxii_ckpt.c) -------------------------------------------- */

typedef struct taxii_ckpt taxii_ckpt;

/*
 * Starts the thread that checkpoints the store's write-ahead log for the
 * workers (their handles have store_autocheckpoint off): when poked and at
 * least once a second. 0, or an error (the caller then leaves checkpoints to
 * the workers' commits).
 */
int taxii__ckpt_start(const char *store_uri, taxii_ckpt **out, vg_error *err);
/* Asks for a checkpoint soon (after a large commit). NULL-safe. */
void taxii__ckpt_poke(taxii_ckpt *k);
/* Checkpoints run so far. NULL-safe (0). */
uint64_t taxii__ckpt_runs(taxii_ckpt *k);
/* Stops the thread and closes its handle. NULL-safe. */
void taxii__ckpt_stop(taxii_ckpt *k);
/* Pokes the server's checkpointer, if it has one. */
void taxii__checkpoint_soon(taxii_server *srv);

/* ---- the header deadline (taxii_guard.c) -------------------------------------- */

typedef struct taxii_guard taxii_guard;

/* Starts the watcher: a request's line and headers must arrive within timeout seconds. VG_E_NOMEM, VG_E_INTERNAL. */
int taxii__guard_start(int timeout, taxii_guard **out);
/* Stops the watcher and frees the guard (after libmicrohttpd has stopped). NULL-safe. */
void taxii__guard_stop(taxii_guard *g);
/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the guard): tracks connections. */
void taxii__guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe);
/* A request's headers are in (started = 1), or its answer is done (0). */
void taxii__guard_request(struct MHD_Connection *conn, int started);
/* How many connections it shut down. */
uint64_t taxii__guard_cut(taxii_guard *g);

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
    int cacheable;               /* the route's answer may go to the page cache */
    vg_buf key;                  /* the page cache's key for this request */
    struct MHD_Response *keep;   /* set by taxii__respond_page when the answer may be cached */
    size_t keep_size;            /* its body's size */
    const char *body;            /* request body (NUL-terminated), or NULL */
    struct timespec headers_in;  /* when the request's headers were in (CLOCK_MONOTONIC): the body took since */
    size_t body_len;             /* its length */
    vg_error err;                /* detail of a failure */
} taxii_ctx;

typedef int (*taxii_handler)(taxii_ctx *c);

/* Queues a response with the TAXII media type; takes body's contents. Returns MHD_YES/MHD_NO. */
int taxii__respond(struct MHD_Connection *conn, int status, vg_buf *body, const char *first, const char *last,
                   int www_auth);
/* Queues a 200 page answer; the server may keep it in its cache (c->keep). */
int taxii__respond_page(taxii_ctx *c, vg_buf *body, const char *first, const char *last);
/* Queues a TAXII error message with this status. */
int taxii__error(struct MHD_Connection *conn, int status, const char *description);
int taxii__error_from(struct MHD_Connection *conn, int status, const vg_error *err);
/* This thread's store (opened on first use), or NULL with err. */
store *taxii__store(taxii_server *srv, vg_error *err);
const taxii_config *taxii__config(taxii_server *srv);

/* The briefings folder beside TAXII (taxii_briefings.c): whether url is under /briefings, and its answer. */
int taxii__briefings_path(const char *url);
int taxii__briefings(struct MHD_Connection *conn, const char *method, const char *url, const char *dir);

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
