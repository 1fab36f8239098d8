/*
 * idx_file.c - saving an index to a file and mapping it back.
 *
 * The file is a fixed header followed by the index's arrays, each starting
 * on an 8-byte boundary, in this order: slots, entries, keys, postings, bloom,
 * indicator records, indicator strings. The header gives each array's offset
 * and element count. Loading maps the file read-only and points the arrays
 * into the mapping; it checks every offset so that a damaged file is refused
 * instead of read out of bounds. See docs/internals/match.md.
 */
#include <errno.h>
#include <fcntl.h>
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

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int idx_save(const idx *x, const char *path, vg_error *err)
{
    const void *arr[SEC__N] = {x->slots, x->entries, x->keys, x->posts, x->bloom, x->inds, x->strs};
    idx_file_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, IDX_MAGIC, 8);
    h.version = IDX_FILE_VERSION;
    h.byte_order = IDX_BYTE_ORDER;
    h.count[SEC_SLOTS] = x->nslots;
    h.count[SEC_ENTRIES] = x->nentries;
    h.count[SEC_KEYS] = x->nkeys_bytes;
    h.count[SEC_POSTS] = x->nposts;
    h.count[SEC_BLOOM] = x->nbloom;
    h.count[SEC_INDS] = x->ninds;
    h.count[SEC_STRS] = x->nstrs;
    uint64_t at = (sizeof h + 7) & ~7ull;
    for (int i = 0; i < SEC__N; i++) {
        h.off[i] = at;
        at = (at + h.count[i] * elem[i] + 7) & ~7ull;
    }
    h.v4lens = x->v4lens;
    memcpy(h.v4first, x->v4first, sizeof h.v4first);
    memcpy(h.v6lens, x->v6lens, sizeof h.v6lens);
    h.dlabels = x->dlabels;
    h.stats = x->stats;
    h.stats.bytes = at;
    h.origin = x->origin;

    size_t pl = strlen(path);
    char *tmp = vg_malloc(pl + 16);
    if (!tmp)
        return vg_error_set(err, VG_E_NOMEM, "out of memory saving the index");
    snprintf(tmp, pl + 16, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        vg_error_set(err, VG_E_IO, "cannot create the index file: %s", strerror(errno));
        vg_error_where(err, "%s", path);
        vg_free(tmp);
        return VG_E_IO;
    }
    static const char zeros[8];
    int bad = write_all(fd, &h, sizeof h) || write_all(fd, zeros, (size_t)(h.off[0] - sizeof h));
    for (int i = 0; i < SEC__N && !bad; i++) {
        size_t n = (size_t)(h.count[i] * elem[i]);
        uint64_t end = i + 1 < SEC__N ? h.off[i + 1] : at;
        bad = (n && write_all(fd, arr[i], n)) || write_all(fd, zeros, (size_t)(end - h.off[i] - n));
    }
    if (!bad)
        bad = fsync(fd) != 0;
    if (close(fd) != 0)
        bad = 1;
    if (!bad)
        bad = rename(tmp, path) != 0;
    if (bad) {
        vg_error_set(err, VG_E_IO, "cannot write the index file: %s", strerror(errno));
        vg_error_where(err, "%s", path);
        unlink(tmp);
    }
    vg_free(tmp);
    return bad ? VG_E_IO : 0;
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
