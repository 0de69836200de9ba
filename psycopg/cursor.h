/* The cursor object (cursor.c, cursor_fetch.c, cursor_copy.c,
 * cursor_batch.c). */
#ifndef PSYCOPG_CURSOR_H
#define PSYCOPG_CURSOR_H

#include "psycopg.h"
#include "connection.h"
#include "typecast.h"

#include "result.h"

struct cursorObject {
    PyObject_HEAD
    connectionObject *conn;    /* strong ref */
    PyObject *name;            /* str or NULL for client-side cursors */
    char *qname;               /* quoted identifier of the name */

    int closed;
    int withhold;
    int scrollable;            /* -1 unspecified, 0 NO SCROLL, 1 SCROLL */
    long mark;                 /* conn->mark when made or executed */

    curs_result *result;       /* current result (one reference), or NULL */
    PGresult *pgres;           /* result->pgres, or NULL */
    int nfields;               /* result->nfields */
    Py_ssize_t ntuples;        /* result->ntuples */
    int busy;                  /* operations in progress (curs_op_begin) */
    Py_ssize_t rowcount;
    Py_ssize_t rownumber;
    long arraysize;            /* C longs as psycopg2: same errors */
    long itersize;
    Oid lastoid;

    PyObject *description;     /* tuple of Column, or NULL: see desc_res */
    curs_result *desc_res;     /* the result whose description is not
                                * built yet (owned), or NULL: None */
    unsigned long result_gen;  /* bumped whenever pgres changes */
    int row_kind;              /* how rows are built (cursor.c); 0: unknown */
    PyObject *row_kind_for;    /* the row_factory row_kind was chosen for */
    PyObject *row_prep;        /* what the C-built rows of pgres share */
    PyObject *query;           /* bytes of the last query sent, or NULL */
    PyObject *statusmessage;   /* str or NULL */
    PyObject *tzinfo_factory;
    PyObject *row_factory;
    PyObject *string_types;    /* per-cursor casters or NULL */
    PyObject *binary_types;

    PyObject *copyfile;        /* file object during COPY */
    Py_ssize_t copysize;

    PyObject *weakreflist;
};

/* A cursor made by __new__ alone (its __init__ never ran, or failed) has
 * no connection: every method refuses it. */
static inline int
curs_check_init(cursorObject *self)
{
    if (self->conn == NULL) {
        module_state *st = mod_state_from_type(Py_TYPE(self));
        PyErr_SetString(st ? st->InterfaceError : PyExc_TypeError,
                        "the cursor has no connection");
        return -1;
    }
    return 0;
}

static inline int
curs_check_open(cursorObject *self)
{
    if (curs_check_init(self) < 0)
        return -1;
    if (self->closed || self->conn->closed) {
        PyErr_SetString(self->conn->st->InterfaceError,
                        "cursor already closed");
        return -1;
    }
    return 0;
}

/* An operation (execute, fetch, copy, ...) runs from curs_op_begin to
 * curs_op_end: it holds a strong reference to the connection, and the
 * cursor refuses __init__() meanwhile, so what Python code run by the
 * operation does cannot take the connection away from under it. */
static inline connectionObject *
curs_op_begin(cursorObject *self)
{
    self->busy++;
    return (connectionObject *)Py_NewRef(self->conn);
}

static inline void
curs_op_end(cursorObject *self, connectionObject *conn)
{
    self->busy--;
    Py_DECREF(conn);
}

/* Replace the cursor's result with `res` (stolen) and build the
 * description and the casters for it. */
int curs_set_result(cursorObject *self, PGresult *res);
void curs_clear_result(cursorObject *self);
/* description = None (see desc_res) */
void curs_clear_description(cursorObject *self);
/* cursor.description, made from desc_res when first asked for: a new
 * reference, or NULL with an exception set */
PyObject *curs_description(cursorObject *self);
/* Take a command's final result (stolen): keep it, or raise its error
 * with the cursor attached.  Lock held.  0 or -1. */
int curs_take_result(cursorObject *self, PGresult *res);

/* Run the query bytes `q` and keep the result (want_copy: a COPY is
 * served from self->copyfile).  0 or -1. */
