/* extensions.Notify: a NOTIFY received, also a (pid, channel) pair. */
#include "psycopg.h"
#include "module.h"

typedef struct {
    PyObject_HEAD
    PyObject *pid;
    PyObject *channel;
    PyObject *payload;
} notifyObject;

static PyObject *
notify_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"pid", "channel", "payload", NULL};
    PyObject *pid, *channel, *payload = NULL;
    notifyObject *self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O", kwlist, &pid,
                                     &channel, &payload))
        return NULL;
    if (!(self = (notifyObject *)type->tp_alloc(type, 0)))
        return NULL;
    self->pid = Py_NewRef(pid);
    self->channel = Py_NewRef(channel);
    if (payload)
        self->payload = Py_NewRef(payload);
    else if (!(self->payload = PyUnicode_FromString(""))) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int
notify_traverse(notifyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->pid);
    Py_VISIT(self->channel);
    Py_VISIT(self->payload);
    return 0;
}

static int
notify_clear(notifyObject *self)
{
    Py_CLEAR(self->pid);
    Py_CLEAR(self->channel);
    Py_CLEAR(self->payload);
    return 0;
}

static void
notify_dealloc(notifyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    notify_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
notify_astuple(notifyObject *self, int with_payload)
{
    if (with_payload)
        return PyTuple_Pack(3, self->pid, self->channel, self->payload);
    return PyTuple_Pack(2, self->pid, self->channel);
}

static PyObject *
notify_richcompare(notifyObject *self, PyObject *other, int op)
{
    PyObject *a, *b, *rv;
    if (op != Py_EQ && op != Py_NE)
        Py_RETURN_NOTIMPLEMENTED;
    if (PyObject_TypeCheck(other, Py_TYPE(self))) {
        a = notify_astuple(self, 1);
        b = notify_astuple((notifyObject *)other, 1);
    }
    else if (PyTuple_Check(other)) {
        a = notify_astuple(self, 0);
        b = Py_NewRef(other);
    }
    else
        Py_RETURN_NOTIMPLEMENTED;
    if (a == NULL || b == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        return NULL;
    }
    rv = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return rv;
}

static Py_hash_t
notify_hash(notifyObject *self)
{
    /* equal to its (pid, channel) tuple, so hash like it when no payload */
    PyObject *t = notify_astuple(self, PyObject_IsTrue(self->payload) == 1);
    Py_hash_t h;
    if (t == NULL)
        return -1;
    h = PyObject_Hash(t);
    Py_DECREF(t);
    return h;
}

static PyObject *
notify_repr(notifyObject *self)
{
    return PyUnicode_FromFormat("Notify(%R, %R, %R)", self->pid,
                                self->channel, self->payload);
}

static Py_ssize_t
notify_len(notifyObject *self)
{
    return 2;
}

static PyObject *
notify_item(notifyObject *self, Py_ssize_t i)
{
    /* negative indexes arrive already adjusted by len(): n[-3] is -1 */
    if (i == 0)
        return Py_NewRef(self->pid);
    if (i == 1)
        return Py_NewRef(self->channel);
    PyErr_SetString(PyExc_IndexError, "index out of range");
    return NULL;
}

static PyMemberDef notify_members[] = {
    {"pid", T_OBJECT, offsetof(notifyObject, pid), READONLY,
     "The ID of the backend process that sent the notification."},
    {"channel", T_OBJECT, offsetof(notifyObject, channel), READONLY,
     "The channel the notification was sent to."},
    {"payload", T_OBJECT, offsetof(notifyObject, payload), READONLY,
     "The payload of the notification."},
    {NULL}};

static PyType_Slot notify_slots[] = {
    {Py_tp_new, notify_new},
    {Py_tp_dealloc, notify_dealloc},
    {Py_tp_traverse, notify_traverse},
    {Py_tp_clear, notify_clear},
    {Py_tp_repr, notify_repr},
    {Py_tp_richcompare, notify_richcompare},
    {Py_tp_hash, notify_hash},
    {Py_tp_members, notify_members},
    {Py_sq_length, notify_len},
    {Py_sq_item, notify_item},
    {Py_tp_doc,
     "Notify(pid, channel, payload='') -- an asynchronous notification.\n"
     "\n"
     "Received after LISTEN, in connection.notifies: *pid* is the process id\n"
     "of the server backend that sent it, *channel* the name given to LISTEN\n"
     "and NOTIFY, *payload* the text sent with it. For compatibility with\n"
     "older code it also behaves as the tuple (pid, channel): it can be\n"
     "indexed and unpacked, and compares equal to it."},
    {0, NULL}};

static PyType_Spec notify_spec = {
    .name = "psycopg2.extensions.Notify",
    .basicsize = sizeof(notifyObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = notify_slots,
};

int
notify_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &notify_spec, NULL, &st->notify_type);
}
