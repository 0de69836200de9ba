/* extensions.Diagnostics: the fields of a server error, read from the
 * PGresult the exception keeps. */
#include "psycopg.h"
#include "module.h"
#include "errors.h"

typedef struct {
    PyObject_HEAD
    PyObject *err; /* the exception */
} diagObject;

static PyObject *
diag_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"err", NULL};
    module_state *st = mod_state_from_type(type);
    PyObject *err;
    diagObject *self;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &err))
        return NULL;
    if (!PyObject_TypeCheck(err, (PyTypeObject *)st->Error)) {
        PyErr_SetString(PyExc_TypeError,
                        "Diagnostics argument must be a psycopg2.Error");
        return NULL;
    }
    if (!(self = (diagObject *)type->tp_alloc(type, 0)))
        return NULL;
    self->err = Py_NewRef(err);
    return (PyObject *)self;
}

static int
diag_traverse(diagObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->err);
    return 0;
}

static int
diag_clear(diagObject *self)
{
    Py_CLEAR(self->err);
    return 0;
}

static void
diag_dealloc(diagObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    diag_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
diag_field(diagObject *self, void *closure)
{
    int code = (int)(intptr_t)closure;
    errorObject *e = (errorObject *)self->err;
    const char *v;
    if (e == NULL || e->pgres == NULL)
        Py_RETURN_NONE;
    v = PQresultErrorField(e->pgres, code);
    if (v == NULL)
        Py_RETURN_NONE;
    if (e->pyenc[0]) {
        PyObject *rv = PyUnicode_Decode(v, strlen(v), e->pyenc, "replace");
        if (rv || !PyErr_ExceptionMatches(PyExc_LookupError))
            return rv;
        PyErr_Clear(); /* unknown codec: fall back to UTF-8 */
    }
    return PyUnicode_DecodeUTF8(v, strlen(v), "replace");
}

#ifndef PG_DIAG_SEVERITY_NONLOCALIZED
#define PG_DIAG_SEVERITY_NONLOCALIZED 'V'
#endif

#define DIAG_FIELD(name, code) \
    {name, (getter)diag_field, NULL, NULL, (void *)(intptr_t)(code)}

static PyGetSetDef diag_getset[] = {
    DIAG_FIELD("severity", PG_DIAG_SEVERITY),
    DIAG_FIELD("severity_nonlocalized", PG_DIAG_SEVERITY_NONLOCALIZED),
    DIAG_FIELD("sqlstate", PG_DIAG_SQLSTATE),
    DIAG_FIELD("message_primary", PG_DIAG_MESSAGE_PRIMARY),
    DIAG_FIELD("message_detail", PG_DIAG_MESSAGE_DETAIL),
    DIAG_FIELD("message_hint", PG_DIAG_MESSAGE_HINT),
    DIAG_FIELD("statement_position", PG_DIAG_STATEMENT_POSITION),
    DIAG_FIELD("internal_position", PG_DIAG_INTERNAL_POSITION),
    DIAG_FIELD("internal_query", PG_DIAG_INTERNAL_QUERY),
    DIAG_FIELD("context", PG_DIAG_CONTEXT),
    DIAG_FIELD("schema_name", PG_DIAG_SCHEMA_NAME),
    DIAG_FIELD("table_name", PG_DIAG_TABLE_NAME),
    DIAG_FIELD("column_name", PG_DIAG_COLUMN_NAME),
    DIAG_FIELD("datatype_name", PG_DIAG_DATATYPE_NAME),
    DIAG_FIELD("constraint_name", PG_DIAG_CONSTRAINT_NAME),
    DIAG_FIELD("source_file", PG_DIAG_SOURCE_FILE),
    DIAG_FIELD("source_line", PG_DIAG_SOURCE_LINE),
    DIAG_FIELD("source_function", PG_DIAG_SOURCE_FUNCTION),
    {NULL}};

static PyType_Slot diag_slots[] = {
    {Py_tp_new, diag_new},
    {Py_tp_dealloc, diag_dealloc},
    {Py_tp_traverse, diag_traverse},
    {Py_tp_clear, diag_clear},
    {Py_tp_getset, diag_getset},
    {Py_tp_doc,
     "Diagnostics(exception) -- the fields of a database error report.\n"
     "\n"
     "Read it as exception.diag. Every field of the server's error message "
     "is\n"
     "an attribute, None when the server did not send it: severity,\n"
     "severity_nonlocalized, sqlstate, message_primary, message_detail,\n"
     "message_hint, statement_position, internal_position, internal_query,\n"
     "context, schema_name, table_name, column_name, datatype_name,\n"
     "constraint_name, source_file, source_line, source_function."},
    {0, NULL}};

static PyType_Spec diag_spec = {
    .name = "psycopg2.extensions.Diagnostics",
    .basicsize = sizeof(diagObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = diag_slots,
};

int
diag_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &diag_spec, NULL, &st->diagnostics_type);
}
