/* Two-phase commit: connection.xid() and the tpc_*() methods. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "pqpath.h"
#include "xid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PyDoc_STRVAR(conn_xid_doc,
"xid(format_id, gtrid, bqual) -> Xid -- a transaction id for tpc_*().");

static PyObject *
conn_xid(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    if (conn_check_open(self) < 0) /* as psycopg2, checked first */
        return NULL;
    return PyObject_Call((PyObject *)self->st->xid_type, args, kwargs);
}

/* The xid's id in the connection encoding (new bytes), made before
 * taking the lock: the codec may run Python code. */
static PyObject *
conn_tpc_tid(connectionObject *self, PyObject *xid)
{
    PyObject *tid, *b;
    if (!(tid = xid_get_tid((xidObject *)xid)))
        return NULL;
    b = conn_encode(self, tid);
    Py_DECREF(tid);
    return b;
}

/* Run a TPC command with `tid` (from conn_tpc_tid) quoted as a literal
 * (lock held: C only). */
static int
conn_tpc_command(connectionObject *self, const char *cmd, PyObject *tid)
{
    char *lit = NULL, *q = NULL;
    size_t n;
    int rv = -1;

    lit = PQescapeLiteral(self->pgconn, PyBytes_AS_STRING(tid),
                          PyBytes_GET_SIZE(tid));
    if (lit == NULL) {
        pq_raise_conn_error(self);
        goto exit;
    }
    n = strlen(cmd) + strlen(lit) + 2;
    if (!(q = malloc(n))) {
        conn_fail_text(self, self->st->OperationalError, "out of memory");
        goto exit;
    }
    snprintf(q, n, "%s %s", cmd, lit);
    rv = pq_exec_command(self, NULL, q);
exit:
    if (lit)
        PQfreemem(lit);
    free(q);
    return rv;
}

PyDoc_STRVAR(conn_tpc_begin_doc,
"tpc_begin(xid) -- begin a two-phase transaction with the given id.");

static PyObject *
conn_tpc_begin(connectionObject *self, PyObject *arg)
{
    PyObject *xid;
    int r;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_begin") < 0)
        return NULL;
    if (!(xid = xid_ensure(self->st, arg)))
        return NULL;
    if (self->status != CONN_STATUS_READY) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_begin cannot be used inside a transaction");
        goto error;
    }
    if (self->autocommit) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_begin can't be called in autocommit mode");
        goto error;
    }
    if (conn_lock(self) < 0)
        goto error;
    r = conn_begin_if_needed(self);
    conn_unlock(self);
    if (r < 0)
        goto error;
    Py_XSETREF(self->tpc_xid, xid);
    Py_RETURN_NONE;
error:
    Py_DECREF(xid);
    return NULL;
}

PyDoc_STRVAR(conn_tpc_prepare_doc,
"tpc_prepare() -- first phase: PREPARE TRANSACTION.");

static PyObject *
conn_tpc_prepare(connectionObject *self, PyObject *unused)
{
    PyObject *tid;
    int r;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_prepare") < 0)
        return NULL;
    if (self->tpc_xid == NULL) {
        PyErr_SetString(self->st->ProgrammingError,
                        "prepare must be called inside a two-phase "
                        "transaction");
        return NULL;
    }
    if (self->status == CONN_STATUS_PREPARED) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_prepare cannot be used with a prepared "
                        "two-phase transaction");
        return NULL;
    }
    if (!(tid = conn_tpc_tid(self, self->tpc_xid)))
        return NULL;
    if (conn_lock(self) < 0) {
        Py_DECREF(tid);
        return NULL;
    }
    r = conn_tpc_command(self, "PREPARE TRANSACTION", tid);
    if (r == 0) {
        /* the transaction is over for this session */
        self->mark++;
        self->status = CONN_STATUS_PREPARED;
    }
    conn_unlock(self);
    Py_DECREF(tid);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* tpc_commit / tpc_rollback: `one_phase` is COMMIT or ROLLBACK, `prepared`
 * COMMIT PREPARED or ROLLBACK PREPARED. */
