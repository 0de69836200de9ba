/* Text casters: str decoded with the connection encoding, or raw bytes. */

#include "psycopg.h"
#include "typecast.h"

#include <stdint.h>
#include <string.h>

/* Is s[0, len) all ASCII?  Eight bytes at a time. */
static inline int
text_is_ascii(const char *s, Py_ssize_t len)
{
    uint64_t acc = 0, w;
    Py_ssize_t i = 0;

    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < len; i++) {
        acc |= (unsigned char)s[i];
    }
    return !(acc & 0x8080808080808080ULL);
}

PyObject *
typecast_text_decode(const char *s, Py_ssize_t len, const typecast_ctx *ctx)
{
    if (ctx->is_utf8) {
        /* ASCII text, the usual case, made directly (one character goes
         * through the decoder, which returns Python's shared one) */
        if (len > 1 && text_is_ascii(s, len)) {
            PyObject *u = PyUnicode_New(len, 127);
            if (u != NULL) {
                memcpy(PyUnicode_1BYTE_DATA(u), s, (size_t)len);
            }
            return u;
        }
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
