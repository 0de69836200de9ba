/* The client encoding of a connection: PostgreSQL's names and their Python
 * codecs, encoding and decoding, set_client_encoding() and
 * connection.encoding. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "pqpath.h"
#include "encodings.h"

#include <ctype.h>
#include <string.h>

char *
conn_normalize_encoding(const char *enc)
{
    size_t n = strlen(enc), i, j = 0;
    char *rv = PyMem_Malloc(n + 1);
    if (rv == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (enc[i] == '-' || enc[i] == '_')
            continue;
        rv[j++] = (char)toupper((unsigned char)enc[i]);
    }
    rv[j] = '\0';
    return rv;
}

/* Whether two encoding names are equal once normalised (no '-' or '_',
 * case-insensitive), without allocating. */
static int
conn_encoding_equal(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-' || *a == '_')
            a++;
        while (*b == '-' || *b == '_')
            b++;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return 0;
        if (*a == '\0')
            return 1;
        a++;
        b++;
    }
}

/* The table entry whose normalised name matches `enc`, or NULL. */
static const conn_encoding_entry *
conn_find_encoding(const char *enc)
{
    const conn_encoding_entry *e;
    for (e = conn_encoding_table; e->pgname; e++) {
        if (conn_encoding_equal(e->pgname, enc))
            return e;
    }
    return NULL;
}

PyObject *
conn_pyenc_for(module_state *st, const char *pgenc)
{
    const conn_encoding_entry *e = conn_find_encoding(pgenc);
    if (e == NULL) {
        PyErr_Format(st->InterfaceError,
                     "no Python codec for client encoding '%s'", pgenc);
        return NULL;
    }
    return PyUnicode_FromString(e->pycodec);
}

int
conn_build_encodings(module_state *st)
{
    const conn_encoding_entry *e;
    Py_ssize_t n = 0;
    for (e = conn_encoding_table; e->pgname; e++)
        n++;
    if (!(st->encodings = PyDict_New()) || !(st->enc_tuples = PyTuple_New(n)))
        return -1;
    for (e = conn_encoding_table; e->pgname; e++) {
        PyObject *v = PyUnicode_FromString(e->pycodec), *t;
        char *norm;
        if (v == NULL)
            return -1;
        /* the connection's encoding object after a (re)connection: the
         * server's name normalised, the codec */
        if (!(norm = conn_normalize_encoding(e->pgname))
            || !(t = Py_BuildValue("(sO)", norm, v))) {
            PyMem_Free(norm);
            Py_DECREF(v);
            return -1;
        }
        PyMem_Free(norm);
        PyTuple_SET_ITEM(st->enc_tuples, e - conn_encoding_table, t);
        /* read under the lock: their UTF-8 is there from now on */
        if (!PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 0))
            || !PyUnicode_AsUTF8(v)) {
            Py_DECREF(v);
            return -1;
        }
        if (PyDict_SetItemString(st->encodings, e->pgname, v) < 0
            || !(norm = conn_normalize_encoding(e->pgname))) {
            Py_DECREF(v);
            return -1;
        }
        if (PyDict_SetItemString(st->encodings, norm, v) < 0) {
            PyMem_Free(norm);
            Py_DECREF(v);
            return -1;
        }
        PyMem_Free(norm);
        Py_DECREF(v);
    }
    return 0;
}

/* A codec written in Python may run anything, even set_client_encoding():
 * the encoding object is held for the call. */
PyObject *
conn_encode(connectionObject *self, PyObject *str)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_AsUTF8String(str);
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_AsEncodedString(
        str, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)), "strict");
    Py_DECREF(enc);
    return rv;
}

PyObject *
conn_decode(connectionObject *self, const char *s, Py_ssize_t len)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_DecodeUTF8(s, len, "strict");
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_Decode(s, len, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)),
                          "strict");
    Py_DECREF(enc);
    return rv;
}

/* For text the server made up (names, notifications, messages): bad bytes
 * become U+FFFD, as in the original, rather than losing the whole thing. */
PyObject *
conn_decode_replace(connectionObject *self, const char *s, Py_ssize_t len)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_DecodeUTF8(s, len, "replace");
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_Decode(s, len, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)),
                          "replace");
    Py_DECREF(enc);
    return rv;
}

