/*
 * test_alert.c - incident alerts: the config file, when a change alerts (in
 * the incident's own transaction, once per version), and delivery through a
 * JSON-lines file, an executable hook and a webhook served by a small
 * libmicrohttpd receiver on 127.0.0.1 that fails its first requests and checks
 * the HMAC signature; undelivered alerts survive reopening the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "incident/incident.h"
#include "vg_test.h"

#define SECRET "0123456789abcdef-test-secret"

/* ---- helpers ------------------------------------------------------------------ */

static store *open_store(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/vigil.db", dir);
    store *s = NULL;
    vg_error err = {0};
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    return s;
}

static inc_alerts *config(const char *text)
{
    inc_alerts *a = NULL;
    vg_error err = {0};
    int rc = inc_alerts_parse(text, strlen(text), "alerts.conf", &a, &err);
    if (rc) {
        char buf[1024];
        fprintf(stderr, "%s\n", vg_error_format(&err, buf, sizeof buf));
    }
    assert_int_equal(rc, 0);
    return a;
}

/*
 * Writes a version of incident `id` (created when *inc is NULL) with severity
 * sev, checking for an alert in the same transaction; returns whether one was
 * queued. commit = 0 rolls back.
 */
static int write_version(store *s, const inc_alerts *a, json_t **inc, const char *name, int sev, int commit)
{
    vg_error err = {0};
    int prev = INC_ALERT_NEW, queued = 0;
    if (!*inc) {
        assert_int_equal(inc_new(NULL, name, inc, &err), 0);
    } else {
        prev = (int)json_integer_value(json_object_get(inc_ext(*inc), "severity"));
        vg_time t;
        const char *m = json_string_value(json_object_get(*inc, "modified"));
        assert_int_equal(vg_time_parse(m, strlen(m), VG_TIME_STIX, &t, NULL), 0);
        assert_int_equal(inc_touch(*inc, &t), 0);
    }
    char v[4];
    snprintf(v, sizeof v, "%d", sev);
    assert_int_equal(inc_set(*inc, "severity", v, &err), 0);
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(inc_ensure_meta(s, &err), 0);
    assert_int_equal(inc_put(s, *inc, NULL, &err), 0);
    assert_int_equal(inc_alert_check(s, a, prev, *inc, &queued, &err), 0);
    if (commit)
        assert_int_equal(store_commit(s, &err), 0);
    else
        store_rollback(s);
    return queued;
}

typedef struct counts {
    int n;             /* alerts listed */
    int delivered;     /* channels delivered, summed */
    int pending;       /* channels pending, summed */
    char last_error[256];
} counts;

static int count_alert(const store_alert *a, void *ctx)
{
    counts *c = ctx;
    c->n++;
    for (const char *p = a->channels; (p = strstr(p, "=")); p++) {
        if (strncmp(p + 1, "delivered", 9) == 0)
            c->delivered++;
        else
            c->pending++;
    }
    if (a->last_error[0])
        snprintf(c->last_error, sizeof c->last_error, "%s", a->last_error);
    return 0;
}

