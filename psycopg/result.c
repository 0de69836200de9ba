/* The result object shared by a cursor and its fetches, and row building.
 *
 * The rule (see doc/internals.rst, "Ownership and re-entrancy"): nothing
 * borrowed survives a call into Python.  A fetch takes its own references
 * to the cursor, the connection, the result, the casting context and the
 * row factory before the first caster runs, and reads only through them.
 * What a caster does to the cursor (close it, run another query on it,
 * change the connection encoding, re-initialise it) cannot free what the
 * fetch is reading; the fetch notices afterwards and raises. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "result.h"
#include "typecast.h"

#include <structmember.h>

/* ---- the result ---- */

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Results of this many values or more are moved to a store: libpq spends
 * 16 bytes per value beside the bytes, the store 2, which matters for big
 * results only; a smaller one is read from its PGresult (copying it would
 * cost more time than it saves memory). */
#define RESULT_COMPACT_VALUES 100000
/* Copying this many values or more is done with the GIL released. */
#define RESULT_NOGIL_VALUES 200000
/* Past this many values, the memory of the PGresult just freed is given
 * back to the system at once: libpq made it of 2 KB blocks in malloc's
 * heap, which free() alone keeps (and counts in the RSS) until the heap
 * above them is free too. */
#define RESULT_TRIM_VALUES 500000

/* Move the values of `res` (stolen) to the store; r->pgres becomes a copy
 * of `res` without rows. */
