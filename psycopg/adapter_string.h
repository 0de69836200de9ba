/* ISQLQuote, AsIs, QuotedString and NoneAdapter: what their rows in
 * adapter_builtins.c point to. */
#ifndef PSYCOPG_ADAPTER_STRING_H
#define PSYCOPG_ADAPTER_STRING_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* ISQLQuote: getquoted(), getbinary(), getbuffer() returning None, and
 * _wrapped instead of adapted. */
extern PyMethodDef adapter_isqlquote_methods[];
extern PyMemberDef adapter_isqlquote_members[];

/* AsIs: str(obj) unquoted (None: NULL). */
PyObject *adapter_asis_quote(module_state *st, connectionObject *conn,
                             PyObject *obj, adapterObject *a);

/* QuotedString: a string literal, with the connection's encoding once
 * prepared, else with the `encoding` attribute (latin1). */
int adapter_qstring_init(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *adapter_qstring_quote(module_state *st, connectionObject *conn,
                                PyObject *obj, adapterObject *a);
extern PyGetSetDef adapter_qstring_getset[];   /* encoding, buffer */

/* NoneAdapter: NULL. */
PyObject *adapter_none_quote(module_state *st, connectionObject *conn,
                             PyObject *obj, adapterObject *a);

#endif /* PSYCOPG_ADAPTER_STRING_H */
