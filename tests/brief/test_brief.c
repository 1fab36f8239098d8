/*
 * test_brief.c - the briefing's figures on a small crafted store (headline
 * against the previous period, top list order, categories, sectors, actors,
 * timeline, what is new, courses of action through uses/mitigates), the
 * three renderings (HTML escaped and self-contained), and a briefing of
 * 2022 over the real EuRepoC import.
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
#include "vg_test.h"

static void add_incident(store *s, const char *name, const char *date, const char *sev, const char *cat,
                         const char *sector, const char *actor)
{
    json_t *o;
    vg_error err = {0};
    assert_int_equal(inc_new(NULL, name, &o, &err), 0);
    assert_int_equal(inc_set(o, "first_activity", date, &err), 0);
    assert_int_equal(inc_set(o, "severity", sev, &err), 0);
    assert_int_equal(inc_set(o, "categories", cat, &err), 0);
    assert_int_equal(inc_set(o, "sectors", sector, &err), 0);
    assert_int_equal(inc_put(s, o, NULL, &err), 0);
    if (actor)
        assert_int_equal(inc_link(s, json_string_value(json_object_get(o, "id")), "attributed-to", actor, NULL, 0, &err), 0);
    json_decref(o);
}

static void put_json(store *s, const char *text)
{
    json_t *o = json_loads(text, 0, NULL);
    vg_error err = {0};
    assert_non_null(o);
    assert_int_equal(inc_put(s, o, NULL, &err), 0);
    json_decref(o);
}

#define T "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\",\"spec_version\":\"2.1\""
#define ACTOR "intrusion-set--11111111-1111-4111-8111-111111111111"
#define AP "attack-pattern--22222222-2222-4222-8222-222222222222"
#define COA "course-of-action--33333333-3333-4333-8333-333333333333"

static json_t *find(json_t *a, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (strcmp(json_string_value(json_object_get(x, "name")), name) == 0) return x;
    fail_msg("no %s", name);
    return NULL;
}

#define N(o, k) json_integer_value(json_object_get((o), (k)))

static void test_brief_figures__crafted(void **st)
{
    (void)st;
    char path[4200];
    snprintf(path, sizeof path, "%s/s.db", vg_test_tmpdir("brief_crafted"));
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    assert_int_equal(store_begin(s, &err), 0);
    put_json(s, "{\"type\":\"intrusion-set\",\"id\":\"" ACTOR "\"," T ",\"name\":\"Sandworm <Team>\"}");
    put_json(s, "{\"type\":\"attack-pattern\",\"id\":\"" AP "\"," T ",\"name\":\"Phishing\"}");
    put_json(s, "{\"type\":\"course-of-action\",\"id\":\"" COA "\"," T ",\"name\":\"User Training\","
                "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"M1017\"}]}");
    assert_int_equal(inc_link(s, ACTOR, "uses", AP, NULL, 0, &err), 0);
    assert_int_equal(inc_link(s, COA, "mitigates", AP, NULL, 0, &err), 0);
    /* this period: March 2024 */
    add_incident(s, "Wiper at the grid", "2024-03-02T00:00:00Z", "critical", "disruption", "energy", ACTOR);
    add_incident(s, "Ransomware at a <hospital> & co", "2024-03-10T00:00:00Z", "high", "ransomware", "health", NULL);
    add_incident(s, "Phishing of a ministry", "2024-03-20T00:00:00Z", "high", "espionage", "government", ACTOR);
    /* the previous period: February 2024 (29 days before March 1) */
    add_incident(s, "Earlier espionage", "2024-02-15T00:00:00Z", "medium", "espionage", "government", NULL);
    /* outside both */
    add_incident(s, "Old", "2023-01-01T00:00:00Z", "critical", "espionage", "government", NULL);
    assert_int_equal(store_commit(s, &err), 0);

    brief_opts o = {0};
    assert_int_equal(inc_parse_day("2024-03-01", &o.from, &err), 0);
    assert_int_equal(inc_parse_day("2024-03-31", &o.to, &err), 0);
    json_t *m;
    assert_int_equal(brief_gather(s, &o, &m, &err), 0);
    json_t *h = json_object_get(m, "headline");
    assert_int_equal(N(h, "total"), 3);
    assert_int_equal(N(h, "previous_total"), 1);
    assert_int_equal(N(h, "change"), 2);
    json_t *bs = json_object_get(h, "by_severity");
    assert_int_equal(N(json_array_get(bs, 0), "count"), 1); /* critical */
    assert_int_equal(N(json_array_get(bs, 1), "count"), 2); /* high */
    assert_int_equal(N(json_array_get(bs, 2), "previous"), 1); /* medium */
    json_t *top = json_object_get(m, "top");
    assert_int_equal(json_array_size(top), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "name")), "Wiper at the grid");
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 1), "name")), "Phishing of a ministry");
    json_t *esp = find(json_object_get(m, "by_category"), "espionage");
    assert_int_equal(N(esp, "count"), 1);
    assert_int_equal(N(esp, "previous"), 1);
    assert_int_equal(N(find(json_object_get(m, "by_sector"), "government"), "change"), 0);
    json_t *act = find(json_object_get(m, "by_actor"), "Sandworm <Team>");
    assert_int_equal(N(act, "count"), 2);
    json_t *tl = json_object_get(m, "timeline");
    assert_string_equal(json_string_value(json_object_get(tl, "unit")), "day");
    assert_int_equal(json_array_size(json_object_get(tl, "buckets")), 30);
    assert_int_equal(N(json_array_get(json_object_get(tl, "buckets"), 1), "count"), 1);
    json_t *coa = json_array_get(json_object_get(json_object_get(m, "actions"), "courses_of_action"), 0);
    assert_non_null(coa);
    assert_string_equal(json_string_value(json_object_get(coa, "external_id")), "M1017");
    assert_int_equal(N(coa, "score"), 2);

    /* what is new: everything was added now, so a period around today sees it */
    brief_opts o2 = {0};
    o2.to = vg_time_now(0);
    o2.to.sec += 60;
    o2.from = o2.to;
    o2.from.sec -= 3600;
    json_t *m2;
    assert_int_equal(brief_gather(s, &o2, &m2, &err), 0);
    json_t *nt = json_object_get(json_object_get(m2, "new"), "by_type");
    assert_int_equal(N(find(nt, "incident"), "count"), 5);
    assert_int_equal(N(find(nt, "intrusion-set"), "count"), 1);
    json_decref(m2);

    /* the renderings: escaped, self-contained */
    char out[4300];
    snprintf(out, sizeof out, "%s/b.html", vg_test_tmpdir("brief_render"));
    FILE *f = fopen(out, "w");
    assert_int_equal(brief_render(m, BRIEF_HTML, f, &err), 0);
    fclose(f);
    size_t n;
    char *html = vg_test_read_file(out, &n);
    assert_non_null(strstr(html, "Ransomware at a &lt;hospital&gt; &amp; co"));
    assert_null(strstr(html, "<hospital>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_non_null(strstr(html, "<svg"));
    free(html);
    f = fopen(out, "w");
    assert_int_equal(brief_render(m, BRIEF_MD, f, &err), 0);
    fclose(f);
    char *md = vg_test_read_file(out, &n);
    assert_non_null(strstr(md, "**3 incidents** (+2 against the previous period: 1)"));
    assert_non_null(strstr(md, "Sandworm \\<Team\\>"));
    free(md);
    json_decref(m);
    o.to = o.from;
    assert_int_equal(brief_gather(s, &o, &m, &err), VG_E_USAGE);
    store_close(s);
}

static void test_brief_realdata__eurepoc_2022(void **st)
{
    (void)st;
    const char *shared = vg_test_shared();
    const char *dir = vg_test_tmpdir("brief_real");
    char db[4200], map[4200], csv[4200], out[4200];
    snprintf(db, sizeof db, "%s/s.db", dir);
    snprintf(map, sizeof map, "%s/mappings/eurepoc.map", getenv("VIGIL_SRC") ? getenv("VIGIL_SRC") : "..");
    snprintf(csv, sizeof csv, "%s/data/incidents/eurepoc/EuRepoC_Global_Database_1.1.csv", shared);
    snprintf(out, sizeof out, "%s/b.html", dir);
    store *s;
    inc_mapping *m;
    vg_error err = {0};
    inc_import_stats is = {0};
    assert_int_equal(inc_mapping_load(map, &m, &err), 0);
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    assert_int_equal(inc_import_csv(s, m, csv, NULL, NULL, &is, &err), 0);
    inc_mapping_free(m);
    brief_opts o = {0};
    assert_int_equal(inc_parse_day("2022-01-01", &o.from, &err), 0);
    assert_int_equal(inc_parse_day("2023-01-01", &o.to, &err), 0);
    json_t *model;
    assert_int_equal(brief_gather(s, &o, &model, &err), 0);
    /* the total equals the incidents listed for the year, and the severities add up to it */
    inc_filter f;
    inc_filter_init(&f);
    f.has_from = f.has_to = 1;
    f.from = o.from;
    f.to = o.to;
    inc_list l;
    assert_int_equal(inc_load(s, &f, &l, &err), 0);
    json_t *h = json_object_get(model, "headline");
    assert_int_equal(N(h, "total"), (json_int_t)l.n);
    assert_true(l.n > 100);
    json_int_t sum = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(h, "by_severity"), i, x) sum += N(x, "count");
    assert_int_equal(sum, (json_int_t)l.n);
    json_int_t tl = 0;
    json_array_foreach(json_object_get(json_object_get(model, "timeline"), "buckets"), i, x) tl += N(x, "count");
    assert_int_equal(tl, (json_int_t)l.n);
    inc_list_free(&l);
    for (int fmt = BRIEF_JSON; fmt <= BRIEF_HTML; fmt++) {
        FILE *fp = fopen(out, "w");
        assert_int_equal(brief_render(model, fmt, fp, &err), 0);
        fclose(fp);
    }
    json_decref(model);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brief_figures__crafted),
        cmocka_unit_test(test_brief_realdata__eurepoc_2022),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
