/*
 * cmd_pattern.c - `vigil pattern check|match`: STIX patterning on its own.
 *
 *   vigil pattern check [OPTIONS] PATTERN...     check patterns given as arguments
 *   vigil pattern check [OPTIONS] --file FILE    one pattern per line, or the
 *                                                indicators of a bundle / JSON list
 *   vigil pattern match [OPTIONS] PATTERN OBSERVED.json
 *
 * Exit codes: check: 0 all valid, 2 any invalid; match: 0 matched, 1 no
 * match, 2 invalid pattern or input. Only the public pattern API is used.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "pattern/pattern.h"
#include "store/store.h"

typedef struct popts {
    int version;     /* -1 = decide per input */
    int json;        /* --json */
    int quiet;       /* --quiet: only invalid patterns */
    const char *file; /* --file */
    const char *store; /* --store: check the indicators in the store */
} popts;

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil pattern check [--stix-version 2.0|2.1] [--json] [--quiet] PATTERN...\n"
               "       vigil pattern check [--stix-version 2.0|2.1] [--json] [--quiet] --file FILE|-\n"
               "       vigil pattern check [--stix-version 2.0|2.1] [--json] [--quiet] --store PATH\n"
               "       vigil pattern match [--stix-version 2.0|2.1] [--json] PATTERN OBSERVED.json\n\n"
               "check: parse and check STIX patterns against the STIX 2.1 cyber-observable\n"
               "  definitions; errors show line, column, a caret and what was expected.\n"
               "  FILE holds one pattern per line (# starts a comment), or is a STIX bundle or\n"
               "  JSON list whose indicators are checked (dialect from each indicator).\n"
               "match: evaluate PATTERN against observed-data (a bundle, a JSON list of objects\n"
               "  or one observed-data object; STIX 2.1 object_refs or STIX 2.0 objects) and\n"
               "  show which observations bound to which observation expression.\n\n"
               "options:\n"
               "  --stix-version V  the pattern dialect, 2.0 or 2.1 (default: 2.1, or what\n"
               "                    the indicator or observed-data says)\n"
               "  --json            machine-readable output\n"
               "  --quiet           check: print only invalid patterns and the summary\n"
               "  --file FILE       check: read patterns from FILE ('-' for stdin)\n"
               "  --store PATH      check: the latest version of every indicator in the store\n\n"
               "exit: check 0 all valid, 2 any invalid; match 0 matched, 1 no match,\n"
               "      2 invalid pattern or input\n");
}

static int parse_version(const char *s)
{
    if (strcmp(s, "2.0") == 0)
        return PAT_STIX_20;
    if (strcmp(s, "2.1") == 0)
        return PAT_STIX_21;
    return -2;
}

/* Parses options into o; positional arguments are compacted into argv[0..*nargs). */
static int parse_args(int argc, char **argv, popts *o, int *nargs, const char *sub)
{
    int k = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--stix-version") == 0 || strncmp(a, "--stix-version=", 15) == 0) {
            const char *v = a[14] == '=' ? a + 15 : (i + 1 < argc ? argv[++i] : "");
            o->version = parse_version(v);
            if (o->version == -2) {
                vg_error e = {0};
                vg_error_set(&e, VG_E_USAGE, "--stix-version takes 2.0 or 2.1, not '%s'", v);
                cli_print_error(sub, &e);
                return 2;
            }
        } else if (strcmp(a, "--file") == 0 || strcmp(a, "-f") == 0) {
            if (i + 1 >= argc) {
                vg_error e = {0};
                vg_error_set(&e, VG_E_USAGE, "--file needs a file name");
                cli_print_error(sub, &e);
                return 2;
            }
            o->file = argv[++i];
        } else if (strcmp(a, "--store") == 0) {
            if (i + 1 >= argc) {
                vg_error e = {0};
                vg_error_set(&e, VG_E_USAGE, "--store needs a store path");
                cli_print_error(sub, &e);
                return 2;
            }
            o->store = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            vg_error e = {0};
            vg_error_set(&e, VG_E_USAGE, "unknown option '%s'", a);
            vg_error_hint(&e, "see 'vigil pattern --help'");
            cli_print_error(sub, &e);
            return 2;
        } else {
            argv[k++] = argv[i];
        }
    }
    *nargs = k;
    return 0;
}

/* ---- check ---------------------------------------------------------------------- */

typedef struct tally {
    size_t valid, invalid, warnings;
    json_t *results; /* --json */
} tally;

