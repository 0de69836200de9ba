/* psycopg2.extensions.lobject: a PostgreSQL large object, opened in the
 * current transaction of a connection.
 *
 * Blocking and the GIL.  libpq implements the large-object API (lo_open,
 * lo_read, lo_write, lo_lseek64, ...) on top of PQfn, the fast-path
 * function call, and lo_import/lo_export as sequences of those calls plus
 * local file I/O.  PQfn is a synchronous call with no non-blocking variant
 * and it does not cope with the non-blocking mode conn_setup_session sets:
 * small calls happen to work, but a request larger than the socket buffer
 * cannot be flushed in one go and PQfn gives up (checked: a 50 MB
 * lo_write fails with an empty error message).  So every call runs with
 * the connection switched to blocking mode and back (lobj_call_run), the
 * GIL released and the connection lock held.  These
 * calls cannot be interrupted with Ctrl-C (no socket to wait on from our
 * side); they are refused on async connections and under a wait callback.
 *
 * Descriptors live until the end of the transaction: `mark` remembers the
 * transaction (conn->mark) the object was opened in.  Nothing is sent to
 * the server on deallocation (the lock might be held by this very thread,
 * e.g. a GC run during a fetch); the server closes descriptors at
 * transaction end anyway. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "lobject.h"
#include "pqpath.h"

#include <libpq/libpq-fs.h>
#include <limits.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    connectionObject *conn;    /* strong ref, NULL until __init__ */
    long mark;                 /* conn->mark when opened */
    int mode;                  /* INV_READ | INV_WRITE, 0 for 'n' */
    int binary;                /* 'b': read() returns bytes */
    int fd;                    /* descriptor, -1 when closed */
    Oid oid;
    char smode[8];             /* e.g. "rt", "rwb", "n" */
} lobjectObject;

/* ---- the calls made without the GIL ---- */

enum lobj_op {
    LOBJ_CREATE, LOBJ_IMPORT, LOBJ_OPEN, LOBJ_CLOSE, LOBJ_READ, LOBJ_WRITE,
    LOBJ_SEEK, LOBJ_TELL, LOBJ_TRUNCATE, LOBJ_EXPORT, LOBJ_UNLINK
};

/* One request and its outcome.  Only plain C memory in here: it is used
 * while the GIL is released. */
typedef struct {
    enum lobj_op op;
    int lo64;                  /* server has the 64-bit functions */
    int fd;
    Oid oid;
    int mode;
    pg_int64 offset;
    int whence;
    const char *filename;
    const char *wbuf;          /* write: data */
    size_t wlen;
    Py_ssize_t want;           /* read: bytes wanted, -1 for all */
    char *rbuf;                /* read: PyMem_RawMalloc'd result */
    size_t rlen;
    pg_int64 result;           /* < 0 on error */
    int nomem;                 /* read: out of memory */
} lobj_call;

/* lo_read/lo_write take an int-sized length */
#define LOBJ_CHUNK ((size_t)1 << 26)

static void
lobj_read_into(PGconn *pg, lobj_call *c, size_t want)
{
    size_t cap = want < 65536 ? want : 65536;
    char *buf = PyMem_RawMalloc(cap ? cap : 1), *nb;
    c->rlen = 0;
    if (buf == NULL) {
        c->nomem = 1;
        c->result = -1;
        return;
    }
    while (c->rlen < want) {
        size_t n;
        int r;
        if (c->rlen == cap) {
            cap = (want - cap < cap) ? want : cap * 2;
            if (!(nb = PyMem_RawRealloc(buf, cap))) {
                PyMem_RawFree(buf);
                c->nomem = 1;
                c->result = -1;
                return;
            }
            buf = nb;
        }
        n = cap - c->rlen;
        if (n > LOBJ_CHUNK)
            n = LOBJ_CHUNK;
        r = lo_read(pg, c->fd, buf + c->rlen, n);
        if (r < 0) {
            PyMem_RawFree(buf);
            c->result = -1;
            return;
        }
        if (r == 0)
            break;
        c->rlen += (size_t)r;
    }
    c->rbuf = buf;
    c->result = (pg_int64)c->rlen;
}

