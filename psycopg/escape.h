/* Encoding-safe quoting of string and bytea literals through libpq. */
#ifndef PSYCOPG_ESCAPE_H
#define PSYCOPG_ESCAPE_H

#include "psycopg.h"
#include "module.h"

/* 1 if the libpq connection of conn can be used for escaping. */
int escape_conn_usable(connectionObject *conn);

/* 1 if literals for conn need the E'' form (standard_conforming_strings is
 * off as libpq sees it), else 0.  Without a usable connection (NULL or
 * closed) 0: the PQescapeString form never gets a prefix. */
int escape_needs_equote(connectionObject *conn);

/* Quote encoded bytes as a string literal: 'it''s' or E'...'.  Uses
 * PQescapeStringConn with a usable conn, else PQescapeString.  NUL bytes
 * raise ValueError; bytes invalid in the client encoding raise DataError.
 * Returns new bytes or NULL. */
PyObject *escape_string_literal(module_state *st, connectionObject *conn,
                                const char *s, Py_ssize_t len);

/* Quote a str or bytes value: a str is encoded with the connection encoding
 * when conn is usable, else with `encoding` (latin1 when NULL). */
PyObject *escape_quote_text(module_state *st, connectionObject *conn,
                            PyObject *value, const char *encoding);

/* Quote bytes as a bytea literal: '\x...'::bytea (E'\\x...'::bytea when
 * needed), ''::bytea when empty.  Returns new bytes or NULL. */
PyObject *escape_bytea_literal(module_state *st, connectionObject *conn,
                               const char *s, Py_ssize_t len);

#endif /* PSYCOPG_ESCAPE_H */
