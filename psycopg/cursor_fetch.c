/* The cursor's fetch methods: fetchone, fetchmany, fetchall, iteration
 * and scroll, on a client-side result or through FETCH/MOVE on a named
 * cursor. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "query.h"
#include "result.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int
curs_check_result(cursorObject *self)
{
    if (self->pgres == NULL
        || PQresultStatus(self->pgres) != PGRES_TUPLES_OK) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "no results to fetch");
        return -1;
    }
    return 0;
}

/* Named cursors: FETCH FORWARD n through the server.  As psycopg2, n is
 * sent as given: 0 fetches the current row again, a negative n goes
 * backwards (or fails on a NO SCROLL cursor). */
static int
curs_named_fetch(cursorObject *self, long howmany)
{
    char buf[32];
    if (howmany == LONG_MAX)
        strcpy(buf, "ALL");
    else
        snprintf(buf, sizeof(buf), "%ld", howmany);
    if (curs_named_command(self, "FETCH FORWARD %s FROM %s", buf) < 0)
        return -1;
    self->rownumber = 0;
    return 0;
}

static int
curs_check_fetch(cursorObject *self)
{
    if (curs_check_open(self) < 0 || curs_check_prepared(self) < 0
        || conn_check_async_idle(self->conn, "fetch") < 0)
        return -1;
    return 0;
}

/* The row at rownumber (which must exist), moving past it.  A row class
 * that can't be made (NamedTupleCursor and duplicate column names) fails
 * after the row is taken, as in psycopg2. */
static PyObject *
curs_take_row(cursorObject *self)
{
    PyObject *row = NULL;
    curs_fetch f;
    if (result_fetch_begin(&f, self) < 0)
        return NULL;
    if (result_fetch_prepare(&f) < 0) {
        if (result_fetch_same(&f)) /* not if it re-executed the cursor */
            self->rownumber++;
    }
    else if ((row = result_fetch_row(&f, self->rownumber)) != NULL
             || result_fetch_same(&f))
        self->rownumber++; /* a row that fails is consumed, as in psycopg2 */
    result_fetch_end(&f);
    return row;
}

PyDoc_STRVAR(curs_fetchone_doc,
"fetchone() -> row or None\n"
"\n"
"The next row of the result, as a tuple (or what the cursor's row\n"
"factory makes), or None when there are no more rows. Raises\n"
"ProgrammingError if the last statement returned no result (e.g. an\n"
"INSERT without RETURNING) or if nothing was executed.");

static PyObject *
curs_fetchone_impl(cursorObject *self, PyObject *unused)
{
    if (curs_check_fetch(self) < 0)
        return NULL;
    if (self->name && curs_named_fetch(self, 1) < 0)
        return NULL;
    if (curs_check_result(self) < 0)
        return NULL;
    if (self->rownumber >= self->ntuples)
        Py_RETURN_NONE;
    return curs_take_row(self);
}

/* A list of this many rows or more fills untracked by the collector. */
#define CURS_UNTRACK_ROWS 1000

/* rows [rownumber, rownumber + n) as a list; the row class is made even
 * for no rows, and failing to make it takes the rows, as in psycopg2 */
static PyObject *
curs_take_rows(cursorObject *self, Py_ssize_t n)
{
    PyObject *list = NULL;
    Py_ssize_t start = self->rownumber;
    curs_fetch f;
    if (result_fetch_begin(&f, self) < 0)
        return NULL;
    if (n > f.res->ntuples - start)
        n = f.res->ntuples - start;
    if (n < 0)
        n = 0;
    if (result_fetch_prepare(&f) < 0) {
        if (result_fetch_same(&f)) /* not if it re-executed the cursor */
            self->rownumber = start + n;
        goto exit;
    }
    if (!(list = PyList_New(n)))
        goto exit;
    /* taking the rest of a big result: the rows may replace the values */
    result_fetch_keep(&f, start, n);
    /* rows are read through our own reference to the result; the position
     * is the cursor's once each row is done (the same result: checked
     * after each row).  The list is left out of the collector's passes
     * while it fills (each would visit every row so far): not tracked, it
     * only keeps what it holds alive, which is always safe. */
    if (n >= CURS_UNTRACK_ROWS)
        PyObject_GC_UnTrack(list);
    if (result_fetch_rows(&f, start, n, list, &self->rownumber) < 0)
        Py_CLEAR(list);
    else if (n >= CURS_UNTRACK_ROWS)
        PyObject_GC_Track(list);
exit:
    result_fetch_end(&f);
    return list;
}

PyDoc_STRVAR(curs_fetchmany_doc,
"fetchmany(size=self.arraysize) -> list of rows\n"
"\n"
"The next *size* rows of the result (fewer, or an empty list, at the\n"
"end). The default size is the cursor's arraysize attribute (1 unless\n"
"set). Raises ProgrammingError if the last statement returned no\n"
"result.");

static PyObject *
curs_fetchmany_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"size", NULL};
    PyObject *size_obj = Py_None;
    long size;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", kwlist, &size_obj))
        return NULL;
    /* a C long, with psycopg2's TypeError and OverflowError texts */
    if (size_obj == Py_None)
        size = self->arraysize;
    else if ((size = PyLong_AsLong(size_obj)) == -1 && PyErr_Occurred())
        return NULL;
    if (curs_check_fetch(self) < 0)
        return NULL;
    if (self->name && curs_named_fetch(self, size) < 0)
        return NULL;
    if (curs_check_result(self) < 0)
        return NULL;
    return curs_take_rows(self, size < 0 ? self->ntuples : size);
}

