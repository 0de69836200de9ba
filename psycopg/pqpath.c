/* The only code that talks to libpq for I/O.  libpq runs non-blocking;
 * every wait goes through wait.c with the GIL released, and no Python
 * object is touched until wait_end() has taken the GIL back. */
#include "psycopg.h"
#include "pqpath.h"
#include "wait.h"
#include "connection.h"
#include "errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
pq_raise_conn_error(connectionObject *conn)
{
    return conn_fail_libpq(conn);
}

/* Bookkeeping after reading from the server (lock held: C only; the
 * notices and notifications wait in libpq and conn->notice_pending for
 * conn_unlock to deliver them). */
static void
pq_after_io(connectionObject *conn)
{
    const char *scs;
    if (conn->pgconn == NULL)
        return;
    scs = PQparameterStatus(conn->pgconn, "standard_conforming_strings");
    conn->equote = (scs && strcmp(scs, "off") == 0);
}

int
pq_start_connect(connectionObject *conn)
{
    PGconn *pgconn;
    Py_BEGIN_ALLOW_THREADS
    pgconn = PQconnectStart(conn->dsn);
    Py_END_ALLOW_THREADS
    if (pgconn == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    conn->pgconn = pgconn;
    if (PQstatus(pgconn) == CONNECTION_BAD)
        return pq_raise_conn_error(conn);
    conn->async_op = ASYNC_OP_CONNECT;
    conn->async_status = ASYNC_WRITE;
    return 0;
}

int
pq_poll_connect(connectionObject *conn)
{
    PostgresPollingStatusType st;
    Py_BEGIN_ALLOW_THREADS
    st = PQconnectPoll(conn->pgconn);
    Py_END_ALLOW_THREADS
    switch (st) {
    case PGRES_POLLING_OK:
        conn->async_op = ASYNC_OP_NONE;
        conn->async_status = ASYNC_DONE;
        return POLL_OK;
    case PGRES_POLLING_READING:
        conn->async_status = ASYNC_READ;
        return POLL_READ;
    case PGRES_POLLING_WRITING:
        conn->async_status = ASYNC_WRITE;
        return POLL_WRITE;
    default:
        conn->async_op = ASYNC_OP_NONE;
        conn->async_status = ASYNC_DONE;
        return pq_raise_conn_error(conn);
    }
}

/* Seconds on the monotonic clock. */
static double
pq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* libpq ignores connect_timeout under PQconnectPoll (the application must
 * enforce it): the effective value in seconds, 0 for none; like libpq,
 * 1 counts as 2. */
static int
pq_connect_timeout(const char *dsn, PGconn *pgconn)
{
    PQconninfoOption *opts, *o;
    int t = 0;
    /* PQconninfo() builds every option (about 15,000 instructions, a few
     * percent of a local connection): only ask when the timeout can be
     * set, in the string (a URI may spell the name with %XX), the
     * environment or a service file */
    if (!strstr(dsn, "connect_timeout") && !strchr(dsn, '%')
        && !strstr(dsn, "service") && !getenv("PGCONNECT_TIMEOUT")
        && !getenv("PGSERVICE"))
        return 0;
    if ((opts = PQconninfo(pgconn)) == NULL)
        return 0;
    for (o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "connect_timeout") == 0) {
            if (o->val && *o->val)
                t = atoi(o->val);
            break;
        }
    }
    PQconninfoFree(opts);
    if (t < 0)
        t = 0;
    if (t == 1)
        t = 2;
    return t;
}

/* Green connect: the wait callback drives PQconnectPoll through poll(). */
static int
pq_connect_green(connectionObject *conn)
{
    if (pq_start_connect(conn) < 0)
        return -1;
    if (wait_green(conn) < 0)
        return -1;
    if (conn->pgconn == NULL || PQstatus(conn->pgconn) != CONNECTION_OK)
        return pq_raise_conn_error(conn);
    return 0;
}

/* ---- multi-host failover on timeout ----
 *
 * Under PQconnectPoll libpq leaves connect_timeout to the application,
 * and has no call to abandon one host for the next.  When our per-host
 * deadline passes, we do what libpq's blocking connect does: note
 * 'connection to server at "h", port p failed: timeout expired' and start
 * a new connection over the hosts left in the list (all the other
 * parameters unchanged).  All of this runs without the GIL: C only. */

typedef struct {
    char *buf;                 /* one copy of the lists, split in place */
    char **host, **addr, **port;
    int nhost, naddr, nport, n;
    int index;                 /* the host libpq is trying */
    char *errors;              /* messages of the attempts given up */
} pq_hosts;

static int
pq_split(char *s, char **out)
{
    int n = 0;
    if (s == NULL || *s == '\0')
        return 0;
    for (;;) {
        char *comma = strchr(s, ',');
        out[n++] = s;
        if (comma == NULL)
            return n;
        *comma = '\0';
        s = comma + 1;
    }
}

