/* Module state and module-level helpers of psycopg2._psycopg. */
#ifndef PSYCOPG_MODULE_H
#define PSYCOPG_MODULE_H

#include "psycopg.h"

/* adapter_builtins.c: a default registration, for lookups that need no
 * new key, and that mp_getquoted() may skip (`direct`: the row's quote
 * function is called without making an adapter while `adapter` is still
 * the registered one).  The pointers are borrowed from
 * adapter_default_keys (the keys, which hold their type, and the adapters)
 * or static (the row). */
typedef struct {
    PyTypeObject *pytype;
    PyObject *key;                 /* (pytype, ISQLQuote) */
    PyObject *adapter;             /* the default adapter */
    const struct adapter_def *def;
    int direct;
} adapter_default;
#define ADAPTER_MAX_DEFAULTS 24

/* Everything that is per-interpreter lives here; C globals hold only const
 * tables, the datetime C API and the debug flag.  Each subsystem owns one
 * section; module.c traverses and clears every field. */
struct module_state {
    PyObject *module; /* borrowed: the module owns its state */

    /* errors.c: the DB-API hierarchy and the SQLSTATE classes */
    PyObject *Warning;
    PyObject *Error;
    PyObject *InterfaceError;
    PyObject *DatabaseError;
    PyObject *DataError;
    PyObject *OperationalError;
    PyObject *IntegrityError;
    PyObject *InternalError;
    PyObject *ProgrammingError;
    PyObject *NotSupportedError;
    PyObject *QueryCanceledError;
    PyObject *TransactionRollbackError;
    PyObject *sqlstate_errors; /* dict: SQLSTATE str -> class */
    PyTypeObject *diagnostics_type;

    /* connection.c, cursor.c and their small types */
    PyTypeObject *connection_type;
    PyTypeObject *cursor_type;
    PyTypeObject *column_type;
    PyTypeObject *notify_type;
    PyTypeObject *conninfo_type;
    PyTypeObject *lobject_type;     /* lobject.c */
    PyObject *encodings;      /* dict: PostgreSQL encoding -> Python codec */
    PyObject *enc_tuples;     /* tuple: per conn_encoding_table row, the
                               * connection encoding object (name, codec) */
    PyObject *wait_callback;  /* green callback or NULL */
    PyTypeObject *xid_type;   /* xid.c */
    PyTypeObject *repl_conn_type;    /* replication_connection.c */
    PyTypeObject *repl_curs_type;    /* replication_cursor.c */
    PyTypeObject *repl_msg_type;     /* replication_message.c */

    /* typecast.c: casters and registries */
    PyTypeObject *typecast_type;
    PyTypeObject *bytea_chunk_type; /* typecast_bytea.c */
    PyObject *string_types;   /* dict: oid int -> caster */
    PyObject *binary_types;   /* dict: oid int -> caster */
    PyObject *default_cast;   /* caster for oids with no registration */

    /* microprotocols.c and adapter_*.c */
    PyObject *adapters;       /* dict: (type, ISQLQuote) -> adapter */
    PyTypeObject *isqlquote_type;
    PyTypeObject *asis_type;
    PyTypeObject *qstring_type;
    PyTypeObject *binary_type;
    PyTypeObject *boolean_type;
    PyTypeObject *int_type;
    PyTypeObject *float_type;
    PyTypeObject *decimal_adapter_type;
    PyTypeObject *list_type;
    PyTypeObject *sql_in_type;
    PyTypeObject *none_adapter_type;
    PyTypeObject *pydatetime_type;
    PyObject *adapter_default_keys;  /* list: keys and adapters, kept */
    adapter_default adapter_defaults[ADAPTER_MAX_DEFAULTS]; /* direct 1st */
    int adapter_ndefaults;

    /* cursor.c: rows built in C for extras' row classes (_set_row_builder);
     * each prep is f(cursor) -> what the rows of one result share */
    PyObject *row_dictrow;        /* DictRow class, row_factory */
    PyObject *row_dictrow_prep;   /* -> the name -> position index */
    PyObject *row_dictrow_attr;   /* "_index", interned */
    PyObject *row_realdictrow;    /* RealDictRow class, row_factory */
    PyObject *row_realdictrow_prep;  /* -> the column names */
    PyObject *row_ntcursor;       /* NamedTupleCursor class */
    PyObject *row_ntcursor_prep;  /* -> the namedtuple class */

    /* Python objects used on hot paths */
    PyObject *Decimal;        /* decimal.Decimal */
    PyObject *timezone;       /* datetime.timezone */
};

extern struct PyModuleDef psycopg_module_def;

/* State of the module that defined `type` (works for subclasses too). */
module_state *mod_state_from_type(PyTypeObject *type);

static inline module_state *
mod_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

/* Add a type to the module under its short name and keep a strong ref in
 * *slot.  Returns 0 or -1. */
int mod_add_type(PyObject *module, PyType_Spec *spec, PyObject *base,
                 PyTypeObject **slot);
/* mod_add_type for a type whose methods and attributes come from several
 * files: `methods` and `getset` are NULL-terminated lists of tables, joined
 * into the type's Py_tp_methods and Py_tp_getset (which the spec's slots
 * must have), since an immutable type takes nothing after it is made. */
int mod_add_type_parts(PyObject *module, PyType_Spec *spec, PyObject *base,
                       PyTypeObject **slot, PyMethodDef *const *methods,
                       PyGetSetDef *const *getset);

/* Per-subsystem setup, called once from module exec. */
int err_setup(PyObject *module, module_state *st);
int conn_setup(PyObject *module, module_state *st);
int curs_setup(PyObject *module, module_state *st);
int column_setup(PyObject *module, module_state *st);
int notify_setup(PyObject *module, module_state *st);
int conninfo_setup(PyObject *module, module_state *st);
int typecast_setup(PyObject *module, module_state *st);
int mp_setup(PyObject *module, module_state *st);
int xid_setup(PyObject *module, module_state *st);
int repl_conn_setup(PyObject *module, module_state *st);
int repl_curs_setup(PyObject *module, module_state *st);
int repl_msg_setup(PyObject *module, module_state *st);

#endif /* PSYCOPG_MODULE_H */
