/*
 * ev_stream.c - reading evidence files in chunks of whole lines: plain, gzip
 * (also concatenated members) or zstd, told by their magic bytes, with the
 * raw bytes hashed (MD5, SHA-1, SHA-256) in the same read when asked.
 *
 * Each chunk ends after its last newline; the partial line after it is
 * carried into the next chunk. A line longer than a whole chunk is cut at
 * the chunk's end (tokens across the cut are not seen; the line count stays
 * right).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"

#define RAW_BUF (256 * 1024)

struct ev_stream {
    int fd;               /* the file */
    char *path;           /* its path, for messages */
    int comp;             /* EV_PLAIN, EV_GZIP, EV_ZSTD */
    uint64_t size;        /* raw size */
    uint64_t raw_read;    /* raw bytes read */
    unsigned char *raw;   /* raw input buffer */
    size_t raw_len;       /* bytes in raw */
    size_t raw_pos;       /* consumed */
    int raw_eof;          /* the file is read to its end */
    int out_eof;          /* no more decompressed bytes */
    z_stream z;           /* gzip state */
    int z_init;           /* z is initialised */
    ZSTD_DCtx *zd;        /* zstd state */
    char *carry;          /* partial line carried to the next chunk */
    size_t carry_len;     /* its length */
    size_t carry_cap;     /* allocated */
    uint64_t offset;      /* stream offset of the next chunk */
    uint64_t line;        /* line number of the next chunk */
    int nolines;          /* EV_STREAM_NOLINES: chunks get line 0 */
    EVP_MD_CTX *md[3];    /* MD5, SHA-1, SHA-256 when hashing */
};

int ev_chunk_init(ev_chunk *c, size_t cap, vg_error *err)
{
    memset(c, 0, sizeof *c);
    if (cap < 65536)
        cap = 65536;
    c->data = vg_malloc(cap);
    if (!c->data)
        return vg_error_set(err, VG_E_NOMEM, "out of memory for a read buffer");
    c->cap = cap;
    return 0;
}

void ev_chunk_free(ev_chunk *c)
{
    if (c) {
        vg_free(c->data);
        memset(c, 0, sizeof *c);
    }
}

static int fail(ev_stream *s, int code, const char *what, vg_error *err)
{
    vg_error_set(err, code, "%s", what);
    return vg_error_where(err, "%s (byte %llu)", s->path, (unsigned long long)s->raw_read);
}

int ev_stream_open(const char *path, int flags, ev_stream **out, vg_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO;
        vg_error_set(err, code, "cannot open: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    ev_stream *s = vg_calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", path);
    }
    s->fd = fd;
    s->line = 1;
    s->nolines = (flags & EV_STREAM_NOLINES) != 0;
    s->path = vg_strdup(path);
    s->raw = vg_malloc(RAW_BUF);
    struct stat st;
    if (fstat(fd, &st) == 0)
        s->size = (uint64_t)st.st_size;
    int rc = (!s->path || !s->raw) ? VG_E_NOMEM : 0;
    if (!rc && (flags & EV_STREAM_HASH)) {
        const EVP_MD *mds[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
        for (int i = 0; i < 3 && !rc; i++) {
            s->md[i] = EVP_MD_CTX_new();
            if (!s->md[i] || EVP_DigestInit_ex(s->md[i], mds[i], NULL) != 1)
                rc = VG_E_NOMEM;
        }
    }
    if (rc) {
        ev_stream_close(s);
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", path);
    }
    *out = s;
    return 0;
}

void ev_stream_close(ev_stream *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->z_init)
        inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    for (int i = 0; i < 3; i++)
        EVP_MD_CTX_free(s->md[i]);
    vg_free(s->raw);
    vg_free(s->carry);
    vg_free(s->path);
    vg_free(s);
}

int ev_stream_compression(const ev_stream *s)
{
    return s->comp;
}

uint64_t ev_stream_size(const ev_stream *s)
{
    return s->size;
}

uint64_t ev_stream_raw_read(const ev_stream *s)
{
    return s->raw_read;
}

