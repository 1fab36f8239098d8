/*
 * scan_pcap.c - captures in the scan. A file whose first bytes are a pcap or
 * pcapng magic number (also inside .gz/.zst) is read packet by packet with
 * ev_pcap instead of line by line: each observation (DNS names and
 * addresses, TLS server names, HTTP hosts and URLs, flow endpoints) is looked
 * up in the index and its hits handed back to scan.c, which delivers them
 * like a line's, with the packet number and time.
 *
 * Candidate hits (partial patterns) are delivered as candidates: the
 * evaluator's confirmation works on lines of text, and a packet is not one.
 */
#include <string.h>

#include "core/vg_log.h"
#include "scan/scan_int.h"

/* One capture's read. */
typedef struct cap_ctx {
    const scan_capture *c; /* the pipeline's side */
    const ev_pcap_obs *o;  /* the observation being looked up */
    vg_error *err;         /* where deliver's errors go */
    int rc;                /* deliver's nonzero value: the read stops */
} cap_ctx;

static int on_hit(const idx_hit *h, void *p)
{
    cap_ctx *k = p;
    k->rc = k->c->deliver(h, k->o, k->c->ctx, k->err);
    return k->rc;
}

static int on_obs(const ev_pcap_obs *o, void *p)
{
    static const int kinds[EV__COUNT] = {
        [EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL, [EV_IPV4] = IDX_K_IPV4, [EV_IPV6] = IDX_K_IPV6};
    cap_ctx *k = p;
    if (o->kind <= 0 || o->kind >= EV__COUNT || !kinds[o->kind])
        return 0;
    k->o = o;
    int rc = idx_lookup(k->c->x, kinds[o->kind], o->value, o->len, on_hit, k);
    return k->rc ? k->rc : rc < 0 ? rc : 0;
}

/* Reads the rest of a stream (so that its hashes cover the whole file). */
static int drain(ev_stream *st, vg_error *err)
{
    char buf[65536];
    long n;
    while ((n = ev_stream_read(st, buf, sizeof buf, err)) > 0)
        ;
    if (n == VG_E_PARSE) { /* a damaged .gz/.zst: the capture's warning said enough */
        vg_error_clear(err);
        return 0;
    }
    return (int)n;
}

int scan__capture(const scan_capture *c, ev_stream *st, const char *path, scan_summary *sum, vg_error *err)
{
    cap_ctx k = {c, NULL, err, 0};
    ev_pcap *p = NULL;
    int rc = ev_pcap_new(on_obs, &k, &p, err);
    if (rc)
        return rc;
    ev_pcap_set_progress(p, c->progress.fn, c->progress.ctx, c->done, c->total);
    rc = ev_pcap_read_stream(p, st, path, err);
    const ev_pcap_stats *s = ev_pcap_get_stats(p);
    sum->packets += s->packets;
    sum->malformed += s->malformed;
    sum->bytes += s->bytes;
    if (!k.rc && (rc == VG_E_PARSE || rc == VG_E_LIMIT || rc == VG_E_UNSUPPORTED)) {
        char msg[2 * VG_ERR_MSG_MAX + VG_ERR_WHERE_MAX];
        vg_log(VG_LOG_WARN, "%s", vg_error_format(err, msg, sizeof msg));
        sum->damaged++;
        vg_error_clear(err);
        rc = drain(st, err);
    }
    ev_pcap_free(p);
    return rc;
}

void scan__capture_seen(scan_agg *a, const ev_pcap_obs *o)
{
    if (a->count == 0)
        a->first_packet = o ? o->packet : 0;
    a->last_packet = o ? o->packet : 0;
    if (!o || !o->has_time)
        return;
    if (!a->has_seen || vg_time_cmp(&o->time, &a->first_seen) < 0)
        a->first_seen = o->time;
    if (!a->has_seen || vg_time_cmp(&o->time, &a->last_seen) > 0)
        a->last_seen = o->time;
    a->has_seen = 1;
}
