/*
 * vg_test.c - helpers shared by the cmocka tests.
 */
#include "vg_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *vg_test_shared(void)
{
    static char path[4096];
    const char *s = getenv("VIGIL_SHARED");
    struct stat st;
    if (s && stat(s, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(path, sizeof path, "%s", s);
        return path;
    }
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0) {
        fprintf(stderr, "FAIL: the shared data folder (%s) is missing, and CI=true requires it\n",
                s ? s : "VIGIL_SHARED unset");
        exit(1);
    }
    fprintf(stderr, "SKIP: the shared data folder (%s) is missing; this test needs it\n", s ? s : "unset");
    exit(77);
}

const char *vg_test_tmpdir(const char *name)
{
    static char path[4096];
    const char *base = getenv("VIGIL_TMP");
    if (!base)
        base = "/tmp";
    snprintf(path, sizeof path, "%s/%s.%ld", base, name, (long)getpid());
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot make %s\n", path);
        abort();
    }
    return path;
}

char *vg_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        abort();
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

void vg_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
    fclose(f);
}

const char *vg_test_bin(void)
{
    const char *b = getenv("VIGIL_BIN");
    return b ? b : "vigil";
}

int vg_test_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    if (st == -1)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
