/*
 * taxii_cache.c - what one server worker thread remembers between requests:
 * the account behind a bearer token, the account behind verified Basic
 * credentials, an account's view of a collection (settings and rights), and
 * whole answers of the paged GET routes.
 *
 * Every entry is tagged with the store's data version (store_data_version)
 * read at the start of the request that filled it. The server reads the
 * version again at the start of every request; any change to the store, by
 * this server or any other process (a revoked token, a removed right, a new
 * object, a changed password), changes it, and then:
 *   - tokens, collection views and pages made under an older version are
 *     misses (pages are dropped at once, to give their memory back);
 *   - a Basic entry is re-checked against the account as the store has it
 *     now: the entry stands only while the account's password hash is the one
 *     the password was verified against.
 * So a change is seen by the next request that starts after it is committed.
 * Basic entries also expire TAXII_BASIC_TTL seconds after argon2 verified
 * them, and are keyed by an HMAC-SHA-256 of the credentials under a key drawn
 * at start, never by the password itself. Refused credentials are never
 * cached: every wrong password costs its argon2id.
 *
 * One cache per worker thread (libmicrohttpd keeps a connection on one
 * worker), so nothing here takes a lock. Cached pages are libmicrohttpd
 * responses, which are reference-counted: evicting one while it is still
 * being sent is safe.
 */
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "taxii/taxii_int.h"

#define NTOKENS 64   /* bearer tokens remembered (direct-mapped) */
#define NBASIC 64    /* Basic credentials remembered (direct-mapped) */
#define NVIEWS 32    /* (account, collection) views remembered (direct-mapped) */
#define NPAGEBUCKETS 1024 /* hash buckets of the page cache */
#define MAXPAGES 4096     /* pages remembered at most */

/* A bearer token's account. */
typedef struct token_entry {
    uint64_t version;       /* data version it was read under; 0: empty */
    char hash[65];          /* hex SHA-256 of the token */
    store_account acct;     /* its account (password hash wiped) */
} token_entry;

/* Verified Basic credentials. */
typedef struct basic_entry {
    uint64_t version;                /* data version it was last confirmed under; 0: empty */
    unsigned char key[32];           /* HMAC-SHA-256 of "user:password" under the server's key */
    time_t expires;                  /* when argon2 must verify it again */
    store_account acct;              /* the account, with the hash the password was verified against */
} basic_entry;

/* An account's view of a collection. */
typedef struct view_entry {
    uint64_t version;   /* data version; 0: empty */
    int64_t account;    /* account id */
    char seg[48];       /* collection id as given in the path */
    taxii_view view;    /* what the lookup found */
} view_entry;

/* One cached answer. */
typedef struct page_entry {
    struct page_entry *next;       /* hash chain */
    struct page_entry *lru_prev;   /* more recently used */
    struct page_entry *lru_next;   /* less recently used */
    uint64_t hash;                 /* of the key */
    struct MHD_Response *resp;     /* the response (one reference is ours) */
    size_t size;                   /* bytes counted against the budget */
    size_t keylen;                 /* key length */
    char key[];                    /* the key: account, path and arguments */
} page_entry;

struct taxii_cache {
    uint64_t version;                  /* the store's data version at the current request */
    token_entry tokens[NTOKENS];       /* bearer tokens */
    basic_entry basic[NBASIC];         /* Basic credentials */
    view_entry views[NVIEWS];          /* collection views */
    page_entry *buckets[NPAGEBUCKETS]; /* pages by hash */
    page_entry *lru_head, *lru_tail;   /* pages, most recently used first */
    size_t pages;                      /* how many */
    size_t bytes;                      /* their size */
    size_t budget;                     /* most bytes of pages; 0: no page cache */
};

/* FNV-1a, 64 bits. */
static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

#define FNV0 0xcbf29ce484222325ull

int taxii__cache_new(size_t page_budget, taxii_cache **out)
{
    *out = vg_calloc(1, sizeof **out);
    if (!*out)
        return VG_E_NOMEM;
    (*out)->budget = page_budget;
    return 0;
}

static void page_unlink(taxii_cache *c, page_entry *e)
{
    page_entry **pp = &c->buckets[e->hash % NPAGEBUCKETS];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    c->pages--;
    c->bytes -= e->size;
    MHD_destroy_response(e->resp);
    vg_free(e);
}

static void pages_clear(taxii_cache *c)
{
    while (c->lru_head)
        page_unlink(c, c->lru_head);
}

void taxii__cache_free(taxii_cache *c)
{
    if (!c)
        return;
    pages_clear(c);
    OPENSSL_cleanse(c->basic, sizeof c->basic);
    vg_free(c);
}

void taxii__cache_version(taxii_cache *c, uint64_t version)
{
    /* 0 marks empty slots: a store whose version is 0 is seen as 1. */
    version = version ? version : 1;
    if (version != c->version && c->pages)
        pages_clear(c);
    c->version = version;
}

/* ---- tokens ----------------------------------------------------------------- */

static token_entry *token_slot(taxii_cache *c, const char hash[65])
{
    return &c->tokens[fnv(hash, 64, FNV0) % NTOKENS];
}

