/*
 * phone_ios_fs.c - iOS filesystem dumps (`check-ios --fs`): where each
 * artifact of the table sits on the device, and the walk over the whole tree.
 *
 * A row's backup domain and relative path give its device path through
 * fs_domains (HomeDomain/Library/SMS/sms.db is private/var/mobile/Library/
 * SMS/sms.db; AppDomain-<id> is a UUID folder under Containers/Data/
 * Application whose container metadata names <id>); a row may give its own
 * glob instead (`fs`, with {a,b} alternatives) where the device keeps a file
 * elsewhere than the backup (netusage.sqlite), or where the backup row is a
 * glob over every domain. The walk (the `filesystem` artifact) looks every
 * file's path up (as /private/var/... and /var/...), every folder's name as a
 * process name (spyware has hidden in folders named after processes), and
 * keeps every file name for DataUsage's "process without a binary" check.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define WALK_DEPTH_MAX 64          /* deeper folders are not walked (a loop of bind mounts, a crafted tree) */
#define WALK_FILES_MAX 20000000u   /* a full dump has about a million files */

/* Backup domains and the device folder each stands for. */
static const struct fs_domain {
    const char *domain;    /* the domain, or its prefix ("AppDomain-") */
    int prefix;            /* 1: a prefix followed by a container id */
    const char *path;      /* the device folder, relative to the root; "*" where the container UUID goes */
} fs_domains[] = {
    {"HomeDomain", 0, "private/var/mobile"},
    {"MediaDomain", 0, "private/var/mobile"},
    {"CameraRollDomain", 0, "private/var/mobile"},
    {"InstallDomain", 0, "private/var/mobile"},
    {"KeyboardDomain", 0, "private/var/mobile"},
    {"HomeKitDomain", 0, "private/var/mobile"},
    {"TonesDomain", 0, "private/var/mobile"},
    {"HealthDomain", 0, "private/var/mobile/Library"},
    {"RootDomain", 0, "private/var/root"},
    {"WirelessDomain", 0, "private/var/wireless"},
    {"SystemPreferencesDomain", 0, "private/var/preferences"},
    {"DatabaseDomain", 0, "private/var/db"},
    {"KeychainDomain", 0, "private/var/Keychains"},
    {"ManagedPreferencesDomain", 0, "private/var/Managed Preferences"},
    {"MobileDeviceDomain", 0, "private/var/MobileDevice"},
    {"AppDomain-", 1, "private/var/mobile/Containers/Data/Application/*"},
    {"AppDomainGroup-", 1, "private/var/mobile/Containers/Shared/AppGroup/*"},
    {"AppDomainPlugin-", 1, "private/var/mobile/Containers/Data/PluginKitPlugin/*"},
    {"SysContainerDomain-", 1, "private/var/containers/Data/System/*"},
    {"SysSharedContainerDomain-", 1, "private/var/containers/Shared/SystemGroup/*"},
};

/* Copies s into out escaping glob's special characters. Returns the length, or -1 when it does not fit. */
static long glob_escape(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s; s++) {
        if (strchr("*?[]{}\\", *s)) {
            if (k + 1 >= cap)
                return -1;
            out[k++] = '\\';
        }
        if (k + 1 >= cap)
            return -1;
        out[k++] = *s;
    }
    out[k] = 0;
    return (long)k;
}

/*
 * The device glob of a row (relative to the root): its own `fs`, else its
 * domain's folder and its path. *container gets the container id a matched
 * container must name ("" for none). 0, or -1 when the row has no device path.
 */
static int row_glob(const phone_reader *rd, char *out, size_t cap, const char **container)
{
    *container = "";
    if (rd->fs) {
        snprintf(out, cap, "%s", rd->fs);
        return 0;
    }
    if (!rd->domain || !rd->path)
        return -1;
    for (size_t i = 0; i < sizeof fs_domains / sizeof fs_domains[0]; i++) {
        const struct fs_domain *d = &fs_domains[i];
        size_t n = strlen(d->domain);
        if (d->prefix ? strncmp(rd->domain, d->domain, n) != 0 : strcmp(rd->domain, d->domain) != 0)
            continue;
        if (d->prefix && strcmp(rd->domain + n, "*") != 0)
            *container = rd->domain + n;
        int w = snprintf(out, cap, "%s/%s", d->path, rd->path);
        return w > 0 && (size_t)w < cap ? 0 : -1;
    }
    return -1;
}

