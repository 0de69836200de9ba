/* The one table of builtin adapters.  A row is an adapter type: its public
 * name, how it quotes, and the Python types registered to it at import,
 * each with the type of the literal (pgtypes.h).  Everything a row leaves
 * out is the shared base of adapter_base.c.  Adding a builtin adapter is a
 * quote function in its family file and a row here.
 *
 * Rows are registered in order, registrations in psycopg2's order. */

#include "psycopg.h"
#include "module.h"
#include "pgtypes.h"
#include "adapter_base.h"
#include "adapter_builtins.h"
#include "adapter_string.h"
#include "adapter_numeric.h"
#include "adapter_binary.h"
#include "adapter_list.h"
#include "adapter_datetime.h"

#include <stddef.h>

#define ST(field) offsetof(module_state, field)
#define REG(py, oid) {ADAPTER_PY_##py, NULL, oid}
#define FACTORY(py, func, oid) {ADAPTER_PY_##py, func, oid}

static const adapter_def adapter_builtins[] = {
    {.name = "psycopg2.extensions.ISQLQuote",
     .doc = "ISQLQuote(wrapped)\n\n"
            "The protocol (and an optional base class) of SQL quoting\n"
            "adapters: an adapter has getquoted() returning the SQL literal\n"
            "as bytes and may have prepare(conn).  Registrations in\n"
            "`adapters` are keyed (type, ISQLQuote).",
     .slot = ST(isqlquote_type), .flags = ADAPTER_NOSTR,
     .methods = adapter_isqlquote_methods,
     .members = adapter_isqlquote_members},
    {.name = "psycopg2.extensions.AsIs",
     .doc = "AsIs(obj) -> adapter writing str(obj) in the query unquoted.",
     .slot = ST(asis_type), .quote = adapter_asis_quote},
    /* a finite float's literal is a numeric; 'NaN'::float is float8 */
    {.name = "psycopg2.extensions.Float",
     .doc = "Float(obj) -> adapter quoting a float: repr(obj), 'NaN'::float,"
            "\n'Infinity'::float or '-Infinity'::float.",
     .slot = ST(float_type), .quote = adapter_float_quote,
     .flags = ADAPTER_FAST, .regs = {REG(FLOAT, NUMERICOID)}},
    /* int8 or numeric when larger than an int4 */
    {.name = "psycopg2.extensions.Int",
     .doc = "Int(obj) -> adapter quoting an integer: str(int(obj)),\n"
            "negatives with a leading space.",
     .slot = ST(int_type), .quote = adapter_int_quote,
     .flags = ADAPTER_FAST, .regs = {REG(INT, INT4OID)}},
    {.name = "psycopg2.extensions.Boolean",
     .doc = "Boolean(obj) -> adapter quoting true or false.",
     .slot = ST(boolean_type), .quote = adapter_bool_quote,
     .flags = ADAPTER_FAST, .regs = {REG(BOOL, BOOLOID)}},
    {.name = "psycopg2.extensions.QuotedString",
     .doc = "QuotedString(str_or_bytes) -> adapter quoting a string "
            "literal.",
     .slot = ST(qstring_type), .quote = adapter_qstring_quote,
     .flags = ADAPTER_FAST | ADAPTER_PREPARE | ADAPTER_CACHE
              | ADAPTER_ENCODING,
     .regs = {REG(STR, UNKNOWNOID)},
     .init = adapter_qstring_init, .getset = adapter_qstring_getset},
    {.name = "psycopg2.extensions.Binary",
     .doc = "Binary(buffer) -> adapter quoting bytes, bytearray, memoryview"
            "\nor any buffer as a bytea literal (None quotes as NULL).",
     .slot = ST(binary_type), .quote = adapter_binary_quote,
     .flags = ADAPTER_FAST | ADAPTER_PREPARE | ADAPTER_CACHE,
     .regs = {REG(BYTES, BYTEAOID), REG(BYTEARRAY, BYTEAOID),
              REG(MEMORYVIEW, BYTEAOID)},
     .getset = adapter_binary_getset},
    /* an array of its items' type */
    {.name = "psycopg2._psycopg.List",
     .doc = "List(list) -> adapter quoting a list as an array: ARRAY[...],"
            "\n'{}' when empty, '{NULL,...}' when every item is None.",
     .slot = ST(list_type), .quote = adapter_list_quote,
     .flags = ADAPTER_PREPARE, .regs = {REG(LIST, 0)}},
    /* timetz and timestamptz for aware values */
    {.name = "psycopg2._psycopg.datetime",
     .doc = "datetime(obj[, type]) -> adapter quoting a date, time, "
            "datetime\nor timedelta.",
     .slot = ST(pydatetime_type), .quote = adapter_dt_quote,
     .flags = ADAPTER_HIDDEN | ADAPTER_FAST,
     .regs = {FACTORY(DATE, "DateFromPy", DATEOID),
              FACTORY(TIME, "TimeFromPy", TIMEOID),
              FACTORY(DATETIME, "TimestampFromPy", TIMESTAMPOID),
              FACTORY(TIMEDELTA, "IntervalFromPy", INTERVALOID)},
     .init = adapter_dt_init, .members = adapter_dt_members},
    /* a list of values, not a value */
    {.name = "psycopg2.extensions.SQL_IN",
     .doc = "SQL_IN(seq) -> adapter quoting a sequence as (a, b, c).",
     .slot = ST(sql_in_type), .quote = adapter_sql_in_quote,
     .flags = ADAPTER_PREPARE | ADAPTER_MUTABLE, .regs = {REG(TUPLE, 0)},
     .str = adapter_sql_in_str},
    {.name = "psycopg2.extensions.NoneAdapter",
     .doc = "NoneAdapter(obj) -> adapter quoting as NULL.",
     .slot = ST(none_adapter_type), .quote = adapter_none_quote,
     .flags = ADAPTER_NOSTR | ADAPTER_MUTABLE,
     .regs = {REG(NONE, UNKNOWNOID)}},
    {.name = "psycopg2._psycopg.Decimal",
     .doc = "Decimal(obj) -> adapter quoting a decimal.Decimal: str(obj),\n"
            "or 'NaN'::numeric if not finite.",
     .slot = ST(decimal_adapter_type), .quote = adapter_decimal_quote,
     .flags = ADAPTER_FAST, .regs = {REG(DECIMAL, NUMERICOID)}},
};