static int
pq_count(const char *s)
{
    int n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

/* Read the host lists of the connection: 0, or -1 (out of memory). */
static int
pq_hosts_init(pq_hosts *h, PGconn *pgconn)
{
    PQconninfoOption *opts = PQconninfo(pgconn), *o;
    const char *host = "", *addr = "", *port = "";
    size_t len;
    int slots;
    memset(h, 0, sizeof(*h));
    if (opts == NULL)
        return -1;
    for (o = opts; o->keyword; o++) {
        if (o->val == NULL)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            addr = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    }
    len = strlen(host) + strlen(addr) + strlen(port) + 3;
    slots = pq_count(host) + pq_count(addr) + pq_count(port);
    h->buf = malloc(len);
    h->host = malloc(slots * sizeof(char *));
    if (h->buf == NULL || h->host == NULL) {
        PQconninfoFree(opts);
        return -1;
    }
    h->addr = h->host + pq_count(host);
    h->port = h->addr + pq_count(addr);
    strcpy(h->buf, host);
    strcpy(h->buf + strlen(host) + 1, addr);
    strcpy(h->buf + strlen(host) + strlen(addr) + 2, port);
    h->nhost = pq_split(h->buf, h->host);
    h->naddr = pq_split(h->buf + strlen(host) + 1, h->addr);
    h->nport = pq_split(h->buf + strlen(host) + strlen(addr) + 2, h->port);
    h->n = h->nhost > h->naddr ? h->nhost : h->naddr;
    PQconninfoFree(opts);
    return 0;
}

static void
pq_hosts_free(pq_hosts *h)
{
    free(h->buf);
    free(h->host);
    free(h->errors);
}

/* Follow libpq through the list: the first entry from the current one
 * on that names the host it is trying. */
static void
pq_hosts_track(pq_hosts *h, PGconn *pgconn)
{
    const char *cur = PQhost(pgconn), *port = PQport(pgconn);
    int i;
    if (cur == NULL)
        return;
    for (i = h->index; i < h->n; i++) {
        const char *name = i < h->nhost && *h->host[i] ? h->host[i]
                           : i < h->naddr ? h->addr[i] : "";
        if (strcmp(name, cur) == 0
            && (h->nport < 2 || i >= h->nport || port == NULL
                || strcmp(h->port[i], port) == 0)) {
            h->index = i;
            return;
        }
    }
}

/* Append `s` to the messages given up; 0 or -1. */
static int
pq_hosts_note(pq_hosts *h, const char *s)
{
    size_t old = h->errors ? strlen(h->errors) : 0;
    char *e = realloc(h->errors, old + strlen(s) + 1);
    if (e == NULL)
        return -1;
    strcpy(e + old, s);
    h->errors = e;
    return 0;
}

/* libpq's words for a host that did not answer in time. */
static int
pq_hosts_note_timeout(pq_hosts *h, PGconn *pgconn)
{
    const char *host = PQhost(pgconn), *addr = PQhostaddr(pgconn);
    const char *port = PQport(pgconn), *msg = PQerrorMessage(pgconn);
    size_t len = strlen(msg);
    char buf[1024];
    /* libpq wrote the host's "connection to server at ... failed: " when
     * it began the attempt: complete it */
    if (len >= 8 && strcmp(msg + len - 8, "failed: ") == 0) {
        if (pq_hosts_note(h, msg) < 0)
            return -1;
        return pq_hosts_note(h, "timeout expired\n");
    }
    if (host == NULL)
        host = "";
    if (port == NULL)
        port = "";
    if (host[0] == '/')
        snprintf(buf, sizeof(buf),
                 "connection to server on socket \"%s/.s.PGSQL.%s\" failed: "
                 "timeout expired\n", host, port);
    else if (addr && addr[0] && strcmp(addr, host) != 0)
        snprintf(buf, sizeof(buf),
                 "connection to server at \"%s\" (%s), port %s failed: "
                 "timeout expired\n", host, addr, port);
    else
        snprintf(buf, sizeof(buf),
                 "connection to server at \"%s\", port %s failed: "
                 "timeout expired\n", host, port);
    /* what libpq said about the hosts tried before this one, then this */
    if (pq_hosts_note(h, PQerrorMessage(pgconn)) < 0)
        return -1;
    return pq_hosts_note(h, buf);
}

/* A comma-separated sublist from `from`, or the single value. */
static char *
pq_join(char **items, int n, int from)
{
    size_t len = 1;
    char *s;
    int i;
    if (n == 1)
        from = 0; /* one value for every host */
    for (i = from; i < n; i++)
        len += strlen(items[i]) + 1;
    if (!(s = malloc(len)))
        return NULL;
    s[0] = '\0';
    for (i = from; i < n; i++) {
        if (i > from)
            strcat(s, ",");
        strcat(s, items[i]);
    }
    return s;
}

/* Start a connection over the hosts after the current one: the new
 * PGconn (maybe CONNECTION_BAD), or NULL if there is none left or no
 * memory. */
static PGconn *
pq_hosts_next(pq_hosts *h, PGconn *pgconn)
{
    PQconninfoOption *opts, *o;
    const char **kw = NULL, **val = NULL;
    char *host = NULL, *addr = NULL, *port = NULL;
    PGconn *next = NULL;
    int n = 0, from = h->index + 1;

    if (from >= h->n || !(opts = PQconninfo(pgconn)))
        return NULL;
    for (o = opts; o->keyword; o++)
        n++;
    kw = malloc((n + 1) * sizeof(char *));
    val = malloc((n + 1) * sizeof(char *));
    host = pq_join(h->host, h->nhost, from);
    addr = pq_join(h->addr, h->naddr, from);
    port = pq_join(h->port, h->nport, from);
    if (kw && val && host && addr && port) {
        n = 0;
        for (o = opts; o->keyword; o++) {
            const char *v = o->val;
            if (strcmp(o->keyword, "host") == 0 && h->nhost)
                v = host;
            else if (strcmp(o->keyword, "hostaddr") == 0 && h->naddr)
                v = addr;
            else if (strcmp(o->keyword, "port") == 0 && h->nport)
                v = port;
            if (v == NULL)
                continue;
            kw[n] = o->keyword;
            val[n] = v;
            n++;
        }
        kw[n] = val[n] = NULL;
        next = PQconnectStartParams(kw, val, 0);
    }
    free(kw);
    free(val);
    free(host);
    free(addr);
    free(port);
    PQconninfoFree(opts);
    if (next)
        h->index = from;
    return next;
}

int
pq_connect(connectionObject *conn)
{
    wait_state ws;
    PostgresPollingStatusType poll_st = PGRES_POLLING_WRITING;
    int rv = -1, r = 0, timeout, fd, timed_out = 0, nomem = 0;
    double deadline;
    PGconn *pgconn;
    pq_hosts hosts;

    if (conn_is_green(conn)) {
        rv = pq_connect_green(conn);
        if (rv < 0 && conn->closed == 2)
            conn->closed = 1;
        return rv;
    }
    Py_BEGIN_ALLOW_THREADS
    pgconn = PQconnectStart(conn->dsn);
    Py_END_ALLOW_THREADS
    if (pgconn == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    conn->pgconn = pgconn;
    if (PQstatus(pgconn) == CONNECTION_BAD)
        return pq_raise_conn_error(conn);
    /* the host list is only needed to move on after a timeout */
    memset(&hosts, 0, sizeof(hosts));
    timeout = pq_connect_timeout(conn->dsn, pgconn);
    if (timeout > 0 && pq_hosts_init(&hosts, pgconn) < 0) {
        pq_hosts_free(&hosts);
        PyErr_NoMemory();
        return -1;
    }
    fd = PQsocket(pgconn);
    deadline = pq_now() + timeout;
    wait_begin(&ws, conn, 1);
    for (;;) {
        if (poll_st == PGRES_POLLING_OK || poll_st == PGRES_POLLING_FAILED)
            break;
        if (PQsocket(pgconn) != fd) {
            /* libpq moved on to another host: its own timeout restarts */
            fd = PQsocket(pgconn);
            deadline = pq_now() + timeout;
        }
        if (timeout > 0 && pq_now() >= deadline) {
            /* give this host up; go on with the next ones, as libpq */
            PGconn *next;
            if (pq_hosts_note_timeout(&hosts, pgconn) < 0) {
                nomem = 1;
                break;
            }
            if (!(next = pq_hosts_next(&hosts, pgconn))) {
                timed_out = 1;
                break;
            }
            PQfinish(pgconn);
            conn->pgconn = pgconn = next;
            if (PQstatus(pgconn) == CONNECTION_BAD) {
                poll_st = PGRES_POLLING_FAILED;
                break;
            }
            fd = PQsocket(pgconn);
            deadline = pq_now() + timeout;
            poll_st = PGRES_POLLING_WRITING;
            continue;
        }
        r = wait_socket(&ws, fd,
                        poll_st == PGRES_POLLING_READING ? WAIT_READ
                                                         : WAIT_WRITE);
        if (r < 0)
            break;
        if (r == 0)
            continue;
        poll_st = PQconnectPoll(pgconn);
        pq_hosts_track(&hosts, pgconn);
    }
    if (wait_end(&ws) < 0)
        goto exit;
    if (nomem) {
        PyErr_NoMemory();
        goto exit;
    }
    if (timed_out) {
        conn_fail_text(conn, conn->st->OperationalError, hosts.errors);
        goto exit;
    }
    if (r == -1) {
        conn_fail_errno(conn, conn->st->OperationalError);
        goto exit;
    }
    if (poll_st != PGRES_POLLING_OK) {
        if (hosts.errors == NULL)
            pq_raise_conn_error(conn);
        else
            conn_fail_prefixed(conn, conn->st->OperationalError,
                               hosts.errors, PQerrorMessage(pgconn));
        goto exit;
    }
    rv = 0;
exit:
    pq_hosts_free(&hosts);
    if (rv < 0 && conn->closed == 2)
        conn->closed = 1; /* never opened: not "broken" */
    return rv;
}

/* ---- the step function ----
 *
 * Every command in flight (blocking, async, green, pipeline) is advanced
 * by pq_step: flush what is left to send, read what arrived, take every
 * result that is complete.  It only touches C values (it runs without the
 * GIL) and never waits: it says what to wait for, and each path decides
 * how (wait.c for blocking calls, the user for async poll(), the wait
 * callback for green mode). */

/* pq_step returns PQ_DONE, PQ_IO_ERROR (PQerrorMessage says why) or the
 * WAIT_READ / WAIT_WRITE events to wait for before calling it again. */
#define PQ_DONE 0
#define PQ_IO_ERROR (-1)

/* what pq_step does with a COPY IN/OUT result */
#define PQ_COPY_STOP 0         /* stop there: the caller serves the copy */
#define PQ_COPY_REFUSE 1       /* async: end it here (nobody can serve it) */

typedef struct {
    int flushing;              /* output not all sent yet */
    int readable;              /* the socket was readable: consume input */
    int copy;                  /* PQ_COPY_* */
    int io_error;              /* pq_run: the step or the wait failed */
    int last_wins;             /* keep the last result, not the first
                                * error (blocking calls, as PQexec and
                                * psycopg2 do) */
    PGresult *keep;            /* first error, else the last result (or
                                * the COPY result); owned */
    /* pipeline mode: items[0..n), stop at the sync */
    const pq_pipe_item *items;
    Py_ssize_t n, index, error_at, total;
    int unknown;
    PGresult *last, *error;    /* owned */
} pq_op;

static void
pq_op_init(pq_op *op, int flushing, int readable, PGresult *keep)
{
    memset(op, 0, sizeof(*op));
    op->flushing = flushing;
    op->readable = readable;
    op->keep = keep;
    op->error_at = -1;
}

static void
pq_op_clear(pq_op *op)
{
    if (op->keep)
        PQclear(op->keep);
    if (op->last)
        PQclear(op->last);
    if (op->error)
        PQclear(op->error);
    op->keep = op->last = op->error = NULL;
}

static int
pq_is_copy(const PGresult *res)
{
    return res && (PQresultStatus(res) == PGRES_COPY_IN
                   || PQresultStatus(res) == PGRES_COPY_OUT);
}

/* Keep the first error, else the last result (which is stolen). */
static void
pq_keep_result(PGresult **keep, PGresult *res)
{
    if (*keep && PQresultStatus(*keep) == PGRES_FATAL_ERROR) {
        PQclear(res);
    }
    else {
        if (*keep)
            PQclear(*keep);
        *keep = res;
    }
}

/* Async connections can't serve COPY (psycopg2 raises ProgrammingError):
 * end a COPY IN with an error, drain a COPY OUT, so that the connection
 * stays usable.  Takes `res`; the first COPY result stays in op->keep for
 * poll() to report.  PQ_DONE to go on reading results, WAIT_* to wait
 * (libpq returns the COPY result again on the next step), PQ_IO_ERROR. */
static int
pq_refuse_copy(PGconn *pgconn, pq_op *op, PGresult *res)
{
    ExecStatusType status = PQresultStatus(res);
    char *buf;
    int r;

    if (pq_is_copy(op->keep))
        PQclear(res);
    else {
        if (op->keep)
            PQclear(op->keep);
        op->keep = res;
    }
    if (status == PGRES_COPY_IN) {
        r = PQputCopyEnd(pgconn, "COPY is not supported in asynchronous "
                                 "mode");
        if (r < 0)
            return PQ_IO_ERROR;
        if (r == 0 || (r = PQflush(pgconn)) == 1) {
            op->flushing = 1;
            return WAIT_WRITE;
        }
        return r < 0 ? PQ_IO_ERROR : PQ_DONE;
    }
    while ((r = PQgetCopyData(pgconn, &buf, 1)) > 0)
        PQfreemem(buf);
    if (r == 0)
        return WAIT_READ;
    return r == -1 ? PQ_DONE : PQ_IO_ERROR;
}

#if PG_VERSION_NUM >= 140000
static void pq_pipeline_result(PGresult *res, int counted, Py_ssize_t *total,
                               int *unknown, PGresult **last,
                               PGresult **error);
#endif

/* Advance the command in flight as far as it goes without waiting
 * (inlined: it is the hot loop of every query). */
static inline int
pq_step(PGconn *pgconn, pq_op *op)
{
    PGresult *res;
    int r;

    if (op->readable) {
        op->readable = 0;
        if (!PQconsumeInput(pgconn))
            return PQ_IO_ERROR;
    }
    if (op->flushing) {
        r = PQflush(pgconn);
        if (r < 0)
            return PQ_IO_ERROR;
        if (r == 1) /* read while we write, or both sides stall */
            return WAIT_READ | WAIT_WRITE;
        op->flushing = 0;
    }
    for (;;) {
        if (PQisBusy(pgconn))
            return WAIT_READ;
        res = PQgetResult(pgconn);
        if (res == NULL) {
            if (op->items == NULL)
                return PQ_DONE;
            op->index++; /* end of one statement's results */
            if (PQstatus(pgconn) == CONNECTION_BAD)
                return PQ_IO_ERROR;
            continue;
        }
#if PG_VERSION_NUM >= 140000
        if (op->items) {
            if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
                PQclear(res);
                return PQ_DONE;
            }
            if (op->error == NULL)
                op->error_at = op->index;
            pq_pipeline_result(res,
                               op->index < op->n && op->items[op->index].counted,
                               &op->total, &op->unknown, &op->last,
                               &op->error);
            if (op->error == NULL)
                op->error_at = -1;
            continue;
        }
#endif
        switch (PQresultStatus(res)) {
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
            if (op->copy == PQ_COPY_REFUSE) {
                if ((r = pq_refuse_copy(pgconn, op, res)) != PQ_DONE)
                    return r;
                continue;
            }
            /* fall through */
        case PGRES_COPY_BOTH:
            /* the caller serves the copy; results come after it */
            if (op->keep)
                PQclear(op->keep);
            op->keep = res;
            return PQ_DONE;
        default:
            if (pq_is_copy(op->keep))
                PQclear(res); /* the end of a copy we refused */
            else if (op->last_wins) {
                if (op->keep)
                    PQclear(op->keep);
                op->keep = res;
            }
            else
                pq_keep_result(&op->keep, res);
        }
        if (PQstatus(pgconn) == CONNECTION_BAD)
            return PQ_DONE;
    }
}

/* Blocking: step and wait on the socket, all without the GIL, until the
 * command is over.  op->io_error is set on an I/O error (PQerrorMessage
 * says why).  0, or -1 with the interrupt raised (the query was cancelled
 * and drained, or the connection abandoned). */
static int
pq_run(connectionObject *conn, pq_op *op)
{
    PGconn *pgconn = conn->pgconn;
    int fd = PQsocket(pgconn), r;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    while ((r = pq_step(pgconn, op)) > 0) {
        r = wait_socket(&ws, fd, r);
        if (r < 0)
            break;
        op->readable = (r & WAIT_READ) != 0;
    }
    if (r < 0)
        op->io_error = 1;
    return wait_end(&ws);
}

static PGresult *pq_check_final(connectionObject *conn, PGresult *keep,
                                int io_error);

/* A blocking command lost its connection.  As PQexec (so psycopg2), the
 * error is libpq's last word, "server closed the connection
 * unexpectedly...": OperationalError without pgcode, pgerror its text.
 * What the server said before closing ("FATAL:  terminating connection
 * ..."; libpq writes server messages as "SEVERITY:  text" and their
 * DETAIL/HINT lines alike) is left out, as PQexec reports it in a result
 * of its own that psycopg2 never shows.  Takes `keep`; returns NULL. */
static PGresult *
pq_lost(connectionObject *conn, PGresult *keep)
{
    const char *msg = PQerrorMessage(conn->pgconn), *p, *colon;

    if (keep)
        PQclear(keep);
    for (p = msg; *p;) {
        const char *eol = strchr(p, '\n');
        colon = strstr(p, ":  ");
        /* a server line: a first word in capitals, then ":  " */
        if (colon == NULL || (eol && colon > eol) || colon == p)
            break;
        for (; p < colon && *p >= 'A' && *p <= 'Z'; p++)
            ;
        if (p != colon)
            break;
        p = eol ? eol + 1 : colon + strlen(colon);
        msg = p;
        /* its continuation lines (a tab first) go with it */
        while (*msg == '\t') {
            eol = strchr(msg, '\n');
            msg = eol ? eol + 1 : msg + strlen(msg);
        }
        p = msg;
    }
    if (msg[0] == '\0') /* nothing of libpq's own: keep it all */
        msg = PQerrorMessage(conn->pgconn);
    if (msg[0] == '\0')
        msg = "server closed the connection unexpectedly\n";
    conn_fail_lost(conn, msg);
    return NULL;
}

/* Flush the output and read every result of the command sent. */
static PGresult *
pq_finish(connectionObject *conn, int flushing)
{
    pq_op op;
    int r;

    pq_op_init(&op, flushing, 0, NULL);
    op.last_wins = 1;
    r = pq_run(conn, &op);
    pq_after_io(conn);
    if (r < 0) {
        pq_op_clear(&op);
        if (conn->pgconn && PQstatus(conn->pgconn) == CONNECTION_BAD)
            conn_set_broken(conn);
        return NULL;
    }
    if (op.io_error && PQstatus(conn->pgconn) == CONNECTION_BAD
        && !pq_is_copy(op.keep))
        return pq_lost(conn, op.keep);
    return pq_check_final(conn, op.keep, op.io_error);
}

/* The checks on the result kept at the end of a command. */
static PGresult *
pq_check_final(connectionObject *conn, PGresult *keep, int io_error)
{
    PGconn *pgconn = conn->pgconn;
    if (pgconn == NULL) {
        if (keep)
            PQclear(keep);
        conn_fail_text(conn, conn->st->InterfaceError,
                       "connection already closed");
        return NULL;
    }
    if (io_error || (keep == NULL && PQstatus(pgconn) == CONNECTION_BAD)) {
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR
            && PQstatus(pgconn) == CONNECTION_BAD) {
            /* the server told us why it went away: report that */
            conn_fail_result(conn, NULL, keep);
            return NULL;
        }
        if (keep)
            PQclear(keep);
        pq_raise_conn_error(conn);
        return NULL;
    }
    if (keep == NULL) {
        /* libpq may drop a malformed message ("insufficient data in "T"
         * message") and give no result: its error message says why */
        if (PQerrorMessage(pgconn)[0]) {
            pq_raise_conn_error(conn);
            return NULL;
        }
        conn_fail_text(conn, conn->st->InterfaceError,
                       "the server returned no result");
        return NULL;
    }
    return keep;
}