static counts list(store *s)
{
    counts c = {0};
    vg_error err = {0};
    assert_int_equal(store_alerts_list(s, 0, count_alert, &c, &err), 0);
    return c;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* ---- the config ------------------------------------------------------------------ */

static void test_incident_alert__config(void **st)
{
    (void)st;
    inc_alerts *a = NULL;
    vg_error err = {0};
    assert_int_equal(inc_alerts_default(&a, &err), 0);
    assert_int_equal(inc_alerts_threshold(a), 4);
    assert_int_equal(inc_alerts_nchannels(a), 0);
    inc_alerts_free(a);

    a = config("[alerts]\nthreshold = medium\n[jsonl]\npath = /tmp/x.jsonl\n[webhook soc]\n"
               "url = \"http://127.0.0.1:1/hook#x\"\nsecret = " SECRET "\nattempts = 2\nbackoff = 0.5\n"
               "[syslog]\nfacility = local3\n");
    assert_int_equal(inc_alerts_threshold(a), 3);
    assert_int_equal(inc_alerts_nchannels(a), 3);
    assert_string_equal(inc_alerts_channel(a, 1), "webhook:soc");
    inc_alerts_free(a);

    static const struct {
        const char *text;
        const char *where; /* expected in the message */
    } bad[] = {
        {"[alerts]\nthreshold = severe\n", "alerts.conf:2"},
        {"[alerts]\ncolour = red\n", "alerts.conf:2"},
        {"[pager]\n", "alerts.conf:1"},
        {"[webhook]\nurl = http://x/\n", "needs a secret"},
        {"[webhook]\nurl = ftp://x/\nsecret = " SECRET "\n", "alerts.conf:2"},
        {"[webhook]\nurl = http://x/\nsecret = short\n", "alerts.conf:3"},
        {"[jsonl]\npath = a\n[jsonl]\npath = b\n", "second channel"},
        {"[hook]\ntimeout = 5\n", "needs a command"},
        {"threshold = high\n", "outside a section"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_error e = {0};
        char buf[1024];
        a = NULL;
        assert_int_equal(inc_alerts_parse(bad[i].text, strlen(bad[i].text), "alerts.conf", &a, &e), VG_E_INVALID);
        assert_null(a);
        vg_error_format(&e, buf, sizeof buf);
        if (!strstr(buf, bad[i].where))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, buf, bad[i].where);
    }
}

/* ---- when a change alerts ------------------------------------------------------------- */

static void test_incident_alert__queue_rules(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("alert_queue");
    store *s = open_store(dir);
    inc_alerts *a = config("[alerts]\nthreshold = high\n");
    json_t *x = NULL, *y = NULL;
    assert_false(write_version(s, a, &x, "Phishing at a school", 2, 1)); /* opened below the threshold */
    assert_false(write_version(s, a, &x, NULL, 3, 1));                   /* rises, still below */
    assert_true(write_version(s, a, &x, NULL, 4, 1));                    /* rises to the threshold */
    assert_false(write_version(s, a, &x, NULL, 4, 1));                   /* changes, same severity */
    assert_false(write_version(s, a, &x, NULL, 3, 1));                   /* falls */
    assert_true(write_version(s, a, &x, NULL, 5, 1));                    /* rises again */
    assert_true(write_version(s, a, &y, "Wiper at the grid", 5, 1));     /* opened above */
    /* the same version again: queued once */
    vg_error err = {0};
    int queued = 1;
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(inc_alert_check(s, a, 3, x, &queued, &err), 0);
    assert_int_equal(store_commit(s, &err), 0);
    assert_false(queued);
    /* a rolled-back change leaves no alert */
    json_t *z = NULL;
    assert_true(write_version(s, a, &z, "Never stored", 5, 0));
    assert_int_equal(list(s).n, 3);
    /* without a transaction the outbox refuses */
    assert_int_equal(inc_alert_check(s, a, INC_ALERT_NEW, z, &queued, &err), VG_E_INTERNAL);
    /* the document */
    json_decref(x);
    json_decref(y);
    json_decref(z);
    inc_alerts_free(a);
    store_close(s);
}

/* ---- JSON lines and hook ------------------------------------------------------------------ */

static void test_incident_alert__jsonl_and_hook(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("alert_local");
    char conf[4096], hook[1024], got[1024], jsonl[1024], flag[1024];
    snprintf(hook, sizeof hook, "%s/hook.sh", dir);
    snprintf(got, sizeof got, "%s/hook.out", dir);
    snprintf(jsonl, sizeof jsonl, "%s/alerts.jsonl", dir);
    snprintf(flag, sizeof flag, "%s/hook.fail", dir);
    /* the hook appends its input to a file, and fails while the flag file exists */
    char script[2048];
    int n = snprintf(script, sizeof script,
                     "#!/bin/sh\nif [ -e '%s' ]; then echo 'receiver down' >&2; exit 3; fi\n"
                     "cat >> '%s'; echo >> '%s'\n",
                     flag, got, got);
    vg_test_write_file(hook, script, (size_t)n);
    chmod(hook, 0755);
    vg_test_write_file(flag, "", 0);
    snprintf(conf, sizeof conf, "[alerts]\nthreshold = 4\n[jsonl]\npath = %s\n[hook]\ncommand = %s\ntimeout = 20\n",
             jsonl, hook);
    inc_alerts *a = config(conf);
    store *s = open_store(dir);
    json_t *x = NULL, *y = NULL;
    assert_true(write_version(s, a, &x, "Ransomware at the hospital", 5, 1));
    assert_true(write_version(s, a, &y, "Spyware at the newsroom", 4, 1));

    inc_deliver_stats ds;
    vg_error err = {0};
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.pending, 4);   /* 2 alerts x 2 channels */
    assert_int_equal(ds.delivered, 2); /* the file took both */
    assert_int_equal(ds.failed, 1);    /* the hook failed the first and stopped */
    assert_int_equal(ds.left, 2);
    assert_int_equal(count_lines(jsonl), 2);
    counts c = list(s);
    assert_int_equal(c.pending, 2);
    assert_non_null(strstr(c.last_error, "exited with status 3: receiver down"));

    /* the hook recovers: it gets both, the file nothing more */
    remove(flag);
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.pending, 2);
    assert_int_equal(ds.delivered, 2);
    assert_int_equal(ds.left, 0);
    assert_int_equal(count_lines(jsonl), 2);
    assert_int_equal(count_lines(got), 2);
    /* delivered once: another run sends nothing */
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.pending, 0);
    assert_int_equal(count_lines(got), 2);
    c = list(s);
    assert_int_equal(c.delivered, 4);
    assert_int_equal(c.pending, 0);

    /* what the hook read is the alert document */
    char *text = vg_test_read_file(got, NULL);
    json_error_t je;
    json_t *doc = json_loadb(text, strcspn(text, "\n"), 0, &je);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "reason")), "opened");
    assert_int_equal(json_integer_value(json_object_get(doc, "severity")), 5);
    assert_string_equal(json_string_value(json_object_get(doc, "incident_id")),
                        json_string_value(json_object_get(x, "id")));
    assert_true(json_is_null(json_object_get(doc, "previous_severity")));
    assert_int_equal(strncmp(json_string_value(json_object_get(doc, "id")), "alert--", 7), 0);
    json_decref(doc);
    free(text);

    /* a channel added later owes only what is queued from then on */
    inc_alerts *b = NULL;
    snprintf(conf, sizeof conf, "[jsonl later]\npath = %s.2\n", jsonl);
    b = config(conf);
    assert_int_equal(inc_alerts_deliver(s, b, &ds, &err), 0);
    assert_int_equal(ds.pending, 0);
    inc_alerts_free(b);

    /* a hook that hangs is killed after its timeout */
    n = snprintf(script, sizeof script, "#!/bin/sh\nexec sleep 30\n");
    vg_test_write_file(hook, script, (size_t)n);
    snprintf(conf, sizeof conf, "[hook slow]\ncommand = %s\ntimeout = 0.3\n", hook);
    b = config(conf);
    json_t *z = NULL;
    assert_true(write_version(s, b, &z, "DDoS at the ministry", 4, 1));
    assert_int_equal(inc_alerts_deliver(s, b, &ds, &err), 0);
    assert_int_equal(ds.failed, 1);
    assert_int_equal(ds.left, 1);
    c = list(s);
    assert_non_null(strstr(c.last_error, "was killed"));
    inc_alerts_free(b);

    json_decref(x);
    json_decref(y);
    json_decref(z);
    inc_alerts_free(a);
    store_close(s);
}

