/*
 * taxii.h - vigil's TAXII 2.1 side: the server (taxii_server_*), the
 * credentials it accepts (argon2id passwords, bearer tokens kept as SHA-256
 * hashes), the TLP 2.0 rules on every read path, and the parsers for what
 * arrives from outside (query strings, Accept/Content-Type, Authorization,
 * envelopes). Routes, rules and limits: docs/internals/taxii.md.
 *
 * Nothing here prints or exits; logging goes through vg_log, and secrets are
 * never passed to it.
 */
#ifndef TAXII_H
#define TAXII_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"
#include "intel/intel.h"
#include "store/store.h"

/* ---- credentials -------------------------------------------------------- */

/* argon2id parameters (OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane). */
#define TAXII_ARGON2_T 2
#define TAXII_ARGON2_M_KIB 19456
#define TAXII_ARGON2_P 1
#define TAXII_PWHASH_MAX 192   /* encoded hash with its NUL */
#define TAXII_PASSWORD_MAX 1024 /* longest password accepted */

/* Hashes a password with argon2id and a random 16-byte salt into the encoded form ($argon2id$v=19$...). */
int taxii_password_hash(const char *password, char out[TAXII_PWHASH_MAX], vg_error *err);
/* 1 when password matches the encoded hash, 0 when not (or when the hash is empty or malformed). */
int taxii_password_verify(const char *encoded, const char *password);

#define TAXII_TOKEN_LEN 64   /* hex characters of a token secret (256 random bits) */
#define TAXII_TOKEN_ID_LEN 12 /* hex characters of its public id */
/*
 * A new bearer token: the secret (shown once, never stored), its public id
 * (the first TAXII_TOKEN_ID_LEN hex digits of its hash) and the hex SHA-256
 * of the secret, which is all the store keeps.
 */
int taxii_token_new(char secret[TAXII_TOKEN_LEN + 1], char id[TAXII_TOKEN_ID_LEN + 1], char hash[65], vg_error *err);
/* The hex SHA-256 of a token secret (any length). */
void taxii_token_hash(const char *secret, size_t n, char hash[65]);

/* ---- TLP 2.0 ---------------------------------------------------------------- */

enum taxii_tlp {
    TAXII_TLP_NONE = 0,   /* unmarked: the collection's default applies */
    TAXII_TLP_CLEAR = 1,  /* TLP:CLEAR (and TLP 1.0 WHITE) */
    TAXII_TLP_GREEN = 2,  /* TLP:GREEN */
    TAXII_TLP_AMBER = 3,  /* TLP:AMBER */
    TAXII_TLP_AMBER_STRICT = 4, /* TLP:AMBER+STRICT */
    TAXII_TLP_RED = 5,    /* TLP:RED */
};

/* "clear", "green", "amber", "amber+strict", "red" -> level; TAXII_TLP_NONE when unknown. */
enum taxii_tlp taxii_tlp_parse(const char *name);
/* The name of a level ("clear"...); "" for TAXII_TLP_NONE. */
const char *taxii_tlp_name(enum taxii_tlp t);
/* The marking-definition id of a TLP 2.0 level (NULL for NONE). */
const char *taxii_tlp_marking_id(enum taxii_tlp t);

/* Who is reading: an account and its organisation. */
typedef struct taxii_reader {
    const char *account; /* account name */
    const char *org;     /* its organisation (identity id) */
} taxii_reader;

/*
 * Whether reader may see the object whose JSON text is json[0..n) in a
 * collection with settings sh. The rules (docs/internals/taxii.md):
 * the most restrictive TLP marking on the object (object_marking_refs and
 * granular_markings, TLP 1.0 and 2.0 ids) decides, an unmarked object takes
 * the collection's default; CLEAR and GREEN go to every reader; AMBER and
 * AMBER+STRICT to organisations listed in the collection's recipients; RED to
 * organisations or "account:NAME" entries in the object's x_vigil_recipients.
 * The organisation named by created_by_ref always sees its own objects.
 * Unparseable JSON is withheld. Returns 1 (visible) or 0.
 */
int taxii_visible(const taxii_reader *reader, const store_share *sh, const char *json, size_t n);
/*
 * The same decision from a jansson tree: the reference taxii_visible falls
 * back to when its scanner cannot decide (the fuzzer checks they agree).
 */
