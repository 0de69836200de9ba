/* ISQLQuote, AsIs, QuotedString and NoneAdapter. */
#ifndef PSYCOPG_ADAPTER_STRING_H
#define PSYCOPG_ADAPTER_STRING_H

#include "psycopg.h"
#include "module.h"

/* Create ISQLQuote, AsIs, QuotedString, NoneAdapter.  0 or -1. */
int adapter_string_setup(PyObject *module, module_state *st);

#endif /* PSYCOPG_ADAPTER_STRING_H */
