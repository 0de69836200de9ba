/* psycopg2._psycopg: module state, multi-phase init, module functions. */
#include "psycopg.h"
#include "module.h"
#include "procid.h"
#include "wait.h"
#include <string.h>
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "typecast.h"
#include "microprotocols.h"
#include "lobject.h"

#include <datetime.h>

#ifdef PSYCOPG_DEBUG
int psycopg_debug_enabled = 0;
#endif

/* ---- state lookup ---- */

module_state *
mod_state_from_type(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030b0000
    PyObject *mod = PyType_GetModuleByDef(type, &psycopg_module_def);
    if (mod == NULL)
        return NULL;
    return mod_state(mod);
#else
    /* Walk the MRO: subclasses made in Python have no module of their own. */
    PyObject *mro = type->tp_mro;
    Py_ssize_t i, n;
    if (mro == NULL || !PyTuple_Check(mro)) {
        PyErr_SetString(PyExc_TypeError, "type has no psycopg2 base");
        return NULL;
    }
    n = PyTuple_GET_SIZE(mro);
    for (i = 0; i < n; i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
            continue;
        if (((PyHeapTypeObject *)t)->ht_module == NULL)
            continue;
        PyObject *mod = ((PyHeapTypeObject *)t)->ht_module;
        if (PyModule_GetDef(mod) == &psycopg_module_def)
            return mod_state(mod);
    }
    PyErr_SetString(PyExc_TypeError, "type has no psycopg2 base");
    return NULL;
#endif
}

