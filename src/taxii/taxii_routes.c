/*
 * taxii_routes.c - the TAXII 2.1 endpoints. taxii_server.c has already
 * authenticated the account, checked Accept/Content-Type and the rights on
 * the collection, and parsed the query; each handler here reads or writes the
 * store and queues one response.
 *
 * Every read of objects goes through page(): rows are filtered by the TLP
 * rules (taxii_visible) BEFORE the page is cut, so a withheld object changes
 * no count, header, `more` or `next`.
 */
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "stix/stix.h"
#include "taxii/taxii_int.h"

static int oom(taxii_ctx *c) { return taxii__error(c->conn, 500, "out of memory"); }

/* A stored 9-digit key as a STIX timestamp: trailing zeros cut down to milliseconds. */
static void key_to_time(const char *key, char out[VG_TIME_MAX])
{
    snprintf(out, VG_TIME_MAX, "%s", key);
    char *dot = strchr(out, '.');
    if (!dot)
        return;
    size_t n = strlen(out);
    if (n < 2 || out[n - 1] != 'Z')
        return;
    size_t end = n - 1; /* index of 'Z' */
    /* Cut whole groups of three zeros: milliseconds, microseconds or nanoseconds remain. */
    while (end >= (size_t)(dot - out) + 7 && strncmp(out + end - 3, "000", 3) == 0)
        end -= 3;
    out[end] = 'Z';
    out[end + 1] = '\0';
}

/* Bounded copy without printf's cost (called per row). */
static void copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int put_str(vg_buf *b, const char *s) { return vg_buf_put_json_string(b, s, strlen(s)); }

/* ---- discovery, API root, collections, status ---------------------------------- */

int taxii__discovery(taxii_ctx *c)
{
    const taxii_config *cfg = taxii__config(c->srv);
    const char *host = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    char root[512];
    if (host && strlen(host) < 256 && !strpbrk(host, "/\"\\ "))
        snprintf(root, sizeof root, "%s://%s/%s/", cfg->tls_cert[0] ? "https" : "http", host, cfg->api_root);
    else
        snprintf(root, sizeof root, "/%s/", cfg->api_root);
    vg_buf b;
    vg_buf_init(&b, 0);
    int rc = vg_buf_puts(&b, "{\"title\":");
    rc = rc ? rc : put_str(&b, cfg->title);
    if (!rc && cfg->description[0])
        rc = vg_buf_puts(&b, ",\"description\":") || put_str(&b, cfg->description);
    if (!rc && cfg->contact[0])
        rc = vg_buf_puts(&b, ",\"contact\":") || put_str(&b, cfg->contact);
    rc = rc ? rc : vg_buf_puts(&b, ",\"default\":");
    rc = rc ? rc : put_str(&b, root);
    rc = rc ? rc : vg_buf_puts(&b, ",\"api_roots\":[");
    rc = rc ? rc : put_str(&b, root);
    rc = rc ? rc : vg_buf_puts(&b, "]}");
    if (rc) {
        vg_buf_free(&b);
        return oom(c);
    }
    return taxii__respond(c->conn, 200, &b, NULL, NULL, 0);
}

int taxii__api_root(taxii_ctx *c)
{
    const taxii_config *cfg = taxii__config(c->srv);
    vg_buf b;
    vg_buf_init(&b, 0);
    int rc = vg_buf_puts(&b, "{\"title\":");
    rc = rc ? rc : put_str(&b, cfg->title);
    if (!rc && cfg->description[0])
        rc = vg_buf_puts(&b, ",\"description\":") || put_str(&b, cfg->description);
    rc = rc ? rc
            : vg_buf_printf(&b, ",\"versions\":[\"%s\"],\"max_content_length\":%zu}", TAXII_MEDIA_TYPE,
                            cfg->max_body);
    if (rc) {
        vg_buf_free(&b);
        return oom(c);
    }
    return taxii__respond(c->conn, 200, &b, NULL, NULL, 0);
}

static int put_collection(vg_buf *b, const store_share *sh, int rights)
{
    int rc = vg_buf_puts(b, "{\"id\":");
    rc = rc ? rc : put_str(b, sh->id);
    rc = rc ? rc : vg_buf_puts(b, ",\"title\":");
    rc = rc ? rc : put_str(b, sh->title);
    if (!rc && sh->description[0])
        rc = vg_buf_puts(b, ",\"description\":") || put_str(b, sh->description);
    rc = rc ? rc
            : vg_buf_printf(b, ",\"can_read\":%s,\"can_write\":%s,\"media_types\":[\"%s\"]}",
                            rights & STORE_RIGHT_READ ? "true" : "false", rights & STORE_RIGHT_WRITE ? "true" : "false",
                            TAXII_STIX_MEDIA_TYPE);
    return rc;
}