static void
lobj_call_do(PGconn *pg, lobj_call *c)
{
    switch (c->op) {
    case LOBJ_CREATE:
        c->oid = lo_create(pg, c->oid);
        c->result = c->oid == InvalidOid ? -1 : 0;
        break;
    case LOBJ_IMPORT:
        c->oid = c->oid == InvalidOid
                     ? lo_import(pg, c->filename)
                     : lo_import_with_oid(pg, c->filename, c->oid);
        c->result = c->oid == InvalidOid ? -1 : 0;
        break;
    case LOBJ_OPEN:
        c->result = lo_open(pg, c->oid, c->mode);
        break;
    case LOBJ_CLOSE:
        c->result = lo_close(pg, c->fd);
        break;
    case LOBJ_READ:
        if (c->want >= 0) {
            lobj_read_into(pg, c, (size_t)c->want);
        }
        else {
            /* to the end: the size is known from the current position */
            pg_int64 pos, end;
            if (c->lo64) {
                pos = lo_tell64(pg, c->fd);
                end = pos < 0 ? -1 : lo_lseek64(pg, c->fd, 0, SEEK_END);
                if (end >= 0 && lo_lseek64(pg, c->fd, pos, SEEK_SET) < 0)
                    end = -1;
            }
            else {
                pos = lo_tell(pg, c->fd);
                end = pos < 0 ? -1 : lo_lseek(pg, c->fd, 0, SEEK_END);
                if (end >= 0 && lo_lseek(pg, c->fd, (int)pos, SEEK_SET) < 0)
                    end = -1;
            }
            if (end < 0) {
                c->result = -1;
                break;
            }
            lobj_read_into(pg, c, end > pos ? (size_t)(end - pos) : 0);
        }
        break;
    case LOBJ_WRITE: {
        size_t done = 0;
        c->result = 0;
        while (done < c->wlen) {
            size_t n = c->wlen - done;
            int r;
            if (n > LOBJ_CHUNK)
                n = LOBJ_CHUNK;
            r = lo_write(pg, c->fd, c->wbuf + done, n);
            if (r < 0) {
                c->result = -1;
                return;
            }
            done += (size_t)r;
            if (r == 0)
                break;
        }
        c->result = (pg_int64)done;
        break;
    }
    case LOBJ_SEEK:
        c->result = c->lo64 ? lo_lseek64(pg, c->fd, c->offset, c->whence)
                            : lo_lseek(pg, c->fd, (int)c->offset, c->whence);
        break;
    case LOBJ_TELL:
        c->result = c->lo64 ? lo_tell64(pg, c->fd) : lo_tell(pg, c->fd);
        break;
    case LOBJ_TRUNCATE:
        c->result = c->lo64 ? lo_truncate64(pg, c->fd, c->offset)
                            : lo_truncate(pg, c->fd, (size_t)c->offset);
        break;
    case LOBJ_EXPORT:
        c->result = lo_export(pg, c->oid, c->filename) == 1 ? 0 : -1;
        break;
    case LOBJ_UNLINK:
        c->result = 0;
        if (c->fd >= 0 && lo_close(pg, c->fd) < 0) {
            c->result = -1;
            break;
        }
        c->fd = -1;
        c->result = lo_unlink(pg, c->oid) == 1 ? 0 : -1;
        break;
    }
}

/* The libpq error of a failed call (lock held: raised by conn_unlock),
 * libpq's text as it is ("ERROR:  ...\n"), as psycopg2 shows it. */
static void
lobj_raise(connectionObject *conn, lobj_call *c)
{
    const char *msg;
    if (c->nomem) {
        PyErr_NoMemory();
        return;
    }
    if (PQstatus(conn->pgconn) == CONNECTION_BAD)
        conn_set_broken(conn);
    msg = PQerrorMessage(conn->pgconn);
    if (msg[0] == '\0')
        msg = "large object operation failed";
    conn_fail_text(conn, conn->st->OperationalError, msg);
}

