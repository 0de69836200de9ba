/* The one table of builtin adapters: which adapter st->adapters holds for
 * each Python type at import.  Adding a builtin adapter is one row here. */

#include "psycopg.h"
#include "module.h"
#include "adapter_builtins.h"

#include <stddef.h>

/* Where the Python type of a row comes from. */
typedef enum {
    ADAPTER_PY_BOOL,
    ADAPTER_PY_INT,
    ADAPTER_PY_FLOAT,
    ADAPTER_PY_DECIMAL,     /* st->Decimal */
    ADAPTER_PY_STR,
    ADAPTER_PY_BYTES,
    ADAPTER_PY_BYTEARRAY,
    ADAPTER_PY_MEMORYVIEW,
    ADAPTER_PY_LIST,
    ADAPTER_PY_TUPLE,
    ADAPTER_PY_NONE,
    ADAPTER_PY_DATE,        /* the datetime module's types */
    ADAPTER_PY_TIME,
    ADAPTER_PY_DATETIME,
    ADAPTER_PY_TIMEDELTA,
} adapter_pytype;

typedef struct {
    adapter_pytype pytype;
    size_t slot;            /* offsetof(module_state, <adapter type>), or */
    const char *func;       /* the name of a module function */
} adapter_builtin;

#define ADAPTER_TYPE(f) offsetof(module_state, f), NULL
#define ADAPTER_FUNC(name) 0, name

static const adapter_builtin adapter_builtins[] = {
    {ADAPTER_PY_BOOL, ADAPTER_TYPE(boolean_type)},
    {ADAPTER_PY_INT, ADAPTER_TYPE(int_type)},
    {ADAPTER_PY_FLOAT, ADAPTER_TYPE(float_type)},
    {ADAPTER_PY_DECIMAL, ADAPTER_TYPE(decimal_adapter_type)},
    {ADAPTER_PY_STR, ADAPTER_TYPE(qstring_type)},
    {ADAPTER_PY_BYTES, ADAPTER_TYPE(binary_type)},
    {ADAPTER_PY_BYTEARRAY, ADAPTER_TYPE(binary_type)},
    {ADAPTER_PY_MEMORYVIEW, ADAPTER_TYPE(binary_type)},
    {ADAPTER_PY_LIST, ADAPTER_TYPE(list_type)},
    {ADAPTER_PY_TUPLE, ADAPTER_TYPE(sql_in_type)},
    {ADAPTER_PY_NONE, ADAPTER_TYPE(none_adapter_type)},
    {ADAPTER_PY_DATE, ADAPTER_FUNC("DateFromPy")},
    {ADAPTER_PY_TIME, ADAPTER_FUNC("TimeFromPy")},
    {ADAPTER_PY_DATETIME, ADAPTER_FUNC("TimestampFromPy")},
    {ADAPTER_PY_TIMEDELTA, ADAPTER_FUNC("IntervalFromPy")},
};

/* The Python type of a row (new reference) or NULL. */
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
        if (st->Decimal == NULL) {
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
    }
    PyErr_SetString(PyExc_SystemError, "bad builtin adapter row");
    return NULL;
}

int
adapter_builtins_register(PyObject *module, module_state *st)
{
    PyObject *dtmod = NULL;
    PyObject *pytype = NULL;
    PyObject *adapter = NULL;
    PyObject *key = NULL;
    size_t i;
    int rv = -1;

    if (!(dtmod = PyImport_ImportModule("datetime"))) {
        goto exit;
    }
    for (i = 0; i < sizeof(adapter_builtins) / sizeof(adapter_builtins[0]);
         i++) {
        const adapter_builtin *row = &adapter_builtins[i];

        if (!(pytype = adapter_builtins_pytype(st, dtmod, row->pytype))) {
            goto exit;
        }
        if (row->func != NULL) {
            if (!(adapter = PyObject_GetAttrString(module, row->func))) {
                goto exit;
            }
        }
        else {
            adapter = *(PyObject **)((char *)st + row->slot);
            if (adapter == NULL) {
                PyErr_SetString(PyExc_SystemError,
                                "builtin adapter type not created");
                goto exit;
            }
            Py_INCREF(adapter);
        }
        if (!(key = PyTuple_Pack(2, pytype, (PyObject *)st->isqlquote_type))) {
            goto exit;
        }
        if (PyDict_SetItem(st->adapters, key, adapter) < 0) {
            goto exit;
        }
        Py_CLEAR(key);
        Py_CLEAR(adapter);
        Py_CLEAR(pytype);
    }
    rv = 0;

exit:
    Py_XDECREF(key);
    Py_XDECREF(adapter);
    Py_XDECREF(pytype);
    Py_XDECREF(dtmod);
    return rv;
}
