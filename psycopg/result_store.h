/* The compact copy of a result's values that a curs_result reads rows from,
 * so that the PGresult (about twice as big) can be freed after execute. */
#ifndef PSYCOPG_RESULT_STORE_H
#define PSYCOPG_RESULT_STORE_H

#include "psycopg.h"

#include <stdint.h>
#include <string.h>

typedef struct rstore_chunk rstore_chunk;

/* Row r is at rows[r]: ncols "ends" (uint16, or uint32 when wide[r]), then
 * the values back to back, each followed by a NUL (casters may rely on it,
 * as on PQgetvalue's).  ends[c] is the offset, from the first value, just
 * past value c's NUL, with the top bit set when value c is NULL (a NULL
 * takes no bytes).  Rows live in chunks; none is ever moved or resized. */
typedef struct rstore {
    Py_ssize_t nrows;
    int ncols;
    char **rows;               /* nrows row starts, or NULL */
    unsigned char *wide;       /* nrows flags, or NULL when no row is wide */
    rstore_chunk *chunks;      /* the newest first */
    size_t next_size;          /* the size of the next chunk */
} rstore;

/* Copy every value of `res` (which must have rows and columns) into an
 * empty store.  Touches no Python object, so it may run without the GIL;
 * -1 (no exception set) when out of memory: free the store then. */
int rstore_fill(rstore *s, const PGresult *res);
void rstore_free(rstore *s);
/* Append every row of the store to `res` (made with the same columns and no
 * rows) with PQsetvalue: 0, or -1 when libpq runs out of memory. */
int rstore_to_pgresult(const rstore *s, PGresult *res);

#define RSTORE_NULL16 0x8000u
#define RSTORE_NULL32 0x80000000u

/* Value (row, col): its bytes (NUL-terminated) and length, or NULL for SQL
 * NULL (*len 0).  row and col must be in range. */
static inline const char *
rstore_cell(const rstore *s, Py_ssize_t row, int col, Py_ssize_t *len)
{
    const char *p = s->rows[row];
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

#endif /* PSYCOPG_RESULT_STORE_H */
