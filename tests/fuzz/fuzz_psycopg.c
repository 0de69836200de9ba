/* libFuzzer targets for the C parsers and formatters of psycopg2._psycopg.
 *
 * The whole extension (psycopg/*.c) is compiled into the fuzzer binary with
 * coverage and ASan/UBSan, and registered as the builtin module
 * psycopg2._psycopg before CPython starts; `import psycopg2` then picks it
 * up with the pure-Python package from lib/.  One binary per target,
 * chosen at build time with -DFUZZ_TARGET_<NAME> (scripts/fuzz.sh):
 *
 *   query     query_merge(): %s / %(name)s merging (a closed connection
 *             object gives it its module state and the UTF-8 encoding)
 *   array     array literal parser, through the *ARRAY casters
 *   datetime  date / time / timestamp / timestamptz / interval parsers
 *   numeric   int / bigint / float / numeric / bool parsers
 *   bytea     bytea hex and escape decoding
 *   escape    string and bytea quoting (QuotedString, Binary, lists)
 *
 * Any Python exception is an accepted outcome; a crash, a sanitizer report
 * or a SystemError (an exception set wrongly) is a finding.
 */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "query.h"

#include <stdint.h>
#include <stdlib.h>

extern PyObject *PyInit__psycopg(void);

static PyObject *g_run;        /* Python callable run(data: bytes) */
static PyObject *g_module;     /* psycopg2._psycopg */
static connectionObject *g_conn;

static const char *py_setup =
"import sys, decimal\n"
"import psycopg2, psycopg2.extensions as ext\n"
"A = [ext.INTEGERARRAY, ext.LONGINTEGERARRAY, ext.FLOATARRAY,\n"
"     ext.DECIMALARRAY, ext.BOOLEANARRAY, ext.STRINGARRAY, ext.UNICODEARRAY,\n"
"     ext.BINARYARRAY, ext.DATEARRAY, ext.TIMEARRAY, ext.DATETIMEARRAY,\n"
"     ext.DATETIMETZARRAY, ext.INTERVALARRAY, ext.JSONARRAY]\n"
"D = [ext.DATE, ext.TIME, ext.DATETIME, ext.DATETIMETZ, ext.INTERVAL,\n"
"     ext.PYDATE, ext.PYTIME, ext.PYDATETIME, ext.PYDATETIMETZ,\n"
"     ext.PYINTERVAL]\n"
"N = [ext.INTEGER, ext.LONGINTEGER, ext.FLOAT, ext.DECIMAL, ext.BOOLEAN]\n"
"OK = (psycopg2.Error, ValueError, TypeError, OverflowError,\n"
"      UnicodeError, decimal.InvalidOperation, KeyError, IndexError)\n"
"def cast(table, data):\n"
"    if not data:\n"
"        return\n"
"    c = table[data[0] % len(table)]\n"
"    s = data[1:]\n"
"    for v in (s, s.decode('latin-1')):\n"
"        try:\n"
"            c(v, None)\n"
"        except SystemError:\n"
"            raise\n"
"        except OK:\n"
"            pass\n"
"def run_array(data): cast(A, data)\n"
"def run_datetime(data): cast(D, data)\n"
"def run_numeric(data): cast(N, data)\n"
"def run_bytea(data): cast([ext.BINARY], b'\\x00' + data)\n"
"def run_escape(data):\n"
"    try:\n"
"        ext.QuotedString(data).getquoted()\n"
"    except OK:\n"
"        pass\n"
"    s = data.decode('utf-8', 'replace')\n"
"    for a in (ext.QuotedString(s), ext.Binary(data), ext.adapt([s, data]),\n"
"              ext.adapt((s, 1, None))):\n"
"        try:\n"
"            if hasattr(a, 'encoding'):\n"
"                pass\n"
"            a.getquoted()\n"
"        except OK:\n"
"            pass\n"
"VARS = [1, -2, 'it''s', None, b'\\x00\\\\', 1.5, [1, 'a'], True]\n"
"def query_vars(data):\n"
"    n = data[0] % 6 if data else 0\n"
"    if data and data[0] & 0x80:\n"
"        return {chr(97 + i): VARS[i] for i in range(n)}\n"
"    return tuple(VARS[:n])\n";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    PyObject *ns = NULL, *mod;
    const char *root = getenv("PSYCOPG2_FUZZ_PYTHONPATH");
    const char *target =
#if defined(FUZZ_TARGET_QUERY)
        "query_vars";
#elif defined(FUZZ_TARGET_ARRAY)
        "run_array";
#elif defined(FUZZ_TARGET_DATETIME)
        "run_datetime";
#elif defined(FUZZ_TARGET_NUMERIC)
        "run_numeric";
#elif defined(FUZZ_TARGET_BYTEA)
        "run_bytea";
#elif defined(FUZZ_TARGET_ESCAPE)
        "run_escape";
#else
#error "define FUZZ_TARGET_<NAME>"
#endif

    if (PyImport_AppendInittab("psycopg2._psycopg", PyInit__psycopg) < 0)
        abort();
    Py_InitializeEx(0);
    if (root) {
        PyObject *path = PySys_GetObject("path");
        PyObject *p = PyUnicode_FromString(root);
        if (!path || !p || PyList_Insert(path, 0, p) < 0)
            abort();
        Py_DECREF(p);
    }
    ns = PyDict_New();
    if (!ns || PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0)
        abort();
    if (!(mod = PyRun_String(py_setup, Py_file_input, ns, ns))) {
        PyErr_Print();
        abort();
    }
    Py_DECREF(mod);
    if (!(g_run = PyDict_GetItemString(ns, target)))
        abort();
    Py_INCREF(g_run);
    if (!(g_module = PyImport_ImportModule("psycopg2._psycopg"))) {
        PyErr_Print();
        abort();
    }
    {
        module_state *st = PyModule_GetState(g_module);
        PyTypeObject *tp = st->connection_type;
        g_conn = (connectionObject *)tp->tp_alloc(tp, 0);
        if (!g_conn)
            abort();
        g_conn->st = st;
        g_conn->module = Py_NewRef(g_module);
        g_conn->closed = 1;
        g_conn->is_utf8 = 1;
        g_conn->pid = getpid();
    }
    Py_DECREF(ns);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PyObject *b = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size);
    PyObject *r;
    if (!b)
        abort();
#if defined(FUZZ_TARGET_QUERY)
    {
        /* first byte: the shape of the parameters, the rest: the query */
        PyObject *q = PyBytes_FromStringAndSize(
            size ? (const char *)data + 1 : "", size ? (Py_ssize_t)size - 1 : 0);
        PyObject *vars = PyObject_CallOneArg(g_run, b);
        if (!q || !vars)
            abort();
        r = query_merge(g_conn, q, vars);
        Py_DECREF(q);
        Py_DECREF(vars);
    }
#else
    r = PyObject_CallOneArg(g_run, b);
#endif
    Py_DECREF(b);
    if (r == NULL) {
        if (PyErr_ExceptionMatches(PyExc_SystemError)
#if !defined(FUZZ_TARGET_QUERY)
            || 1
#endif
        ) {
            /* Python-side targets catch the accepted errors themselves:
             * whatever escapes is a finding; query_merge may raise any
             * DB-API/Python error but never SystemError */
            PyErr_Print();
            abort();
        }
        PyErr_Clear();
    }
    Py_XDECREF(r);
    return 0;
}