int taxii__cache_token_get(taxii_cache *c, const char hash[65], store_account *acct)
{
    token_entry *e = token_slot(c, hash);
    if (e->version != c->version || CRYPTO_memcmp(e->hash, hash, 64) != 0) {
        return 0;
    }
    *acct = e->acct;
    return 1;
}

void taxii__cache_token_put(taxii_cache *c, const char hash[65], const store_account *acct)
{
    token_entry *e = token_slot(c, hash);
    memcpy(e->hash, hash, 65);
    e->acct = *acct;
    OPENSSL_cleanse(e->acct.pwhash, sizeof e->acct.pwhash);
    e->version = c->version;
}

/* ---- Basic credentials ------------------------------------------------------ */

static basic_entry *basic_slot(taxii_cache *c, const unsigned char key[32])
{
    return &c->basic[fnv(key, 32, FNV0) % NBASIC];
}

int taxii__cache_basic_get(taxii_cache *c, const unsigned char key[32], store_account *acct, int *confirmed)
{
    basic_entry *e = basic_slot(c, key);
    *confirmed = 0;
    if (!e->version || CRYPTO_memcmp(e->key, key, 32) != 0 || time(NULL) >= e->expires) {
        return 0;
    }
    *acct = e->acct;
    *confirmed = e->version == c->version;
    return 1;
}

void taxii__cache_basic_put(taxii_cache *c, const unsigned char key[32], const store_account *acct, int fresh)
{
    basic_entry *e = basic_slot(c, key);
    if (fresh) {
        memcpy(e->key, key, 32);
        e->expires = time(NULL) + TAXII_BASIC_TTL;
    }
    e->acct = *acct;
    e->version = c->version;
}

void taxii__cache_basic_drop(taxii_cache *c, const unsigned char key[32])
{
    basic_entry *e = basic_slot(c, key);
    if (CRYPTO_memcmp(e->key, key, 32) == 0)
        OPENSSL_cleanse(e, sizeof *e);
}

/* ---- collection views --------------------------------------------------------- */

static view_entry *view_slot(taxii_cache *c, int64_t account, const char *seg)
{
    return &c->views[fnv(seg, strlen(seg), fnv(&account, sizeof account, FNV0)) % NVIEWS];
}

int taxii__cache_view_get(taxii_cache *c, int64_t account, const char *seg, taxii_view *out)
{
    view_entry *e = view_slot(c, account, seg);
    if (e->version != c->version || e->account != account || strcmp(e->seg, seg) != 0)
        return 0;
    *out = e->view;
    return 1;
}

void taxii__cache_view_put(taxii_cache *c, int64_t account, const char *seg, const taxii_view *v)
{
    if (strlen(seg) >= sizeof ((view_entry *)0)->seg)
        return;
    view_entry *e = view_slot(c, account, seg);
    e->account = account;
    memcpy(e->seg, seg, strlen(seg) + 1);
    e->view = *v;
    e->version = c->version;
}

/* ---- pages ---------------------------------------------------------------------- */

static page_entry *page_find(taxii_cache *c, const char *key, size_t keylen, uint64_t h)
{
    for (page_entry *e = c->buckets[h % NPAGEBUCKETS]; e; e = e->next)
        if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
            return e;
    return NULL;
}

struct MHD_Response *taxii__cache_page_get(taxii_cache *c, const char *key, size_t keylen)
{
    if (!c->budget)
        return NULL;
    page_entry *e = page_find(c, key, keylen, fnv(key, keylen, FNV0));
    if (!e) {
        return NULL;
    }
    if (c->lru_head != e) { /* to the front */
        e->lru_prev->lru_next = e->lru_next;
        if (e->lru_next)
            e->lru_next->lru_prev = e->lru_prev;
        else
            c->lru_tail = e->lru_prev;
        e->lru_prev = NULL;
        e->lru_next = c->lru_head;
        c->lru_head->lru_prev = e;
        c->lru_head = e;
    }
    return e->resp;
}

int taxii__cache_page_put(taxii_cache *c, const char *key, size_t keylen, struct MHD_Response *resp, size_t size)
{
    uint64_t h = fnv(key, keylen, FNV0);
    size += keylen + sizeof(page_entry);
    /* One answer may take at most an eighth of the budget. */
    if (!c->budget || size > c->budget / 8 || page_find(c, key, keylen, h))
        return 0;
    while (c->lru_tail && (c->bytes + size > c->budget || c->pages >= MAXPAGES))
        page_unlink(c, c->lru_tail);
    page_entry *e = vg_malloc(sizeof *e + keylen);
    if (!e)
        return 0;
    e->hash = h;
    e->resp = resp;
    e->size = size;
    e->keylen = keylen;
    memcpy(e->key, key, keylen);
    e->next = c->buckets[h % NPAGEBUCKETS];
    c->buckets[h % NPAGEBUCKETS] = e;
    e->lru_prev = NULL;
    e->lru_next = c->lru_head;
    if (c->lru_head)
        c->lru_head->lru_prev = e;
    c->lru_head = e;
    if (!c->lru_tail)
        c->lru_tail = e;
    c->pages++;
    c->bytes += size;
    return 1;
}

size_t taxii__cache_pages(const taxii_cache *c, size_t *bytes)
{
    *bytes = c->bytes;
    return c->pages;
}
