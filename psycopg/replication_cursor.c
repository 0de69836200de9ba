/* psycopg2.extensions.ReplicationCursor: the COPY BOTH stream of the
 * replication protocol.  Server messages: XLogData ('w': data start, WAL
 * end, send time, data) and keepalives ('k': WAL end, send time, reply
 * requested).  We send standby status updates ('r': write, flush and
 * apply positions, our time, reply requested).  Integers are big-endian;
 * times are microseconds since 2000-01-01 UTC. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "pqpath.h"
#include "replication.h"

#include <datetime.h>
#include <string.h>
#include <sys/time.h>

#define REPL_XLOGDATA_HDR 25   /* 'w' + 3 * int64 */
#define REPL_KEEPALIVE_LEN 18  /* 'k' + 2 * int64 + byte */
#define REPL_FEEDBACK_LEN 34   /* 'r' + 4 * int64 + byte */

/* what repl_read() found */
#define REPL_NOTHING 0
#define REPL_MESSAGE 1
#define REPL_ENDED 2

static uint64_t
repl_get64(const char *p)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++)
        v = (v << 8) | (unsigned char)p[i];
    return v;
}

static void
repl_put64(char *p, uint64_t v)
{
    int i;
    for (i = 7; i >= 0; i--) {
        p[i] = (char)(v & 0xFF);
        v >>= 8;
    }
}

static double
repl_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static int
repl_check_started(replCursObject *self, const char *what)
{
    cursorObject *cur = &self->cur;
    if (curs_check_open(cur) < 0
        || conn_check_async_idle(cur->conn, what) < 0)
        return -1;
    if (cur->pgres == NULL || PQresultStatus(cur->pgres) != PGRES_COPY_BOTH) {
        PyErr_Format(cur->conn->st->ProgrammingError,
                     "%s: replication is not in progress", what);
        return -1;
    }
    return 0;
}

/* Send a standby status update with the recorded positions (lock held). */
static int
repl_send_status(replCursObject *self, int reply)
{
    char buf[REPL_FEEDBACK_LEN];
    double now = repl_now();
    buf[0] = 'r';
    repl_put64(buf + 1, self->write_lsn);
    repl_put64(buf + 9, self->flush_lsn);
    repl_put64(buf + 17, self->apply_lsn);
    repl_put64(buf + 25,
               (uint64_t)(int64_t)((now - REPL_PG_EPOCH_OFFSET) * 1e6));
    buf[33] = reply ? 1 : 0;
    Dprintf("feedback: write %llx flush %llx apply %llx",
            (unsigned long long)self->write_lsn,
            (unsigned long long)self->flush_lsn,
            (unsigned long long)self->apply_lsn);
    if (pq_send_copy_msg(self->cur.conn, buf, REPL_FEEDBACK_LEN) < 0)
        return -1;
    self->last_feedback = now;
    return 0;
}

static int
repl_feedback_if_due(replCursObject *self, double interval)
{
    if (repl_now() - self->last_feedback >= interval)
        return repl_send_status(self, 0);
    return 0;
}

/* What repl_read() took from the server under the lock: plain C, turned
 * into Python objects by repl_build() once the lock is released. */
typedef struct {
    char *buf;                 /* REPL_MESSAGE, REPL_BAD: PQfreemem */
    Py_ssize_t n;
    PGresult *final;           /* REPL_ENDED: the command's result */
} repl_raw;

/* a message of a type we don't know (raised by repl_build) */
#define REPL_BAD 3

/* Read the next XLogData without blocking (lock held: C only, besides
 * the I/O errors); keepalives are answered on the way.  REPL_MESSAGE,
 * REPL_BAD, REPL_ENDED with `raw` filled, REPL_NOTHING, or -1. */
