/*
 * test_golden.c - the briefing of a fixed generated store, byte for byte.
 *
 * The store is built here, the same at every run: the clock is fixed
 * (vg_time_set_now), the intelligence is `vigil sample` with a fixed seed and
 * base time, and sixty incidents come from a small fixed generator, linked
 * to the sample's actors, malware and organisations. The briefing of the
 * second quarter of 2025 in each format must equal tests/brief/golden/q2.*.
 *
 * After an intended change to the briefing, regenerate the files with
 *     VIGIL_UPDATE_GOLDEN=1 ctest -R brief/test_golden
 * and review the difference (git diff tests/brief/golden) before committing.
 *
 * The formats also have to agree: the JSON is parsed, and every figure in it
 * is looked for in the Markdown and the HTML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief/brief.h"
#include "core/vg_alloc.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "intel/intel_sample.h"
#include "vg_test.h"

#define NOW "2025-06-30T12:00:00Z"  /* the fixed clock: every object is added then */
#define SAMPLE_BASE 1747267200      /* 2025-05-15T00:00:00Z: the sample's own "now" */
#define NINCIDENTS 60

/* The markings of the indicators the incidents are related to: two of each. */
static const struct {
    const char *level; /* the TLP it counts as ("revoked": never listed) */
    const char *ref;   /* its object_marking_refs, NULL: unmarked */
} marked[] = {
    {"clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
    {"green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
    {"amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
    {"amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
    {"red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
    {"unmarked", NULL},
    {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}, /* TLP 1.0: clear */
    {"revoked", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
};
#define NMARKED (2 * (int)(sizeof marked / sizeof marked[0]))
static char indicators[NMARKED][80];

/* The fixed generator of the incidents (a 32-bit LCG; one draw per statement). */
static uint32_t lcg_state;
static uint32_t draw(uint32_t n)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 8) % n;
}

/* Ids of the objects of some types, in the order they were added. */
static size_t ids_of(store *s, const char *const *types, size_t ntypes, char ids[][128], size_t max)
{
    store_query q = {0};
    q.types = types;
    q.ntypes = ntypes;
    store_iter *it;
    store_row row;
    vg_error err = {0};
    size_t n = 0;
    assert_int_equal(store_query_open(s, &q, &it, &err), 0);
    while (n < max && store_iter_next(it, &row, &err) == 1)
        snprintf(ids[n++], 128, "%s", row.id);
    store_iter_free(it);
    assert_true(n > 0);
    return n;
}

static void set(json_t *o, const char *prop, const char *value)
{
    vg_error err = {0};
    if (inc_set(o, prop, value, &err))
        fail_msg("inc_set %s=%s: %s", prop, value, err.msg);
}

/* Builds the fixed store in dir; the caller closes it. */
static store *build_store(const char *dir)
{
    char path[4200], db[4200];
    vg_error err = {0};
    vg_time now;
    assert_int_equal(vg_time_parse(NOW, strlen(NOW), VG_TIME_STIX, &now, &err), 0);
    vg_time_set_now(&now);

    snprintf(path, sizeof path, "%s/sample.json", dir);
    intel_sample_opts so;
    intel_sample_opts_init(&so);
    so.seed = 11;
    so.indicators = 24;
    so.base_time = SAMPLE_BASE;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(intel_sample_write(f, &so, &err), 0);
    fclose(f);
    snprintf(db, sizeof db, "%s/s.db", dir);
    store *s;
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    intel_import_opts io = {0};
    intel_import_stats st = {0};
    assert_int_equal(intel_import_path(s, path, &io, &st, &err), 0);
    assert_true(st.imported > 100);

    static const char *const actor_types[] = {"intrusion-set", "threat-actor"};
    static const char *const malware_types[] = {"malware"};
    static const char *const org_types[] = {"identity"};
    static char actors[16][128], malware[16][128], orgs[16][128];
    size_t na = ids_of(s, actor_types, 2, actors, 16);
    size_t nm = ids_of(s, malware_types, 1, malware, 16);
    size_t no = ids_of(s, org_types, 1, orgs, 16);
    static const char *const countries[] = {"DE", "FR", "UA", "EE", "PL", "US", "KR", "BR"};

    lcg_state = 2025;
    assert_int_equal(store_begin(s, &err), 0);
    /* indicators the incidents are related to, two of each marking (and unmarked, TLP 1.0 WHITE, revoked) */
    for (int k = 0; k < NMARKED; k++) {
        char id[80], json[1024];
        snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012x", 0x70000000u + (unsigned)k, (unsigned)k);
        snprintf(json, sizeof json,
                 "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"2025-03-01T00:00:00Z\","
                 "\"modified\":\"2025-03-01T00:00:00Z\",\"name\":\"%s %d\",\"pattern\":\"[domain-name:value = "
                 "'c2-%d.%s.example']\",\"pattern_type\":\"stix\",\"valid_from\":\"2025-03-01T00:00:00Z\"%s%s%s%s}",
                 id, marked[k / 2].level, k, k, marked[k / 2].level, marked[k / 2].ref ? ",\"object_marking_refs\":[\"" : "",
                 marked[k / 2].ref ? marked[k / 2].ref : "", marked[k / 2].ref ? "\"]" : "",
                 strcmp(marked[k / 2].level, "revoked") == 0 ? ",\"revoked\":true" : "");
        json_t *o = json_loads(json, 0, NULL);
        assert_non_null(o);
        assert_int_equal(inc_put(s, o, NULL, &err), 0);
        json_decref(o);
        snprintf(indicators[k], sizeof indicators[k], "%s", id);
    }
    for (int i = 0; i < NINCIDENTS; i++) {
        char id[80], name[128], when[32], sev[4], cats[128];
        snprintf(id, sizeof id, "incident--%08x-0000-4000-8000-%012x", 0x60000000u + (unsigned)i, (unsigned)i);
        /* most in the first half of 2025 (the previous quarter and this one), a few in 2024 */
        int year = i % 12 == 5 ? 2024 : 2025;
        uint32_t doy = draw(181);
        uint32_t sec = draw(86400);
        vg_time t = vg_time_from_unix((int64_t)(year == 2025 ? 1735689600 : 1704067200) + doy * 86400 + sec, 0, 0);
        if (i == 3)
            t = vg_time_from_unix(1750852800, 0, 0); /* 2025-06-25T12:00:00Z */
        vg_time_format(&t, when);
        uint32_t sector = draw((uint32_t)inc_nsectors);
        if (i == 3) /* in the top list, with everything the renderers must escape */
            snprintf(name, sizeof name, "Wiper <b>&amp;</b> at the \"grid\" | *stars* _under_ [x] `tick`");
        else
            snprintf(name, sizeof name, "Incident %02d (%s)", i, inc_sectors[sector].label);
        json_t *o;
        assert_int_equal(inc_new(id, name, &o, &err), 0);
        set(o, "first_activity", when);
        snprintf(sev, sizeof sev, "%u", i == 3 ? 5 : 1 + draw(5));
        set(o, "severity", sev);
        uint32_t c1 = draw(INC_NCATEGORY), c2 = draw(INC_NCATEGORY);
        if (c2 != c1 && i % 3 == 0)
            snprintf(cats, sizeof cats, "%s,%s", inc_categories[c1].name, inc_categories[c2].name);
        else
            snprintf(cats, sizeof cats, "%s", inc_categories[c1].name);
        set(o, "categories", cats);
        set(o, "sectors", inc_sectors[sector].name);
        set(o, "countries", countries[draw(8)]);
        set(o, "status", inc_statuses[draw(INC_NSTATUS)]);
        assert_int_equal(inc_put(s, o, NULL, &err), 0);
        json_decref(o);
        uint32_t a = draw(4), m = draw(3), v = draw(3);
        if (a)
            assert_int_equal(inc_link(s, id, "attributed-to", actors[draw((uint32_t)na)], NULL, 0, &err), 0);
        if (m)
            assert_int_equal(inc_link(s, id, "uses", malware[draw((uint32_t)nm)], NULL, 0, &err), 0);
        if (!v)
            assert_int_equal(inc_link(s, id, "targets", orgs[draw((uint32_t)no)], NULL, 0, &err), 0);
        /* every other incident was raised by a sighting of one of them (some by two) */
        if (i % 2 == 0)
            assert_int_equal(inc_link(s, id, "related-to", indicators[(i / 2) % NMARKED], NULL, 0, &err), 0);
        if (i % 8 == 0)
            assert_int_equal(inc_link(s, id, "related-to", indicators[(i / 8 + 3) % NMARKED], NULL, 0, &err), 0);
    }
    assert_int_equal(store_commit(s, &err), 0);
    vg_time_set_now(NULL);
    return s;
}

/* The briefing of 2025-04-01 to 2025-07-01 (a quarter: weekly timeline; 2025-01-01 onwards is the previous one). */
static json_t *quarter(store *s)
{
    brief_opts o = {0};
    vg_error err = {0};
    assert_int_equal(inc_parse_day("2025-04-01", &o.from, &err), 0);
    assert_int_equal(inc_parse_day("2025-07-01", &o.to, &err), 0);
    json_t *m;
    assert_int_equal(brief_gather(s, &o, &m, &err), 0);
    return m;
}

static char *render(const json_t *m, int format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    vg_error err = {0};
    assert_non_null(f);
    assert_int_equal(brief_render(m, format, f, &err), 0);
    fclose(f);
    return buf;
}

static const char *const ext[] = {"json", "md", "html"};

static void test_brief_golden__quarter(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("brief_golden");
    store *s = build_store(dir);
    json_t *m = quarter(s);
    const char *src = getenv("VIGIL_SRC") ? getenv("VIGIL_SRC") : "..";
    int update = getenv("VIGIL_UPDATE_GOLDEN") && strcmp(getenv("VIGIL_UPDATE_GOLDEN"), "1") == 0;
    int bad = 0;
    for (int fmt = BRIEF_JSON; fmt <= BRIEF_HTML; fmt++) {
        char golden[4200], actual[4200];
        snprintf(golden, sizeof golden, "%s/tests/brief/golden/q2.%s", src, ext[fmt]);
        snprintf(actual, sizeof actual, "%s/q2.%s", dir, ext[fmt]);
        char *out = render(m, fmt);
        vg_test_write_file(actual, out, strlen(out));
        if (update) {
            vg_test_write_file(golden, out, strlen(out));
            print_message("updated %s\n", golden);
        } else {
            size_t n;
            char *want = vg_test_read_file(golden, &n);
            if (n != strlen(out) || memcmp(want, out, n) != 0) {
                print_error("%s differs from %s (diff -u %s %s; VIGIL_UPDATE_GOLDEN=1 regenerates it)\n", actual,
                            golden, golden, actual);
                bad = 1;
            }
            free(want);
        }
        free(out);
    }
    json_decref(m);
    store_close(s);
    assert_false(bad);
}

/* ---- the formats carry the same figures -------------------------------------------- */

/* Fails unless text contains the formatted needle. */
static void has(const char *text, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void has(const char *text, const char *what, const char *fmt, ...)
{
    char needle[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(needle, sizeof needle, fmt, ap);
    va_end(ap);
    if (!strstr(text, needle))
        fail_msg("the %s lacks \"%s\"", what, needle);
}

#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))
#define S(o, k) json_string_value(json_object_get((o), (k)))

static const char *chg(long long d, char b[32])
{
    snprintf(b, 32, d > 0 ? "+%lld" : "%lld", d);
    return b;
}

/* A table section: each row's label and three figures, in the Markdown table and the HTML table. */
static void same_rows(const char *md, const char *html, json_t *rows)
{
    size_t i;
    json_t *r;
    char b[32];
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, r)
    {
        const char *label = S(r, "label") ? S(r, "label") : S(r, "name");
        has(md, "Markdown", "| %s | %lld | %lld | %s |", label, I(r, "count"), I(r, "previous"), chg(I(r, "change"), b));
        has(html, "HTML", "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%s</td></tr>", label, I(r, "count"),
            I(r, "previous"), chg(I(r, "change"), b));
    }
}

static void test_brief_golden__formats_agree(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("brief_agree");
    store *s = build_store(dir);
    json_t *m0 = quarter(s);
    char *js = render(m0, BRIEF_JSON), *md = render(m0, BRIEF_MD), *html = render(m0, BRIEF_HTML);
    json_decref(m0);
    json_error_t je;
    json_t *m = json_loads(js, 0, &je); /* the figures as a reader of the JSON gets them */
    assert_non_null(m);
    char b[32];
    size_t i;
    json_t *r;

    json_t *h = json_object_get(m, "headline");
    assert_true(I(h, "total") > 0 && I(h, "previous_total") > 0);
    has(md, "Markdown", "**%lld incidents** (%s against the previous period: %lld)", I(h, "total"),
        chg(I(h, "change"), b), I(h, "previous_total"));
    has(html, "HTML", "<span class=\"big\">%lld</span> incidents (%s against the previous period: %lld)",
        I(h, "total"), chg(I(h, "change"), b), I(h, "previous_total"));
    json_array_foreach(json_object_get(h, "by_severity"), i, r)
    {
        has(md, "Markdown", "| %s | %lld | %lld | %s |", S(r, "name"), I(r, "count"), I(r, "previous"),
            chg(I(r, "change"), b));
        has(html, "HTML", "%s: <b>%lld</b> (%s)", S(r, "name"), I(r, "count"), chg(I(r, "change"), b));
    }
    json_array_foreach(json_object_get(m, "top"), i, r)
    {
        has(md, "Markdown", "- %s **%s** ", S(r, "date"), S(r, "severity_name"));
        has(html, "HTML", "<span class=\"sev s%lld\">%s</span> %s <b>", I(r, "severity"), S(r, "severity_name"),
            S(r, "date"));
    }
    same_rows(md, html, json_object_get(m, "by_category"));
    same_rows(md, html, json_object_get(m, "by_sector"));
    same_rows(md, html, json_object_get(m, "by_actor"));
    json_t *tl = json_object_get(m, "timeline");
    assert_string_equal(S(tl, "unit"), "week");
    json_array_foreach(json_object_get(tl, "buckets"), i, r)
    {
        has(md, "Markdown", "| %s | %lld |", S(r, "start"), I(r, "count"));
        has(html, "HTML", "<title>%s: %lld</title>", S(r, "start"), I(r, "count"));
    }
    json_t *nw = json_object_get(m, "new");
    assert_true(json_array_size(json_object_get(nw, "by_type")) > 5);
    assert_true(json_array_size(json_object_get(nw, "indicators_by_kind")) > 3);
    json_array_foreach(json_object_get(nw, "by_type"), i, r)
    {
        has(md, "Markdown", "- %s: %lld\n", S(r, "name"), I(r, "count"));
        has(html, "HTML", "<li>%s: %lld</li>", S(r, "name"), I(r, "count"));
    }
    json_array_foreach(json_object_get(nw, "indicators_by_kind"), i, r)
    {
        has(md, "Markdown", "- %s: %lld\n", S(r, "name"), I(r, "count"));
        has(html, "HTML", "<li>%s: %lld</li>", S(r, "name"), I(r, "count"));
    }
    json_t *a = json_object_get(m, "actions");
    has(md, "Markdown", "mitigate the %lld techniques", I(a, "techniques"));
    has(html, "HTML", "mitigate the %lld techniques", I(a, "techniques"));
    assert_true(json_array_size(json_object_get(a, "courses_of_action")) > 0);
    json_array_foreach(json_object_get(a, "courses_of_action"), i, r)
    {
        const char *pl = I(r, "techniques") == 1 ? "" : "s";
        has(md, "Markdown", "%s (%lld technique%s, weight %lld)", S(r, "name"), I(r, "techniques"), pl, I(r, "score"));
        has(html, "HTML", "%s</b> (%lld technique%s, weight %lld)", S(r, "name"), I(r, "techniques"), pl,
            I(r, "score"));
    }
    json_t *ind = json_object_get(m, "indicators");
    assert_true(I(ind, "total") > 0);
    has(md, "Markdown", "at or below TLP:RED: %lld", I(ind, "total"));
    has(html, "HTML", "at or below TLP:RED: %lld", I(ind, "total"));
    json_array_foreach(json_object_get(ind, "listed"), i, r)
    {
        has(md, "Markdown", "(%s) |", S(r, "name"));
        has(html, "HTML", " %s</td>", S(r, "name"));
    }
    json_decref(m);
    free(js);
    free(md);
    free(html);
    store_close(s);
}

/* ---- the audience bounds the indicator appendix ------------------------------------ */

/* The briefing's appendix at an audience: the TLP of each indicator listed ("green,clear,..."), total and withheld. */
static void appendix_at(store *s, const char *audience, char *tlps, size_t n, long long *total, long long *withheld)
{
    brief_opts o = {0};
    vg_error err = {0};
    assert_int_equal(inc_parse_day("2025-04-01", &o.from, &err), 0);
    assert_int_equal(inc_parse_day("2025-07-01", &o.to, &err), 0);
    o.audience = brief_audience(audience);
    assert_true(o.audience > 0);
    json_t *m;
    assert_int_equal(brief_gather(s, &o, &m, &err), 0);
    json_t *ind = json_object_get(m, "indicators");
    assert_string_equal(S(ind, "audience"), strcmp(audience, "white") == 0 ? "clear" : audience);
    *total = I(ind, "total");
    *withheld = I(ind, "withheld");
    tlps[0] = '\0';
    size_t i;
    json_t *r;
    long long prev = -1;
    json_array_foreach(json_object_get(ind, "listed"), i, r)
    {
        snprintf(tlps + strlen(tlps), n - strlen(tlps), "%s%s", tlps[0] ? "," : "", S(r, "tlp"));
        assert_true(prev < 0 || I(r, "incidents") <= prev); /* seen in most incidents first */
        prev = I(r, "incidents");
        assert_non_null(strstr(S(r, "pattern"), ".example'"));
    }
    assert_int_equal((long long)json_array_size(json_object_get(ind, "listed")), *total);
    char *md = render(m, BRIEF_MD), *html = render(m, BRIEF_HTML);
    char banner[64];
    snprintf(banner, sizeof banner, "TLP:%s", S(ind, "audience"));
    for (char *p = banner; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    assert_non_null(strstr(md, banner));
    assert_non_null(strstr(html, banner));
    json_array_foreach(json_object_get(ind, "listed"), i, r)
    {
        has(md, "Markdown", "(%s) |", S(r, "name"));
        has(html, "HTML", " %s</td>", S(r, "name"));
    }
    free(md);
    free(html);
    json_decref(m);
}

/* The sorted set of the TLPs of a list like "green,clear,green": "clear,green". */
static void sorted(char *list, size_t n)
{
    static const char *const order[] = {"clear", "green", "amber", "amber+strict", "red"};
    char out[128] = "", tmp[2100];
    snprintf(tmp, sizeof tmp, ",%s,", list);
    for (int k = 0; k < 5; k++) {
        char w[32];
        snprintf(w, sizeof w, ",%s,", order[k]);
        if (strstr(tmp, w))
            snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", out[0] ? "," : "", order[k]);
    }
    snprintf(list, n, "%s", out);
}

static void test_brief_golden__audience(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("brief_audience");
    store *s = build_store(dir);
    /* in the period: which marked indicators its incidents are related to, counted from the model itself */
    static const struct {
        const char *audience; /* --audience */
        const char *tlps;     /* the levels listed */
    } want[] = {
        {"clear", "clear"},
        {"white", "clear"},
        {"green", "clear,green"}, /* the unmarked ones too: the default collection's TLP is green */
        {"amber", "clear,green,amber"},
        {"amber+strict", "clear,green,amber,amber+strict"},
        {"red", "clear,green,amber,amber+strict,red"},
    };
    char tlps[2048];
    long long total, withheld, all = -1, seen[6];
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        appendix_at(s, want[k].audience, tlps, sizeof tlps, &total, &withheld);
        sorted(tlps, sizeof tlps);
        assert_string_equal(tlps, want[k].tlps);
        if (all < 0)
            all = total + withheld;
        assert_int_equal(total + withheld, all); /* the same indicators, split at another level */
        seen[k] = total;
    }
    assert_true(seen[0] > 0 && seen[0] == seen[1]);
    assert_true(seen[2] > seen[1] && seen[3] > seen[2] && seen[4] > seen[3] && seen[5] > seen[4]);
    assert_int_equal(seen[5], all); /* red: everything but the revoked */

    /* unmarked indicators take their collection's default TLP: amber here, so a green audience loses them */
    long long green_before = seen[2];
    store_share sh;
    vg_error err = {0};
    assert_int_equal(store_share_get(s, STORE_DEFAULT_COLLECTION, &sh, &err), 0);
    snprintf(sh.default_tlp, sizeof sh.default_tlp, "amber");
    assert_int_equal(store_share_set(s, &sh, 0, &err), 0);
    appendix_at(s, "green", tlps, sizeof tlps, &total, &withheld);
    assert_true(total < green_before);
    appendix_at(s, "amber", tlps, sizeof tlps, &total, &withheld);
    assert_int_equal(total, seen[3]);
    store_close(s);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brief_golden__quarter),
        cmocka_unit_test(test_brief_golden__formats_agree),
        cmocka_unit_test(test_brief_golden__audience),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
