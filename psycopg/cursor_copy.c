/* COPY FROM STDIN / TO STDOUT: copy_from, copy_to, copy_expert.  Data is
 * streamed in chunks of `size` bytes; nothing is held whole in memory. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "escape.h"
#include "errors.h"
#include "pqpath.h"

#include <string.h>

/* Finish a COPY nobody asked us to serve and explain why. */
static PGresult *
copy_refuse(cursorObject *self, PGresult *res)
{
    connectionObject *conn = self->conn;
    ExecStatusType status = PQresultStatus(res);
    PGresult *final;
    PQclear(res);
    if (status == PGRES_COPY_IN) {
        if (pq_put_copy_end(conn, "COPY FROM STDIN needs copy_from()") == 0
            && (final = pq_get_result(conn)))
            PQclear(final);
    }
    else if (status == PGRES_COPY_OUT) {
        char *buf;
        Py_ssize_t n;
        while ((n = pq_get_copy_data(conn, &buf)) > 0)
            PQfreemem(buf);
        if (n == 0 && (final = pq_get_result(conn)))
            PQclear(final);
    }
    /* unless ending the COPY failed first */
    conn_fail_text(conn, conn->st->ProgrammingError,
                   status == PGRES_COPY_IN
                       ? "can't execute COPY FROM: use the copy_from() "
                         "method instead"
                       : "can't execute COPY TO: use the copy_to() method "
                         "instead");
    return NULL;
}

/* Around each call to the COPY file object the connection lock is
 * released: the file may block for long, or use the connection (commit(),
 * close(), execute(): refused while in_copy, or closing it).  Another
 * thread's close() can take the lock meanwhile and end the COPY: retaking
 * it, the loop finds the connection closed and stops with an error. */
static void
copy_release(connectionObject *conn)
{
    conn_unlock(conn);
}

/* Take the lock back after a file call (conn_lock would refuse: this
 * thread is copy_thread), then check that nobody closed the connection. */
