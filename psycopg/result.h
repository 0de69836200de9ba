/* A query result shared by the cursor and every fetch in progress. */
#ifndef PSYCOPG_RESULT_H
#define PSYCOPG_RESULT_H

#include "psycopg.h"
#include "typecast.h"
#include "result_store.h"

/* How one column of a result is cast, resolved once per result: the row
 * loop calls `ccast` directly, or typecast_cast(caster) when the caster is
 * a Python one (ccast NULL). */
typedef struct {
    typecast_cfunc ccast;
    PyObject *base;            /* element caster of arrays, owned */
    PyObject *caster;          /* owned */
    int tz;                    /* values carry a tzinfo from the factory */
} curs_colcast;

/* A reference-counted holder of a result and of what decoding it needs.
 * The cursor holds one reference; a fetch takes its own before calling any
 * Python code (caster, tzinfo_factory, row factory, or an allocation that
 * may run the garbage collector) and reads only through it, so closing or
 * re-executing the cursor meanwhile cannot free what is being parsed.
 * Only touched with the GIL held.
 *
 * A big result keeps its values in `store` and, in `pgres`, a copy of the
 * PGresult without the rows (status, command tag, columns): the original,
 * about twice the size of the store, is freed at once.  A small one keeps
 * its PGresult (store.rows NULL).
 *
 * A fetch that takes every remaining row of a big result as plain tuples
 * of immutable values (`keep_ok`: only builtin casters of such values)
 * releases each row from the store once built, keeping the tuple in the
 * row's slot instead: the store's chunks are freed as the rows are built,
 * and a later fetch of the row (after scroll()) serves the same tuple, or
 * a row made from its values. */
typedef struct curs_result {
    Py_ssize_t refcnt;
    PGresult *pgres;           /* owned; without rows when store.rows is
                                * set, until result_pgresult() */
    int pgres_full;            /* result_pgresult() put the rows back */
    int nfields;
    Py_ssize_t ntuples;
    rstore store;              /* the values of a big result */
    curs_colcast *casts;       /* one per column, or NULL */
    typecast_tzcache tzcache;  /* tzinfo objects made for this result */
    typecast_datecache datecache; /* date objects, for a big result */
    PyObject *enc;             /* the connection's encoding object when the
                                * result was produced (owned), or NULL */
    module_state *st;          /* set with the casts */
    int nfetch;                /* fetches in progress on it */
    int keep_ok;               /* rows may be kept instead of their values */
    int has_tz;                /* some column has casts[i].tz */
    int all_c;                 /* every column has a C caster (ccast) */
} curs_result;

/* A new result owning `res` (stolen, also on error: its values are copied
 * to the store and it is freed), decoded with the encoding object `enc` (a
 * new reference is taken; NULL: UTF-8); NULL with an exception set. */
curs_result *result_new(PGresult *res, PyObject *enc);
/* The PGresult with all its rows (for cursor.pgresult_ptr): they are put
 * back from the store the first time.  NULL with an exception set, also
 * (NotSupportedError) once a fetch has released rows from the store. */
PGresult *result_pgresult(curs_result *r);
/* Resolve the caster of every column (cursor, connection, global). */
int result_resolve_casts(curs_result *r, cursorObject *curs,
                         connectionObject *conn);

static inline curs_result *
result_incref(curs_result *r)
{
    r->refcnt++;
    return r;
}

/* Drop a reference; the last one frees the PGresult and the casters. */
void result_decref(curs_result *r);
int result_traverse(curs_result *r, visitproc visit, void *arg);

/* What one fetch call holds for its whole duration: strong references to
 * the cursor, its connection, the result, the row factory and what the
 * rows share, plus the casting context (which owns its own references). */
typedef struct curs_fetch {
    cursorObject *curs;
    connectionObject *conn;
    curs_result *res;
    unsigned long gen;         /* the cursor's result_gen at the start */
    int kind;                  /* CURS_ROW_* */
    PyObject *row_factory;     /* or NULL */
    PyObject *row_prep;        /* or NULL until needed */
    int keep;                  /* release the rows built (result_fetch_keep) */
    Py_ssize_t dict_slot;      /* _index offset in dict_tp, -1 none */
    PyObject *dict_tp;         /* the DictRow class dict_slot is for (the
                                * registered class may change mid-fetch) */
    typecast_ctx ctx;
} curs_fetch;

/* Start a fetch on the cursor's current result (which must exist). */
int result_fetch_begin(curs_fetch *f, cursorObject *curs);
void result_fetch_end(curs_fetch *f);
/* NamedTupleCursor: make the Record class now, before any row is built
 * (as psycopg2, which makes it after taking the rows: the caller consumes
 * them when this fails).  0, or -1 with the class's error; a no-op for the
 * other row kinds or once made. */
int result_fetch_prepare(curs_fetch *f);
/* The fetch will build rows [start, start + n): if they are all the rows
 * left and the result allows it (keep_ok, plain tuples, the default
 * tzinfo_factory where it matters), each row built is released from the
 * store and kept by the result. */
void result_fetch_keep(curs_fetch *f, Py_ssize_t start, Py_ssize_t n);
/* Build row `row` of the fetch's result: a new reference or NULL. */
PyObject *result_fetch_row(curs_fetch *f, Py_ssize_t row);
/* Build rows [start, start + n) into items [0, n) of `list` (a new list of
 * n NULLs), setting *pos past each row built: 0, or -1 with an exception
 * (the rows built so far are in the list; *pos is past the row that
 * failed, as psycopg2 consumes it, unless the cursor changed result). */
int result_fetch_rows(curs_fetch *f, Py_ssize_t start, Py_ssize_t n,
                      PyObject *list, Py_ssize_t *pos);
/* After a call into Python: 0 if the cursor still shows the same result,
 * else -1 with InterfaceError (the rows are read safely through the fetch's
 * own reference, but the cursor moved on: its position means nothing). */
int result_fetch_check(curs_fetch *f);
/* 1 if the cursor still holds the result of `f` (no re-execute, close or
 * scroll to another result since result_fetch_begin), else 0. */
int result_fetch_same(curs_fetch *f);

#endif /* PSYCOPG_RESULT_H */
