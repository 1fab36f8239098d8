/*
 * pat_net.c - IPv4 and IPv6 addresses and CIDR ranges for ISSUBSET and
 * ISSUPERSET.
 *
 * A single address is the range of prefix length 32 (or 128), so one subset
 * test serves every combination: address in range, range in range, range
 * containing an address. Host bits set in a range ('192.168.0.1/24') are
 * ignored, as the specification's own examples write ranges that way.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

int pat__net_parse(const char *s, size_t n, pat__net *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash) {
        *slash = '\0';
        const char *d = slash + 1;
        if (!*d || strlen(d) > 3)
            return -1;
        for (const char *q = d; *q; q++)
            if (*q < '0' || *q > '9')
                return -1;
        if (d[0] == '0' && d[1])
            return -1;
        prefix = strtol(d, NULL, 10);
    }
    memset(out, 0, sizeof *out);
    if (strchr(buf, ':')) {
        if (inet_pton(AF_INET6, buf, out->addr) != 1)
            return -1;
        if (prefix > 128)
            return -1;
        out->family = 6;
        out->prefix = (unsigned char)(prefix < 0 ? 128 : prefix);
    } else {
        if (inet_pton(AF_INET, buf, out->addr) != 1)
            return -1;
        if (prefix > 32)
            return -1;
        out->family = 4;
        out->prefix = (unsigned char)(prefix < 0 ? 32 : prefix);
    }
    return 0;
}

int pat__net_subset(const pat__net *a, const pat__net *b)
{
    if (a->family != b->family || a->prefix < b->prefix)
        return 0;
    unsigned bits = b->prefix, full = bits / 8, rest = bits % 8;
    if (memcmp(a->addr, b->addr, full) != 0)
        return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xFF << (8 - rest));
        if ((a->addr[full] & mask) != (b->addr[full] & mask))
            return 0;
    }
    return 1;
}
