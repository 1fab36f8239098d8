/*
 * cmd_incident.c - vigil incident: list, show, new, set, link, close incidents;
 * import incident history from CSV with a mapping file; roll sightings up
 * into incidents (correlate). Thin over src/incident/incident.h.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "incident/incident.h"
#include "store/store.h"

static const char usage[] =
    "usage: vigil incident list [--from DATE] [--to DATE] [--severity S] [--sector S] [--category C]\n"
    "                           [--actor NAME] [--status S] [--limit N] [--json]\n"
    "       vigil incident show ID [--json]\n"
    "       vigil incident new NAME [PROP=VALUE]...\n"
    "       vigil incident set ID PROP=VALUE...\n"
    "       vigil incident link ID OBJECT-ID... [--type RELATIONSHIP]\n"
    "       vigil incident close ID\n"
    "       vigil incident import --mapping FILE CSV\n"
    "       vigil incident correlate [--rules FILE]\n"
    "  (every form takes --store PATH; new, set, close and correlate take\n"
    "   --alerts FILE, default $VIGIL_ALERTS, else threshold high and no channel)\n"
    "\n"
    "Incidents are STIX 2.1 incident objects with vigil's extension (docs/formats/\n"
    "incident-extension.md). PROP is severity (1-5 or minimal, low, medium, high,\n"
    "critical), status (open, investigating, contained, closed), categories, sectors,\n"
    "countries (comma-separated; +x adds, -x removes), first_activity, last_activity,\n"
    "name or description. Every change stores a new version of the incident.\n"
    "list: --from/--to select on first activity (from <= date < to; YYYY-MM-DD or\n"
    "RFC 3339), --severity keeps that severity and above, --actor matches a name, an\n"
    "alias or an id. link: relates the incident to sightings, indicators, malware,\n"
    "intrusion sets, threat actors, campaigns or identities (victims); the\n"
    "relationship type follows from the target (attributed-to, uses, targets,\n"
    "related-to) unless --type is given.\n"
    "import: each CSV row becomes one incident (docs/formats/mapping.md); rejected\n"
    "rows are listed with their row number and why; exit 1 if any was rejected.\n"
    "correlate: joins sightings into incidents by the rules (docs/internals/incident.md).\n"
    "An incident opened, or raised to a severity at or above the alert threshold,\n"
    "queues an alert with the change; 'vigil alert deliver' sends it (docs/internals/alerts.md).\n";

static int fail(const char *cmd, vg_error *err)
{
    cli_print_error(cmd, err);
    return CLI_EXIT_FAIL;
}

enum { O_STORE = 1000, O_FROM, O_TO, O_SEV, O_SECTOR, O_CAT, O_ACTOR, O_STATUS, O_LIMIT, O_JSON, O_TYPE,
       O_MAPPING, O_RULES, O_ALERTS, O_HELP };

typedef struct opts {
    const char *store, *actor, *type, *mapping, *rules, *alerts;
    inc_filter f;
    size_t limit;
    int json;
} opts;

/* Parses options (anywhere on the line); leaves operands in argv[optind..]. -1: exit with 2, 1: help shown. */
static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, O_STORE},   {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},         {"severity", required_argument, NULL, O_SEV},
        {"sector", required_argument, NULL, O_SECTOR}, {"category", required_argument, NULL, O_CAT},
        {"actor", required_argument, NULL, O_ACTOR},   {"status", required_argument, NULL, O_STATUS},
        {"limit", required_argument, NULL, O_LIMIT},   {"json", no_argument, NULL, O_JSON},
        {"type", required_argument, NULL, O_TYPE},     {"mapping", required_argument, NULL, O_MAPPING},
        {"rules", required_argument, NULL, O_RULES},   {"help", no_argument, NULL, O_HELP},
        {"alerts", required_argument, NULL, O_ALERTS},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    inc_filter_init(&o->f);
    o->limit = 100;
    vg_error err = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_STORE: o->store = optarg; break;
        case O_FROM:
            if (inc_parse_day(optarg, &o->f.from, &err))
                goto bad;
            o->f.has_from = 1;
            break;
        case O_TO:
            if (inc_parse_day(optarg, &o->f.to, &err))
                goto bad;
            o->f.has_to = 1;
            break;
        case O_SEV:
            if (inc_severity_parse(optarg, &o->f.min_severity, &err))
                goto bad;
            break;
        case O_SECTOR:
            if ((o->f.sector = inc_sector_index(optarg)) < 0) {
                vg_error_set(&err, VG_E_USAGE, "no sector \"%s\" (see docs/formats/incident-extension.md)", optarg);
                goto bad;
            }
            break;
        case O_CAT:
            if ((o->f.category = inc_category_index(optarg)) < 0) {
                vg_error_set(&err, VG_E_USAGE, "no category \"%s\"", optarg);
                goto bad;
            }
            break;
        case O_STATUS:
            if ((o->f.status = inc_status_index(optarg)) < 0) {
                vg_error_set(&err, VG_E_USAGE, "no status \"%s\": open, investigating, contained, closed", optarg);
                goto bad;
            }
            o->f.has_status = 1;
            break;
        case O_ACTOR: o->f.actor = optarg; break;
        case O_LIMIT: o->limit = strtoull(optarg, NULL, 10); break;
        case O_JSON: o->json = 1; break;
        case O_TYPE: o->type = optarg; break;
        case O_MAPPING: o->mapping = optarg; break;
        case O_RULES: o->rules = optarg; break;
        case O_ALERTS: o->alerts = optarg; break;
        case 'h':
        case O_HELP: fputs(usage, stdout); return 1;
        default: fputs(usage, stderr); return -1;
        }
    }
    return 0;