int
pq_send_query(connectionObject *conn, const char *query)
{
    int r;
    Dprintf("conn %p (non-blocking): %s", (void *)conn, query);
    if (conn->async_res) {
        PQclear(conn->async_res);
        conn->async_res = NULL;
    }
    if (!PQsendQuery(conn->pgconn, query))
        return pq_raise_conn_error(conn);
    conn->async_op = ASYNC_OP_QUERY;
    r = PQflush(conn->pgconn);
    if (r < 0) {
        conn->async_op = ASYNC_OP_NONE;
        conn->async_status = ASYNC_DONE;
        return pq_raise_conn_error(conn);
    }
    conn->async_status = r ? ASYNC_WRITE : ASYNC_READ;
    return 0;
}

/* Async and green: one step per poll(); the state between two polls is
 * async_status (output left to flush) and async_res (the result kept). */
int
pq_poll_query(connectionObject *conn)
{
    pq_op op;
    int r;

    pq_op_init(&op, conn->async_status == ASYNC_WRITE, 1, conn->async_res);
    op.copy = conn->async_ ? PQ_COPY_REFUSE : PQ_COPY_STOP;
    Py_BEGIN_ALLOW_THREADS
    r = pq_step(conn->pgconn, &op);
    Py_END_ALLOW_THREADS
    conn->async_res = op.keep;
    pq_after_io(conn);
    if (r > 0) {
        /* poll() asks for one event: writing first, reading meanwhile is
         * done by the next step's consume */
        conn->async_status = (r & WAIT_WRITE) ? ASYNC_WRITE : ASYNC_READ;
        return conn->async_status == ASYNC_WRITE ? POLL_WRITE : POLL_READ;
    }
    conn->async_op = ASYNC_OP_NONE;
    conn->async_status = ASYNC_DONE;
    if (r == PQ_IO_ERROR)
        return pq_raise_conn_error(conn);
    return POLL_OK;
}

