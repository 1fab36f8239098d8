/*
 * intel_sample.c - writes the realistic, deterministic sample bundle.
 *
 * The sample is a fictional national CERT's holdings (see intel_sample.h).
 * Its curated part comes from the tables below: who is who, which malware
 * uses which technique, which indicator points at which family. Hashes and
 * wallets in the indicator templates (%MD5%, %SHA256%, %BTC%...) and every id
 * and timestamp come from a seeded PRNG, so a seed is a whole sample.
 *
 * Writing is a small JSON emitter over one vg_buf: an object is built, written
 * with one fwrite and the buffer reused, so memory does not grow with the
 * number of objects. Each object is one line of the bundle's "objects" array.
 *
 * Two PRNG streams are used: one for the curated part and one for the
 * generated indicators, so the curated part is the same bytes whatever the
 * number of generated indicators.
 */
#include "intel/intel_sample.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "core/vg_time.h"
#include "core/vg_uuid.h"

/* ---- the PRNG: xoshiro256** seeded by splitmix64 -------------------------- */

typedef struct rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A number in [0, n), n > 0. The modulo bias (< n / 2^64) does not matter here. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* ---- the emitter ---------------------------------------------------------- */

#define MAX_DEPTH 8

typedef struct gen {
    FILE *out;               /* where the bundle goes */
    vg_buf b;                /* the object being built */
    rng r;                   /* the current PRNG stream */
    int64_t now_ms;          /* the sample's "now", milliseconds since the epoch */
    int depth;               /* open containers in the current object */
    unsigned n[MAX_DEPTH];   /* members written so far, per open container */
    int rc;                  /* first buffer error, sticky: checked when an object is written */
    int first;               /* no object written yet */
    intel_sample_counts cnt; /* what was written */
} gen;

static void emit(gen *g, const char *s, size_t len)
{
    if (!g->rc)
        g->rc = vg_buf_append(&g->b, s, len);
}

static void emit_s(gen *g, const char *s)
{
    emit(g, s, strlen(s));
}

/* Appends s as a JSON string literal. Runs of characters that need no escape
 * (nearly all of them here) are copied with one append each. */
static void emit_json(gen *g, const char *s)
{
    emit(g, "\"", 1);
    while (*s) {
        size_t n = 0;
        while (s[n] && (unsigned char)s[n] >= 0x20 && s[n] != '"' && s[n] != '\\')
            n++;
        emit(g, s, n);
        s += n;
        if (!*s)
            break;
        char esc[8];
        unsigned char c = (unsigned char)*s++;
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        emit_s(g, esc);
    }
    emit(g, "\"", 1);
}

/* Separates a member from the previous one of the same container. */
static void sep(gen *g)
{
    if (g->n[g->depth]++ > 0)
        emit(g, ",", 1);
}

static void key(gen *g, const char *k)
{
    sep(g);
    emit_json(g, k);
    emit(g, ":", 1);
}

static void open_c(gen *g, const char *k, char c)
{
    if (k)
        key(g, k);
    else if (g->depth > 0)
        sep(g);
    emit(g, &c, 1);
    g->depth++;
    g->n[g->depth] = 0;
}

static void close_c(gen *g, char c)
{
    emit(g, &c, 1);
    g->depth--;
}

static void obj_open(gen *g, const char *k)
{
    open_c(g, k, '{');
}
static void obj_close(gen *g)
{
    close_c(g, '}');
}
static void arr_open(gen *g, const char *k)
{
    open_c(g, k, '[');
}
static void arr_close(gen *g)
{
    close_c(g, ']');
}

static void put_str(gen *g, const char *k, const char *v)
{
    key(g, k);
    emit_json(g, v);
}

static void put_int(gen *g, const char *k, long long v)
{
    char num[32];
    int len = snprintf(num, sizeof num, "%lld", v);
    key(g, k);
    emit(g, num, (size_t)len);
}

static void put_bool(gen *g, const char *k, int v)
{
    key(g, k);
    emit_s(g, v ? "true" : "false");
}

static void arr_str(gen *g, const char *v)
{
    sep(g);
    emit_json(g, v);
}

/* "k": [v...] from a NULL-terminated list (nothing when the list is empty). */
static void put_strs(gen *g, const char *k, const char *const *v)
{
    if (!v || !v[0])
        return;
    arr_open(g, k);
    for (; *v; v++)
        arr_str(g, *v);
    arr_close(g);
}

static void fmt_ms(int64_t ms, char out[VG_TIME_MAX])
{
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    vg_time t = vg_time_from_unix(sec, (uint32_t)(ms - sec * 1000) * 1000000u, 3);
    vg_time_format_digits(&t, 3, out);
}

static void put_time(gen *g, const char *k, int64_t ms)
{
    char ts[VG_TIME_MAX];
    fmt_ms(ms, ts);
    put_str(g, k, ts);
}

/* Writes the finished object as one line of the bundle and empties the buffer. */
static int flush_object(gen *g, const char *type, vg_error *err)
{
    if (g->rc)
        return vg_error_set(err, g->rc, "building a sample object failed: %s", vg_strerror(g->rc));
    if (fputs(g->first ? "\n" : ",\n", g->out) == EOF || fwrite(g->b.data, 1, g->b.len, g->out) != g->b.len)
        return vg_error_set(err, VG_E_IO, "writing the sample bundle failed: %s", strerror(errno));
    g->first = 0;
    vg_buf_reset(&g->b);
    g->cnt.objects++;
    if (strcmp(type, "indicator") == 0)
        g->cnt.indicators++;
    else if (strcmp(type, "relationship") == 0)
        g->cnt.relationships++;
    return 0;
}

/* ---- ids, times and values ---------------------------------------------- */

#define ID_MAX 96 /* "type--uuid" for every type used here */

/* A version-4 UUID id of the given type from the PRNG. */
static void new_id(gen *g, const char *type, char out[ID_MAX])
{
    uint64_t hi = rng_next(&g->r), lo = rng_next(&g->r);
    hi = (hi & ~(uint64_t)0xf000) | 0x4000;                           /* version 4 */
    lo = (lo & ~((uint64_t)0xc000 << 48)) | ((uint64_t)0x8000 << 48); /* RFC 4122 variant */
    snprintf(out, ID_MAX, "%s--%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, type,
             hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t)0xffffffffffffULL);
}

#define DAY_MS (86400LL * 1000)

/* A time between lo_days and hi_days days before now (either order), with random milliseconds. */
static int64_t days_ago(gen *g, int lo_days, int hi_days)
{
    if (lo_days > hi_days) {
        int t = lo_days;
        lo_days = hi_days;
        hi_days = t;
    }
    int64_t span = (int64_t)(hi_days - lo_days) * DAY_MS;
    return g->now_ms - (int64_t)lo_days * DAY_MS - (int64_t)rng_below(&g->r, (uint64_t)span + 1);
}

static void rand_hex(gen *g, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        out[i] = hex[rng_below(&g->r, 16)];
    out[n] = '\0';
}

/* A well-formed bech32 (BIP 173) P2WPKH address "bc1q..." with a random program. */
static void rand_btc(gen *g, char out[64])
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    static const uint32_t gen_poly[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint8_t v[5 + 33 + 6];
    size_t n = 0;
    v[n++] = 'b' >> 5; /* the human-readable part "bc", expanded */
    v[n++] = 'c' >> 5;
    v[n++] = 0;
    v[n++] = 'b' & 31;
    v[n++] = 'c' & 31;
    size_t data = n;
    v[n++] = 0; /* witness version 0 */
    uint64_t a = rng_next(&g->r), b = rng_next(&g->r), c = rng_next(&g->r);
    for (int i = 0; i < 32; i++) { /* 160 random bits in 5-bit groups */
        uint64_t w = i < 12 ? a >> (5 * i) : i < 24 ? b >> (5 * (i - 12)) : c >> (5 * (i - 24));
        v[n++] = (uint8_t)(w & 31);
    }
    size_t body = n;
    for (int i = 0; i < 6; i++)
        v[n++] = 0;
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int j = 0; j < 5; j++)
            if ((top >> j) & 1)
                chk ^= gen_poly[j];
    }
    chk ^= 1;
    size_t o = 0;
    out[o++] = 'b';
    out[o++] = 'c';
    out[o++] = '1';
    for (size_t i = data; i < body; i++)
        out[o++] = charset[v[i]];
    for (int i = 0; i < 6; i++)
        out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
    out[o] = '\0';
}

