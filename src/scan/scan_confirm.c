/*
 * scan_confirm.c - confirming candidate hits with the STIX pattern evaluator.
 *
 * The line that held a candidate hit is extracted again with every kind
 * wanted, and each value becomes a cyber-observable:
 *
 *   domain      domain-name {value}            (lower case)
 *   url         url {value} and its host as a domain-name (or address)
 *   ipv4/ipv6   ipv4-addr / ipv6-addr {value}
 *   email       email-addr {value}             (lower case)
 *   hash        file {hashes: {MD5|SHA-1|SHA-256|SHA-512: hex}} (by length, lower case)
 *   wallet      cryptocurrency-wallet and x-crypto-wallet {value}
 *   file name   file {name}
 *
 * Two sets of observations are made from them: one observed-data holding
 * every SCO (so `[a:x = 1 AND b:y = 2]` can match within one observation) and
 * one observed-data per SCO (so `[a] AND [b]`, which needs two observations,
 * can). A pattern with one observation expression is matched against the
 * first, any other against the second. The evaluator compares exactly: an
 * indicator `domain-name:value = 'evil.com'` inside an AND is satisfied by
 * `evil.com` on the line, not by `a.evil.com` (the index alone, for simple
 * patterns, also matches subdomains).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_time.h"
#include "scan/scan_int.h"

struct scan_confirm {
    const idx *x;         /* the index (for the patterns' text) */
    pat_pattern **pats;   /* one per indicator, compiled on first use */
    uint8_t *bad;         /* 1: the pattern did not compile */
    pthread_mutex_t mu;   /* guards pats and bad */
    char when[VG_TIME_MAX]; /* first/last_observed of the observations: the scan's start */
};

int scan__confirm_new(const idx *x, scan_confirm **out, vg_error *err)
{
    *out = NULL;
    scan_confirm *c = vg_calloc(1, sizeof *c);
    uint32_t n = idx_indicator_count(x);
    if (c) {
        c->pats = vg_calloc(n ? n : 1, sizeof *c->pats);
        c->bad = vg_calloc(n ? n : 1, 1);
    }
    if (!c || !c->pats || !c->bad) {
        if (c) {
            vg_free(c->pats);
            vg_free(c->bad);
        }
        vg_free(c);
        return vg_error_set(err, VG_E_NOMEM, "out of memory preparing the pattern evaluator");
    }
    c->x = x;
    pthread_mutex_init(&c->mu, NULL);
    vg_time t = vg_time_now(3);
    vg_time_format_digits(&t, 3, c->when);
    *out = c;
    return 0;
}

void scan__confirm_free(scan_confirm *c)
{
    if (!c)
        return;
    uint32_t n = idx_indicator_count(c->x);
    for (uint32_t i = 0; i < n; i++)
        pat_free(c->pats[i]);
    vg_free(c->pats);
    vg_free(c->bad);
    pthread_mutex_destroy(&c->mu);
    vg_free(c);
}

/* The compiled pattern of indicator ind, or NULL when it does not compile. */
static const pat_pattern *pattern_of(scan_confirm *c, uint32_t ind)
{
    if (ind >= idx_indicator_count(c->x))
        return NULL;
    pthread_mutex_lock(&c->mu);
    if (!c->pats[ind] && !c->bad[ind]) {
        const char *src = idx_indicator_pattern(c->x, ind);
        pat_opts o = {0};
        o.no_warnings = 1;
        vg_error e = {0};
        if (pat_compile(src, strlen(src), &o, &c->pats[ind], NULL, &e) != 0) {
            o.version = PAT_STIX_20; /* a STIX 2.0 indicator's pattern */
            vg_error e2 = {0};
            if (pat_compile(src, strlen(src), &o, &c->pats[ind], NULL, &e2) != 0)
                c->bad[ind] = 1;
        }
    }
    const pat_pattern *p = c->pats[ind];
    pthread_mutex_unlock(&c->mu);
    return p;
}

void scan__lineobs_reset(scan_lineobs *l)
{
    json_decref(l->scos);
    pat_observations_free(l->combined);
    pat_observations_free(l->split);
    memset(l, 0, sizeof *l);
}

static json_t *sco(const char *type, const char *key, json_t *value)
{
    json_t *o = value ? json_pack("{s:s,s:o}", "type", type, key, value) : NULL;
    if (!o)
        json_decref(value);
    return o;
}

static json_t *lower_string(const char *v, size_t n)
{
    char buf[4096];
    if (n >= sizeof buf)
        return NULL;
    for (size_t i = 0; i < n; i++)
        buf[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] + 32) : v[i];
    return json_stringn(buf, n);
}

static int add(json_t *arr, json_t *o)
{
    return o ? json_array_append_new(arr, o) : -1;
}

