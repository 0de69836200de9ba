/* extensions.ConnectionInfo: read-only facts about a connection. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"

typedef struct {
    PyObject_HEAD
    connectionObject *conn;
} conninfoObject;

static PyObject *
conninfo_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"connection", NULL};
    module_state *st = mod_state_from_type(type);
    PyObject *conn;
    conninfoObject *self;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &conn))
        return NULL;
    if (!PyObject_TypeCheck(conn, st->connection_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "the argument must be a psycopg2 connection");
        return NULL;
    }
    if (!(self = (conninfoObject *)type->tp_alloc(type, 0)))
        return NULL;
    self->conn = (connectionObject *)Py_NewRef(conn);
    return (PyObject *)self;
}

static int
conninfo_traverse(conninfoObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->conn);
    return 0;
}

static int
conninfo_clear(conninfoObject *self)
{
    Py_CLEAR(self->conn);
    return 0;
}

static void
conninfo_dealloc(conninfoObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    conninfo_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* The libpq connection, NULL once closed or if never opened: as psycopg2,
 * the attributes then pass NULL to libpq and show its answers (None, 0,
 * CONNECTION_BAD, PQTRANS_UNKNOWN, "connection pointer is NULL"). */
static PGconn *
conninfo_pgconn(conninfoObject *self)
{
    return self->conn->pgconn;
}

static PyObject *
conninfo_str(conninfoObject *self, const char *v)
{
    return conn_decode_pgconn(self->conn, v);
}

enum {
    CI_DBNAME, CI_USER, CI_PASSWORD, CI_HOST, CI_OPTIONS, CI_PORT,
    CI_STATUS, CI_TXSTATUS, CI_PROTOCOL, CI_SERVER_VERSION, CI_ERROR,
    CI_SOCKET, CI_BACKEND_PID, CI_NEEDS_PASSWORD, CI_USED_PASSWORD,
    CI_SSL_IN_USE
};

static PyObject *
conninfo_get(conninfoObject *self, void *closure)
{
    PGconn *pg = conninfo_pgconn(self);
    const char *s;
    switch ((intptr_t)closure) {
    case CI_DBNAME: return conninfo_str(self, PQdb(pg));
    case CI_USER: return conninfo_str(self, PQuser(pg));
    case CI_PASSWORD: return conninfo_str(self, PQpass(pg));
    case CI_HOST: return conninfo_str(self, PQhost(pg));
    case CI_OPTIONS: return conninfo_str(self, PQoptions(pg));
    case CI_PORT:
        s = PQport(pg);
        if (s == NULL || s[0] == '\0')
            Py_RETURN_NONE;
        return PyLong_FromString(s, NULL, 10);
    case CI_STATUS: return PyLong_FromLong(PQstatus(pg));
    case CI_TXSTATUS: return PyLong_FromLong(PQtransactionStatus(pg));
    case CI_PROTOCOL: return PyLong_FromLong(PQprotocolVersion(pg));
    case CI_SERVER_VERSION: return PyLong_FromLong(PQserverVersion(pg));
    case CI_ERROR:
        s = PQerrorMessage(pg);
        if (s == NULL || s[0] == '\0')
            Py_RETURN_NONE;
        return conninfo_str(self, s);
    case CI_SOCKET: return PyLong_FromLong(PQsocket(pg));
    case CI_BACKEND_PID: return PyLong_FromLong(PQbackendPID(pg));
    case CI_NEEDS_PASSWORD:
        return PyBool_FromLong(PQconnectionNeedsPassword(pg));
    case CI_USED_PASSWORD:
        return PyBool_FromLong(PQconnectionUsedPassword(pg));
    case CI_SSL_IN_USE: return PyBool_FromLong(PQsslInUse(pg));
    }
    Py_RETURN_NONE;
}

static PyObject *
conninfo_get_dsn_parameters(conninfoObject *self, void *closure)
{
    if (conninfo_pgconn(self) == NULL) {
        module_state *st = mod_state_from_type(Py_TYPE(self));
        if (st != NULL)
            PyErr_SetString(st->InterfaceError, "connection already closed");
        return NULL;
    }
    return conn_dsn_parameters(self->conn);
}