static int
result_compact(curs_result *r, PGresult *res)
{
    int rv;

    if (!(r->pgres = PQcopyResult(res, PG_COPYRES_ATTRS))) {
        PQclear(res);
        PyErr_NoMemory();
        return -1;
    }
    if ((double)r->ntuples * r->nfields < RESULT_NOGIL_VALUES) {
        rv = rstore_fill(&r->store, res);
        PQclear(res);
    }
    else {
        int trim = (double)r->ntuples * r->nfields >= RESULT_TRIM_VALUES;
        Py_BEGIN_ALLOW_THREADS
        rv = rstore_fill(&r->store, res);
        PQclear(res);
#ifdef __GLIBC__
        if (trim)
            (void)malloc_trim(0);
#else
        (void)trim;
#endif
        Py_END_ALLOW_THREADS
    }
    if (rv < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

curs_result *
result_new(PGresult *res, PyObject *enc)
{
    curs_result *r = PyMem_Calloc(1, sizeof(curs_result));
    if (r == NULL) {
        PQclear(res);
        PyErr_NoMemory();
        return NULL;
    }
    r->refcnt = 1;
    r->nfields = PQnfields(res);
    r->ntuples = PQntuples(res);
    r->enc = Py_XNewRef(enc);
    if ((double)r->ntuples * r->nfields >= RESULT_COMPACT_VALUES) {
        if (result_compact(r, res) < 0) {
            result_decref(r);
            return NULL;
        }
        typecast_datecache_init(&r->datecache, r->ntuples);
    }
    else
        r->pgres = res;
    return r;
}

PGresult *
result_pgresult(curs_result *r)
{
    if (r->store.rows != NULL && !r->pgres_full && r->store.nreleased > 0) {
        /* only the row objects are left of them */
        PyErr_SetString(r->st->NotSupportedError,
                        "pgresult_ptr is not available after a fetch took "
                        "the rows of a big result");
        return NULL;
    }
    if (r->store.rows != NULL && !r->pgres_full) {
        if (rstore_to_pgresult(&r->store, r->pgres) < 0) {
            PyErr_NoMemory();
            return NULL;
        }
        r->pgres_full = 1;
    }
    return r->pgres;
}

/* Casters whose values are immutable, so that one object may be served
 * again where psycopg2 would make an equal one: 1 (*tz set when the value
 * may carry a tzinfo made by the tzinfo_factory), else 0. */
static int
result_immutable_cast(typecast_cfunc f, int *tz)
{
    *tz = 0;
    if (f == typecast_int_cast || f == typecast_float_cast
        || f == typecast_number_cast || f == typecast_decimal_cast
        || f == typecast_bool_cast || f == typecast_unicode_cast
        || f == typecast_bytes_cast || f == typecast_date_cast
        || f == typecast_interval_cast)
        return 1;
    if (f == typecast_time_cast || f == typecast_timestamp_cast
        || f == typecast_timestamptz_cast) {
        *tz = 1;
        return 1;
    }
    /* arrays (lists), memoryview, Python casters */
    return 0;
}

int
result_resolve_casts(curs_result *r, cursorObject *curs,
                     connectionObject *conn)
{
    int i;
    r->st = conn->st;
    if (r->nfields <= 0 || r->casts != NULL)
        return 0;
    if (!(r->casts = PyMem_Calloc(r->nfields, sizeof(curs_colcast)))) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < r->nfields; i++) {
        curs_colcast *cc = &r->casts[i];
        PyObject *base = NULL;
        PyObject *c = typecast_lookup(conn->st, curs, conn,
                                      PQftype(r->pgres, i));
        if (c == NULL)
            return -1;
        cc->caster = c; /* new reference */
        cc->ccast = typecast_resolve(conn->st, c, &base);
        cc->base = Py_XNewRef(base);
    }
    /* only big results have a store to release rows from */
    r->keep_ok = r->store.rows != NULL;
    r->all_c = 1;
    for (i = 0; i < r->nfields; i++) {
        curs_colcast *cc = &r->casts[i];
        r->all_c &= cc->ccast != NULL;
        if (!r->keep_ok)
            continue;
        if (!result_immutable_cast(cc->ccast, &cc->tz) || cc->base != NULL)
            r->keep_ok = 0;
        r->has_tz |= cc->tz;
    }
    return 0;
}

void
result_decref(curs_result *r)
{
    int i;
    Py_ssize_t row;
    rstore store;
    if (r == NULL || --r->refcnt > 0)
        return;
    /* freed before the Python references: their __del__ may run anything
     * but can no longer reach this result */
    if (r->pgres)
        PQclear(r->pgres);
    r->pgres = NULL;
    store = r->store;
    memset(&r->store, 0, sizeof(r->store));
    rstore_trim(&store);
    /* the rows kept in place of released ones: tuples of immutable
     * builtin values, whose deallocation runs no Python code */
    for (row = 0; store.nreleased > 0 && row < store.nrows; row++) {
        if (rstore_is_released(&store, row)) {
            Py_DECREF((PyObject *)store.rows[row].kept);
            store.nreleased--;
        }
    }
    rstore_free(&store);
    typecast_tzcache_clear(&r->tzcache);
    typecast_datecache_clear(&r->datecache);
    Py_CLEAR(r->enc);
    if (r->casts) {
        for (i = 0; i < r->nfields; i++) {
            Py_XDECREF(r->casts[i].caster);
            Py_XDECREF(r->casts[i].base);
        }
        PyMem_Free(r->casts);
    }
    PyMem_Free(r);
}

int
result_traverse(curs_result *r, visitproc visit, void *arg)
{
    int i;
    if (r == NULL)
        return 0;
    Py_VISIT(r->tzcache.dict);
    Py_VISIT(r->tzcache.factory);
    if (r->casts) {
        for (i = 0; i < r->nfields; i++) {
            Py_VISIT(r->casts[i].caster);
            Py_VISIT(r->casts[i].base);
        }
    }
    return 0;
}

/* ---- fetching ---- */

/* The exported functions are these, which calls in this file inline
 * (an exported function is not inlined in a shared object). */
static inline int
result_fetch_same_i(curs_fetch *f)
{
    cursorObject *c = f->curs;
    return c->result_gen == f->gen && c->result == f->res;
}

static int
result_fetch_changed(curs_fetch *f)
{
    PyErr_SetString(f->conn->st->InterfaceError,
                    "the cursor's result changed while fetching a row");
    return -1;
}

static inline int
result_fetch_check_i(curs_fetch *f)
{
    if (!result_fetch_same_i(f))
        return result_fetch_changed(f);
    return 0;
}

int
result_fetch_same(curs_fetch *f)
{
    return result_fetch_same_i(f);
}

int
result_fetch_check(curs_fetch *f)
{
    return result_fetch_check_i(f);
}

/* Row kinds: tuples, any Python row_factory (slow path), and the extras
 * row classes registered with _set_row_builder, built here without calling
 * Python for each cell.  Their shared part (row_prep) comes from the
 * registered prep function, once per result, when the first row is built
 * (NamedTupleCursor: result_fetch_prepare, before any row is taken). */
enum {
    CURS_ROW_TUPLE = 1,
    CURS_ROW_FACTORY,          /* row_factory(cursor), then row[i] = value */
    CURS_ROW_DICT,             /* DictRow: list items + _index */
    CURS_ROW_REALDICT,         /* RealDictRow: name -> value in order */
    CURS_ROW_NT,               /* NamedTupleCursor: the Record class */
    CURS_ROW_NT_MAKE           /* ... not a plain tuple subclass: _make() */
};

/* Choose the row kind for the cursor's row_factory (cached on the cursor). */
static void
result_choose_kind(cursorObject *self, module_state *st)
{
    PyObject *rf = self->row_factory;
    int kind;

    if (rf == Py_None)
        rf = NULL;
    if (self->row_kind != 0 && self->row_kind_for == rf)
        return;
    if (rf == NULL)
        kind = st->row_ntcursor != NULL
                       && PyObject_TypeCheck(self,
                                             (PyTypeObject *)st->row_ntcursor)
                   ? CURS_ROW_NT
                   : CURS_ROW_TUPLE;
    else if (rf == st->row_dictrow)
        kind = CURS_ROW_DICT;
    else if (rf == st->row_realdictrow)
        kind = CURS_ROW_REALDICT;
    else
        kind = CURS_ROW_FACTORY;
    Py_CLEAR(self->row_prep);
    Py_XSETREF(self->row_kind_for, Py_XNewRef(rf));
    self->row_kind = kind;
}

int
result_fetch_begin(curs_fetch *f, cursorObject *curs)
{
    connectionObject *conn = curs->conn;
    module_state *st = conn->st;

    memset(f, 0, sizeof(*f));
    if (curs->result == NULL) {
        PyErr_SetString(st->ProgrammingError, "no results to fetch");
        return -1;
    }
    f->curs = (cursorObject *)Py_NewRef(curs);
    f->conn = (connectionObject *)Py_NewRef(conn);
    f->res = result_incref(curs->result);
    f->res->nfetch++;
    f->gen = curs->result_gen;
    result_choose_kind(curs, st);
    f->kind = curs->row_kind;
    f->row_factory = Py_XNewRef(curs->row_kind_for);
    f->row_prep = Py_XNewRef(curs->row_prep);
    typecast_ctx_init(&f->ctx, st, curs, conn);
    f->ctx.tzcache = &f->res->tzcache;
    f->ctx.datecache = &f->res->datecache;
    /* the bytes are in the encoding the server used for this result, even
     * if set_client_encoding() ran since */
    typecast_ctx_set_enc(&f->ctx, f->res->enc);
    return 0;
}

void
result_fetch_end(curs_fetch *f)
{
    typecast_ctx_fini(&f->ctx);
    Py_CLEAR(f->dict_tp);
    Py_CLEAR(f->row_prep);
    Py_CLEAR(f->row_factory);
    if (f->res) {
        /* the last fetch out frees what the others could not */
        if (--f->res->nfetch == 0 && f->res->store.pending > 0)
            rstore_trim(&f->res->store);
        result_decref(f->res);
        f->res = NULL;
    }
    Py_CLEAR(f->conn);
    Py_CLEAR(f->curs);
}

void
result_fetch_keep(curs_fetch *f, Py_ssize_t start, Py_ssize_t n)
{
    curs_result *r = f->res;
    f->keep = r->keep_ok && f->kind == CURS_ROW_TUPLE && n > 0
              && start + n >= r->ntuples
              && (!r->has_tz || f->ctx.tzinfo_factory == r->st->timezone);
}

/* Where a row's values come from, read once at the start of the row:
 * the tuple kept for it if it was released (a new reference), else its
 * data in the store (or NULL: in the PGresult).  Another fetch (a thread,
 * or Python code run by this one) may release the row meanwhile, which
 * replaces the slot, but its chunk stays while this fetch is in progress:
 * chunks are freed only between two rows of the only fetch in progress. */
typedef struct {
    PyObject *kept;
    const char *data;
} result_src;

static inline void
result_src_get(curs_fetch *f, Py_ssize_t row, result_src *src)
{
    const rstore *s = &f->res->store;
    src->kept = NULL;
    src->data = NULL;
    if (s->rows == NULL)
        return;
    if (s->nreleased > 0 && rstore_is_released(s, row))
        src->kept = Py_NewRef((PyObject *)s->rows[row].kept);
    else
        src->data = s->rows[row].data;
}

/* Would the kept values of tz columns differ from what casting makes now?
 * They were made with the default tzinfo_factory. */
static inline int
result_kept_retz(curs_fetch *f)
{
    return f->res->has_tz && f->ctx.tzinfo_factory != f->res->st->timezone;
}

/* Cell (row, col) from `src`: cast, or taken from the kept tuple.  A new
 * reference or NULL. */
static inline PyObject *
result_cast_cell(curs_fetch *f, Py_ssize_t row, int col,
                 const result_src *src)
{
    const curs_colcast *cc = &f->res->casts[col];
    Py_ssize_t len;
    const char *s;
    PyObject *rv;

    if (src->kept != NULL) {
        rv = PyTuple_GET_ITEM(src->kept, col);
        /* as the current tzinfo_factory would make it */
        if (cc->tz && result_kept_retz(f))
            return typecast_retz(rv, &f->ctx);
        return Py_NewRef(rv);
    }
    if (src->data != NULL)
        s = rstore_cell_at(&f->res->store, src->data, row, col, &len);
    else {
        PGresult *res = f->res->pgres;
        len = PQgetlength(res, (int)row, col);
        if (len == 0 && PQgetisnull(res, (int)row, col))
            s = NULL;
        else
            s = PQgetvalue(res, (int)row, col);
    }

    if (cc->ccast != NULL) {
        if (s == NULL)
            return Py_NewRef(Py_None);
        return cc->ccast(s, len, &f->ctx, cc->base);
    }
    rv = typecast_cast(cc->caster, s, len, &f->ctx);
    if (rv != NULL && result_fetch_check_i(f) < 0)
        Py_CLEAR(rv);
    return rv;
}

/* The values of a row from `src` into items[0, n) (new references), and
 * *containers set if one of them is a GC type.  0, or -1 with the values
 * made so far in items (the others untouched).  `setsize`: a list whose
 * size follows the items set. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int
result_fill(curs_fetch *f, Py_ssize_t row, const result_src *src,
            PyObject **items, PyObject *setsize, int *containers)
{
    int n = f->res->nfields, i;
    PyObject *val;

    if (src->kept == NULL && f->res->all_c) {
        /* the usual row: C casters only, the cells read in line */
        const curs_colcast *cc = f->res->casts;
        const rstore *st = &f->res->store;
        PGresult *res = f->res->pgres;
        for (i = 0; i < n; i++, cc++) {
            Py_ssize_t len;
            const char *s;
            if (src->data != NULL)
                s = rstore_cell_at(st, src->data, row, i, &len);
            else {
                len = PQgetlength(res, (int)row, i);
                s = len == 0 && PQgetisnull(res, (int)row, i)
                        ? NULL
                        : PQgetvalue(res, (int)row, i);
            }
            if (s == NULL)
                val = Py_NewRef(Py_None);
            else if (cc->ccast != typecast_int_cast
                     || (!(val = typecast_int_fast(s, len))
                         && !PyErr_Occurred()))
                val = cc->ccast(s, len, &f->ctx, cc->base);
            if (val == NULL)
                return -1;
            *containers |= PyType_IS_GC(Py_TYPE(val));
            items[i] = val;
            if (setsize)
                Py_SET_SIZE(setsize, i + 1);
        }
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!(val = result_cast_cell(f, row, i, src)))
            return -1;
        *containers |= PyType_IS_GC(Py_TYPE(val));
        items[i] = val;
        if (setsize)
            Py_SET_SIZE(setsize, i + 1);
    }
    return 0;
}

