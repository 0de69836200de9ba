/* The DB-API exception hierarchy, the SQLSTATE classes, raising errors. */
#include "psycopg.h"
#include "module.h"
#include "errors.h"
#include "connection.h"
#include "cursor.h"
#include "sqlstate_errors.h"

#include <errno.h>
#include <stdlib.h>

/* ---- the Error base type ---- */

static int
error_traverse(errorObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->pgerror);
    Py_VISIT(self->pgcode);
    Py_VISIT(self->cursor);
    return ((PyTypeObject *)PyExc_Exception)
        ->tp_traverse((PyObject *)self, visit, arg);
}

static int
error_clear(errorObject *self)
{
    Py_CLEAR(self->pgerror);
    Py_CLEAR(self->pgcode);
    Py_CLEAR(self->cursor);
    return ((PyTypeObject *)PyExc_Exception)->tp_clear((PyObject *)self);
}

static void
error_dealloc(errorObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->pgerror);
    Py_CLEAR(self->pgcode);
    Py_CLEAR(self->cursor);
    if (self->pgres) {
        PQclear(self->pgres);
        self->pgres = NULL;
    }
    /* Not BaseException's tp_dealloc: before 3.11 it untracks the object
     * again, which crashes.  Its tp_clear drops args, dict, traceback... */
    ((PyTypeObject *)PyExc_Exception)->tp_clear((PyObject *)self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp); /* heap types are owned by their instances */
}

PyDoc_STRVAR(error_reduce_doc, "Pickle support: keeps pgerror and pgcode.");

static PyObject *
error_reduce(errorObject *self, PyObject *unused)
{
    PyObject *args = PyObject_GetAttrString((PyObject *)self, "args");
    PyObject *state = NULL, *rv = NULL;
    if (args == NULL)
        return NULL;
    if (!(state = Py_BuildValue("{sOsO}", "pgerror",
                                self->pgerror ? self->pgerror : Py_None,
                                "pgcode",
                                self->pgcode ? self->pgcode : Py_None)))
        goto exit;
    rv = PyTuple_Pack(3, (PyObject *)Py_TYPE(self), args, state);
exit:
    Py_DECREF(args);
    Py_XDECREF(state);
    return rv;
}

PyDoc_STRVAR(error_setstate_doc, "Pickle support.");

static PyObject *
error_setstate(errorObject *self, PyObject *state)
{
    PyObject *v;
    if (state == Py_None)
        Py_RETURN_NONE;
    if (!PyDict_Check(state)) {
        PyErr_SetString(PyExc_TypeError, "state must be a dict");
        return NULL;
    }
    if ((v = PyDict_GetItemString(state, "pgerror")))
        Py_XSETREF(self->pgerror, Py_NewRef(v));
    if ((v = PyDict_GetItemString(state, "pgcode")))
        Py_XSETREF(self->pgcode, Py_NewRef(v));
    Py_RETURN_NONE;
}

static PyObject *
error_get_diag(errorObject *self, void *closure)
{
    module_state *st = mod_state_from_type(Py_TYPE(self));
    if (st == NULL)
        return NULL;
    return PyObject_CallOneArg((PyObject *)st->diagnostics_type,
                               (PyObject *)self);
}

static PyMemberDef error_members[] = {
    {"pgerror", T_OBJECT, offsetof(errorObject, pgerror), READONLY,
     "The error message returned by the backend, if available, else None"},
    {"pgcode", T_OBJECT, offsetof(errorObject, pgcode), READONLY,
     "The SQLSTATE code of the error, if available, else None"},
    {"cursor", T_OBJECT, offsetof(errorObject, cursor), READONLY,
     "The cursor that raised the exception, if available, else None"},
    {NULL}};

static PyMethodDef error_methods[] = {
    {"__reduce__", (PyCFunction)error_reduce, METH_NOARGS, error_reduce_doc},
    {"__setstate__", (PyCFunction)error_setstate, METH_O, error_setstate_doc},
    {NULL}};

