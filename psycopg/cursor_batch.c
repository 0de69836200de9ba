/* executemany() in one round trip: libpq's pipeline mode.
 *
 * Each parameter set is still merged client-side (psycopg2's semantics,
 * cursor.query shows the last statement), but the statements travel in
 * pipelines of up to BATCH_MAX_STATEMENTS with one sync each, instead of
 * one round trip per row.  The rules that keep the behaviour identical to
 * the plain loop:
 *  - only inside a transaction (not autocommit): statements after a
 *    failing one must not run, and in a transaction the server skips them;
 *    in autocommit each statement commits alone, so we keep the loop;
 *  - only for one statement per query: the extended protocol refuses
 *    "a; b", which the loop runs;
 *  - not for COPY, not in green or async mode.
 * Rows are queued as the iterator gives them and sent in batches.  When
 * the iterator raises, or a row can't be merged, the rows before it are
 * sent first and then that error is raised, as in the loop.  On a server
 * error, the first error is raised with its class, cursor.query shows the
 * failing statement and the rest is not run (the transaction is failed),
 * as after the loop. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "pqpath.h"
#include "query.h"
#include "microprotocols.h"
#include "pgtypes.h"
#include "adapter_numeric.h"

#include <limits.h>

#include <ctype.h>
#include <string.h>

#define BATCH_MAX_STATEMENTS 1000
#define BATCH_MAX_BYTES (1 << 20)

/* Skip whitespace and comments from s[i]; returns the new index. */
static Py_ssize_t
batch_skip_blank(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    for (;;) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                }
                else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                }
                else
                    i++;
            }
            continue;
        }
        return i;
    }
}

/* Whether the query is one statement, not COPY.  Conservative: anything
 * it can't follow counts as "no" and the caller keeps the simple query
 * protocol (executemany's plain loop, execute's separate BEGIN). */