int
mod_add_type(PyObject *module, PyType_Spec *spec, PyObject *base,
             PyTypeObject **slot)
{
    const char *dot;
    PyObject *type, *bases = NULL;
    /* As psycopg2's, every type is immutable: no attribute of the type
     * can be set or deleted once made, so the spec must hold all its
     * methods.  (Python 3.9 has no such flag: there it is 0, compat.h.)
     * The flag goes on a copy: the spec itself is shared. */
    PyType_Spec imm = *spec;
    imm.flags |= Py_TPFLAGS_IMMUTABLETYPE;
    /* Python 3.9 wants a tuple of bases, not a single type */
    if (base && PyType_Check(base)) {
        if (!(bases = PyTuple_Pack(1, base)))
            return -1;
        base = bases;
    }
    type = PyType_FromModuleAndSpec(module, &imm, base);
    Py_XDECREF(bases);
    if (type == NULL)
        return -1;
    dot = strrchr(spec->name, '.');
    if (PyModule_AddObjectRef(module, dot ? dot + 1 : spec->name, type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    *slot = (PyTypeObject *)type; /* keeps the reference */
    return 0;
}

/* The joined tables of a type made from parts (mod_add_type_parts): the
 * type's descriptors point into them, so they live as long as the process
 * and serve every module instance. */
typedef struct {
    PyType_Spec *spec;
    PyType_Slot *slots;
    PyMethodDef *methods;
    PyGetSetDef *getset;
} mod_parts;

static mod_parts mod_parts_made[4];

/* NULL-terminated list of NULL-terminated tables -> one new table. */
static void *
mod_join(void *const *tables, size_t item, int (*is_end)(const void *))
{
    size_t n = 0, k;
    char *out, *p;
    const char *t;
    for (k = 0; tables[k]; k++)
        for (t = tables[k]; !is_end(t); t += item)
            n++;
    if (!(out = PyMem_RawCalloc(n + 1, item)))
        return NULL;
    p = out;
    for (k = 0; tables[k]; k++)
        for (t = tables[k]; !is_end(t); t += item, p += item)
            memcpy(p, t, item);
    return out;
}

static int
mod_method_end(const void *d)
{
    return ((const PyMethodDef *)d)->ml_name == NULL;
}

static int
mod_getset_end(const void *d)
{
    return ((const PyGetSetDef *)d)->name == NULL;
}

static mod_parts *
mod_parts_for(PyType_Spec *spec, PyMethodDef *const *methods,
              PyGetSetDef *const *getset)
{
    mod_parts *p;
    int i, n = 0;
    for (p = mod_parts_made; p < mod_parts_made + 4 && p->spec; p++)
        if (p->spec == spec)
            return p;
    if (p == mod_parts_made + 4) {
        PyErr_SetString(PyExc_SystemError, "too many types made of parts");
        return NULL;
    }
    while (spec->slots[n].slot)
        n++;
    p->slots = PyMem_RawCalloc(n + 1, sizeof(PyType_Slot));
    p->methods = mod_join((void *const *)methods, sizeof(PyMethodDef),
                          mod_method_end);
    p->getset = mod_join((void *const *)getset, sizeof(PyGetSetDef),
                         mod_getset_end);
    if (!p->slots || !p->methods || !p->getset) {
        PyMem_RawFree(p->slots);
        PyMem_RawFree(p->methods);
        PyMem_RawFree(p->getset);
        p->slots = NULL;
        p->methods = NULL;
        p->getset = NULL;
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        p->slots[i] = spec->slots[i];
        if (p->slots[i].slot == Py_tp_methods)
            p->slots[i].pfunc = p->methods;
        else if (p->slots[i].slot == Py_tp_getset)
            p->slots[i].pfunc = p->getset;
    }
    p->spec = spec;
    return p;
}

int
mod_add_type_parts(PyObject *module, PyType_Spec *spec, PyObject *base,
                   PyTypeObject **slot, PyMethodDef *const *methods,
                   PyGetSetDef *const *getset)
{
    mod_parts *p = mod_parts_for(spec, methods, getset);
    PyType_Spec joined;
    if (p == NULL)
        return -1;
    joined = *spec;
    joined.slots = p->slots;
    return mod_add_type(module, &joined, base, slot);
}

/* ---- module functions ---- */

PyDoc_STRVAR(mod_parse_dsn_doc,
"parse_dsn(dsn) -> dict\n\nThe keywords explicitly present in a connection "
"string or URI.");

static PyObject *
mod_parse_dsn(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"dsn", NULL};
    module_state *st = mod_state(module);
    PyObject *rv = NULL, *bytes = NULL, *val = NULL, *arg;
    PQconninfoOption *opts = NULL, *o;
    char *err = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &arg))
        return NULL;
    if (PyUnicode_Check(arg)) {
        if (!(bytes = PyUnicode_AsUTF8String(arg)))
            goto exit;
    }
    else if (PyBytes_Check(arg)) {
        bytes = Py_NewRef(arg);
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "Expected bytes or unicode string, got %s instead",
                     Py_TYPE(arg)->tp_name);
        goto exit;
    }
    if (strlen(PyBytes_AS_STRING(bytes)) != (size_t)PyBytes_GET_SIZE(bytes)) {
        /* libpq would silently stop at the NUL */
        PyErr_SetString(PyExc_ValueError, "dsn contains a NUL character");
        goto exit;
    }
    opts = PQconninfoParse(PyBytes_AS_STRING(bytes), &err);
    if (opts == NULL) {
        if (err)
            err_raise_trimmed(st->ProgrammingError, "invalid dsn: ", err);
        else
            PyErr_NoMemory();
        goto exit;
    }
    if (!(rv = PyDict_New()))
        goto exit;
    for (o = opts; o->keyword; o++) {
        if (o->val == NULL)
            continue;
        if (!(val = PyUnicode_DecodeUTF8(o->val, strlen(o->val), NULL)))
            goto error;
        if (PyDict_SetItemString(rv, o->keyword, val) < 0)
            goto error;
        Py_CLEAR(val);
    }
    goto exit;
error:
    Py_CLEAR(rv);
exit:
    Py_XDECREF(val);
    Py_XDECREF(bytes);
    if (opts)
        PQconninfoFree(opts);
    if (err)
        PQfreemem(err);
    return rv;
}

PyDoc_STRVAR(mod_libpq_version_doc,
"libpq_version() -> int\n\nVersion of the libpq loaded at run time.");

static PyObject *
mod_libpq_version(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(PQlibVersion());
}

