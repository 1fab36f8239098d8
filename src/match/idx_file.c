/*
 * idx_file.c - saving an index to a file and mapping it back.
 *
 * The file is a fixed header followed by the index's arrays, each starting
 * on an 8-byte boundary (file_order below: indicator records, indicator
 * strings, keys, slots, entries, postings, bloom; older files have another
 * order, which readers need not know). The header gives each array's offset
 * and element count. Loading maps the file read-only and points the arrays
 * into the mapping; it checks every offset so that a damaged file is refused
 * instead of read out of bounds. See docs/internals/match.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "match/idx_int.h"

#define IDX_MAGIC "VGIDX\0\r\n"
#define IDX_FILE_VERSION 7u /* 2: kind-seeded hash, domain label counts; 3: android-property and truncated-process
                               kinds; 4: origin (built, source, store_added); 5: attribution of indicators;
                               6: first bytes of IPv4 keys; 7: configuration-profile kind */
#define IDX_BYTE_ORDER 0x01020304u

enum { SEC_SLOTS, SEC_ENTRIES, SEC_KEYS, SEC_POSTS, SEC_BLOOM, SEC_INDS, SEC_STRS, SEC__N };

typedef struct idx_file_hdr {
    char magic[8];          /* IDX_MAGIC */
    uint32_t version;       /* IDX_FILE_VERSION */
    uint32_t byte_order;    /* IDX_BYTE_ORDER as written by the saving machine */
    uint64_t off[SEC__N];   /* byte offset of each array */
    uint64_t count[SEC__N]; /* elements in each array */
    uint64_t v4lens;        /* prefix lengths present */
    uint64_t v4first[4];    /* first address bytes covered */
    uint64_t v6lens[3];
    uint64_t dlabels;       /* label counts of domain keys present */
    idx_stats stats; /* counts of the build */
    idx_origin origin; /* when and from what (NUL-terminated strings; checked on load) */
} idx_file_hdr;

static const size_t elem[SEC__N] = {sizeof(idx_slot), sizeof(idx_entry), 1, sizeof(uint32_t),
                                    sizeof(uint64_t), sizeof(idx_ind),   1};

/*
 * The order of the arrays in the file (the header gives each one's offset,
 * so a reader takes any order): the indicator records and their strings
 * first, as they are final before the table is built, so that
 * idx_builder_finish_save writes them while it builds the table.
 */
static const int file_order[SEC__N] = {SEC_INDS, SEC_STRS, SEC_KEYS, SEC_SLOTS, SEC_ENTRIES, SEC_POSTS, SEC_BLOOM};

/* Offsets of arrays of count[] elements in file order after the header; returns the file's size. */
static uint64_t plan(const uint64_t count[SEC__N], uint64_t off[SEC__N])
{
    uint64_t at = (sizeof(idx_file_hdr) + 7) & ~7ull;
    for (int k = 0; k < SEC__N; k++) {
        int i = file_order[k];
        off[i] = at;
        at = (at + count[i] * elem[i] + 7) & ~7ull;
    }
    return at;
}

/* The header of x; returns the file's size. */
static uint64_t header_of(const idx *x, idx_file_hdr *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, IDX_MAGIC, 8);
    h->version = IDX_FILE_VERSION;
    h->byte_order = IDX_BYTE_ORDER;
    h->count[SEC_SLOTS] = x->nslots;
    h->count[SEC_ENTRIES] = x->nentries;
    h->count[SEC_KEYS] = x->nkeys_bytes;
    h->count[SEC_POSTS] = x->nposts;
    h->count[SEC_BLOOM] = x->nbloom;
    h->count[SEC_INDS] = x->ninds;
    h->count[SEC_STRS] = x->nstrs;
    uint64_t size = plan(h->count, h->off);
    h->v4lens = x->v4lens;
    memcpy(h->v4first, x->v4first, sizeof h->v4first);
    memcpy(h->v6lens, x->v6lens, sizeof h->v6lens);
    h->dlabels = x->dlabels;
    h->stats = x->stats;
    h->stats.bytes = size;
    h->origin = x->origin;
    return size;
}