/* The row as a tuple (or an instance of a tuple subclass `tp`). */
static PyObject *
result_row_tuple(curs_fetch *f, PyTypeObject *tp, Py_ssize_t row)
{
    int n = f->res->nfields, containers = 0, r;
    PyObject *rv;
    result_src src;

    result_src_get(f, row, &src);
    if (src.kept != NULL && tp == NULL && !result_kept_retz(f))
        return src.kept; /* the same values in a tuple: the same tuple */
    if (!(rv = tp ? tp->tp_alloc(tp, n) : PyTuple_New(n))) {
        Py_XDECREF(src.kept);
        return NULL;
    }
    r = result_fill(f, row, &src, ((PyTupleObject *)rv)->ob_item, NULL,
                    &containers);
    Py_XDECREF(src.kept);
    if (r < 0) {
        Py_DECREF(rv);
        return NULL;
    }
    /* A tuple of ints, strings, dates... can be in no cycle: the collector
     * would untrack it at its first pass, after visiting it; done now, the
     * passes that a big fetchall() triggers skip its rows. */
    if (tp == NULL && !containers)
        PyObject_GC_UnTrack(rv);
    return rv;
}

/* The row made by a Python row_factory: obj = row_factory(cursor), then
 * obj[i] = value for every column in order. */
