/* Encoding-safe quoting of string and bytea literals through libpq.
 *
 * All escaping goes through libpq: with a connection PQescapeStringConn and
 * PQescapeByteaConn know the client encoding (so a multibyte character whose
 * trailing byte is 0x5c under SJIS, BIG5, GBK or GB18030 is never taken for
 * a backslash) and standard_conforming_strings.  The E'' prefix is decided
 * from the same libpq view of standard_conforming_strings that the escaping
 * used, so the two can never disagree. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "escape.h"

#include <string.h>

int
escape_conn_usable(connectionObject *conn)
{
    return conn != NULL && !conn->closed && conn->pgconn != NULL
        && PQstatus(conn->pgconn) == CONNECTION_OK;
}

int
escape_needs_equote(connectionObject *conn)
{
    const char *scs;

    /* Without a usable connection libpq's PQescapeString follows whatever
     * standard_conforming_strings the last connection reported: an E prefix
     * could then turn its output into an escape string, so never add one. */
    if (!escape_conn_usable(conn)) {
        return 0;
    }
    /* libpq escapes backslashes unless this parameter is exactly "on". */
    scs = PQparameterStatus(conn->pgconn, "standard_conforming_strings");
    return (scs != NULL && strcmp(scs, "on") == 0) ? 0 : 1;
}

static inline int
escape_check_size(Py_ssize_t len)
{
    /* room for doubling every byte plus prefix, quotes and suffix */
    if (len < 0 || len > (PY_SSIZE_T_MAX - 64) / 2) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

PyObject *
escape_string_literal(module_state *st, connectionObject *conn,
                      const char *s, Py_ssize_t len)
{
    PyObject *rv = NULL;
    char *buf = NULL;
    char *p;
    size_t elen;
    int err = 0;
    int equote;

    if (memchr(s, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_ValueError,
                        "A string literal cannot contain NUL (0x00) "
                        "characters.");
        goto exit;
    }
    if (escape_check_size(len) < 0) {
        goto exit;
    }
    equote = escape_needs_equote(conn);
    if (!(buf = PyMem_Malloc((size_t)len * 2 + 4))) {
        PyErr_NoMemory();
        goto exit;
    }
    p = buf;
    if (equote) {
        *p++ = 'E';
    }
    *p++ = '\'';
    if (escape_conn_usable(conn)) {
        elen = PQescapeStringConn(conn->pgconn, p, s, (size_t)len, &err);
        if (err) {
            const char *msg = PQerrorMessage(conn->pgconn);
            PyErr_Format(st ? st->DataError : PyExc_ValueError,
                         "can't escape string: %s",
                         (msg && *msg) ? msg : "invalid multibyte character");
            goto exit;
        }
    }
    else {
        elen = PQescapeString(p, s, (size_t)len);
    }
    p += elen;
    *p++ = '\'';
    rv = PyBytes_FromStringAndSize(buf, p - buf);

exit:
    PyMem_Free(buf);
    return rv;
}

PyObject *
escape_quote_text(module_state *st, connectionObject *conn, PyObject *value,
                  const char *encoding)
{
    PyObject *rv = NULL;
    PyObject *b = NULL;
    char *s;
    Py_ssize_t len;

    if (PyUnicode_Check(value)) {
        if (escape_conn_usable(conn)) {
            b = conn_encode(conn, value);
        }
        else {
            b = PyUnicode_AsEncodedString(
                value, encoding ? encoding : "latin1", "strict");
        }
        if (b == NULL) {
            goto exit;
        }
        if (!PyBytes_Check(b)) {
            PyErr_Format(PyExc_TypeError,
                         "encoding returned %.200s, not bytes",
                         Py_TYPE(b)->tp_name);
            goto exit;
        }
    }
    else if (PyBytes_Check(value)) {
        b = Py_NewRef(value);
    }
    else {
        PyErr_SetString(PyExc_TypeError,
                        "can't quote non-string object"); /* psycopg2's */
        goto exit;
    }
    if (PyBytes_AsStringAndSize(b, &s, &len) < 0) {
        goto exit;
    }
    rv = escape_string_literal(st, conn, s, len);

exit:
    Py_XDECREF(b);
    return rv;
}

PyObject *
escape_bytea_literal(module_state *st, connectionObject *conn, const char *s,
                     Py_ssize_t len)
{
    PyObject *rv = NULL;
    unsigned char *esc = NULL;
    char *buf = NULL;
    char *p;
    size_t elen = 0;
    int equote;

    if (len == 0 && !escape_conn_usable(conn)) {
        /* libpq's escape format (no connection) has no "\x" prefix */
        rv = PyBytes_FromStringAndSize("''::bytea", 9);
        goto exit;
    }
    if (escape_check_size(len) < 0) {
        goto exit;
    }
    if (escape_conn_usable(conn)) {
        esc = PQescapeByteaConn(conn->pgconn, (const unsigned char *)s,
                                (size_t)len, &elen);
        equote = escape_needs_equote(conn);
    }
    else {
        esc = PQescapeBytea((const unsigned char *)s, (size_t)len, &elen);
        equote = 0;
    }
    if (esc == NULL) {
        if (escape_conn_usable(conn) && *PQerrorMessage(conn->pgconn)) {
            PyErr_Format(st ? st->OperationalError : PyExc_MemoryError,
                         "can't escape bytea: %s",
                         PQerrorMessage(conn->pgconn));
        }
        else {
            PyErr_NoMemory();
        }
        goto exit;
    }
    if (elen > 0) {
        elen--; /* libpq counts the terminating NUL */
    }
    if (elen > (size_t)(PY_SSIZE_T_MAX - 16)) {
        PyErr_NoMemory();
        goto exit;
    }
    if (!(buf = PyMem_Malloc(elen + 16))) {
        PyErr_NoMemory();
        goto exit;
    }
    p = buf;
    if (equote && memchr(esc, '\\', elen) != NULL) {
        *p++ = 'E';
    }
    *p++ = '\'';
    memcpy(p, esc, elen);
    p += elen;
    memcpy(p, "'::bytea", 8);
    p += 8;
    rv = PyBytes_FromStringAndSize(buf, p - buf);

exit:
    if (esc) {
        PQfreemem(esc);
    }
    PyMem_Free(buf);
    return rv;
}