PyObject *
conn_decode_pgconn(connectionObject *self, const char *s)
{
    /* bytes are not tracked by the garbage collector: making the copy
     * runs no Python code, decoding it may */
    PyObject *b, *rv;
    if (s == NULL)
        Py_RETURN_NONE;
    if (!(b = PyBytes_FromString(s)))
        return NULL;
    rv = conn_decode(self, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return rv;
}

/* Refresh encoding, pyenc and is_utf8 from the server's client_encoding
 * (lock held: C only, no Python object made).  connection.encoding shows
 * the name asked for, normalised, as psycopg2 does ('SQL_ASCII' is
 * 'SQLASCII', set_client_encoding('alt') is 'ALT'); the codec is the one
 * of the server's encoding.  `obj`: NULL after a (re)connection (the
 * server's name, the object made for it at start-up), else a new tuple
 * (name, None) made before taking the lock, taken: its codec is filled in
 * here.  The encoding object replaced goes to *old, for the caller to
 * release once the lock is released. */
static int
conn_read_encoding_obj(connectionObject *self, PyObject *obj, PyObject **old)
{
    const char *enc = PQparameterStatus(self->pgconn, "client_encoding");
    const conn_encoding_entry *e;
    const char *pyenc;
    PyObject *row, *none;
    *old = NULL;
    if (enc == NULL) {
        Py_XDECREF(obj); /* a (name, None) tuple: runs no Python code */
        return conn_fail_text(self, self->st->OperationalError,
                              "server didn't return client encoding");
    }
    if (!(e = conn_find_encoding(enc))) {
        char norm[64];
        size_t i, j = 0;
        for (i = 0; enc[i] && j < sizeof(norm) - 1; i++)
            if (enc[i] != '-' && enc[i] != '_')
                norm[j++] = (char)toupper((unsigned char)enc[i]);
        norm[j] = '\0';
        Py_XDECREF(obj);
        return conn_fail_format(self, self->st->OperationalError,
                                "no Python encoding for PostgreSQL encoding "
                                "'%s'", norm);
    }
    row = PyTuple_GET_ITEM(self->st->enc_tuples, e - conn_encoding_table);
    if (obj == NULL)
        obj = Py_NewRef(row);
    else {
        /* not shared yet: filled in place (the codec's UTF-8 is cached) */
        none = PyTuple_GET_ITEM(obj, 1);
        PyTuple_SET_ITEM(obj, 1, Py_NewRef(PyTuple_GET_ITEM(row, 1)));
        Py_DECREF(none);
    }
    /* swapped in one step: whoever holds the old one keeps using it */
    pyenc = PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 1));
    if (self->pyenc == NULL || pyenc == NULL || strcmp(self->pyenc, pyenc))
        self->enc_gen++;
    *old = self->enc_obj;
    self->enc_obj = obj;
    self->encoding = PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 0));
    self->pyenc = pyenc;
    self->is_utf8 = strcmp(self->pyenc, "utf_8") == 0;
    return 0;
}

int
conn_read_encoding(connectionObject *self)
{
    PyObject *old;
    int rv = conn_read_encoding_obj(self, NULL, &old);
    /* an old object is still held by the module (enc_tuples) or is a
     * tuple of two str: releasing it runs no Python code */
    Py_XDECREF(old);
    return rv;
}

PyDoc_STRVAR(conn_set_client_encoding_doc,
"set_client_encoding(encoding) -- set the client encoding.");

static PyObject *
conn_set_client_encoding(connectionObject *self, PyObject *args)
{
    const char *enc;
    const conn_encoding_entry *e;
    char *norm = NULL, q[128], clean[64];
    PyObject *rv = NULL, *obj = NULL, *old = NULL;
    int r;

    /* As psycopg2: a closed connection is reported before bad arguments. */
    if (conn_check_open(self) < 0)
        return NULL;
    if (!PyArg_ParseTuple(args, "s", &enc))
        return NULL;
    if (conn_check_not_async(self, "set_client_encoding") < 0)
        return NULL;
    e = conn_find_encoding(enc);
    /* the name shown is the one asked for (normalised), as in psycopg2;
     * asking for the name shown sends nothing */
    if (!(norm = conn_normalize_encoding(enc)))
        goto exit;
    if (strcmp(norm, self->encoding) == 0) {
        rv = Py_NewRef(Py_None);
        goto exit;
    }
    if (strlen(enc) > 60) {
        PyErr_Format(self->st->OperationalError, "invalid encoding name: %s",
                     enc);
        goto exit;
    }
    if (e == NULL) {
        /* As psycopg2: an unknown name goes to the server cleaned, only its
         * letters and digits, uppercased ('ba-d' -> 'BAD'). */
        size_t i, j = 0;
        for (i = 0; enc[i] && j < sizeof(clean) - 1; i++)
            if (isalnum((unsigned char)enc[i]))
                clean[j++] = (char)toupper((unsigned char)enc[i]);
        clean[j] = '\0';
        snprintf(q, sizeof(q), "SET client_encoding = '%s'", clean);
    }
    else
        snprintf(q, sizeof(q), "SET client_encoding = '%s'", e->pgname);
    /* the new encoding object, made before taking the lock: the name
     * shown (normalised; `clean` already is), the codec to come from the
     * server's answer */
    if (!(obj = Py_BuildValue("(sO)", e ? norm : clean, Py_None))
        || !PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 0)))
        goto exit;
    if (conn_lock(self) < 0)
        goto exit;
    r = conn_end_transaction(self, "ROLLBACK");
    if (r == 0)
        r = pq_exec_command(self, NULL, q);
    if (r == 0) {
        r = conn_read_encoding_obj(self, obj, &old);
        obj = NULL;
    }
    conn_unlock(self);
    if (r < 0)
        goto exit;
    rv = Py_NewRef(Py_None);
exit:
    Py_XDECREF(obj);
    Py_XDECREF(old);
    PyMem_Free(norm);
    return rv;
}

static PyObject *
conn_get_encoding(connectionObject *self, void *c)
{
    if (self->encoding == NULL)
        Py_RETURN_NONE;
    return PyUnicode_FromString(self->encoding);
}

PyMethodDef conn_encoding_methods[] = {
    {"set_client_encoding", (PyCFunction)conn_set_client_encoding,
     METH_VARARGS, conn_set_client_encoding_doc},
    {NULL}};

PyGetSetDef conn_encoding_getset[] = {
    {"encoding", (getter)conn_get_encoding,
     (setter)conn_set_readonly_attr, "The client encoding, by PostgreSQL's name (e.g. 'UTF8')", NULL},
    {NULL}};