static PyObject *
result_row_factory(curs_fetch *f, Py_ssize_t row)
{
    int n = f->res->nfields, i;
    PyObject *rv, *val;
    result_src src = {NULL, NULL};

    if (!(rv = PyObject_CallOneArg(f->row_factory, (PyObject *)f->curs)))
        return NULL;
    if (result_fetch_check_i(f) < 0)
        goto error;
    result_src_get(f, row, &src);
    for (i = 0; i < n; i++) {
        PyObject *idx;
        int r;
        if (!(val = result_cast_cell(f, row, i, &src)))
            goto error;
        if (!(idx = PyLong_FromLong(i))) {
            Py_DECREF(val);
            goto error;
        }
        r = PyObject_SetItem(rv, idx, val);
        Py_DECREF(idx);
        Py_DECREF(val);
        if (r < 0 || result_fetch_check_i(f) < 0)
            goto error;
    }
    Py_XDECREF(src.kept);
    return rv;

error:
    Py_XDECREF(src.kept);
    Py_DECREF(rv);
    return NULL;
}

/* Call the registered prep function for the row kind: row_prep set (on the
 * fetch and on the cursor), or the kind downgraded to the generic path. */
static int
result_row_prepare(curs_fetch *f)
{
    module_state *st = f->conn->st;
    int kind = f->kind;
    PyObject *prep, *obj, *fields = NULL;
    Py_ssize_t nf;

    prep = kind == CURS_ROW_DICT       ? st->row_dictrow_prep
           : kind == CURS_ROW_REALDICT ? st->row_realdictrow_prep
                                       : st->row_ntcursor_prep;
    if (!(obj = PyObject_CallOneArg(prep, (PyObject *)f->curs)))
        return -1;
    if (result_fetch_check_i(f) < 0) {
        Py_DECREF(obj);
        return -1;
    }
    if (kind == CURS_ROW_REALDICT) {
        /* the names, one per column, else the generic path does as the
         * class would (it fails on a short mapping) */
        Py_SETREF(obj, PySequence_Tuple(obj));
        if (obj == NULL)
            return -1;
        /* its __iter__ may have re-executed the cursor */
        if (result_fetch_check_i(f) < 0) {
            Py_DECREF(obj);
            return -1;
        }
        if (PyTuple_GET_SIZE(obj) != f->res->nfields)
            kind = CURS_ROW_FACTORY;
    }
    else if (kind == CURS_ROW_NT) {
        /* tuple.__new__(cls, values) done here, as _make() would, for a
         * tuple subclass without instance fields and with as many
         * _fields as columns; anything else goes through cls._make() */
        PyTypeObject *tp = (PyTypeObject *)obj;
        nf = -1;
        if (PyType_Check(obj) && PyType_IsSubtype(tp, &PyTuple_Type)
            && tp->tp_basicsize == PyTuple_Type.tp_basicsize
            && tp->tp_itemsize == PyTuple_Type.tp_itemsize) {
            if (!(fields = PyObject_GetAttrString(obj, "_fields")))
                PyErr_Clear();
            else if ((nf = PyObject_Size(fields)) < 0)
                PyErr_Clear();
            Py_XDECREF(fields);
        }
        if (nf != f->res->nfields)
            kind = CURS_ROW_NT_MAKE;
        if (result_fetch_check_i(f) < 0) {
            Py_DECREF(obj);
            return -1;
        }
    }
    /* the cursor keeps it for the next fetch of the same result */
    if (f->curs->row_kind == f->kind && f->curs->row_kind_for == f->row_factory) {
        f->curs->row_kind = kind;
        Py_XSETREF(f->curs->row_prep, Py_NewRef(obj));
    }
    f->kind = kind;
    Py_XSETREF(f->row_prep, obj);
    return 0;
}