/* A container's identifier (MCMMetadataIdentifier of its metadata plist) is id, or it has no metadata. */
static int container_is(const char *root, const char *match, const char *id)
{
    /* the container folder: the component of match that stood for "*" (the 8th or 9th component) */
    const char *rel = match + strlen(root) + 1;
    static const char *const bases[] = {
        "private/var/mobile/Containers/Data/Application/",  "private/var/mobile/Containers/Shared/AppGroup/",
        "private/var/mobile/Containers/Data/PluginKitPlugin/", "private/var/containers/Data/System/",
        "private/var/containers/Shared/SystemGroup/",
    };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        size_t n = strlen(bases[i]);
        if (strncmp(rel, bases[i], n) != 0)
            continue;
        const char *end = strchr(rel + n, '/');
        if (!end)
            return 0;
        char p[4600], *data = NULL;
        size_t len = 0;
        snprintf(p, sizeof p, "%.*s/.com.apple.mobile_container_manager.metadata.plist", (int)(end - match), match);
        if (phone__read_file(p, 1u << 20, &data, &len, NULL) != 0)
            return 1; /* no metadata (a partial dump): the path alone decides */
        plist_t pl = phone__plist_parse(data, len);
        vg_free(data);
        plist_t v = pl && plist_get_node_type(pl) == PLIST_DICT ? plist_dict_get_item(pl, "MCMMetadataIdentifier") : NULL;
        const char *s = v && plist_get_node_type(v) == PLIST_STRING ? plist_get_string_ptr(v, NULL) : NULL;
        int same = s && strcmp(s, id) == 0;
        plist_free(pl);
        return same;
    }
    return 1;
}

/* Expands a row's device glob under the root into g; *container as row_glob. 0, or -1 (no device path, no match). */
static int expand(const phone_ctx *c, const phone_reader *rd, glob_t *g, const char **container)
{
    char rel[4096], pat[8400];
    memset(g, 0, sizeof *g);
    if (row_glob(rd, rel, sizeof rel, container) != 0)
        return -1;
    long n = glob_escape(c->root, pat, sizeof pat);
    if (n < 0 || (size_t)n + 2 + strlen(rel) >= sizeof pat)
        return -1;
    pat[n] = '/';
    memcpy(pat + n + 1, rel, strlen(rel) + 1);
    return glob(pat, GLOB_BRACE, NULL, g) == 0 ? 0 : -1;
}

/* The i-th match is a regular file (of the right container). */
static int usable(const phone_ctx *c, const char *f, const char *container)
{
    struct stat sb;
    return stat(f, &sb) == 0 && S_ISREG(sb.st_mode) && (!container[0] || container_is(c->root, f, container));
}

int phone__fs_find(phone_ctx *c, const phone_reader *rd, int (*each)(phone_ctx *c, const char *file, const char *rel),
                   int *found)
{
    *found = 0;
    glob_t g;
    const char *container;
    int rc = 0;
    if (expand(c, rd, &g, &container) == 0)
        for (size_t i = 0; i < g.gl_pathc && !rc; i++)
            if (usable(c, g.gl_pathv[i], container)) {
                ++*found;
                rc = each(c, g.gl_pathv[i], g.gl_pathv[i] + strlen(c->root) + 1);
            }
    globfree(&g);
    return rc;
}

int phone__fs_first(phone_ctx *c, const phone_reader *rd, char *out, size_t cap)
{
    glob_t g;
    const char *container;
    int rc = -1;
    if (expand(c, rd, &g, &container) == 0)
        for (size_t i = 0; i < g.gl_pathc && rc; i++)
            if (usable(c, g.gl_pathv[i], container) && strlen(g.gl_pathv[i]) < cap) {
                memcpy(out, g.gl_pathv[i], strlen(g.gl_pathv[i]) + 1);
                rc = 0;
            }
    globfree(&g);
    return rc;
}

