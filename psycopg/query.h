/* Client-side parameter merging: %s and %(name)s into the query text. */
#ifndef PSYCOPG_QUERY_H
#define PSYCOPG_QUERY_H

#include "psycopg.h"
#include "microprotocols.h"

/* Merge `vars` (a sequence or a mapping, not None) into `query` (bytes in
 * the connection encoding).  Returns the final query bytes (new ref) or NULL
 * with the DB-API exception psycopg2 gives for that mistake. */
PyObject *query_merge(connectionObject *conn, PyObject *query, PyObject *vars);
/* The same with `conn` NULL allowed (mogrify() on a cursor without a
 * connection, as psycopg2 allows): no adapter prepare(), names read as
 * UTF-8. */
PyObject *query_merge_st(module_state *st, connectionObject *conn,
                         PyObject *query, PyObject *vars);

/* query_merge with a memo of the default adapters (microprotocols.h),
 * for the rows of one executemany(): used only while looking the values
 * up runs no Python code (vars an exact tuple, list or dict, names
 * decoded as UTF-8), cleared otherwise. */
PyObject *query_merge_memo(connectionObject *conn, PyObject *query,
                           PyObject *vars, mp_default_memo *memo);

/* After a failed query_merge for a cursor: a psycopg2.Error raised
 * without a cursor gets `curs` as its .cursor, as psycopg2 reports it. */
void query_error_set_cursor(connectionObject *conn, PyObject *curs);

#endif /* PSYCOPG_QUERY_H */