#define ADAPTER_NBUILTINS                                                  \
    (sizeof(adapter_builtins) / sizeof(adapter_builtins[0]))

/* Borrowed: the type a row made (NULL before). */
static inline PyTypeObject *
adapter_builtins_type(module_state *st, const adapter_def *def)
{
    return *(PyTypeObject **)((char *)st + def->slot);
}

const adapter_def *
adapter_builtins_def_of(module_state *st, PyTypeObject *type)
{
    PyObject *mro = type->tp_mro;
    Py_ssize_t i, n = (mro && PyTuple_Check(mro)) ? PyTuple_GET_SIZE(mro) : 0;
    size_t r;

    for (i = 0; i < n; i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        for (r = 0; r < ADAPTER_NBUILTINS; r++) {
            if (t == adapter_builtins_type(st, &adapter_builtins[r])) {
                return &adapter_builtins[r];
            }
        }
    }
    PyErr_Format(PyExc_TypeError, "%.200s is not a psycopg2 adapter type",
                 type->tp_name);
    return NULL;
}

/* The Python type of a registration (new reference) or NULL. */
static PyObject *
adapter_builtins_pytype(module_state *st, PyObject *dtmod, adapter_pytype t)
{
    switch (t) {
    case ADAPTER_PY_BOOL:
        return Py_NewRef((PyObject *)&PyBool_Type);
    case ADAPTER_PY_INT:
        return Py_NewRef((PyObject *)&PyLong_Type);
    case ADAPTER_PY_FLOAT:
        return Py_NewRef((PyObject *)&PyFloat_Type);
    case ADAPTER_PY_DECIMAL:
        if (st->Decimal == NULL || !PyType_Check(st->Decimal)) {
            PyErr_SetString(PyExc_RuntimeError,
                            "decimal.Decimal not loaded before mp_setup");
            return NULL;
        }
        return Py_NewRef(st->Decimal);
    case ADAPTER_PY_STR:
        return Py_NewRef((PyObject *)&PyUnicode_Type);
    case ADAPTER_PY_BYTES:
        return Py_NewRef((PyObject *)&PyBytes_Type);
    case ADAPTER_PY_BYTEARRAY:
        return Py_NewRef((PyObject *)&PyByteArray_Type);
    case ADAPTER_PY_MEMORYVIEW:
        return Py_NewRef((PyObject *)&PyMemoryView_Type);
    case ADAPTER_PY_LIST:
        return Py_NewRef((PyObject *)&PyList_Type);
    case ADAPTER_PY_TUPLE:
        return Py_NewRef((PyObject *)&PyTuple_Type);
    case ADAPTER_PY_NONE:
        return Py_NewRef((PyObject *)Py_TYPE(Py_None));
    case ADAPTER_PY_DATE:
        return PyObject_GetAttrString(dtmod, "date");
    case ADAPTER_PY_TIME:
        return PyObject_GetAttrString(dtmod, "time");
    case ADAPTER_PY_DATETIME:
        return PyObject_GetAttrString(dtmod, "datetime");
    case ADAPTER_PY_TIMEDELTA:
        return PyObject_GetAttrString(dtmod, "timedelta");
    case ADAPTER_PY_END:
        break;
    }
    PyErr_SetString(PyExc_SystemError, "bad builtin adapter row");
    return NULL;
}

