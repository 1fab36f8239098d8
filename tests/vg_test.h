/*
 * vg_test.h - helpers shared by the cmocka tests.
 *
 * Include after <cmocka.h>'s prerequisites:
 *   #include <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h>
 */
#ifndef VG_TEST_H
#define VG_TEST_H

#include <stddef.h>

/*
 * Returns the path of ../shared (the real-data folder) or, when it is missing,
 * exits the test program: 77 (reported skipped by CTest) on a user's clone,
 * 1 (a failure) under CI=true, where the data must be present.
 * Call it from main() before cmocka_run_group_tests for tests that need it.
 */
const char *vg_test_shared(void);

/* A fresh empty directory under VIGIL_TMP for this test; returns a static path. */
const char *vg_test_tmpdir(const char *name);

/* Reads a whole file into a malloc'd NUL-terminated buffer (aborts the test on failure). */
char *vg_test_read_file(const char *path, size_t *len);

/* Writes len bytes to path (aborts the test on failure). */
void vg_test_write_file(const char *path, const void *data, size_t len);

/* The vigil binary (VIGIL_BIN), for tests that run the command. */
const char *vg_test_bin(void);

/* Runs a shell command, returns its exit status (or -1). */
int vg_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
