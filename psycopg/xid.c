/* psycopg2.extensions.Xid: the XA triple (format_id, gtrid, bqual) and
 * its PostgreSQL spelling "<format_id>_<base64 gtrid>_<base64 bqual>". */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "xid.h"

#include <string.h>

#define XID_MAX_LEN 64

/* ---- base64 (standard alphabet, padded) ---- */

static const char xid_b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode n bytes of src into dst (room for 4 * ((n + 2) / 3) + 1). */
static void
xid_b64encode(const unsigned char *src, size_t n, char *dst)
{
    size_t i;
    for (i = 0; i + 2 < n; i += 3) {
        *dst++ = xid_b64chars[src[i] >> 2];
        *dst++ = xid_b64chars[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
        *dst++ = xid_b64chars[((src[i + 1] & 15) << 2) | (src[i + 2] >> 6)];
        *dst++ = xid_b64chars[src[i + 2] & 63];
    }
    if (i < n) {
        *dst++ = xid_b64chars[src[i] >> 2];
        if (i + 1 < n) {
            *dst++ = xid_b64chars[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
            *dst++ = xid_b64chars[(src[i + 1] & 15) << 2];
        }
        else {
            *dst++ = xid_b64chars[(src[i] & 3) << 4];
            *dst++ = '=';
        }
        *dst++ = '=';
    }
    *dst = '\0';
}

static int
xid_b64value(char c)
{
    const char *p = c ? strchr(xid_b64chars, c) : NULL;
    return p ? (int)(p - xid_b64chars) : -1;
}

/* Decode a padded base64 string of length n into dst (room for n).
 * Returns the decoded length or -1 if malformed. */
static Py_ssize_t
xid_b64decode(const char *src, size_t n, unsigned char *dst)
{
    size_t i;
    Py_ssize_t out = 0;
    if (n % 4 != 0)
        return -1;
    for (i = 0; i < n; i += 4) {
        int v[4], k, pad = 0;
        for (k = 0; k < 4; k++) {
            if (src[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            }
            else if (pad || (v[k] = xid_b64value(src[i + k])) < 0) {
                return -1;
            }
        }
        dst[out++] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
        if (pad < 2)
            dst[out++] = (unsigned char)(((v[1] & 15) << 4) | (v[2] >> 2));
        if (pad < 1)
            dst[out++] = (unsigned char)(((v[2] & 3) << 6) | v[3]);
    }
    return out;
}

/* ---- the type ---- */

static int
xid_check_part(PyObject *s, const char *what)
{
    Py_ssize_t n, i;
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "%s must be a string", what);
        return -1;
    }
    n = PyUnicode_GET_LENGTH(s);
    if (n > XID_MAX_LEN) {
        PyErr_Format(PyExc_ValueError, "%s must be a string no longer than "
                     "64 characters", what);
        return -1;
    }
    for (i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(s, i);
        if (c < 0x20 || c >= 0x7f) {
            PyErr_Format(PyExc_ValueError,
                         "%s must contain only printable characters.", what);
            return -1;
        }
    }
    return 0;
}

static PyObject *
xid_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"format_id", "gtrid", "bqual", NULL};
    PyObject *gtrid, *bqual;
    xidObject *self;
    int fid;

    /* "iUU": the argument errors of psycopg2 (OverflowError past 32 bits,
     * "argument 2 must be str, not int") */
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iUU", kwlist, &fid,
                                     &gtrid, &bqual))
        return NULL;
    if (fid < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "format_id must be a non-negative 32-bit integer");
        return NULL;
    }
    if (xid_check_part(gtrid, "gtrid") < 0
        || xid_check_part(bqual, "bqual") < 0)
        return NULL;
    if (!(self = (xidObject *)type->tp_alloc(type, 0)))
        return NULL;
    self->format_id = PyLong_FromLong(fid);
    self->gtrid = Py_NewRef(gtrid);
    self->bqual = Py_NewRef(bqual);
    self->prepared = Py_NewRef(Py_None);
    self->owner = Py_NewRef(Py_None);
    self->database = Py_NewRef(Py_None);
    if (self->format_id == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* An Xid with the given fields, no validation (from the server). */
static xidObject *
xid_alloc(PyTypeObject *type, PyObject *format_id, PyObject *gtrid,
          PyObject *bqual)
{
    xidObject *self = (xidObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->format_id = Py_NewRef(format_id);
    self->gtrid = Py_NewRef(gtrid);
    self->bqual = Py_NewRef(bqual);
    self->prepared = Py_NewRef(Py_None);
    self->owner = Py_NewRef(Py_None);
    self->database = Py_NewRef(Py_None);
    return self;
}

/* str -> XA Xid if it reads as one, else a non-XA Xid holding it. */
static PyObject *
xid_parse(PyTypeObject *type, PyObject *str)
{
    const char *s, *u1, *u2, *p;
    Py_ssize_t n, glen, blen;
    unsigned char *gbuf = NULL, *bbuf = NULL;
    PyObject *fid = NULL, *gtrid = NULL, *bqual = NULL, *rv = NULL;
    long f = 0;

    if (!PyUnicode_Check(str)) {
        PyErr_SetString(PyExc_TypeError, "expected a string");
        return NULL;
    }
    if (!(s = PyUnicode_AsUTF8AndSize(str, &n)))
        return NULL;
    /* <digits>_<b64>_<b64>, with no other '_' */
    u1 = strchr(s, '_');
    u2 = u1 ? strchr(u1 + 1, '_') : NULL;
    if (!u1 || !u2 || u1 == s || strchr(u2 + 1, '_') || u1 - s > 10)
        goto not_xa;
    for (p = s; p < u1; p++) {
        if (*p < '0' || *p > '9')
            goto not_xa;
        f = f * 10 + (*p - '0');
    }
    if (f > 0x7fffffffL)
        goto not_xa;
    gbuf = PyMem_Malloc(u2 - u1 + 1);
    bbuf = PyMem_Malloc(s + n - u2 + 1);
    if (!gbuf || !bbuf) {
        PyErr_NoMemory();
        goto exit;
    }
    glen = xid_b64decode(u1 + 1, u2 - u1 - 1, gbuf);
    blen = xid_b64decode(u2 + 1, s + n - u2 - 1, bbuf);
    if (glen < 0 || blen < 0)
        goto not_xa;
    gtrid = PyUnicode_DecodeASCII((char *)gbuf, glen, "strict");
    bqual = PyUnicode_DecodeASCII((char *)bbuf, blen, "strict");
    if (!gtrid || !bqual) {
        PyErr_Clear();
        goto not_xa;
    }
    if (!(fid = PyLong_FromLong(f)))
        goto exit;
    rv = (PyObject *)xid_alloc(type, fid, gtrid, bqual);
    goto exit;

not_xa:
    rv = (PyObject *)xid_alloc(type, Py_None, str, Py_None);
exit:
    PyMem_Free(gbuf);
    PyMem_Free(bbuf);
    Py_XDECREF(fid);
    Py_XDECREF(gtrid);
    Py_XDECREF(bqual);
    return rv;
}

PyObject *
xid_get_tid(xidObject *self)
{
    const char *g, *b;
    Py_ssize_t gn, bn;
    char *ge = NULL, *be = NULL;
    PyObject *rv = NULL;

    if (self->format_id == Py_None)
        return Py_NewRef(self->gtrid);
    if (!(g = PyUnicode_AsUTF8AndSize(self->gtrid, &gn))
        || !(b = PyUnicode_AsUTF8AndSize(self->bqual, &bn)))
        return NULL;
    ge = PyMem_Malloc(4 * ((gn + 2) / 3) + 1);
    be = PyMem_Malloc(4 * ((bn + 2) / 3) + 1);
    if (!ge || !be) {
        PyErr_NoMemory();
        goto exit;
    }
    xid_b64encode((const unsigned char *)g, gn, ge);
    xid_b64encode((const unsigned char *)b, bn, be);
    rv = PyUnicode_FromFormat("%S_%s_%s", self->format_id, ge, be);
exit:
    PyMem_Free(ge);
    PyMem_Free(be);
    return rv;
}

PyObject *
xid_ensure(module_state *st, PyObject *o)
{
    if (PyObject_TypeCheck(o, st->xid_type))
        return Py_NewRef(o);
    if (PyUnicode_Check(o))
        return xid_parse(st->xid_type, o);
    PyErr_SetString(PyExc_TypeError,
                    "not a valid transaction id");
    return NULL;
}

PyDoc_STRVAR(xid_from_string_doc,
"from_string(s) -> Xid -- parse a transaction id as the server has it.\n\n"
"An id in the XA format gives back its format_id, gtrid and bqual; any "
"other string gives an Xid with only gtrid set.");

static PyObject *
xid_from_string(PyObject *cls, PyObject *s)
{
    return xid_parse((PyTypeObject *)cls, s);
}

PyObject *
xid_recover(connectionObject *conn)
{
    module_state *st = conn->st;
    PyObject *curs = NULL, *r = NULL, *rows = NULL, *rv = NULL, *item;
    Py_ssize_t i, n;

    if (!(curs = PyObject_CallMethod((PyObject *)conn, "cursor", NULL)))
        return NULL;
    if (!(r = PyObject_CallMethod(curs, "execute", "s",
                                  "SELECT gid, prepared, owner, database "
                                  "FROM pg_catalog.pg_prepared_xacts")))
        goto exit;
    if (!(rows = PyObject_CallMethod(curs, "fetchall", NULL)))
        goto exit;
    if (!PyList_Check(rows)) {
        PyErr_SetString(PyExc_TypeError, "fetchall() must return a list");
        goto exit;
    }
    n = PyList_GET_SIZE(rows);
    if (!(rv = PyList_New(n)))
        goto exit;
    for (i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i), *f[4];
        xidObject *x;
        int k;
        for (k = 0; k < 4; k++) {
            if (!(f[k] = PySequence_GetItem(row, k))) {
                while (--k >= 0)
                    Py_DECREF(f[k]);
                Py_CLEAR(rv);
                goto exit;
            }
        }
        item = xid_parse(st->xid_type, f[0]);
        if (item) {
            x = (xidObject *)item;
            Py_SETREF(x->prepared, Py_NewRef(f[1]));
            Py_SETREF(x->owner, Py_NewRef(f[2]));
            Py_SETREF(x->database, Py_NewRef(f[3]));
        }
        for (k = 0; k < 4; k++)
            Py_DECREF(f[k]);
        if (item == NULL) {
            Py_CLEAR(rv);
            goto exit;
        }
        PyList_SET_ITEM(rv, i, item);
    }
exit:
    if (rv) {
        PyObject *c = PyObject_CallMethod(curs, "close", NULL);
        if (c == NULL)
            Py_CLEAR(rv);
        Py_XDECREF(c);
    }
    Py_XDECREF(curs);
    Py_XDECREF(r);
    Py_XDECREF(rows);
    return rv;
}

/* ---- sequence and attributes ---- */

static Py_ssize_t
xid_len(xidObject *self)
{
    return 3;
}

static PyObject *
xid_item(xidObject *self, Py_ssize_t i)
{
    switch (i) {
    case 0: return Py_NewRef(self->format_id);
    case 1: return Py_NewRef(self->gtrid);
    case 2: return Py_NewRef(self->bqual);
    default:
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return NULL;
    }
}

static PyObject *
xid_str(xidObject *self)
{
    return xid_get_tid(self);
}

static PyObject *
xid_repr(xidObject *self)
{
    if (self->format_id == Py_None)
        return PyUnicode_FromFormat("<Xid: %R (unparsed)>", self->gtrid);
    return PyUnicode_FromFormat("<Xid: (%R, %R, %R)>", self->format_id,
                                self->gtrid, self->bqual);
}

static PyMemberDef xid_members[] = {
    {"format_id", T_OBJECT, offsetof(xidObject, format_id), READONLY,
     "format identifier (None if not XA)"},
    {"gtrid", T_OBJECT, offsetof(xidObject, gtrid), READONLY,
     "global transaction id"},
    {"bqual", T_OBJECT, offsetof(xidObject, bqual), READONLY,
     "branch qualifier (None if not XA)"},
    {"prepared", T_OBJECT, offsetof(xidObject, prepared), READONLY,
     "when the transaction was prepared (from tpc_recover)"},
    {"owner", T_OBJECT, offsetof(xidObject, owner), READONLY,
     "user who prepared the transaction (from tpc_recover)"},
    {"database", T_OBJECT, offsetof(xidObject, database), READONLY,
     "database of the transaction (from tpc_recover)"},
    {NULL}};

static PyMethodDef xid_methods[] = {
    {"from_string", (PyCFunction)xid_from_string, METH_O | METH_CLASS,
     xid_from_string_doc},
    {NULL}};

static int
xid_traverse(xidObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->format_id);
    Py_VISIT(self->gtrid);
    Py_VISIT(self->bqual);
    Py_VISIT(self->prepared);
    Py_VISIT(self->owner);
    Py_VISIT(self->database);
    return 0;
}