/* cls.__new__(cls) without the class's __init__ (which wants a cursor) */
static PyObject *
result_new_empty(PyTypeObject *tp)
{
    PyObject *args, *rv;
    if (!(args = PyTuple_New(0)))
        return NULL;
    rv = tp->tp_new(tp, args, NULL);
    Py_DECREF(args);
    return rv;
}

/* The offset of DictRow's _index slot, where a DictRow is made as
 * PyObject_SetAttr(DictRow.__new__(DictRow), '_index', ...) would: the
 * class made by tp_alloc (its tp_new the generic one), _index a writable
 * object slot of it and no __setattr__ of its own; else 0 (do just
 * that).  Asked once per fetch. */
static Py_ssize_t
result_dict_slot(curs_fetch *f, PyTypeObject *tp)
{
    module_state *st = f->conn->st;
    PyObject *d;
    Py_ssize_t off = 0;

    if (!PyType_Check(tp) || !PyType_IsSubtype(tp, &PyList_Type)
        || tp->tp_new != PyType_GenericNew
        || tp->tp_setattro != PyObject_GenericSetAttr)
        return 0;
    if (!(d = PyObject_GetAttr((PyObject *)tp, st->row_dictrow_attr))) {
        PyErr_Clear();
        return 0;
    }
    if (Py_IS_TYPE(d, &PyMemberDescr_Type)
        && PyType_IsSubtype(tp, PyDescr_TYPE(d))) {
        PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type == T_OBJECT_EX && !(m->flags & READONLY)
            && m->offset >= (Py_ssize_t)sizeof(PyListObject)
            && m->offset + (Py_ssize_t)sizeof(PyObject *) <= tp->tp_basicsize)
            off = m->offset;
    }
    Py_DECREF(d);
    return off;
}