/* Green: send `query` (NULL: collect the results of the one sent, after
 * a COPY); the wait callback polls until the results are in async_res.
 * async_res may hold the result of another green command of this thread
 * whose poll() is delivering notices to a handler that runs this one:
 * it is set aside meanwhile. */
static PGresult *
pq_green(connectionObject *conn, const char *query)
{
    PGresult *outer = conn->async_res, *res = NULL;
    unsigned long owner = conn->green_owner;
    conn->async_res = NULL;
    /* until the result is taken, after the callback returned (which may
     * be well after the command ended): other threads are refused */
    conn->green_owner = PyThread_get_thread_ident();
    if (query != NULL) {
        if (pq_send_query(conn, query) < 0)
            goto exit;
    }
    else {
        conn->async_op = ASYNC_OP_QUERY;
        conn->async_status = ASYNC_WRITE;
    }
    if (wait_green(conn) < 0)
        goto exit;
    res = conn->async_res;
    conn->async_res = NULL;
    res = pq_check_final(conn, res, 0);
exit:
    if (conn->async_res)
        PQclear(conn->async_res);
    conn->async_res = outer;
    conn->green_owner = owner;
    return res;
}

static int
pq_check_idle(connectionObject *conn)
{
    if (conn->copy_thread != 0) {
        /* the COPY file object, or another thread, while the lock is
         * released around a file call */
        return conn_fail_text(conn, conn->st->ProgrammingError,
                              "a COPY is in progress on this connection");
    }
    if (conn->async_op != ASYNC_OP_NONE || conn_green_other(conn))
        return conn_fail_text(conn, conn->st->ProgrammingError,
                              "a single async query can be executed on the "
                              "same connection");
    return 0;
}