/* ---- the curated world ----------------------------------------------------- */

/* TLP 2.0 marking definitions, as published with the OASIS TLP 2.0 extension. */
#define TLP_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
enum { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED, NTLP };
static const struct {
    const char *id, *name, *value;
} tlp[NTLP] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict"},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"},
};

typedef struct victim {
    const char *name;
    const char *sectors[3];
    const char *description;
} victim;

enum { V_GRID, V_HOSPITAL, V_ELECTION, V_NEWS, V_BANK, NVICTIM };
static const victim victims[NVICTIM] = {
    {"Northwind Grid Operator",
     {"energy", "utilities", NULL},
     "Transmission system operator of the northern region (critical infrastructure)."},
    {"Harbor City General Hospital", {"healthcare", NULL}, "Regional hospital, 900 beds."},
    {"National Election Commission",
     {"government-national", NULL},
     "Runs national elections and the voter register."},
    {"Riverside Daily", {"communications", NULL}, "Independent newspaper and news site."},
    {"Meridian Savings Bank", {"financial-services", NULL}, "Retail bank with 1.2 million customers."},
};

typedef struct actor {
    const char *name;
    const char *types[3];
    const char *aliases[3];
    const char *sophistication;
    const char *resource_level;
    const char *motivation;
    const char *goals[3];
    const char *description;
} actor;

enum { TA_HERON, TA_WOLF, NACTOR };
static const actor actors[NACTOR] = {
    {"Ember Heron operators",
     {"nation-state", "spy", NULL},
     {"Heron Group", NULL},
     "expert",
     "government",
     "organizational-gain",
     {"surveil journalists, election officials and opposition figures", NULL},
     "State-aligned operators who buy commercial spyware and run it against their own critics abroad."},
    {"Paper Wolf",
     {"crime-syndicate", "criminal", NULL},
     {"PW Syndicate", NULL},
     "advanced",
     "organization",
     "personal-gain",
     {"extort hospitals, banks and utilities", NULL},
     "Financially motivated syndicate that runs a ransomware-as-a-service programme."},
};

typedef struct intrusion_set {
    const char *name;
    const char *aliases[3];
    const char *resource_level;
    const char *motivation;
    const char *goals[3];
    int actor;      /* attributed-to: index in actors[] */
    int malware[3]; /* uses: indexes in families[], -1 ends */
    int targets[4]; /* targets: indexes in victims[], -1 ends */
    const char *description;
} intrusion_set;

enum { IS_HERON, IS_LYNX, NSET };
enum { M_NIGHTJAR, M_SALTMARSH, M_ASHFALL, M_MAGPIE, NFAMILY };
static const intrusion_set sets[NSET] = {
    {"Ember Heron",
     {"EH-17", "Quiet Heron", NULL},
     "government",
     "organizational-gain",
     {"collect communications of election officials and reporters", NULL},
     TA_HERON,
     {M_NIGHTJAR, M_ASHFALL, -1},
     {V_ELECTION, V_NEWS, V_GRID, -1},
     "Espionage intrusion set active since 2023; delivers Nightjar spyware through one-click SMS links "
     "and zero-click exploit chains, and has deployed the Ashfall wiper against energy operators."},
    {"Glass Lynx",
     {"GL-4", NULL},
     "organization",
     "personal-gain",
     {"ransom payments", NULL},
     TA_WOLF,
     {M_SALTMARSH, M_MAGPIE, -1},
     {V_HOSPITAL, V_BANK, -1},
     "Ransomware affiliate of Paper Wolf: initial access through exploited VPN gateways and Magpie-stolen "
     "credentials, then Saltmarsh ransomware with data-leak extortion."},
};

typedef struct family {
    const char *name;
    const char *types[3];
    const char *aliases[2];
    const char *labels[3];
    const char *capabilities[4];
    const char *languages[3];
    const char *archs[3];
    int uses[5]; /* attack patterns: indexes in techniques[], -1 ends */
    int tlp;     /* marking of the indicators of this family */
    const char *description;
} family;

enum { T_SPEAR, T_EXPLOIT, T_MALFILE, T_WEB, T_CREDS, T_ENCRYPT, T_DESTROY, T_LOCATION, T_AUDIO, NTECH };
static const family families[NFAMILY] = {
    {"Nightjar",
     {"spyware", "remote-access-trojan", NULL},
     {"NJ-Mobile", NULL},
     {"mercenary-spyware", "mobile", NULL},
     {"captures-input-peripherals", "captures-system-state-data", "exfiltrates-data", NULL},
     {"objective-c", "java", NULL},
     {"arm", NULL},
     {T_LOCATION, T_AUDIO, T_WEB, -1},
     TLP_AMBER,
     "Commercial ('mercenary') spyware for iOS and Android sold to governments. Installed through one-click "
     "SMS links and zero-click exploit chains; reads messages, records audio and tracks location."},
    {"Saltmarsh",
     {"ransomware", NULL},
     {NULL},
     {"ransomware-as-a-service", NULL},
     {"compromises-data-availability", "exfiltrates-data", "evades-av", NULL},
     {"go", NULL},
     {"x86-64", NULL},
     {T_ENCRYPT, T_EXPLOIT, T_MALFILE, -1},
     TLP_GREEN,
     "Ransomware sold as a service; encrypts Windows and ESXi hosts and leaks stolen data on a shame site."},
    {"Ashfall",
     {"wiper", NULL},
     {NULL},
     {"destructive", NULL},
     {"compromises-data-integrity", "compromises-system-availability", "cleans-traces-of-infection", NULL},
     {"c", NULL},
     {"x86", "x86-64", NULL},
     {T_DESTROY, -1},
     TLP_AMBER,
     "Wiper that overwrites the master boot record and files through a signed raw-disk driver."},
    {"Magpie",
     {"spyware", "keylogger", NULL},
     {NULL},
     {"infostealer", "crypto-theft", NULL},
     {"steals-authentication-credentials", "captures-input-peripherals", "exfiltrates-data", NULL},
     {"c++", NULL},
     {"x86-64", NULL},
     {T_CREDS, T_SPEAR, T_MALFILE, T_WEB, -1},
     TLP_GREEN,
     "Infostealer sold on criminal forums: browser passwords, session cookies and cryptocurrency wallets; "
     "replaces wallet addresses in the clipboard."},
};

typedef struct technique {
    const char *attack_id; /* ATT&CK technique id */
    const char *name;
    const char *kill_chain; /* "mitre-attack" or "mitre-mobile-attack" */
    const char *tactic;
    const char *path; /* the technique's page below https://attack.mitre.org/techniques/ */
} technique;

static const technique techniques[NTECH] = {
    {"T1566.001", "Phishing: Spearphishing Attachment", "mitre-attack", "initial-access", "T1566/001"},
    {"T1190", "Exploit Public-Facing Application", "mitre-attack", "initial-access", "T1190"},
    {"T1204.002", "User Execution: Malicious File", "mitre-attack", "execution", "T1204/002"},
    {"T1071.001", "Application Layer Protocol: Web Protocols", "mitre-attack", "command-and-control",
     "T1071/001"},
    {"T1555", "Credentials from Password Stores", "mitre-attack", "credential-access", "T1555"},
    {"T1486", "Data Encrypted for Impact", "mitre-attack", "impact", "T1486"},
    {"T1485", "Data Destruction", "mitre-attack", "impact", "T1485"},
    {"T1430", "Location Tracking", "mitre-mobile-attack", "collection", "T1430"},
    {"T1429", "Audio Capture", "mitre-mobile-attack", "collection", "T1429"},
};

