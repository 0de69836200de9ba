/* Server-side (named) cursors: DECLARE, the commands on an open cursor,
 * CLOSE, and the rules psycopg2 has for them (one query per cursor, a
 * cursor WITHOUT HOLD dies with its transaction).  FETCH and MOVE are sent
 * by cursor_fetch.c. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "escape.h"
#include "query.h"

#include <string.h>

/* As psycopg2, a named cursor WITHOUT HOLD belongs to the transaction it
 * was made (or executed) in, and refuses to work once it ended. */
int
curs_check_named_valid(cursorObject *self)
{
    if (self->name && !self->withhold && self->mark != self->conn->mark) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "named cursor isn't valid anymore");
        return -1;
    }
    return 0;
}

/* Run `fmt` % (arg, quoted name) on a named cursor, keeping cursor.query
 * (the DECLARE).  As psycopg2, a WITH HOLD cursor's commands never open a
 * transaction: the cursor outlives it. */
static int
curs_named_exec(cursorObject *self, const char *fmt, const char *arg)
{
    PyObject *q, *saved;
    int r;
    if (!(q = PyBytes_FromFormat(fmt, arg, self->qname)))
        return -1;
    saved = Py_XNewRef(self->query);
    r = curs_exec_flags(self, q, self->withhold ? CURS_EXEC_NO_BEGIN : 0);
    Py_XSETREF(self->query, saved);
    Py_DECREF(q);
    return r;
}

int
curs_named_command(cursorObject *self, const char *fmt, const char *arg)
{
    if (curs_check_named_valid(self) < 0)
        return -1;
    return curs_named_exec(self, fmt, arg);
}

int
curs_execute_named(cursorObject *self, PyObject *q, PyObject *qenc)
{
    connectionObject *conn = self->conn;
    PyObject *decl;
    int r;
    if (PyBytes_GET_SIZE(q) == 0) {
        /* as psycopg2: refused before the DECLARE is built */
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't execute an empty query");
        query_error_set_cursor(conn, (PyObject *)self);
        return -1;
    }
    if (conn->autocommit && !self->withhold && !conn->entered) {
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't use a named cursor outside of transactions");
        query_error_set_cursor(conn, (PyObject *)self);
        return -1;
    }
    decl = PyBytes_FromFormat(
        "DECLARE %s %sCURSOR %s HOLD FOR %s", self->qname,
        self->scrollable < 0 ? "" : self->scrollable ? "SCROLL " : "NO SCROLL ",
        self->withhold ? "WITH" : "WITHOUT", PyBytes_AS_STRING(q));
    if (decl == NULL)
        return -1;
    self->mark = conn->mark;
    r = curs_exec_enc(self, decl, 0, qenc);
    Py_DECREF(decl);
    if (r < 0)
        return r; /* CURS_ENC_CHANGED: execute() builds the query again */
    self->rowcount = -1;
    /* "DECLARE c CURSOR FOR q1; q2" also runs q2 (simple query protocol)
     * and its result would pose as the cursor's: refuse it. */
    if (self->statusmessage == NULL
        || PyUnicode_CompareWithASCIIString(self->statusmessage,
                                            "DECLARE CURSOR") != 0) {
        curs_clear_result(self);
        curs_clear_description(self);
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't execute multiple statements with a named "
                        "cursor");
        return -1;
    }
    return 0;
}

/* Whether the server has a cursor with our name: 1, 0 or -1.  The query's
 * result becomes the cursor's, as in psycopg2. */
static int
curs_named_exists(cursorObject *self)
{
    PyObject *lit, *q;
    int r;
    if (!(lit = escape_quote_text(self->conn->st, self->conn, self->name,
                                  NULL)))
        return -1;
    q = PyBytes_FromFormat("SELECT 1 FROM pg_catalog.pg_cursors "
                           "WHERE name = %s", PyBytes_AS_STRING(lit));
    Py_DECREF(lit);
    if (q == NULL)
        return -1;
    r = curs_exec_flags(self, q, CURS_EXEC_NO_BEGIN);
    Py_DECREF(q);
    if (r < 0)
        return -1;
    return self->ntuples > 0;
}

/* CLOSE on the server, as psycopg2 does it: a cursor that ran a query must
 * still be valid (else ProgrammingError); one that never did is closed
 * only if the server has a cursor of that name (DECLAREd in SQL). */
int
curs_close_named(cursorObject *self)
{
    PyObject *saved;
    int r;
    if (curs_named_executed(self))
        return curs_named_command(self, "CLOSE %s%s", "");
    saved = Py_XNewRef(self->query);
    r = curs_named_exists(self);
    Py_XSETREF(self->query, saved);
    if (r <= 0)
        return r;
    return curs_named_exec(self, "CLOSE %s%s", "");
}

/* The quoted identifier of a cursor name (any string is a valid name), in
 * a new PyMem buffer, or NULL with an exception set. */
char *
curs_quote_name(connectionObject *conn, PyObject *name)
{
    PyObject *b;
    Py_ssize_t i, n, j = 0;
    const char *s;
    char *q = NULL;
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError,
                     "Expected bytes or unicode string, got %s instead",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    if (!(b = conn_encode(conn, name)))
        return NULL;
    s = PyBytes_AS_STRING(b);
    n = PyBytes_GET_SIZE(b);
    if (memchr(s, '\0', (size_t)n) != NULL) {
        PyErr_SetString(PyExc_ValueError,
                        "the cursor name contains NUL characters");
        goto exit;
    }
    if (!(q = PyMem_Malloc(2 * n + 3))) {
        PyErr_NoMemory();
        goto exit;
    }
    q[j++] = '"';
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            q[j++] = '"';
        q[j++] = s[i];
    }
    q[j++] = '"';
    q[j] = '\0';
exit:
    Py_DECREF(b);
    return q;
}
