/*
 * ev_pcap_int.h - private parts of the capture reader shared by its two
 * files: ev_pcap.c reads the file formats (pcap, pcapng) and hands each
 * frame to ev_packet.c, which decodes it (link, IP, UDP/TCP, DNS, TLS, HTTP)
 * and keeps the flow table.
 */
#ifndef EV_PCAP_INT_H
#define EV_PCAP_INT_H

#include "core/vg_log.h"
#include "evidence/ev.h"

/* Ceilings. */
#define EV_PCAP_MAX_RECORD ((size_t)16 << 20) /* a pcap record or pcapng block */
#define EV_PCAP_MAX_IFACES 4096               /* interfaces in one pcapng section */
#define EV_PCAP_FLOW_SETS 16384               /* flow table at most: sets of EV_PCAP_FLOW_WAYS flows */
#define EV_PCAP_FLOW_SETS0 64                 /* ... and at first (it grows while it is 3/4 full) */
#define EV_PCAP_FLOW_WAYS 4
#define EV_PCAP_REASM_MAX (16384 + 5) /* bytes reassembled per flow: one full TLS record */
#define EV_PCAP_REASM_LIVE 1024       /* flows reassembling at once */
#define EV_PCAP_VALUE_MAX 4096        /* longest value delivered (URLs) */

/* A message being put back together from TCP segments of one direction of a flow. */
typedef struct ev_reasm {
    uint8_t dir;   /* which side sends it: 0 the flow's a side, 1 its b side */
    uint8_t what;  /* R_TLS or R_DNS (ev_packet.c) */
    uint32_t next; /* the TCP sequence number expected next */
    size_t need;   /* bytes that complete the message (at most EV_PCAP_REASM_MAX) */
    size_t len;    /* bytes held */
    uint8_t buf[]; /* `need` bytes */
} ev_reasm;

/* One flow: a conversation between two endpoints over one IP protocol, both directions. */
typedef struct ev_flow {
    uint8_t a[16], b[16]; /* the two addresses (IPv4 in the first 4 bytes); a is the lower endpoint */
    uint16_t pa, pb;      /* their ports (0 for protocols without ports) */
    uint8_t proto;        /* IP protocol number */
    uint8_t af;           /* 4 or 6; 0 marks a free slot */
    uint32_t used;        /* packet tick of its last packet: the least recently used of a set is evicted */
    ev_reasm *rs;         /* a message being reassembled, or NULL */
} ev_flow;

struct ev_pcap {
    ev_pcap_fn fn;           /* where observations go */
    void *ctx;               /* for fn */
    ev_pcap_stats st;        /* counters */
    ev_flow *flows;          /* sets * EV_PCAP_FLOW_WAYS slots, allocated at the first flow */
    size_t sets;             /* sets in flows (a power of two, at most EV_PCAP_FLOW_SETS) */
    size_t used;             /* slots holding a flow */
    size_t live;             /* reassembly buffers held */
    uint32_t tick;           /* packets decoded (wraps; only compared within a set) */
    ev_pcap_obs cur;         /* the packet being decoded: number, offset, time */
    int bad;                 /* the packet was found malformed */
    int cut;                 /* the packet was cut by the snap length: running short is not malformed */
    int stop;                /* fn's nonzero return, or VG_E_NOMEM: decoding stops */
    vg_progress progress;    /* progress of a stream read (bytes of the raw file) */
    uint64_t progress_base;  /* added to the bytes read */
    uint64_t progress_total; /* the total given to progress */
    char val[EV_PCAP_VALUE_MAX + 64]; /* the value being delivered */
};

/* Decodes one frame (ev_packet.c); p->cur.offset is set by the caller. Returns 0 or p->stop. */
int ev__pcap_frame(ev_pcap *p, int linktype, const uint8_t *d, size_t caplen, size_t wire, uint64_t packet,
                   const vg_time *t);

/* Frees the flow table's reassembly buffers (ev_packet.c); the flows stay. */
void ev__pcap_flows_clear(ev_pcap *p);

#endif