typedef struct mitigation {
    const char *attack_id; /* ATT&CK mitigation id, NULL for the CERT's own advice */
    const char *name;
    int mitigates[3]; /* indexes in techniques[], -1 ends */
    const char *description;
} mitigation;

#define NCOA 6
static const mitigation coas[NCOA] = {
    {"M1017",
     "User Training",
     {T_SPEAR, T_MALFILE, -1},
     "Train staff to report unexpected attachments and links, including SMS links."},
    {"M1053",
     "Data Backup",
     {T_ENCRYPT, T_DESTROY, -1},
     "Keep offline, tested backups of critical systems; rehearse restoring them."},
    {"M1051",
     "Update Software",
     {T_EXPLOIT, -1},
     "Patch internet-facing gateways within 48 hours of an advisory."},
    {"M1027",
     "Password Policies",
     {T_CREDS, -1},
     "Use a password manager instead of browser-stored passwords; enforce phishing-resistant MFA."},
    {"M1031",
     "Network Intrusion Prevention",
     {T_WEB, -1},
     "Block the command-and-control indicators of this report at the network edge."},
    {NULL,
     "Harden the phones of at-risk people",
     {T_LOCATION, T_AUDIO, -1},
     "Keep phones updated, enable the vendor's lockdown mode for journalists and election officials, "
     "reboot daily and have suspicious phones checked by the CERT."},
};

/* A curated indicator. %MD5% %SHA1% %SHA256% %BTC% %ETH% in the pattern are
 * replaced by random values of the right form. */
typedef struct curated {
    int family; /* indicates: index in families[] */
    const char *name;
    const char *pattern;
    const char *type;   /* indicator_types[0] */
    const char *tactic; /* kill chain phase (mitre-attack) */
    int confidence;
    int valid_days; /* valid_until = valid_from + this many days; 0 = none */
} curated;

static const curated indicators[] = {
    /* Nightjar (commercial spyware) */
    {M_NIGHTJAR, "Nightjar exploit delivery domain", "[domain-name:value = 'icloud-sync-check.example']",
     "malicious-activity", "initial-access", 90, 0},
    {M_NIGHTJAR, "Nightjar SMS lure domain", "[domain-name:value = 'cdn.parcel-notice.test']",
     "malicious-activity", "initial-access", 85, 0},
    {M_NIGHTJAR, "Nightjar one-click SMS link", "[url:value = 'https://sms.parcel-notice.test/t/8f3a2c91']",
     "malicious-activity", "initial-access", 85, 0},
    {M_NIGHTJAR, "Nightjar C2 server (IPv6)", "[ipv6-addr:value = '2001:db8:4e1::25']", "malicious-activity",
     "command-and-control", 80, 180},
    {M_NIGHTJAR, "Nightjar C2 server", "[ipv4-addr:value = '203.0.113.77']", "malicious-activity",
     "command-and-control", 80, 180},
    {M_NIGHTJAR, "Nightjar Android package", "[app:id = 'com.example.systemupdate']", "malicious-activity",
     "persistence", 95, 0},
    /* process:name as the mobile feeds (MVT) write it; the Windows families use image_ref.name */
    {M_NIGHTJAR, "Nightjar iOS process", "[process:name = 'corelogd']", "malicious-activity", "execution", 90,
     0},
    {M_NIGHTJAR, "Nightjar implant library", "[file:name = 'libsysupdate.so']", "malicious-activity",
     "execution", 75, 0},
    {M_NIGHTJAR, "Nightjar Android implant", "[file:hashes.'SHA-256' = '%SHA256%']", "malicious-activity",
     "execution", 95, 0},
    {M_NIGHTJAR, "Nightjar phishing sender", "[email-addr:value = 'appleid-security@account-alerts.example']",
     "malicious-activity", "initial-access", 70, 0},
    {M_NIGHTJAR, "Nightjar relay infrastructure",
     "[domain-name:value = 'push.nightjar-relay.invalid'] OR [ipv6-addr:value = '2001:db8:4e1::/48']",
     "malicious-activity", "command-and-control", 75, 365},
    /* Saltmarsh (ransomware) */
    {M_SALTMARSH, "Saltmarsh encryptor (MD5)", "[file:hashes.MD5 = '%MD5%']", "malicious-activity", "impact",
     95, 0},
    {M_SALTMARSH, "Saltmarsh encryptor (SHA-1)", "[file:hashes.'SHA-1' = '%SHA1%']", "malicious-activity",
     "impact", 95, 0},
    {M_SALTMARSH, "Saltmarsh ESXi encryptor", "[file:hashes.'SHA-256' = '%SHA256%']", "malicious-activity",
     "impact", 95, 0},
    {M_SALTMARSH, "Saltmarsh staging server", "[ipv4-addr:value = '198.51.100.23']", "malicious-activity",
     "command-and-control", 85, 90},
    {M_SALTMARSH, "Saltmarsh affiliate hosting range", "[ipv4-addr:value = '198.51.100.64/26']",
     "anomalous-activity", "command-and-control", 60, 90},
    {M_SALTMARSH, "Saltmarsh loader download", "[url:value = 'http://198.51.100.23/dl/loader.bin']",
     "malicious-activity", "execution", 85, 90},
    {M_SALTMARSH, "Saltmarsh ransom note", "[file:name = 'RESTORE-FILES.txt']", "malicious-activity",
     "impact", 90, 0},
    {M_SALTMARSH, "Saltmarsh service process", "[process:image_ref.name = 'smsvc.exe']", "malicious-activity",
     "execution", 80, 0},
    {M_SALTMARSH, "Saltmarsh ransom wallet", "[cryptocurrency-wallet:value = '%BTC%']", "malicious-activity",
     "impact", 90, 0},
    {M_SALTMARSH, "Saltmarsh service binary",
     "[file:name = 'smsvc.exe' AND file:hashes.'SHA-256' = '%SHA256%']", "malicious-activity", "execution",
     95, 0},
    {M_SALTMARSH, "Saltmarsh C2 beacon",
     "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.146' AND "
     "network-traffic:dst_port = 8443]",
     "malicious-activity", "command-and-control", 80, 120},
    {M_SALTMARSH, "Saltmarsh leak site", "[domain-name:value = 'saltmarsh-leaks.example']", "attribution",
     "exfiltration", 90, 0},
    /* Ashfall (wiper) */
    {M_ASHFALL, "Ashfall dropper", "[file:hashes.'SHA-256' = '%SHA256%']", "malicious-activity", "impact", 95,
     0},
    {M_ASHFALL, "Ashfall dropper (MD5)", "[file:hashes.MD5 = '%MD5%']", "malicious-activity", "impact", 90,
     0},
    {M_ASHFALL, "Ashfall raw-disk driver", "[file:name = 'ashfall.sys']", "malicious-activity", "impact", 85,
     0},
    {M_ASHFALL, "Ashfall driver service",
     "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\AshDrv']",
     "malicious-activity", "persistence", 85, 0},
    {M_ASHFALL, "Ashfall shadow-copy deletion then driver drop",
     "[process:image_ref.name = 'vssadmin.exe' AND process:command_line = 'vssadmin delete shadows /all "
     "/quiet'] "
     "FOLLOWEDBY [file:name = 'ashfall.sys'] WITHIN 600 SECONDS",
     "anomalous-activity", "impact", 70, 0},
    /* Magpie (infostealer) */
    {M_MAGPIE, "Magpie exfiltration domain", "[domain-name:value = 'wallet-backup.example.com']",
     "malicious-activity", "exfiltration", 85, 0},
    {M_MAGPIE, "Magpie configuration paste", "[url:value = 'https://paste.example.org/raw/mgp7Qx2']",
     "malicious-activity", "command-and-control", 80, 60},
    {M_MAGPIE, "Magpie panel", "[ipv4-addr:value = '192.0.2.10']", "malicious-activity",
     "command-and-control", 80, 120},
    {M_MAGPIE, "Magpie invoice lure sender", "[email-addr:value = 'invoice@billing-notice.example.net']",
     "malicious-activity", "initial-access", 75, 0},
    {M_MAGPIE, "Magpie builder output (SHA-1)", "[file:hashes.'SHA-1' = '%SHA1%']", "malicious-activity",
     "execution", 90, 0},
    {M_MAGPIE, "Magpie stealer", "[file:hashes.'SHA-256' = '%SHA256%']", "malicious-activity", "execution",
     95, 0},
    {M_MAGPIE, "Magpie shortcut lure", "[file:name = 'Invoice_2026-01.pdf.lnk']", "malicious-activity",
     "initial-access", 80, 0},
    {M_MAGPIE, "Magpie clipper wallet (Ethereum)", "[cryptocurrency-wallet:value = '0x%ETH%']",
     "malicious-activity", "impact", 90, 0},
    {M_MAGPIE, "Magpie clipper wallet (Bitcoin)", "[cryptocurrency-wallet:value = '%BTC%']",
     "malicious-activity", "impact", 90, 0},
    {M_MAGPIE, "Magpie fake wallet app", "[app:id = 'com.example.cryptoguard']", "malicious-activity",
     "initial-access", 85, 0},
    {M_MAGPIE, "Magpie updater process", "[process:image_ref.name = 'magpie_upd.exe']", "malicious-activity",
     "execution", 80, 0},
};

