/*
 * phone_output.c - a check's results as files in a folder (`--output DIR`):
 *
 *   info.json         the device, each artifact's state and counts
 *   findings.json     every finding (level, artifact, record, value, indicator, time)
 *   <artifact>.json   every value the artifact looked up and every event it
 *                     described, in the order read (needs opts.collect)
 *   timeline.csv      values, events and findings that have a time, sorted by it
 *   report.html       one self-contained page: inline CSS, no script, no
 *                     outside request, every text HTML-escaped
 *
 * Works on any phone_report (iOS or Android). Nothing here prints.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define HTML_TIMELINE_MAX 5000 /* rows of the timeline in the page (the CSV has them all) */

static const char *state_name(int s)
{
    return s == PHONE_READ ? "read" : s == PHONE_FAILED ? "failed" : "absent";
}

static const char *kind_of(int kind)
{
    return kind == IDX_K_NONE ? "event" : idx_kind_name(kind);
}

static json_t *time_json(int has, const vg_time *t)
{
    if (!has)
        return json_null();
    char b[VG_TIME_MAX];
    vg_time_format(t, b);
    return json_string(b);
}

static int dump(json_t *j, const char *dir, const char *name, vg_error *err)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (!j)
        return vg_error_set(err, VG_E_NOMEM, "out of memory writing %s", p);
    int bad = json_dump_file(j, p, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return bad ? vg_error_set(err, VG_E_IO, "cannot write %s: %s", p, strerror(errno)) : 0;
}

static json_t *finding_json(const idx *x, const phone_finding *f)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "level", phone_level_name(f->level), "artifact", f->artifact,
                          "message", f->message, "source", f->source, "record", f->record, "value", f->value);
    if (!o)
        return NULL;
    json_object_set_new(o, "time", time_json(f->has_time, &f->time));
    if (f->indicator >= 0) {
        json_object_set_new(o, "kind", json_string(idx_kind_name(f->kind)));
        json_object_set_new(o, "indicator", json_string(idx_indicator_id(x, (uint32_t)f->indicator)));
        char nb[256];
        const char *n = phone_indicator_label(x, (uint32_t)f->indicator, nb, sizeof nb);
        if (n[0])
            json_object_set_new(o, "indicator_name", json_string(n));
    }
    return o;
}

static json_t *info_json(const phone_report *r)
{
    const phone_device *d = &r->device;
    json_t *dev = json_object(), *arts = json_array();
    const struct {
        const char *k, *v;
    } dk[] = {{"os", d->os ? d->os : "iOS"}, {"name", d->name},       {"product_type", d->product_type},
              {"product_version", d->product_version}, {"build_version", d->build_version},
              {"serial", d->serial},     {"udid", d->udid}};
    for (size_t i = 0; i < sizeof dk / sizeof dk[0]; i++)
        if (dk[i].v)
            json_object_set_new(dev, dk[i].k, json_string(dk[i].v));
    if (d->has_backup_date)
        json_object_set_new(dev, "backup_date", time_json(1, &d->backup_date));
    for (size_t i = 0; i < r->nartifacts; i++) {
        const phone_artifact *a = &r->artifacts[i];
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", a->name, "state", state_name(a->state), "files",
                              (json_int_t)a->files, "records", (json_int_t)a->records, "values",
                              (json_int_t)a->values);
        if (o && a->error)
            json_object_set_new(o, "error", json_string(a->error));
        json_array_append_new(arts, o);
    }
    return json_pack("{s:o,s:o,s:I,s:I,s:I}", "device", dev, "artifacts", arts, "values", (json_int_t)r->values,
                     "hits", (json_int_t)r->hits, "findings", (json_int_t)r->nfindings);
}

/* One JSON file per artifact that kept events. */
static int artifact_files(const phone_report *r, const char *dir, vg_error *err)
{
    int rc = 0;
    for (size_t a = 0; !rc && a < r->nartifacts; a++) {
        const char *name = r->artifacts[a].name;
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < r->nevents; i++) {
            const phone_event *e = &r->events[i];
            if (strcmp(e->artifact, name) != 0)
                continue;
            json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "source", e->source, "record", e->record, "kind",
                                  kind_of(e->kind), "value", e->value);
            if (o)
                json_object_set_new(o, "time", time_json(e->has_time, &e->time));
            json_array_append_new(arr, o);
        }
        if (arr && json_array_size(arr) == 0) {
            json_decref(arr);
            continue;
        }
        char file[300];
        snprintf(file, sizeof file, "%s.json", name);
        rc = dump(arr, dir, file, err);
    }
    return rc;
}

/* ---- the timeline ------------------------------------------------------------- */

typedef struct row {
    const vg_time *t;          /* its time */
    const phone_event *e;      /* an event or value, or */
    const phone_finding *f;    /* a finding */
    size_t seq;                /* order read, for ties */
} row;