/* scope -> connection, or NULL with TypeError */
static connectionObject *
mod_scope_conn(module_state *st, PyObject *scope, const char *fname)
{
    if (PyObject_TypeCheck(scope, st->connection_type))
        return (connectionObject *)scope;
    if (PyObject_TypeCheck(scope, st->cursor_type))
        return ((cursorObject *)scope)->conn;
    PyErr_Format(PyExc_TypeError,
                 "%s: argument 2 must be a connection or cursor", fname);
    return NULL;
}

PyDoc_STRVAR(mod_quote_ident_doc,
"quote_ident(str, conn_or_curs) -> str\n"
"\n"
"Quote *str* as an SQL identifier (a table or column name): it is put "
"in\n"
"double quotes, with any double quote inside doubled, so that it can be\n"
"inserted in a query as a name whatever it contains. *conn_or_curs*, a\n"
"connection or cursor, gives the encoding. psycopg2.sql.Identifier is\n"
"the higher-level way to build queries with names.");

static PyObject *
mod_quote_ident(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"ident", "scope", NULL};
    module_state *st = mod_state(module);
    PyObject *ident, *scope, *bytes = NULL, *rv = NULL;
    connectionObject *conn;
    char *quoted = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO", kwlist, &ident,
                                     &scope))
        return NULL;
    if (!(conn = mod_scope_conn(st, scope, "quote_ident")))
        return NULL;
    if (conn_check_open(conn) < 0)
        return NULL;
    if (PyUnicode_Check(ident)) {
        if (!(bytes = conn_encode(conn, ident)))
            goto exit;
    }
    else if (PyBytes_Check(ident)) {
        bytes = Py_NewRef(ident);
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "Expected bytes or unicode string, got %s instead",
                     Py_TYPE(ident)->tp_name);
        goto exit;
    }
    if (strlen(PyBytes_AS_STRING(bytes)) != (size_t)PyBytes_GET_SIZE(bytes)) {
        /* PQescapeIdentifier would silently stop at the NUL */
        PyErr_SetString(PyExc_ValueError,
                        "identifier contains a NUL character");
        goto exit;
    }
    if (conn_lock(conn) < 0)
        goto exit;
    quoted = PQescapeIdentifier(conn->pgconn, PyBytes_AS_STRING(bytes),
                                PyBytes_GET_SIZE(bytes));
    if (quoted == NULL) /* raised by conn_unlock */
        conn_fail_prefixed(conn, st->ProgrammingError, "quote_ident failed: ",
                           PQerrorMessage(conn->pgconn));
    conn_unlock(conn);
    if (quoted == NULL)
        goto exit;
    rv = conn_decode(conn, quoted, strlen(quoted));
exit:
    if (quoted)
        PQfreemem(quoted);
    Py_XDECREF(bytes);
    return rv;
}

PyDoc_STRVAR(mod_encrypt_password_doc,
"encrypt_password(password, user, scope=None, algorithm=None) -> str\n\n"
"Hash a password the way the server stores it.");

static PyObject *
mod_encrypt_password(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"password", "user", "scope", "algorithm", NULL};
    module_state *st = mod_state(module);
    const char *password, *user, *algorithm = NULL;
    PyObject *scope = Py_None, *rv = NULL;
    connectionObject *conn = NULL;
    char *enc = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ss|Oz", kwlist, &password,
                                     &user, &scope, &algorithm))
        return NULL;
    if (scope != Py_None) {
        if (!(conn = mod_scope_conn(st, scope, "encrypt_password")))
            return NULL;
        if (conn_check_open(conn) < 0)
            return NULL;
    }
    if (algorithm && strcmp(algorithm, "md5") == 0 && conn == NULL) {
        enc = PQencryptPassword(password, user);
    }
    else {
        if (conn == NULL) {
            PyErr_SetString(st->ProgrammingError,
                            "password encryption with this algorithm "
                            "requires a connection or cursor");
            return NULL;
        }
        /* With algorithm NULL libpq queries the server: release the GIL. */
        if (conn_lock(conn) < 0)
            return NULL;
        Py_BEGIN_ALLOW_THREADS
        enc = PQencryptPasswordConn(conn->pgconn, password, user, algorithm);
        Py_END_ALLOW_THREADS
        if (enc == NULL) /* raised by conn_unlock */
            conn_fail_prefixed(conn, st->ProgrammingError,
                               "password encryption failed: ",
                               PQerrorMessage(conn->pgconn));
        conn_unlock(conn);
        if (enc == NULL)
            return NULL;
    }
    if (enc == NULL) {
        err_raise_trimmed(st->ProgrammingError, "password encryption failed: ",
                          "");
        return NULL;
    }
    rv = PyUnicode_FromString(enc);
    PQfreemem(enc);
    return rv;
}

