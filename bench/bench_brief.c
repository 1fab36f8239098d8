/*
 * bench_brief.c - a briefing of a year over a large store.
 *
 * Builds a temporary store with $VIGIL_BENCH_INCIDENTS incidents (default
 * 100,000) spread over two years, each attributed to an intrusion set, using
 * a malware family and targeting an organisation (three relationships), and
 * $VIGIL_BENCH_INDICATORS indicators (default 1,000,000) with an `indicates`
 * relationship each, plus techniques and mitigations; then times the briefing
 * of the last year: gathering the figures, and each format (gather + render).
 * The target: under 2 s for any format.
 *
 * VIGIL_BENCH_BRIEF_STORE=PATH keeps the store at PATH and reuses it on the next run
 * (the same day: incidents are dated back from tomorrow), to time changes to
 * the briefing without rebuilding a million rows each time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "brief/brief.h"
#include "core/vg_alloc.h"
#include "incident/incident.h"
#include "store/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a shared machine, the figure that does not depend on the neighbours. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long env_count(const char *name, unsigned long long def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : def;
}

static int put(store *s, const char *json, vg_error *err)
{
    json_t *o = json_loads(json, 0, NULL);
    if (!o) {
        fprintf(stderr, "bad generated JSON: %s\n", json);
        return -1;
    }
    int rc = inc_put(s, o, NULL, err);
    json_decref(o);
    return rc;
}

static void uuid(char out[48], const char *kind, unsigned long long n)
{
    unsigned h = 0;
    for (const char *p = kind; *p; p++)
        h = h * 31 + (unsigned char)*p;
    snprintf(out, 48, "%08x-0000-4000-8000-%012llx", h, n & 0xffffffffffffull);
}

static int rel(store *s, const char *src, const char *type, const char *dst, unsigned long long n, vg_error *err)
{
    char id[48], json[1024];
    uuid(id, "relationship", n);
    snprintf(json, sizeof json,
             "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--%s\","
             "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
             "\"relationship_type\":\"%s\",\"source_ref\":\"%s\",\"target_ref\":\"%s\"}",
             id, type, src, dst);
    return put(s, json, err);
}

static int build(store *s, unsigned long long nincidents, unsigned long long nindicators, time_t t_end,
                 vg_error *err)
{
    enum { ACTORS = 50, MALWARE = 30, TECH = 40, COA = 40, ORGS = 1000 };
    static const char *const sectors[] = {"health", "energy", "finance", "government", "elections", "media",
                                          "education-research", "transport"};
    static const char *const countries[] = {"DE", "FR", "UA", "US", "KR", "PL", "EE", "IT"};
    char id[48], a[128], b[128], json[4096];
    unsigned long long nrel = 0;
    int rc = store_begin(s, err);
    if (!rc)
        rc = inc_ensure_meta(s, err);
    for (int i = 0; !rc && i < ACTORS; i++) {
        uuid(id, "intrusion-set", (unsigned long long)i);
        snprintf(json, sizeof json,
                 "{\"type\":\"intrusion-set\",\"spec_version\":\"2.1\",\"id\":\"intrusion-set--%s\",\"created\":"
                 "\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"name\":\"Group %d\","
                 "\"aliases\":[\"G%d\"]}",
                 id, i, i);
        rc = put(s, json, err);
    }
    for (int i = 0; !rc && i < MALWARE; i++) {
        uuid(id, "malware", (unsigned long long)i);
        snprintf(json, sizeof json,
                 "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--%s\",\"created\":"
                 "\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"name\":\"Family %d\","
                 "\"is_family\":true,\"malware_types\":[\"%s\"]}",
                 id, i, i % 3 ? "ransomware" : "spyware");
        rc = put(s, json, err);
    }
    for (int i = 0; !rc && i < TECH; i++) {
        uuid(id, "attack-pattern", (unsigned long long)i);
        snprintf(json, sizeof json,
                 "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\",\"id\":\"attack-pattern--%s\",\"created\":"
                 "\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"name\":\"T%d\"}",
                 id, 1000 + i);
        rc = put(s, json, err);
    }
    for (int i = 0; !rc && i < COA; i++) {
        uuid(id, "course-of-action", (unsigned long long)i);
        snprintf(json, sizeof json,
                 "{\"type\":\"course-of-action\",\"spec_version\":\"2.1\",\"id\":\"course-of-action--%s\","
                 "\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"name\":"
                 "\"Mitigation %d\",\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":"
                 "\"M%d\"}]}",
                 id, i, 1000 + i);
        rc = put(s, json, err);
        for (int k = 0; !rc && k < 2; k++) {
            snprintf(a, sizeof a, "course-of-action--%s", id);
            uuid(id + 0, "attack-pattern", (unsigned long long)((i + k * 7) % TECH));
            snprintf(b, sizeof b, "attack-pattern--%s", id);
            rc = rel(s, a, "mitigates", b, nrel++, err);
            uuid(id, "course-of-action", (unsigned long long)i);
        }
    }
    for (int i = 0; !rc && i < ACTORS + MALWARE; i++)
        for (int k = 0; !rc && k < 4; k++) {
            if (i < ACTORS) {
                uuid(id, "intrusion-set", (unsigned long long)i);
                snprintf(a, sizeof a, "intrusion-set--%s", id);
            } else {
                uuid(id, "malware", (unsigned long long)(i - ACTORS));
                snprintf(a, sizeof a, "malware--%s", id);
            }
            uuid(id, "attack-pattern", (unsigned long long)((i * 3 + k) % TECH));
            snprintf(b, sizeof b, "attack-pattern--%s", id);
            rc = rel(s, a, "uses", b, nrel++, err);
        }
    for (int i = 0; !rc && i < ORGS; i++) {
        uuid(id, "identity", (unsigned long long)i);
        snprintf(json, sizeof json,
                 "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"identity--%s\",\"created\":"
                 "\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"name\":\"Org %d\","
                 "\"identity_class\":\"organization\"}",
                 id, i);
        rc = put(s, json, err);
    }
    /* incidents over the two years before t_end */
    for (unsigned long long i = 0; !rc && i < nincidents; i++) {
        time_t t = t_end - (time_t)((i * 7919) % (2 * 365 * 86400ull / 60)) * 60;
        struct tm tm;
        gmtime_r(&t, &tm);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        uuid(id, "incident", i);
        snprintf(json, sizeof json,
                 "{\"type\":\"incident\",\"spec_version\":\"2.1\",\"id\":\"incident--%s\",\"created\":\"%s\","
                 "\"modified\":\"%s\",\"name\":\"Incident %llu\",\"extensions\":{\"" INC_EXT_ID
                 "\":{\"extension_type\":\"property-extension\",\"severity\":%llu,\"status\":\"%s\","
                 "\"categories\":[\"%s\"],\"sectors\":[\"%s\"],\"countries\":[\"%s\"],\"first_activity\":\"%s\"}}}",
                 id, when, when, i, 1 + i % 5, inc_statuses[i % INC_NSTATUS], inc_categories[i % INC_NCATEGORY].name,
                 sectors[i % 8], countries[(i / 8) % 8], when);
        rc = put(s, json, err);
        snprintf(a, sizeof a, "incident--%s", id);
        uuid(id, "intrusion-set", i % ACTORS);
        snprintf(b, sizeof b, "intrusion-set--%s", id);
        if (!rc)
            rc = rel(s, a, "attributed-to", b, nrel++, err);
        uuid(id, "malware", i % MALWARE);
        snprintf(b, sizeof b, "malware--%s", id);
        if (!rc)
            rc = rel(s, a, "uses", b, nrel++, err);
        uuid(id, "identity", (i * 13) % ORGS);
        snprintf(b, sizeof b, "identity--%s", id);
        if (!rc)
            rc = rel(s, a, "targets", b, nrel++, err);
    }
    for (unsigned long long i = 0; !rc && i < nindicators; i++) {
        uuid(id, "indicator", i);
        snprintf(a, sizeof a, "indicator--%s", id);
        snprintf(json, sizeof json,
                 "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":"
                 "\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\",\"pattern\":"
                 "\"[%s = 'h%llu.example']\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"}",
                 a, i % 3 ? "domain-name:value" : "ipv4-addr:value", i);
        rc = put(s, json, err);
        uuid(id, "malware", i % MALWARE);
        snprintf(b, sizeof b, "malware--%s", id);
        if (!rc)
            rc = rel(s, a, "indicates", b, nrel++, err);
    }
    if (!rc)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    return rc;
}

