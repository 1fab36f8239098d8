/*
 * inc_deliver.c - delivers the queued alerts through the configured
 * channels: a JSON-lines file, an executable hook (the alert on its standard
 * input, killed after a timeout), syslog, and a webhook (JSON POST with
 * libcurl, an HMAC-SHA256 signature header over the body, retried with
 * exponential back-off).
 *
 * Each channel walks the alerts it still owes (store_alerts_pending), oldest
 * first, and records each outcome in the store (store_alert_result): a
 * delivered alert is never sent again on that channel; a failed one stays
 * owed, so the next run (after a restart too) retries it. Delivery is
 * at-least-once at the edge: a crash between sending and recording resends
 * that one alert, which receivers recognise by its "id".
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "incident/inc_alert_int.h"

extern char **environ;

int inc_alert_sign(const char *secret, const void *body, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, md, &n) || n != 32)
        return VG_E_INTERNAL;
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* ---- JSON lines ------------------------------------------------------------- */

static int send_jsonl(const inc__channel *c, const char *json, char *msg, size_t n)
{
    int fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(msg, n, "opening %.200s: %s", c->path, strerror(errno));
        return 0;
    }
    size_t len = strlen(json);
    char *line = vg_malloc(len + 1);
    if (!line) {
        close(fd);
        snprintf(msg, n, "out of memory");
        return 0;
    }
    memcpy(line, json, len);
    line[len] = '\n';
    /* one write with O_APPEND: lines of concurrent writers do not interleave */
    ssize_t w = write(fd, line, len + 1);
    int ok = w == (ssize_t)(len + 1) && fdatasync(fd) == 0;
    if (!ok)
        snprintf(msg, n, "writing %.200s: %s", c->path, w < 0 ? strerror(errno) : "short write");
    vg_free(line);
    return close(fd) == 0 && ok;
}

/* ---- executable hook ------------------------------------------------------------ */

static int send_hook(const inc__channel *c, const char *json, char *msg, size_t n)
{
    char words[sizeof c->path], *argv[64];
    int argc = 0;
    snprintf(words, sizeof words, "%s", c->path);
    for (char *p = words; *p && argc < 63;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    argv[argc] = NULL;
    if (!argc) {
        snprintf(msg, n, "empty hook command");
        return 0;
    }
    /* the alert goes in through a memory file, not a pipe: a hook that does not read it cannot block us */
    int in = memfd_create("vigil-alert", MFD_CLOEXEC), errfd = memfd_create("vigil-hook-stderr", MFD_CLOEXEC);
    size_t len = strlen(json);
    int ok = 0;
    pid_t pid = -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in < 0 || errfd < 0 || write(in, json, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) != 0) {
        snprintf(msg, n, "preparing the hook's input: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, errfd, 2);
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    if (e) {
        snprintf(msg, n, "starting %s: %s", argv[0], strerror(e));
        pid = -1;
        goto out;
    }
    int status = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            snprintf(msg, n, "waiting for %s: %s", argv[0], strerror(errno));
            goto out;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 > c->timeout) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            snprintf(msg, n, "%s did not finish within %g s and was killed", argv[0], c->timeout);
            pid = -1;
            goto out;
        }
        sleep_s(0.005);
    }
    pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ok = 1;
    } else {
        char tail[200] = "";
        ssize_t k = pread(errfd, tail, sizeof tail - 1, 0);
        tail[k > 0 ? k : 0] = '\0';
        for (char *p = tail; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        if (WIFEXITED(status))
            snprintf(msg, n, "%s exited with status %d%s%s", argv[0], WEXITSTATUS(status), tail[0] ? ": " : "",
                     tail);
        else
            snprintf(msg, n, "%s was killed by signal %d", argv[0], WTERMSIG(status));
    }
out:
    posix_spawn_file_actions_destroy(&fa);
    if (in >= 0)
        close(in);
    if (errfd >= 0)
        close(errfd);
    return ok;
}

/* ---- syslog --------------------------------------------------------------------------- */

static int send_syslog(const inc__channel *c, const json_t *doc)
{
    int sev = (int)json_integer_value(json_object_get(doc, "severity"));
    int prio = sev >= 5 ? LOG_CRIT : sev == 4 ? LOG_ERR : sev == 3 ? LOG_WARNING : LOG_NOTICE;
    openlog(c->ident, LOG_PID | LOG_NDELAY, c->facility);
    syslog(prio, "alert %s: %s incident \"%s\" %s (%s)", json_string_value(json_object_get(doc, "id")) ?: "?",
           json_string_value(json_object_get(doc, "severity_name")) ?: "?",
           json_string_value(json_object_get(doc, "incident_name")) ?: "",
           json_string_value(json_object_get(doc, "reason")) ?: "",
           json_string_value(json_object_get(doc, "incident_id")) ?: "?");
    closelog();
    return 1;
}