/* A DictRow: the values in its list, the shared index in its _index. */
static PyObject *
result_row_dict(curs_fetch *f, Py_ssize_t row)
{
    module_state *st = f->conn->st;
    PyObject *tp = Py_NewRef(st->row_dictrow);
    PyObject *vals = NULL, *rv = NULL;

    /* the slot of this class (held): a __del__ may register another one
     * while rows are built, or while the slot is looked up */
    if (f->dict_tp != tp) {
        Py_ssize_t slot = result_dict_slot(f, (PyTypeObject *)tp);
        f->dict_slot = slot > 0 ? slot : -1;
        Py_XSETREF(f->dict_tp, Py_NewRef(tp));
    }
    if (f->dict_slot > 0) {
        /* the list's items and the slot filled in place */
        int n = f->res->nfields, containers = 0, r;
        PyObject **items;
        result_src src;
        if (!(rv = ((PyTypeObject *)tp)->tp_alloc((PyTypeObject *)tp, 0)))
            goto error;
        if (n > 0) {
            if (!(items = PyMem_Calloc((size_t)n, sizeof(PyObject *)))) {
                PyErr_NoMemory();
                goto error;
            }
            ((PyListObject *)rv)->ob_item = items;
            ((PyListObject *)rv)->allocated = n;
            result_src_get(f, row, &src);
            r = result_fill(f, row, &src, items, rv, &containers);
            Py_XDECREF(src.kept);
            if (r < 0)
                goto error;
        }
        *(PyObject **)((char *)rv + f->dict_slot) = Py_NewRef(f->row_prep);
        Py_DECREF(tp);
        return rv;
    }
    if (!(vals = result_row_tuple(f, NULL, row)))
        goto error;
    if (!(rv = result_new_empty((PyTypeObject *)tp)))
        goto error;
    if (PyList_SetSlice(rv, 0, 0, vals) < 0)
        goto error;
    if (PyObject_SetAttr(rv, st->row_dictrow_attr, f->row_prep) < 0)
        goto error;
    Py_DECREF(vals);
    Py_DECREF(tp);
    return rv;

error:
    Py_XDECREF(vals);
    Py_XDECREF(rv);
    Py_DECREF(tp);
    return NULL;
}

