/*
 * fuzz_pcap.c - libFuzzer target for the capture reader and packet decoder.
 * The bytes are read three ways:
 *
 *   1. as a capture file by ev_pcap (pcap or pcapng, from memory);
 *   2. as one frame by the decoder directly, the first byte choosing the link
 *      type, whole and as if the snap length had cut it;
 *   3. as a capture file by libpcap (fmemopen + pcap_fopen_offline), each
 *      packet it returns handed to the decoder with libpcap's link type.
 *
 * Nothing may crash, hang, leak or read out of bounds; every observation must
 * be a NUL-terminated value of a known kind with a field. When both readers
 * read the whole file without complaint, they must agree on the number of
 * packets.
 */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "match/idx.h"

static idx *x;

static int on_obs(const ev_pcap_obs *o, void *ctx)
{
    (void)ctx;
    if (o->len == 0 || o->len > 4096 || strlen(o->value) != o->len || !o->field || o->packet == 0)
        abort();
    static const int kinds[EV__COUNT] = {
        [EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL, [EV_IPV4] = IDX_K_IPV4, [EV_IPV6] = IDX_K_IPV6};
    if (o->kind <= 0 || o->kind >= EV__COUNT || !kinds[o->kind])
        abort();
    idx_lookup(x, kinds[o->kind], o->value, o->len, NULL, NULL);
    return 0;
}

static void init(void)
{
    vg_alloc_init();
    vg_error err = {0};
    idx_builder *b = NULL;
    idx_builder_new(&b, &err);
    static const char *const pats[] = {"[domain-name:value = 'evil.com']", "[ipv4-addr:value = '10.0.0.0/8']",
                                       "[ipv6-addr:value = '2001:db8::/32']", "[url:value = 'http://a.b/c']"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
        idx_builder_add_pattern(b, "i", NULL, pats[i], 0, NULL, &err);
    idx_builder_finish(b, &x, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!x)
        init();
    /* a copy without slack, so that reads past the end are caught */
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    vg_error err = {0};

    ev_pcap *p = NULL;
    if (ev_pcap_new(on_obs, NULL, &p, &err))
        abort();
    int ours = ev_pcap_read_buf(p, buf, size, "fuzz", &err);
    uint64_t our_packets = ev_pcap_get_stats(p)->packets;
    ev_pcap_free(p);

    static const int linktypes[8] = {0, 1, 101, 108, 113, 228, 229, 276};
    if (size > 0 && ev_pcap_new(on_obs, NULL, &p, &err) == 0) {
        int lt = linktypes[buf[0] & 7];
        ev_pcap_frame(p, lt, buf + 1, size - 1, size - 1, 1, NULL);
        ev_pcap_frame(p, lt, buf + 1, size - 1, size + 100, 2, NULL);
        ev_pcap_free(p);
    }

    FILE *f = size ? fmemopen(buf, size, "rb") : NULL;
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = f ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, eb) : NULL;
    if (f && !pc)
        fclose(f);
    if (pc && ev_pcap_new(on_obs, NULL, &p, &err) == 0) {
        struct pcap_pkthdr *h;
        const u_char *d;
        int r;
        uint64_t n = 0;
        while ((r = pcap_next_ex(pc, &h, &d)) == 1) {
            vg_time t = vg_time_from_unix((int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec % 1000000000u, 9);
            ev_pcap_frame(p, pcap_datalink(pc), d, h->caplen, h->len, ++n, &t);
        }
        if (r == PCAP_ERROR_BREAK && ours == 0 && n != our_packets) {
            fprintf(stderr, "libpcap read %llu packets, ev_pcap %llu\n", (unsigned long long)n,
                    (unsigned long long)our_packets);
            abort();
        }
        ev_pcap_free(p);
    }
    if (pc)
        pcap_close(pc);
    free(buf);
    return 0;
}