static PyGetSetDef error_getset[] = {
    {"diag", (getter)error_get_diag, NULL,
     "A Diagnostics object to get further information about the error"},
    {NULL}};

static PyType_Slot error_slots[] = {
    {Py_tp_dealloc, error_dealloc},
    {Py_tp_traverse, error_traverse},
    {Py_tp_clear, error_clear},
    {Py_tp_members, error_members},
    {Py_tp_methods, error_methods},
    {Py_tp_getset, error_getset},
    {Py_tp_doc, "Base class of the exceptions raised by this module "
                "(except Warning).\n\n"
                "For an error the server reports, pgerror is its message, "
                "pgcode its SQLSTATE (see psycopg2.errorcodes), diag the "
                "other fields (a Diagnostics object) and cursor the cursor "
                "that ran the statement; they are None otherwise. "
                "psycopg2.errors has one subclass per SQLSTATE, e.g. "
                "UniqueViolation."},
    {0, NULL}};

static PyType_Spec error_spec = {
    .name = "psycopg2.Error",
    .basicsize = sizeof(errorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC |
             Py_TPFLAGS_IMMUTABLETYPE, /* as psycopg2.Error; not its subclasses */
    .slots = error_slots,
};

/* ---- SQLSTATE mapping ---- */

/* Base class for a SQLSTATE class (first two chars), per API.md §8. */
static PyObject *
err_base_for_class(module_state *st, const char *code)
{
    char c0 = code[0], c1 = code[1];
    if (c0 == '0') {
        if (c1 == '8') return st->OperationalError;
        if (c1 == 'A') return st->NotSupportedError;
        return st->DatabaseError;
    }
    if (c0 == '2') {
        switch (c1) {
        case '0': case '1': return st->ProgrammingError;
        case '2': return st->DataError;
        case '3': return st->IntegrityError;
        case '4': case '5': return st->InternalError;
        case '6': case '7': case '8': return st->OperationalError;
        case 'B': case 'D': case 'F': return st->InternalError;
        }
        return st->DatabaseError;
    }
    if (c0 == '3') {
        switch (c1) {
        case '4': return st->OperationalError;
        case '8': case '9': case 'B': return st->InternalError;
        case 'D': case 'F': return st->ProgrammingError;
        }
        return st->DatabaseError;
    }
    if (c0 == '4') {
        if (c1 == '0') return st->TransactionRollbackError;
        if (c1 == '2' || c1 == '4') return st->ProgrammingError;
        return st->DatabaseError;
    }
    if (c0 == '5') {
        switch (c1) {
        case '3': case '4': case '5': case '7': case '8':
            return st->OperationalError;
        }
        return st->DatabaseError;
    }
    if (c0 == 'F' && c1 == '0') return st->InternalError;
    if (c0 == 'H' && c1 == 'V') return st->OperationalError;
    if (c0 == 'P' && c1 == '0') return st->InternalError;
    if (c0 == 'X' && c1 == 'X') return st->InternalError;
    return st->DatabaseError;
}

PyObject *
err_class_for_sqlstate(module_state *st, const char *code)
{
    PyObject *cls;
    if (code == NULL || strlen(code) != 5)
        return st->DatabaseError;
    cls = PyDict_GetItemString(st->sqlstate_errors, code);
    if (cls)
        return cls;
    return err_base_for_class(st, code);
}

static int
err_make_sqlstate_classes(PyObject *module, module_state *st)
{
    const err_sqlstate_entry *e;
    char qualname[128];
    if (!(st->sqlstate_errors = PyDict_New()))
        return -1;
    for (e = err_sqlstate_table; e->sqlstate; e++) {
        PyObject *base, *cls;
        if (strcmp(e->sqlstate, "57014") == 0)
            base = st->QueryCanceledError;
        else
            base = err_base_for_class(st, e->sqlstate);
        snprintf(qualname, sizeof(qualname), "psycopg2.errors.%s", e->name);
        if (!(cls = PyErr_NewException(qualname, base, NULL)))
            return -1;
        if (PyDict_SetItemString(st->sqlstate_errors, e->sqlstate, cls) < 0) {
            Py_DECREF(cls);
            return -1;
        }
        Py_DECREF(cls);
    }
    return PyModule_AddObjectRef(module, "sqlstate_errors",
                                 st->sqlstate_errors);
}

static int
err_new_class(PyObject *module, PyObject **slot, const char *qualname,
              PyObject *base, const char *doc)
{
    const char *dot = strrchr(qualname, '.');
    if (!(*slot = PyErr_NewExceptionWithDoc(qualname, doc, base, NULL)))
        return -1;
    return PyModule_AddObjectRef(module, dot + 1, *slot);
}

/* The docstrings of the DB-API classes, as help() shows them. */
PyDoc_STRVAR(err_Warning_doc,
"Important warnings such as data truncation (DB-API). Defined for "
"DB-API compliance; this module does not raise it.");

PyDoc_STRVAR(err_InterfaceError_doc,
"Error of the database interface rather than of the database: using a "
"closed connection or cursor, a connection inherited through fork(), a "
"libpq failure on the client side.");

PyDoc_STRVAR(err_DatabaseError_doc,
"Error related to the database: the base class of every error the "
"server reports, and of the classes below.");

PyDoc_STRVAR(err_DataError_doc,
"Error due to the processed data: division by zero, a value out of "
"range, invalid input syntax for a type (SQLSTATE class 22).");

PyDoc_STRVAR(err_OperationalError_doc,
"Error related to the operation of the database, not necessarily under "
"the programmer's control: the server cannot be reached or closes the "
"connection, out of memory or disk space (SQLSTATE classes 08, 53, 54, "
"55, 57, 58).");

PyDoc_STRVAR(err_IntegrityError_doc,
"The relational integrity of the database would be broken: a unique, "
"foreign key, not-null or check constraint is violated (SQLSTATE class "
"23).");

PyDoc_STRVAR(err_InternalError_doc,
"Error internal to the database: invalid transaction state, the "
"transaction is aborted, internal server error (SQLSTATE classes 24, "
"25, 2B, 2D, 2F, 38, 39, 3B, F0, P0, XX).");

PyDoc_STRVAR(err_ProgrammingError_doc,
"Programming error: a table not found or already existing, a syntax "
"error in the SQL, the wrong number of parameters, misuse of the API "
"such as fetching when the last statement returned no rows (SQLSTATE "
"classes 20, 21, 3D, 3F, 42, 44).");

PyDoc_STRVAR(err_NotSupportedError_doc,
"A method or a database feature is used that the database does not "
"support (SQLSTATE class 0A).");

PyDoc_STRVAR(err_QueryCanceledError_doc,
"The statement was cancelled: by connection.cancel(), by Ctrl-C during "
"a query, or by statement_timeout (SQLSTATE 57014). A subclass of "
"OperationalError.");

PyDoc_STRVAR(err_TransactionRollbackError_doc,
"The server rolled the transaction back: serialization failure or "
"deadlock (SQLSTATE class 40). Running the transaction again may "
"succeed. A subclass of OperationalError.");

int
err_setup(PyObject *module, module_state *st)
{
    PyObject *err;
    if (err_new_class(module, &st->Warning, "psycopg2.Warning",
                      PyExc_Exception, err_Warning_doc) < 0)
        return -1;
    {
        /* Python 3.9 wants a tuple of bases, not a single type */
        PyObject *bases = PyTuple_Pack(1, PyExc_Exception);
        if (bases == NULL)
            return -1;
        err = PyType_FromModuleAndSpec(module, &error_spec, bases);
        Py_DECREF(bases);
        if (err == NULL)
            return -1;
    }
    st->Error = err;
    if (PyModule_AddObjectRef(module, "Error", err) < 0)
        return -1;
    if (err_new_class(module, &st->InterfaceError, "psycopg2.InterfaceError",
                      st->Error, err_InterfaceError_doc) < 0
        || err_new_class(module, &st->DatabaseError,
                         "psycopg2.DatabaseError", st->Error,
                         err_DatabaseError_doc) < 0
        || err_new_class(module, &st->DataError, "psycopg2.DataError",
                         st->DatabaseError,
                         err_DataError_doc) < 0
        || err_new_class(module, &st->OperationalError,
                         "psycopg2.OperationalError", st->DatabaseError,
                         err_OperationalError_doc) < 0
        || err_new_class(module, &st->IntegrityError,
                         "psycopg2.IntegrityError", st->DatabaseError,
                         err_IntegrityError_doc) < 0
        || err_new_class(module, &st->InternalError,
                         "psycopg2.InternalError", st->DatabaseError,
                         err_InternalError_doc) < 0
        || err_new_class(module, &st->ProgrammingError,
                         "psycopg2.ProgrammingError", st->DatabaseError,
                         err_ProgrammingError_doc) < 0
        || err_new_class(module, &st->NotSupportedError,
                         "psycopg2.NotSupportedError", st->DatabaseError,
                         err_NotSupportedError_doc) < 0
        || err_new_class(module, &st->QueryCanceledError,
                         "psycopg2.extensions.QueryCanceledError",
                         st->OperationalError,
                         err_QueryCanceledError_doc) < 0
        || err_new_class(module, &st->TransactionRollbackError,
                         "psycopg2.extensions.TransactionRollbackError",
                         st->OperationalError,
                         err_TransactionRollbackError_doc) < 0)
        return -1;
    if (err_make_sqlstate_classes(module, st) < 0)
        return -1;
    return diag_setup(module, st);
}

/* ---- raising ---- */

int
err_raise_trimmed(PyObject *exc, const char *prefix, const char *msg)
{
    size_t n = strlen(msg), np = strlen(prefix);
    PyObject *s;
    char *buf;
    /* libpq's text is kept whole, final newline included, as psycopg2
     * shows it (the name of this function is historical). */
    if (!(buf = PyMem_Malloc(np + n + 1))) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(buf, prefix, np);
    memcpy(buf + np, msg, n);
    buf[np + n] = '\0';
    s = PyUnicode_DecodeUTF8(buf, np + n, "replace");
    PyMem_Free(buf);
    if (s == NULL)
        return -1;
    PyErr_SetObject(exc, s);
    Py_DECREF(s);
    return -1;
}

int
err_raise_simple(PyObject *exc, const char *msg)
{
    PyErr_SetString(exc, msg);
    return -1;
}

/* Decode a message from the server or libpq in the encoding `enc` (the
 * connection's encoding tuple when it was recorded; NULL: UTF-8); never
 * fails for bad bytes (replaced). */
static PyObject *
err_decode(PyObject *enc, const char *msg)
{
    Py_ssize_t n = (Py_ssize_t)strlen(msg);
    const char *codec = enc ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1))
                            : NULL;
    PyObject *rv;
    if (codec == NULL || strcmp(codec, "utf_8") == 0)
        rv = PyUnicode_DecodeUTF8(msg, n, "replace");
    else
        rv = PyUnicode_Decode(msg, n, codec, "replace");
    if (rv == NULL) {
        PyErr_Clear();
        rv = PyUnicode_DecodeLatin1(msg, n, "replace");
    }
    return rv;
}