static int
copy_retake(connectionObject *conn)
{
    if (!PyThread_acquire_lock(conn->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(conn->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    conn->lock_owner = PyThread_get_thread_ident();
    if (conn->closed || conn->pgconn == NULL) {
        /* unless the file call raised first */
        return conn_fail_text(conn, conn->st->InterfaceError,
                              "the connection was closed during COPY");
    }
    return 0;
}

/* "error in .read() call: <type> <message>" for the pending exception,
 * as UTF-8 bytes (what psycopg2 sends, whatever the client encoding);
 * NULL, with an exception set, if it can't be built.  The exception
 * stays pending for the caller to clear. */
static PyObject *
copy_read_error_message(void)
{
    PyObject *t, *v, *tb, *str = NULL, *msg = NULL, *b = NULL;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (t == NULL)
        goto exit;
    if (!(str = PyObject_Str(v ? v : Py_None)))
        goto exit;
    if (!(msg = PyUnicode_FromFormat("error in .read() call: %s %U",
                                     ((PyTypeObject *)t)->tp_name, str)))
        goto exit;
    b = PyUnicode_AsEncodedString(msg, "utf-8", "replace");
    if (b && memchr(PyBytes_AS_STRING(b), '\0', PyBytes_GET_SIZE(b)))
        Py_CLEAR(b); /* libpq takes a C string */
exit:
    Py_XDECREF(str);
    Py_XDECREF(msg);
    if (b == NULL)
        PyErr_Clear();
    PyErr_Restore(t, v, tb);
    return b;
}

static PGresult *
copy_in(cursorObject *self, connectionObject *conn, PyObject *file,
        Py_ssize_t size)
{
    PyObject *data = NULL, *b = NULL, *msg = NULL;
    int failed = 0;

    for (;;) {
        copy_release(conn);
        data = PyObject_CallMethod(file, "read", "n", size);
        if (data == NULL)
            b = NULL;
        else if (PyUnicode_Check(data))
            b = conn_encode(conn, data);
        else if (PyBytes_Check(data))
            b = Py_NewRef(data);
        else if (PyByteArray_Check(data) || PyMemoryView_Check(data))
            b = PyBytes_FromObject(data);
        else
            failed = 2; /* psycopg2 names no error for this */
        Py_CLEAR(data);
        if (b == NULL) {
            /* the message for the server and the end of the exception
             * (it may run Python code) before taking the lock back */
            failed = failed ? failed : 1;
            msg = failed == 1 ? copy_read_error_message() : NULL;
            PyErr_Clear();
        }
        if (copy_retake(conn) < 0) {
            Py_CLEAR(b);
            Py_CLEAR(msg); /* bytes: runs no Python code */
            return NULL;
        }
        if (b == NULL)
            break;
        if (PyBytes_GET_SIZE(b) == 0)
            break;
        if (pq_put_copy_data(conn, PyBytes_AS_STRING(b),
                             PyBytes_GET_SIZE(b)) < 0) {
            Py_CLEAR(b);
            return NULL; /* connection trouble: nothing more to say */
        }
        Py_CLEAR(b);
    }
    Py_CLEAR(b);
    if (failed) {
        /* as psycopg2: abort the COPY on the server with a message naming
         * the file's error, and raise what the server answers */
        const char *text = msg ? PyBytes_AS_STRING(msg)
                               : "error in .read() call";
        if (pq_put_copy_end(conn, text) < 0) {
            Py_XDECREF(msg);
            return NULL;
        }
        Py_XDECREF(msg);
        return pq_get_result(conn);
    }
    if (pq_put_copy_end(conn, NULL) < 0)
        return NULL;
    return pq_get_result(conn);
}

static PGresult *
copy_out(cursorObject *self, connectionObject *conn, PyObject *file)
{
    PyObject *io = NULL, *textbase = NULL, *r;
    PGresult *final;
    Py_ssize_t n;
    char *buf;
    int text = 0, failed = 0;

    copy_release(conn);
    if ((io = PyImport_ImportModule("io"))
        && (textbase = PyObject_GetAttrString(io, "TextIOBase")))
        text = PyObject_IsInstance(file, textbase);
    Py_XDECREF(io);
    Py_XDECREF(textbase);
    if (text < 0) {
        failed = 1;
        text = 0;
    }
    if (copy_retake(conn) < 0)
        return NULL;
    while ((n = pq_get_copy_data(conn, &buf)) > 0) {
        if (!failed) {
            PyObject *chunk;
            copy_release(conn);
            chunk = text ? conn_decode(conn, buf, n)
                         : PyBytes_FromStringAndSize(buf, n);
            r = chunk ? PyObject_CallMethod(file, "write", "O", chunk)
                      : NULL;
            Py_XDECREF(chunk);
            if (r == NULL)
                failed = 1; /* keep draining, raise at the end */
            Py_XDECREF(r);
            if (copy_retake(conn) < 0) {
                PQfreemem(buf);
                return NULL;
            }
        }
        PQfreemem(buf);
    }
    if (n < 0) {
        return NULL;
    }
    if (failed) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        if ((final = pq_get_result(conn)))
            PQclear(final);
        conn_fail_drop(conn); /* the file's error is raised */
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
        return NULL;
    }
    return pq_get_result(conn);
}

PGresult *
curs_copy_serve(cursorObject *self, PGresult *res, int want_copy)
{
    ExecStatusType status = PQresultStatus(res);
    connectionObject *conn = self->conn;
    PyObject *file;
    PGresult *rv;

    if (status == PGRES_COPY_BOTH)
        return res; /* replication: the caller streams */
    if (!want_copy || self->copyfile == NULL)
        return copy_refuse(self, res);
    if (conn->copy_gate == NULL
        && !(conn->copy_gate = PyThread_allocate_lock())) {
        PQclear(res);
        PyErr_NoMemory();
        return NULL; /* the connection is left in COPY: rare enough */
    }
    PQclear(res);
    /* ours for the whole COPY: the file may call copy_*() again */
    file = Py_NewRef(self->copyfile);
    Py_INCREF(conn);
    /* not contended: only the thread holding the lock takes the gate */
    PyThread_acquire_lock(conn->copy_gate, WAIT_LOCK);
    conn->copy_thread = PyThread_get_thread_ident();
    rv = status == PGRES_COPY_IN ? copy_in(self, conn, file, self->copysize)
                                 : copy_out(self, conn, file);
    conn->copy_thread = 0;
    PyThread_release_lock(conn->copy_gate);
    Py_DECREF(conn);
    Py_DECREF(file);
    return rv;
}

/* ---- methods ---- */

static int
copy_check(cursorObject *self, const char *what)
{
    if (curs_check_open(self) < 0)
        return -1;
    if (conn_check_not_async(self->conn, what) < 0)
        return -1;
    if (self->conn->st->wait_callback) {
        PyErr_Format(self->conn->st->ProgrammingError,
                     "%s cannot be used with an asynchronous callback.",
                     what);
        return -1;
    }
    return 0;
}

static int
copy_need_method(PyObject *file, const char *method)
{
    if (!PyObject_HasAttrString(file, method)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must have a .%s() method", method);
        return -1;
    }
    return 0;
}

static int copy_append(PyObject *buf, const char *s);

/* quoted identifier or literal in the connection encoding, appended */
static int
copy_append_quoted(cursorObject *self, PyObject *buf, PyObject *s,
                   int literal)
{
    PyObject *b = NULL;
    char *esc;
    int r;
    if (!PyUnicode_Check(s) && !PyBytes_Check(s)) {
        PyErr_Format(PyExc_TypeError, "expected a string, got %s",
                     Py_TYPE(s)->tp_name);
        return -1;
    }
    if (literal) {
        /* as the adapters quote strings: '\N', E'...' only when needed */
        if (!(b = escape_quote_text(self->conn->st, self->conn, s, NULL)))
            return -1;
        r = copy_append(buf, PyBytes_AS_STRING(b));
        Py_DECREF(b);
        return r;
    }
    if (!(b = PyUnicode_Check(s) ? conn_encode(self->conn, s)
                                 : Py_NewRef(s)))
        return -1;
    esc = PQescapeIdentifier(self->conn->pgconn, PyBytes_AS_STRING(b),
                             PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    if (esc == NULL) {
        PyErr_Format(self->conn->st->ProgrammingError, "%s",
                     PQerrorMessage(self->conn->pgconn));
        return -1;
    }
    r = copy_append(buf, esc);
    PQfreemem(esc);
    return r;
}

static int
copy_append(PyObject *buf, const char *s)
{
    Py_ssize_t old = PyByteArray_GET_SIZE(buf), n = strlen(s);
    if (PyByteArray_Resize(buf, old + n) < 0)
        return -1;
    memcpy(PyByteArray_AS_STRING(buf) + old, s, n);
    return 0;
}

/* COPY "table" ("a", "b") FROM stdin / TO stdout WITH DELIMITER ... */
static PyObject *
copy_build(cursorObject *self, PyObject *table, PyObject *columns,
           PyObject *sep, PyObject *null, const char *direction)
{
    PyObject *buf = PyByteArray_FromStringAndSize("COPY ", 5), *it, *col;
    PyObject *rv = NULL;
    int first = 1;
    if (buf == NULL)
        return NULL;
    if (copy_append_quoted(self, buf, table, 0) < 0)
        goto exit;
    if (columns && columns != Py_None) {
        if (!(it = PyObject_GetIter(columns)))
            goto exit;
        if (copy_append(buf, " (") < 0) {
            Py_DECREF(it);
            goto exit;
        }
        while ((col = PyIter_Next(it))) {
            int r = (first ? 0 : copy_append(buf, ", "));
            if (r == 0)
                r = copy_append_quoted(self, buf, col, 0);
            Py_DECREF(col);
            first = 0;
            if (r < 0) {
                Py_DECREF(it);
                goto exit;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred() || copy_append(buf, ")") < 0)
            goto exit;
    }
    if (copy_append(buf, direction) < 0
        || copy_append(buf, " WITH DELIMITER AS ") < 0
        || copy_append_quoted(self, buf, sep, 1) < 0
        || copy_append(buf, " NULL AS ") < 0
        || copy_append_quoted(self, buf, null, 1) < 0)
        goto exit;
    rv = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(buf),
                                   PyByteArray_GET_SIZE(buf));
exit:
    Py_DECREF(buf);
    return rv;
}

/* Run a COPY statement serving `file`. */
static PyObject *
copy_run(cursorObject *self, PyObject *sql, PyObject *file, Py_ssize_t size)
{
    PyObject *r;
    if (size <= 0) {
        PyErr_SetString(PyExc_ValueError, "size must be positive");
        return NULL;
    }
    connectionObject *conn;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    Py_XSETREF(self->copyfile, Py_NewRef(file));
    self->copysize = size;
    r = curs_exec_copy(self, sql) < 0 ? NULL : Py_NewRef(Py_None);
    Py_CLEAR(self->copyfile);
    curs_op_end(self, conn);
    return r;
}

PyDoc_STRVAR(copy_from_doc,
"copy_from(file, table, sep='\\t', null='\\\\N', size=8192, columns=None) "
"-- COPY table FROM a file-like object.");

static PyObject *
copy_from(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"file", "table", "sep", "null", "size",
                             "columns", NULL};
    PyObject *file, *table, *sep = NULL, *null = NULL, *columns = Py_None;
    PyObject *sql = NULL, *rv = NULL;
    Py_ssize_t size = 8192;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OOnO", kwlist, &file,
                                     &table, &sep, &null, &size, &columns))
        return NULL;
    if (copy_check(self, "copy_from") < 0
        || copy_need_method(file, "read") < 0)
        return NULL;
    if (!(sep = sep ? Py_NewRef(sep) : PyUnicode_FromString("\t")))
        return NULL;
    if (!(null = null ? Py_NewRef(null) : PyUnicode_FromString("\\N")))
        goto exit;
    if (!(sql = copy_build(self, table, columns, sep, null, " FROM stdin")))
        goto exit;
    rv = copy_run(self, sql, file, size);
exit:
    Py_XDECREF(sep);
    Py_XDECREF(null);
    Py_XDECREF(sql);
    return rv;
}