static int
xid_clear(xidObject *self)
{
    Py_CLEAR(self->format_id);
    Py_CLEAR(self->gtrid);
    Py_CLEAR(self->bqual);
    Py_CLEAR(self->prepared);
    Py_CLEAR(self->owner);
    Py_CLEAR(self->database);
    return 0;
}

static void
xid_dealloc(xidObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    xid_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot xid_slots[] = {
    {Py_tp_new, xid_new},
    {Py_tp_dealloc, xid_dealloc},
    {Py_tp_traverse, xid_traverse},
    {Py_tp_clear, xid_clear},
    {Py_tp_str, xid_str},
    {Py_tp_repr, xid_repr},
    {Py_tp_members, xid_members},
    {Py_tp_methods, xid_methods},
    {Py_sq_length, xid_len},
    {Py_sq_item, xid_item},
    {Py_tp_doc,
     "Xid(format_id, gtrid, bqual) -- a transaction id for two-phase commit.\n"
     "\n"
     "Made by connection.xid() and by connection.tpc_recover(); pass it to\n"
     "tpc_begin(). As in the XA specification, *format_id* is a\n"
     "non-negative int, *gtrid* and *bqual* are strings of at most 64\n"
     "characters. It is also a tuple (format_id, gtrid, bqual). Ids of\n"
     "transactions prepared by other tools, not in this format, have only\n"
     "gtrid set. Xid.from_string() parses an id as the server shows it."},
    {0, NULL}};

static PyType_Spec xid_spec = {
    .name = "psycopg2.extensions.Xid",
    .basicsize = sizeof(xidObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = xid_slots,
};

int
xid_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &xid_spec, NULL, &st->xid_type);
}