PGresult *
pq_exec(connectionObject *conn, const char *query)
{
    int r;
    Dprintf("conn %p: %s", (void *)conn, query);
    if (conn_check_open_locked(conn) < 0 || pq_check_idle(conn) < 0)
        return NULL;
    if (conn_is_green(conn))
        return pq_green(conn, query);
    /* PQsendQuery only queues the message in non-blocking mode */
    r = PQsendQuery(conn->pgconn, query);
    if (!r) {
        pq_raise_conn_error(conn);
        return NULL;
    }
    return pq_finish(conn, 1);
}

PGresult *
pq_get_result(connectionObject *conn)
{
    if (conn_is_green(conn))
        return pq_green(conn, NULL);
    return pq_finish(conn, 1);
}

int
pq_exec_command(connectionObject *conn, cursorObject *curs, const char *query)
{
    PGresult *res = pq_exec(conn, query);
    if (res == NULL)
        return -1;
    if (PQresultStatus(res) != PGRES_COMMAND_OK
        && PQresultStatus(res) != PGRES_TUPLES_OK)
        return conn_fail_result(conn, curs, res);
    PQclear(res);
    return 0;
}

int
pq_put_copy_data(connectionObject *conn, const char *buf, Py_ssize_t len)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    while ((r = PQputCopyData(pgconn, buf, (int)len)) == 0) {
        /* buffer full: wait until the socket drains */
        if (wait_socket(&ws, PQsocket(pgconn), WAIT_WRITE) < 0) {
            io_error = 1;
            break;
        }
        if (PQflush(pgconn) < 0) {
            io_error = 1;
            break;
        }
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (io_error || r < 0)
        return pq_raise_conn_error(conn);
    return 0;
}