/* The host of a URL as an SCO (domain or address). */
static int add_host(json_t *arr, const char *v, size_t n)
{
    char norm[4200];
    size_t hs = 0, hn = 0;
    long r = idx_url_normalize(v, n, norm, sizeof norm, &hs, &hn);
    if (r < 0 || hn == 0)
        return 0;
    const char *h = norm + hs;
    const char *type = memchr(h, ':', hn) ? "ipv6-addr" : "domain-name";
    if (type[0] == 'd') {
        size_t k = 0;
        while (k < hn && ((h[k] >= '0' && h[k] <= '9') || h[k] == '.'))
            k++;
        if (k == hn)
            type = "ipv4-addr";
    }
    return add(arr, sco(type, "value", json_stringn(h, hn)));
}

static int collect(const ev_obs *o, void *p)
{
    json_t *arr = p;
    int bad = 0;
    switch (o->kind) {
    case EV_DOMAIN: bad = add(arr, sco("domain-name", "value", lower_string(o->value, o->len))); break;
    case EV_URL:
        bad = add(arr, sco("url", "value", json_stringn(o->value, o->len)));
        if (!bad)
            bad = add_host(arr, o->value, o->len);
        break;
    case EV_IPV4: bad = add(arr, sco("ipv4-addr", "value", json_stringn(o->value, o->len))); break;
    case EV_IPV6: bad = add(arr, sco("ipv6-addr", "value", json_stringn(o->value, o->len))); break;
    case EV_EMAIL: bad = add(arr, sco("email-addr", "value", lower_string(o->value, o->len))); break;
    case EV_HASH: {
        const char *alg = o->len == 32 ? "MD5" : o->len == 40 ? "SHA-1" : o->len == 64 ? "SHA-256" : "SHA-512";
        json_t *h = json_object();
        if (!h || json_object_set_new(h, alg, lower_string(o->value, o->len))) {
            json_decref(h);
            return VG_E_NOMEM;
        }
        bad = add(arr, sco("file", "hashes", h));
        break;
    }
    case EV_WALLET:
        bad = add(arr, sco("cryptocurrency-wallet", "value", json_stringn(o->value, o->len)));
        if (!bad)
            bad = add(arr, sco("x-crypto-wallet", "value", json_stringn(o->value, o->len)));
        break;
    case EV_FILE_NAME: bad = add(arr, sco("file", "name", json_stringn(o->value, o->len))); break;
    default: break;
    }
    return bad ? VG_E_NOMEM : 0;
}

static json_t *observed(const char *when, size_t seq, json_t *objects)
{
    char id[80];
    snprintf(id, sizeof id, "observed-data--00000000-0000-4000-8000-%012zx", seq);
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "type", "observed-data", "id", id,
                     "first_observed", when, "last_observed", when, "number_observed", 1, "objects", objects);
}

/* Builds the line's SCOs and both sets of observations. */
static int build(scan_confirm *c, ev_text *t, scan_lineobs *l, const char *line, size_t len, vg_error *err)
{
    scan__lineobs_reset(l);
    l->line = line;
    l->len = len;
    l->scos = json_array();
    if (!l->scos)
        return vg_error_set(err, VG_E_NOMEM, "out of memory confirming a hit");
    int rc = ev_text_scan(t, line, len, 0, 1, collect, l->scos);
    if (rc)
        return vg_error_set(err, rc, "out of memory confirming a hit");
    json_t *all = json_object(), *combined = json_array(), *split = json_array();
    int bad = !all || !combined || !split;
    for (size_t i = 0; !bad && i < json_array_size(l->scos); i++) {
        char key[24];
        snprintf(key, sizeof key, "%zu", i);
        json_t *one = json_object();
        json_t *s = json_array_get(l->scos, i);
        bad |= !one || json_object_set(all, key, s) || json_object_set(one, "0", s);
        bad |= json_array_append_new(split, observed(c->when, i + 2, one)) != 0;
    }
    if (!bad)
        bad = json_array_append_new(combined, observed(c->when, 1, all)) != 0;
    else
        json_decref(all);
    vg_error e = {0};
    if (!bad && (pat_observations_from_json(combined, &l->combined, &e) ||
                 pat_observations_from_json(split, &l->split, &e)))
        bad = 1;
    json_decref(combined); /* the sets keep their own references */
    json_decref(split);
    if (bad) {
        scan__lineobs_reset(l);
        return vg_error_set(err, e.code ? e.code : VG_E_NOMEM, "cannot build the observations of a line: %s",
                            e.code ? e.msg : "out of memory");
    }
    return 0;
}

int scan__confirm(scan_confirm *c, ev_text *t, scan_lineobs *l, const char *line, size_t len, uint32_t ind,
                  vg_error *err)
{
    const pat_pattern *p = pattern_of(c, ind);
    if (!p)
        return 0;
    if (l->line != line || l->len != len || !l->combined) {
        int rc = build(c, t, l, line, len, err);
        if (rc)
            return rc;
    }
    pat_result res = {0};
    const pat_observations *obs = pat_observation_count(p) <= 1 ? l->combined : l->split;
    int rc = pat_match(p, obs, &res, err);
    int m = res.matched;
    pat_result_free(&res);
    if (rc == VG_E_LIMIT)
        return 0; /* the search grew past its ceiling: not confirmed */
    return rc ? rc : m;
}