static int cmp_row(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    int c = vg_time_cmp(a->t, b->t);
    return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The timed rows, sorted; *n their count. NULL with n 0 when there are none or memory ran out (*oom). */
static row *timeline(const phone_report *r, size_t *n, int *oom)
{
    *n = 0;
    *oom = 0;
    size_t cap = r->nevents + r->nfindings;
    row *rows = cap ? vg_malloc(cap * sizeof *rows) : NULL;
    if (cap && !rows) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].has_time)
            rows[(*n)++] = (row){&r->events[i].time, &r->events[i], NULL, i};
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].has_time)
            rows[(*n)++] = (row){&r->findings[i].time, NULL, &r->findings[i], r->nevents + i};
    qsort(rows, *n, sizeof *rows, cmp_row);
    return rows;
}

/* A CSV field: quoted when it holds a comma, quote or line break (quotes doubled). */
static void csv_field(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static int write_csv(const idx *x, const row *rows, size_t n, const char *dir, vg_error *err)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/timeline.csv", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        return vg_error_set(err, VG_E_IO, "cannot write %s: %s", p, strerror(errno));
    fputs("time,artifact,type,source,record,value,detail\n", f);
    for (size_t i = 0; i < n; i++) {
        char t[VG_TIME_MAX], type[64];
        vg_time_format(rows[i].t, t);
        csv_field(f, t, 0);
        if (rows[i].e) {
            const phone_event *e = rows[i].e;
            csv_field(f, e->artifact, 0);
            csv_field(f, kind_of(e->kind), 0);
            csv_field(f, e->source, 0);
            csv_field(f, e->record, 0);
            csv_field(f, e->value, 0);
            csv_field(f, "", 1);
        } else {
            const phone_finding *g = rows[i].f;
            snprintf(type, sizeof type, "finding %s", phone_level_name(g->level));
            csv_field(f, g->artifact, 0);
            csv_field(f, type, 0);
            csv_field(f, g->source, 0);
            csv_field(f, g->record, 0);
            csv_field(f, g->value, 0);
            csv_field(f, g->indicator >= 0 ? idx_indicator_id(x, (uint32_t)g->indicator) : g->message, 1);
        }
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return vg_error_set(err, VG_E_IO, "cannot write %s", p);
    return 0;
}

/* ---- the page ----------------------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void td(FILE *f, const char *s)
{
    fputs("<td>", f);
    esc(f, s);
    fputs("</td>", f);
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1d1d1f;background:#fff}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}"
    "th,td{border:1px solid #d2d2d7;padding:.3em .5em;text-align:left;vertical-align:top;word-break:break-word}"
    "th{background:#f5f5f7}.critical{background:#ffd7d5}.high{background:#ffe3c2}.medium{background:#fff4c2}"
    ".low{background:#eef6ff}.informational{background:#f5f5f7}.failed{color:#b00020}"
    ".counts span{display:inline-block;margin-right:1em;padding:.2em .6em;border-radius:4px}"
    "code{font-family:ui-monospace,monospace;font-size:.95em}";

static void html_findings(FILE *f, const idx *x, const phone_report *r)
{
    fputs("<h2>Findings</h2>\n", f);
    if (!r->nfindings) {
        fputs("<p>None.</p>\n", f);
        return;
    }
    fputs("<table id=\"findings\"><tr><th>level</th><th>time (UTC)</th><th>artifact</th>"
          "<th>source and record</th><th>what</th></tr>\n", f);
    for (int lv = PHONE_CRITICAL; lv >= PHONE_INFO; lv--)
        for (size_t i = 0; i < r->nfindings; i++) {
            const phone_finding *g = &r->findings[i];
            if (g->level != lv)
                continue;
            char t[VG_TIME_MAX] = "";
            if (g->has_time)
                vg_time_format(&g->time, t);
            fprintf(f, "<tr class=\"%s\">", phone_level_name(g->level));
            td(f, phone_level_name(g->level));
            td(f, t);
            td(f, g->artifact);
            fputs("<td><code>", f);
            esc(f, g->source);
            fputs("</code><br>", f);
            esc(f, g->record);
            fputs("</td><td>", f);
            esc(f, g->message);
            if (g->indicator >= 0) {
                fputs("<br><code>", f);
                esc(f, idx_indicator_id(x, (uint32_t)g->indicator));
                fputs("</code>", f);
            }
            fputs("</td></tr>\n", f);
        }
    fputs("</table>\n", f);
}

static void html_artifacts(FILE *f, const phone_report *r)
{
    fputs("<h2>Artifacts</h2>\n<table id=\"artifacts\"><tr><th>artifact</th><th>state</th><th>files</th>"
          "<th>records</th><th>values</th><th>error</th></tr>\n", f);
    for (size_t i = 0; i < r->nartifacts; i++) {
        const phone_artifact *a = &r->artifacts[i];
        char n[3][32];
        snprintf(n[0], sizeof n[0], "%llu", (unsigned long long)a->files);
        snprintf(n[1], sizeof n[1], "%llu", (unsigned long long)a->records);
        snprintf(n[2], sizeof n[2], "%llu", (unsigned long long)a->values);
        fprintf(f, "<tr class=\"%s\">", a->state == PHONE_FAILED ? "failed" : "");
        td(f, a->name);
        td(f, state_name(a->state));
        td(f, n[0]);
        td(f, n[1]);
        td(f, n[2]);
        td(f, a->error ? a->error : "");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void html_timeline(FILE *f, const idx *x, const row *rows, size_t n)
{
    fprintf(f, "<h2>Timeline</h2>\n<p>%zu timed records", n);
    if (n > HTML_TIMELINE_MAX)
        fprintf(f, ", the first %d shown", HTML_TIMELINE_MAX);
    fputs("; timeline.csv has them all.</p>\n", f);
    fputs("<table id=\"timeline\"><tr><th>time (UTC)</th><th>artifact</th><th>type</th><th>record</th>"
          "<th>value</th></tr>\n", f);
    for (size_t i = 0; i < n && i < HTML_TIMELINE_MAX; i++) {
        char t[VG_TIME_MAX];
        vg_time_format(rows[i].t, t);
        if (rows[i].e) {
            const phone_event *e = rows[i].e;
            fputs("<tr>", f);
            td(f, t);
            td(f, e->artifact);
            td(f, kind_of(e->kind));
            td(f, e->record);
            td(f, e->value);
        } else {
            const phone_finding *g = rows[i].f;
            fprintf(f, "<tr class=\"%s\">", phone_level_name(g->level));
            td(f, t);
            td(f, g->artifact);
            td(f, phone_level_name(g->level));
            td(f, g->record);
            td(f, g->indicator >= 0 ? idx_indicator_id(x, (uint32_t)g->indicator) : g->message);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int write_html(const idx *x, const phone_report *r, const row *rows, size_t n, const char *dir,
                      vg_error *err)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/report.html", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        return vg_error_set(err, VG_E_IO, "cannot write %s: %s", p, strerror(errno));
    const phone_device *d = &r->device;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
               "<title>vigil phone check</title><style>%s</style></head><body>\n", css);
    fputs("<h1>vigil phone check: ", f);
    esc(f, d->os ? d->os : "iOS");
    if (d->product_type || d->product_version) {
        fputs(", ", f);
        esc(f, d->product_type ? d->product_type : "?");
        fputs(" ", f);
        esc(f, d->product_version ? d->product_version : "");
    }
    fputs("</h1>\n<p>", f);
    if (d->name) {
        esc(f, d->name);
        fputs("; ", f);
    }
    if (d->has_backup_date) {
        char t[VG_TIME_MAX];
        vg_time_format(&d->backup_date, t);
        fputs("backed up ", f);
        esc(f, t);
        fputs("; ", f);
    }
    fprintf(f, "%llu values looked up, %llu indicator hits, %zu findings.</p>\n<p class=\"counts\">",
            (unsigned long long)r->values, (unsigned long long)r->hits, r->nfindings);
    for (int lv = PHONE_CRITICAL; lv >= PHONE_INFO; lv--) {
        size_t k = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            k += r->findings[i].level == lv;
        fprintf(f, "<span class=\"%s\">%s: %zu</span>", phone_level_name(lv), phone_level_name(lv), k);
    }
    fputs("</p>\n", f);
    html_findings(f, x, r);
    html_artifacts(f, r);
    html_timeline(f, x, rows, n);
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return vg_error_set(err, VG_E_IO, "cannot write %s", p);
    return 0;
}

int phone_write_output(const idx *x, const phone_report *r, const char *dir, vg_error *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return vg_error_set(err, VG_E_IO, "cannot make %s: %s", dir, strerror(errno));
    int rc = dump(info_json(r), dir, "info.json", err);
    json_t *fs = json_array();
    for (size_t i = 0; fs && i < r->nfindings; i++)
        json_array_append_new(fs, finding_json(x, &r->findings[i]));
    if (!rc)
        rc = dump(fs, dir, "findings.json", err);
    else
        json_decref(fs);
    if (!rc)
        rc = artifact_files(r, dir, err);
    size_t n = 0;
    int oom = 0;
    row *rows = rc ? NULL : timeline(r, &n, &oom);
    if (!rc && oom)
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory sorting the timeline");
    if (!rc)
        rc = write_csv(x, rows, n, dir, err);
    if (!rc)
        rc = write_html(x, r, rows, n, dir, err);
    vg_free(rows);
    return rc;
}
