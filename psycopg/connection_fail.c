/* The errors met while a thread holds the connection lock: recorded in
 * plain C (conn_fail_*), built by err_raise_failure (errors.c) once
 * conn_unlock has released the lock; raised at once without the lock. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of s, NULL if out of memory. */
static char *
conn_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *rv = malloc(n);
    if (rv)
        memcpy(rv, s, n);
    return rv;
}

void
conn_failure_free_c(conn_failure *f)
{
    free(f->text);
    if (f->res)
        PQclear(f->res);
    f->text = NULL;
    f->res = NULL;
    f->kind = CONN_FAIL_NONE;
}

/* Keep `f` for conn_unlock (lock held), or raise it now.  `f` holds C
 * values and borrowed references; they are taken here.  -1. */
static int
conn_fail_put(connectionObject *self, conn_failure *f)
{
    int locked = conn_holds_lock(self);
    if (locked && conn_failed(self)) {
        /* the first error wins */
        conn_failure_free_c(f);
        return -1;
    }
    if (f->kind != CONN_FAIL_NOMEM && f->kind != CONN_FAIL_ERRNO
        && f->text == NULL && f->res == NULL) {
        /* its text could not be copied */
        conn_failure_free_c(f);
        f->kind = CONN_FAIL_NOMEM;
    }
    /* references only: no Python code runs */
    Py_XINCREF(f->type);
    Py_XINCREF(f->cursor);
    Py_XINCREF(f->enc);
    if (!locked)
        return err_raise_failure(self->st, f);
    self->fail = *f;
    return -1;
}

int
conn_fail_text(connectionObject *self, PyObject *type, const char *msg)
{
    conn_failure f = {CONN_FAIL_TEXT};
    f.type = type;
    f.text = conn_strdup(msg);
    return conn_fail_put(self, &f);
}

int
conn_fail_format(connectionObject *self, PyObject *type, const char *fmt,
                 ...)
{
    conn_failure f = {CONN_FAIL_TEXT};
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && (f.text = malloc((size_t)n + 1))) {
        va_start(ap, fmt);
        vsnprintf(f.text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    f.type = type;
    return conn_fail_put(self, &f);
}

int
conn_fail_prefixed(connectionObject *self, PyObject *type,
                   const char *prefix, const char *msg)
{
    conn_failure f = {CONN_FAIL_TEXT};
    size_t np = strlen(prefix), n = strlen(msg);
    if ((f.text = malloc(np + n + 1))) {
        memcpy(f.text, prefix, np);
        memcpy(f.text + np, msg, n + 1);
    }
    f.type = type;
    return conn_fail_put(self, &f);
}

int
conn_fail_errno(connectionObject *self, PyObject *type)
{
    conn_failure f = {CONN_FAIL_ERRNO};
    f.err = errno;
    f.type = type;
    return conn_fail_put(self, &f);
}

int
conn_fail_libpq(connectionObject *self)
{
    const char *msg = self->pgconn ? PQerrorMessage(self->pgconn) : "";
    if (self->pgconn && PQstatus(self->pgconn) == CONNECTION_BAD)
        conn_set_broken(self);
    if (msg[0] == '\0')
        msg = "connection error (no details from libpq)";
    /* libpq's text whole, final newline included, as psycopg2 shows it */
    return conn_fail_text(self, self->st->OperationalError, msg);
}

int
conn_fail_result(connectionObject *self, cursorObject *curs, PGresult *res)
{
    conn_failure f = {CONN_FAIL_RESULT};
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    f.broken = self->pgconn && PQstatus(self->pgconn) == CONNECTION_BAD;
    if (msg == NULL || msg[0] == '\0') {
        msg = self->pgconn ? PQerrorMessage(self->pgconn) : "";
        if (msg[0] == '\0')
            msg = "unknown error from libpq";
        if (!(f.text = conn_strdup(msg)) && res) {
            PQclear(res);
            res = NULL;
        }
    }
    if (f.broken)
        conn_set_broken(self);
    f.res = res;
    f.cursor = (PyObject *)curs;
    f.enc = self->enc_obj;
    return conn_fail_put(self, &f);
}

int
conn_fail_lost(connectionObject *self, const char *msg)
{
    conn_failure f = {CONN_FAIL_LOST};
    conn_set_broken(self);
    f.text = conn_strdup(msg);
    f.enc = self->enc_obj;
    return conn_fail_put(self, &f);
}

void
conn_fail_drop(connectionObject *self)
{
    conn_failure f = self->fail;
    memset(&self->fail, 0, sizeof(self->fail));
    conn_failure_free_c(&f);
    /* the module's classes, the encoding tuple and the cursor all have
     * other owners (the module state, the connection, the caller): these
     * releases free nothing */
    Py_XDECREF(f.type);
    Py_XDECREF(f.enc);
    Py_XDECREF(f.cursor);
}
