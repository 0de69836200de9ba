/* Text casters: str decoded with the connection encoding, or raw bytes. */

#include "psycopg.h"
#include "typecast.h"

PyObject *
typecast_text_decode(const char *s, Py_ssize_t len, const typecast_ctx *ctx)
{
    if (ctx->is_utf8) {
        return PyUnicode_DecodeUTF8(s, len, NULL);
    }
    return PyUnicode_Decode(s, len, ctx->pyenc, NULL);
}

PyObject *
typecast_unicode_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                      PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return typecast_text_decode(s, len, ctx);
}

PyObject *
typecast_bytes_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                    PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return PyBytes_FromStringAndSize(s, len);
}