/* Register one row's types; note each in st->adapter_defaults, the
 * direct ones first (what it points to is owned by st: the keys and the
 * adapters are in adapter_default_keys, a key holds its type). */
static int
adapter_builtins_register(PyObject *module, module_state *st, PyObject *dtmod,
                          const adapter_def *def)
{
    const adapter_reg *reg;
    PyObject *pytype = NULL;
    PyObject *adapter = NULL;
    PyObject *key = NULL;
    int rv = -1;

    for (reg = def->regs; reg->pytype != ADAPTER_PY_END; reg++) {
        adapter_default *e;
        int direct = (def->flags & ADAPTER_FAST) != 0;

        if (!(pytype = adapter_builtins_pytype(st, dtmod, reg->pytype))) {
            goto exit;
        }
        adapter = reg->factory
                      ? PyObject_GetAttrString(module, reg->factory)
                      : Py_NewRef((PyObject *)adapter_builtins_type(st, def));
        if (adapter == NULL) {
            goto exit;
        }
        if (!(key = PyTuple_Pack(2, pytype, (PyObject *)st->isqlquote_type))
            || PyDict_SetItem(st->adapters, key, adapter) < 0
            || PyList_Append(st->adapter_default_keys, key) < 0
            || PyList_Append(st->adapter_default_keys, adapter) < 0) {
            goto exit;
        }
        if (st->adapter_ndefaults == ADAPTER_MAX_DEFAULTS) {
            PyErr_SetString(PyExc_SystemError,
                            "raise ADAPTER_MAX_DEFAULTS (module.h)");
            goto exit;
        }
        e = &st->adapter_defaults[st->adapter_ndefaults++];
        if (direct) {
            /* before the first indirect entry */
            for (; e > st->adapter_defaults && !e[-1].direct; e--) {
                e[0] = e[-1];
            }
        }
        e->pytype = (PyTypeObject *)pytype;
        e->key = key;
        e->adapter = adapter;
        e->def = def;
        e->direct = direct;
        Py_CLEAR(key);
        Py_CLEAR(adapter);
        Py_CLEAR(pytype);
    }
    rv = 0;

exit:
    Py_XDECREF(key);
    Py_XDECREF(adapter);
    Py_XDECREF(pytype);
    return rv;
}

int
adapter_builtins_setup(PyObject *module, module_state *st)
{
    PyObject *dtmod = NULL;
    size_t r;
    int rv = -1;

    if (adapter_datetime_import() < 0) {
        goto exit;
    }
    for (r = 0; r < ADAPTER_NBUILTINS; r++) {
        if (adapter_type_create(module, st, &adapter_builtins[r]) < 0) {
            goto exit;
        }
    }
    if (!(dtmod = PyImport_ImportModule("datetime"))
        || !(st->adapter_default_keys = PyList_New(0))) {
        goto exit;
    }
    st->adapter_ndefaults = 0;
    for (r = 0; r < ADAPTER_NBUILTINS; r++) {
        if (adapter_builtins_register(module, st, dtmod,
                                      &adapter_builtins[r]) < 0) {
            goto exit;
        }
    }
    rv = 0;

exit:
    Py_XDECREF(dtmod);
    return rv;
}