/* Refills the raw buffer when it is used up. Returns 0 or VG_E_IO. */
static int fill_raw(ev_stream *s, vg_error *err)
{
    if (s->raw_pos < s->raw_len || s->raw_eof)
        return 0;
    ssize_t n;
    do
        n = read(s->fd, s->raw, RAW_BUF);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return fail(s, VG_E_IO, strerror(errno), err);
    s->raw_len = (size_t)n;
    s->raw_pos = 0;
    if (n == 0)
        s->raw_eof = 1;
    s->raw_read += (uint64_t)n;
    for (int i = 0; i < 3; i++)
        if (s->md[i] && n > 0)
            EVP_DigestUpdate(s->md[i], s->raw, (size_t)n);
    return 0;
}

/* Detects the compression from the first bytes (called once). */
static int detect(ev_stream *s, vg_error *err)
{
    int rc = fill_raw(s, err);
    if (rc)
        return rc;
    if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
        s->comp = EV_GZIP;
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)
            return vg_error_set(err, VG_E_NOMEM, "out of memory starting gzip");
        s->z_init = 1;
    } else if (s->raw_len >= 4 && s->raw[0] == 0x28 && s->raw[1] == 0xb5 && s->raw[2] == 0x2f &&
               s->raw[3] == 0xfd) {
        s->comp = EV_ZSTD;
        s->zd = ZSTD_createDCtx();
        if (!s->zd)
            return vg_error_set(err, VG_E_NOMEM, "out of memory starting zstd");
    }
    return 0;
}

