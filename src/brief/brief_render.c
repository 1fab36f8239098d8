/*
 * brief_render.c - a briefing model as JSON, Markdown or HTML.
 *
 * HTML is one self-contained page: inline CSS (screen and print), inline SVG
 * bar charts, no script, no outside request (a Content-Security-Policy of
 * default-src 'none' says so to the browser). Every text from the store is
 * escaped (esc_html); Markdown escapes table separators. A chart with nothing
 * to draw is a sentence instead.
 */
#include <stdio.h>
#include <string.h>

#include "brief/brief.h"

#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))
#define S(o, k) (json_string_value(json_object_get((o), (k))) ? json_string_value(json_object_get((o), (k))) : "")

static void esc_html(FILE *f, const char *s)
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

static void esc_md(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '[' || *s == ']' || *s == '<' || *s == '>')
            fputc('\\', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
}

static void join(FILE *f, json_t *a, int html)
{
    size_t i;
    json_t *x;
    if (!json_array_size(a))
        fputs("-", f);
    json_array_foreach(a, i, x)
    {
        if (i)
            fputs(", ", f);
        html ? esc_html(f, json_string_value(x)) : esc_md(f, json_string_value(x));
    }
}

/*
 * A short word of the model (a date, a severity, a TLP level, the timeline's
 * unit) for a fixed place in the output: letters, digits and " +-:._" kept,
 * anything else '?', so that no text of the model can become markup.
 */
static const char *safe(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) {
        char c = s[i];
        buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(" +-:._", c)
                     ? c
                     : '?';
    }
    buf[i] = '\0';
    return buf;
}

/* The day of a period bound ("2025-04-01T00:00:00Z" -> "2025-04-01"), escaped. */
static void esc_day(FILE *f, const char *s)
{
    char d[11];
    fputs(safe(s, d, sizeof d), f);
}

/* A TLP level as it is written: "amber+strict" -> "AMBER+STRICT". */
static const char *upper(const char *s, char *buf, size_t n)
{
    safe(s, buf, n);
    for (size_t i = 0; buf[i]; i++)
        if (buf[i] >= 'a' && buf[i] <= 'z')
            buf[i] = (char)(buf[i] - 'a' + 'A');
    return buf;
}

static const char *signed_change(long long d, char *buf, size_t n)
{
    snprintf(buf, n, d > 0 ? "+%lld" : "%lld", d);
    return buf;
}

/* ---- Markdown ---------------------------------------------------------------------- */

static void md_table(FILE *f, const char *title, json_t *rows, const char *label)
{
    fprintf(f, "\n## %s\n\n| %s | count | previous | change |\n|---|---:|---:|---:|\n", title, label);
    size_t i;
    json_t *r;
    char b[32];
    json_array_foreach(rows, i, r)
    {
        fputs("| ", f);
        esc_md(f, json_object_get(r, "label") ? S(r, "label") : S(r, "name"));
        fprintf(f, " | %lld | %lld | %s |\n", I(r, "count"), I(r, "previous"), signed_change(I(r, "change"), b, sizeof b));
    }
    if (!json_array_size(rows))
        fputs("| (none) | 0 | 0 | 0 |\n", f);
}

