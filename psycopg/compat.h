/* Shims across the supported CPython versions (3.9 .. 3.13). */
#ifndef PSYCOPG_COMPAT_H
#define PSYCOPG_COMPAT_H

#if PY_VERSION_HEX < 0x030a0000
static inline PyObject *
compat_newref(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
#define Py_NewRef(o) compat_newref((PyObject *)(o))
static inline PyObject *
compat_xnewref(PyObject *o)
{
    Py_XINCREF(o);
    return o;
}
#define Py_XNewRef(o) compat_xnewref((PyObject *)(o))
#define Py_TPFLAGS_IMMUTABLETYPE 0
#define Py_TPFLAGS_DISALLOW_INSTANTIATION 0

static inline int
compat_module_add_object_ref(PyObject *mod, const char *name, PyObject *value)
{
    Py_INCREF(value);
    if (PyModule_AddObject(mod, name, value) < 0) {
        Py_DECREF(value);
        return -1;
    }
    return 0;
}
#define PyModule_AddObjectRef compat_module_add_object_ref
#endif

/* PyWeakref_GetRef (3.13): 1 with a new ref, 0 if dead, -1 on error. */
#if PY_VERSION_HEX < 0x030d0000
static inline int
compat_weakref_getref(PyObject *ref, PyObject **pobj)
{
    PyObject *o = PyWeakref_GetObject(ref);
    if (o == NULL) {
        *pobj = NULL;
        return -1;
    }
    if (o == Py_None) {
        *pobj = NULL;
        return 0;
    }
    Py_INCREF(o);
    *pobj = o;
    return 1;
}
#define PyWeakref_GetRef compat_weakref_getref
#endif

#endif /* PSYCOPG_COMPAT_H */