#define NCURATED (sizeof indicators / sizeof indicators[0])

/* Which curated indicators the report and the sighting are about. */
#define IND_SIGHTED 0  /* the Nightjar delivery domain */
#define IND_REVOKED 14 /* the Saltmarsh staging server: taken down, revoked in version 2 */

/* The ids and times of the curated world, drawn once at the start. */
typedef struct world {
    char cert[ID_MAX];
    char statement[ID_MAX];
    char victim[NVICTIM][ID_MAX];
    char actor[NACTOR][ID_MAX];
    char set[NSET][ID_MAX];
    char family[NFAMILY][ID_MAX];
    char tech[NTECH][ID_MAX];
    char coa[NCOA][ID_MAX];
    char vuln[ID_MAX];
    char campaign[ID_MAX];
    char indicator[NCURATED][ID_MAX];
    int64_t indicator_created[NCURATED];
    char observed[ID_MAX];
    char sighting[ID_MAX];
    char report[ID_MAX];
    char sco_domain[ID_MAX];
    char sco_ip[ID_MAX];
    int64_t t_context;  /* when the CERT first recorded the context objects */
    int64_t t_campaign; /* the campaign's creation */
    int64_t t_family[NFAMILY];
} world;

/* ---- object writers -------------------------------------------------------- */

/* Opens an object with the common properties of an SDO or SRO created by the CERT. */
static void begin_sdo(gen *g, const world *w, const char *type, const char *id, int64_t created,
                      int64_t modified)
{
    obj_open(g, NULL);
    put_str(g, "type", type);
    put_str(g, "spec_version", "2.1");
    put_str(g, "id", id);
    if (w && strcmp(id, w->cert) != 0)
        put_str(g, "created_by_ref", w->cert);
    put_time(g, "created", created);
    put_time(g, "modified", modified);
}

/* Closes an object with its markings (a TLP and, when given, a second marking). */
static int end_sdo(gen *g, int tlp_level, const char *also, const char *type, vg_error *err)
{
    if (tlp_level >= 0) {
        arr_open(g, "object_marking_refs");
        arr_str(g, tlp[tlp_level].id);
        if (also)
            arr_str(g, also);
        arr_close(g);
    }
    obj_close(g);
    return flush_object(g, type, err);
}

static void put_kill_chain(gen *g, const char *chain, const char *phase)
{
    arr_open(g, "kill_chain_phases");
    obj_open(g, NULL);
    put_str(g, "kill_chain_name", chain);
    put_str(g, "phase_name", phase);
    obj_close(g);
    arr_close(g);
}

static int write_relationship(gen *g, const world *w, const char *rtype, const char *src, const char *dst,
                              int64_t created, int tlp_level, vg_error *err)
{
    char id[ID_MAX];
    new_id(g, "relationship", id);
    begin_sdo(g, w, "relationship", id, created, created);
    put_str(g, "relationship_type", rtype);
    put_str(g, "source_ref", src);
    put_str(g, "target_ref", dst);
    return end_sdo(g, tlp_level, NULL, "relationship", err);
}

static int write_markings(gen *g, const world *w, vg_error *err)
{
    int rc;
    for (int i = 0; i < NTLP; i++) {
        obj_open(g, NULL);
        put_str(g, "type", "marking-definition");
        put_str(g, "spec_version", "2.1");
        put_str(g, "id", tlp[i].id);
        put_str(g, "created", "2022-10-01T00:00:00.000Z");
        put_str(g, "name", tlp[i].name);
        obj_open(g, "extensions");
        obj_open(g, TLP_EXT);
        put_str(g, "extension_type", "property-extension");
        put_str(g, "tlp_2_0", tlp[i].value);
        obj_close(g);
        obj_close(g);
        obj_close(g);
        if ((rc = flush_object(g, "marking-definition", err)))
            return rc;
    }
    obj_open(g, NULL);
    put_str(g, "type", "marking-definition");
    put_str(g, "spec_version", "2.1");
    put_str(g, "id", w->statement);
    put_str(g, "created_by_ref", w->cert);
    put_time(g, "created", w->t_context);
    put_str(g, "name", "Example National CERT terms of use");
    put_str(g, "definition_type", "statement");
    obj_open(g, "definition");
    put_str(
        g, "statement",
        "Copyright 2026 Example National CERT. Share under the TLP marking; do not publish victim names.");
    obj_close(g);
    obj_close(g);
    return flush_object(g, "marking-definition", err);
}

static int write_identities(gen *g, const world *w, vg_error *err)
{
    int rc;
    begin_sdo(g, NULL, "identity", w->cert, w->t_context, w->t_context);
    put_str(g, "name", "Example National CERT");
    put_str(g, "description", "National computer emergency response team (fictional; vigil sample data).");
    static const char *const roles[] = {"cert", "producer", NULL};
    put_strs(g, "roles", roles);
    put_str(g, "identity_class", "organization");
    static const char *const sectors[] = {"government-national", NULL};
    put_strs(g, "sectors", sectors);
    put_str(g, "contact_information", "cert@cert.example, +1 555 0100");
    if ((rc = end_sdo(g, TLP_CLEAR, NULL, "identity", err)))
        return rc;
    for (int i = 0; i < NVICTIM; i++) {
        int64_t t = w->t_context + (i + 1) * 3600000LL;
        begin_sdo(g, w, "identity", w->victim[i], t, t);
        put_str(g, "name", victims[i].name);
        put_str(g, "description", victims[i].description);
        static const char *const vroles[] = {"victim", NULL};
        put_strs(g, "roles", vroles);
        put_str(g, "identity_class", "organization");
        put_strs(g, "sectors", victims[i].sectors);
        if ((rc = end_sdo(g, TLP_AMBER_STRICT, NULL, "identity", err)))
            return rc;
    }
    return 0;
}