PyDoc_STRVAR(mod_set_wait_callback_doc,
"set_wait_callback(f)\n"
"\n"
"Install f(conn) as the function that waits whenever a connection would\n"
"block, for every connection of the process: \"green\" mode, for "
"coroutine\n"
"libraries such as gevent or eventlet. f must loop on conn.poll() until\n"
"it returns POLL_OK, waiting for the socket (conn.fileno()) to become\n"
"readable on POLL_READ and writable on POLL_WRITE, with the library's "
"own\n"
"primitives; psycopg2.extras.wait_select is an example using select().\n"
"None restores the normal blocking mode. In green mode a connection\n"
"cannot be shared between green threads, and Ctrl-C is left to f.");

static PyObject *
mod_set_wait_callback(PyObject *module, PyObject *cb)
{
    module_state *st = mod_state(module);
    if (cb == Py_None) {
        Py_CLEAR(st->wait_callback);
    }
    else {
        if (!PyCallable_Check(cb)) {
            PyErr_SetString(PyExc_TypeError, "the callback must be callable");
            return NULL;
        }
        Py_XSETREF(st->wait_callback, Py_NewRef(cb));
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(mod_get_wait_callback_doc,
"get_wait_callback() -> callable or None\n"
"\n"
"The wait function installed by set_wait_callback(), or None in the\n"
"normal blocking mode.");

static PyObject *
mod_get_wait_callback(PyObject *module, PyObject *unused)
{
    module_state *st = mod_state(module);
    return Py_NewRef(st->wait_callback ? st->wait_callback : Py_None);
}

PyDoc_STRVAR(mod_connect_doc,
"_connect(dsn, connection_factory=None, async_=False) -- open a "
"connection (psycopg2.connect builds the dsn).");

static PyObject *
mod_connect(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"dsn", "connection_factory", "async", "async_",
                             NULL};
    module_state *st = mod_state(module);
    PyObject *dsn, *factory = Py_None;
    int async = 0, async_ = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|Opp", kwlist, &dsn,
                                     &factory, &async, &async_))
        return NULL;
    if (factory == Py_None)
        factory = (PyObject *)st->connection_type;
    if (async || async_)
        return PyObject_CallFunction(factory, "Oi", dsn, 1);
    return PyObject_CallOneArg(factory, dsn);
}

static PyMethodDef mod_methods[] = {
    {"_connect", (PyCFunction)(void (*)(void))mod_connect,
     METH_VARARGS | METH_KEYWORDS, mod_connect_doc},
    {"parse_dsn", (PyCFunction)(void (*)(void))mod_parse_dsn,
     METH_VARARGS | METH_KEYWORDS, mod_parse_dsn_doc},
    {"libpq_version", (PyCFunction)mod_libpq_version, METH_NOARGS,
     mod_libpq_version_doc},
    {"quote_ident", (PyCFunction)(void (*)(void))mod_quote_ident,
     METH_VARARGS | METH_KEYWORDS, mod_quote_ident_doc},
    {"encrypt_password", (PyCFunction)(void (*)(void))mod_encrypt_password,
     METH_VARARGS | METH_KEYWORDS, mod_encrypt_password_doc},
    {"set_wait_callback", (PyCFunction)mod_set_wait_callback, METH_O,
     mod_set_wait_callback_doc},
    {"get_wait_callback", (PyCFunction)mod_get_wait_callback, METH_NOARGS,
     mod_get_wait_callback_doc},
    {NULL, NULL, 0, NULL}};

