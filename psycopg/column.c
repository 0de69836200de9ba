/* extensions.Column: a 7-item sequence with two extra attributes, and
 * cursor.description built from a result. */
#include "psycopg.h"
#include "module.h"
#include "column.h"
#include "connection.h"
#include "pgtypes.h"

#include <string.h>

static const char *const column_names[COLUMN_NFIELDS] = {
    "name", "type_code", "display_size", "internal_size", "precision",
    "scale", "null_ok", "table_oid", "table_column"};

/* what help(Column) shows for each attribute */
static const char *const column_docs[COLUMN_NFIELDS] = {
    "The name of the column, as the server labels it in the result.",
    "The OID of the column's PostgreSQL type (compare with the type "
    "objects of psycopg2.extensions, e.g. NUMBER, STRING).",
    "Always None: computing it would need a pass over the data.",
    "The size in bytes of the type on the server; negative for most "
    "variable-length types (text, arrays...).",
    "Total number of digits of a numeric column declared with a "
    "precision, else None.",
    "Digits after the decimal point of a numeric column declared with a "
    "scale, else None.",
    "Always None: the server does not say whether a result column can be "
    "NULL.",
    "The OID of the table the column comes from, or None for a computed "
    "column.",
    "The number of the column within its table (its attnum, from 1), or "
    "None for a computed column."};

/* the DB-API sequence view covers only the first seven */
#define COLUMN_SEQLEN 7

PyObject *
column_from_fields(module_state *st, PyObject *const *fields)
{
    PyTypeObject *tp = st->column_type;
    columnObject *self = (columnObject *)tp->tp_alloc(tp, 0);
    int i;
    if (self == NULL)
        return NULL;
    for (i = 0; i < COLUMN_NFIELDS; i++)
        self->fields[i] = Py_NewRef(fields[i] ? fields[i] : Py_None);
    return (PyObject *)self;
}

/* numeric(p, s): precision and scale from the type modifier */
static void
column_numeric_typmod(int fmod, PyObject **prec, PyObject **scale)
{
    *prec = *scale = NULL;
    if (fmod < 4)
        return;
    fmod -= 4;
    *prec = PyLong_FromLong((fmod >> 16) & 0xFFFF);
    *scale = PyLong_FromLong(fmod & 0xFFFF);
}

/* A name the server sent, in the encoding object `enc` (a (pgname, codec)
 * tuple, or NULL: UTF-8); bad bytes become U+FFFD, as in psycopg2. */
static PyObject *
column_decode_name(PyObject *enc, const char *s)
{
    const char *codec = "utf_8";
    Py_ssize_t len = (Py_ssize_t)strlen(s);
    if (enc != NULL
        && !(codec = PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1))))
        return NULL;
    if (strcmp(codec, "utf_8") == 0)
        return PyUnicode_DecodeUTF8(s, len, "replace");
    return PyUnicode_Decode(s, len, codec, "replace");
}

/* cursor.description of a result decoded with `enc`: one Column per
 * field. */
PyObject *
column_description(module_state *st, PyObject *enc, PGresult *res)
{
    int n = PQnfields(res), i;
    PyObject *desc = PyTuple_New(n);
    if (desc == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *f[COLUMN_NFIELDS] = {NULL};
        Oid ftype = PQftype(res, i), table = PQftable(res, i);
        int fsize = PQfsize(res, i), fmod = PQfmod(res, i), k;
        int tcol = PQftablecol(res, i);
        const char *name = PQfname(res, i);
        PyObject *col = NULL;

        f[0] = column_decode_name(enc, name);
        f[1] = PyLong_FromUnsignedLong(ftype);
        if (ftype == NUMERICOID) {
            column_numeric_typmod(fmod, &f[4], &f[5]);
            f[3] = PyLong_FromLong(fmod >= 4 ? ((fmod - 4) >> 16) & 0xFFFF
                                             : -1);
        }
        else {
            f[3] = PyLong_FromLong(fsize >= 0 ? fsize
                                   : fmod >= 4 ? fmod - 4 : fsize);
        }
        if (table != InvalidOid)
            f[7] = PyLong_FromUnsignedLong(table);
        if (tcol > 0)
            f[8] = PyLong_FromLong(tcol);
        if (f[0] && f[1] && f[3])
            col = column_from_fields(st, f);
        for (k = 0; k < COLUMN_NFIELDS; k++)
            Py_XDECREF(f[k]);
        if (col == NULL) {
            Py_DECREF(desc);
            return NULL;
        }
        PyTuple_SET_ITEM(desc, i, col);
    }
    return desc;
}


static PyObject *
column_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"name", "type_code", "display_size",
                             "internal_size", "precision", "scale",
                             "null_ok", "table_oid", "table_column", NULL};
    PyObject *f[COLUMN_NFIELDS] = {NULL};
    columnObject *self;
    int i;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOOOOOOO", kwlist,
                                     &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
                                     &f[6], &f[7], &f[8]))
        return NULL;
    if (!(self = (columnObject *)type->tp_alloc(type, 0)))
        return NULL;
    for (i = 0; i < COLUMN_NFIELDS; i++)
        self->fields[i] = Py_NewRef(f[i] ? f[i] : Py_None);
    return (PyObject *)self;
}

