/*
 * taxii_briefings.c - the briefings folder beside the TAXII API: GET
 * /briefings/ lists the files `vigil serve --brief-every` writes (newest
 * first), GET /briefings/NAME returns one. The server calls this after
 * authentication and the rate limit, so the same accounts and tokens as
 * TAXII apply; it is not TAXII, so HTML, Markdown and JSON go out with their
 * own media types.
 *
 * Only plain names are served (letters, digits, '-', '_', '.', not starting
 * with '.'; no '/'), only regular files of the folder, at most 64 MiB:
 * nothing else on the disk can be reached through it.
 */
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "taxii/taxii_int.h"

#define BRIEF_FILE_MAX (64u << 20) /* the largest briefing served */
#define BRIEF_LIST_MAX 10000       /* files listed at most */

int taxii__briefings_path(const char *url)
{
    return strcmp(url, "/briefings") == 0 || strncmp(url, "/briefings/", 11) == 0;
}

static void free_cb(void *p) { vg_free(p); }

/* Queues body (taken) with a media type and headers that keep a browser from running or fetching anything. */
static int send_body(struct MHD_Connection *conn, int status, vg_buf *body, const char *type)
{
    size_t len = body->len;
    char *data = vg_buf_detach(body);
    struct MHD_Response *r = data ? MHD_create_response_from_buffer_with_free_callback(len, data, free_cb)
                                  : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        vg_free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The media type of a briefing file by its extension; NULL: not served. */
static const char *media_type(const char *name)
{
    static const struct {
        const char *ext;  /* extension with its dot */
        const char *type; /* what goes out */
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".md", "text/markdown; charset=utf-8"},
        {".json", "application/json"},
    };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(name + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return NULL;
}

/* Whether name is one the folder may serve: [A-Za-z0-9._-]+, not starting with '.', a known extension. */
static int plain_name(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) > 200)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '-' || *p == '_'))
            return 0;
    return media_type(name) != NULL;
}

static int cmp_desc(const void *a, const void *b) { return strcmp(*(char *const *)b, *(char *const *)a); }

static void put_html(vg_buf *b, const char *s)
{
    for (; *s; s++)
        vg_buf_putc(b, *s); /* names are plain_name()s: nothing to escape */
}

/* The index: an HTML page listing the briefings, newest first. */
static int list(struct MHD_Connection *conn, const char *dir)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int bad = 0;
    while (d && !bad && n < BRIEF_LIST_MAX && (e = readdir(d))) {
        if (!plain_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = vg_realloc(names, cap * sizeof *v);
            if (!v) {
                bad = 1;
                break;
            }
            names = v;
        }
        if (!(names[n] = vg_strdup(e->d_name)))
            bad = 1;
        else
            n++;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_desc);
    vg_buf b;
    vg_buf_init(&b, 8u << 20);
    int rc = vg_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Briefings</title>"
                             "</head><body>\n<h1>Briefings</h1>\n<ul>\n");
    for (size_t i = 0; i < n && !rc; i++) {
        rc = vg_buf_puts(&b, "<li><a href=\"");
        put_html(&b, names[i]);
        rc = rc || vg_buf_puts(&b, "\">");
        put_html(&b, names[i]);
        rc = rc || vg_buf_puts(&b, "</a></li>\n");
    }
    if (!rc && !n)
        rc = vg_buf_puts(&b, "<li>No briefing yet.</li>\n");
    if (!rc)
        rc = vg_buf_puts(&b, "</ul>\n</body></html>\n");
    for (size_t i = 0; i < n; i++)
        vg_free(names[i]);
    vg_free(names);
    if (rc || bad) {
        vg_buf_free(&b);
        return taxii__error(conn, 500, "out of memory listing the briefings");
    }
    return send_body(conn, 200, &b, "text/html; charset=utf-8");
}

/* One file of the folder. */
static int one(struct MHD_Connection *conn, const char *dir, const char *name)
{
    if (!plain_name(name))
        return taxii__error(conn, 404, "no such briefing");
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode))
        return taxii__error(conn, 404, "no such briefing");
    if ((unsigned long long)st.st_size > BRIEF_FILE_MAX)
        return taxii__error(conn, 500, "the briefing is larger than 64 MiB");
    FILE *f = fopen(path, "rb");
    vg_buf b;
    vg_buf_init(&b, BRIEF_FILE_MAX);
    char chunk[16384];
    size_t k;
    int rc = f ? 0 : VG_E_IO;
    while (!rc && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = vg_buf_append(&b, chunk, k);
    if (f && ferror(f))
        rc = VG_E_IO;
    if (f)
        fclose(f);
    if (rc) {
        vg_buf_free(&b);
        return taxii__error(conn, 500, "the briefing cannot be read");
    }
    return send_body(conn, 200, &b, media_type(name));
}

int taxii__briefings(struct MHD_Connection *conn, const char *method, const char *url, const char *dir)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return taxii__error(conn, 405, "briefings are only read (GET)");
    const char *name = url + strlen("/briefings");
    while (*name == '/')
        name++;
    return *name ? one(conn, dir, name) : list(conn, dir);
}