bad:
    cli_print_error("incident", &err);
    return -1;
}

static void mask_names(uint64_t mask, int cat, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    size_t lim = cat ? INC_NCATEGORY : inc_nsectors;
    for (size_t i = 0; i < lim; i++)
        if (mask & (1ull << i)) {
            int w = snprintf(out + k, n - k, "%s%s", k ? "," : "", cat ? inc_categories[i].name : inc_sectors[i].name);
            if (w < 0 || (size_t)w >= n - k)
                break;
            k += (size_t)w;
        }
    if (!k)
        snprintf(out, n, "-");
}

static json_t *strings(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int do_list(opts *o)
{
    vg_error err = {0};
    store *s = NULL;
    inc_list l = {0};
    int rc = store_open(cli_store_path(o->store), STORE_READONLY, &s, &err);
    if (!rc)
        rc = inc_load(s, &o->f, &l, &err);
    store_close(s);
    if (rc)
        return fail("incident list", &err);
    for (size_t i = 0; i < l.n && (!o->limit || i < o->limit); i++) {
        inc_record *r = &l.v[i];
        char date[VG_TIME_MAX], cats[512], secs[512];
        vg_time_format_digits(&r->date, 0, date);
        mask_names(r->categories, 1, cats, sizeof cats);
        mask_names(r->sectors, 0, secs, sizeof secs);
        if (o->json) {
            json_t *j = json_pack("{s:s,s:s,s:s,s:i,s:s?}", "id", r->id, "name", r->name, "date", date, "severity",
                                  r->severity, "status", r->status >= 0 ? inc_statuses[r->status] : NULL);
            json_t *c = json_array(), *se = json_array(), *co = json_array();
            for (int k = 0; k < INC_NCATEGORY; k++)
                if (r->categories & (1u << k))
                    json_array_append_new(c, json_string(inc_categories[k].name));
            for (size_t k = 0; k < inc_nsectors; k++)
                if (r->sectors & (1ull << k))
                    json_array_append_new(se, json_string(inc_sectors[k].name));
            for (size_t k = 0; r->countries[k]; k += 2)
                json_array_append_new(co, json_stringn(r->countries + k, 2));
            json_object_set_new(j, "categories", c);
            json_object_set_new(j, "sectors", se);
            json_object_set_new(j, "countries", co);
            json_object_set_new(j, "actors", strings(r->actors, r->nactors));
            char *t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (t)
                puts(t);
            free(t);
            json_decref(j);
        } else {
            char actors[256] = "-";
            if (r->nactors)
                snprintf(actors, sizeof actors, "%s%s", r->actors[0], r->nactors > 1 ? ",…" : "");
            printf("%.10s  %-8s  %-13s  %-24.24s  %-24.24s  %-8.8s  %-20.20s  %s\n", date,
                   inc_severity_name(r->severity), r->status >= 0 ? inc_statuses[r->status] : "-", cats, secs,
                   r->countries[0] ? r->countries : "-", actors, r->name);
        }
    }
    if (!o->json && o->limit && l.n > o->limit)
        printf("... %zu more incidents; use --limit 0 to list all\n", l.n - o->limit);
    inc_list_free(&l);
    return CLI_EXIT_OK;
}

static int do_show(opts *o, const char *id)
{
    vg_error err = {0};
    store *s = NULL;
    json_t *obj = NULL;
    int rc = store_open(cli_store_path(o->store), STORE_READONLY, &s, &err);
    if (!rc)
        rc = inc_get(s, id, &obj, &err);
    inc_list l = {0};
    inc_filter f;
    inc_filter_init(&f);
    if (!rc)
        rc = inc_load(s, &f, &l, &err);
    store_close(s);
    if (rc) {
        json_decref(obj);
        return fail("incident show", &err);
    }
    if (o->json) {
        char *t = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (t)
            puts(t);
        free(t);
    } else {
        json_t *ext = inc_ext(obj);
        printf("id:          %s\nname:        %s\nmodified:    %s\n", id,
               json_string_value(json_object_get(obj, "name")) ?: "",
               json_string_value(json_object_get(obj, "modified")) ?: "");
        json_t *sv = json_object_get(ext, "severity");
        printf("severity:    %s\nstatus:      %s\n", sv ? inc_severity_name((int)json_integer_value(sv)) : "-",
               json_string_value(json_object_get(ext, "status")) ?: "-");
        const char *lists[] = {"categories", "sectors", "countries"};
        for (int i = 0; i < 3; i++) {
            char *t = json_dumps(json_object_get(ext, lists[i]), JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%-12s %s\n", lists[i], t ? t : "[]");
            free(t);
        }
        printf("first:       %s\nlast:        %s\n", json_string_value(json_object_get(ext, "first_activity")) ?: "-",
               json_string_value(json_object_get(ext, "last_activity")) ?: "-");
        for (size_t i = 0; i < l.n; i++)
            if (strcmp(l.v[i].id, id) == 0) {
                for (size_t k = 0; k < l.v[i].nactors; k++)
                    printf("actor:       %s (%s)\n", l.v[i].actors[k], l.v[i].actor_ids[k]);
                for (size_t k = 0; k < l.v[i].nmalware; k++)
                    printf("malware:     %s\n", l.v[i].malware_ids[k]);
                for (size_t k = 0; k < l.v[i].nvictims; k++)
                    printf("victim:      %s\n", l.v[i].victims[k]);
            }
        const char *d = json_string_value(json_object_get(obj, "description"));
        if (d)
            printf("\n%s\n", d);
    }
    json_decref(obj);
    inc_list_free(&l);
    return CLI_EXIT_OK;
}

/* The alerts config: --alerts FILE, else $VIGIL_ALERTS, else the defaults. */
static int load_alerts(const char *opt, inc_alerts **out, vg_error *err)
{
    const char *path = opt ? opt : getenv("VIGIL_ALERTS");
    return path && *path ? inc_alerts_load(path, out, err) : inc_alerts_default(out, err);
}

/* Applies PROP=VALUE settings; for an existing incident stores a new version. */
static int change(opts *o, const char *cmd, const char *id, const char *name, char **sets, int nsets)
{
    vg_error err = {0};
    store *s = NULL;
    json_t *obj = NULL;
    vg_time prev = {0};
    inc_alerts *alerts = NULL;
    int prev_sev = INC_ALERT_NEW, queued = 0;
    int rc = load_alerts(o->alerts, &alerts, &err);
    if (!rc)
        rc = store_open(cli_store_path(o->store), STORE_CREATE, &s, &err);
    if (!rc)
        rc = name ? inc_new(NULL, name, &obj, &err) : inc_get(s, id, &obj, &err);
    if (!rc && !name)
        prev_sev = (int)json_integer_value(json_object_get(inc_ext(obj), "severity"));
    if (!rc && !name) {
        const char *m = json_string_value(json_object_get(obj, "modified"));
        if (!m || vg_time_parse(m, strlen(m), VG_TIME_STIX, &prev, NULL))
            rc = vg_error_set(&err, VG_E_INVALID, "%s has no valid modified timestamp", id);
        if (!rc && !inc_ext(obj))
            rc = vg_error_set(&err, VG_E_INVALID, "%s is not an incident of vigil's extension", id);
    }
    for (int i = 0; !rc && i < nsets; i++) {
        char *eq = strchr(sets[i], '=');
        if (!eq) {
            rc = vg_error_set(&err, VG_E_USAGE, "expected PROP=VALUE, got \"%s\"", sets[i]);
            break;
        }
        *eq = '\0';
        rc = inc_set(obj, sets[i], eq + 1, &err);
        if (rc)
            vg_error_where(&err, "%s", sets[i]);
    }
    if (!rc && !name)
        rc = inc_touch(obj, &prev) ? vg_error_set(&err, VG_E_NOMEM, "out of memory") : 0;
    if (!rc) {
        stix_issues is = {0};
        rc = inc_validate(obj, &is);
        if (!rc && is.errors) {
            for (size_t i = 0; i < is.n; i++)
                if (is.v[i].severity == STIX_ISSUE_ERROR) {
                    rc = vg_error_set(&err, VG_E_INVALID, "%s", is.v[i].msg);
                    vg_error_where(&err, "%s", is.v[i].path);
                    break;
                }
        }
        stix_issues_free(&is);
    }
    if (!rc)
        rc = store_begin(s, &err);
    if (!rc)
        rc = inc_ensure_meta(s, &err);
    if (!rc)
        rc = inc_put(s, obj, NULL, &err);
    if (!rc)
        rc = inc_alert_check(s, alerts, prev_sev, obj, &queued, &err);
    if (!rc)
        rc = store_commit(s, &err);
    else if (s)
        store_rollback(s);
    if (!rc)
        printf("%s\n", json_string_value(json_object_get(obj, "id")));
    if (!rc && queued)
        fprintf(stderr, "vigil: %s: an alert was queued ('vigil alert deliver' sends it)\n", cmd);
    inc_alerts_free(alerts);
    json_decref(obj);
    store_close(s);
    return rc ? fail(cmd, &err) : CLI_EXIT_OK;
}

static int do_link(opts *o, const char *id, char **targets, int n)
{
    vg_error err = {0};
    store *s = NULL;
    json_t *inc = NULL;
    int rc = store_open(cli_store_path(o->store), STORE_CREATE, &s, &err);
    if (!rc)
        rc = inc_get(s, id, &inc, &err);
    json_decref(inc);
    if (!rc)
        rc = store_begin(s, &err);
    for (int i = 0; !rc && i < n; i++) {
        json_t *t = NULL;
        rc = inc_get(s, targets[i], &t, &err);
        if (rc)
            break;
        const char *type = json_string_value(json_object_get(t, "type"));
        const char *rt = o->type ? o->type : inc_link_type(type ? type : "");
        char rid[128];
        rc = inc_link(s, id, rt, targets[i], rid, sizeof rid, &err);
        if (!rc)
            printf("%s %s %s (%s)\n", id, rt, targets[i], rid);
        json_decref(t);
    }
    if (!rc)
        rc = store_commit(s, &err);
    else if (s)
        store_rollback(s);
    store_close(s);
    return rc ? fail("incident link", &err) : CLI_EXIT_OK;
}

static void on_reject(const inc_reject *r, void *ctx)
{
    (void)ctx;
    char buf[VG_ERR_MSG_MAX * 2 + VG_ERR_WHERE_MAX];
    printf("rejected row %llu (line %llu): %s\n", (unsigned long long)r->row, (unsigned long long)r->line,
           vg_error_format(r->why, buf, sizeof buf));
}

static int do_import(opts *o, const char *csv)
{
    vg_error err = {0};
    if (!o->mapping) {
        vg_error_set(&err, VG_E_USAGE, "import needs --mapping FILE (see mappings/ and docs/formats/mapping.md)");
        return fail("incident import", &err);
    }
    inc_mapping *m = NULL;
    store *s = NULL;
    inc_import_stats st = {0};
    int rc = inc_mapping_load(o->mapping, &m, &err);
    if (!rc)
        rc = store_open(cli_store_path(o->store), STORE_CREATE, &s, &err);
    if (!rc)
        rc = inc_import_csv(s, m, csv, on_reject, NULL, &st, &err);
    store_close(s);
    inc_mapping_free(m);
    if (rc)
        return fail("incident import", &err);
    printf("%llu rows: %llu incidents imported, %llu unchanged, %llu rejected; %llu actors created, %llu links\n",
           (unsigned long long)st.rows, (unsigned long long)st.imported, (unsigned long long)st.unchanged,
           (unsigned long long)st.rejected, (unsigned long long)st.actors, (unsigned long long)st.links);
    return st.rejected ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static int do_correlate(opts *o)
{
    vg_error err = {0};
    inc_rules *r = NULL;
    inc_alerts *alerts = NULL;
    store *s = NULL;
    inc_correlate_stats st = {0};
    int rc = o->rules ? inc_rules_load(o->rules, &r, &err) : inc_rules_default(&r, &err);
    if (!rc)
        rc = load_alerts(o->alerts, &alerts, &err);
    if (!rc)
        rc = store_open(cli_store_path(o->store), STORE_CREATE, &s, &err);
    if (!rc)
        rc = inc_correlate(s, r, alerts, &st, &err);
    store_close(s);
    inc_rules_free(r);
    inc_alerts_free(alerts);
    if (rc)
        return fail("incident correlate", &err);
    printf("%llu sightings: %llu joined to incidents (%llu opened, %llu updated), %llu skipped\n",
           (unsigned long long)st.sightings, (unsigned long long)st.linked, (unsigned long long)st.opened,
           (unsigned long long)st.updated, (unsigned long long)st.skipped);
    return CLI_EXIT_OK;
}

int cmd_incident(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    const char *sub = argv[1];
    opts o;
    int p = parse(argc - 1, argv + 1, &o);
    if (p)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    char **rest = argv + 1 + optind;
    int nrest = argc - 1 - optind;
    if (strcmp(sub, "list") == 0 && nrest == 0)
        return do_list(&o);
    if (strcmp(sub, "show") == 0 && nrest == 1)
        return do_show(&o, rest[0]);
    if (strcmp(sub, "new") == 0 && nrest >= 1)
        return change(&o, "incident new", NULL, rest[0], rest + 1, nrest - 1);
    if (strcmp(sub, "set") == 0 && nrest >= 2)
        return change(&o, "incident set", rest[0], NULL, rest + 1, nrest - 1);
    if (strcmp(sub, "close") == 0 && nrest == 1) {
        char st[] = "status=closed";
        char *sets[] = {st};
        return change(&o, "incident close", rest[0], NULL, sets, 1);
    }
    if (strcmp(sub, "link") == 0 && nrest >= 2)
        return do_link(&o, rest[0], rest + 1, nrest - 1);
    if (strcmp(sub, "import") == 0 && nrest == 1)
        return do_import(&o, rest[0]);
    if (strcmp(sub, "correlate") == 0 && nrest == 0)
        return do_correlate(&o);
    fputs(usage, stderr);
    return CLI_EXIT_FAIL;
}
