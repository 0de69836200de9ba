/* extensions.Column: one item of cursor.description. */
#ifndef PSYCOPG_COLUMN_H
#define PSYCOPG_COLUMN_H

#include "psycopg.h"

#define COLUMN_NFIELDS 9

typedef struct {
    PyObject_HEAD
    /* name, type_code, display_size, internal_size, precision, scale,
     * null_ok, table_oid, table_column */
    PyObject *fields[COLUMN_NFIELDS];
} columnObject;

/* A Column from C; steals nothing, all fields may be NULL (None). */
PyObject *column_from_fields(module_state *st, PyObject *const *fields);
/* The description tuple (one Column per field) of a result. */
PyObject *column_description(module_state *st, PyObject *enc,
                             PGresult *res);

#endif /* PSYCOPG_COLUMN_H */
