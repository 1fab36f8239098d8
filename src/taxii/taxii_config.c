/*
 * taxii_config.c - the server's settings: defaults, and the "key = value"
 * file of docs/formats/taxii-config.md. One table names every key, its type
 * and where it goes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/taxii.h"

void taxii_config_defaults(taxii_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->store, sizeof c->store, "vigil.db");
    snprintf(c->listen_addr, sizeof c->listen_addr, "127.0.0.1");
    c->port = 9443;
    snprintf(c->title, sizeof c->title, "vigil TAXII server");
    snprintf(c->api_root, sizeof c->api_root, "api");
    c->max_body = 64u << 20;
    c->max_objects = 10000;
    c->max_page = 1000;
    c->default_page = 100;
    c->max_header = 16u << 10;
    c->rate = 0;
    c->timeout = 30;
    c->cache = 64u << 20;
    c->max_connections = 1000;
}

enum kind { K_STR, K_INT, K_SIZE };

/* Every key of the file. */
static const struct key {
    const char *name; /* key as written */
    enum kind kind;   /* value type */
    size_t off;       /* where in taxii_config */
    size_t size;      /* buffer size for K_STR */
} keys[] = {
    {"store", K_STR, offsetof(taxii_config, store), sizeof ((taxii_config *)0)->store},
    {"listen", K_STR, offsetof(taxii_config, listen_addr), sizeof ((taxii_config *)0)->listen_addr},
    {"port", K_INT, offsetof(taxii_config, port), 0},
    {"tls_cert", K_STR, offsetof(taxii_config, tls_cert), sizeof ((taxii_config *)0)->tls_cert},
    {"tls_key", K_STR, offsetof(taxii_config, tls_key), sizeof ((taxii_config *)0)->tls_key},
    {"title", K_STR, offsetof(taxii_config, title), sizeof ((taxii_config *)0)->title},
    {"description", K_STR, offsetof(taxii_config, description), sizeof ((taxii_config *)0)->description},
    {"contact", K_STR, offsetof(taxii_config, contact), sizeof ((taxii_config *)0)->contact},
    {"api_root", K_STR, offsetof(taxii_config, api_root), sizeof ((taxii_config *)0)->api_root},
    {"threads", K_INT, offsetof(taxii_config, threads), 0},
    {"max_body", K_SIZE, offsetof(taxii_config, max_body), 0},
    {"max_objects", K_SIZE, offsetof(taxii_config, max_objects), 0},
    {"max_page", K_SIZE, offsetof(taxii_config, max_page), 0},
    {"default_page", K_SIZE, offsetof(taxii_config, default_page), 0},
    {"max_header", K_SIZE, offsetof(taxii_config, max_header), 0},
    {"rate", K_INT, offsetof(taxii_config, rate), 0},
    {"timeout", K_INT, offsetof(taxii_config, timeout), 0},
    {"cache", K_SIZE, offsetof(taxii_config, cache), 0},
    {"max_connections", K_INT, offsetof(taxii_config, max_connections), 0},
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int taxii_config_load(taxii_config *c, const char *path, vg_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_error_set(err, VG_E_IO, "cannot read the config file %s: %s", path, strerror(errno));
    char line[2048];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = vg_error_set(err, VG_E_PARSE, "expected 'key = value'");
            break;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        size_t vn = strlen(v);
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
            v[vn - 1] = '\0';
            v++;
        }
        const struct key *key = NULL;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strcmp(keys[i].name, k) == 0)
                key = &keys[i];
        if (!key) {
            rc = vg_error_set(err, VG_E_PARSE, "unknown key \"%s\"", k);
            break;
        }
        char *base = (char *)c + key->off;
        if (key->kind == K_STR) {
            if (strlen(v) >= key->size)
                rc = vg_error_set(err, VG_E_PARSE, "%s is longer than %zu characters", k, key->size - 1);
            else
                snprintf(base, key->size, "%s", v);
            continue;
        }
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (end != v && (*end == 'k' || *end == 'K'))
            n <<= 10, end++;
        else if (end != v && (*end == 'm' || *end == 'M'))
            n <<= 20, end++;
        if (end == v || *end || errno || v[0] == '-' || n > (key->kind == K_INT ? 1000000ull : (1ull << 40))) {
            rc = vg_error_set(err, VG_E_PARSE, "%s takes a non-negative number, not \"%s\"", k, v);
            break;
        }
        if (key->kind == K_INT)
            *(int *)base = (int)n;
        else
            *(size_t *)base = (size_t)n;
    }
    fclose(f);
    if (rc)
        vg_error_where(err, "%s:%d", path, lineno);
    return rc;
}