/* Run one call: lock, blocking mode, GIL released.  0 or -1. */
static int
lobj_call_run(connectionObject *conn, lobj_call *c, int begin)
{
    int rv = -1;
    PGconn *pg;

    c->lo64 = conn->server_version >= 90300;
    if (conn_lock(conn) < 0)
        return -1;
    if (conn_check_open_locked(conn) < 0)
        goto unlock;
    if (begin && conn_begin_if_needed(conn) < 0)
        goto unlock;
    pg = conn->pgconn;
    /* See the top of the file: PQfn needs blocking mode. */
    if (PQsetnonblocking(pg, 0) != 0) {
        pq_raise_conn_error(conn);
        goto unlock;
    }
    Py_BEGIN_ALLOW_THREADS
    lobj_call_do(pg, c);
    Py_END_ALLOW_THREADS
    if (c->result < 0) {
        lobj_raise(conn, c); /* before anything else touches the message */
        PQsetnonblocking(pg, 1);
        goto unlock;
    }
    if (PQsetnonblocking(pg, 1) != 0) {
        pq_raise_conn_error(conn);
        goto unlock;
    }
    rv = 0; /* conn_unlock delivers notices and notifies */
unlock:
    conn_unlock(conn);
    if (rv < 0 && c->rbuf) {
        PyMem_RawFree(c->rbuf);
        c->rbuf = NULL;
    }
    return rv;
}

/* ---- guards ---- */

static int
lobj_check_conn(connectionObject *conn)
{
    if (conn_check_open(conn) < 0
        || conn_check_not_async(conn, "lobject") < 0)
        return -1;
    if (conn->st->wait_callback) {
        PyErr_SetString(conn->st->ProgrammingError,
                        "lobject cannot be used with an asynchronous "
                        "callback.");
        return -1;
    }
    if (conn->autocommit) {
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't use a lobject outside of transactions");
        return -1;
    }
    return 0;
}

static int
lobj_check_init(lobjectObject *self)
{
    if (self->conn == NULL) {
        PyErr_SetString(PyExc_TypeError, "the lobject is not initialised");
        return -1;
    }
    return 0;
}

/* For the methods using the descriptor: open, valid, in a transaction. */
static int
lobj_check_usable(lobjectObject *self)
{
    if (lobj_check_init(self) < 0)
        return -1;
    if (self->fd < 0) {
        PyErr_SetString(self->conn->st->InterfaceError,
                        "lobject already closed");
        return -1;
    }
    if (lobj_check_conn(self->conn) < 0)
        return -1;
    if (self->mark != self->conn->mark) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "lobject isn't valid anymore");
        return -1;
    }
    return 0;
}

/* ---- mode ---- */

/* "r", "w", "rw", "n", optionally followed by "b" or "t"; "" = "r". */
static int
lobj_parse_mode(lobjectObject *self, const char *s)
{
    const char *p = s;
    int mode = INV_READ, binary = 0, n = 0;
    if (strncmp(p, "rw", 2) == 0) {
        mode = INV_READ | INV_WRITE;
        p += 2;
    }
    else if (*p == 'r') {
        p++;
    }
    else if (*p == 'w') {
        mode = INV_WRITE;
        p++;
    }
    else if (*p == 'n') {
        mode = 0;
        p++;
    }
    if (*p == 'b') {
        binary = 1;
        p++;
    }
    else if (*p == 't') {
        p++;
    }
    if (*p != '\0') {
        PyErr_Format(PyExc_ValueError, "bad mode for lobject: '%s'", s);
        return -1;
    }
    self->mode = mode;
    self->binary = binary;
    if (mode == 0) {
        strcpy(self->smode, "n");
        return 0;
    }
    if (mode & INV_READ)
        self->smode[n++] = 'r';
    if (mode & INV_WRITE)
        self->smode[n++] = 'w';
    self->smode[n++] = binary ? 'b' : 't';
    self->smode[n] = '\0';
    return 0;
}

/* ---- lifecycle ---- */

static PyObject *
lobj_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    lobjectObject *self = (lobjectObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->fd = -1;
    self->oid = InvalidOid;
    strcpy(self->smode, "n");
    return (PyObject *)self;
}