/* ---- webhook --------------------------------------------------------------------------------- */

typedef struct receiver {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int fail_first;  /* answer 503 to this many requests */
    int requests;    /* requests seen */
    int bad_sig;     /* requests whose signature did not verify */
    int accepted;    /* requests answered 200 */
    char ids[8][64]; /* alert ids accepted */
} receiver;

typedef struct req {
    char *body;
    size_t len;
} req;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **ctx)
{
    (void)url;
    (void)version;
    receiver *r = cls;
    req *q = *ctx;
    if (!q) {
        q = calloc(1, sizeof *q);
        *ctx = q;
        return MHD_YES;
    }
    if (*size) {
        q->body = realloc(q->body, q->len + *size + 1);
        memcpy(q->body + q->len, data, *size);
        q->len += *size;
        q->body[q->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    unsigned status = 200;
    pthread_mutex_lock(&r->mu);
    r->requests++;
    const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Vigil-Signature");
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    char want[65];
    if (strcmp(method, "POST") || !q->body || inc_alert_sign(SECRET, q->body, q->len, want) || !sig ||
        strncmp(sig, "sha256=", 7) || strcmp(sig + 7, want) || !type || strcmp(type, "application/json")) {
        r->bad_sig++;
        status = 401;
    } else if (r->requests <= r->fail_first) {
        status = 503;
    } else {
        json_t *doc = json_loadb(q->body, q->len, 0, NULL);
        const char *id = json_string_value(json_object_get(doc, "id"));
        if (r->accepted < 8)
            snprintf(r->ids[r->accepted], sizeof r->ids[0], "%s", id ? id : "");
        r->accepted++;
        json_decref(doc);
    }
    pthread_mutex_unlock(&r->mu);
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void done(void *cls, struct MHD_Connection *conn, void **ctx, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    req *q = *ctx;
    if (q) {
        free(q->body);
        free(q);
    }
    *ctx = NULL;
}

static void receiver_start(receiver *r, int fail_first)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->fail_first = fail_first;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, r, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
    assert_non_null(r->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    r->port = info->port;
}

static void receiver_stop(receiver *r)
{
    MHD_stop_daemon(r->d);
    pthread_mutex_destroy(&r->mu);
}

static void test_incident_alert__webhook_retries(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("alert_webhook");
    receiver r;
    receiver_start(&r, 2);
    char conf[1024];
    snprintf(conf, sizeof conf,
             "[webhook]\nurl = http://127.0.0.1:%d/alerts\nsecret = " SECRET "\nattempts = 4\nbackoff = 0.02\n"
             "timeout = 5\n",
             r.port);
    inc_alerts *a = config(conf);
    store *s = open_store(dir);
    json_t *x = NULL;
    assert_true(write_version(s, a, &x, "Wiper at the water utility", 5, 1));
    inc_deliver_stats ds;
    vg_error err = {0};
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.delivered, 1);
    assert_int_equal(ds.failed, 2);
    assert_int_equal(ds.left, 0);
    assert_int_equal(r.requests, 3);
    assert_int_equal(r.bad_sig, 0);
    assert_int_equal(r.accepted, 1);
    /* nothing is sent twice */
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(r.requests, 3);
    counts c = list(s);
    assert_int_equal(c.delivered, 1);

    /* a wrong secret is refused by the receiver (the signature covers the body) */
    snprintf(conf, sizeof conf,
             "[webhook other]\nurl = http://127.0.0.1:%d/alerts\nsecret = another-secret-of-16\nattempts = 1\n",
             r.port);
    inc_alerts *b = config(conf);
    json_t *y = NULL;
    assert_true(write_version(s, b, &y, "Spyware at the newsroom", 4, 1));
    assert_int_equal(inc_alerts_deliver(s, b, &ds, &err), 0);
    assert_int_equal(ds.left, 1);
    assert_int_equal(r.bad_sig, 1);
    inc_alerts_free(b);

    receiver_stop(&r);
    json_decref(x);
    json_decref(y);
    inc_alerts_free(a);
    store_close(s);
}

static void test_incident_alert__restart_keeps_queue(void **st)
{
    (void)st;
    const char *dir = vg_test_tmpdir("alert_restart");
    /* a receiver that is gone: its port is closed */
    receiver r;
    receiver_start(&r, 0);
    int port = r.port;
    receiver_stop(&r);
    char conf[1024];
    snprintf(conf, sizeof conf,
             "[webhook]\nurl = http://127.0.0.1:%d/alerts\nsecret = " SECRET "\nattempts = 2\nbackoff = 0.01\n",
             port);
    inc_alerts *a = config(conf);
    store *s = open_store(dir);
    json_t *x = NULL, *y = NULL;
    assert_true(write_version(s, a, &x, "Ransomware at the port", 5, 1));
    assert_true(write_version(s, a, &y, "Ransomware at the airport", 4, 1));
    inc_deliver_stats ds;
    vg_error err = {0};
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.delivered, 0);
    assert_int_equal(ds.failed, 2);
    assert_int_equal(ds.left, 2);
    store_close(s);
    inc_alerts_free(a);

    /* restart: a new process, the receiver back on another port */
    receiver_start(&r, 0);
    snprintf(conf, sizeof conf, "[webhook]\nurl = http://127.0.0.1:%d/alerts\nsecret = " SECRET "\n", r.port);
    a = config(conf);
    s = open_store(dir);
    counts c = list(s);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.pending, 2);
    assert_int_equal(inc_alerts_deliver(s, a, &ds, &err), 0);
    assert_int_equal(ds.delivered, 2);
    assert_int_equal(ds.left, 0);
    assert_int_equal(r.accepted, 2);
    assert_int_equal(r.bad_sig, 0);
    /* oldest first, once each */
    assert_string_not_equal(r.ids[0], r.ids[1]);
    c = list(s);
    assert_int_equal(c.delivered, 2);
    receiver_stop(&r);
    json_decref(x);
    json_decref(y);
    inc_alerts_free(a);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_alert__config),
        cmocka_unit_test(test_incident_alert__queue_rules),
        cmocka_unit_test(test_incident_alert__jsonl_and_hook),
        cmocka_unit_test(test_incident_alert__webhook_retries),
        cmocka_unit_test(test_incident_alert__restart_keeps_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