int main(void)
{
    vg_alloc_init();
    unsigned long long ninc = env_count("VIGIL_BENCH_INCIDENTS", 100000);
    unsigned long long nind = env_count("VIGIL_BENCH_INDICATORS", 1000000);
    char path[4096] = "/tmp/vigil-bench-brief-XXXXXX";
    const char *keep = getenv("VIGIL_BENCH_BRIEF_STORE");
    int reuse = 0;
    if (keep && *keep) {
        snprintf(path, sizeof path, "%s", keep);
        reuse = access(path, F_OK) == 0;
    } else {
        int fd = mkstemp(path);
        if (fd < 0)
            return 1;
        close(fd);
        unlink(path);
    }
    vg_error err = {0};
    store *s = NULL;
    time_t t_end = time(NULL) / 86400 * 86400 + 86400; /* tomorrow, 00:00 UTC */
    double t0 = now();
    int rc = store_open(path, STORE_CREATE, &s, &err);
    if (!rc && !reuse)
        rc = build(s, ninc, nind, t_end - 1, &err);
    if (rc)
        goto fail;
    if (reuse)
        printf("bench brief store: reusing %s (opened in %.1f s)\n", path, now() - t0);
    else
        printf("bench brief store: %llu incidents, %llu indicators built in %.1f s\n", ninc, nind, now() - t0);
    brief_opts o = {0};
    o.to = vg_time_from_unix(t_end, 0, 0);
    o.from = vg_time_from_unix(t_end - 365 * 86400, 0, 0);
    static const char *const names[] = {"json", "md", "html"};
    for (int f = -1; f < 3; f++) {
        double best = 1e9, best_cpu = 1e9;
        for (int rep = 0; rep < 2; rep++) {
            double t = now(), c = cpu();
            json_t *m = NULL;
            if ((rc = brief_gather(s, &o, &m, &err)))
                goto fail;
            if (f >= 0) {
                FILE *out = fopen("/dev/null", "w");
                rc = brief_render(m, f == 0 ? BRIEF_JSON : f == 1 ? BRIEF_MD : BRIEF_HTML, out, &err);
                fclose(out);
            }
            if (!rep && f < 0)
                printf("bench brief incidents in the year: %lld\n",
                       (long long)json_integer_value(json_object_get(json_object_get(m, "headline"), "total")));
            json_decref(m);
            if (rc)
                goto fail;
            t = now() - t;
            c = cpu() - c;
            best = t < best ? t : best;
            best_cpu = c < best_cpu ? c : best_cpu;
        }
        if (f < 0)
            printf("bench brief gather (year, %llu incidents, %llu indicators; target < 2 s): %.3f s (%.3f s CPU)\n",
                   ninc, nind, best, best_cpu);
        else
            printf("bench brief %s (gather + render): %.3f s (%.3f s CPU)\n", names[f], best, best_cpu);
    }
    store_close(s);
    if (keep && *keep)
        return 0;
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
fail:;
    char buf[1024];
    fprintf(stderr, "bench_brief: %s\n", vg_error_format(&err, buf, sizeof buf));
    store_close(s);
    if (!(keep && *keep))
        unlink(path);
    return 1;
}
