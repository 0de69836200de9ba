/* psycopg2.extensions.ReplicationMessage: one XLogData message. */
#include "psycopg.h"
#include "module.h"
#include "replication.h"

#include <datetime.h>

PyObject *
repl_msg_new(module_state *st, PyObject *cursor, PyObject *payload,
             Py_ssize_t data_size, uint64_t data_start, uint64_t wal_end,
             int64_t send_time)
{
    replMsgObject *self;
    PyTypeObject *tp = st->repl_msg_type;
    if (!(self = (replMsgObject *)tp->tp_alloc(tp, 0)))
        return NULL;
    self->cursor = Py_NewRef(cursor);
    self->payload = Py_NewRef(payload);
    self->data_size = data_size;
    self->data_start = data_start;
    self->wal_end = wal_end;
    self->send_time = send_time;
    return (PyObject *)self;
}

static int
repl_msg_init(replMsgObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"cursor", "payload", NULL};
    PyObject *cursor, *payload;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO", kwlist, &cursor,
                                     &payload))
        return -1;
    Py_XSETREF(self->cursor, Py_NewRef(cursor));
    Py_XSETREF(self->payload, Py_NewRef(payload));
    self->data_size = PyBytes_Check(payload) ? PyBytes_GET_SIZE(payload) : 0;
    return 0;
}

static PyObject *
repl_msg_get_payload(replMsgObject *self, void *c)
{
    return Py_NewRef(self->payload ? self->payload : Py_None);
}

static PyObject *
repl_msg_get_cursor(replMsgObject *self, void *c)
{
    return Py_NewRef(self->cursor ? self->cursor : Py_None);
}

static PyObject *
repl_msg_get_data_size(replMsgObject *self, void *c)
{
    return PyLong_FromSsize_t(self->data_size);
}

static PyObject *
repl_msg_get_data_start(replMsgObject *self, void *c)
{
    return PyLong_FromUnsignedLongLong(self->data_start);
}

static PyObject *
repl_msg_get_wal_end(replMsgObject *self, void *c)
{
    return PyLong_FromUnsignedLongLong(self->wal_end);
}

static PyObject *
repl_msg_get_send_time(replMsgObject *self, void *c)
{
    /* a naive datetime in local time, like datetime.fromtimestamp() */
    double t = (double)self->send_time / 1e6 + REPL_PG_EPOCH_OFFSET;
    return PyObject_CallMethod((PyObject *)PyDateTimeAPI->DateTimeType,
                               "fromtimestamp", "d", t);
}

static PyObject *
repl_msg_repr(replMsgObject *self)
{
    return PyUnicode_FromFormat(
        "<%s object at %p; data_size: %zd; data_start: %llu; wal_end: %llu; "
        "send_time: %lld>",
        Py_TYPE(self)->tp_name, (void *)self, self->data_size,
        (unsigned long long)self->data_start,
        (unsigned long long)self->wal_end, (long long)self->send_time);
}

static PyGetSetDef repl_msg_getset[] = {
    {"payload", (getter)repl_msg_get_payload, NULL,
     "the message data: bytes, or str if decoding", NULL},
    {"cursor", (getter)repl_msg_get_cursor, NULL,
     "the replication cursor that received the message", NULL},
    {"data_size", (getter)repl_msg_get_data_size, NULL,
     "raw size of the payload in bytes", NULL},
    {"data_start", (getter)repl_msg_get_data_start, NULL,
     "LSN of the start of the data", NULL},
    {"wal_end", (getter)repl_msg_get_wal_end, NULL,
     "LSN of the end of the server's WAL", NULL},
    {"send_time", (getter)repl_msg_get_send_time, NULL,
     "when the server sent the message (datetime)", NULL},
    {NULL}};

static int
repl_msg_traverse(replMsgObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->cursor);
    Py_VISIT(self->payload);
    return 0;
}

static int
repl_msg_clear(replMsgObject *self)
{
    Py_CLEAR(self->cursor);
    Py_CLEAR(self->payload);
    return 0;
}

static void
repl_msg_dealloc(replMsgObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    repl_msg_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot repl_msg_slots[] = {
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, repl_msg_init},
    {Py_tp_dealloc, repl_msg_dealloc},
    {Py_tp_traverse, repl_msg_traverse},
    {Py_tp_clear, repl_msg_clear},
    {Py_tp_repr, repl_msg_repr},
    {Py_tp_getset, repl_msg_getset},
    {Py_tp_doc, "ReplicationMessage(cursor, payload) -- a message of the "
                "replication stream."},
    {0, NULL}};

static PyType_Spec repl_msg_spec = {
    .name = "psycopg2.extensions.ReplicationMessage",
    .basicsize = sizeof(replMsgObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = repl_msg_slots,
};

int
repl_msg_setup(PyObject *module, module_state *st)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return -1;
    return mod_add_type(module, &repl_msg_spec, NULL, &st->repl_msg_type);
}