/* ---- init ---- */

static int
mod_add_int(PyObject *m, const char *name, long v)
{
    return PyModule_AddIntConstant(m, name, v);
}

static int
mod_add_constants(PyObject *m)
{
    if (PyModule_AddStringConstant(m, "__version__",
                                   PSYCOPG_VERSION " (dt dec pq3 ext lo64)") < 0
        || PyModule_AddIntConstant(m, "__libpq_version__", PG_VERSION_NUM) < 0
        || PyModule_AddStringConstant(m, "apilevel", "2.0") < 0
        || PyModule_AddIntConstant(m, "threadsafety", 2) < 0
        || PyModule_AddStringConstant(m, "paramstyle", "pyformat") < 0)
        return -1;
    if (mod_add_int(m, "STATUS_SETUP", CONN_STATUS_SETUP) < 0
        || mod_add_int(m, "STATUS_READY", CONN_STATUS_READY) < 0
        || mod_add_int(m, "STATUS_BEGIN", CONN_STATUS_BEGIN) < 0
        || mod_add_int(m, "STATUS_IN_TRANSACTION", CONN_STATUS_BEGIN) < 0
        || mod_add_int(m, "STATUS_SYNC", CONN_STATUS_SYNC) < 0
        || mod_add_int(m, "STATUS_ASYNC", CONN_STATUS_ASYNC) < 0
        || mod_add_int(m, "STATUS_PREPARED", CONN_STATUS_PREPARED) < 0
        || mod_add_int(m, "POLL_OK", POLL_OK) < 0
        || mod_add_int(m, "POLL_READ", POLL_READ) < 0
        || mod_add_int(m, "POLL_WRITE", POLL_WRITE) < 0
        || mod_add_int(m, "POLL_ERROR", POLL_ERROR) < 0
        || mod_add_int(m, "TRANSACTION_STATUS_IDLE", PQTRANS_IDLE) < 0
        || mod_add_int(m, "TRANSACTION_STATUS_ACTIVE", PQTRANS_ACTIVE) < 0
        || mod_add_int(m, "TRANSACTION_STATUS_INTRANS", PQTRANS_INTRANS) < 0
        || mod_add_int(m, "TRANSACTION_STATUS_INERROR", PQTRANS_INERROR) < 0
        || mod_add_int(m, "TRANSACTION_STATUS_UNKNOWN", PQTRANS_UNKNOWN) < 0
        || mod_add_int(m, "ISOLATION_LEVEL_AUTOCOMMIT", 0) < 0
        || mod_add_int(m, "ISOLATION_LEVEL_READ_COMMITTED", 1) < 0
        || mod_add_int(m, "ISOLATION_LEVEL_REPEATABLE_READ", 2) < 0
        || mod_add_int(m, "ISOLATION_LEVEL_SERIALIZABLE", 3) < 0
        || mod_add_int(m, "ISOLATION_LEVEL_READ_UNCOMMITTED", 4) < 0
        || mod_add_int(m, "REPLICATION_PHYSICAL", REPLICATION_PHYSICAL) < 0
        || mod_add_int(m, "REPLICATION_LOGICAL", REPLICATION_LOGICAL) < 0)
        return -1;
    return 0;
}

static int
mod_import_objects(module_state *st)
{
    PyObject *m = PyImport_ImportModule("decimal");
    if (m == NULL)
        return -1;
    st->Decimal = PyObject_GetAttrString(m, "Decimal");
    Py_DECREF(m);
    if (st->Decimal == NULL)
        return -1;
    if (!(m = PyImport_ImportModule("datetime")))
        return -1;
    st->timezone = PyObject_GetAttrString(m, "timezone");
    Py_DECREF(m);
    if (st->timezone == NULL)
        return -1;
    return 0;
}