static int
column_traverse(columnObject *self, visitproc visit, void *arg)
{
    int i;
    Py_VISIT(Py_TYPE(self));
    for (i = 0; i < COLUMN_NFIELDS; i++)
        Py_VISIT(self->fields[i]);
    return 0;
}

static int
column_clear(columnObject *self)
{
    int i;
    for (i = 0; i < COLUMN_NFIELDS; i++)
        Py_CLEAR(self->fields[i]);
    return 0;
}

static void
column_dealloc(columnObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    column_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
column_as_tuple(columnObject *self)
{
    PyObject *t = PyTuple_New(COLUMN_SEQLEN);
    int i;
    if (t == NULL)
        return NULL;
    for (i = 0; i < COLUMN_SEQLEN; i++)
        PyTuple_SET_ITEM(t, i, Py_NewRef(self->fields[i]));
    return t;
}

static Py_ssize_t
column_len(columnObject *self)
{
    return COLUMN_SEQLEN;
}

static PyObject *
column_item(columnObject *self, Py_ssize_t i)
{
    if (i < 0)
        i += COLUMN_SEQLEN;
    if (i < 0 || i >= COLUMN_SEQLEN) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return NULL;
    }
    return Py_NewRef(self->fields[i]);
}

static PyObject *
column_subscript(columnObject *self, PyObject *key)
{
    PyObject *t, *rv;
    if (PyIndex_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        return column_item(self, i);
    }
    if (!(t = column_as_tuple(self)))
        return NULL;
    rv = PyObject_GetItem(t, key);
    Py_DECREF(t);
    return rv;
}

static PyObject *
column_richcompare(columnObject *self, PyObject *other, int op)
{
    PyObject *a, *b, *rv;
    if (!(a = column_as_tuple(self)))
        return NULL;
    if (PyObject_TypeCheck(other, Py_TYPE(self)))
        b = column_as_tuple((columnObject *)other);
    else if (PyTuple_Check(other))
        b = Py_NewRef(other);
    else {
        Py_DECREF(a);
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    rv = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return rv;
}

static PyObject *
column_repr(columnObject *self)
{
    return PyUnicode_FromFormat("Column(name=%R, type_code=%R)",
                                self->fields[0], self->fields[1]);
}

static PyObject *
column_reduce(columnObject *self, PyObject *unused)
{
    PyObject *args = PyTuple_New(COLUMN_NFIELDS), *rv;
    int i;
    if (args == NULL)
        return NULL;
    for (i = 0; i < COLUMN_NFIELDS; i++)
        PyTuple_SET_ITEM(args, i, Py_NewRef(self->fields[i]));
    rv = PyTuple_Pack(2, (PyObject *)Py_TYPE(self), args);
    Py_DECREF(args);
    return rv;
}

static PyObject *
column_get(columnObject *self, void *closure)
{
    return Py_NewRef(self->fields[(intptr_t)closure]);
}

/* read-only, with psycopg2's text */
static int
column_set(columnObject *self, PyObject *v, void *closure)
{
    PyErr_SetString(PyExc_AttributeError, "readonly attribute");
    return -1;
}

static PyGetSetDef column_getset[COLUMN_NFIELDS + 1];

static PyMethodDef column_methods[] = {
    {"__reduce__", (PyCFunction)column_reduce, METH_NOARGS, NULL},
    {NULL}};

static PyType_Slot column_slots[] = {
    {Py_tp_new, column_new},
    {Py_tp_dealloc, column_dealloc},
    {Py_tp_traverse, column_traverse},
    {Py_tp_clear, column_clear},
    {Py_tp_repr, column_repr},
    {Py_tp_richcompare, column_richcompare},
    {Py_tp_methods, column_methods},
    {Py_tp_getset, column_getset},
    {Py_sq_length, column_len},
    {Py_sq_item, column_item},
    {Py_mp_length, column_len},
    {Py_mp_subscript, column_subscript},
    {Py_tp_doc,
     "Column -- the description of one column of a result.\n"
     "\n"
     "cursor.description is a tuple of them. It is a 7-item sequence as the\n"
     "DB-API asks: name, type_code (the type OID), display_size,\n"
     "internal_size, precision, scale, null_ok; display_size and null_ok are\n"
     "always None. It also has the attributes table_oid and table_column:\n"
     "the OID of the table the column comes from and its number in it, or\n"
     "None for a computed column."},
    {0, NULL}};

static PyType_Spec column_spec = {
    .name = "psycopg2.extensions.Column",
    .basicsize = sizeof(columnObject),
    /* subclasses allowed, as in psycopg2 */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = column_slots,
};

int
column_setup(PyObject *module, module_state *st)
{
    intptr_t i;
    for (i = 0; i < COLUMN_NFIELDS; i++) {
        column_getset[i].name = column_names[i];
        column_getset[i].get = (getter)column_get;
        column_getset[i].set = (setter)column_set;
        column_getset[i].doc = column_docs[i];
        column_getset[i].closure = (void *)i;
    }
    return mod_add_type(module, &column_spec, NULL, &st->column_type);
}