static void print_diags(const char *src, size_t len, const pat_diags *d, int quiet)
{
    for (size_t i = 0; i < d->n; i++) {
        const pat_diag *g = &d->v[i];
        if (quiet && g->severity != PAT_DIAG_ERROR)
            continue;
        printf("  %s %u:%u: %s", g->severity == PAT_DIAG_ERROR ? "error" : "warning", g->line, g->col, g->msg);
        if (g->expected[0])
            printf("; expected %s", g->expected);
        printf("\n");
        vg_buf b;
        vg_buf_init(&b, 4096);
        if (pat_diag_excerpt(src, len, g, &b) == 0 && b.data) {
            /* Indent both lines. */
            char *line = b.data, *nl;
            while ((nl = strchr(line, '\n'))) {
                printf("    %.*s\n", (int)(nl - line), line);
                line = nl + 1;
            }
        }
        vg_buf_free(&b);
    }
}

static json_t *diags_json(const pat_diags *d)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < d->n; i++) {
        const pat_diag *g = &d->v[i];
        json_array_append_new(a, json_pack("{s:s,s:i,s:i,s:I,s:s,s:s}", "severity",
                                           g->severity == PAT_DIAG_ERROR ? "error" : "warning", "line",
                                           (int)g->line, "column", (int)g->col, "offset", (json_int_t)g->offset,
                                           "message", g->msg, "expected", g->expected));
    }
    return a;
}

static void check_one(const char *src, size_t len, int version, const char *origin, const popts *o, tally *t)
{
    pat_opts opts = {0};
    opts.version = version;
    pat_diags d = {0};
    vg_error err = {0};
    int rc = pat_check(src, len, &opts, &d, &err);
    if (rc == VG_E_NOMEM) {
        cli_print_error("pattern check", &err);
        exit(CLI_EXIT_FAIL);
    }
    if (rc)
        t->invalid++;
    else
        t->valid++;
    t->warnings += d.warnings;
    if (o->json) {
        json_t *r = json_pack("{s:s%,s:b,s:s,s:o}", "pattern", src, len, "valid", rc == 0, "dialect",
                              version == PAT_STIX_20 ? "2.0" : "2.1", "diagnostics", diags_json(&d));
        if (r && origin)
            json_object_set_new(r, "source", json_string(origin));
        json_array_append_new(t->results, r);
    } else if (!(o->quiet && !rc)) {
        printf("%s%s%s %s\n", rc ? "INVALID" : "ok", origin ? " " : "", origin ? origin : "",
               len > 200 ? "(long pattern)" : src);
        print_diags(src, len, &d, o->quiet);
    }
    pat_diags_free(&d);
}

static char *read_all(const char *path, size_t *len, vg_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        vg_error_set(err, VG_E_IO, "cannot open the file");
        vg_error_where(err, "%s", path);
        return NULL;
    }
    vg_buf b;
    vg_buf_init(&b, (size_t)1 << 30);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = vg_buf_append(&b, chunk, n);
    if (f != stdin)
        fclose(f);
    if (rc) {
        vg_buf_free(&b);
        vg_error_set(err, rc, "cannot read the file (%s)", vg_strerror(rc));
        vg_error_where(err, "%s", path);
        return NULL;
    }
    *len = b.len;
    char *s = vg_buf_detach(&b);
    if (!s)
        s = vg_strdup("");
    return s;
}

static void check_indicators(json_t *root, const popts *o, tally *t)
{
    json_t *list = root;
    if (json_is_object(root))
        list = json_object_get(root, "objects");
    if (json_is_object(root) && !list) {
        json_t *one = json_array();
        json_array_append(one, root);
        check_indicators(one, o, t);
        json_decref(one);
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        const char *type = json_string_value(json_object_get(x, "type"));
        if (!type || strcmp(type, "indicator") != 0)
            continue;
        const char *ptype = json_string_value(json_object_get(x, "pattern_type"));
        if (ptype && strcmp(ptype, "stix") != 0)
            continue;
        const char *pat = json_string_value(json_object_get(x, "pattern"));
        const char *id = json_string_value(json_object_get(x, "id"));
        if (!pat)
            continue;
        int v = o->version >= 0 ? o->version : pat_version_of_indicator(x);
        check_one(pat, strlen(pat), v, id ? id : "indicator", o, t);
    }
}