int taxii__collection(taxii_ctx *c)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    if (put_collection(&b, &c->share, c->rights)) {
        vg_buf_free(&b);
        return oom(c);
    }
    return taxii__respond(c->conn, 200, &b, NULL, NULL, 0);
}

/* Collects the collections the account has any right on. */
typedef struct list_ctx {
    taxii_ctx *c; /* the request */
    vg_buf *b;    /* output */
    int n;        /* collections written */
} list_ctx;

static int list_one(const store_share *sh, void *p)
{
    list_ctx *l = p;
    int rights = 0;
    int rc = store_right_get(l->c->s, l->c->acct.id, sh->name, &rights, &l->c->err);
    if (rc || !rights)
        return rc;
    rc = vg_buf_puts(l->b, l->n++ ? "," : "{\"collections\":[");
    return rc ? rc : put_collection(l->b, sh, rights);
}

int taxii__collections(taxii_ctx *c)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    list_ctx l = {c, &b, 0};
    int rc = store_shares_list(c->s, list_one, &l, &c->err);
    if (!rc)
        rc = vg_buf_puts(&b, l.n ? "]}" : "{}");
    if (rc) {
        vg_buf_free(&b);
        return taxii__error(c->conn, 500, "listing collections failed");
    }
    return taxii__respond(c->conn, 200, &b, NULL, NULL, 0);
}

int taxii__status(taxii_ctx *c)
{
    char *json = NULL;
    int rc = store_status_get(c->s, c->status_seg, c->acct.id, &json, &c->err);
    if (rc == VG_E_NOTFOUND)
        return taxii__error(c->conn, 404, "no such status");
    if (rc)
        return taxii__error(c->conn, 500, "reading the status failed");
    vg_buf b = {.data = json, .len = strlen(json), .cap = strlen(json) + 1, .max = 0};
    return taxii__respond(c->conn, 200, &b, NULL, NULL, 0);
}

/* ---- paged reads ------------------------------------------------------------------ */

enum { OUT_OBJECTS, OUT_MANIFEST, OUT_VERSIONS };

/*
 * Runs the query the filter describes (one_id: fixed to one object) and
 * answers one page of what this reader may see. not_found_if_empty: answer
 * 404 when nothing visible matches on a first page (single-object routes).
 */
static int page(taxii_ctx *c, int out, const char *one_id, int default_versions, int not_found_if_empty)
{
    const taxii_config *cfg = taxii__config(c->srv);
    taxii_filter *f = &c->filter;
    store_query q = {0};
    q.collection = c->share.name;
    const char *idv[1] = {one_id};
    if (one_id) {
        q.ids = idv;
        q.nids = 1;
    } else {
        q.ids = (const char *const *)f->ids;
        q.nids = f->nids;
    }
    q.types = (const char *const *)f->types;
    q.ntypes = f->ntypes;
    q.spec_versions = (const char *const *)f->specs;
    q.nspec_versions = f->nspecs;
    q.has_added_after = f->has_added_after;
    q.added_after = f->added_after;
    q.versions = f->versions ? f->versions : default_versions;
    q.at = f->at;
    q.nat = f->nat;
    q.cursor = f->next[0] ? f->next : NULL;
    size_t limit = f->limit ? (f->limit > cfg->max_page ? cfg->max_page : f->limit) : cfg->default_page;
    store_iter *it = NULL;
    int rc = store_query_open(c->s, &q, &it, &c->err);
    if (rc)
        return taxii__error_from(c->conn, rc == VG_E_USAGE ? 400 : 500, &c->err);
    vg_buf b;
    vg_buf_init(&b, 0);
    store_row row;
    size_t kept = 0;
    int more = 0;
    char cursor[96] = "", first[VG_TIME_MAX] = "", last[VG_TIME_MAX] = "", t[VG_TIME_MAX];
    static const char *const open[] = {"{\"objects\":[", "{\"objects\":[", "{\"versions\":["};
    while ((rc = store_iter_next(it, &row, &c->err)) == 1) {
        rc = 0;
        if (!taxii_visible(&c->reader, &c->share, row.json, row.json_len))
            continue;
        if (kept == limit) {
            more = 1;
            break;
        }
        rc = vg_buf_puts(&b, kept ? "," : open[out]);
        if (!rc && out == OUT_OBJECTS) {
            rc = vg_buf_append(&b, row.json, row.json_len);
        } else if (!rc && out == OUT_VERSIONS) {
            key_to_time(row.version[0] ? row.version : row.added, t);
            rc = put_str(&b, t);
        } else if (!rc) {
            rc = vg_buf_puts(&b, "{\"id\":");
            rc = rc ? rc : put_str(&b, row.id);
            key_to_time(row.added, t);
            rc = rc ? rc : vg_buf_puts(&b, ",\"date_added\":");
            rc = rc ? rc : put_str(&b, t);
            key_to_time(row.version[0] ? row.version : row.added, t);
            rc = rc ? rc : vg_buf_puts(&b, ",\"version\":");
            rc = rc ? rc : put_str(&b, t);
            rc = rc ? rc : vg_buf_puts(&b, ",\"media_type\":\"" TAXII_STIX_MEDIA_TYPE "\"}");
        }
        if (rc)
            break;
        if (!kept)
            copy_str(first, sizeof first, row.added);
        copy_str(last, sizeof last, row.added);
        copy_str(cursor, sizeof cursor, store_iter_cursor(it));
        kept++;
    }
    store_iter_free(it);
    if (rc < 0) {
        vg_buf_free(&b);
        return rc == VG_E_NOMEM ? oom(c) : taxii__error(c->conn, 500, "reading the store failed");
    }
    if (!kept && not_found_if_empty && !f->next[0]) {
        vg_buf_free(&b);
        return taxii__error(c->conn, 404, "no such object in this collection");
    }
    rc = kept ? vg_buf_puts(&b, "]") : vg_buf_puts(&b, "{");
    rc = rc ? rc : vg_buf_printf(&b, "%s\"more\":%s", kept ? "," : "", more ? "true" : "false");
    if (!rc && more)
        rc = vg_buf_printf(&b, ",\"next\":\"%s\"", cursor); /* cursors are [c0-9-] only */
    rc = rc ? rc : vg_buf_puts(&b, "}");
    if (rc) {
        vg_buf_free(&b);
        return oom(c);
    }
    char hf[VG_TIME_MAX], hl[VG_TIME_MAX];
    key_to_time(first, hf);
    key_to_time(last, hl);
    return taxii__respond_page(c, &b, kept ? hf : NULL, kept ? hl : NULL);
}