static int
lobj_init(lobjectObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"conn", "oid", "mode", "new_oid", "new_file",
                             NULL};
    module_state *st = mod_state_from_type(Py_TYPE(self));
    PyObject *conn, *new_file = Py_None, *fname = NULL;
    unsigned int oid = InvalidOid, new_oid = InvalidOid;
    const char *mode = NULL;
    lobj_call c;
    int rv = -1;

    if (st == NULL)
        return -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|IzIO", kwlist, &conn,
                                     &oid, &mode, &new_oid, &new_file))
        return -1;
    if (!PyObject_TypeCheck(conn, st->connection_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "argument 1 must be a psycopg2 connection");
        return -1;
    }
    if (self->conn) {
        PyErr_SetString(st->InterfaceError,
                        "the lobject is already initialised");
        return -1;
    }
    if (lobj_check_conn((connectionObject *)conn) < 0)
        return -1;
    if (lobj_parse_mode(self, mode ? mode : "") < 0)
        return -1;
    if (new_file != Py_None && !PyUnicode_FSConverter(new_file, &fname))
        return -1;
    self->conn = (connectionObject *)Py_NewRef(conn);

    memset(&c, 0, sizeof(c));
    if (oid == InvalidOid) {
        c.op = fname ? LOBJ_IMPORT : LOBJ_CREATE;
        c.oid = new_oid;
        c.filename = fname ? PyBytes_AS_STRING(fname) : NULL;
        if (lobj_call_run(self->conn, &c, 1) < 0)
            goto exit;
        oid = c.oid;
        /* As psycopg2: a new object is opened for writing, whatever the
         * mode asked ("r", "rw", "n", ...); only 'b'/'t' is kept. */
        self->mode = INV_WRITE;
        snprintf(self->smode, sizeof(self->smode), "w%c",
                 self->binary ? 'b' : 't');
    }
    self->oid = oid;
    if (self->mode) {
        memset(&c, 0, sizeof(c));
        c.op = LOBJ_OPEN;
        c.oid = oid;
        c.mode = self->mode;
        if (lobj_call_run(self->conn, &c, 1) < 0)
            goto exit;
        self->fd = (int)c.result;
    }
    self->mark = self->conn->mark;
    Dprintf("lobject %u opened: fd %d, mode %s", self->oid, self->fd,
            self->smode);
    rv = 0;
exit:
    Py_XDECREF(fname);
    return rv;
}

static int
lobj_traverse(lobjectObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->conn);
    return 0;
}

static int
lobj_clear(lobjectObject *self)
{
    Py_CLEAR(self->conn);
    return 0;
}

static void
lobj_dealloc(lobjectObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    lobj_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static int
lobj_is_closed(lobjectObject *self)
{
    return self->fd < 0 || self->conn == NULL || self->conn->closed
           || self->conn->mark != self->mark;
}

static PyObject *
lobj_repr(lobjectObject *self)
{
    return PyUnicode_FromFormat("<lobject object at %p; closed: %d>",
                                (void *)self,
                                lobj_is_closed(self));
}

/* ---- methods ---- */

PyDoc_STRVAR(lobj_read_doc,
"read(size=-1) -> bytes or str\n\nRead at most size bytes (all the rest "
"if negative): str decoded with the connection encoding in text mode.");

static PyObject *
lobj_read(lobjectObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"size", NULL};
    Py_ssize_t size = -1;
    PyObject *rv;
    lobj_call c;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|n", kwlist, &size))
        return NULL;
    if (lobj_check_usable(self) < 0)
        return NULL;
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_READ;
    c.fd = self->fd;
    c.want = size < 0 ? -1 : size;
    if (lobj_call_run(self->conn, &c, 0) < 0)
        return NULL;
    if (self->binary)
        rv = PyBytes_FromStringAndSize(c.rbuf, (Py_ssize_t)c.rlen);
    else
        rv = conn_decode(self->conn, c.rbuf, (Py_ssize_t)c.rlen);
    PyMem_RawFree(c.rbuf);
    return rv;
}