static int write_actors(gen *g, const world *w, vg_error *err)
{
    int rc;
    for (int i = 0; i < NACTOR; i++) {
        const actor *a = &actors[i];
        int64_t t = w->t_context + 86400000LL * (i + 1);
        begin_sdo(g, w, "threat-actor", w->actor[i], t, t);
        put_str(g, "name", a->name);
        put_str(g, "description", a->description);
        put_strs(g, "threat_actor_types", a->types);
        put_strs(g, "aliases", a->aliases);
        put_strs(g, "goals", a->goals);
        put_str(g, "sophistication", a->sophistication);
        put_str(g, "resource_level", a->resource_level);
        put_str(g, "primary_motivation", a->motivation);
        put_int(g, "confidence", 70);
        if ((rc = end_sdo(g, TLP_GREEN, NULL, "threat-actor", err)))
            return rc;
    }
    for (int i = 0; i < NSET; i++) {
        const intrusion_set *s = &sets[i];
        int64_t t = w->t_context + 86400000LL * (i + 3);
        begin_sdo(g, w, "intrusion-set", w->set[i], t, t);
        put_str(g, "name", s->name);
        put_str(g, "description", s->description);
        put_strs(g, "aliases", s->aliases);
        put_time(g, "first_seen", t - 400 * DAY_MS);
        put_strs(g, "goals", s->goals);
        put_str(g, "resource_level", s->resource_level);
        put_str(g, "primary_motivation", s->motivation);
        put_int(g, "confidence", 75);
        if ((rc = end_sdo(g, TLP_GREEN, NULL, "intrusion-set", err)))
            return rc;
    }
    return 0;
}

/* Writes a malware family; version 2 (of Saltmarsh) adds aliases, dates and a longer description. */
static int write_family(gen *g, const world *w, int i, int version, vg_error *err)
{
    const family *f = &families[i];
    int64_t created = w->t_family[i];
    int64_t modified = version == 1 ? created : g->now_ms - 1 * DAY_MS - 4242;
    begin_sdo(g, w, "malware", w->family[i], created, modified);
    put_str(g, "name", f->name);
    if (version == 1) {
        put_str(g, "description", f->description);
    } else {
        char desc[512];
        snprintf(desc, sizeof desc,
                 "%s Since January 2026 affiliates also steal data before encryption and call victims' "
                 "customers (triple extortion).",
                 f->description);
        put_str(g, "description", desc);
    }
    put_strs(g, "malware_types", f->types);
    put_bool(g, "is_family", 1);
    if (version == 2) {
        static const char *const more[] = {"Saltmarsh RaaS", "SMarsh", NULL};
        put_strs(g, "aliases", more);
        put_time(g, "first_seen", created - 30 * DAY_MS);
        put_time(g, "last_seen", g->now_ms - 2 * DAY_MS);
    } else {
        put_strs(g, "aliases", f->aliases);
    }
    put_strs(g, "architecture_execution_envs", f->archs);
    put_strs(g, "implementation_languages", f->languages);
    put_strs(g, "capabilities", f->capabilities);
    put_strs(g, "labels", f->labels);
    return end_sdo(g, TLP_CLEAR, NULL, "malware", err);
}

static int write_techniques(gen *g, const world *w, vg_error *err)
{
    int rc;
    for (int i = 0; i < NTECH; i++) {
        const technique *t = &techniques[i];
        int64_t c = w->t_context + 60000LL * (i + 1);
        char url[128];
        begin_sdo(g, w, "attack-pattern", w->tech[i], c, c);
        put_str(g, "name", t->name);
        arr_open(g, "external_references");
        obj_open(g, NULL);
        put_str(g, "source_name", "mitre-attack"); /* ATT&CK uses it for every domain */
        put_str(g, "external_id", t->attack_id);
        snprintf(url, sizeof url, "https://attack.mitre.org/techniques/%s", t->path);
        put_str(g, "url", url);
        obj_close(g);
        arr_close(g);
        put_kill_chain(g, t->kill_chain, t->tactic);
        if ((rc = end_sdo(g, TLP_CLEAR, NULL, "attack-pattern", err)))
            return rc;
    }
    for (int i = 0; i < NCOA; i++) {
        const mitigation *m = &coas[i];
        int64_t c = w->t_context + 120000LL * (i + 1);
        begin_sdo(g, w, "course-of-action", w->coa[i], c, c);
        put_str(g, "name", m->name);
        put_str(g, "description", m->description);
        if (m->attack_id) {
            char url[128];
            arr_open(g, "external_references");
            obj_open(g, NULL);
            put_str(g, "source_name", "mitre-attack");
            put_str(g, "external_id", m->attack_id);
            snprintf(url, sizeof url, "https://attack.mitre.org/mitigations/%s", m->attack_id);
            put_str(g, "url", url);
            obj_close(g);
            arr_close(g);
        }
        if ((rc = end_sdo(g, TLP_CLEAR, NULL, "course-of-action", err)))
            return rc;
    }
    return 0;
}

static int write_vuln_campaign(gen *g, const world *w, vg_error *err)
{
    int rc;
    int64_t t = w->t_context + 5 * DAY_MS;
    begin_sdo(g, w, "vulnerability", w->vuln, t, t);
    put_str(g, "name", "CVE-2026-0000");
    put_str(g, "description",
            "Pre-authentication remote code execution in the (fictional) Harbour VPN gateway web portal. "
            "The identifier is a placeholder: CVE numbers never end in 0000.");
    arr_open(g, "external_references");
    obj_open(g, NULL);
    put_str(g, "source_name", "cve");
    put_str(g, "external_id", "CVE-2026-0000");
    obj_close(g);
    arr_close(g);
    if ((rc = end_sdo(g, TLP_CLEAR, NULL, "vulnerability", err)))
        return rc;

    begin_sdo(g, w, "campaign", w->campaign, w->t_campaign, w->t_campaign);
    put_str(g, "name", "Operation Quiet Ballot");
    put_str(g, "description",
            "Ember Heron's campaign against election officials and reporters ahead of the national "
            "elections: SMS lures lead to Nightjar infections.");
    static const char *const aliases[] = {"Quiet Ballot", NULL};
    put_strs(g, "aliases", aliases);
    put_time(g, "first_seen", w->t_campaign - 20 * DAY_MS);
    put_str(g, "objective",
            "Collect the communications and locations of election officials and journalists.");
    put_int(g, "confidence", 80);
    return end_sdo(g, TLP_AMBER, NULL, "campaign", err);
}

/* Replaces the %...% placeholders of a pattern template with random values. */
static void expand_pattern(gen *g, const char *tmpl, vg_buf *out)
{
    vg_buf_reset(out);
    for (const char *p = tmpl; *p && !g->rc;) {
        char val[80];
        const char *name = NULL;
        size_t len = 0;
        if (*p == '%') {
            static const struct {
                const char *ph;
                int hex;
            } ph[] = {{"%MD5%", 32}, {"%SHA1%", 40}, {"%SHA256%", 64}, {"%ETH%", 40}, {"%BTC%", 0}};
            for (size_t i = 0; i < sizeof ph / sizeof ph[0]; i++) {
                if (strncmp(p, ph[i].ph, strlen(ph[i].ph)) == 0) {
                    name = ph[i].ph;
                    len = strlen(name);
                    if (ph[i].hex)
                        rand_hex(g, val, (size_t)ph[i].hex);
                    else
                        rand_btc(g, val);
                    break;
                }
            }
        }
        if (name) {
            g->rc = vg_buf_puts(out, val);
            p += len;
        } else {
            g->rc = vg_buf_putc(out, *p++);
        }
    }
}

/* The common body of every indicator, curated or generated. */
static int write_indicator(gen *g, const world *w, const char *id, int64_t created, int64_t modified,
                           const char *name, const char *description, const char *pattern, const char *itype,
                           const char *tactic, int confidence, int valid_days, const char *label, int revoked,
                           int tlp_level, vg_error *err)
{
    begin_sdo(g, w, "indicator", id, created, modified);
    put_str(g, "name", name);
    if (description)
        put_str(g, "description", description);
    arr_open(g, "indicator_types");
    arr_str(g, itype);
    arr_close(g);
    put_str(g, "pattern", pattern);
    put_str(g, "pattern_type", "stix");
    put_str(g, "pattern_version", "2.1");
    put_time(g, "valid_from", created);
    if (valid_days > 0)
        put_time(g, "valid_until", created + valid_days * DAY_MS);
    put_kill_chain(g, "mitre-attack", tactic);
    put_int(g, "confidence", confidence);
    if (label) {
        arr_open(g, "labels");
        arr_str(g, label);
        arr_close(g);
    }
    if (revoked)
        put_bool(g, "revoked", 1);
    return end_sdo(g, tlp_level, NULL, "indicator", err);
}

