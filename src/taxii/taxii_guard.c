/*
 * taxii_guard.c - a deadline on request headers, against slow-loris clients.
 *
 * libmicrohttpd's connection timeout counts idle time only: a client that
 * sends one header line every few seconds, never finishing, keeps its
 * connection (and a slot under max_connections) for ever. The guard gives
 * every request a deadline instead: its request line and headers must have
 * arrived within `timeout` seconds of the connection opening or of the
 * previous answer on it. Connections past their deadline are shut down
 * (shutdown(2) on the socket; libmicrohttpd then sees the end and frees it in
 * its own thread). A request whose headers are in (its body arriving, its
 * answer being sent) is left to libmicrohttpd's idle timeout.
 *
 * Connections are tracked from libmicrohttpd's connection notifications; a
 * thread looks at them once a second. The list and each socket's life are
 * guarded by one mutex: a socket is shut down only while its connection is
 * on the list, and it leaves the list (the "closed" notification) before
 * libmicrohttpd closes it, so a socket number reused by a new connection is
 * never shut down by mistake.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "taxii/taxii_int.h"

/* One open connection. */
typedef struct tracked {
    struct tracked *prev, *next; /* the list */
    MHD_socket fd;               /* its socket */
    atomic_int in_request;       /* headers of a request are in, its answer not yet sent */
    atomic_llong since;          /* when it started waiting for the next request's headers (monotonic s) */
    int cut;                     /* already shut down */
} tracked;

struct taxii_guard {
    int timeout;              /* seconds a request's headers may take */
    pthread_mutex_t mu;       /* guards the list, cut and stop */
    pthread_cond_t cv;        /* wakes the thread to stop */
    tracked *head;            /* open connections */
    pthread_t thread;         /* the watcher */
    int stop;                 /* the watcher should end */
    atomic_ullong cut_count;  /* connections shut down */
};

static long long now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

static void *watch(void *p)
{
    taxii_guard *g = p;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&g->cv, &g->mu, &until);
        long long now = now_s();
        for (tracked *t = g->head; t && !g->stop; t = t->next) {
            if (t->cut || atomic_load(&t->in_request) || now - atomic_load(&t->since) < g->timeout)
                continue;
            shutdown(t->fd, SHUT_RDWR);
            t->cut = 1;
            atomic_fetch_add(&g->cut_count, 1);
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int taxii__guard_start(int timeout, taxii_guard **out)
{
    *out = NULL;
    taxii_guard *g = vg_calloc(1, sizeof *g);
    if (!g)
        return VG_E_NOMEM;
    g->timeout = timeout > 0 ? timeout : 30;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (pthread_create(&g->thread, NULL, watch, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        vg_free(g);
        return VG_E_INTERNAL;
    }
    *out = g;
    return 0;
}

void taxii__guard_stop(taxii_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    /* libmicrohttpd has closed every connection by now; free what is left regardless. */
    while (g->head) {
        tracked *t = g->head;
        g->head = t->next;
        vg_free(t);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    vg_free(g);
}

uint64_t taxii__guard_cut(taxii_guard *g) { return g ? atomic_load(&g->cut_count) : 0; }

void taxii__guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe)
{
    taxii_guard *g = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        tracked *t = ci ? vg_calloc(1, sizeof *t) : NULL;
        *socket_context = t;
        if (!t)
            return; /* not tracked: only libmicrohttpd's idle timeout applies to it */
        t->fd = ci->connect_fd;
        atomic_store(&t->since, now_s());
        pthread_mutex_lock(&g->mu);
        t->next = g->head;
        if (g->head)
            g->head->prev = t;
        g->head = t;
        pthread_mutex_unlock(&g->mu);
        return;
    }
    tracked *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&g->mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        g->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&g->mu);
    vg_free(t);
    *socket_context = NULL;
}

void taxii__guard_request(struct MHD_Connection *conn, int started)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    tracked *t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    if (!started)
        atomic_store(&t->since, now_s());
    atomic_store(&t->in_request, started);
}