static void render_md(const json_t *m, FILE *f)
{
    json_t *p = json_object_get(m, "period"), *h = json_object_get(m, "headline");
    char b[32];
    fputs("# ", f);
    esc_md(f, S(m, "title"));
    fputs("\n\nPeriod: ", f);
    esc_day(f, S(p, "from"));
    fputs(" to ", f);
    esc_day(f, S(p, "to"));
    fputs(" (compared with ", f);
    esc_day(f, S(p, "previous_from"));
    fputs(" to ", f);
    esc_day(f, S(p, "previous_to"));
    fputs(")\n\n", f);
    fprintf(f, "Audience: **TLP:%s** (the indicator appendix lists only indicators at or below it)\n\n",
            upper(S(json_object_get(m, "indicators"), "audience"), b, sizeof b));
    fprintf(f, "## Headline\n\n**%lld incidents** (%s against the previous period: %lld).\n\n", I(h, "total"),
            signed_change(I(h, "change"), b, sizeof b), I(h, "previous_total"));
    fputs("| severity | count | previous | change |\n|---|---:|---:|---:|\n", f);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(h, "by_severity"), i, r)
    {
        fputs("| ", f);
        esc_md(f, S(r, "name"));
        fprintf(f, " | %lld | %lld | %s |\n", I(r, "count"), I(r, "previous"), signed_change(I(r, "change"), b, sizeof b));
    }
    fputs("\n## Most serious incidents\n\n", f);
    json_array_foreach(json_object_get(m, "top"), i, r)
    {
        fputs("- ", f);
        esc_md(f, S(r, "date"));
        fputs(" **", f);
        esc_md(f, S(r, "severity_name"));
        fputs("** ", f);
        esc_md(f, S(r, "name"));
        fputs(" — sectors: ", f);
        join(f, json_object_get(r, "sectors"), 0);
        fputs("; countries: ", f);
        join(f, json_object_get(r, "countries"), 0);
        fputs("; categories: ", f);
        join(f, json_object_get(r, "categories"), 0);
        fputs("; actor: ", f);
        join(f, json_object_get(r, "actors"), 0);
        fputs("; status: ", f);
        esc_md(f, S(r, "status"));
        fputs("\n", f);
    }
    if (!json_array_size(json_object_get(m, "top")))
        fputs("No incidents in the period.\n", f);
    md_table(f, "By category", json_object_get(m, "by_category"), "category");
    md_table(f, "By sector", json_object_get(m, "by_sector"), "sector");
    md_table(f, "By actor", json_object_get(m, "by_actor"), "actor");
    json_t *tl = json_object_get(m, "timeline");
    fputs("\n## Timeline (by ", f);
    esc_md(f, S(tl, "unit"));
    fputs(")\n\n| from | incidents |\n|---|---:|\n", f);
    json_array_foreach(json_object_get(tl, "buckets"), i, r)
    {
        fputs("| ", f);
        esc_md(f, S(r, "start"));
        fprintf(f, " | %lld |\n", I(r, "count"));
    }
    json_t *nw = json_object_get(m, "new");
    fputs("\n## What is new\n\nObjects added to the store in the period, by type:\n\n", f);
    json_array_foreach(json_object_get(nw, "by_type"), i, r)
    {
        fputs("- ", f);
        esc_md(f, S(r, "name"));
        fprintf(f, ": %lld\n", I(r, "count"));
    }
    if (json_array_size(json_object_get(nw, "indicators_by_kind"))) {
        fputs("\nIndicators by kind:\n\n", f);
        json_array_foreach(json_object_get(nw, "indicators_by_kind"), i, r)
        {
            fputs("- ", f);
            esc_md(f, S(r, "name"));
            fprintf(f, ": %lld\n", I(r, "count"));
        }
    }
    json_t *a = json_object_get(m, "actions");
    fprintf(f, "\n## What to do\n\nCourses of action that mitigate the %lld techniques used by the period's actors "
               "and malware, most relevant first:\n\n", I(a, "techniques"));
    json_array_foreach(json_object_get(a, "courses_of_action"), i, r)
    {
        fprintf(f, "%zu. ", i + 1);
        if (json_object_get(r, "external_id"))
        {
            esc_md(f, S(r, "external_id"));
            fputs(" ", f);
        }
        esc_md(f, S(r, "name"));
        fprintf(f, " (%lld technique%s, weight %lld)\n", I(r, "techniques"), I(r, "techniques") == 1 ? "" : "s",
                I(r, "score"));
    }
    if (!json_array_size(json_object_get(a, "courses_of_action")))
        fputs("(none: import ATT&CK and link incidents to its actors or malware)\n", f);
    json_t *ind = json_object_get(m, "indicators");
    char tb[32];
    upper(S(ind, "audience"), tb, sizeof tb);
    fprintf(f, "\n## Indicators\n\nIndicators related to the period's incidents at or below TLP:%s: %lld", tb,
            I(ind, "total"));
    if (I(ind, "withheld"))
        fprintf(f, " (%lld more withheld: marked above TLP:%s)", I(ind, "withheld"), tb);
    if (!json_array_size(json_object_get(ind, "listed"))) {
        fputs(".\n", f);
        return;
    }
    fprintf(f, "; the %zu seen in most incidents:\n\n| indicator | TLP | incidents |\n|---|---|---:|\n",
            json_array_size(json_object_get(ind, "listed")));
    json_array_foreach(json_object_get(ind, "listed"), i, r)
    {
        fputs("| ", f);
        esc_md(f, S(r, "pattern"));
        if (S(r, "name")[0]) {
            fputs(" (", f);
            esc_md(f, S(r, "name"));
            fputs(")", f);
        }
        fprintf(f, " | %s | %lld |\n", upper(S(r, "tlp"), b, sizeof b), I(r, "incidents"));
    }
}