int
pq_put_copy_end(connectionObject *conn, const char *errmsg)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    while ((r = PQputCopyEnd(pgconn, errmsg)) == 0) {
        if (wait_socket(&ws, PQsocket(pgconn), WAIT_WRITE) < 0) {
            io_error = 1;
            break;
        }
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (io_error || r < 0)
        return pq_raise_conn_error(conn);
    return 0;
}

Py_ssize_t
pq_get_copy_data(connectionObject *conn, char **buf)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    *buf = NULL;
    /* fast path: data already buffered */
    r = PQgetCopyData(pgconn, buf, 1);
    if (r == 0) {
        wait_begin(&ws, conn, 0);
        for (;;) {
            int w = wait_socket(&ws, PQsocket(pgconn), WAIT_READ);
            if (w < 0) {
                io_error = 1;
                break;
            }
            if (w == 0)
                continue;
            if (!PQconsumeInput(pgconn)) {
                io_error = 1;
                break;
            }
            r = PQgetCopyData(pgconn, buf, 1);
            if (r != 0)
                break;
        }
        if (wait_end(&ws) < 0) {
            if (*buf) {
                PQfreemem(*buf);
                *buf = NULL;
            }
            return -1;
        }
    }
    if (io_error || r == -2)
        return pq_raise_conn_error(conn);
    if (r == -1)
        return 0;
    return r;
}