/* A RealDictRow: column name -> value, in column order (a later column
 * with the same name replaces the value, keeping the first position). */
static PyObject *
result_row_realdict(curs_fetch *f, Py_ssize_t row)
{
    PyObject *tp = Py_NewRef(f->conn->st->row_realdictrow);
    int odict = PyType_IsSubtype((PyTypeObject *)tp, &PyODict_Type);
    int n = f->res->nfields, i;
    PyObject *rv, *val;
    result_src src = {NULL, NULL};

    if (!(rv = result_new_empty((PyTypeObject *)tp)))
        goto exit;
    result_src_get(f, row, &src);
    for (i = 0; i < n; i++) {
        int r;
        if (!(val = result_cast_cell(f, row, i, &src)))
            goto error;
        if (odict)
            r = PyODict_SetItem(rv, PyTuple_GET_ITEM(f->row_prep, i), val);
        else
            r = PyDict_SetItem(rv, PyTuple_GET_ITEM(f->row_prep, i), val);
        Py_DECREF(val);
        if (r < 0)
            goto error;
    }
    goto exit;

error:
    Py_CLEAR(rv);
exit:
    Py_XDECREF(src.kept);
    Py_DECREF(tp);
    return rv;
}

int
result_fetch_prepare(curs_fetch *f)
{
    if (f->kind == CURS_ROW_NT && f->row_prep == NULL)
        return result_row_prepare(f);
    return 0;
}

static PyObject *
result_build_row(curs_fetch *f, Py_ssize_t row)
{
    PyObject *t, *rv;

    if (row < 0 || row >= f->res->ntuples) {
        PyErr_SetString(f->conn->st->ProgrammingError,
                        "the row is out of the result");
        return NULL;
    }
    if (f->kind == CURS_ROW_TUPLE) {
        rstore *st = &f->res->store;
        rv = result_row_tuple(f, NULL, row);
        /* released once built; the chunks go only when no other fetch
         * (another thread, or one run by Python code called from this
         * one) may be reading a row of them */
        if (rv != NULL && f->keep && !rstore_is_released(st, row)
            && rstore_release(st, row, rv, f->res->nfetch == 1) == 0)
            Py_INCREF(rv);
        return rv;
    }
    if (f->kind >= CURS_ROW_DICT && f->row_prep == NULL
        && result_row_prepare(f) < 0)
        return NULL;
    switch (f->kind) {
    case CURS_ROW_DICT:
        return result_row_dict(f, row);
    case CURS_ROW_REALDICT:
        return result_row_realdict(f, row);
    case CURS_ROW_NT:
        return result_row_tuple(f, (PyTypeObject *)f->row_prep, row);
    case CURS_ROW_NT_MAKE:
        if (!(t = result_row_tuple(f, NULL, row)))
            return NULL;
        rv = PyObject_CallMethod(f->row_prep, "_make", "(O)", t);
        Py_DECREF(t);
        return rv;
    default:
        return result_row_factory(f, row);
    }
}

/* The rows of a small result (values read from its PGresult) whose
 * columns all have C casters, as plain tuples: result_row_tuple and
 * result_fill with what they decide per row decided once, the int columns
 * parsed in line.  Fills list[0, n) as result_fetch_rows does. */
