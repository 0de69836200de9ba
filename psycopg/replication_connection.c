/* psycopg2.extensions.ReplicationConnection: a connection opened with the
 * `replication` keyword (walsender mode), always in autocommit. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "replication.h"

#include <string.h>

/* Append `s` to the growing buffer *buf (len *n, capacity *cap). */
static int
repl_conn_append(char **buf, size_t *n, size_t *cap, const char *s,
                 size_t len)
{
    if (*n + len + 1 > *cap) {
        size_t ncap = (*cap + len + 1) * 2;
        char *nb = PyMem_Realloc(*buf, ncap);
        if (nb == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *n, s, len);
    *n += len;
    (*buf)[*n] = '\0';
    return 0;
}

/* The dsn with replication=<value> (any `replication` given is replaced),
 * as a keyword=value string whatever the input form; physical replication
 * also gets dbname=replication, as psycopg2 does (the server ignores the
 * database there).  PyMem_Free it. */
static char *
repl_conn_make_dsn(module_state *st, const char *dsn, const char *value)
{
    PQconninfoOption *opts, *o;
    char *err = NULL, *buf = NULL;
    size_t n = 0, cap = 0;

    if (!(opts = PQconninfoParse(dsn, &err))) {
        if (err) {
            PyErr_Format(st->ProgrammingError, "invalid dsn: %s", err);
            PQfreemem(err);
        }
        else
            PyErr_NoMemory();
        return NULL;
    }
    for (o = opts; o->keyword; o++) {
        const char *v;
        if (o->val == NULL || strcmp(o->keyword, "replication") == 0)
            continue;
        if (strcmp(value, "true") == 0 && strcmp(o->keyword, "dbname") == 0)
            continue;
        if (repl_conn_append(&buf, &n, &cap, o->keyword, strlen(o->keyword))
            || repl_conn_append(&buf, &n, &cap, "='", 2))
            goto error;
        for (v = o->val; *v; v++) {
            if ((*v == '\'' || *v == '\\')
                && repl_conn_append(&buf, &n, &cap, "\\", 1))
                goto error;
            if (repl_conn_append(&buf, &n, &cap, v, 1))
                goto error;
        }
        if (repl_conn_append(&buf, &n, &cap, "' ", 2))
            goto error;
    }
    if (strcmp(value, "true") == 0
        && repl_conn_append(&buf, &n, &cap, "dbname=replication ", 19))
        goto error;
    if (repl_conn_append(&buf, &n, &cap, "replication=", 12)
        || repl_conn_append(&buf, &n, &cap, value, strlen(value)))
        goto error;
    PQconninfoFree(opts);
    return buf;
error:
    PQconninfoFree(opts);
    PyMem_Free(buf);
    return NULL;
}

static int
repl_conn_init(replConnObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"dsn", "async", "replication_type", "async_",
                             NULL};
    module_state *st = mod_state_from_type(Py_TYPE(self));
    const char *dsn, *value;
    int async = 0, async_ = 0, rv = -1;
    long type = REPLICATION_PHYSICAL;
    char *newdsn = NULL;
    PyObject *nargs = NULL, *nkwargs = NULL;

    if (st == NULL)
        return -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|pl$p", kwlist, &dsn,
                                     &async, &type, &async_))
        return -1;
    if (type == REPLICATION_PHYSICAL)
        value = "true";
    else if (type == REPLICATION_LOGICAL)
        value = "database";
    else {
        PyErr_SetString(PyExc_TypeError,
                        "replication_type must be either "
                        "REPLICATION_PHYSICAL or REPLICATION_LOGICAL");
        return -1;
    }
    if (!(newdsn = repl_conn_make_dsn(st, dsn, value)))
        return -1;
    if (!(nargs = Py_BuildValue("(s)", newdsn))
        || !(nkwargs = Py_BuildValue("{s:i}", "async", async || async_)))
        goto exit;
    self->type = type;
    self->conn.replication = 1;
    if (st->connection_type->tp_init((PyObject *)self, nargs, nkwargs) < 0)
        goto exit;
    self->conn.autocommit = 1; /* replication commands need no BEGIN */
    rv = 0;
exit:
    PyMem_Free(newdsn);
    Py_XDECREF(nargs);
    Py_XDECREF(nkwargs);
    return rv;
}

static PyObject *
repl_conn_get_type(replConnObject *self, void *c)
{
    return PyLong_FromLong(self->type);
}

static PyGetSetDef repl_conn_getset[] = {
    {"replication_type", (getter)repl_conn_get_type, NULL,
     "REPLICATION_PHYSICAL or REPLICATION_LOGICAL", NULL},
    {NULL}};

static PyType_Slot repl_conn_slots[] = {
    {Py_tp_init, repl_conn_init},
    {Py_tp_getset, repl_conn_getset},
    {Py_tp_doc, "ReplicationConnection(dsn, async=False, "
                "replication_type=REPLICATION_PHYSICAL) -- a connection "
                "for the streaming replication protocol."},
    {0, NULL}};

static PyType_Spec repl_conn_spec = {
    .name = "psycopg2.extensions.ReplicationConnection",
    .basicsize = sizeof(replConnObject),
    /* GC support (traverse, clear) is inherited from the base */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = repl_conn_slots,
};

int
repl_conn_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &repl_conn_spec,
                        (PyObject *)st->connection_type, &st->repl_conn_type);
}