static int cmd_check(int argc, char **argv, popts *o)
{
    if (!argc && !o->file && !o->store) {
        vg_error e = {0};
        vg_error_set(&e, VG_E_USAGE, "give a pattern, --file FILE or --store PATH");
        vg_error_hint(&e, "vigil pattern check \"[file:name = 'x.exe']\"");
        cli_print_error("pattern check", &e);
        return CLI_EXIT_FAIL;
    }
    tally t = {0};
    if (o->json)
        t.results = json_array();
    int v = o->version >= 0 ? o->version : PAT_STIX_21;
    for (int i = 0; i < argc; i++)
        check_one(argv[i], strlen(argv[i]), v, NULL, o, &t);
    if (o->file) {
        vg_error err = {0};
        size_t len;
        char *text = read_all(o->file, &len, &err);
        if (!text) {
            cli_print_error("pattern check", &err);
            json_decref(t.results);
            return CLI_EXIT_FAIL;
        }
        size_t s = 0;
        while (s < len && (text[s] == ' ' || text[s] == '\n' || text[s] == '\t' || text[s] == '\r'))
            s++;
        json_t *root = NULL;
        if (s < len && (text[s] == '{' || (text[s] == '[' && len - s > 1 && strchr("{ \n\r\t]", text[s + 1])))) {
            json_error_t je;
            root = json_loadb(text, len, 0, &je);
            if (!root) {
                vg_error_set(&err, VG_E_PARSE, "not valid JSON: %s", je.text);
                vg_error_where(&err, "%s:%d:%d", o->file, je.line, je.column);
                cli_print_error("pattern check", &err);
                vg_free(text);
                json_decref(t.results);
                return CLI_EXIT_FAIL;
            }
            check_indicators(root, o, &t);
            json_decref(root);
        } else {
            size_t lineno = 0;
            char *line = text;
            while (line < text + len) {
                char *nl = memchr(line, '\n', (size_t)(text + len - line));
                size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
                lineno++;
                while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                    n--;
                size_t b = 0;
                while (b < n && (line[b] == ' ' || line[b] == '\t'))
                    b++;
                if (n > b && line[b] != '#') {
                    char origin[600];
                    snprintf(origin, sizeof origin, "%s:%zu", o->file, lineno);
                    char save = line[n];
                    line[n] = '\0';
                    check_one(line + b, n - b, v, origin, o, &t);
                    line[n] = save;
                }
                if (!nl)
                    break;
                line = nl + 1;
            }
        }
        vg_free(text);
    }
    if (o->store) {
        /* The latest version of every indicator in the store. */
        vg_error err = {0};
        store *st = NULL;
        store_iter *it = NULL;
        const char *type = "indicator";
        store_query q = {.types = &type, .ntypes = 1};
        int rc = store_open(o->store, STORE_READONLY, &st, &err);
        if (!rc)
            rc = store_query_open(st, &q, &it, &err);
        store_row row;
        while (!rc && (rc = store_iter_next(it, &row, &err)) == 1) {
            rc = 0;
            json_t *x = json_loadb(row.json, row.json_len, 0, NULL);
            if (x)
                check_indicators(x, o, &t);
            json_decref(x);
        }
        store_iter_free(it);
        store_close(st);
        if (rc < 0) {
            cli_print_error("pattern check", &err);
            json_decref(t.results);
            return CLI_EXIT_FAIL;
        }
    }
    if (o->json) {
        json_t *out = json_pack("{s:I,s:I,s:I,s:o}", "valid", (json_int_t)t.valid, "invalid",
                                (json_int_t)t.invalid, "warnings", (json_int_t)t.warnings, "results", t.results);
        char *s = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(out);
    } else if (o->file || o->store || argc > 1) {
        printf("%zu pattern%s: %zu valid, %zu invalid, %zu warning%s\n", t.valid + t.invalid,
               t.valid + t.invalid == 1 ? "" : "s", t.valid, t.invalid, t.warnings, t.warnings == 1 ? "" : "s");
    }
    return t.invalid ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- match ---------------------------------------------------------------------- */

/* The dialect the observed-data suggests: 2.0 when it carries `objects` and no spec_version. */
static int guess_version(json_t *root)
{
    json_t *list = json_is_array(root) ? root : json_object_get(root, "objects");
    if (json_is_object(root) && !json_is_array(list))
        list = NULL;
    size_t i;
    json_t *x;
    int v20 = 0;
    if (!list)
        return json_object_get(root, "spec_version") || !json_is_object(json_object_get(root, "objects"))
                   ? PAT_STIX_21
                   : PAT_STIX_20;
    json_array_foreach(list, i, x) {
        const char *sv = json_string_value(json_object_get(x, "spec_version"));
        if (sv)
            return strcmp(sv, "2.0") == 0 ? PAT_STIX_20 : PAT_STIX_21;
        if (json_is_object(json_object_get(x, "objects")))
            v20 = 1;
    }
    if (json_is_object(root) && json_string_value(json_object_get(root, "spec_version")))
        return strcmp(json_string_value(json_object_get(root, "spec_version")), "2.0") == 0 ? PAT_STIX_20
                                                                                              : PAT_STIX_21;
    return v20 ? PAT_STIX_20 : PAT_STIX_21;
}

static int cmd_match(int argc, char **argv, popts *o)
{
    if (argc != 2) {
        vg_error e = {0};
        vg_error_set(&e, VG_E_USAGE, "pattern match takes a PATTERN and an OBSERVED.json file");
        vg_error_hint(&e, "vigil pattern match \"[file:name = 'x.exe']\" observed.json");
        cli_print_error("pattern match", &e);
        return CLI_EXIT_FAIL;
    }
    const char *src = argv[0], *path = argv[1];
    json_error_t je;
    json_t *root = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    vg_error err = {0};
    if (!root) {
        vg_error_set(&err, VG_E_PARSE, "cannot read the observed-data: %s", je.text);
        vg_error_where(&err, "%s:%d:%d", path, je.line, je.column);
        cli_print_error("pattern match", &err);
        return CLI_EXIT_FAIL;
    }
    int version = o->version >= 0 ? o->version : guess_version(root);
    pat_opts opts = {0};
    opts.version = version;
    pat_diags d = {0};
    pat_pattern *p = NULL;
    int rc = pat_compile(src, strlen(src), &opts, &p, &d, &err);
    if (rc) {
        vg_error_prefix_where(&err, "pattern ");
        cli_print_error("pattern match", &err);
        if (!o->json)
            print_diags(src, strlen(src), &d, 1);
        pat_diags_free(&d);
        json_decref(root);
        return CLI_EXIT_FAIL;
    }
    pat_diags_free(&d);
    pat_observations *obs = NULL;
    if ((rc = pat_observations_from_json(root, &obs, &err))) {
        vg_error_prefix_where(&err, "%s: ", path);
        cli_print_error("pattern match", &err);
        pat_free(p);
        json_decref(root);
        return CLI_EXIT_FAIL;
    }
    pat_result res = {0};
    rc = pat_match(p, obs, &res, &err);
    if (rc) {
        cli_print_error("pattern match", &err);
    } else if (o->json) {
        json_t *b = json_array();
        for (size_t i = 0; i < res.nbindings; i++) {
            const pat_binding *x = &res.bindings[i];
            json_t *ids = json_array();
            for (size_t k = 0; k < x->nobjects; k++)
                json_array_append_new(ids, json_string(x->object_ids[k]));
            json_array_append_new(b, json_pack("{s:I,s:s,s:I,s:o}", "expression", (json_int_t)x->expression,
                                               "observed_data", x->obs_id, "index", (json_int_t)x->observation,
                                               "objects", ids));
        }
        json_t *out = json_pack("{s:b,s:s,s:I,s:o}", "matched", res.matched, "dialect",
                                version == PAT_STIX_20 ? "2.0" : "2.1", "observations",
                                (json_int_t)pat_observations_count(obs), "bindings", b);
        char *s = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(out);
    } else {
        printf("%s (%zu observation%s)\n", res.matched ? "match" : "no match", pat_observations_count(obs),
               pat_observations_count(obs) == 1 ? "" : "s");
        for (size_t i = 0; i < res.nbindings; i++) {
            const pat_binding *x = &res.bindings[i];
            printf("  observation expression %zu <- %s", x->expression + 1, x->obs_id[0] ? x->obs_id : "(no id)");
            for (size_t k = 0; k < x->nobjects; k++)
                printf("%s%s", k ? ", " : " (objects: ", x->object_ids[k]);
            printf("%s\n", x->nobjects ? ")" : "");
        }
    }
    int exit_code = rc ? CLI_EXIT_FAIL : res.matched ? CLI_EXIT_OK : CLI_EXIT_FOUND;
    pat_result_free(&res);
    pat_observations_free(obs);
    pat_free(p);
    json_decref(root);
    return exit_code;
}

int cmd_pattern(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_FAIL;
    }
    const char *sub = argv[1];
    popts o = {.version = -1};
    int nargs = 0;
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    int is_check = strcmp(sub, "check") == 0, is_match = strcmp(sub, "match") == 0;
    if (!is_check && !is_match) {
        vg_error e = {0};
        vg_error_set(&e, VG_E_USAGE, "unknown subcommand '%s'", sub);
        vg_error_hint(&e, "use 'vigil pattern check' or 'vigil pattern match'");
        cli_print_error("pattern", &e);
        return CLI_EXIT_FAIL;
    }
    int r = parse_args(argc - 2, argv + 2, &o, &nargs, is_check ? "pattern check" : "pattern match");
    if (r == 1)
        return CLI_EXIT_OK;
    if (r)
        return CLI_EXIT_FAIL;
    return is_check ? cmd_check(nargs, argv + 2, &o) : cmd_match(nargs, argv + 2, &o);
}
