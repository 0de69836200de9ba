/* bytea -> memoryview, from the hex (\x...) or the escape output format.
 *
 * The memoryview's object is a "chunk", as in psycopg2: a small object
 * holding the bytes inline and exporting them as a read-only buffer of
 * format 'c' (so mv[0] == b'x'), made in one allocation. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

#include <stdint.h>
#include <string.h>

/* Value of each hex digit, -1 for anything else. */
static const signed char bytea_hex_table[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static inline int
bytea_isoct(char c)
{
    return c >= '0' && c <= '7';
}

#define BYTES8(b) (0x0101010101010101ULL * (uint64_t)(b))

/* Eight hex digits to four bytes at once, without a branch per digit.
 * The arithmetic is per byte of the 64-bit word (nothing carries from one
 * byte into the next), so the byte order of the load does not matter.
 * A digit's value is its low nibble, plus 9 for a letter (bit 6 set); it
 * is valid if below 16 and if the digit written back from it ('0'-'9',
 * 'a'-'f') equals the character, letters folded to lower case.  0 if any
 * of the eight is not a hex digit. */
static inline int
bytea_unhex8(const unsigned char *u, unsigned char *out)
{
    uint64_t x, letter, v, ten, expect;
    int k;
    memcpy(&x, u, 8);
    letter = (x >> 6) & BYTES8(0x01);
    v = (x & BYTES8(0x0f)) + letter * 9;
    if ((x & BYTES8(0x80)) || ((v + BYTES8(0x70)) & BYTES8(0x80)))
        return 0; /* not ASCII, or a value of 16 or more ('g'...) */
    ten = ((v + BYTES8(0x76)) >> 7) & BYTES8(0x01);
    expect = v + BYTES8(0x30) + ten * 0x27;
    if (expect != (x | letter * 0x20))
        return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    {
        /* pairs of bytes (high digit first in memory, so low in the word)
         * into one byte each, then the four packed together */
        const uint64_t evens = 0x00ff00ff00ff00ffULL;
        v = ((v & evens) << 4) | ((v >> 8) & evens);
        v = (v | (v >> 8)) & 0x0000ffff0000ffffULL;
        uint32_t w = (uint32_t)(v | (v >> 16));
        memcpy(out, &w, 4);
        (void)k;
    }
#else
    for (k = 0; k < 4; k++) {
        unsigned char hi = ((const unsigned char *)&v)[2 * k];
        unsigned char lo = ((const unsigned char *)&v)[2 * k + 1];
        out[k] = (unsigned char)(hi << 4 | lo);
    }
#endif
    return 1;
}

/* Decode into `out`, or only validate and count when out is NULL.  Returns
 * the number of bytes or -1 for malformed input. */
static Py_ssize_t
bytea_unhex(const char *s, Py_ssize_t len, unsigned char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    Py_ssize_t i = 0, n = 0;

    if ((len % 2) != 0) {
        return -1;
    }
    if (out == NULL) {
        return len / 2; /* validated while decoding */
    }
    for (; i + 8 <= len; i += 8, n += 4) {
        if (!bytea_unhex8(u + i, out + n))
            break; /* the byte loop below tells where */
    }
    for (; i < len; i += 2) {
        int hi = bytea_hex_table[u[i]];
        int lo = bytea_hex_table[u[i + 1]];
        if ((hi | lo) < 0) {
            return -1;
        }
        out[n++] = (unsigned char)(hi << 4 | lo);
    }
    return n;
}

static Py_ssize_t
bytea_unescape(const char *s, Py_ssize_t len, unsigned char *out)
{
    Py_ssize_t i = 0, n = 0;
    unsigned char c;

    while (i < len) {
        if (s[i] != '\\') {
            c = (unsigned char)s[i];
            i += 1;
        }
        else if (i + 1 < len && s[i + 1] == '\\') {
            c = '\\';
            i += 2;
        }
        else if (len - i >= 4 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                 bytea_isoct(s[i + 2]) && bytea_isoct(s[i + 3])) {
            c = (unsigned char)(((s[i + 1] - '0') << 6) |
                                ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
            i += 4;
        }
        else {
            return -1;
        }
        if (out != NULL) {
            out[n] = c;
        }
        n++;
    }
    return n;
}

/* ---- the chunk ---- */

typedef struct {
    PyObject_VAR_HEAD
    char data[1];              /* Py_SIZE(self) bytes */
} byteaChunk;

static int
chunk_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    byteaChunk *c = (byteaChunk *)self;
    if (PyBuffer_FillInfo(view, self, c->data, Py_SIZE(c), 1, flags) < 0)
        return -1;
    if (flags & PyBUF_FORMAT)
        view->format = "c";
    return 0;
}

static PyObject *
chunk_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<memory chunk at %p size %zd>", self,
                                Py_SIZE(self));
}

static void
chunk_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyType_Slot chunk_slots[] = {
    {Py_bf_getbuffer, chunk_getbuffer},
    {Py_tp_repr, chunk_repr},
    {Py_tp_dealloc, chunk_dealloc},
    {Py_tp_doc, "The bytes of a bytea value, seen through a memoryview."},
    {0, NULL}};

static PyType_Spec chunk_spec = {
    "psycopg2._psycopg.chunk",
    offsetof(byteaChunk, data),
    1,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE
        | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    chunk_slots};

int
typecast_bytea_setup(PyObject *module, module_state *st)
{
    st->bytea_chunk_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &chunk_spec, NULL);
    return st->bytea_chunk_type ? 0 : -1;
}

PyObject *
typecast_bytea_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                    PyObject *base)
{
    byteaChunk *chunk;
    PyObject *rv;
    Py_ssize_t n;
    int hex;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    hex = len >= 2 && s[0] == '\\' && s[1] == 'x';
    n = hex ? bytea_unhex(s + 2, len - 2, NULL) : bytea_unescape(s, len, NULL);
    if (n < 0) {
        typecast_data_error(ctx, "bytea", s, len);
        return NULL;
    }
    chunk = PyObject_NewVar(byteaChunk, ctx->st->bytea_chunk_type, n);
    if (chunk == NULL) {
        return NULL;
    }
    if (hex) {
        /* one pass: the size is known, the digits are checked as we go */
        if (bytea_unhex(s + 2, len - 2, (unsigned char *)chunk->data) < 0) {
            Py_DECREF(chunk);
            typecast_data_error(ctx, "bytea", s, len);
            return NULL;
        }
    }
    else {
        bytea_unescape(s, len, (unsigned char *)chunk->data);
    }
    rv = PyMemoryView_FromObject((PyObject *)chunk);
    Py_DECREF(chunk);
    return rv;
}