int taxii_visible_parsed(const taxii_reader *reader, const store_share *sh, const char *json, size_t n);

/* The TLP level of an object (the most restrictive of its markings), TAXII_TLP_NONE when unmarked. */
enum taxii_tlp taxii_tlp_of(json_t *obj);

/* ---- request parsing ------------------------------------------------------- */

#define TAXII_MATCH_MAX 64 /* most values in one match[...] filter */

/* The filters of a GET on objects, manifest or versions. */
typedef struct taxii_filter {
    int has_added_after;             /* added_after given */
    vg_time added_after;             /* its value */
    size_t limit;                    /* limit (0: none given) */
    char next[96];                   /* next (cursor), "" if none */
    char *ids[TAXII_MATCH_MAX];      /* match[id] values (owned) */
    size_t nids;                     /* how many */
    char *types[TAXII_MATCH_MAX];    /* match[type] values (owned) */
    size_t ntypes;                   /* how many */
    char *specs[TAXII_MATCH_MAX];    /* match[spec_version] values (owned) */
    size_t nspecs;                   /* how many */
    int versions;                    /* STORE_VER_* from match[version]; 0: not given */
    vg_time at[TAXII_MATCH_MAX];     /* timestamps in match[version] */
    size_t nat;                      /* how many */
} taxii_filter;

/*
 * Adds one query parameter (name and value already URL-decoded). Unknown
 * parameters are ignored, as TAXII 2.1 asks. VG_E_USAGE (HTTP 400) with a
 * message for a malformed value, VG_E_LIMIT for too many values, VG_E_NOMEM.
 */
int taxii_filter_add(taxii_filter *f, const char *name, const char *value, vg_error *err);
/* Parses a raw query string ("a=b&c=d", %-escapes and '+' decoded) into f. */
int taxii_query_parse(taxii_filter *f, const char *query, size_t n, vg_error *err);
/* Frees what f owns and zeroes it. */
void taxii_filter_free(taxii_filter *f);

/*
 * Content negotiation. taxii_accept_ok: whether an Accept header (NULL: none)
 * admits application/taxii+json;version=2.1. taxii_content_type_ok: whether a
 * Content-Type is application/taxii+json with version 2.1 or no version.
 */
int taxii_accept_ok(const char *accept);
int taxii_content_type_ok(const char *ctype);

/* Credentials from an Authorization header. */
typedef struct taxii_credentials {
    int kind;             /* 0 none/unusable, 1 Basic, 2 Bearer */
    char user[64];        /* Basic: user name */
    char secret[TAXII_PASSWORD_MAX + 1]; /* Basic: password; Bearer: token */
} taxii_credentials;

/* Parses an Authorization header (NULL: none). Returns 0 or VG_E_PARSE for a malformed one. */
int taxii_auth_parse(const char *header, taxii_credentials *out);
/* Wipes the secret. */
void taxii_credentials_clear(taxii_credentials *c);

/*
 * Parses a TAXII envelope ({"objects": [...]}, other members ignored) from
 * body[0..n). *objects is the borrowed array inside *root (caller decrefs
 * root). VG_E_PARSE for bad JSON (HTTP 400), VG_E_INVALID when it is not an
 * envelope (422), VG_E_LIMIT when it holds more than max_objects (413).
 */
int taxii_envelope_parse(const char *body, size_t n, size_t max_objects, json_t **root, json_t **objects,
                         vg_error *err);

/* ---- server ------------------------------------------------------------------ */