int taxii__objects_get(taxii_ctx *c) { return page(c, OUT_OBJECTS, NULL, STORE_VER_LAST, 0); }
int taxii__manifest(taxii_ctx *c) { return page(c, OUT_MANIFEST, NULL, STORE_VER_LAST, 0); }
int taxii__object_get(taxii_ctx *c) { return page(c, OUT_OBJECTS, c->obj_seg, STORE_VER_LAST, 1); }

int taxii__versions(taxii_ctx *c)
{
    /* Versions lists every version unless match[version] narrows it. */
    return page(c, OUT_VERSIONS, c->obj_seg, STORE_VER_ALL, 1);
}

/* ---- DELETE --------------------------------------------------------------------- */

int taxii__object_delete(taxii_ctx *c)
{
    taxii_filter *f = &c->filter;
    store_query q = {0};
    const char *idv[1] = {c->obj_seg};
    q.collection = c->share.name;
    q.ids = idv;
    q.nids = 1;
    q.spec_versions = (const char *const *)f->specs;
    q.nspec_versions = f->nspecs;
    q.versions = f->versions ? f->versions : STORE_VER_ALL;
    q.at = f->at;
    q.nat = f->nat;
    store_iter *it = NULL;
    int rc = store_query_open(c->s, &q, &it, &c->err);
    if (rc)
        return taxii__error_from(c->conn, rc == VG_E_USAGE ? 400 : 500, &c->err);
    /* Only versions this account can see are deleted; the others do not exist for it. */
    char **keys = NULL;
    size_t n = 0, cap = 0;
    store_row row;
    while ((rc = store_iter_next(it, &row, &c->err)) == 1) {
        rc = 0;
        if (!taxii_visible(&c->reader, &c->share, row.json, row.json_len))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            char **nk = nc <= 100000 ? vg_realloc(keys, nc * sizeof *keys) : NULL;
            if (!nk) {
                rc = VG_E_NOMEM;
                break;
            }
            keys = nk;
            cap = nc;
        }
        if (!(keys[n] = vg_strdup(row.version))) {
            rc = VG_E_NOMEM;
            break;
        }
        n++;
    }
    store_iter_free(it);
    int deleted = 0;
    if (!rc && n) {
        rc = store_begin(c->s, &c->err);
        for (size_t i = 0; !rc && i < n; i++) {
            int d = 0;
            rc = store_object_delete(c->s, c->share.name, c->obj_seg, keys[i], &d, &c->err);
            deleted += d;
        }
        if (!rc)
            rc = store_commit(c->s, &c->err);
        else
            store_rollback(c->s);
    }
    for (size_t i = 0; i < n; i++)
        vg_free(keys[i]);
    vg_free(keys);
    if (rc)
        return taxii__error(c->conn, 500, "deleting failed");
    if (!deleted)
        return taxii__error(c->conn, 404, "no such object in this collection");
    return taxii__respond(c->conn, 200, NULL, NULL, NULL, 0);
}