static int
mod_exec(PyObject *module)
{
    module_state *st = mod_state(module);
    st->module = module;

#ifdef PSYCOPG_DEBUG
    if (getenv("PSYCOPG_DEBUG"))
        psycopg_debug_enabled = 1;
#endif
    procid_init();
    if (wait_setup() < 0)
        return -1;
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return -1;
    if (mod_import_objects(st) < 0)
        return -1;
    if (mod_add_constants(module) < 0)
        return -1;
    if (err_setup(module, st) < 0 || conn_setup(module, st) < 0
        || curs_setup(module, st) < 0 || column_setup(module, st) < 0
        || notify_setup(module, st) < 0 || conninfo_setup(module, st) < 0
        || lobject_setup(module, st) < 0
        || typecast_setup(module, st) < 0 || mp_setup(module, st) < 0
        || xid_setup(module, st) < 0 || repl_conn_setup(module, st) < 0
        || repl_curs_setup(module, st) < 0 || repl_msg_setup(module, st) < 0)
        return -1;
    /* mp_setup adds its own functions: it registers some as adapters */
    if (PyModule_AddFunctions(module, typecast_module_methods) < 0)
        return -1;
    Dprintf("module initialised, libpq %d", PQlibVersion());
    return 0;
}

#define MOD_STATE_FIELDS(X) \
    X(Warning) X(Error) X(InterfaceError) X(DatabaseError) X(DataError) \
    X(OperationalError) X(IntegrityError) X(InternalError) \
    X(ProgrammingError) X(NotSupportedError) X(QueryCanceledError) \
    X(TransactionRollbackError) X(sqlstate_errors) X(diagnostics_type) \
    X(connection_type) X(cursor_type) X(column_type) X(notify_type) \
    X(conninfo_type) X(encodings) X(enc_tuples) X(wait_callback) \
    X(typecast_type) X(bytea_chunk_type) \
    X(string_types) X(binary_types) X(default_cast) X(adapters) \
    X(isqlquote_type) X(asis_type) X(qstring_type) X(binary_type) \
    X(boolean_type) X(int_type) X(float_type) X(decimal_adapter_type) \
    X(list_type) X(sql_in_type) X(none_adapter_type) X(pydatetime_type) \
    X(adapter_default_keys) \
    X(Decimal) X(timezone) X(lobject_type) X(xid_type) X(repl_conn_type) \
    X(repl_curs_type) X(repl_msg_type) X(row_dictrow) X(row_dictrow_prep) \
    X(row_dictrow_attr) X(row_realdictrow) X(row_realdictrow_prep) \
    X(row_ntcursor) X(row_ntcursor_prep)

static int
mod_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *st = mod_state(module);
    if (st == NULL)
        return 0;
#define VISIT_FIELD(f) Py_VISIT(st->f);
    MOD_STATE_FIELDS(VISIT_FIELD)
#undef VISIT_FIELD
    return 0;
}

static int
mod_clear(PyObject *module)
{
    module_state *st = mod_state(module);
    if (st == NULL)
        return 0;
#define CLEAR_FIELD(f) Py_CLEAR(st->f);
    MOD_STATE_FIELDS(CLEAR_FIELD)
#undef CLEAR_FIELD
    return 0;
}

static void
mod_free(void *module)
{
    mod_clear((PyObject *)module);
}

static PyModuleDef_Slot mod_slots[] = {
    {Py_mod_exec, mod_exec},
    {0, NULL}};

PyDoc_STRVAR(mod_doc, "psycopg2 C core: connections, cursors, types.");

struct PyModuleDef psycopg_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "psycopg2._psycopg",
    .m_doc = mod_doc,
    .m_size = sizeof(module_state),
    .m_methods = mod_methods,
    .m_slots = mod_slots,
    .m_traverse = mod_traverse,
    .m_clear = mod_clear,
    .m_free = mod_free,
};

/* The only exported symbol; declared for -Wmissing-prototypes. */
PyMODINIT_FUNC PyInit__psycopg(void);

PyMODINIT_FUNC
PyInit__psycopg(void)
{
    return PyModuleDef_Init(&psycopg_module_def);
}
