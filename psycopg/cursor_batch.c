/* executemany() in one round trip: libpq's pipeline mode.
 *
 * Each parameter set is still merged client-side (psycopg2's semantics,
 * cursor.query shows the last statement), but the statements travel in
 * pipelines of up to BATCH_MAX_STATEMENTS with one sync each, instead of
 * one round trip per row.  The rules that keep the behaviour identical to
 * the plain loop:
 *  - only inside a transaction (not autocommit): statements after a
 *    failing one must not run, and in a transaction the server skips them;
 *    in autocommit each statement commits alone, so we keep the loop;
 *  - only for one statement per query: the extended protocol refuses
 *    "a; b", which the loop runs;
 *  - not for COPY, not in green or async mode.
 * On error, the first error is raised with its class; the transaction is
 * failed, as after the loop. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "pqpath.h"
#include "query.h"

#include <ctype.h>
#include <string.h>

#define BATCH_MAX_STATEMENTS 1000
#define BATCH_MAX_BYTES (1 << 20)

/* Skip whitespace and comments from s[i]; returns the new index. */
static Py_ssize_t
batch_skip_blank(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    for (;;) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                }
                else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                }
                else
                    i++;
            }
            continue;
        }
        return i;
    }
}

/* Whether the query is one statement, not COPY.  Conservative: anything
 * it can't follow counts as "no" and executemany keeps the plain loop. */
static int
batch_single_statement(const char *s, Py_ssize_t n)
{
    Py_ssize_t i = batch_skip_blank(s, n, 0);
    if (i + 4 <= n && strncasecmp(s + i, "copy", 4) == 0
        && (i + 4 == n || !isalnum((unsigned char)s[i + 4])))
        return 0;
    while (i < n) {
        char c = s[i];
        if (c == '\'' || c == '"') {
            /* E'...' strings take backslash escapes */
            int bs = (c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e'));
            i++;
            while (i < n) {
                if (bs && s[i] == '\\' && i + 1 < n) {
                    i += 2;
                    continue;
                }
                if (s[i] == c) {
                    if (i + 1 < n && s[i + 1] == c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            if (i >= n)
                return 0; /* unterminated: let the server say so */
            i++;
        }
        else if (c == '$') {
            /* dollar quoting: $tag$ ... $tag$ */
            Py_ssize_t j = i + 1, taglen;
            const char *end;
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
                j++;
            if (j >= n || s[j] != '$' || (j > i + 1 && isdigit((unsigned char)s[i + 1]))) {
                i++;
                continue;
            }
            taglen = j - i + 1;
            end = NULL;
            for (j = j + 1; j + taglen <= n; j++) {
                if (memcmp(s + j, s + i, taglen) == 0) {
                    end = s + j;
                    break;
                }
            }
            if (end == NULL)
                return 0;
            i = (end - s) + taglen;
        }
        else if ((c == '-' && i + 1 < n && s[i + 1] == '-')
                 || (c == '/' && i + 1 < n && s[i + 1] == '*')) {
            i = batch_skip_blank(s, n, i);
        }
        else if (c == ';') {
            if (batch_skip_blank(s, n, i + 1) < n)
                return 0; /* something follows */
            i++;
        }
        else
            i++;
    }
    return 1;
}

int
curs_batch_usable(cursorObject *self, PyObject *base)
{
    connectionObject *conn = self->conn;
    if (!pq_has_pipeline() || conn->async_ || conn_is_green(conn))
        return 0;
    if (conn->autocommit && !conn->entered)
        return 0;
    return batch_single_statement(PyBytes_AS_STRING(base),
                                  PyBytes_GET_SIZE(base));
}

/* Run one pipeline of statements (lock taken here).  Adds to *total or
 * sets *unknown; 0, or -1 with the error raised. */
static int
batch_flush(cursorObject *self, PyObject *stmts, Py_ssize_t *total,
            int *unknown)
{
    connectionObject *conn = self->conn;
    Py_ssize_t n = PyList_GET_SIZE(stmts), i, skip = 0, rowcount;
    const char **queries;
    char begin[CONN_BEGIN_MAX];
    PGresult *last = NULL, *error = NULL;
    int rv = -1, r;

    if (n == 0)
        return 0;
    if (!(queries = PyMem_Malloc((n + 1) * sizeof(char *)))) {
        PyErr_NoMemory();
        return -1;
    }
    conn_lock(conn);
    if (conn_check_open(conn) < 0)
        goto unlock;
    /* the BEGIN, if needed, rides in the same pipeline */
    if (conn_begin_text(conn, begin, sizeof(begin)))
        queries[skip++] = begin;
    for (i = 0; i < n; i++)
        queries[skip + i] = PyBytes_AS_STRING(PyList_GET_ITEM(stmts, i));
    r = pq_exec_pipeline(conn, queries, n + skip, skip, &rowcount, &last,
                         &error);
    if (r < 0)
        goto unlock;
    if (error) {
        err_raise_from_result(conn, self, error);
        goto unlock;
    }
    if (rowcount < 0)
        *unknown = 1;
    else
        *total += rowcount;
    if (last) {
        const char *tag = PQcmdStatus(last);
        PyObject *msg = conn_decode(conn, tag, strlen(tag));
        if (msg == NULL)
            goto unlock;
        Py_XSETREF(self->statusmessage, msg);
        self->lastoid = PQoidValue(last);
    }
    rv = 0;
unlock:
    if (last)
        PQclear(last);
    curs_update_conn_status(conn);
    conn_unlock(conn);
    PyMem_Free(queries);
    return rv;
}

int
curs_batch_execute(cursorObject *self, PyObject *base, PyObject *it)
{
    PyObject *stmts = PyList_New(0), *vars, *q;
    Py_ssize_t total = 0, bytes = 0;
    int unknown = 0, rv = -1;

    if (stmts == NULL)
        return -1;
    curs_clear_result(self);
    Py_CLEAR(self->description);
    self->rowcount = -1;
    self->rownumber = 0;
    while ((vars = PyIter_Next(it))) {
        q = (vars == Py_None) ? Py_NewRef(base)
                              : query_merge(self->conn, base, vars);
        Py_DECREF(vars);
        if (q == NULL)
            goto exit;
        if (memchr(PyBytes_AS_STRING(q), '\0', PyBytes_GET_SIZE(q))) {
            Py_DECREF(q);
            PyErr_SetString(PyExc_ValueError,
                            "the query contains NUL (0x00) characters");
            goto exit;
        }
        Py_XSETREF(self->query, Py_NewRef(q));
        bytes += PyBytes_GET_SIZE(q);
        if (PyList_Append(stmts, q) < 0) {
            Py_DECREF(q);
            goto exit;
        }
        Py_DECREF(q);
        if (PyList_GET_SIZE(stmts) >= BATCH_MAX_STATEMENTS
            || bytes >= BATCH_MAX_BYTES) {
            if (batch_flush(self, stmts, &total, &unknown) < 0)
                goto exit;
            if (PyList_SetSlice(stmts, 0, PyList_GET_SIZE(stmts), NULL) < 0)
                goto exit;
            bytes = 0;
        }
    }
    if (PyErr_Occurred())
        goto exit;
    if (batch_flush(self, stmts, &total, &unknown) < 0)
        goto exit;
    self->rowcount = unknown ? -1 : total;
    rv = 0;
exit:
    Py_DECREF(stmts);
    return rv;
}