static int
repl_read(replCursObject *self, repl_raw *raw)
{
    connectionObject *conn = self->cur.conn;
    char *buf;
    PGresult *final;
    Py_ssize_t n;

    raw->buf = NULL;
    raw->final = NULL;
    for (;;) {
        n = pq_read_copy_nb(conn, &buf, &final);
        if (n < 0)
            return -1;
        if (n == 0) {
            if (final == NULL)
                return REPL_NOTHING;
            raw->final = final;
            return REPL_ENDED;
        }
        self->last_io = repl_now();
        raw->buf = buf;
        raw->n = n;
        if (buf[0] == 'w' && n >= REPL_XLOGDATA_HDR) {
            self->wal_end = repl_get64(buf + 9);
            self->last_msg_start = repl_get64(buf + 1);
            self->got_msg = 1;
            return REPL_MESSAGE;
        }
        if (buf[0] == 'k' && n >= REPL_KEEPALIVE_LEN) {
            int reply = buf[17];
            self->wal_end = repl_get64(buf + 1);
            PQfreemem(buf);
            raw->buf = NULL;
            Dprintf("keepalive: wal_end %llx reply %d",
                    (unsigned long long)self->wal_end, reply);
            if (reply && repl_send_status(self, 0) < 0)
                return -1;
            continue;
        }
        return REPL_BAD;
    }
}

/* Free what a failed step left in `raw`. */
static void
repl_raw_free(repl_raw *raw)
{
    if (raw->buf)
        PQfreemem(raw->buf);
    if (raw->final)
        PQclear(raw->final);
    raw->buf = NULL;
    raw->final = NULL;
}

/* After the lock: the message (REPL_MESSAGE with *msg), the end of the
 * stream checked (REPL_ENDED), or -1 with the error raised.  Takes what
 * `raw` holds. */
static int
repl_build(replCursObject *self, int what, repl_raw *raw, PyObject **msg)
{
    cursorObject *cur = &self->cur;
    connectionObject *conn = cur->conn;
    char *buf = raw->buf;
    Py_ssize_t n = raw->n;

    *msg = NULL;
    if (what == REPL_ENDED) {
        PGresult *final = raw->final;
        raw->final = NULL;
        /* end of the stream: the cursor is no more replicating */
        curs_clear_result(cur);
        if (PQresultStatus(final) != PGRES_COMMAND_OK)
            return conn_fail_result(conn, cur, final);
        PQclear(final);
        return REPL_ENDED;
    }
    if (what == REPL_MESSAGE) {
        Py_ssize_t size = n - REPL_XLOGDATA_HDR;
        PyObject *payload = self->decode
            ? conn_decode(conn, buf + REPL_XLOGDATA_HDR, size)
            : PyBytes_FromStringAndSize(buf + REPL_XLOGDATA_HDR, size);
        uint64_t data_start = repl_get64(buf + 1);
        uint64_t wal_end = repl_get64(buf + 9);
        int64_t send_time = (int64_t)repl_get64(buf + 17);
        repl_raw_free(raw);
        if (payload == NULL)
            return -1;
        *msg = repl_msg_new(conn->st, (PyObject *)self, payload, size,
                            data_start, wal_end, send_time);
        Py_DECREF(payload);
        return *msg ? REPL_MESSAGE : -1;
    }
    if (what == REPL_BAD) {
        PyErr_Format(conn->st->OperationalError,
                     "unrecognized replication message type: '%c' "
                     "(length %zd)", buf[0], n);
        repl_raw_free(raw);
        return -1;
    }
    repl_raw_free(raw);
    return what;
}

/* ---- methods ---- */

PyDoc_STRVAR(repl_start_doc,
"start_replication_expert(command, decode=False, status_interval=10) -- "
"run a START_REPLICATION command and enter streaming mode.");