/* Server settings: defaults from taxii_config_defaults, then the config file, then the command line. */
typedef struct taxii_config {
    char store[1024];        /* store URI */
    char listen_addr[64];    /* address to bind, "127.0.0.1" */
    int port;                /* port; 0 picks a free one (see taxii_server_port) */
    char tls_cert[1024];     /* PEM certificate file, "" for plain HTTP */
    char tls_key[1024];      /* PEM key file */
    char title[256];         /* discovery title */
    char description[1024];  /* discovery description */
    char contact[256];       /* discovery contact */
    char api_root[64];       /* the one API root's path segment */
    int threads;             /* worker threads, 0: one per core */
    size_t max_body;         /* largest request body, bytes */
    size_t max_objects;      /* most objects in one envelope */
    size_t max_page;         /* largest page (limit is clamped to it) */
    size_t default_page;     /* page size when no limit is given */
    size_t max_header;       /* memory for one connection's request headers, bytes */
    int rate;                /* requests per second per account, 0: unlimited */
    int timeout;             /* seconds a connection may stay idle (slow clients) */
    size_t cache;            /* bytes of answers kept in memory (split between workers), 0: none */
    int max_connections;     /* connections open at once, beyond which new ones are refused */
    char brief_dir[1024];    /* folder served at /briefings/ to authenticated accounts, "" for none */
} taxii_config;

void taxii_config_defaults(taxii_config *c);
/* Reads "key = value" lines from path (docs/formats/taxii-config.md). VG_E_PARSE with file:line. */
int taxii_config_load(taxii_config *c, const char *path, vg_error *err);

typedef struct taxii_server taxii_server;

/* Starts serving in background threads. Caller stops it with taxii_server_stop. */
int taxii_server_start(const taxii_config *cfg, taxii_server **out, vg_error *err);
/* The port it listens on. */
int taxii_server_port(const taxii_server *srv);

/* What a server did since it started (for benchmarks, tests and logs). */
typedef struct taxii_server_stats {
    uint64_t requests;    /* requests answered */
    uint64_t page_hits;   /* paged GETs answered from the cache */
    uint64_t page_misses; /* paged GETs built from the store */
    uint64_t auth_hits;   /* credentials found in the cache */
    uint64_t argon2;      /* password verifications run (argon2id) */
    uint64_t cut;         /* connections shut down for not sending their headers in time */
    uint64_t checkpoints; /* checkpoints of the store's log run by the server's checkpointer thread */
} taxii_server_stats;

void taxii_server_stats_get(taxii_server *srv, taxii_server_stats *out);
/*
 * Stops accepting connections, waits up to grace_ms for requests in flight
 * to finish, then stops and frees everything.
 */
void taxii_server_stop(taxii_server *srv, int grace_ms);

/* ---- client: vigil sync (taxii_client.c) ------------------------------- */

#define TAXII_CLIENT_PAGE 500            /* objects asked for per GET */
#define TAXII_CLIENT_PUSH_OBJECTS 500    /* objects per POSTed envelope */
#define TAXII_CLIENT_PUSH_BYTES (8u << 20) /* bytes per POSTed envelope (a larger single object goes alone) */
#define TAXII_CLIENT_MAX_RESPONSE (64u << 20) /* largest response body accepted */
#define TAXII_CLIENT_TRIES 5                   /* attempts per request on connection errors, 429 and 5xx */

/* What a sync did. Zero-initialise. */
typedef struct taxii_sync_stats {
    uint64_t requests;           /* HTTP requests made, retries included */
    intel_import_stats pulled;   /* objects pulled and what the import made of them */
    uint64_t pushed;             /* objects the partner stored (its status success_count) */
    uint64_t push_failed;        /* objects the partner refused (failure_count) */
    uint64_t withheld;           /* local objects never pushed: TLP:AMBER+STRICT or TLP:RED */
} taxii_sync_stats;

/*
 * Pulls the peer's collection into p->local: objects added after p->pulled,
 * every page (following `next`), each page imported (validated, upgraded,
 * one transaction). On success p->pulled becomes the partner's last
 * X-TAXII-Date-Added-Last and the peer is saved. Errors say which request
 * failed and what the partner answered (its TAXII error message).
 */
int taxii_pull(store *s, store_peer *p, const intel_import_opts *io, taxii_sync_stats *st, vg_error *err);

/*
 * Pushes the objects added to p->local since p->pushed, in envelopes of at
 * most TAXII_CLIENT_PUSH_OBJECTS objects. TLP:AMBER+STRICT and TLP:RED
 * objects (by their markings, or the local collection's default when
 * unmarked) are never pushed. p->pushed advances past each accepted envelope
 * and the peer is saved.
 */
int taxii_push(store *s, store_peer *p, taxii_sync_stats *st, vg_error *err);

#endif