/* ---- HTML --------------------------------------------------------------------------- */

/*
 * A label in a chart: at most LABEL_MAX characters (UTF-8), cut with an
 * ellipsis, so that it stays left of the bars (the table has it whole).
 */
#define LABEL_MAX 28
static void esc_label(FILE *f, const char *s)
{
    size_t chars = 0, cut = 0, i;
    for (i = 0; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars == LABEL_MAX)
            cut = i;
    if (chars <= LABEL_MAX) {
        esc_html(f, s);
        return;
    }
    char buf[LABEL_MAX * 4 + 1];
    memcpy(buf, s, cut);
    buf[cut] = '\0';
    esc_html(f, buf);
    fputs("\xe2\x80\xa6", f); /* … */
}

/* Horizontal bars: current (dark) and previous (light) per row; nothing when every figure is 0. */
static void svg_bars(FILE *f, json_t *rows, const char *title)
{
    size_t n = json_array_size(rows), i;
    long long max = 0;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        if (I(r, "count") > max)
            max = I(r, "count");
        if (I(r, "previous") > max)
            max = I(r, "previous");
    }
    if (max <= 0) {
        fputs("<p class=\"sub\">No incidents in either period.</p>\n", f);
        return;
    }
    int rowh = 22, h = (int)n * rowh + 10;
    fprintf(f, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 %d\" width=\"640\" height=\"%d\"><title>", h, h);
    esc_html(f, title);
    fputs("</title>", f);
    json_array_foreach(rows, i, r)
    {
        int y = (int)i * rowh + 4;
        int wc = (int)(I(r, "count") * 380 / max), wp = (int)(I(r, "previous") * 380 / max);
        fprintf(f, "<text x=\"0\" y=\"%d\" class=\"l\">", y + 14);
        esc_label(f, json_object_get(r, "label") ? S(r, "label") : S(r, "name"));
        fprintf(f, "</text><rect x=\"200\" y=\"%d\" width=\"%d\" height=\"6\" class=\"p\"/>"
                   "<rect x=\"200\" y=\"%d\" width=\"%d\" height=\"10\" class=\"c\"/>"
                   "<text x=\"%d\" y=\"%d\" class=\"n\">%lld</text>",
                y + 13, wp, y + 2, wc, 206 + (wc > wp ? wc : wp), y + 12, I(r, "count"));
    }
    fputs("</svg>\n", f);
}

static void svg_timeline(FILE *f, json_t *buckets)
{
    char d[64];
    size_t n = json_array_size(buckets), i;
    long long max = 0;
    json_t *r;
    json_array_foreach(buckets, i, r) if (I(r, "count") > max) max = I(r, "count");
    if (!n || max <= 0) {
        fputs("<p class=\"sub\">No incidents in the period.</p>\n", f);
        return;
    }
    double w = 600.0 / (double)n;
    fputs("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 170\" width=\"640\" height=\"170\"><title>Incidents over "
          "time</title><line x1=\"20\" y1=\"140\" x2=\"620\" y2=\"140\" class=\"axis\"/>",
          f);
    json_array_foreach(buckets, i, r)
    {
        double bh = (double)I(r, "count") * 120.0 / (double)max;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"c\"><title>%s: %lld</title></rect>",
                20 + (double)i * w + 1, 140 - bh, w > 3 ? w - 2 : w, bh, safe(S(r, "start"), d, sizeof d), I(r, "count"));
        if (n <= 14 || i % (n / 12 + 1) == 0)
            fprintf(f, "<text x=\"%.1f\" y=\"158\" class=\"t\">%s</text>", 20 + (double)i * w, safe(S(r, "start"), d, sizeof d));
    }
    fprintf(f, "<text x=\"0\" y=\"14\" class=\"t\">%lld</text></svg>\n", max);
}