int
pq_consume_input(connectionObject *conn)
{
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = PQconsumeInput(conn->pgconn);
    Py_END_ALLOW_THREADS
    pq_after_io(conn);
    if (!ok)
        return pq_raise_conn_error(conn);
    return 0;
}

/* ---- replication (COPY BOTH) ---- */

Py_ssize_t
pq_read_copy_nb(connectionObject *conn, char **buf, PGresult **final)
{
    PGconn *pgconn = conn->pgconn;
    int r, ok;

    *buf = NULL;
    *final = NULL;
    r = PQgetCopyData(pgconn, buf, 1);
    if (r == 0) {
        Py_BEGIN_ALLOW_THREADS
        ok = PQconsumeInput(pgconn);
        Py_END_ALLOW_THREADS
        if (!ok) {
            pq_after_io(conn);
            return pq_raise_conn_error(conn);
        }
        r = PQgetCopyData(pgconn, buf, 1);
    }
    pq_after_io(conn);
    if (r > 0)
        return r;
    if (r == 0)
        return 0;
    if (r == -2)
        return pq_raise_conn_error(conn);
    /* -1: the server ended the stream; collect the command's result */
    if (!(*final = pq_finish(conn, 1)))
        return -1;
    return 0;
}

/* Flush the output buffer, waiting for the socket when it is full. */
static int
pq_flush_wait(connectionObject *conn)
{
    PGconn *pgconn = conn->pgconn;
    int r, w, io_error = 0;
    wait_state ws;

    if ((r = PQflush(pgconn)) == 0)
        return 0;
    if (r < 0)
        return pq_raise_conn_error(conn);
    wait_begin(&ws, conn, 0);
    while ((r = PQflush(pgconn)) == 1) {
        w = wait_socket(&ws, PQsocket(pgconn), WAIT_READ | WAIT_WRITE);
        if (w < 0 || ((w & WAIT_READ) && !PQconsumeInput(pgconn))) {
            io_error = 1;
            break;
        }
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (io_error || r < 0)
        return pq_raise_conn_error(conn);
    return 0;
}

int
pq_send_copy_msg(connectionObject *conn, const char *buf, int len)
{
    if (pq_put_copy_data(conn, buf, len) < 0)
        return -1;
    return pq_flush_wait(conn);
}

static double
pq_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
pq_wait_readable(connectionObject *conn, double timeout)
{
    wait_state ws;
    double deadline;
    int r = 0, fd = PQsocket(conn->pgconn);

    wait_begin(&ws, conn, 1); /* Ctrl-C ends the wait, no cancel */
    deadline = pq_monotonic() + timeout;
    for (;;) {
        r = wait_socket(&ws, fd, WAIT_READ);
        if (r != 0 || pq_monotonic() >= deadline)
            break;
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (r == -1)
        return conn_fail_errno(conn, conn->st->OperationalError);
    return 0;
}

/* ---- pipeline mode (executemany) ---- */

int
pq_has_pipeline(void)
{
#if PG_VERSION_NUM >= 140000
    return PQlibVersion() >= 140000;
#else
    return 0;
#endif
}

#if PG_VERSION_NUM >= 140000

/* Account for one result of the pipeline (GIL released: C only). */
static void
pq_pipeline_result(PGresult *res, int counted, Py_ssize_t *total,
                   int *unknown, PGresult **last, PGresult **error)
{
    const char *tuples;
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
        if (!counted) {
            PQclear(res);
            return;
        }
        tuples = PQcmdTuples(res);
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            *total += PQntuples(res);
        else if (tuples && tuples[0])
            *total += strtol(tuples, NULL, 10);
        else
            *unknown = 1;
        if (*last)
            PQclear(*last);
        *last = res;
        return;
    case PGRES_PIPELINE_ABORTED:
        PQclear(res);
        return;
    default:
        /* an error, or something a pipeline can't serve (COPY) */
        if (*error == NULL)
            *error = res;
        else
            PQclear(res);
        return;
    }
}

/* Queue one item (GIL released: C only).  1 ok, 0 failed. */
static int
pq_pipeline_send(PGconn *pgconn, const pq_pipe_item *it)
{
    switch (it->kind) {
    case PQ_PIPE_PREPARE:
        return PQsendPrepare(pgconn, "", it->sql, it->nparams, it->types);
    case PQ_PIPE_EXEC:
        return PQsendQueryPrepared(pgconn, "", it->nparams, it->values, NULL,
                                   NULL, 0);
    default:
        return PQsendQueryParams(pgconn, it->sql, 0, NULL, NULL, NULL, NULL,
                                 0);
    }
}

int
pq_exec_pipeline(connectionObject *conn, const pq_pipe_item *items,
                 Py_ssize_t n, Py_ssize_t *rowcount, PGresult **last,
                 PGresult **error, Py_ssize_t *error_at)
{
    PGconn *pgconn;
    Py_ssize_t i;
    int interrupted = 0;
    pq_op op;

    *rowcount = -1;
    *last = *error = NULL;
    if (error_at)
        *error_at = -1;
    if (conn_check_open_locked(conn) < 0 || pq_check_idle(conn) < 0)
        return -1;
    pgconn = conn->pgconn;
    if (!PQenterPipelineMode(pgconn))
        return pq_raise_conn_error(conn);

    pq_op_init(&op, 1, 0, NULL);
    op.items = items;
    op.n = n;
    /* queue everything: in non-blocking mode libpq buffers what the
     * socket can't take yet, and the steps flush it while reading */
    for (i = 0; i < n; i++) {
        Dprintf("conn %p (pipeline %zd/%zd): %s", (void *)conn, i + 1, n,
                items[i].sql ? items[i].sql : "(prepared)");
        if (!pq_pipeline_send(pgconn, &items[i])) {
            op.io_error = 1;
            break;
        }
    }
    if (!op.io_error && !PQpipelineSync(pgconn))
        op.io_error = 1;
    if (!op.io_error)
        interrupted = pq_run(conn, &op) < 0;
    if (!op.io_error && !PQexitPipelineMode(pgconn)) {
        /* results left after the Sync: the server broke the protocol and
         * libpq stays in pipeline mode; the session can't be used again */
        op.io_error = 1;
        conn_set_broken(conn);
    }
    pq_after_io(conn);
    if (error_at)
        *error_at = op.error_at;
    if (interrupted || op.io_error) {
        if (op.io_error && !interrupted) {
            if (PQstatus(pgconn) == CONNECTION_BAD) {
                /* as a blocking command that lost its connection */
                pq_lost(conn, op.error);
                op.error = NULL;
            }
            else
                pq_raise_conn_error(conn);
        }
        pq_op_clear(&op);
        return -1;
    }
    *last = op.last;
    *error = op.error;
    *rowcount = op.unknown ? -1 : op.total;
    return 0;
}

#else /* libpq < 14 */

int
pq_exec_pipeline(connectionObject *conn, const pq_pipe_item *items,
                 Py_ssize_t n, Py_ssize_t *rowcount, PGresult **last,
                 PGresult **error, Py_ssize_t *error_at)
{
    return conn_fail_text(conn, conn->st->NotSupportedError,
                          "pipeline mode needs libpq 14 or newer");
}

#endif