static PyObject *
conninfo_get_ssl_attribute_names(conninfoObject *self, void *closure)
{
    const char *const *names;
    PyObject *rv;
    if (!(rv = PyList_New(0)))
        return NULL;
    /* the PGconn read after the allocation, which can run a __del__ */
    names = PQsslAttributeNames(conninfo_pgconn(self));
    for (; names && *names; names++) {
        PyObject *s = PyUnicode_FromString(*names);
        if (s == NULL || PyList_Append(rv, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(rv);
            return NULL;
        }
        Py_DECREF(s);
    }
    return rv;
}

PyDoc_STRVAR(conninfo_parameter_status_doc,
"parameter_status(name) -> str or None\n"
"\n"
"The current value of the server parameter *name*, as the server last\n"
"reported it (no query is sent): server_version, server_encoding,\n"
"client_encoding, DateStyle, IntervalStyle, TimeZone, "
"integer_datetimes,\n"
"standard_conforming_strings, application_name, is_superuser,\n"
"session_authorization, ... None if the server did not report it.");

static PyObject *
conninfo_parameter_status(conninfoObject *self, PyObject *args,
                          PyObject *kwargs)
{
    static char *kwlist[] = {"name", NULL};
    const char *name;
    PGconn *pg;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s", kwlist, &name))
        return NULL;
    pg = conninfo_pgconn(self);
    return conninfo_str(self, PQparameterStatus(pg, name));
}

PyDoc_STRVAR(conninfo_ssl_attribute_doc,
"ssl_attribute(name) -> str or None\n"
"\n"
"An attribute of the SSL connection: 'library', 'protocol', 'key_bits',\n"
"'cipher', 'compression' (see ssl_attribute_names). None if SSL is not "
"in\n"
"use or the attribute is unknown.");

static PyObject *
conninfo_ssl_attribute(conninfoObject *self, PyObject *args,
                       PyObject *kwargs)
{
    static char *kwlist[] = {"name", NULL};
    const char *name;
    PGconn *pg;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s", kwlist, &name))
        return NULL;
    pg = conninfo_pgconn(self);
    return conninfo_str(self, PQsslAttribute(pg, name));
}

#define CI(name, code, doc) \
    {name, (getter)conninfo_get, NULL, doc, (void *)(intptr_t)(code)}

static PyGetSetDef conninfo_getset[] = {
    CI("dbname", CI_DBNAME,
       "The database name of the connection (PQdb)."),
    CI("user", CI_USER,
       "The user name of the connection (PQuser)."),
    CI("password", CI_PASSWORD,
       "The password of the connection (PQpass): the one given in the "
       "dsn, or read from the password file."),
    CI("host", CI_HOST,
       "The server host name of the connection: a host name, an IP "
       "address, or the directory of a Unix-domain socket (PQhost)."),
    CI("port", CI_PORT,
       "The port of the connection, an int (PQport)."),
    CI("options", CI_OPTIONS,
       "The command-line options passed in the connection request "
       "(PQoptions)."),
    CI("status", CI_STATUS,
       "The libpq status of the connection, an int: 0 (CONNECTION_OK) or "
       "1 (CONNECTION_BAD) (PQstatus)."),
    CI("transaction_status", CI_TXSTATUS,
       "The transaction status of the server: TRANSACTION_STATUS_IDLE, "
       "ACTIVE (a command is running), INTRANS (idle in a valid "
       "transaction block), INERROR (idle in a failed transaction block) "
       "or UNKNOWN (bad connection) (PQtransactionStatus)."),
    CI("protocol_version", CI_PROTOCOL,
       "The frontend/backend protocol in use: 3 (PQprotocolVersion)."),
    CI("server_version", CI_SERVER_VERSION,
       "The server version as an int, e.g. 150020 for 15.20 or 90624 for "
       "9.6.24 (PQserverVersion)."),
    CI("error_message", CI_ERROR,
       "The last error message libpq produced on the connection, or None "
       "(PQerrorMessage)."),
    CI("socket", CI_SOCKET,
       "The file descriptor of the socket connected to the server "
       "(PQsocket)."),
    CI("backend_pid", CI_BACKEND_PID,
       "The process id of the server backend serving the connection "
       "(PQbackendPID): the pid of pg_stat_activity and of notifications "
       "sent by this session."),
    CI("needs_password", CI_NEEDS_PASSWORD,
       "True if the authentication asked for a password and none was "
       "available (PQconnectionNeedsPassword)."),
    CI("used_password", CI_USED_PASSWORD,
       "True if the authentication used a password "
       "(PQconnectionUsedPassword)."),
    CI("ssl_in_use", CI_SSL_IN_USE,
       "True if the connection uses SSL (PQsslInUse)."),
    {"dsn_parameters", (getter)conninfo_get_dsn_parameters, NULL,
     "The connection parameters in effect, as a dict (PQconninfo), without "
     "the password.", NULL},
    {"ssl_attribute_names", (getter)conninfo_get_ssl_attribute_names, NULL,
     "The names of the attributes ssl_attribute() accepts, a list "
     "(PQsslAttributeNames).", NULL},
    {NULL}};

static PyMethodDef conninfo_methods[] = {
    {"parameter_status", (PyCFunction)(void (*)(void))conninfo_parameter_status,
     METH_VARARGS | METH_KEYWORDS, conninfo_parameter_status_doc},
    {"ssl_attribute", (PyCFunction)(void (*)(void))conninfo_ssl_attribute,
     METH_VARARGS | METH_KEYWORDS, conninfo_ssl_attribute_doc},
    {NULL}};

static PyType_Slot conninfo_slots[] = {
    {Py_tp_new, conninfo_new},
    {Py_tp_dealloc, conninfo_dealloc},
    {Py_tp_traverse, conninfo_traverse},
    {Py_tp_clear, conninfo_clear},
    {Py_tp_getset, conninfo_getset},
    {Py_tp_methods, conninfo_methods},
    {Py_tp_doc,
     "ConnectionInfo(connection) -- details of a connection, as libpq knows "
     "them.\n"
     "\n"
     "Read it as connection.info. Its attributes (dbname, user, password,\n"
     "host, port, options, dsn_parameters, status, transaction_status,\n"
     "protocol_version, server_version, error_message, socket, backend_pid,\n"
     "needs_password, used_password, ssl_in_use, ssl_attribute_names) and\n"
     "methods (parameter_status(), ssl_attribute()) read the live connection\n"
     "and raise InterfaceError once it is closed."},
    {0, NULL}};

static PyType_Spec conninfo_spec = {
    .name = "psycopg2.extensions.ConnectionInfo",
    .basicsize = sizeof(conninfoObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = conninfo_slots,
};

int
conninfo_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &conninfo_spec, NULL, &st->conninfo_type);
}
