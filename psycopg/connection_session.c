/* The characteristics of the next transactions: autocommit, isolation
 * level, read only, deferrable; set_session(), set_isolation_level(), their
 * attributes, and the BEGIN statement that carries them. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "pqpath.h"

#include <string.h>
#include <strings.h>

static const char *const conn_isolevel_names[] = {
    "default", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE",
    "READ UNCOMMITTED", "default"};

int
conn_begin_text(connectionObject *self, char *buf, size_t size)
{
    if ((self->autocommit && !self->entered)
        || self->status != CONN_STATUS_READY)
        return 0;
    snprintf(buf, size, "BEGIN%s%s%s%s",
             self->isolevel == ISOLATION_LEVEL_DEFAULT
                 ? "" : " ISOLATION LEVEL ",
             self->isolevel == ISOLATION_LEVEL_DEFAULT
                 ? "" : conn_isolevel_names[self->isolevel],
             self->readonly == STATE_DEFAULT ? ""
             : self->readonly == STATE_ON    ? " READ ONLY"
                                             : " READ WRITE",
             self->deferrable == STATE_DEFAULT ? ""
             : self->deferrable == STATE_ON    ? " DEFERRABLE"
                                               : " NOT DEFERRABLE");
    return 1;
}

/* A str (as UTF-8) or bytes setting as a C string, which ends at the first
 * NUL as in psycopg2: new bytes in *out, or 0 (*out NULL) for another
 * type, or -1. */
static int
conn_setting_bytes(PyObject *v, PyObject **out)
{
    *out = NULL;
    if (PyUnicode_Check(v))
        *out = PyUnicode_AsUTF8String(v);
    else if (PyBytes_Check(v))
        *out = Py_NewRef(v);
    else
        return 0;
    return *out ? 0 : -1;
}

/* An isolation level: None, 1-4, or a level's name or 'default' (str or
 * bytes, any case), with psycopg2's exceptions. */