/* A temporary file being written, renamed over the target when complete. */
typedef struct out_file {
    int fd;           /* the temporary file */
    char *tmp;        /* its name */
    const char *path; /* the target */
} out_file;

static int out_open(out_file *o, const char *path, vg_error *err)
{
    size_t pl = strlen(path);
    o->path = path;
    o->fd = -1;
    o->tmp = vg_malloc(pl + 32);
    if (!o->tmp)
        return vg_error_set(err, VG_E_NOMEM, "out of memory saving the index");
    snprintf(o->tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        vg_error_set(err, VG_E_IO, "cannot create the index file: %s", strerror(errno));
        vg_error_where(err, "%s", path);
        vg_free(o->tmp);
        o->tmp = NULL;
        return VG_E_IO;
    }
    return 0;
}

/* Writes n bytes at off. 0, or -1 with errno. */
static int put_at(int fd, const void *p, size_t n, uint64_t off)
{
    const char *c = p;
    while (n) {
        ssize_t w = pwrite(fd, c, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        c += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
    return 0;
}

/* Ends the file: with bad == 0 sizes, syncs, closes and renames it over the target; else removes it. */
static int out_close(out_file *o, int bad, int bad_errno, uint64_t size, vg_error *err)
{
    if (!bad && ftruncate(o->fd, (off_t)size) != 0)
        bad = 1, bad_errno = errno;
    if (!bad && fsync(o->fd) != 0)
        bad = 1, bad_errno = errno;
    if (close(o->fd) != 0 && !bad)
        bad = 1, bad_errno = errno;
    if (!bad && rename(o->tmp, o->path) != 0)
        bad = 1, bad_errno = errno;
    if (bad) {
        vg_error_set(err, VG_E_IO, "cannot write the index file: %s", strerror(bad_errno));
        vg_error_where(err, "%s", o->path);
        unlink(o->tmp);
    }
    vg_free(o->tmp);
    return bad ? VG_E_IO : 0;
}

/* The arrays of x by section. */
static void arrays_of(const idx *x, const void *arr[SEC__N])
{
    arr[SEC_SLOTS] = x->slots;
    arr[SEC_ENTRIES] = x->entries;
    arr[SEC_KEYS] = x->keys;
    arr[SEC_POSTS] = x->posts;
    arr[SEC_BLOOM] = x->bloom;
    arr[SEC_INDS] = x->inds;
    arr[SEC_STRS] = x->strs;
}

/* Arrays written by a helper thread: the sections from, from + 1, ... until to (file order). */
typedef struct writer {
    int fd;                     /* the file */
    const void *arr[SEC__N];    /* the arrays */
    uint64_t off[SEC__N];       /* where they go */
    uint64_t count[SEC__N];     /* their elements */
    int from, to;               /* sections file_order[from..to) */
    int failed;                 /* errno of a failed write, 0 */
} writer;

static void write_sections(writer *w)
{
    for (int k = w->from; k < w->to && !w->failed; k++) {
        int i = file_order[k];
        size_t n = (size_t)(w->count[i] * elem[i]);
        if (n && put_at(w->fd, w->arr[i], n, w->off[i]) != 0)
            w->failed = errno ? errno : EIO;
    }
}

static void *writer_main(void *arg)
{
    write_sections(arg);
    return NULL;
}

static writer writer_of(int fd, const void *const arr[SEC__N], const uint64_t off[SEC__N],
                        const uint64_t count[SEC__N], int from, int to)
{
    writer w = {.fd = fd, .from = from, .to = to};
    memcpy(w.arr, arr, sizeof w.arr);
    memcpy(w.off, off, sizeof w.off);
    memcpy(w.count, count, sizeof w.count);
    return w;
}

/* The sections k0..k2 (file order): k0..k1 on a helper thread, k1..k2 on this one. 0, or an errno. */
static int write_two(int fd, const void *const arr[SEC__N], const uint64_t off[SEC__N], const uint64_t count[SEC__N],
                     int k0, int k1, int k2)
{
    writer a = writer_of(fd, arr, off, count, k0, k1), b = writer_of(fd, arr, off, count, k1, k2);
    pthread_t th;
    int started = pthread_create(&th, NULL, writer_main, &a) == 0;
    if (!started)
        write_sections(&a);
    write_sections(&b);
    if (started)
        pthread_join(th, NULL);
    return a.failed ? a.failed : b.failed;
}

int idx_save(const idx *x, const char *path, vg_error *err)
{
    idx_file_hdr h;
    uint64_t size = header_of(x, &h);
    const void *arr[SEC__N];
    arrays_of(x, arr);
    out_file o;
    int rc = out_open(&o, path, err);
    if (rc)
        return rc;
    /* the records and strings on a helper thread, the keys and table on this one: the copies into the page
       cache, which cost about as much as building the table, on both cores */
    int e = put_at(o.fd, &h, sizeof h, 0) ? errno : write_two(o.fd, arr, h.off, h.count, 0, 2, SEC__N);
    return out_close(&o, e != 0, e, size, err);
}

typedef struct early {
    writer w;      /* the records and strings */
    pthread_t th;  /* writing them */
    int started;   /* th runs */
} early;

int idx_builder_finish_save(idx_builder *b, const char *path, const char *source, const char *store_added, idx **out,
                            vg_error *err)
{
    *out = NULL;
    const idx_ind *inds;
    const char *strs;
    size_t ninds, nstrs;
    idx__builder_records(b, &inds, &ninds, &strs, &nstrs);
    out_file o;
    int rc = out_open(&o, path, err);
    if (rc) {
        idx_builder_free(b);
        return rc;
    }
    /* the records and strings are written while the table is built: their offsets need only their sizes */
    early e = {.w = {.fd = o.fd, .from = 0, .to = 2}};
    e.w.count[SEC_INDS] = ninds;
    e.w.count[SEC_STRS] = nstrs;
    e.w.arr[SEC_INDS] = inds;
    e.w.arr[SEC_STRS] = strs;
    plan(e.w.count, e.w.off);
    e.started = pthread_create(&e.th, NULL, writer_main, &e.w) == 0;
    idx *x = NULL;
    rc = idx__builder_finish(b, &x, err);
    if (rc) { /* nobody may read the builder's arrays any more once it is freed */
        if (e.started)
            pthread_join(e.th, NULL);
        idx_builder_free(b);
        out_close(&o, 1, 0, 0, NULL);
        return rc;
    }
    idx_set_origin(x, source, store_added);
    idx_file_hdr h;
    uint64_t size = header_of(x, &h);
    const void *arr[SEC__N];
    arrays_of(x, arr);
    int failed = 0;
    if (!e.started) { /* no thread: the records and strings now */
        write_sections(&e.w);
    }
    /* the keys on a helper thread, the table here */
    failed = write_two(o.fd, arr, h.off, h.count, 2, 3, SEC__N);
    if (e.started)
        pthread_join(e.th, NULL);
    if (!failed)
        failed = e.w.failed;
    if (!failed && put_at(o.fd, &h, sizeof h, 0) != 0)
        failed = errno ? errno : EIO;
    rc = out_close(&o, failed != 0, failed, size, err);
    if (rc) {
        idx_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

static int damaged(const char *path, const char *what, vg_error *err)
{
    vg_error_set(err, VG_E_PARSE, "not a usable vigil index file: %s", what);
    vg_error_where(err, "%s", path);
    vg_error_hint(err, "rebuild it with 'vigil index build'");
    return VG_E_PARSE;
}

/* Checks that every offset inside the arrays stays inside them. */
static int check(const idx *x)
{
    if (x->nslots < 1 || (x->nslots & (x->nslots - 1)) || x->nbloom < 1 || (x->nbloom & (x->nbloom - 1)))
        return -1;
    if (x->nslots <= x->nentries || x->nstrs == 0 || x->strs[x->nstrs - 1] != 0)
        return -1;
    for (uint64_t i = 0; i < x->nslots; i++)
        if (x->slots[i].entry > x->nentries)
            return -1;
    for (uint64_t i = 0; i < x->nentries; i++) {
        const idx_entry *e = &x->entries[i];
        if (e->key_len < 1 || (uint64_t)e->key_off + e->key_len > x->nkeys_bytes ||
            (uint64_t)e->post_off + e->post_n > x->nposts)
            return -1;
    }
    for (uint64_t i = 0; i < x->nposts; i++)
        if ((x->posts[i] & ~IDX_POST_CANDIDATE) >= x->ninds)
            return -1;
    for (uint64_t i = 0; i < x->ninds; i++)
        if (x->inds[i].id_off >= x->nstrs || x->inds[i].name_off >= x->nstrs || x->inds[i].pattern_off >= x->nstrs ||
            x->inds[i].attr_off >= x->nstrs)
            return -1;
    return 0;
}

int idx_load(const char *path, idx **out, vg_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO;
        vg_error_set(err, code, "cannot open the index file: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(idx_file_hdr)) {
        close(fd);
        return damaged(path, "too short", err);
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        vg_error_set(err, VG_E_IO, "cannot map the index file: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    const idx_file_hdr *h = map;
    if (memcmp(h->magic, IDX_MAGIC, 8) != 0) {
        munmap(map, len);
        return damaged(path, "wrong magic bytes", err);
    }
    if (h->version != IDX_FILE_VERSION || h->byte_order != IDX_BYTE_ORDER) {
        unsigned version = h->version; /* read before the mapping goes */
        munmap(map, len);
        vg_error_set(err, VG_E_UNSUPPORTED, "index file of layout %u or another byte order (this vigil reads %u)",
                     version, IDX_FILE_VERSION);
        vg_error_where(err, "%s", path);
        return vg_error_hint(err, "rebuild the index with this vigil");
    }
    for (int i = 0; i < SEC__N; i++)
        if (h->off[i] % 8 || h->off[i] > len || h->count[i] > (len - h->off[i]) / elem[i]) {
            munmap(map, len);
            return damaged(path, "an array lies outside the file", err);
        }
    idx *x = vg_calloc(1, sizeof *x);
    if (!x) {
        munmap(map, len);
        return vg_error_set(err, VG_E_NOMEM, "out of memory loading the index");
    }
    const char *base = map;
    x->slots = (const idx_slot *)(base + h->off[SEC_SLOTS]);
    x->nslots = h->count[SEC_SLOTS];
    x->entries = (const idx_entry *)(base + h->off[SEC_ENTRIES]);
    x->nentries = h->count[SEC_ENTRIES];
    x->keys = (const uint8_t *)(base + h->off[SEC_KEYS]);
    x->nkeys_bytes = h->count[SEC_KEYS];
    x->posts = (const uint32_t *)(base + h->off[SEC_POSTS]);
    x->nposts = h->count[SEC_POSTS];
    x->bloom = (const uint64_t *)(base + h->off[SEC_BLOOM]);
    x->nbloom = h->count[SEC_BLOOM];
    x->inds = (const idx_ind *)(base + h->off[SEC_INDS]);
    x->ninds = h->count[SEC_INDS];
    x->strs = base + h->off[SEC_STRS];
    x->nstrs = h->count[SEC_STRS];
    x->v4lens = h->v4lens;
    memcpy(x->v4first, h->v4first, sizeof x->v4first);
    memcpy(x->v6lens, h->v6lens, sizeof x->v6lens);
    x->dlabels = h->dlabels;
    x->stats = h->stats;
    x->origin = h->origin;
    x->origin.built[sizeof x->origin.built - 1] = 0; /* a damaged file cannot leave them unterminated */
    x->origin.source[sizeof x->origin.source - 1] = 0;
    x->origin.store_added[sizeof x->origin.store_added - 1] = 0;
    x->map = map;
    x->map_len = len;
    if (check(x) != 0) {
        idx_free(x);
        return damaged(path, "an offset points outside its array", err);
    }
    *out = x;
    return 0;
}

void idx_free(idx *x)
{
    if (!x)
        return;
    if (x->map) {
        munmap(x->map, x->map_len);
    } else {
        vg_free((void *)x->slots);
        vg_free((void *)x->entries);
        vg_free((void *)x->keys);
        vg_free((void *)x->posts);
        vg_free((void *)x->bloom);
        vg_free((void *)x->inds);
        vg_free((void *)x->strs);
    }
    vg_free(x);
}
