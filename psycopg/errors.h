/* The DB-API exception hierarchy and mapping server errors to it. */
#ifndef PSYCOPG_ERRORS_H
#define PSYCOPG_ERRORS_H

#include "psycopg.h"
#include "module.h"

/* Instance layout shared by psycopg2.Error and all its subclasses. */
typedef struct {
    PyBaseExceptionObject base;
    PyObject *pgerror;         /* str or None */
    PyObject *pgcode;          /* str or None */
    PyObject *cursor;          /* cursor or None */
    PGresult *pgres;           /* kept for Diagnostics, owned */
    char pyenc[32];            /* codec of the fields in pgres; "" = UTF-8 */
} errorObject;

/* The most specific class for a SQLSTATE (borrowed reference). */
PyObject *err_class_for_sqlstate(module_state *st, const char *code);

/* The server's errors are raised through the connection (conn_fail_result
 * in connection.h), which builds them after releasing its lock
 * (err_raise_failure). */

/* Set up the Diagnostics type (diagnostics.c). */
int diag_setup(PyObject *module, module_state *st);

/* Raise `exc` with prefix + msg, the trailing newlines of msg removed
 * (libpq messages end with one).  Returns -1. */
int err_raise_trimmed(PyObject *exc, const char *prefix, const char *msg);

/* Raise `exc` with a message and no server details.  Returns -1. */
int err_raise_simple(PyObject *exc, const char *msg);

#endif /* PSYCOPG_ERRORS_H */
