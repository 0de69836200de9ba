/* The compact copy of a result's values that a curs_result reads rows from,
 * so that the PGresult (about twice as big) can be freed after execute. */
#ifndef PSYCOPG_RESULT_STORE_H
#define PSYCOPG_RESULT_STORE_H

#include "psycopg.h"

#include <stdint.h>
#include <string.h>

/* A block of rows: rows first_row .. first_row + nrows - 1, back to back. */
typedef struct rstore_chunk {
    char *base;                /* NULL once freed */
    size_t size;
    int mapped;                /* from mmap (else PyMem_RawMalloc) */
    Py_ssize_t first_row;
    Py_ssize_t nrows;
    Py_ssize_t nreleased;      /* rows of it released */
} rstore_chunk;

/* One slot per row: where its values are, or, once the row is released,
 * what the owner keeps for it instead (the store never touches it). */
typedef union rstore_row {
    char *data;
    void *kept;
} rstore_row;

/* Row r is at rows[r].data: ncols "ends" (uint16, or uint32 when wide[r]),
 * then the values back to back, each followed by a NUL (casters may rely on
 * it, as on PQgetvalue's).  ends[c] is the offset, from the first value,
 * just past value c's NUL, with the top bit set when value c is NULL (a
 * NULL takes no bytes).  Rows live in chunks, in row order; none is ever
 * moved or resized.
 *
 * A row may be released (rstore_release) once its owner has made, from its
 * values, something it keeps instead: its slot then holds that, and a chunk
 * whose rows are all released is freed at once. */
typedef struct rstore {
    Py_ssize_t nrows;
    int ncols;
    rstore_row *rows;          /* nrows slots, or NULL */
    unsigned char *wide;       /* nrows flags, or NULL when no row is wide */
    unsigned char *released;   /* nrows bits, or NULL while none is */
    Py_ssize_t nreleased;
    rstore_chunk *chunks;      /* nchunks, in row order */
    Py_ssize_t nchunks, chunks_alloc;
    Py_ssize_t hint;           /* the chunk of the last row released */
    Py_ssize_t pending;        /* chunks all released but not freed */
    size_t next_size;          /* the size of the next chunk */
} rstore;

/* Copy every value of `res` (which must have rows and columns) into an
 * empty store.  Touches no Python object, so it may run without the GIL;
 * -1 (no exception set) when out of memory: free the store then. */
int rstore_fill(rstore *s, const PGresult *res);
/* Free the memory; the owner must have dropped what released slots hold. */
void rstore_free(rstore *s);
/* Append every row of the store to `res` (made with the same columns and no
 * rows) with PQsetvalue: 0, or -1 when libpq runs out of memory.  No row
 * may have been released. */
int rstore_to_pgresult(const rstore *s, PGresult *res);
/* Row r (not released yet) will not be read again: its slot keeps `kept`
 * (owned by the store's owner from now on).  With `may_free`, when no one
 * may be reading any row, the chunks whose rows are all released are freed
 * (else they are left for rstore_trim).  0, or -1 (no exception set) when
 * out of memory: nothing changed. */
int rstore_release(rstore *s, Py_ssize_t r, void *kept, int may_free);
/* Free the chunks whose rows are all released (no one may be reading). */
void rstore_trim(rstore *s);

#define RSTORE_NULL16 0x8000u
#define RSTORE_NULL32 0x80000000u

static inline int
rstore_is_released(const rstore *s, Py_ssize_t r)
{
    return s->released != NULL && (s->released[r >> 3] >> (r & 7)) & 1;
}

/* Value (row, col) of a row whose data is at `p` (rows[row].data read
 * while the row was not released): its bytes (NUL-terminated) and length,
 * or NULL for SQL NULL (*len 0).  row and col must be in range. */
static inline const char *
rstore_cell_at(const rstore *s, const char *p, Py_ssize_t row, int col,
               Py_ssize_t *len)
{
    uint32_t start = 0, end;

    if (s->wide == NULL || !s->wide[row]) {
        uint16_t e, b;
        memcpy(&e, p + 2 * (size_t)col, 2);
        if (e & RSTORE_NULL16) {
            *len = 0;
            return NULL;
        }
        if (col > 0) {
            memcpy(&b, p + 2 * (size_t)(col - 1), 2);
            start = b & ~RSTORE_NULL16;
        }
        end = e;
        p += 2 * (size_t)s->ncols;
    }
    else {
        uint32_t e, b;
        memcpy(&e, p + 4 * (size_t)col, 4);
        if (e & RSTORE_NULL32) {
            *len = 0;
            return NULL;
        }
        if (col > 0) {
            memcpy(&b, p + 4 * (size_t)(col - 1), 4);
            start = b & ~RSTORE_NULL32;
        }
        end = e;
        p += 4 * (size_t)s->ncols;
    }
    *len = (Py_ssize_t)(end - start - 1);
    return p + start;
}

/* The same, the row not released. */
static inline const char *
rstore_cell(const rstore *s, Py_ssize_t row, int col, Py_ssize_t *len)
{
    return rstore_cell_at(s, s->rows[row].data, row, col, len);
}

#endif /* PSYCOPG_RESULT_STORE_H */