static int
conn_parse_isolevel(connectionObject *self, PyObject *v, int *out)
{
    static const char *const names[] = {"READ COMMITTED", "REPEATABLE READ",
                                        "SERIALIZABLE", "READ UNCOMMITTED",
                                        NULL};
    PyObject *b;
    const char *s;
    int i;

    if (v == Py_None) {
        *out = ISOLATION_LEVEL_DEFAULT;
        return 0;
    }
    if (PyLong_Check(v)) {
        long l = PyLong_AsLong(v);
        if (l == -1 && PyErr_Occurred())
            return -1;
        if (l < 1 || l > 4) {
            PyErr_SetString(PyExc_ValueError,
                            "isolation_level must be between 1 and 4");
            return -1;
        }
        *out = (int)l;
        return 0;
    }
    if (conn_setting_bytes(v, &b) < 0)
        return -1;
    if (b == NULL) {
        PyErr_Format(PyExc_TypeError,
                     "Expected bytes or unicode string, got %s instead",
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    s = PyBytes_AS_STRING(b);
    for (i = 0; names[i]; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = i + 1;
            Py_DECREF(b);
            return 0;
        }
    }
    if (strcasecmp(s, "DEFAULT") == 0) {
        *out = ISOLATION_LEVEL_DEFAULT;
        Py_DECREF(b);
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "bad value for isolation_level: '%s'", s);
    Py_DECREF(b);
    return -1;
}

/* readonly / deferrable: None or 'default' (str or bytes, any case) for
 * the server default, another string is a ValueError, anything else is
 * taken for its truth value. */
static int
conn_parse_tristate(PyObject *v, int *out)
{
    PyObject *b;
    if (v == Py_None) {
        *out = STATE_DEFAULT;
        return 0;
    }
    if (conn_setting_bytes(v, &b) < 0)
        return -1;
    if (b != NULL) {
        const char *s = PyBytes_AS_STRING(b);
        if (strcasecmp(s, "default") == 0) {
            *out = STATE_DEFAULT;
            Py_DECREF(b);
            return 0;
        }
        PyErr_Format(PyExc_ValueError,
                     "the only string accepted is 'default'; got %s", s);
        Py_DECREF(b);
        return -1;
    }
    switch (PyObject_IsTrue(v)) {
    case 0: *out = STATE_OFF; return 0;
    case 1: *out = STATE_ON; return 0;
    default: return -1;
    }
}

static const char *
conn_tristate_sql(int v)
{
    return v == STATE_DEFAULT ? "DEFAULT" : v == STATE_ON ? "on" : "off";
}

/* Which characteristics a call sets (the `given` of conn_apply_session) */
#define SESS_ISOLEVEL 1
#define SESS_READONLY 2
#define SESS_DEFERRABLE 4

/* Apply new session characteristics (lock held, status READY).  As
 * psycopg2: in autocommit, those that the call sets (`given`) go to the
 * default_transaction_* GUCs, while turning autocommit on sends nothing
 * (the values wait for the next BEGIN); leaving autocommit resets the GUCs
 * of the characteristics set, as the next BEGIN carries them. */
static int
conn_apply_session(connectionObject *self, int autocommit, int isolevel,
                   int readonly, int deferrable, int given)
{
    char q[128];
    if (autocommit) {
        if (given & SESS_ISOLEVEL) {
            if (isolevel == ISOLATION_LEVEL_DEFAULT)
                strcpy(q, "SET default_transaction_isolation TO DEFAULT");
            else
                snprintf(q, sizeof(q),
                         "SET default_transaction_isolation TO '%s'",
                         conn_isolevel_names[isolevel]);
            if (pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
        if (given & SESS_READONLY) {
            snprintf(q, sizeof(q), "SET default_transaction_read_only TO %s",
                     conn_tristate_sql(readonly));
            if (pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
        if (given & SESS_DEFERRABLE) {
            snprintf(q, sizeof(q), "SET default_transaction_deferrable TO %s",
                     conn_tristate_sql(deferrable));
            if (pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
    }
    else if (self->autocommit) {
        if (self->isolevel != ISOLATION_LEVEL_DEFAULT
            && pq_exec_command(self, NULL,
                               "SET default_transaction_isolation TO DEFAULT")
                   < 0)
            return -1;
        if (self->readonly != STATE_DEFAULT
            && pq_exec_command(self, NULL,
                               "SET default_transaction_read_only TO DEFAULT")
                   < 0)
            return -1;
        if (self->deferrable != STATE_DEFAULT
            && pq_exec_command(
                   self, NULL, "SET default_transaction_deferrable TO DEFAULT")
                   < 0)
            return -1;
    }
    self->autocommit = autocommit;
    self->isolevel = isolevel;
    self->readonly = readonly;
    self->deferrable = deferrable;
    return 0;
}

/* set_session() and the attributes: psycopg2 names set_session in the
 * errors of all of them. */
static int
conn_check_session_change(connectionObject *self)
{
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "set_session") < 0)
        return -1;
    if (self->status != CONN_STATUS_READY) {
        PyErr_SetString(self->st->ProgrammingError,
                        "set_session cannot be used inside a transaction");
        return -1;
    }
    return 0;
}

static int
conn_set_session_locked(connectionObject *self, int autocommit, int isolevel,
                        int readonly, int deferrable, int given)
{
    int r;
    if (conn_lock(self) < 0)
        return -1;
    r = conn_apply_session(self, autocommit, isolevel, readonly, deferrable,
                           given);
    conn_unlock(self);
    return r;
}

PyDoc_STRVAR(conn_set_session_doc,
"set_session(isolation_level=None, readonly=None, deferrable=None, "
"autocommit=None)\n\nSet the characteristics of the next transactions.");

static PyObject *
conn_set_session(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"isolation_level", "readonly", "deferrable",
                             "autocommit", NULL};
    PyObject *iso = Py_None, *ro = Py_None, *de = Py_None, *ac = Py_None;
    int isolevel = self->isolevel, readonly = self->readonly;
    int deferrable = self->deferrable, autocommit = self->autocommit;
    int given = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOO", kwlist, &iso, &ro,
                                     &de, &ac))
        return NULL;
    if (conn_check_session_change(self) < 0)
        return NULL;
    if (iso != Py_None) {
        if (conn_parse_isolevel(self, iso, &isolevel) < 0)
            return NULL;
        given |= SESS_ISOLEVEL;
    }
    if (ro != Py_None) {
        if (conn_parse_tristate(ro, &readonly) < 0)
            return NULL;
        given |= SESS_READONLY;
    }
    if (de != Py_None) {
        if (conn_parse_tristate(de, &deferrable) < 0)
            return NULL;
        given |= SESS_DEFERRABLE;
    }
    if (ac != Py_None && (autocommit = PyObject_IsTrue(ac)) < 0)
        return NULL;
    if (conn_set_session_locked(self, autocommit, isolevel, readonly,
                                deferrable, given) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_set_isolation_level_doc,
"set_isolation_level(level) -- legacy: roll back, then set the level "
"(0 = autocommit).");

static PyObject *
conn_set_isolation_level(connectionObject *self, PyObject *args)
{
    PyObject *arg;
    int level = ISOLATION_LEVEL_DEFAULT, autocommit = 0, r;
    /* METH_VARARGS and no name in the format: psycopg2's argument
     * errors */
    if (!PyArg_ParseTuple(args, "O", &arg))
        return NULL;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "set_isolation_level") < 0
        || conn_check_not_tpc(self, "set_isolation_level") < 0)
        return NULL;
    if (arg != Py_None) {
        long l;
        int overflow = 0;
        /* psycopg2 takes any non-int (e.g. 'x', 1.5) as READ COMMITTED. */
        if (!PyLong_Check(arg))
            l = ISOLATION_LEVEL_READ_COMMITTED;
        else if ((l = PyLong_AsLongAndOverflow(arg, &overflow)) == -1
                 && PyErr_Occurred())
            return NULL;
        if (overflow || l < 0 || l > 4) {
            PyErr_SetString(PyExc_ValueError,
                            "isolation level must be between 0 and 4");
            return NULL;
        }
        /* as psycopg2, 0 (autocommit) keeps the level for later */
        if (l == 0) {
            autocommit = 1;
            level = self->isolevel;
        }
        else
            level = (int)l;
    }
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_end_transaction(self, "ROLLBACK");
    if (r == 0)
        r = conn_apply_session(self, autocommit, level, self->readonly,
                               self->deferrable, 0);
    conn_unlock(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
conn_get_autocommit(connectionObject *self, void *c)
{
    return PyBool_FromLong(self->autocommit);
}

static int
conn_set_autocommit(connectionObject *self, PyObject *v, void *c)
{
    int ac;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete autocommit");
        return -1;
    }
    if (conn_check_session_change(self) < 0)
        return -1;
    if ((ac = PyObject_IsTrue(v)) < 0)
        return -1;
    return conn_set_session_locked(self, ac, self->isolevel, self->readonly,
                                   self->deferrable, 0);
}

static PyObject *
conn_get_isolation_level(connectionObject *self, void *c)
{
    if (self->isolevel == ISOLATION_LEVEL_DEFAULT)
        Py_RETURN_NONE;
    return PyLong_FromLong(self->isolevel);
}

static int
conn_set_isolation_level_attr(connectionObject *self, PyObject *v, void *c)
{
    int level;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError,
                        "cannot delete isolation_level");
        return -1;
    }
    if (conn_check_session_change(self) < 0)
        return -1;
    if (conn_parse_isolevel(self, v, &level) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, level,
                                   self->readonly, self->deferrable,
                                   SESS_ISOLEVEL);
}