/* ---- webhook ----------------------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t nmemb, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * nmemb;
}

static int send_webhook(const inc__channel *c, const char *json, const json_t *doc, char *msg, size_t n)
{
    char sig[65], h1[128], h2[160];
    size_t len = strlen(json);
    if (inc_alert_sign(c->secret, json, len, sig)) {
        snprintf(msg, n, "signing the alert failed");
        return 0;
    }
    snprintf(h1, sizeof h1, "X-Vigil-Signature: sha256=%s", sig);
    snprintf(h2, sizeof h2, "X-Vigil-Alert: %s", json_string_value(json_object_get(doc, "id")) ?: "");
    CURL *h = curl_easy_init();
    struct curl_slist *hd = NULL, *t;
    const char *hs[] = {"Content-Type: application/json", h1, h2, "Expect:"};
    for (int i = 0; i < 4; i++) {
        if (!(t = curl_slist_append(hd, hs[i]))) {
            curl_slist_free_all(hd);
            hd = NULL;
            break;
        }
        hd = t;
    }
    if (!h || !hd) {
        snprintf(msg, n, "out of memory");
        curl_slist_free_all(hd);
        curl_easy_cleanup(h);
        return 0;
    }
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil-alert/1");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    int ok = cc == CURLE_OK && code >= 200 && code < 300;
    if (cc != CURLE_OK)
        snprintf(msg, n, "POST: %s", curl_easy_strerror(cc));
    else if (!ok)
        snprintf(msg, n, "POST: HTTP %ld", code);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return ok;
}

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct owed {
    int64_t id;
    char *json;
} owed;

typedef struct owed_list {
    owed *v;
    size_t n, cap;
} owed_list;

static int collect(const store_alert *a, void *ctx)
{
    owed_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        owed *v = vg_realloc(l->v, cap * sizeof *v);
        if (!v)
            return VG_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n].json = vg_strdup(a->json)))
        return VG_E_NOMEM;
    l->v[l->n++].id = a->id;
    return 0;
}

/* One attempt on one channel: 1 delivered, 0 failed (msg says why). */
static int attempt(const inc__channel *c, const char *json, const json_t *doc, char *msg, size_t n)
{
    switch (c->kind) {
    case INC__CH_JSONL: return send_jsonl(c, json, msg, n);
    case INC__CH_HOOK: return send_hook(c, json, msg, n);
    case INC__CH_SYSLOG: return send_syslog(c, doc);
    default: return send_webhook(c, json, doc, msg, n);
    }
}

static int run_channel(store *s, const inc__channel *c, inc_deliver_stats *st, vg_error *err)
{
    int64_t first;
    owed_list l = {0};
    int rc = store_alert_channel(s, c->name, &first, err);
    if (!rc) {
        rc = store_alerts_pending(s, c->name, 0, collect, &l, err);
        if (rc == VG_E_NOMEM)
            vg_error_set(err, rc, "out of memory");
    }
    if (!rc)
        st->pending += l.n;
    for (size_t i = 0; !rc && i < l.n; i++) {
        json_t *doc = json_loads(l.v[i].json, 0, NULL);
        int tries = c->kind == INC__CH_WEBHOOK ? c->attempts : 1, ok = 0;
        double delay = c->backoff; /* before the second try; doubled after each */
        for (int t = 0; !rc && t < tries && !ok; t++) {
            char msg[512] = "";
            if (t)
                sleep_s(delay);
            delay = t ? delay * 2 : c->backoff;
            ok = attempt(c, l.v[i].json, doc, msg, sizeof msg);
            if (!ok) {
                st->failed++;
                rc = store_alert_result(s, l.v[i].id, c->name, 0, msg, err);
            }
        }
        json_decref(doc);
        if (!rc && ok) {
            st->delivered++;
            rc = store_alert_result(s, l.v[i].id, c->name, 1, NULL, err);
        } else if (!rc) {
            st->left += l.n - i; /* this and the later alerts wait for the next run, in order */
            break;
        }
    }
    for (size_t i = 0; i < l.n; i++)
        vg_free(l.v[i].json);
    vg_free(l.v);
    return rc;
}

int inc_alerts_deliver(store *s, const inc_alerts *a, inc_deliver_stats *st, vg_error *err)
{
    memset(st, 0, sizeof *st);
    int rc = 0;
    for (size_t i = 0; a && i < a->nch && !rc; i++)
        rc = run_channel(s, &a->ch[i], st, err);
    return rc;
}