static PyObject *
conn_tpc_finish(connectionObject *self, PyObject *args, const char *what,
                const char *one_phase, const char *prepared)
{
    PyObject *arg = Py_None, *xid = NULL, *tid = NULL, *old = NULL;
    int r;

    /* no name in the format: psycopg2's "function takes at most 1
     * argument (2 given)" */
    if (!PyArg_ParseTuple(args, "|O", &arg))
        return NULL;
    if (conn_check_open(self) < 0 || conn_check_not_async(self, what) < 0)
        return NULL;
    if (arg == Py_None) {
        /* end the current two-phase transaction */
        if (self->tpc_xid == NULL) {
            PyErr_SetString(self->st->ProgrammingError,
                            "tpc_commit/tpc_rollback with no parameter must "
                            "be called in a two-phase transaction");
            return NULL;
        }
        if (self->status == CONN_STATUS_PREPARED
            && !(tid = conn_tpc_tid(self, self->tpc_xid)))
            return NULL;
        if (conn_lock(self) < 0) {
            Py_XDECREF(tid);
            return NULL;
        }
        if (self->status == CONN_STATUS_PREPARED)
            r = tid ? conn_tpc_command(self, prepared, tid) : 0;
        else if (self->status == CONN_STATUS_BEGIN)
            r = pq_exec_command(self, NULL, one_phase);
        else
            r = 0;
        if (r == 0 || (self->status == CONN_STATUS_BEGIN && self->pgconn
                       && PQtransactionStatus(self->pgconn) == PQTRANS_IDLE)) {
            /* released after unlocking: an Xid subclass may have __del__ */
            old = self->tpc_xid;
            self->tpc_xid = NULL;
            if (self->status == CONN_STATUS_BEGIN)
                self->mark++;
            if (!self->closed)
                self->status = CONN_STATUS_READY;
        }
        conn_unlock(self);
        Py_XDECREF(old);
        Py_XDECREF(tid);
    }
    else {
        /* recovery: finish a transaction prepared elsewhere */
        if (self->status != CONN_STATUS_READY) {
            PyErr_Format(self->st->ProgrammingError,
                         "%s with a xid must be called outside a "
                         "transaction", what);
            return NULL;
        }
        if (!(xid = xid_ensure(self->st, arg)))
            return NULL;
        tid = conn_tpc_tid(self, xid);
        Py_DECREF(xid);
        if (tid == NULL || conn_lock(self) < 0) {
            Py_XDECREF(tid);
            return NULL;
        }
        r = conn_tpc_command(self, prepared, tid);
        conn_unlock(self);
        Py_DECREF(tid);
    }
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_tpc_commit_doc,
"tpc_commit([xid]) -- commit the two-phase transaction (prepared or not), "
"or the prepared transaction `xid`.");

static PyObject *
conn_tpc_commit(connectionObject *self, PyObject *args)
{
    return conn_tpc_finish(self, args, "tpc_commit", "COMMIT",
                           "COMMIT PREPARED");
}

PyDoc_STRVAR(conn_tpc_rollback_doc,
"tpc_rollback([xid]) -- roll back the two-phase transaction (prepared or "
"not), or the prepared transaction `xid`.");

static PyObject *
conn_tpc_rollback(connectionObject *self, PyObject *args)
{
    return conn_tpc_finish(self, args, "tpc_rollback", "ROLLBACK",
                           "ROLLBACK PREPARED");
}

PyDoc_STRVAR(conn_tpc_recover_doc,
"tpc_recover() -> list of Xid -- the transactions prepared on the server.");

static PyObject *
conn_tpc_recover(connectionObject *self, PyObject *unused)
{
    int was_ready;
    PyObject *rv;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_recover") < 0)
        return NULL;
    was_ready = self->status == CONN_STATUS_READY;
    rv = xid_recover(self);
    /* leave the connection as it was found */
    if (was_ready && self->status == CONN_STATUS_BEGIN && !self->closed) {
        int r;
        if (conn_lock(self) < 0) {
            Py_XDECREF(rv);
            return NULL;
        }
        r = conn_end_transaction(self, "ROLLBACK");
        conn_unlock(self);
        if (r < 0)
            Py_CLEAR(rv);
    }
    return rv;
}

PyMethodDef conn_tpc_methods[] = {
    {"xid", (PyCFunction)(void (*)(void))conn_xid,
     METH_VARARGS | METH_KEYWORDS, conn_xid_doc},
    {"tpc_begin", (PyCFunction)conn_tpc_begin, METH_O, conn_tpc_begin_doc},
    {"tpc_prepare", (PyCFunction)conn_tpc_prepare, METH_NOARGS,
     conn_tpc_prepare_doc},
    {"tpc_commit", (PyCFunction)conn_tpc_commit, METH_VARARGS,
     conn_tpc_commit_doc},
    {"tpc_rollback", (PyCFunction)conn_tpc_rollback, METH_VARARGS,
     conn_tpc_rollback_doc},
    {"tpc_recover", (PyCFunction)conn_tpc_recover, METH_NOARGS,
     conn_tpc_recover_doc},
    {NULL}};