/* The message without the severity prefix, as str(exception) shows it. */
static const char *
err_strip_severity(const char *msg)
{
    static const char *const prefixes[] = {"ERROR:  ", "FATAL:  ", "PANIC:  ",
                                           NULL};
    int i;
    for (i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(msg, prefixes[i], n) == 0)
            return msg + n;
    }
    return msg;
}

/* The server's error in f->res (its message, or f->text when it has
 * none): the class of its SQLSTATE, pgerror, pgcode, the PGresult for
 * Diagnostics and the cursor.  Takes f->res. */
static void
err_raise_result(module_state *st, conn_failure *f)
{
    PGresult *res = f->res;
    const char *msg = res ? PQresultErrorMessage(res) : NULL, *code = NULL;
    const char *codec = NULL;
    PyObject *cls, *pymsg = NULL, *pgerror = NULL, *pgcode = NULL;
    PyObject *exc = NULL;

    f->res = NULL;
    if (res)
        code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (msg == NULL || msg[0] == '\0')
        msg = f->text ? f->text : "unknown error from libpq";
    if (code)
        cls = err_class_for_sqlstate(st, code);
    else
        cls = f->broken ? st->OperationalError : st->DatabaseError;

    if (!(pgerror = err_decode(f->enc, msg)))
        goto exit;
    if (!(pymsg = err_decode(f->enc, err_strip_severity(msg))))
        goto exit;
    if (code && !(pgcode = err_decode(f->enc, code)))
        goto exit;
    if (!(exc = PyObject_CallOneArg(cls, pymsg)))
        goto exit;
    if (PyObject_TypeCheck(exc, (PyTypeObject *)st->Error)) {
        errorObject *e = (errorObject *)exc;
        Py_XSETREF(e->pgerror, Py_NewRef(pgerror));
        Py_XSETREF(e->pgcode, pgcode ? Py_NewRef(pgcode) : NULL);
        Py_XSETREF(e->cursor, Py_XNewRef(f->cursor));
        if (e->pgres)
            PQclear(e->pgres);
        e->pgres = res;
        res = NULL;
        /* Diagnostics decodes the fields as the message was decoded */
        if (f->enc)
            codec = PyUnicode_AsUTF8(PyTuple_GET_ITEM(f->enc, 1));
        snprintf(e->pyenc, sizeof(e->pyenc), "%s",
                 codec && strlen(codec) < sizeof(e->pyenc) ? codec : "");
    }
    PyErr_SetObject(cls, exc);
exit:
    if (res)
        PQclear(res);
    Py_XDECREF(exc);
    Py_XDECREF(pymsg);
    Py_XDECREF(pgerror);
    Py_XDECREF(pgcode);
}

