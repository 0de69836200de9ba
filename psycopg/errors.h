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

/* Raise the error in `res` (or, when res is NULL, the connection's error
 * message).  Takes ownership of res.  `curs` may be NULL.  Marks the
 * connection broken when libpq says so.  Always returns -1. */
int err_raise_from_result(connectionObject *conn, cursorObject *curs,
                          PGresult *res);

/* Set up the Diagnostics type (diagnostics.c). */
int diag_setup(PyObject *module, module_state *st);

/* Raise `exc` with prefix + msg, the trailing newlines of msg removed
 * (libpq messages end with one).  Returns -1. */
int err_raise_trimmed(PyObject *exc, const char *prefix, const char *msg);

/* Raise `exc` with a message and no server details.  Returns -1. */
int err_raise_simple(PyObject *exc, const char *msg);

#endif /* PSYCOPG_ERRORS_H */
