/*
 * vg_time.c - RFC 3339 parse, format and compare.
 *
 * Dates are converted with the days-from-civil algorithm for the proleptic
 * Gregorian calendar, valid for years 0000..9999 (all that RFC 3339 allows).
 */
#include "vg_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Reads exactly `count` digits at s[*i]; returns -1 if they are not all digits. */
static int digits(const char *s, size_t n, size_t *i, int count)
{
    int v = 0;
    for (int k = 0; k < count; k++, (*i)++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

/* VG_E_PARSE, with err (may be NULL: vg_error_hint would then return 0, a success) saying what and where. */
static int bad(vg_error *err, const char *s, size_t n, size_t i, const char *what)
{
    vg_error_set(err, VG_E_PARSE, "invalid timestamp \"%.*s\": %s at character %zu", (int)(n > 64 ? 64 : n), s,
                 what, i + 1);
    vg_error_hint(err, "STIX timestamps look like 2016-05-12T08:17:27.123Z (UTC, ending in Z)");
    return VG_E_PARSE;
}

static int expect(const char *s, size_t n, size_t *i, char c)
{
    if (*i < n && s[*i] == c) {
        (*i)++;
        return 1;
    }
    return 0;
}

int vg_time_parse(const char *s, size_t n, int mode, vg_time *out, vg_error *err)
{
    size_t i = 0;
    int year = digits(s, n, &i, 4);
    if (year < 0)
        return bad(err, s, n, i, "expected a 4-digit year");
    if (!expect(s, n, &i, '-'))
        return bad(err, s, n, i, "expected '-' after the year");
    int mon = digits(s, n, &i, 2);
    if (mon < 1 || mon > 12)
        return bad(err, s, n, i > 0 ? i - 2 : 0, "expected a month 01..12");
    if (!expect(s, n, &i, '-'))
        return bad(err, s, n, i, "expected '-' after the month");
    int day = digits(s, n, &i, 2);
    if (day < 1 || (unsigned)day > days_in_month(year, (unsigned)mon))
        return bad(err, s, n, i > 1 ? i - 2 : 0, "day out of range for the month");
    if (!(expect(s, n, &i, 'T') || (mode == VG_TIME_RFC3339 && (expect(s, n, &i, 't') || expect(s, n, &i, ' ')))))
        return bad(err, s, n, i, "expected 'T' between date and time");
    int hh = digits(s, n, &i, 2);
    if (hh < 0 || hh > 23)
        return bad(err, s, n, i > 1 ? i - 2 : 0, "expected an hour 00..23");
    if (!expect(s, n, &i, ':'))
        return bad(err, s, n, i, "expected ':' after the hour");
    int mm = digits(s, n, &i, 2);
    if (mm < 0 || mm > 59)
        return bad(err, s, n, i > 1 ? i - 2 : 0, "expected minutes 00..59");
    if (!expect(s, n, &i, ':'))
        return bad(err, s, n, i, "expected ':' after the minutes");
    int ss = digits(s, n, &i, 2);
    if (ss < 0 || ss > 59)
        return bad(err, s, n, i > 1 ? i - 2 : 0, "expected seconds 00..59 (leap seconds are not accepted)");
    uint32_t nsec = 0;
    int nd = 0;
    if (expect(s, n, &i, '.')) {
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd == 9)
                return bad(err, s, n, i, "more than 9 fractional digits (finer than a nanosecond)");
            nsec = nsec * 10 + (uint32_t)(s[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0)
            return bad(err, s, n, i, "expected digits after '.'");
        for (int k = nd; k < 9; k++)
            nsec *= 10;
    }
    int64_t offset = 0;
    if (expect(s, n, &i, 'Z') || (mode == VG_TIME_RFC3339 && expect(s, n, &i, 'z'))) {
        /* UTC */
    } else if (mode == VG_TIME_RFC3339 && i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        int oh = digits(s, n, &i, 2);
        if (oh < 0 || oh > 23 || !expect(s, n, &i, ':'))
            return bad(err, s, n, i, "expected an offset ±HH:MM");
        int om = digits(s, n, &i, 2);
        if (om < 0 || om > 59)
            return bad(err, s, n, i, "expected offset minutes 00..59");
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return bad(err, s, n, i, "expected 'Z' (STIX timestamps are UTC)");
    }
    if (i != n)
        return bad(err, s, n, i, "unexpected text after the timestamp");
    out->sec = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hh * 3600 + mm * 60 + ss - offset;
    out->nsec = nsec;
    out->digits = (uint8_t)nd;
    return 0;
}

void vg_time_format_digits(const vg_time *t, int nd, char out[VG_TIME_MAX])
{
    int64_t days = t->sec >= 0 ? t->sec / 86400 : -((-t->sec + 86399) / 86400);
    int64_t rem = t->sec - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int k;
    if (y >= 0 && y <= 9999) {
        /* The common case digit by digit: snprintf was most of the cost of a store row's three dates. */
        unsigned v[6] = {(unsigned)y / 100, (unsigned)y % 100, m, d, (unsigned)(rem / 3600),
                         (unsigned)(rem / 60 % 60)};
        static const char sep[6] = {0, 0, '-', '-', 'T', ':'}; /* before each pair */
        k = 0;
        for (int i = 0; i < 6; i++) {
            if (sep[i])
                out[k++] = sep[i];
            out[k++] = (char)('0' + v[i] / 10);
            out[k++] = (char)('0' + v[i] % 10);
        }
        out[k++] = ':';
        out[k++] = (char)('0' + rem % 60 / 10);
        out[k++] = (char)('0' + rem % 10);
    } else {
        k = snprintf(out, VG_TIME_MAX, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    }
    if (nd > 9)
        nd = 9;
    if (nd > 0) {
        char frac[10];
        /* Nine digits (of a value out of range, its first nine, as "%09u" cut to nine bytes gave). */
        uint32_t ns = t->nsec < 1000000000u ? t->nsec : t->nsec / 10;
        for (int i = 8; i >= 0; i--, ns /= 10)
            frac[i] = (char)('0' + ns % 10);
        out[k++] = '.';
        memcpy(out + k, frac, (size_t)nd);
        k += nd;
    }
    out[k++] = 'Z';
    out[k] = '\0';
}

void vg_time_format(const vg_time *t, char out[VG_TIME_MAX]) { vg_time_format_digits(t, t->digits, out); }

void vg_time_format_key(const vg_time *t, char out[VG_TIME_MAX]) { vg_time_format_digits(t, 9, out); }

int vg_time_cmp(const vg_time *a, const vg_time *b)
{
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->nsec != b->nsec)
        return a->nsec < b->nsec ? -1 : 1;
    return 0;
}

vg_time vg_time_from_unix(int64_t sec, uint32_t nsec, int nd)
{
    static const uint32_t pow10[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                     10000,      1000,      100,      10,      1};
    if (nd < 0)
        nd = 0;
    if (nd > 9)
        nd = 9;
    vg_time t = {sec, nsec - nsec % pow10[nd], (uint8_t)nd};
    return t;
}

static int fixed_set;   /* vg_time_set_now was given a time */
static vg_time fixed_now; /* that time */

void vg_time_set_now(const vg_time *t)
{
    fixed_set = t != NULL;
    if (t)
        fixed_now = *t;
}

vg_time vg_time_now(int nd)
{
    if (fixed_set)
        return vg_time_from_unix(fixed_now.sec, fixed_now.nsec, nd);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return vg_time_from_unix((int64_t)ts.tv_sec, (uint32_t)ts.tv_nsec, nd);
}

int64_t vg_time_diff_ns(const vg_time *a, const vg_time *b)
{
    int64_t ds = b->sec - a->sec;
    if (ds > INT64_MAX / 1000000000 - 1)
        return INT64_MAX;
    if (ds < INT64_MIN / 1000000000 + 1)
        return INT64_MIN;
    return ds * 1000000000 + ((int64_t)b->nsec - (int64_t)a->nsec);
}