/* A blocking command lost its connection: OperationalError(text) without
 * pgcode, pgerror its text. */
static void
err_raise_lost(module_state *st, conn_failure *f)
{
    PyObject *text, *exc = NULL;
    if ((text = err_decode(f->enc, f->text))
        && (exc = PyObject_CallOneArg(st->OperationalError, text))) {
        if (PyObject_TypeCheck(exc, (PyTypeObject *)st->Error))
            Py_XSETREF(((errorObject *)exc)->pgerror, Py_NewRef(text));
        PyErr_SetObject(st->OperationalError, exc);
    }
    Py_XDECREF(exc);
    Py_XDECREF(text);
}

int
err_raise_failure(module_state *st, conn_failure *f)
{
    PyObject *s;
    switch (f->kind) {
    case CONN_FAIL_TEXT:
        if ((s = PyUnicode_DecodeUTF8(f->text, (Py_ssize_t)strlen(f->text),
                                      "replace"))) {
            PyErr_SetObject(f->type, s);
            Py_DECREF(s);
        }
        break;
    case CONN_FAIL_ERRNO:
        errno = f->err;
        PyErr_SetFromErrno(f->type);
        break;
    case CONN_FAIL_RESULT:
        err_raise_result(st, f);
        break;
    case CONN_FAIL_LOST:
        err_raise_lost(st, f);
        break;
    default:
        PyErr_NoMemory();
        break;
    }
    conn_failure_free_c(f);
    Py_CLEAR(f->type);
    Py_CLEAR(f->enc);
    Py_CLEAR(f->cursor);
    return -1;
}