PyDoc_STRVAR(copy_to_doc,
"copy_to(file, table, sep='\\t', null='\\\\N', columns=None) "
"-- COPY table TO a file-like object.");

static PyObject *
copy_to(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"file", "table", "sep", "null", "columns", NULL};
    PyObject *file, *table, *sep = NULL, *null = NULL, *columns = Py_None;
    PyObject *sql = NULL, *rv = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OOO", kwlist, &file,
                                     &table, &sep, &null, &columns))
        return NULL;
    if (copy_check(self, "copy_to") < 0
        || copy_need_method(file, "write") < 0)
        return NULL;
    if (!(sep = sep ? Py_NewRef(sep) : PyUnicode_FromString("\t")))
        return NULL;
    if (!(null = null ? Py_NewRef(null) : PyUnicode_FromString("\\N")))
        goto exit;
    if (!(sql = copy_build(self, table, columns, sep, null, " TO stdout")))
        goto exit;
    rv = copy_run(self, sql, file, 8192);
exit:
    Py_XDECREF(sep);
    Py_XDECREF(null);
    Py_XDECREF(sql);
    return rv;
}

PyDoc_STRVAR(copy_expert_doc,
"copy_expert(sql, file, size=8192) -- run a COPY statement with a "
"file-like object.\n"
"\n"
"*sql* is a COPY ... FROM STDIN statement, which reads the data from\n"
"*file* (an object with read(), returning str or bytes), or a COPY ...\n"
"TO STDOUT one, which writes to *file* (an object with write()); any\n"
"option of COPY can be used (FORMAT csv, HEADER, ...). *size* is the\n"
"number of bytes read from *file* at a time. Text is encoded and "
"decoded\n"
"with the connection encoding; a file opened in binary mode gets bytes.\n"
"*sql* may be a psycopg2.sql.Composable.");

static PyObject *
copy_expert(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"sql", "file", "size", NULL};
    PyObject *sql, *file;
    Py_ssize_t size = 8192;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|n", kwlist, &sql,
                                     &file, &size))
        return NULL;
    if (copy_check(self, "copy_expert") < 0)
        return NULL;
    if (!PyObject_HasAttrString(file, "read")
        && !PyObject_HasAttrString(file, "write")) {
        PyErr_SetString(PyExc_TypeError,
                        "file must be a readable file-like object for "
                        "COPY FROM; a writable file-like object for COPY "
                        "TO.");
        return NULL;
    }
    return copy_run(self, sql, file, size);
}

PyMethodDef curs_copy_methods[] = {
    {"copy_from", (PyCFunction)(void (*)(void))copy_from,
     METH_VARARGS | METH_KEYWORDS, copy_from_doc},
    {"copy_to", (PyCFunction)(void (*)(void))copy_to,
     METH_VARARGS | METH_KEYWORDS, copy_to_doc},
    {"copy_expert", (PyCFunction)(void (*)(void))copy_expert,
     METH_VARARGS | METH_KEYWORDS, copy_expert_doc},
    {NULL}};