static const char *family_label(int f)
{
    static const char *const labels[NFAMILY] = {"spyware", "ransomware", "wiper", "infostealer"};
    return labels[f];
}

static int write_curated_indicators(gen *g, world *w, vg_error *err)
{
    vg_buf pat;
    vg_buf_init(&pat, 4096);
    int rc = 0;
    for (size_t i = 0; i < NCURATED && !rc; i++) {
        const curated *c = &indicators[i];
        expand_pattern(g, c->pattern, &pat);
        int64_t t = w->indicator_created[i];
        rc = write_indicator(g, w, w->indicator[i], t, t, c->name, NULL, g->rc ? "" : pat.data, c->type,
                             c->tactic, c->confidence, c->valid_days, family_label(c->family), 0,
                             families[c->family].tlp, err);
    }
    vg_buf_free(&pat);
    return rc;
}

/* Every relationship of the curated world. */
static int write_curated_relationships(gen *g, const world *w, vg_error *err)
{
    int rc = 0;
    int64_t t = w->t_context + 40 * DAY_MS; /* after every family's creation */
    for (size_t i = 0; i < NCURATED && !rc; i++) {
        int f = indicators[i].family;
        rc = write_relationship(g, w, "indicates", w->indicator[i], w->family[f],
                                w->indicator_created[i] + 1000, families[f].tlp, err);
    }
    for (int f = 0; f < NFAMILY && !rc; f++)
        for (int k = 0; families[f].uses[k] >= 0 && !rc; k++)
            rc = write_relationship(g, w, "uses", w->family[f], w->tech[families[f].uses[k]], t, TLP_CLEAR,
                                    err);
    for (int s = 0; s < NSET && !rc; s++) {
        rc = write_relationship(g, w, "attributed-to", w->set[s], w->actor[sets[s].actor], t, TLP_GREEN, err);
        for (int k = 0; sets[s].malware[k] >= 0 && !rc; k++)
            rc =
                write_relationship(g, w, "uses", w->set[s], w->family[sets[s].malware[k]], t, TLP_GREEN, err);
        for (int k = 0; sets[s].targets[k] >= 0 && !rc; k++)
            rc = write_relationship(g, w, "targets", w->set[s], w->victim[sets[s].targets[k]], t, TLP_AMBER,
                                    err);
    }
    for (int m = 0; m < NCOA && !rc; m++)
        for (int k = 0; coas[m].mitigates[k] >= 0 && !rc; k++)
            rc = write_relationship(g, w, "mitigates", w->coa[m], w->tech[coas[m].mitigates[k]], t, TLP_CLEAR,
                                    err);
    if (!rc)
        rc = write_relationship(g, w, "exploits", w->family[M_SALTMARSH], w->vuln, t, TLP_GREEN, err);
    if (!rc)
        rc = write_relationship(g, w, "attributed-to", w->campaign, w->set[IS_HERON], w->t_campaign + 1000,
                                TLP_AMBER, err);
    if (!rc)
        rc = write_relationship(g, w, "uses", w->campaign, w->family[M_NIGHTJAR], w->t_campaign + 2000,
                                TLP_AMBER, err);
    if (!rc)
        rc = write_relationship(g, w, "targets", w->campaign, w->victim[V_ELECTION], w->t_campaign + 3000,
                                TLP_AMBER, err);
    if (!rc)
        rc = write_relationship(g, w, "targets", w->campaign, w->victim[V_NEWS], w->t_campaign + 4000,
                                TLP_AMBER, err);
    return rc;
}

/* An observed-data with its two observables, and a sighting of the delivery domain at a newsroom. */
static int write_sighting(gen *g, const world *w, vg_error *err)
{
    int rc;
    obj_open(g, NULL);
    put_str(g, "type", "domain-name");
    put_str(g, "spec_version", "2.1");
    put_str(g, "id", w->sco_domain);
    put_str(g, "value", "icloud-sync-check.example");
    obj_close(g);
    if ((rc = flush_object(g, "domain-name", err)))
        return rc;
    obj_open(g, NULL);
    put_str(g, "type", "ipv4-addr");
    put_str(g, "spec_version", "2.1");
    put_str(g, "id", w->sco_ip);
    put_str(g, "value", "203.0.113.77");
    obj_close(g);
    if ((rc = flush_object(g, "ipv4-addr", err)))
        return rc;

    int64_t seen = g->now_ms - 4 * DAY_MS - 1234567;
    int64_t t = g->now_ms - 3 * DAY_MS - 7654321;
    begin_sdo(g, w, "observed-data", w->observed, t, t);
    put_time(g, "first_observed", seen);
    put_time(g, "last_observed", seen + 3 * 3600000LL);
    put_int(g, "number_observed", 3);
    arr_open(g, "object_refs");
    arr_str(g, w->sco_domain);
    arr_str(g, w->sco_ip);
    arr_close(g);
    if ((rc = end_sdo(g, TLP_RED, NULL, "observed-data", err)))
        return rc;

    begin_sdo(g, w, "sighting", w->sighting, t + 5000, t + 5000);
    put_str(g, "description",
            "DNS logs of a newsroom phone show the Nightjar delivery domain, then its C2 server.");
    put_time(g, "first_seen", seen);
    put_time(g, "last_seen", seen + 3 * 3600000LL);
    put_int(g, "count", 3);
    put_str(g, "sighting_of_ref", w->indicator[IND_SIGHTED]);
    arr_open(g, "observed_data_refs");
    arr_str(g, w->observed);
    arr_close(g);
    arr_open(g, "where_sighted_refs");
    arr_str(g, w->victim[V_NEWS]);
    arr_close(g);
    put_int(g, "confidence", 85);
    return end_sdo(g, TLP_RED, NULL, "sighting", err);
}

static int write_report(gen *g, const world *w, vg_error *err)
{
    int64_t t = g->now_ms - 2 * DAY_MS - 99999;
    begin_sdo(g, w, "report", w->report, t, t);
    put_str(g, "name", "Ember Heron targets election officials and journalists with Nightjar spyware");
    put_str(g, "description",
            "Operation Quiet Ballot: SMS lures, the Nightjar delivery and C2 infrastructure, a confirmed "
            "infection at a newsroom and what to do. Phones of at-risk people should be checked.");
    static const char *const types[] = {"threat-report", "campaign", NULL};
    put_strs(g, "report_types", types);
    put_time(g, "published", t);
    arr_open(g, "object_refs");
    arr_str(g, w->campaign);
    arr_str(g, w->set[IS_HERON]);
    arr_str(g, w->actor[TA_HERON]);
    arr_str(g, w->family[M_NIGHTJAR]);
    arr_str(g, w->tech[T_LOCATION]);
    arr_str(g, w->tech[T_AUDIO]);
    arr_str(g, w->coa[NCOA - 1]);
    for (size_t i = 0; i < NCURATED; i++)
        if (indicators[i].family == M_NIGHTJAR)
            arr_str(g, w->indicator[i]);
    arr_str(g, w->sighting);
    arr_close(g);
    put_int(g, "confidence", 85);
    return end_sdo(g, TLP_AMBER, w->statement, "report", err);
}

/* Second versions: Saltmarsh gains aliases, the staging server's indicator is revoked.
 * (That indicator's pattern has no placeholders, so both versions carry the same pattern.) */