/* Appends up to `room` decompressed bytes at dst; returns how many (0 at the end) or a negative code. */
static long produce(ev_stream *s, char *dst, size_t room, vg_error *err)
{
    size_t got = 0;
    while (got < room && !s->out_eof) {
        if (s->comp == EV_PLAIN && s->raw_pos >= s->raw_len && !s->raw_eof && room - got >= RAW_BUF) {
            /* a plain file with room for more than a raw buffer: read straight into the chunk (one copy, the
               kernel's, instead of two) */
            ssize_t n;
            do
                n = read(s->fd, dst + got, room - got);
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return fail(s, VG_E_IO, strerror(errno), err);
            if (n == 0) {
                s->raw_eof = 1;
                s->out_eof = 1;
                break;
            }
            s->raw_read += (uint64_t)n;
            for (int i = 0; i < 3; i++)
                if (s->md[i])
                    EVP_DigestUpdate(s->md[i], dst + got, (size_t)n);
            got += (size_t)n;
            continue;
        }
        int rc = fill_raw(s, err);
        if (rc)
            return rc;
        size_t avail = s->raw_len - s->raw_pos;
        if (s->comp == EV_PLAIN) {
            if (avail == 0) {
                s->out_eof = 1;
                break;
            }
            size_t n = avail < room - got ? avail : room - got;
            memcpy(dst + got, s->raw + s->raw_pos, n);
            s->raw_pos += n;
            got += n;
        } else if (s->comp == EV_GZIP) {
            if (avail == 0) {
                if (s->z.total_in == 0 && s->z.total_out == 0) {
                    s->out_eof = 1;
                    break;
                }
                return fail(s, VG_E_PARSE, "the gzip stream ends early", err);
            }
            s->z.next_in = s->raw + s->raw_pos;
            s->z.avail_in = (uInt)avail;
            s->z.next_out = (Bytef *)dst + got;
            s->z.avail_out = (uInt)(room - got);
            int zr = inflate(&s->z, Z_NO_FLUSH);
            size_t used = avail - s->z.avail_in;
            s->raw_pos += used;
            got = room - s->z.avail_out;
            if (zr == Z_STREAM_END) {
                /* another member may follow */
                inflateReset(&s->z);
                s->z.total_in = s->z.total_out = 0;
                if (fill_raw(s, err) == 0 && s->raw_pos >= s->raw_len && s->raw_eof)
                    s->out_eof = 1;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                return fail(s, VG_E_PARSE, "damaged gzip data", err);
            }
        } else {
            if (avail == 0) {
                s->out_eof = 1;
                break;
            }
            ZSTD_inBuffer in = {s->raw + s->raw_pos, avail, 0};
            ZSTD_outBuffer o = {dst + got, room - got, 0};
            size_t zr = ZSTD_decompressStream(s->zd, &o, &in);
            if (ZSTD_isError(zr))
                return fail(s, VG_E_PARSE, "damaged zstd data", err);
            s->raw_pos += in.pos;
            got += o.pos;
        }
    }
    return (long)got;
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t k = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

int ev_stream_next(ev_stream *s, ev_chunk *c, vg_error *err)
{
    if (s->raw_read == 0 && !s->raw_eof) {
        int rc = detect(s, err);
        if (rc)
            return rc;
    }
    c->len = 0;
    if (s->carry_len) {
        memcpy(c->data, s->carry, s->carry_len);
        c->len = s->carry_len;
        s->carry_len = 0;
    }
    while (c->len < c->cap && !s->out_eof) {
        long n = produce(s, c->data + c->len, c->cap - c->len, err);
        if (n < 0)
            return (int)n;
        c->len += (size_t)n;
    }
    if (c->len == 0)
        return 0;
    if (!s->out_eof) {
        /* keep whole lines: carry what follows the last newline */
        const char *nl = memrchr(c->data, '\n', c->len);
        if (nl && (size_t)(nl - c->data) + 1 < c->len) {
            size_t keep = (size_t)(nl - c->data) + 1, rest = c->len - keep;
            if (rest > s->carry_cap) {
                char *nc = vg_realloc(s->carry, c->cap);
                if (!nc)
                    return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", s->path);
                s->carry = nc;
                s->carry_cap = c->cap;
            }
            memcpy(s->carry, c->data + keep, rest);
            s->carry_len = rest;
            c->len = keep;
        }
    }
    c->offset = s->offset;
    c->line = s->nolines ? 0 : s->line;
    s->offset += c->len;
    if (!s->nolines)
        s->line += count_lines(c->data, c->len);
    return 1;
}

long ev_stream_read(ev_stream *s, void *dst, size_t n, vg_error *err)
{
    if (s->raw_read == 0 && !s->raw_eof) {
        int rc = detect(s, err);
        if (rc)
            return rc;
    }
    size_t got = 0;
    while (got < n && !s->out_eof) {
        long k = produce(s, (char *)dst + got, n - got, err);
        if (k < 0)
            return k;
        got += (size_t)k;
    }
    s->offset += got;
    return (long)got;
}

int ev_stream_hashes(ev_stream *s, ev_hashes *h, vg_error *err)
{
    char *outs[3] = {h->md5, h->sha1, h->sha256};
    for (int i = 0; i < 3; i++) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        if (!s->md[i] || EVP_DigestFinal_ex(s->md[i], d, &n) != 1)
            return vg_error_set(err, VG_E_USAGE, "the stream was not opened with EV_STREAM_HASH");
        for (unsigned k = 0; k < n; k++) {
            outs[i][2 * k] = "0123456789abcdef"[d[k] >> 4];
            outs[i][2 * k + 1] = "0123456789abcdef"[d[k] & 15];
        }
        outs[i][2 * n] = 0;
    }
    return 0;
}

/* ---- folders -------------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *path, int depth, int (*fn)(const char *, uint64_t, void *), void *ctx, vg_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        int code = errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO;
        vg_error_set(err, code, "cannot read: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    if (S_ISREG(st.st_mode))
        return fn(path, (uint64_t)st.st_size, ctx);
    if (!S_ISDIR(st.st_mode) || depth > 64)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        vg_error_set(err, VG_E_IO, "cannot open the folder: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = vg_realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
                break;
            }
            names = nn;
            cap = nc;
        }
        size_t pl = strlen(path), el = strlen(e->d_name);
        char *full = vg_malloc(pl + el + 2);
        if (!full) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
            break;
        }
        memcpy(full, path, pl);
        full[pl] = '/';
        memcpy(full + pl + 1, e->d_name, el + 1);
        names[n++] = full;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = walk(names[i], depth + 1, fn, ctx, err);
        vg_free(names[i]);
    }
    vg_free(names);
    return rc;
}

int ev_walk(const char *path, int (*fn)(const char *file, uint64_t size, void *ctx), void *ctx, vg_error *err)
{
    return walk(path, 0, fn, ctx, err);
}