static PyObject *
conn_tristate_obj(int v)
{
    if (v == STATE_DEFAULT)
        Py_RETURN_NONE;
    return PyBool_FromLong(v == STATE_ON);
}

static PyObject *
conn_get_readonly(connectionObject *self, void *c)
{
    return conn_tristate_obj(self->readonly);
}

static int
conn_set_readonly(connectionObject *self, PyObject *v, void *c)
{
    int ro;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete readonly");
        return -1;
    }
    if (conn_check_session_change(self) < 0
        || conn_parse_tristate(v, &ro) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, self->isolevel, ro,
                                   self->deferrable, SESS_READONLY);
}

static PyObject *
conn_get_deferrable(connectionObject *self, void *c)
{
    return conn_tristate_obj(self->deferrable);
}

static int
conn_set_deferrable(connectionObject *self, PyObject *v, void *c)
{
    int de;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete deferrable");
        return -1;
    }
    if (conn_check_session_change(self) < 0
        || conn_parse_tristate(v, &de) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, self->isolevel,
                                   self->readonly, de, SESS_DEFERRABLE);
}

PyMethodDef conn_session_methods[] = {
    {"set_session", (PyCFunction)(void (*)(void))conn_set_session,
     METH_VARARGS | METH_KEYWORDS, conn_set_session_doc},
    {"set_isolation_level", (PyCFunction)conn_set_isolation_level,
     METH_VARARGS,
     conn_set_isolation_level_doc},
    {NULL}};

PyGetSetDef conn_session_getset[] = {
    {"autocommit", (getter)conn_get_autocommit,
     (setter)conn_set_autocommit, "True: each statement commits at once; False (default): the "
     "first statement opens a transaction that commit() ends", NULL},
    {"isolation_level", (getter)conn_get_isolation_level,
     (setter)conn_set_isolation_level_attr, "Isolation level of the next transactions "
     "(an extensions.ISOLATION_LEVEL_ constant), or None for the server "
     "default", NULL},
    {"readonly", (getter)conn_get_readonly, (setter)conn_set_readonly,
     "read only transactions (None = server default)", NULL},
    {"deferrable", (getter)conn_get_deferrable, (setter)conn_set_deferrable,
     "deferrable transactions (None = server default)", NULL},
    {NULL}};
