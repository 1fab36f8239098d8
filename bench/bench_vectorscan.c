/*
 * bench_vectorscan.c - the Vectorscan side of bench/scan_vs_grep.sh: what a
 * user reaching for Vectorscan (Hyperscan) literal matching gets on the same
 * files. The values become case-sensitive literal patterns (as grep -F takes
 * them), compiled into one block-mode database; the corpus is mapped and
 * scanned in one call, and the lines holding a match are counted (like
 * grep -c). Like grep, it matches a value inside a longer word: "evil.com"
 * in "notevil.com".
 *
 * Usage: bench_vectorscan VALUES.txt CORPUS
 * Prints "bench scan-e2e vectorscan <n> values: ..." with the compile and scan
 * times, the database size and the matching lines; 2 on an error.
 */
#include <fcntl.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

typedef struct lines {
    const char *data;
    size_t size;
    long long last_end; /* offset of the newline ending the last line counted, -1 before any */
    unsigned long long n;
} lines;

/* Matches arrive in order of their end: a match past the last counted line starts a new one. */
static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *p)
{
    (void)id;
    (void)from;
    (void)flags;
    lines *l = p;
    long long at = (long long)to - 1;
    if (at > l->last_end) {
        const char *nl = memchr(l->data + at, '\n', l->size - (size_t)at);
        l->last_end = nl ? nl - l->data : (long long)l->size;
        l->n++;
    }
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_vectorscan VALUES.txt CORPUS\n");
        return 2;
    }
    size_t vlen = 0;
    char *vals = slurp(argv[1], &vlen);
    if (!vals) {
        fprintf(stderr, "bench_vectorscan: cannot read %s\n", argv[1]);
        return 2;
    }
    size_t n = 0, cap = 1024;
    const char **pats = malloc(cap * sizeof *pats);
    size_t *plen = malloc(cap * sizeof *plen);
    for (char *p = vals, *e; p < vals + vlen; p = e + 1) {
        e = memchr(p, '\n', (size_t)(vals + vlen - p));
        if (!e)
            e = vals + vlen;
        if (e == p)
            continue;
        if (n == cap) {
            cap *= 2;
            pats = realloc(pats, cap * sizeof *pats);
            plen = realloc(plen, cap * sizeof *plen);
        }
        pats[n] = p;
        plen[n] = (size_t)(e - p);
        n++;
    }
    unsigned *flags = calloc(n, sizeof *flags), *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = (unsigned)i;
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    double t0 = now_s();
    if (hs_compile_lit_multi(pats, flags, ids, plen, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        fprintf(stderr, "bench_vectorscan: compile: %s\n", ce ? ce->message : "failed");
        return 2;
    }
    double tc = now_s() - t0;
    size_t dbsize = 0;
    hs_database_size(db, &dbsize);
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        fprintf(stderr, "bench_vectorscan: out of memory for scratch\n");
        return 2;
    }
    int fd = open(argv[2], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0 || (unsigned long long)st.st_size > 0xffffffffull) {
        fprintf(stderr, "bench_vectorscan: cannot map %s (empty, missing or over 4 GB)\n", argv[2]);
        return 2;
    }
    char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (data == MAP_FAILED) {
        fprintf(stderr, "bench_vectorscan: cannot map %s\n", argv[2]);
        return 2;
    }
    lines l = {data, (size_t)st.st_size, -1, 0};
    t0 = now_s();
    if (hs_scan(db, data, (unsigned)st.st_size, 0, scratch, on_match, &l) != HS_SUCCESS) {
        fprintf(stderr, "bench_vectorscan: scan failed\n");
        return 2;
    }
    double ts = now_s() - t0;
    printf("bench scan-e2e vectorscan %zu values: compile %.2f s (database %.1f MB), scan %.2f s (%.2f GB/s), "
           "%llu matching lines (near-misses included), %ld MB RSS with the corpus mapped\n",
           n, tc, (double)dbsize / 1e6, ts, (double)st.st_size / 1e9 / ts, l.n, rss_kb() / 1024);
    munmap(data, (size_t)st.st_size);
    close(fd);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(flags);
    free(ids);
    free(pats);
    free(plen);
    free(vals);
    return 0;
}
