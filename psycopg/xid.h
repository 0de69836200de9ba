/* psycopg2.extensions.Xid: a two-phase commit transaction id. */
#ifndef PSYCOPG_XID_H
#define PSYCOPG_XID_H

#include "psycopg.h"
#include "module.h"

typedef struct {
    PyObject_HEAD
    PyObject *format_id;   /* int, or None for a non-XA id */
    PyObject *gtrid;       /* str */
    PyObject *bqual;       /* str, or None for a non-XA id */
    PyObject *prepared;    /* datetime or None (from tpc_recover) */
    PyObject *owner;       /* str or None */
    PyObject *database;    /* str or None */
} xidObject;

/* An Xid from an Xid (new ref to it) or a str (parsed as from_string). */
PyObject *xid_ensure(module_state *st, PyObject *o);
/* The transaction id the server knows: new str. */
PyObject *xid_get_tid(xidObject *self);
/* The prepared transactions of the server: list of Xid (lock not held). */
PyObject *xid_recover(connectionObject *conn);

int xid_setup(PyObject *module, module_state *st);

#endif /* PSYCOPG_XID_H */