PyDoc_STRVAR(curs_fetchall_doc,
"fetchall() -> list of the remaining rows\n"
"\n"
"All the rows not fetched yet (an empty list if none). On a named\n"
"cursor this reads the rest of the server-side cursor. Raises\n"
"ProgrammingError if the last statement returned no result.");

static PyObject *
curs_fetchall_impl(cursorObject *self, PyObject *unused)
{
    if (curs_check_fetch(self) < 0)
        return NULL;
    if (self->name && curs_named_fetch(self, LONG_MAX) < 0)
        return NULL;
    if (curs_check_result(self) < 0)
        return NULL;
    return curs_take_rows(self, self->ntuples);
}

PyObject *
curs_iter(cursorObject *self)
{
    if (curs_check_open(self) < 0)
        return NULL;
    return Py_NewRef(self);
}

static PyObject *
curs_next_impl(cursorObject *self)
{
    if (curs_check_fetch(self) < 0)
        return NULL;
    if (self->name) {
        /* refill the buffer with itersize rows at a time */
        if (self->pgres == NULL || self->rownumber >= self->ntuples) {
            /* unlike psycopg2, not FETCH FORWARD 0 or backwards: those
             * would return the same rows forever */
            if (curs_named_fetch(self, self->itersize > 0 ? self->itersize
                                                          : 1) < 0)
                return NULL;
        }
        if (curs_check_result(self) < 0)
            return NULL;
        if (self->ntuples == 0)
            return NULL; /* StopIteration */
    }
    else if (curs_check_result(self) < 0)
        return NULL;
    if (self->rownumber >= self->ntuples)
        return NULL;
    return curs_take_row(self);
}

PyDoc_STRVAR(curs_scroll_doc,
"scroll(value, mode='relative') -- move the position in the result.");

static PyObject *
curs_scroll_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"value", "mode", NULL};
    Py_ssize_t newpos;
    int value; /* a C int, with psycopg2's OverflowError texts */
    const char *mode = "relative";
    int absolute;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i|s", kwlist, &value,
                                     &mode))
        return NULL;
    if (curs_check_fetch(self) < 0)
        return NULL;
    absolute = strcmp(mode, "absolute") == 0;
    if (self->name) {
        /* as psycopg2: any mode but 'absolute' is relative here, and the
         * MOVE leaves rowcount at -1 */
        char buf[48];
        snprintf(buf, sizeof(buf), "%s%d", absolute ? "ABSOLUTE " : "",
                 value);
        if (curs_named_command(self, "MOVE %s FROM %s", buf) < 0)
            return NULL;
        self->rowcount = -1;
        Py_RETURN_NONE;
    }
    if (!absolute && strcmp(mode, "relative") != 0) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "scroll mode must be 'relative' or 'absolute'");
        query_error_set_cursor(self->conn, (PyObject *)self);
        return NULL;
    }
    /* as psycopg2: without rows every destination is out of bounds, and
     * the error carries the cursor */
    newpos = absolute ? value : self->rownumber + value;
    if (self->pgres == NULL || PQresultStatus(self->pgres) != PGRES_TUPLES_OK
        || newpos < 0 || newpos >= self->ntuples) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "scroll destination out of bounds");
        query_error_set_cursor(self->conn, (PyObject *)self);
        return NULL;
    }
    self->rownumber = newpos;
    Py_RETURN_NONE;
}

/* ---- the methods as operations (see cursor.c) ---- */

static PyObject *
curs_fetchmany(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_fetchmany_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_scroll(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_scroll_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_fetchone(cursorObject *self, PyObject *arg)
{
    connectionObject *conn;
    PyObject *rv;
    if (self->conn == NULL)
        return curs_fetchone_impl(self, arg);
    conn = curs_op_begin(self);
    rv = curs_fetchone_impl(self, arg);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_fetchall(cursorObject *self, PyObject *arg)
{
    connectionObject *conn;
    PyObject *rv;
    if (self->conn == NULL)
        return curs_fetchall_impl(self, arg);
    conn = curs_op_begin(self);
    rv = curs_fetchall_impl(self, arg);
    curs_op_end(self, conn);
    return rv;
}

PyObject *
curs_next(cursorObject *self)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_next_impl(self);
    curs_op_end(self, conn);
    return rv;
}

PyMethodDef curs_fetch_methods[] = {
    {"fetchone", (PyCFunction)curs_fetchone, METH_NOARGS, curs_fetchone_doc},
    {"fetchmany", (PyCFunction)(void (*)(void))curs_fetchmany,
     METH_VARARGS | METH_KEYWORDS, curs_fetchmany_doc},
    {"fetchall", (PyCFunction)curs_fetchall, METH_NOARGS, curs_fetchall_doc},
    {"scroll", (PyCFunction)(void (*)(void))curs_scroll,
     METH_VARARGS | METH_KEYWORDS, curs_scroll_doc},
    {NULL}};