static int
result_fetch_rows_c(curs_fetch *f, Py_ssize_t start, Py_ssize_t n,
                    PyObject *list, Py_ssize_t *pos)
{
    curs_result *r = f->res;
    PGresult *res = r->pgres;
    const curs_colcast *casts = r->casts;
    typecast_cfunc intcast = typecast_int_cast;
    int nf = r->nfields, col;
    Py_ssize_t i;

    for (i = 0; i < n; i++) {
        int row = (int)(start + i), containers = 0;
        PyObject *t = PyTuple_New(nf), *val;
        if (t == NULL)
            goto failed;
        for (col = 0; col < nf; col++) {
            const curs_colcast *cc = &casts[col];
            int len = PQgetlength(res, row, col);
            const char *s;
            if (len == 0 && PQgetisnull(res, row, col))
                val = Py_NewRef(Py_None);
            else {
                s = PQgetvalue(res, row, col);
                if (cc->ccast == intcast) {
                    /* an int, not a container */
                    if (!(val = typecast_int_fast(s, len))
                        && !PyErr_Occurred())
                        val = intcast(s, len, &f->ctx, cc->base);
                }
                else if ((val = cc->ccast(s, len, &f->ctx, cc->base)))
                    containers |= PyType_IS_GC(Py_TYPE(val));
            }
            if (val == NULL) {
                Py_DECREF(t);
                goto failed;
            }
            PyTuple_SET_ITEM(t, col, val);
        }
        /* see result_row_tuple */
        if (!containers)
            PyObject_GC_UnTrack(t);
        /* a caster, or the collector run by an allocation, may have run
         * Python code that moved the cursor on */
        if (result_fetch_check_i(f) < 0) {
            Py_DECREF(t);
            return -1;
        }
        PyList_SET_ITEM(list, i, t);
        *pos = start + i + 1;
    }
    return 0;

failed:
    if (result_fetch_same_i(f))
        *pos = start + i + 1;
    return -1;
}

int
result_fetch_rows(curs_fetch *f, Py_ssize_t start, Py_ssize_t n,
                  PyObject *list, Py_ssize_t *pos)
{
    Py_ssize_t i;
    PyObject *row;

    if (start < 0 || n > f->res->ntuples - start) {
        PyErr_SetString(f->conn->st->ProgrammingError,
                        "the row is out of the result");
        return -1;
    }
    if (f->kind == CURS_ROW_TUPLE && f->res->store.rows == NULL
        && f->res->all_c && !f->keep)
        return result_fetch_rows_c(f, start, n, list, pos);
    if (f->kind != CURS_ROW_TUPLE) {
        for (i = 0; i < n; i++) {
            if (!(row = result_fetch_row(f, start + i)))
                goto failed;
            PyList_SET_ITEM(list, i, row);
            *pos = start + i + 1;
        }
        return 0;
    }
    /* plain tuples: result_build_row and result_fetch_row without the
     * per-row dispatch */
    for (i = 0; i < n; i++) {
        rstore *st = &f->res->store;
        if (!(row = result_row_tuple(f, NULL, start + i)))
            goto failed;
        if (f->keep && !rstore_is_released(st, start + i)
            && rstore_release(st, start + i, row, f->res->nfetch == 1) == 0)
            Py_INCREF(row);
        if (result_fetch_check_i(f) < 0) {
            Py_DECREF(row);
            return -1;
        }
        PyList_SET_ITEM(list, i, row);
        *pos = start + i + 1;
    }
    return 0;

failed:
    /* as psycopg2: the row that failed is consumed with the ones before it
     * (unless the cursor moved on to another result meanwhile) */
    if (result_fetch_same_i(f))
        *pos = start + i + 1;
    return -1;
}

PyObject *
result_fetch_row(curs_fetch *f, Py_ssize_t row)
{
    PyObject *rv = result_build_row(f, row);
    /* a tzinfo_factory or an allocation may have run anything: the row
     * is built from our own reference, but the cursor moved on */
    if (rv != NULL && result_fetch_check_i(f) < 0)
        Py_CLEAR(rv);
    return rv;
}