int curs_exec_bytes(cursorObject *self, PyObject *q, int want_copy);
#define CURS_EXEC_COPY 1        /* serve a COPY from self->copyfile */
#define CURS_EXEC_NO_BEGIN 2    /* never open a transaction first */
int curs_exec_flags(cursorObject *self, PyObject *q, int flags);
/* The same, sent only if the connection's encoding object is still
 * `qenc`, the one `q` was encoded with (NULL: no check), or `q` is ASCII;
 * else CURS_ENC_CHANGED, nothing sent, no exception set. */
#define CURS_ENC_CHANGED (-2)
int curs_exec_enc(cursorObject *self, PyObject *q, int flags, PyObject *qenc);
/* Refuse a prepared two-phase transaction / a named cursor whose
 * transaction ended (ProgrammingError).  0 or -1. */
int curs_check_prepared(cursorObject *self);
int curs_check_named_valid(cursorObject *self);
/* Named cursors: run FETCH/MOVE/CLOSE, `fmt` % (arg, quoted name), after
 * curs_check_named_valid; cursor.query is kept.  0 or -1. */
int curs_named_command(cursorObject *self, const char *fmt, const char *arg);
/* cursor_named.c: DECLARE for the query bytes `q` (encoded with `qenc`:
 * see curs_exec_enc); CLOSE for close() (0
 * or -1, the cursor stays open on error); the quoted identifier of a name,
 * in a new PyMem buffer (NULL with an exception set). */
int curs_execute_named(cursorObject *self, PyObject *q, PyObject *qenc);
int curs_close_named(cursorObject *self);
char *curs_quote_name(connectionObject *conn, PyObject *name);

/* A named cursor counts as executed once a query was sent through it (as
 * psycopg2: its .query is set, also by a COPY). */
static inline int
curs_named_executed(cursorObject *self)
{
    return self->query != NULL;
}

/* cursor_fetch.c: fetchone, fetchmany, fetchall, scroll; iteration */
extern PyMethodDef curs_fetch_methods[];
PyObject *curs_iter(cursorObject *self);
PyObject *curs_next(cursorObject *self);

/* cursor_copy.c: serve a COPY result from self->copyfile (or refuse when
 * there is none) and return the final result of the command, or NULL with
 * an exception set.  Takes ownership of res.  Lock held by the caller. */
PGresult *curs_copy_serve(cursorObject *self, PGresult *res, int want_copy);

/* Run a COPY statement (str, bytes or Composable) serving self->copyfile. */
int curs_exec_copy(cursorObject *self, PyObject *sql);

/* Derive the connection status after a command (lock held). */
void curs_update_conn_status(connectionObject *conn);

/* cursor_batch.c: executemany through libpq's pipeline mode.  `usable`
 * says whether the query and the session allow it; `execute` merges each
 * item of `it` into `base` (encoded with `qenc`, taken when
 * conn->enc_gen was `qgen`; see curs_exec_enc) and runs them.  0 or -1. */
int curs_batch_usable(cursorObject *self, PyObject *base);
/* Whether the query bytes hold one statement that is not COPY (the
 * extended protocol takes it). */
int curs_single_statement(const char *s, Py_ssize_t n);
int curs_batch_execute(cursorObject *self, PyObject *base, PyObject *it,
                       PyObject *qenc, unsigned long qgen);
/* InterfaceError: the client encoding changed between building a query
 * and sending it (again, after building it once more).  -1. */
int curs_raise_enc_changed(cursorObject *self);

/* cursor_copy.c: copy_from, copy_to, copy_expert */
extern PyMethodDef curs_copy_methods[];

/* cursor_callproc.c: callproc */
extern PyMethodDef curs_callproc_methods[];

/* Query building (cursor.c): a query (str, bytes or sql.Composable) as
 * bytes in the connection encoding; a str (encoded) or bytes argument,
 * TypeError otherwise; the encoding object to build a query with (new
 * reference, for curs_exec_enc); the checks before running a query (0 or
 * -1).  curs_raise_enc_changed is above. */
PyObject *curs_query_bytes(cursorObject *self, PyObject *query);
PyObject *curs_bytes_arg(cursorObject *self, PyObject *obj);
PyObject *curs_query_enc(cursorObject *self);
int curs_check_executable(cursorObject *self);

#endif /* PSYCOPG_CURSOR_H */