static PyObject *
repl_start_expert(replCursObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"command", "decode", "status_interval", NULL};
    cursorObject *cur = &self->cur;
    PyObject *command;
    int decode = 0;
    double interval = 10;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|pd", kwlist, &command,
                                     &decode, &interval))
        return NULL;
    if (curs_check_open(cur) < 0)
        return NULL;
    if (cur->pgres && PQresultStatus(cur->pgres) == PGRES_COPY_BOTH) {
        PyErr_SetString(cur->conn->st->ProgrammingError,
                        "replication is already in progress");
        return NULL;
    }
    if (interval < 1.0) {
        PyErr_SetString(cur->conn->st->ProgrammingError,
                        "status_interval must be >= 1 (sec)");
        return NULL;
    }
    self->decode = decode;
    self->status_interval = interval;
    self->write_lsn = self->flush_lsn = self->apply_lsn = 0;
    self->got_msg = 0;
    self->last_feedback = repl_now();
    /* async connections: poll() hands the COPY BOTH result over */
    if (curs_exec_copy(cur, command) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(repl_consume_doc,
"consume_stream(consume, keepalive_interval=None) -- call consume(msg) "
"for each message, forever (raise StopReplication to stop).\n\n"
"Status updates go to the server every keepalive_interval seconds "
"(default: the status_interval given to start_replication).");

static PyObject *
repl_consume_stream(replCursObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"consume", "keepalive_interval", NULL};
    cursorObject *cur = &self->cur;
    connectionObject *conn;
    PyObject *consume, *ka = Py_None, *msg, *r;
    repl_raw raw = {NULL, 0, NULL};
    double interval;
    int what;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &consume,
                                     &ka))
        return NULL;
    if (curs_check_open(cur) < 0
        || conn_check_not_async(cur->conn, "consume_stream") < 0
        || repl_check_started(self, "consume_stream") < 0)
        return NULL;
    conn = cur->conn;
    if (!PyCallable_Check(consume)) {
        PyErr_SetString(PyExc_TypeError,
                        "consume must be a callable object");
        return NULL;
    }
    interval = self->status_interval;
    if (ka != Py_None) {
        if ((interval = PyFloat_AsDouble(ka)) == -1 && PyErr_Occurred())
            return NULL;
        if (interval < 1.0) {
            PyErr_SetString(conn->st->ProgrammingError,
                            "keepalive_interval must be >= 1 (sec)");
            return NULL;
        }
    }
    Py_INCREF(self); /* the consumer may drop every other reference */
    /* ... or re-initialise the cursor: refused, and conn stays ours */
    conn = curs_op_begin(cur);
    for (;;) {
        if (conn_lock(conn) < 0)
            break;
        if (conn_check_open_locked(conn) < 0)
            what = -1;
        else {
            what = repl_read(self, &raw);
            if (what >= 0 && repl_feedback_if_due(self, interval) < 0)
                what = -1;
            if (what == REPL_NOTHING) {
                double left = self->last_feedback + interval - repl_now();
                if (pq_wait_readable(conn, left > 0 ? left : 0) < 0)
                    what = -1;
            }
        }
        conn_unlock(conn);
        if (what < 0) {
            repl_raw_free(&raw);
            break;
        }
        if ((what = repl_build(self, what, &raw, &msg)) < 0)
            break;
        if (what == REPL_ENDED) {
            curs_op_end(cur, conn);
            Py_DECREF(self);
            Py_RETURN_NONE;
        }
        if (what == REPL_MESSAGE) {
            r = PyObject_CallOneArg(consume, msg);
            Py_DECREF(msg);
            if (r == NULL)
                break;
            Py_DECREF(r);
        }
    }
    curs_op_end(cur, conn);
    Py_DECREF(self);
    return NULL;
}

PyDoc_STRVAR(repl_read_doc,
"read_message() -> ReplicationMessage or None -- the next message, "
"without blocking; also sends the status update when due.");

static PyObject *
repl_read_message(replCursObject *self, PyObject *unused)
{
    connectionObject *conn;
    PyObject *msg = NULL;
    repl_raw raw = {NULL, 0, NULL};
    int what;

    if (repl_check_started(self, "read_message") < 0)
        return NULL;
    conn = self->cur.conn;
    if (conn_lock(conn) < 0)
        return NULL;
    what = repl_read(self, &raw);
    if (what >= 0 && repl_feedback_if_due(self, self->status_interval) < 0)
        what = -1;
    conn_unlock(conn);
    if (what < 0) {
        repl_raw_free(&raw);
        return NULL;
    }
    if (repl_build(self, what, &raw, &msg) < 0)
        return NULL;
    return msg ? msg : Py_NewRef(Py_None);
}