static int write_versions(gen *g, const world *w, vg_error *err)
{
    int rc = write_family(g, w, M_SALTMARSH, 2, err);
    if (rc)
        return rc;
    const curated *c = &indicators[IND_REVOKED];
    vg_buf pat;
    vg_buf_init(&pat, 4096);
    expand_pattern(g, c->pattern, &pat);
    rc = write_indicator(
        g, w, w->indicator[IND_REVOKED], w->indicator_created[IND_REVOKED], g->now_ms - DAY_MS, c->name,
        "The server was seized by the hosting provider; no longer malicious.", g->rc ? "" : pat.data, c->type,
        c->tactic, 30, c->valid_days, family_label(c->family), 1, families[c->family].tlp, err);
    vg_buf_free(&pat);
    return rc;
}

/* Draws every id and time of the curated world, in a fixed order. */
static int draw_world(gen *g, world *w, vg_error *err)
{
    new_id(g, "identity", w->cert);
    new_id(g, "marking-definition", w->statement);
    for (int i = 0; i < NVICTIM; i++)
        new_id(g, "identity", w->victim[i]);
    for (int i = 0; i < NACTOR; i++)
        new_id(g, "threat-actor", w->actor[i]);
    for (int i = 0; i < NSET; i++)
        new_id(g, "intrusion-set", w->set[i]);
    for (int i = 0; i < NFAMILY; i++)
        new_id(g, "malware", w->family[i]);
    for (int i = 0; i < NTECH; i++)
        new_id(g, "attack-pattern", w->tech[i]);
    for (int i = 0; i < NCOA; i++)
        new_id(g, "course-of-action", w->coa[i]);
    new_id(g, "vulnerability", w->vuln);
    new_id(g, "campaign", w->campaign);
    for (size_t i = 0; i < NCURATED; i++)
        new_id(g, "indicator", w->indicator[i]);
    new_id(g, "observed-data", w->observed);
    new_id(g, "sighting", w->sighting);
    new_id(g, "report", w->report);
    w->t_context = days_ago(g, 420, 400);
    w->t_campaign = days_ago(g, 120, 100);
    for (int i = 0; i < NFAMILY; i++)
        w->t_family[i] = w->t_context + (int64_t)(i + 1) * 7 * DAY_MS + (int64_t)rng_below(&g->r, DAY_MS);
    for (size_t i = 0; i < NCURATED; i++)
        w->indicator_created[i] = days_ago(g, 90, 5);
    /* Observables get the specification's deterministic UUIDv5 ids. */
    static const struct {
        const char *type, *value;
    } sco[2] = {{"domain-name", "icloud-sync-check.example"}, {"ipv4-addr", "203.0.113.77"}};
    char *dst[2] = {w->sco_domain, w->sco_ip};
    for (int i = 0; i < 2; i++) {
        char name[128], uuid[VG_UUID_STR];
        int n = snprintf(name, sizeof name, "{\"value\":\"%s\"}", sco[i].value);
        int rc = vg_uuid_v5(VG_UUID_STIX_NAMESPACE, name, (size_t)n, uuid, err);
        if (rc)
            return rc;
        snprintf(dst[i], ID_MAX, "%s--%s", sco[i].type, uuid);
    }
    return 0;
}

static int write_curated(gen *g, world *w, vg_error *err)
{
    int rc;
    if ((rc = draw_world(g, w, err)) || (rc = write_identities(g, w, err)) ||
        (rc = write_markings(g, w, err)) || (rc = write_actors(g, w, err)))
        return rc;
    for (int i = 0; i < NFAMILY; i++)
        if ((rc = write_family(g, w, i, 1, err)))
            return rc;
    if ((rc = write_techniques(g, w, err)) || (rc = write_vuln_campaign(g, w, err)) ||
        (rc = write_curated_indicators(g, w, err)) || (rc = write_curated_relationships(g, w, err)) ||
        (rc = write_sighting(g, w, err)) || (rc = write_report(g, w, err)) ||
        (rc = write_versions(g, w, err)))
        return rc;
    return 0;
}

/* ---- generated indicators ------------------------------------------------- */

enum {
    K_DOMAIN,
    K_URL,
    K_IPV4,
    K_CIDR,
    K_IPV6,
    K_EMAIL,
    K_MD5,
    K_SHA1,
    K_SHA256,
    K_FILENAME,
    K_PROCESS,
    K_BTC,
    K_ETH,
    K_APP,
    K_COMPOUND,
    NKIND
};

/* Kind, weight (percent), indicator name suffix, kill chain phase. */
static const struct {
    int weight;
    const char *what;
    const char *tactic;
} kinds[NKIND] = {
    [K_DOMAIN] = {24, "domain", "command-and-control"},
    [K_URL] = {12, "URL", "initial-access"},
    [K_IPV4] = {8, "IPv4 address", "command-and-control"},
    [K_CIDR] = {2, "IPv4 range", "command-and-control"},
    [K_IPV6] = {4, "IPv6 address", "command-and-control"},
    [K_EMAIL] = {6, "sender", "initial-access"},
    [K_MD5] = {6, "sample (MD5)", "execution"},
    [K_SHA1] = {6, "sample (SHA-1)", "execution"},
    [K_SHA256] = {14, "sample (SHA-256)", "execution"},
    [K_FILENAME] = {4, "file name", "execution"},
    [K_PROCESS] = {3, "process", "execution"},
    [K_BTC] = {3, "wallet (Bitcoin)", "impact"},
    [K_ETH] = {2, "wallet (Ethereum)", "impact"},
    [K_APP] = {4, "app", "persistence"},
    [K_COMPOUND] = {2, "file and C2", "command-and-control"},
};

static const char *const words[] = {
    "login",  "secure", "update", "cdn",    "sync",   "cloud",   "mail",    "portal", "verify", "account",
    "static", "api",    "track",  "notice", "parcel", "billing", "support", "files",  "media",  "news",
};
#define NWORDS (sizeof words / sizeof words[0])
static const char *const suffixes[] = {".example",     ".test",        ".invalid",
                                       ".example.com", ".example.net", ".example.org"};
static const char *const doc_nets[] = {"192.0.2", "198.51.100", "203.0.113"};
static const char *const exts[] = {".exe", ".dll", ".apk", ".so", ".js", ".lnk", ".docm", ".iso"};

#define PICK(g, arr) (arr)[rng_below(&(g)->r, sizeof(arr) / sizeof((arr)[0]))]

static void gen_domain(gen *g, char *out, size_t n)
{
    /* One draw per statement: the order of evaluation of arguments is unspecified in C,
     * and the bytes must not depend on the compiler. */
    const char *w1 = PICK(g, words);
    const char *w2 = PICK(g, words);
    unsigned num = (unsigned)rng_below(&g->r, 100000);
    const char *suf = PICK(g, suffixes);
    snprintf(out, n, "%s-%s%u%s", w1, w2, num, suf);
}