/* ---- the walk --------------------------------------------------------------- */

typedef struct walk {
    phone_ctx *c;
    char path[4096];   /* the current path (root + relative) */
    size_t rootlen;    /* strlen(root) */
    char **names;      /* every file name seen (vg_malloc'd), sorted at the end */
    size_t nnames, cap;
    uint64_t files;    /* files seen */
} walk;

static int add_name(walk *w, const char *name)
{
    if (w->nnames == w->cap) {
        size_t nc = w->cap ? 2 * w->cap : 1024;
        char **n = vg_realloc(w->names, nc * sizeof *n);
        if (!n)
            return VG_E_NOMEM;
        w->names = n;
        w->cap = nc;
    }
    if (!(w->names[w->nnames] = vg_strdup(name)))
        return VG_E_NOMEM;
    w->nnames++;
    return 0;
}

/* Looks a device path up as a file path, and its /var form too (on iOS /var is /private/var). */
static int look_path(phone_ctx *c, const char *rel, const vg_time *t)
{
    char p[4200];
    int n = snprintf(p, sizeof p, "/%s", rel);
    if (n <= 0 || (size_t)n >= sizeof p)
        return 0;
    int rc = phone__value(c, IDX_K_FILE_PATH, p, (size_t)n, p, t);
    if (!rc && strncmp(rel, "private/var/", 12) == 0)
        rc = phone__value(c, IDX_K_FILE_PATH, p + 8, (size_t)n - 8, p, t);
    return rc;
}

static int walk_dir(walk *w, size_t len, int depth)
{
    phone_ctx *c = w->c;
    if (depth > WALK_DEPTH_MAX)
        return 0;
    DIR *d = opendir(w->path);
    if (!d)
        return 0; /* unreadable folders of a dump are skipped, as the device hides them too */
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t nl = strlen(e->d_name);
        if (len + 1 + nl >= sizeof w->path)
            continue;
        w->path[len] = '/';
        memcpy(w->path + len + 1, e->d_name, nl + 1);
        struct stat sb;
        if (lstat(w->path, &sb) != 0)
            continue;
        vg_time t = phone__unix_time((double)sb.st_mtime);
        const char *rel = w->path + w->rootlen + 1;
        if (S_ISDIR(sb.st_mode)) {
            phone__record(c);
            char rec[4200];
            snprintf(rec, sizeof rec, "/%s", rel);
            rc = phone__value(c, IDX_K_PROCESS, e->d_name, nl, rec, &t);
            if (!rc)
                rc = walk_dir(w, len + 1 + nl, depth + 1);
        } else if (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)) {
            phone__record(c);
            if (++w->files > WALK_FILES_MAX) {
                rc = phone__heuristic(c, PHONE_INFO, "/", NULL, NULL,
                                      "The filesystem walk stopped after %u files (the ceiling); the rest of the "
                                      "tree was not looked up", WALK_FILES_MAX);
                rc = rc ? rc : 1;
                break;
            }
            rc = add_name(w, e->d_name);
            if (!rc)
                rc = look_path(c, rel, &t);
        }
        w->path[len] = 0;
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int phone__fs_walk(phone_ctx *c, const char *root, const char *source)
{
    (void)source;
    walk w;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.rootlen = strlen(root);
    if (w.rootlen >= sizeof w.path)
        return VG_E_LIMIT;
    memcpy(w.path, root, w.rootlen + 1);
    int rc = walk_dir(&w, w.rootlen, 0);
    if (rc == 1)
        rc = 0; /* the ceiling: reported as a finding */
    qsort(w.names, w.nnames, sizeof *w.names, cmp_str);
    phone__fs_names_free(c);
    c->names = w.names;
    c->nnames = w.nnames;
    return rc;
}

int phone__fs_has_name(const phone_ctx *c, const char *name)
{
    return c->names && bsearch(&name, c->names, c->nnames, sizeof *c->names, cmp_str) != NULL;
}

void phone__fs_names_free(phone_ctx *c)
{
    for (size_t i = 0; i < c->nnames; i++)
        vg_free(c->names[i]);
    vg_free(c->names);
    c->names = NULL;
    c->nnames = 0;
}