int
curs_single_statement(const char *s, Py_ssize_t n)
{
    Py_ssize_t i = batch_skip_blank(s, n, 0);
    if (i + 4 <= n && strncasecmp(s + i, "copy", 4) == 0
        && (i + 4 == n || !isalnum((unsigned char)s[i + 4])))
        return 0;
    while (i < n) {
        char c = s[i];
        if (c == '\'' || c == '"') {
            /* E'...' strings take backslash escapes */
            int bs = (c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e'));
            i++;
            while (i < n) {
                if (bs && s[i] == '\\' && i + 1 < n) {
                    i += 2;
                    continue;
                }
                if (s[i] == c) {
                    if (i + 1 < n && s[i + 1] == c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            if (i >= n)
                return 0; /* unterminated: let the server say so */
            i++;
        }
        else if (c == '$' && i > 0
                 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'
                     || s[i - 1] == '$' || (unsigned char)s[i - 1] >= 0x80)) {
            i++; /* inside an identifier ("a$b"): not a quote */
        }
        else if (c == '$') {
            /* dollar quoting: $tag$ ... $tag$ */
            Py_ssize_t j = i + 1, taglen;
            const char *end;
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
                j++;
            if (j >= n || s[j] != '$' || (j > i + 1 && isdigit((unsigned char)s[i + 1]))) {
                i++;
                continue;
            }
            taglen = j - i + 1;
            end = NULL;
            for (j = j + 1; j + taglen <= n; j++) {
                if (memcmp(s + j, s + i, taglen) == 0) {
                    end = s + j;
                    break;
                }
            }
            if (end == NULL)
                return 0;
            i = (end - s) + taglen;
        }
        else if ((c == '-' && i + 1 < n && s[i + 1] == '-')
                 || (c == '/' && i + 1 < n && s[i + 1] == '*')) {
            i = batch_skip_blank(s, n, i);
        }
        else if (c == ';') {
            if (batch_skip_blank(s, n, i + 1) < n)
                return 0; /* something follows */
            i++;
        }
        else
            i++;
    }
    return 1;
}

int
curs_batch_usable(cursorObject *self, PyObject *base)
{
    connectionObject *conn = self->conn;
    if (!pq_has_pipeline() || conn->async_ || conn_is_green(conn))
        return 0;
    if (conn->autocommit && !conn->entered)
        return 0;
    return curs_single_statement(PyBytes_AS_STRING(base),
                                 PyBytes_GET_SIZE(base));
}

/* ---- the prepared fast path ----
 *
 * For the commonest bulk statement, "INSERT ... VALUES (%s, ..., %s)",
 * with rows of plain values (None, bool, int, float, str, Decimal, all
 * still adapted by their default adapters), the statement is parsed once
 * (the unnamed prepared statement) and each row sent as parameters.  Each
 * parameter gets the type the literal would have had (an int that fits is
 * int4, a float is numeric, a str is unknown...), so the server resolves
 * and converts it exactly as it would the literal.  Other rows in the same
 * batch are merged and sent as text, as above. */

typedef struct {
    char *sql;                 /* the template with $1..$n */
    int nparams;
} batch_template;

/* Fill bt if the template has that shape; 1 yes, 0 no, -1 error. */
static int
batch_parse_template(const char *s, Py_ssize_t n, batch_template *bt)
{
    Py_ssize_t i, first = -1, last = -1, j, k, out;
    int np = 0;
    char *sql;

    i = batch_skip_blank(s, n, 0);
    if (i + 6 > n || strncasecmp(s + i, "insert", 6) != 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (i + 1 >= n || s[i + 1] != 's')
            return 0; /* %% or %(name)s: not this shape */
        if (first < 0)
            first = i;
        last = i;
        np++;
        i++;
    }
    if (np == 0 || np > 65535)
        return 0;
    /* "values (" right before the first placeholder */
    j = first - 1;
    while (j >= 0 && isspace((unsigned char)s[j]))
        j--;
    if (j < 0 || s[j] != '(')
        return 0;
    j--;
    while (j >= 0 && isspace((unsigned char)s[j]))
        j--;
    if (j < 5 || strncasecmp(s + j - 5, "values", 6) != 0
        || (j >= 6 && (isalnum((unsigned char)s[j - 6]) || s[j - 6] == '_'
                       || s[j - 6] == '"')))
        return 0;
    /* only "%s" separated by commas in between */
    for (k = first; k <= last;) {
        k += 2;
        if (k > last)
            break;
        while (k < n && isspace((unsigned char)s[k]))
            k++;
        if (k >= n || s[k] != ',')
            return 0;
        k++;
        while (k < n && isspace((unsigned char)s[k]))
            k++;
        if (k + 1 >= n || s[k] != '%')
            return 0;
    }
    /* then ")" and nothing but blanks and an optional ";" */
    k = last + 2;
    while (k < n && isspace((unsigned char)s[k]))
        k++;
    if (k >= n || s[k] != ')')
        return 0;
    k = batch_skip_blank(s, n, k + 1);
    if (k < n && s[k] == ';')
        k = batch_skip_blank(s, n, k + 1);
    if (k != n)
        return 0;
    /* each "%s" (2 chars) becomes "$N" (up to 6 chars) */
    if (!(sql = PyMem_Malloc(n + 4 * np + 1))) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0, out = 0, np = 0; i < n; i++) {
        if (s[i] == '%') {
            out += sprintf(sql + out, "$%d", ++np);
            i++;
        }
        else
            sql[out++] = s[i];
    }
    sql[out] = '\0';
    bt->sql = sql;
    bt->nparams = np;
    return 1;
}

#define BATCH_UNKNOWNOID 0 /* let the server infer the type */

/* ---- one pipeline ---- */

/* What one pipeline carries.  The parameter texts and arrays live in the
 * arena (blocks freed with the chunk); a text that points into a Python
 * object (a str's UTF-8, an encoded bytes) is kept alive by `refs`, since a
 * row that is a list can be changed after it was adapted (a generator
 * yielding the same list each time). */
typedef struct {
    pq_pipe_item *items;       /* items[-1] is free for a BEGIN */
    Py_ssize_t n, size;
    PyObject *keep;            /* list of merged statements (bytes) */
    PyObject *rows;            /* the parameter set of each counted item */
    void **mem;                /* arena blocks to free */
    Py_ssize_t nmem, memsize;
    char *free;                /* free space of the last block */
    size_t nfree;
    PyObject **refs;           /* strong references */
    Py_ssize_t nrefs, refsize;
    Py_ssize_t bytes;
    Oid *sig;                  /* parameter types of the prepared statement */
    mp_default_memo memo;      /* of the values adapted since Python ran */
    PyTypeObject **postype;    /* per parameter: the last type found in
                                  the memo as default-adapted, or NULL */
    Py_ssize_t npos;
    PyObject *qenc;            /* borrowed: the encoding of the query */
    unsigned long qgen;        /* conn->enc_gen when qenc was taken */
    int nonascii;              /* a text depends on the encoding */
    int base_nonascii;         /* the query itself does */
} batch_chunk;

/* Python code may have run: forget what the registry said. */
static void
batch_memo_clear(batch_chunk *c)
{
    mp_default_memo_clear(&c->memo);
    if (c->postype)
        memset(c->postype, 0, c->npos * sizeof(PyTypeObject *));
}

#define BATCH_BLOCK_SIZE (64 * 1024)
#define BATCH_ALIGN 8

static int
batch_chunk_grow(batch_chunk *c)
{
    if (c->n == c->size) {
        Py_ssize_t size = c->size ? 2 * c->size : 64;
        pq_pipe_item *items = PyMem_Realloc(c->items ? c->items - 1 : NULL,
                                            (size + 1) * sizeof(*items));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->items = items + 1;
        c->size = size;
    }
    memset(&c->items[c->n], 0, sizeof(pq_pipe_item));
    return 0;
}

/* At least size free bytes at c->free (not taken yet), or NULL. */
static char *
batch_chunk_room(batch_chunk *c, size_t size)
{
    void *p;
    if (size > c->nfree) {
        size_t bsize = size > BATCH_BLOCK_SIZE ? size : BATCH_BLOCK_SIZE;
        if (c->nmem == c->memsize) {
            Py_ssize_t ms = c->memsize ? 2 * c->memsize : 16;
            void **mem = PyMem_Realloc(c->mem, ms * sizeof(void *));
            if (mem == NULL) {
                PyErr_NoMemory();
                return NULL;
            }
            c->mem = mem;
            c->memsize = ms;
        }
        if (!(p = PyMem_Malloc(bsize))) {
            PyErr_NoMemory();
            return NULL;
        }
        c->mem[c->nmem++] = p;
        c->free = p;
        c->nfree = bsize;
    }
    return c->free;
}

/* Take size bytes of the room (size <= what batch_chunk_room made). */
static void
batch_chunk_take(batch_chunk *c, size_t size)
{
    c->free += size;
    c->nfree -= size;
}

/* An array of size bytes in the arena, aligned for pointers and Oids. */
static void *
batch_chunk_alloc(batch_chunk *c, size_t size)
{
    size_t pad = (size_t)(-(uintptr_t)c->free & (BATCH_ALIGN - 1));
    char *p;
    if (pad > c->nfree)
        pad = c->nfree; /* a new block: aligned by malloc */
    batch_chunk_take(c, pad);
    if (!(p = batch_chunk_room(c, size)))
        return NULL;
    batch_chunk_take(c, size);
    return p;
}

/* Keep obj alive until the chunk is sent (a new reference is taken). */
static int
batch_chunk_ref(batch_chunk *c, PyObject *obj)
{
    if (c->nrefs == c->refsize) {
        Py_ssize_t size = c->refsize ? 2 * c->refsize : 256;
        PyObject **refs = PyMem_Realloc(c->refs, size * sizeof(*refs));
        if (refs == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->refs = refs;
        c->refsize = size;
    }
    c->refs[c->nrefs++] = Py_NewRef(obj);
    return 0;
}

static void
batch_chunk_reset(batch_chunk *c)
{
    Py_ssize_t i;
    for (i = 0; i < c->nmem; i++)
        PyMem_Free(c->mem[i]);
    c->nmem = 0;
    c->free = NULL;
    c->nfree = 0;
    c->n = 0;
    c->bytes = 0;
    c->sig = NULL; /* each pipeline prepares again */
    c->nonascii = c->base_nonascii;
    /* decrefs run __del__ methods: the memo is stale after them */
    batch_memo_clear(c);
    for (i = c->nrefs; i > 0; i--) {
        PyObject *o = c->refs[i - 1];
        c->nrefs = i - 1;
        Py_DECREF(o);
    }
    if (c->keep)
        PyList_SetSlice(c->keep, 0, PyList_GET_SIZE(c->keep), NULL);
    if (c->rows)
        PyList_SetSlice(c->rows, 0, PyList_GET_SIZE(c->rows), NULL);
}

static void
batch_chunk_free(batch_chunk *c)
{
    batch_chunk_reset(c);
    PyMem_Free(c->items ? c->items - 1 : NULL);
    PyMem_Free(c->mem);
    PyMem_Free(c->refs);
    PyMem_Free(c->postype);
    Py_CLEAR(c->keep);
    Py_CLEAR(c->rows);
}

/* A copy of s[0..n) and a NUL in the arena, or NULL. */
static const char *
batch_chunk_text(batch_chunk *c, const char *s, Py_ssize_t n)
{
    char *p = batch_chunk_room(c, (size_t)n + 1);
    if (p != NULL) {
        memcpy(p, s, (size_t)n);
        p[n] = '\0';
        batch_chunk_take(c, (size_t)n + 1);
    }
    return p;
}

/* The text of a str value, in the connection encoding.  With UTF-8, an
 * ASCII str is sent from its own characters (no copy, no cache made in
 * it); otherwise *val points into the encoded bytes.  Both are kept alive
 * by refs.  Notes whether the text depends on the encoding: not every
 * codec writes ASCII as ASCII (shift_jis_2004 does not). */
static int
batch_param_str(cursorObject *self, batch_chunk *c, PyObject *v,
                const char **val, Py_ssize_t *len)
{
    connectionObject *conn = self->conn;
    PyObject *b;
    Py_ssize_t i;

    if ((conn->is_utf8 || conn->enc_obj == NULL) && PyUnicode_IS_ASCII(v)) {
        if (!(*val = PyUnicode_AsUTF8AndSize(v, len))
            || batch_chunk_ref(c, v) < 0)
            return -1;
    }
    else {
        if (conn->is_utf8 || conn->enc_obj == NULL)
            b = PyUnicode_AsUTF8String(v);
        else {
            b = conn_encode(conn, v);
            batch_memo_clear(c); /* a codec may be Python code */
        }
        if (b == NULL)
            return -1;
        if (batch_chunk_ref(c, b) < 0) {
            Py_DECREF(b);
            return -1;
        }
        Py_DECREF(b); /* kept by refs */
        *val = PyBytes_AS_STRING(b);
        *len = PyBytes_GET_SIZE(b);
        for (i = 0; i < *len && !c->nonascii; i++) {
            if ((unsigned char)(*val)[i] & 0x80)
                c->nonascii = 1;
        }
    }
    if (memchr(*val, '\0', (size_t)*len)) {
        PyErr_SetString(PyExc_ValueError,
                        "A string literal cannot contain NUL (0x00) "
                        "characters.");
        return -1;
    }
    return 0;
}

/* A value as a parameter with the type its literal would have: 1 done
 * (*val the text, in the chunk or kept by it, or NULL for SQL NULL), 0 not
 * a plain value, -1 error. */
static int
batch_param(cursorObject *self, batch_chunk *c, Py_ssize_t pos, PyObject *v,
            const char **val, Py_ssize_t *len, Oid *type)
{
    module_state *st = self->conn->st;
    char *buf;
    Py_ssize_t n;
    int r;

    *val = NULL;
    *len = 0;
    *type = BATCH_UNKNOWNOID;
    if (v == Py_None)
        return 1;
    if (Py_TYPE(v) != c->postype[pos]) {
        if ((r = mp_is_default_adapted_memo(st, v, &c->memo)) <= 0)
            return r;
        c->postype[pos] = Py_TYPE(v);
    }
    if (PyLong_CheckExact(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        /* "-N" is minus applied to N: the type is that of N */
        if (overflow || x == LLONG_MIN)
            *type = NUMERICOID;
        else if (x >= -2147483647LL && x <= 2147483647LL)
            *type = INT4OID;
        else
            *type = INT8OID;
        if (!overflow) {
            if (!(buf = batch_chunk_room(c, 21)))
                return -1;
            n = adapter_format_llong(x, buf);
            batch_chunk_take(c, (size_t)n + 1);
            *val = buf;
        }
        else {
            PyObject *str = PyObject_Str(v);
            const char *s;
            if (str == NULL)
                return -1;
            if ((s = PyUnicode_AsUTF8AndSize(str, &n)) != NULL)
                *val = batch_chunk_text(c, s, n);
            Py_DECREF(str);
        }
    }
    else if (PyUnicode_CheckExact(v)) {
        if (batch_param_str(self, c, v, val, len) < 0)
            return -1;
        return 1;
    }
    else if (PyFloat_CheckExact(v)) {
        double d = PyFloat_AS_DOUBLE(v);
        if (d != d || d == Py_HUGE_VAL || d == -Py_HUGE_VAL) {
            *type = FLOAT8OID;
            *val = d != d ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
            *len = (Py_ssize_t)strlen(*val);
            return 1;
        }
        *type = NUMERICOID;
        if (!(buf = batch_chunk_room(c, ADAPTER_FLOAT_REPR_MAX))
            || (n = adapter_float_repr(d, buf)) < 0)
            return -1;
        batch_chunk_take(c, (size_t)n + 1);
        *val = buf;
    }
    else if (PyBool_Check(v)) {
        *type = BOOLOID;
        *val = v == Py_True ? "true" : "false";
        *len = v == Py_True ? 4 : 5;
        return 1;
    }
    else if ((PyObject *)Py_TYPE(v) == st->Decimal) {
        /* the adapter writes any non-finite Decimal as 'NaN'::numeric */
        PyObject *fin = PyObject_CallMethod(v, "is_finite", NULL), *str;
        const char *s;
        int finite;
        if (fin == NULL)
            return -1;
        finite = PyObject_IsTrue(fin);
        Py_DECREF(fin);
        if (finite < 0)
            return -1;
        *type = NUMERICOID;
        if (!finite) {
            *val = "NaN";
            *len = 3;
            return 1;
        }
        if (!(str = PyObject_Str(v)))
            return -1;
        if ((s = PyUnicode_AsUTF8AndSize(str, &n)) != NULL)
            *val = batch_chunk_text(c, s, n);
        Py_DECREF(str);
    }
    else
        return 0; /* bytes and friends: keep the literal path */
    if (*val == NULL)
        return -1;
    *len = n;
    return 1;
}

/* Add a merged statement sent as text. */
static int
batch_add_query(batch_chunk *c, PyObject *q)
{
    Py_ssize_t i, n = PyBytes_GET_SIZE(q);
    const unsigned char *b = (const unsigned char *)PyBytes_AS_STRING(q);
    if (batch_chunk_grow(c) < 0 || PyList_Append(c->keep, q) < 0)
        return -1;
    for (i = 0; i < n && !c->nonascii; i++) {
        if (b[i] & 0x80)
            c->nonascii = 1;
    }
    c->items[c->n].kind = PQ_PIPE_QUERY;
    c->items[c->n].sql = PyBytes_AS_STRING(q);
    c->items[c->n].counted = 1;
    c->n++;
    c->sig = NULL; /* the unnamed statement is now this one */
    c->bytes += PyBytes_GET_SIZE(q);
    return 0;
}

/* Add a row of parameters, preparing the statement when the types
 * change.  1 added, 0 not a plain row, -1 error. */
static int
batch_add_row(cursorObject *self, batch_chunk *c, const batch_template *bt,
              PyObject *row)
{
    Py_ssize_t i, np = bt->nparams, len, bytes = 0;
    const char **values;
    Oid *types;
    int r;

    if (!(PyTuple_CheckExact(row) || PyList_CheckExact(row))
        || PySequence_Fast_GET_SIZE(row) != np)
        return 0;
    if (c->postype == NULL) {
        if (!(c->postype = PyMem_Calloc(np, sizeof(PyTypeObject *)))) {
            PyErr_NoMemory();
            return -1;
        }
        c->npos = np;
    }
    if (!(values = batch_chunk_alloc(c, np * sizeof(char *)))
        || !(types = batch_chunk_alloc(c, np * sizeof(Oid))))
        return -1;
    for (i = 0; i < np; i++) {
        /* a list row is read again each time: nothing run by adapting
         * the items above may have shortened it */
        if (i >= PySequence_Fast_GET_SIZE(row))
            return 0;
        /* held: a codec run by adapting it may change a list row */
        PyObject *v = Py_NewRef(PySequence_Fast_GET_ITEM(row, i));
        r = batch_param(self, c, i, v, &values[i], &len, &types[i]);
        Py_DECREF(v);
        if (r <= 0)
            return r;
        bytes += len;
    }
    /* prepare when this row's types differ from the statement's */
    if (c->sig == NULL || memcmp(c->sig, types, np * sizeof(Oid)) != 0) {
        if (batch_chunk_grow(c) < 0)
            return -1;
        c->items[c->n].kind = PQ_PIPE_PREPARE;
        c->items[c->n].sql = bt->sql;
        c->items[c->n].nparams = (int)np;
        c->items[c->n].types = types;
        c->n++;
        c->sig = types;
    }
    if (batch_chunk_grow(c) < 0)
        return -1;
    c->items[c->n].kind = PQ_PIPE_EXEC;
    c->items[c->n].nparams = (int)np;
    c->items[c->n].values = values;
    c->items[c->n].counted = 1;
    c->n++;
    c->bytes += bytes;
    return 1;
}

/* The statement of the counted item that failed (or, for a failed
 * PREPARE, the first one that used it), as execute() would show it. */
static PyObject *
batch_failed_query(cursorObject *self, batch_chunk *c, PyObject *base,
                   Py_ssize_t error_at)
{
    Py_ssize_t i, k = 0;
    PyObject *vars;
    for (i = 0; i < error_at && i < c->n; i++)
        k += c->items[i].counted;
    if (k >= PyList_GET_SIZE(c->rows))
        Py_RETURN_NONE;
    vars = PyList_GET_ITEM(c->rows, k);
    if (vars == Py_None)
        return Py_NewRef(base);
    Py_INCREF(vars); /* merging runs Python code */
    {
        PyObject *q = query_merge(self->conn, base, vars);
        Py_DECREF(vars);
        return q;
    }
}

/* Whether the client encoding still writes text as `qenc` did, and did
 * all along: the codec never changed since (`qgen`; a change and back
 * would leave texts of the other codec in the pipeline), and the object
 * is the same or one for the same codec (set_client_encoding() makes a
 * new one each time).  1 yes, 0 no, -1 error.  No Python code runs: the
 * names are cached UTF-8 (conn_read_encoding). */
static int
batch_same_encoding(connectionObject *conn, PyObject *qenc,
                    unsigned long qgen)
{
    const char *codec;
    if (conn->enc_gen != qgen)
        return 0;
    if (qenc == NULL || conn->enc_obj == qenc)
        return 1;
    if (conn->enc_obj == NULL || conn->pyenc == NULL)
        return 0;
    if (!(codec = PyUnicode_AsUTF8(PyTuple_GET_ITEM(qenc, 1))))
        return -1;
    return strcmp(codec, conn->pyenc) == 0;
}

/* Run one pipeline (lock taken here).  Adds to *total or sets *unknown;
 * *lastcount gets the rowcount of the last statement.  0, or -1 with the
 * error raised (a server error sets cursor.query to the failing
 * statement, as the plain loop would). */
static int
batch_flush(cursorObject *self, batch_chunk *c, PyObject *base,
            Py_ssize_t *total, int *unknown, Py_ssize_t *lastcount)
{
    connectionObject *conn = self->conn;
    Py_ssize_t rowcount, error_at = -1;
    char begin[CONN_BEGIN_MAX];
    PGresult *last = NULL, *error = NULL;
    pq_pipe_item *items;
    int rv = -1, r, has_begin = 0;

    if (c->n == 0)
        return 0;
    items = c->items - 1; /* room for a BEGIN in front */
    if (conn_lock(conn) < 0)
        return -1;
    if (conn_check_open_locked(conn) < 0)
        goto unlock;
    /* sent only in the encoding it was built in, as by execute(): the
     * encoding changed since the query was encoded (by an adapter, a
     * generator or another thread) */
    if (c->nonascii && (r = batch_same_encoding(conn, c->qenc, c->qgen)) <= 0) {
        curs_update_conn_status(conn);
        conn_unlock(conn);
        if (r == 0)
            curs_raise_enc_changed(self);
        goto exit;
    }
    /* the BEGIN, if needed, rides in the same pipeline */
    if (conn_begin_text(conn, begin, sizeof(begin))) {
        memset(&items[0], 0, sizeof(items[0]));
        items[0].kind = PQ_PIPE_QUERY;
        items[0].sql = begin;
        has_begin = 1;
        r = pq_exec_pipeline(conn, items, c->n + 1, &rowcount, &last, &error,
                             &error_at);
    }
    else
        r = pq_exec_pipeline(conn, items + 1, c->n, &rowcount, &last, &error,
                             &error_at);
    if (has_begin && r == 0 && error_at != 0)
        conn->status = CONN_STATUS_BEGIN; /* our BEGIN ran */
    if (r < 0)
        goto unlock;
    if (error) {
        PyObject *q, *et, *ev, *etb;
        if (last) {
            PQclear(last);
            last = NULL;
        }
        /* recorded under the lock (the connection's state and encoding
         * of now), raised by conn_unlock */
        conn_fail_result(conn, self, error);
        error = NULL;
        curs_update_conn_status(conn);
        conn_unlock(conn);
        /* cursor.query, rowcount, statusmessage: as after the failing
         * execute() of the loop (adapters run: the error waits aside) */
        PyErr_Fetch(&et, &ev, &etb);
        q = batch_failed_query(self, c, base, error_at - has_begin);
        if (q == NULL) {
            Py_XDECREF(et);
            Py_XDECREF(ev);
            Py_XDECREF(etb);
            goto exit;
        }
        Py_XSETREF(self->query, q);
        Py_XSETREF(self->statusmessage, PyUnicode_New(0, 0));
        self->rowcount = -1;
        PyErr_Restore(et, ev, etb);
        goto exit;
    }
    if (rowcount < 0)
        *unknown = 1;
    else
        *total += rowcount;
    rv = 0;
unlock:
    curs_update_conn_status(conn);
    conn_unlock(conn);
    /* decoding runs Python code: after the lock */
    if (rv == 0 && last) {
        const char *tag = PQcmdStatus(last), *tuples = PQcmdTuples(last);
        PyObject *msg = conn_decode(conn, tag, strlen(tag));
        if (msg == NULL)
            rv = -1;
        else {
            Py_XSETREF(self->statusmessage, msg);
            self->lastoid = PQoidValue(last);
            if (PQresultStatus(last) == PGRES_TUPLES_OK)
                *lastcount = PQntuples(last);
            else
                *lastcount = (tuples && tuples[0]) ? strtol(tuples, NULL, 10)
                                                   : -1;
        }
    }
    if (last)
        PQclear(last);
exit:
    return rv;
}

/* The parameter set of the last statement executed, merged; None if
 * none ran. */
static PyObject *
batch_merge_last(cursorObject *self, PyObject *base, PyObject *vars)
{
    if (vars == NULL)
        Py_RETURN_NONE;
    if (vars == Py_None)
        return Py_NewRef(base);
    return query_merge(self->conn, base, vars);
}

int
curs_batch_execute(cursorObject *self, PyObject *base, PyObject *it,
                   PyObject *qenc, unsigned long qgen)
{
    batch_chunk c = {0};
    batch_template bt = {0};
    PyObject *vars = NULL, *q, *lastvars = NULL, *done = NULL;
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;
    Py_ssize_t total = 0, lastcount = -1, i;
    int unknown = 0, rv = -1, prepared, r, iter_failed = 0, plain_iter;

    if (!(c.keep = PyList_New(0)) || !(c.rows = PyList_New(0)))
        goto exit;
    c.qenc = qenc;
    c.qgen = qgen;
    for (i = 0; i < PyBytes_GET_SIZE(base); i++) {
        if ((unsigned char)PyBytes_AS_STRING(base)[i] & 0x80) {
            c.nonascii = c.base_nonascii = 1;
            break;
        }
    }
    if ((prepared = batch_parse_template(PyBytes_AS_STRING(base),
                                         PyBytes_GET_SIZE(base), &bt)) < 0)
        goto exit;
    curs_clear_result(self);
    curs_clear_description(self);
    self->rowcount = -1;
    self->rownumber = 0;
    /* the next item of a list or a tuple runs no Python code */
    plain_iter = Py_IS_TYPE(it, &PyListIter_Type)
                 || Py_IS_TYPE(it, &PyTupleIter_Type);
    for (;;) {
        if (!(vars = PyIter_Next(it))) {
            iter_failed = PyErr_Occurred() != NULL;
            break;
        }
        if (!plain_iter)
            batch_memo_clear(&c);
        r = prepared ? batch_add_row(self, &c, &bt, vars) : 0;
        if (r == 0) {
            /* merged through the memo, which forgets what it knew if an
             * adapter (Python code) ran; the positions follow it */
            unsigned clears = c.memo.clears;
            q = (vars == Py_None)
                    ? Py_NewRef(base)
                    : query_merge_memo(self->conn, base, vars, &c.memo);
            if (c.memo.clears != clears)
                batch_memo_clear(&c);
            if (q != NULL && memchr(PyBytes_AS_STRING(q), '\0',
                                    PyBytes_GET_SIZE(q))) {
                Py_CLEAR(q);
                PyErr_SetString(PyExc_ValueError,
                                "the query contains NUL (0x00) characters");
            }
            r = q ? batch_add_query(&c, q) : -1;
            Py_XDECREF(q);
        }
        else if (r > 0)
            r = 0;
        if (r == 0 && PyList_Append(c.rows, vars) < 0)
            r = -1;
        if (r < 0)
            break; /* this row can't be sent: run the ones before it */
        Py_CLEAR(vars);
        if (PyList_GET_SIZE(c.rows) >= BATCH_MAX_STATEMENTS
            || c.bytes >= BATCH_MAX_BYTES) {
            Py_XSETREF(lastvars, Py_NewRef(PyList_GET_ITEM(
                                     c.rows, PyList_GET_SIZE(c.rows) - 1)));
            if (batch_flush(self, &c, base, &total, &unknown, &lastcount) < 0)
                goto exit;
            batch_chunk_reset(&c);
        }
    }
    /* run what was queued; an error raised by the iterator or by a row
     * waits until then, as in the loop, unless the server fails first */
    if (PyList_GET_SIZE(c.rows) > 0) {
        Py_XSETREF(lastvars, Py_NewRef(PyList_GET_ITEM(
                                 c.rows, PyList_GET_SIZE(c.rows) - 1)));
    }
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (batch_flush(self, &c, base, &total, &unknown, &lastcount) < 0)
        goto exit;
    if (exc_type == NULL) {
        /* cursor.query: the last statement, as the loop would show it */
        if (lastvars) {
            if (!(done = batch_merge_last(self, base, lastvars)))
                goto exit;
            Py_XSETREF(self->query, done);
            done = NULL;
        }
        self->rowcount = unknown ? -1 : total;
        rv = 0;
        goto exit;
    }
    if (iter_failed) {
        /* as the loop: the last statement run, and the total so far */
        if (!(done = batch_merge_last(self, base, lastvars)))
            goto exit;
        if (done != Py_None)
            Py_XSETREF(self->query, done);
        else
            Py_DECREF(done);
        done = NULL;
        self->rowcount = unknown ? -1 : total;
    }
    else {
        /* as a failed execute(): no query, the previous rowcount */
        Py_CLEAR(self->query);
        self->rowcount = lastcount;
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
    exc_type = exc_value = exc_tb = NULL;
exit:
    Py_XDECREF(exc_type);
    Py_XDECREF(exc_value);
    Py_XDECREF(exc_tb);
    Py_XDECREF(vars);
    Py_XDECREF(lastvars);
    batch_chunk_free(&c);
    PyMem_Free(bt.sql);
    return rv;
}