/* Writes the pattern of a generated indicator of kind k into out. */
static void gen_pattern(gen *g, int k, char *out, size_t n)
{
    char a[160], b[160];
    switch (k) {
    case K_DOMAIN:
        gen_domain(g, a, sizeof a);
        snprintf(out, n, "[domain-name:value = '%s']", a);
        break;
    case K_URL:
        gen_domain(g, a, sizeof a);
        rand_hex(g, b, 10);
        snprintf(out, n, "[url:value = 'https://%s/%s/%s']", a, PICK(g, words), b);
        break;
    case K_IPV4:
    {
        const char *net = PICK(g, doc_nets);
        unsigned host = 1 + (unsigned)rng_below(&g->r, 254);
        snprintf(out, n, "[ipv4-addr:value = '%s.%u']", net, host);
    }
        break;
    case K_CIDR: {
        unsigned bits = 24 + (unsigned)rng_below(&g->r, 7); /* /24 ... /30 */
        unsigned size = 1u << (32 - bits);
        unsigned base = (unsigned)rng_below(&g->r, 256) & ~(size - 1);
        snprintf(out, n, "[ipv4-addr:value = '%s.%u/%u']", PICK(g, doc_nets), base, bits);
        break;
    }
    case K_IPV6:
    {
        unsigned h1 = (unsigned)rng_below(&g->r, 0x10000);
        unsigned h2 = (unsigned)rng_below(&g->r, 0x10000);
        unsigned h3 = 1 + (unsigned)rng_below(&g->r, 0xffff);
        snprintf(out, n, "[ipv6-addr:value = '2001:db8:%x:%x::%x']", h1, h2, h3);
    }
        break;
    case K_EMAIL:
        gen_domain(g, a, sizeof a);
    {
        const char *w1 = PICK(g, words);
        const char *w2 = PICK(g, words);
        unsigned num = (unsigned)rng_below(&g->r, 1000);
        snprintf(out, n, "[email-addr:value = '%s.%s%u@%s']", w1, w2, num, a);
    }
        break;
    case K_MD5:
        rand_hex(g, a, 32);
        snprintf(out, n, "[file:hashes.MD5 = '%s']", a);
        break;
    case K_SHA1:
        rand_hex(g, a, 40);
        snprintf(out, n, "[file:hashes.'SHA-1' = '%s']", a);
        break;
    case K_SHA256:
        rand_hex(g, a, 64);
        snprintf(out, n, "[file:hashes.'SHA-256' = '%s']", a);
        break;
    case K_FILENAME:
    {
        const char *w1 = PICK(g, words);
        const char *w2 = PICK(g, words);
        unsigned num = (unsigned)rng_below(&g->r, 10000);
        const char *ext = PICK(g, exts);
        snprintf(out, n, "[file:name = '%s_%s%u%s']", w1, w2, num, ext);
    }
        break;
    case K_PROCESS:
        /* Mobile feeds name a process by process:name (a STIX 2.0 property, custom in 2.1);
         * STIX 2.1 names it through its image: process:image_ref.name. Both occur. */
        if (rng_below(&g->r, 2)) {
            const char *w1 = PICK(g, words);
            const char *w2 = PICK(g, words);
            snprintf(out, n, "[process:name = '%s%sd']", w1, w2);
        } else {
            const char *w1 = PICK(g, words);
            const char *w2 = PICK(g, words);
            unsigned num = (unsigned)rng_below(&g->r, 1000);
            snprintf(out, n, "[process:image_ref.name = '%s%s%u.exe']", w1, w2, num);
        }
        break;
    case K_BTC:
        rand_btc(g, a);
        snprintf(out, n, "[cryptocurrency-wallet:value = '%s']", a);
        break;
    case K_ETH:
        rand_hex(g, a, 40);
        snprintf(out, n, "[cryptocurrency-wallet:value = '0x%s']", a);
        break;
    case K_APP:
    {
        const char *w1 = PICK(g, words);
        const char *w2 = PICK(g, words);
        unsigned num = (unsigned)rng_below(&g->r, 1000);
        snprintf(out, n, "[app:id = 'com.%s.%s%u']", w1, w2, num);
    }
        break;
    default: /* K_COMPOUND */
        rand_hex(g, a, 64);
        gen_domain(g, b, sizeof b);
        snprintf(out, n, "[file:hashes.'SHA-256' = '%s'] OR [domain-name:value = '%s']", a, b);
        break;
    }
}

static int pick_kind(gen *g)
{
    int x = (int)rng_below(&g->r, 100);
    for (int k = 0; k < NKIND; k++) {
        if (x < kinds[k].weight)
            return k;
        x -= kinds[k].weight;
    }
    return K_DOMAIN;
}

/* The family a generated indicator of kind k points at. */
static int pick_family(gen *g, int k)
{
    switch (k) {
    case K_APP:
        return rng_below(&g->r, 2) ? M_NIGHTJAR : M_MAGPIE;
    case K_BTC:
    case K_ETH:
        return rng_below(&g->r, 2) ? M_SALTMARSH : M_MAGPIE;
    default:
        return (int)rng_below(&g->r, NFAMILY);
    }
}

static int write_generated(gen *g, const world *w, const intel_sample_opts *o, vg_error *err)
{
    static const int confidences[] = {50, 60, 70, 75, 80, 85, 90, 95};
    static const int tlps[] = {TLP_CLEAR, TLP_GREEN, TLP_GREEN, TLP_GREEN, TLP_AMBER, TLP_AMBER};
    rng_seed(&g->r, o->seed, 2);
    for (uint64_t i = 0; i < o->indicators; i++) {
        char id[ID_MAX], pattern[512], name[96];
        int k = pick_kind(g), f = pick_family(g, k);
        new_id(g, "indicator", id);
        gen_pattern(g, k, pattern, sizeof pattern);
        snprintf(name, sizeof name, "%s %s", families[f].name, kinds[k].what);
        int64_t t = days_ago(g, 365, 0) - 3600000; /* strictly before now */
        int valid =
            (k == K_IPV4 || k == K_CIDR || k == K_IPV6 || k == K_URL) ? 90 + (int)rng_below(&g->r, 90) : 0;
        int tl = PICK(g, tlps);
        int rc = write_indicator(g, w, id, t, t, name, NULL, pattern, "malicious-activity", kinds[k].tactic,
                                 PICK(g, confidences), valid, family_label(f), 0, tl, err);
        if (!rc && o->relationships)
            rc = write_relationship(g, w, "indicates", id, w->family[f], t + 1, tl, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- entry points --------------------------------------------------------- */

void intel_sample_opts_init(intel_sample_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->seed = INTEL_SAMPLE_DEFAULT_SEED;
    opts->relationships = 1;
    opts->base_time = INTEL_SAMPLE_DEFAULT_BASE_TIME;
}

int intel_sample_write_counted(FILE *out, const intel_sample_opts *opts, intel_sample_counts *counts,
                               vg_error *err)
{
    intel_sample_opts defaults;
    if (!opts) {
        intel_sample_opts_init(&defaults);
        opts = &defaults;
    }
    if (counts)
        memset(counts, 0, sizeof *counts);
    if (!out)
        return vg_error_set(err, VG_E_USAGE, "no output stream for the sample bundle");
    if (opts->indicators > INTEL_SAMPLE_MAX_INDICATORS) {
        vg_error_set(err, VG_E_LIMIT, "%" PRIu64 " generated indicators is more than the ceiling of %llu",
                     opts->indicators, INTEL_SAMPLE_MAX_INDICATORS);
        return vg_error_hint(err, "ask for fewer indicators, or write several bundles with different seeds");
    }
    /* 1971..9999: every timestamp (up to 420 days before, a year after) stays a valid RFC 3339 year. */
    if (opts->base_time < 86400LL * 800 || opts->base_time > 253402300799LL - 86400LL * 400)
        return vg_error_set(err, VG_E_USAGE, "base time %lld is out of range", (long long)opts->base_time);

    gen g;
    memset(&g, 0, sizeof g);
    g.out = out;
    g.first = 1;
    g.now_ms = opts->base_time * 1000;
    vg_buf_init(&g.b, 64 * 1024);
    rng_seed(&g.r, opts->seed, 1);

    world *w = vg_malloc(sizeof *w);
    if (!w) {
        vg_buf_free(&g.b);
        return vg_error_set(err, VG_E_NOMEM, "out of memory for the sample's tables");
    }
    memset(w, 0, sizeof *w);
    char bundle[ID_MAX];
    new_id(&g, "bundle", bundle);
    int rc = 0;
    if (fprintf(out, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[", bundle) < 0)
        rc = vg_error_set(err, VG_E_IO, "writing the sample bundle failed: %s", strerror(errno));
    if (!rc)
        rc = write_curated(&g, w, err);
    if (!rc)
        rc = write_generated(&g, w, opts, err);
    if (!rc && (fputs("\n]}\n", out) == EOF || fflush(out) == EOF))
        rc = vg_error_set(err, VG_E_IO, "writing the sample bundle failed: %s", strerror(errno));
    if (counts)
        *counts = g.cnt;
    vg_free(w);
    vg_buf_free(&g.b);
    return rc;
}

int intel_sample_write(FILE *out, const intel_sample_opts *opts, vg_error *err)
{
    return intel_sample_write_counted(out, opts, NULL, err);
}
