/*
 * scan_pcap.c - captures in the scan. A file whose first bytes are a pcap or
 * pcapng magic number (also inside .gz/.zst) is read packet by packet with
 * ev_pcap instead of line by line: each observation (DNS names and
 * addresses, TLS server names, HTTP hosts and URLs, flow endpoints) is looked
 * up in the index and its hits handed back to scan.c, which delivers them
 * like a line's, with the packet number and time.
 *
 * When the index has partial indicators (patterns the evaluator must
 * confirm), a packet plays the part of a line: its hits wait for the end of
 * the packet, and a candidate is confirmed over the values decoded from that
 * packet (joined as one line of text) or dropped. Without partial
 * indicators, hits are delivered at once.
 */
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "core/vg_log.h"
#include "scan/scan_int.h"

/* A hit waiting for the end of its packet. */
typedef struct pend {
    uint32_t indicator; /* the indicator hit */
    int kind;           /* IDX_K_* of the key that matched */
    int candidate;      /* its pattern needs the evaluator */
    int ev_kind;        /* EV_* of the observation */
    const char *field;  /* the observation's field (static) */
    size_t value_off;   /* its value in the pool (NUL-terminated) */
    size_t value_len;   /* its length */
    uint64_t offset;    /* the packet record's offset */
} pend;

/* One capture's read. */
typedef struct cap_ctx {
    const scan_capture *c; /* the pipeline's side */
    const ev_pcap_obs *o;  /* the observation being looked up */
    vg_error *err;         /* where deliver's errors go */
    int rc;                /* deliver's nonzero value: the read stops */
    scan_summary *sum;     /* candidates not confirmed are counted here */
    /* the packet being read, when hits wait for its end (c->conf) */
    uint64_t packet; /* its number, 0 before the first */
    int has_time;    /* its time, when it has one */
    vg_time time;
    vg_buf line;       /* its values, separated by spaces */
    vg_buf pool;       /* the values of its hits */
    pend *hits;        /* its hits */
    size_t nhits, cap; /* in use, allocated */
    ev_text *tall;     /* an extractor wanting every kind, for the evaluator */
    scan_lineobs lo;   /* the packet's observations, built for its first candidate */
} cap_ctx;

static const int ev2idx[EV__COUNT] = {[EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL, [EV_IPV4] = IDX_K_IPV4,
                                      [EV_IPV6] = IDX_K_IPV6};

/* Delivers the waiting hits of the packet, candidates confirmed first; forgets the packet. */
static int flush(cap_ctx *k)
{
    int rc = 0;
    for (size_t i = 0; i < k->nhits && !rc; i++) {
        pend *h = &k->hits[i];
        if (h->candidate) {
            int dup = 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = k->hits[j].indicator == h->indicator && !k->hits[j].candidate;
            if (dup)
                continue; /* once per indicator and packet */
            rc = scan__confirm(k->c->conf, k->tall, &k->lo, (const char *)k->line.data, k->line.len, h->indicator,
                               k->err);
            if (rc < 0)
                break;
            if (rc == 0) {
                k->sum->candidates++;
                continue;
            }
            h->candidate = 0;
        }
        ev_pcap_obs o = {h->ev_kind,  (const char *)k->pool.data + h->value_off, h->value_len, h->field, k->packet,
                         h->offset,   k->has_time,                               k->time};
        idx_hit ih = {h->indicator, h->kind, NULL, 0, -1, h->candidate};
        rc = k->c->deliver(&ih, &o, k->c->ctx, k->err);
    }
    k->nhits = 0;
    vg_buf_reset(&k->line);
    vg_buf_reset(&k->pool);
    scan__lineobs_reset(&k->lo);
    return rc;
}

static int on_hit(const idx_hit *h, void *p)
{
    cap_ctx *k = p;
    if (!k->c->conf) {
        k->rc = k->c->deliver(h, k->o, k->c->ctx, k->err);
        return k->rc;
    }
    if (k->nhits == k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 16;
        pend *n = vg_realloc(k->hits, nc * sizeof *n);
        if (!n)
            return k->rc = vg_error_set(k->err, VG_E_NOMEM, "out of memory recording hits");
        k->hits = n;
        k->cap = nc;
    }
    pend r = {h->indicator, h->kind, h->candidate, k->o->kind, k->o->field, k->pool.len, k->o->len, k->o->offset};
    if (vg_buf_append(&k->pool, k->o->value, k->o->len + 1))
        return k->rc = vg_error_set(k->err, VG_E_NOMEM, "out of memory recording hits");
    k->hits[k->nhits++] = r;
    return 0;
}

static int on_obs(const ev_pcap_obs *o, void *p)
{
    cap_ctx *k = p;
    if (o->kind <= 0 || o->kind >= EV__COUNT || !ev2idx[o->kind])
        return 0;
    if (k->c->conf) {
        if (o->packet != k->packet && (k->rc = flush(k)) != 0)
            return k->rc;
        k->packet = o->packet;
        k->has_time = o->has_time;
        k->time = o->time;
        if ((k->line.len && vg_buf_putc(&k->line, ' ')) || vg_buf_append(&k->line, o->value, o->len))
            return k->rc = vg_error_set(k->err, VG_E_NOMEM, "out of memory reading a capture");
    }
    k->o = o;
    int rc = idx_lookup(k->c->x, ev2idx[o->kind], o->value, o->len, on_hit, k);
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
    cap_ctx k = {0};
    k.c = c;
    k.err = err;
    k.sum = sum;
    vg_buf_init(&k.line, 0);
    vg_buf_init(&k.pool, 0);
    ev_pcap *p = NULL;
    int rc = c->conf ? ev_text_new(EV_WANT_NET | EV_WANT_HASH | EV_WANT_WALLET | EV_WANT_NAMES, &k.tall, err) : 0;
    if (!rc)
        rc = ev_pcap_new(on_obs, &k, &p, err);
    if (!rc) {
        ev_pcap_set_progress(p, c->progress.fn, c->progress.ctx, c->done, c->total);
        rc = ev_pcap_read_stream(p, st, path, err);
        const ev_pcap_stats *s = ev_pcap_get_stats(p);
        sum->packets += s->packets;
        sum->malformed += s->malformed;
        sum->bytes += s->bytes;
    }
    if (!k.rc && (rc == VG_E_PARSE || rc == VG_E_LIMIT || rc == VG_E_UNSUPPORTED)) {
        char msg[2 * VG_ERR_MSG_MAX + VG_ERR_WHERE_MAX];
        vg_log(VG_LOG_WARN, "%s", vg_error_format(err, msg, sizeof msg));
        sum->damaged++;
        vg_error_clear(err);
        rc = 0;
        if (!(rc = flush(&k)))
            rc = drain(st, err);
    } else if (!rc) {
        rc = flush(&k);
    }
    ev_pcap_free(p);
    ev_text_free(k.tall);
    scan__lineobs_reset(&k.lo);
    vg_free(k.hits);
    vg_buf_free(&k.line);
    vg_buf_free(&k.pool);
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