static void html_table(FILE *f, json_t *rows, const char *label)
{
    fprintf(f, "<table><tr><th>%s</th><th>count</th><th>previous</th><th>change</th></tr>\n", label);
    size_t i;
    json_t *r;
    char b[32];
    json_array_foreach(rows, i, r)
    {
        fputs("<tr><td>", f);
        esc_html(f, json_object_get(r, "label") ? S(r, "label") : S(r, "name"));
        fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%s</td></tr>\n", I(r, "count"), I(r, "previous"),
                signed_change(I(r, "change"), b, sizeof b));
    }
    fputs("</table>\n", f);
}

static void render_html(const json_t *m, FILE *f)
{
    json_t *p = json_object_get(m, "period"), *h = json_object_get(m, "headline");
    char b[32], d[64];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
          "<title>",
          f);
    esc_html(f, S(m, "title"));
    fputs("</title><style>\n"
          "body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;max-width:960px;margin:2em auto;padding:0 1em}\n"
          "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccd;margin-top:1.6em}\n"
          ".sub{color:#555}.big{font-size:2em;font-weight:600}\n"
          ".sev{display:inline-block;margin:.3em .6em .3em 0;padding:.4em .7em;border-radius:4px;background:#eef}\n"
          ".s5{background:#7a0010;color:#fff}.s4{background:#c0392b;color:#fff}.s3{background:#e67e22}\n"
          ".s2{background:#f1c40f}.s1{background:#dfe6e9}\n"
          "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #e3e3ea;"
          "text-align:left}td+td,th+th{text-align:right}\n"
          "svg.chart{max-width:100%;height:auto;display:block;margin:.5em 0}\n"
          ".c{fill:#2c3e50}.p{fill:#b5c0cc}.l,.n,.t{font:12px system-ui,sans-serif;fill:#1b1f24}.axis{stroke:#889}\n"
          "li{margin:.2em 0}code{font-size:.9em;word-break:break-all}\n"
          ".tlp{font-weight:600;background:#111;color:#fff;padding:0 .4em;border-radius:3px}\n"
          "@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}svg,table{break-inside:avoid}"
          ".sev{border:1px solid #888}}\n"
          "</style></head><body>\n<h1>",
          f);
    esc_html(f, S(m, "title"));
    fputs("</h1>\n<p class=\"sub\">", f);
    esc_day(f, S(p, "from"));
    fputs(" to ", f);
    esc_day(f, S(p, "to"));
    fputs(", compared with ", f);
    esc_day(f, S(p, "previous_from"));
    fputs(" to ", f);
    esc_day(f, S(p, "previous_to"));
    fputs("</p>\n", f);
    json_t *ind = json_object_get(m, "indicators");
    char tb[32];
    upper(S(ind, "audience"), tb, sizeof tb);
    fprintf(f, "<p class=\"sub\">Audience: <span class=\"tlp\">TLP:%s</span> (the indicator appendix lists only "
               "indicators at or below it)</p>\n", tb);
    fprintf(f, "<h2>Headline</h2>\n<p><span class=\"big\">%lld</span> incidents (%s against the previous period: %lld)</p>\n<p>",
            I(h, "total"), signed_change(I(h, "change"), b, sizeof b), I(h, "previous_total"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(h, "by_severity"), i, r)
        fprintf(f, "<span class=\"sev s%lld\">%s: <b>%lld</b> (%s)</span>", I(r, "severity"), safe(S(r, "name"), d, sizeof d), I(r, "count"),
                signed_change(I(r, "change"), b, sizeof b));
    fputs("</p>\n<h2>Most serious incidents</h2>\n<ul>\n", f);
    json_array_foreach(json_object_get(m, "top"), i, r)
    {
        fprintf(f, "<li><span class=\"sev s%lld\">%s</span> ", I(r, "severity"), safe(S(r, "severity_name"), d, sizeof d));
        esc_html(f, S(r, "date"));
        fputs(" <b>", f);
        esc_html(f, S(r, "name"));
        fputs("</b> — ", f);
        join(f, json_object_get(r, "sectors"), 1);
        fputs("; ", f);
        join(f, json_object_get(r, "countries"), 1);
        fputs("; ", f);
        join(f, json_object_get(r, "categories"), 1);
        fputs("; actor: ", f);
        join(f, json_object_get(r, "actors"), 1);
        fputs("; ", f);
        esc_html(f, S(r, "status"));
        fputs("</li>\n", f);
    }
    if (!json_array_size(json_object_get(m, "top")))
        fputs("<li>No incidents in the period.</li>\n", f);
    fputs("</ul>\n<h2>By category</h2>\n", f);
    svg_bars(f, json_object_get(m, "by_category"), "Incidents by category (dark: this period, light: previous)");
    html_table(f, json_object_get(m, "by_category"), "category");
    fputs("<h2>By sector</h2>\n", f);
    svg_bars(f, json_object_get(m, "by_sector"), "Incidents by sector (dark: this period, light: previous)");
    html_table(f, json_object_get(m, "by_sector"), "sector");
    fputs("<h2>By actor</h2>\n", f);
    svg_bars(f, json_object_get(m, "by_actor"), "Incidents by actor (dark: this period, light: previous)");
    html_table(f, json_object_get(m, "by_actor"), "actor");
    json_t *tl = json_object_get(m, "timeline");
    fprintf(f, "<h2>Timeline (by %s)</h2>\n", safe(S(tl, "unit"), d, sizeof d));
    svg_timeline(f, json_object_get(tl, "buckets"));
    json_t *nw = json_object_get(m, "new");
    fputs("<h2>What is new</h2>\n<p>Objects added to the store in the period, by type:</p>\n<ul>", f);
    json_array_foreach(json_object_get(nw, "by_type"), i, r)
    {
        fputs("<li>", f);
        esc_html(f, S(r, "name"));
        fprintf(f, ": %lld</li>", I(r, "count"));
    }
    fputs("</ul>\n<p>Indicators by kind:</p>\n<ul>", f);
    json_array_foreach(json_object_get(nw, "indicators_by_kind"), i, r)
    {
        fputs("<li>", f);
        esc_html(f, S(r, "name"));
        fprintf(f, ": %lld</li>", I(r, "count"));
    }
    json_t *a = json_object_get(m, "actions");
    fprintf(f, "</ul>\n<h2>What to do</h2>\n<p>Courses of action that mitigate the %lld techniques used by the "
               "period's actors and malware, most relevant first:</p>\n<ol>\n", I(a, "techniques"));
    json_array_foreach(json_object_get(a, "courses_of_action"), i, r)
    {
        fputs("<li>", f);
        if (json_object_get(r, "external_id")) {
            esc_html(f, S(r, "external_id"));
            fputs(" ", f);
        }
        fputs("<b>", f);
        esc_html(f, S(r, "name"));
        fprintf(f, "</b> (%lld technique%s, weight %lld)</li>\n", I(r, "techniques"),
                I(r, "techniques") == 1 ? "" : "s", I(r, "score"));
    }
    fprintf(f, "</ol>\n<h2>Indicators</h2>\n<p>Indicators related to the period's incidents at or below TLP:%s: %lld",
            tb, I(ind, "total"));
    if (I(ind, "withheld"))
        fprintf(f, " (%lld more withheld: marked above TLP:%s)", I(ind, "withheld"), tb);
    if (json_array_size(json_object_get(ind, "listed"))) {
        fprintf(f, "; the %zu seen in most incidents:</p>\n<table><tr><th>indicator</th><th>TLP</th><th>incidents"
                   "</th></tr>\n", json_array_size(json_object_get(ind, "listed")));
        json_array_foreach(json_object_get(ind, "listed"), i, r)
        {
            fputs("<tr><td><code>", f);
            esc_html(f, S(r, "pattern"));
            fputs("</code>", f);
            if (S(r, "name")[0]) {
                fputs(" ", f);
                esc_html(f, S(r, "name"));
            }
            fprintf(f, "</td><td>%s</td><td>%lld</td></tr>\n", upper(S(r, "tlp"), b, sizeof b), I(r, "incidents"));
        }
        fputs("</table>\n", f);
    } else {
        fputs(".</p>\n", f);
    }
    fputs("</body></html>\n", f);
}

int brief_render(const json_t *model, int format, FILE *out, vg_error *err)
{
    if (format == BRIEF_JSON) {
        if (json_dumpf(model, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
            return vg_error_set(err, VG_E_IO, "cannot write the briefing");
        fputc('\n', out);
    } else if (format == BRIEF_MD) {
        render_md(model, out);
    } else {
        render_html(model, out);
    }
    if (fflush(out) || ferror(out))
        return vg_error_set(err, VG_E_IO, "cannot write the briefing");
    return 0;
}