PyDoc_STRVAR(lobj_write_doc,
"write(data) -> int\n\nWrite bytes or str (encoded with the connection "
"encoding); return the number of bytes written.");

static PyObject *
lobj_write(lobjectObject *self, PyObject *data)
{
    PyObject *enc = NULL, *rv = NULL;
    Py_buffer view;
    lobj_call c;

    if (lobj_check_usable(self) < 0)
        return NULL;
    if (PyUnicode_Check(data)) {
        if (!(enc = conn_encode(self->conn, data)))
            return NULL;
        data = enc;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(enc);
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "lobject.write() needs str or bytes, not %s",
                         Py_TYPE(data)->tp_name);
        }
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_WRITE;
    c.fd = self->fd;
    c.wbuf = view.buf;
    c.wlen = (size_t)view.len;
    if (lobj_call_run(self->conn, &c, 0) == 0)
        rv = PyLong_FromLongLong(c.result);
    PyBuffer_Release(&view);
    Py_XDECREF(enc);
    return rv;
}

/* Offsets past 2GB need lo64 on the server. */
static int
lobj_check_offset(lobjectObject *self, long long off)
{
    if (self->conn->server_version < 90300
        && (off > INT_MAX || off < INT_MIN)) {
        PyErr_Format(self->conn->st->NotSupportedError,
                     "offset out of range (%lld): server version %d does "
                     "not support the lobject 64 API",
                     off, self->conn->server_version);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(lobj_seek_doc,
"seek(offset, whence=0) -> int\n\nMove the position (whence: 0 start, 1 "
"current, 2 end); return the new position.");

static PyObject *
lobj_seek(lobjectObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"offset", "whence", NULL};
    long long offset;
    int whence = SEEK_SET;
    lobj_call c;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "L|i", kwlist, &offset,
                                     &whence))
        return NULL;
    if (lobj_check_usable(self) < 0 || lobj_check_offset(self, offset) < 0)
        return NULL;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) {
        PyErr_Format(PyExc_ValueError, "invalid whence: %d", whence);
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_SEEK;
    c.fd = self->fd;
    c.offset = offset;
    c.whence = whence;
    if (lobj_call_run(self->conn, &c, 0) < 0)
        return NULL;
    return PyLong_FromLongLong(c.result);
}

PyDoc_STRVAR(lobj_tell_doc, "tell() -> int\n\nThe current position.");

static PyObject *
lobj_tell(lobjectObject *self, PyObject *unused)
{
    lobj_call c;
    if (lobj_check_usable(self) < 0)
        return NULL;
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_TELL;
    c.fd = self->fd;
    if (lobj_call_run(self->conn, &c, 0) < 0)
        return NULL;
    return PyLong_FromLongLong(c.result);
}

PyDoc_STRVAR(lobj_truncate_doc,
"truncate(len=0)\n\nCut (or extend with zeros) the object to len bytes.");