PyDoc_STRVAR(repl_send_feedback_doc,
"send_feedback(write_lsn=0, flush_lsn=0, apply_lsn=0, reply=False, "
"force=False) -- record the positions processed; they are sent at the "
"next status interval, or now if reply or force.");

static PyObject *
repl_send_feedback(replCursObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"write_lsn", "flush_lsn", "apply_lsn", "reply",
                             "force", NULL};
    unsigned long long w = 0, f = 0, a = 0;
    int reply = 0, force = 0, r = 0;
    connectionObject *conn;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|KKKpp", kwlist, &w, &f,
                                     &a, &reply, &force))
        return NULL;
    if (repl_check_started(self, "send_feedback") < 0)
        return NULL;
    if (w > self->write_lsn)
        self->write_lsn = w;
    if (f > self->flush_lsn)
        self->flush_lsn = f;
    if (a > self->apply_lsn)
        self->apply_lsn = a;
    if (reply || force) {
        conn = self->cur.conn;
        if (conn_lock(conn) < 0)
            return NULL;
        r = repl_send_status(self, reply);
        conn_unlock(conn);
    }
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(repl_fileno_doc, "fileno() -> int -- the connection socket.");

static PyObject *
repl_fileno(replCursObject *self, PyObject *unused)
{
    if (curs_check_open(&self->cur) < 0
        || conn_check_open(self->cur.conn) < 0)
        return NULL;
    return PyLong_FromLong(PQsocket(self->cur.conn->pgconn));
}

static PyMethodDef repl_curs_methods[] = {
    {"start_replication_expert", (PyCFunction)(void (*)(void))repl_start_expert,
     METH_VARARGS | METH_KEYWORDS, repl_start_doc},
    {"consume_stream", (PyCFunction)(void (*)(void))repl_consume_stream,
     METH_VARARGS | METH_KEYWORDS, repl_consume_doc},
    {"read_message", (PyCFunction)repl_read_message, METH_NOARGS,
     repl_read_doc},
    {"send_feedback", (PyCFunction)(void (*)(void))repl_send_feedback,
     METH_VARARGS | METH_KEYWORDS, repl_send_feedback_doc},
    {"fileno", (PyCFunction)repl_fileno, METH_NOARGS, repl_fileno_doc},
    {NULL}};

static PyObject *
repl_timestamp(double t)
{
    if (t == 0)
        Py_RETURN_NONE;
    return PyObject_CallMethod((PyObject *)PyDateTimeAPI->DateTimeType,
                               "fromtimestamp", "d", t);
}

static PyObject *
repl_get_io_timestamp(replCursObject *self, void *c)
{
    return repl_timestamp(self->last_io);
}

static PyObject *
repl_get_feedback_timestamp(replCursObject *self, void *c)
{
    return repl_timestamp(self->last_feedback);
}

static PyObject *
repl_get_wal_end(replCursObject *self, void *c)
{
    return PyLong_FromUnsignedLongLong(self->wal_end);
}

static PyGetSetDef repl_curs_getset[] = {
    {"io_timestamp", (getter)repl_get_io_timestamp, NULL,
     "when the last message was received (datetime)", NULL},
    {"feedback_timestamp", (getter)repl_get_feedback_timestamp, NULL,
     "when the last status update was sent (datetime)", NULL},
    {"wal_end", (getter)repl_get_wal_end, NULL,
     "LSN of the server's WAL end, from the last message", NULL},
    {NULL}};

static PyType_Slot repl_curs_slots[] = {
    {Py_tp_methods, repl_curs_methods},
    {Py_tp_getset, repl_curs_getset},
    {Py_tp_doc, "ReplicationCursor(conn) -- a cursor for the replication "
                "protocol."},
    {0, NULL}};

static PyType_Spec repl_curs_spec = {
    .name = "psycopg2.extensions.ReplicationCursor",
    .basicsize = sizeof(replCursObject),
    /* GC support (traverse, clear) is inherited from the base */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = repl_curs_slots,
};

int
repl_curs_setup(PyObject *module, module_state *st)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return -1;
    return mod_add_type(module, &repl_curs_spec, (PyObject *)st->cursor_type,
                        &st->repl_curs_type);
}