static PyObject *
lobj_truncate(lobjectObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"len", NULL};
    long long len = 0;
    lobj_call c;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|L", kwlist, &len))
        return NULL;
    if (lobj_check_usable(self) < 0 || lobj_check_offset(self, len) < 0)
        return NULL;
    if (len < 0) {
        PyErr_SetString(PyExc_ValueError, "len must be non-negative");
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_TRUNCATE;
    c.fd = self->fd;
    c.offset = len;
    if (lobj_call_run(self->conn, &c, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(lobj_close_doc,
"close()\n\nClose the descriptor (no-op if closed or if its transaction "
"is over).");

static PyObject *
lobj_close(lobjectObject *self, PyObject *unused)
{
    lobj_call c;
    int fd;
    if (lobj_check_init(self) < 0)
        return NULL;
    fd = self->fd;
    self->fd = -1;
    /* the end of the transaction closed it already */
    if (fd < 0 || self->conn->closed || self->conn->autocommit
        || self->mark != self->conn->mark
        || conn_in_other_process(self->conn))  /* after fork: send nothing */
        Py_RETURN_NONE;
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_CLOSE;
    c.fd = fd;
    if (lobj_call_run(self->conn, &c, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(lobj_unlink_doc,
"unlink()\n\nClose the object if open and delete it from the database.");

static PyObject *
lobj_unlink(lobjectObject *self, PyObject *unused)
{
    lobj_call c;
    if (lobj_check_init(self) < 0 || lobj_check_conn(self->conn) < 0)
        return NULL;
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_UNLINK;
    c.oid = self->oid;
    /* a descriptor of an ended transaction is gone already */
    c.fd = self->mark == self->conn->mark ? self->fd : -1;
    self->fd = -1;
    if (lobj_call_run(self->conn, &c, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(lobj_export_doc,
"export(filename)\n\nSave the object to a file on the client.");

static PyObject *
lobj_export(lobjectObject *self, PyObject *arg)
{
    PyObject *fname = NULL;
    lobj_call c;
    int r;
    if (lobj_check_init(self) < 0 || lobj_check_conn(self->conn) < 0)
        return NULL;
    if (!PyUnicode_FSConverter(arg, &fname))
        return NULL;
    memset(&c, 0, sizeof(c));
    c.op = LOBJ_EXPORT;
    c.oid = self->oid;
    c.filename = PyBytes_AS_STRING(fname);
    r = lobj_call_run(self->conn, &c, 1);
    Py_DECREF(fname);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef lobj_methods[] = {
    {"read", (PyCFunction)(void (*)(void))lobj_read,
     METH_VARARGS | METH_KEYWORDS, lobj_read_doc},
    {"write", (PyCFunction)lobj_write, METH_O, lobj_write_doc},
    {"seek", (PyCFunction)(void (*)(void))lobj_seek,
     METH_VARARGS | METH_KEYWORDS, lobj_seek_doc},
    {"tell", (PyCFunction)lobj_tell, METH_NOARGS, lobj_tell_doc},
    {"truncate", (PyCFunction)(void (*)(void))lobj_truncate,
     METH_VARARGS | METH_KEYWORDS, lobj_truncate_doc},
    {"close", (PyCFunction)lobj_close, METH_NOARGS, lobj_close_doc},
    {"unlink", (PyCFunction)lobj_unlink, METH_NOARGS, lobj_unlink_doc},
    {"export", (PyCFunction)lobj_export, METH_O, lobj_export_doc},
    {NULL}};

/* ---- attributes ---- */

static PyObject *
lobj_get_oid(lobjectObject *self, void *c)
{
    return PyLong_FromUnsignedLong(self->oid);
}

static PyObject *
lobj_get_mode(lobjectObject *self, void *c)
{
    return PyUnicode_FromString(self->smode);
}

static PyObject *
lobj_get_closed(lobjectObject *self, void *c)
{
    return PyBool_FromLong(lobj_is_closed(self));
}

static PyGetSetDef lobj_getset[] = {
    {"oid", (getter)lobj_get_oid, NULL, "the object id", NULL},
    {"mode", (getter)lobj_get_mode, NULL, "open mode, e.g. 'rt'", NULL},
    {"closed", (getter)lobj_get_closed, NULL,
     "True if closed or its transaction is over", NULL},
    {NULL}};

static PyType_Slot lobj_slots[] = {
    {Py_tp_new, lobj_new},
    {Py_tp_init, lobj_init},
    {Py_tp_dealloc, lobj_dealloc},
    {Py_tp_traverse, lobj_traverse},
    {Py_tp_clear, lobj_clear},
    {Py_tp_repr, lobj_repr},
    {Py_tp_methods, lobj_methods},
    {Py_tp_getset, lobj_getset},
    {Py_tp_doc, "lobject(conn, oid=0, mode='', new_oid=0, new_file=None) "
                "-- a PostgreSQL large object."},
    {0, NULL}};

static PyType_Spec lobj_spec = {
    .name = "psycopg2.extensions.lobject",
    .basicsize = sizeof(lobjectObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = lobj_slots,
};

int
lobject_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &lobj_spec, NULL, &st->lobject_type);
}
