/* The compact store of a result's values (see result_store.h).
 *
 * libpq keeps 16 bytes of pointer and length per value beside the bytes, in
 * 2 KB blocks; here a value costs 2 bytes (4 in rows over 32 KB) plus its
 * bytes and NUL, and rows are packed in chunks of up to 4 MB.  The cursor
 * keeps this and frees the PGresult; a fetchall() releases the rows it
 * builds (rstore_release), and the chunks go as their rows do.  Nothing
 * here touches a Python object: the copy of a big result runs with the GIL
 * released. */
#include "psycopg.h"
#include "result_store.h"

#if defined(__linux__)
#include <sys/mman.h>
#if defined(MAP_ANONYMOUS)
#define RSTORE_MMAP 1
#endif
#endif

#define RSTORE_MIN_CHUNK ((size_t)256)
/* At most this much of a store is in use beside the rows a fetchall() has
 * built from it (see rstore_release), so chunks stay small. */
#define RSTORE_MAX_CHUNK ((size_t)4 << 20)
/* Chunks this big are mapped on their own: freed, they go back to the
 * system at once instead of staying in malloc's heap. */
#define RSTORE_MAP_MIN ((size_t)1 << 20)
/* ... and from this size asked for huge pages (their size rounded up to
 * whole ones), which on VMs saves most of the page-fault time of filling
 * them. */
#define RSTORE_HUGE_MIN ((size_t)2 << 20)

/* Memory for a chunk of (at least) *size bytes, *size updated. */
static char *
rstore_chunk_mem(size_t *size, int *mapped)
{
    char *c = NULL;

    *mapped = 0;
#ifdef RSTORE_MMAP
    if (*size >= RSTORE_MAP_MIN) {
        size_t want = *size;
        void *m;
        if (want >= RSTORE_HUGE_MIN && want <= SIZE_MAX - RSTORE_HUGE_MIN)
            want = (want + RSTORE_HUGE_MIN - 1) & ~(RSTORE_HUGE_MIN - 1);
        m = mmap(NULL, want, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
            /* only advice: ignored where unsupported */
            if (want >= RSTORE_HUGE_MIN)
                (void)madvise(m, want, MADV_HUGEPAGE);
#endif
            *size = want;
            *mapped = 1;
            return m;
        }
    }
#endif
    if ((c = PyMem_RawMalloc(*size)) == NULL)
        return NULL;
    return c;
}

static void
rstore_chunk_drop(rstore_chunk *c)
{
    if (c->base == NULL)
        return;
#ifdef RSTORE_MMAP
    if (c->mapped)
        (void)munmap(c->base, c->size);
    else
#endif
        PyMem_RawFree(c->base);
    c->base = NULL;
}

/* `size` bytes for row `row`, `rows_left` rows (this one included) still to
 * come: the first chunk is sized for all of them as if they were like the
 * first, the next ones double. */
static char *
rstore_alloc(rstore *s, size_t size, Py_ssize_t row, Py_ssize_t rows_left,
             char **cur, char **end)
{
    rstore_chunk *c;
    size_t want;
    char *p;
    int mapped;

    if (s->nchunks > 0 && size <= (size_t)(*end - *cur)) {
        p = *cur;
        *cur += size;
        s->chunks[s->nchunks - 1].nrows++;
        return p;
    }
    if (s->nchunks == 0)
        want = size > RSTORE_MAX_CHUNK / (size_t)rows_left
                   ? RSTORE_MAX_CHUNK
                   : size * (size_t)rows_left;
    else
        want = s->next_size;
    if (want < RSTORE_MIN_CHUNK)
        want = RSTORE_MIN_CHUNK;
    if (want > RSTORE_MAX_CHUNK)
        want = RSTORE_MAX_CHUNK;
    if (want < size)
        want = size;
    if (s->nchunks == s->chunks_alloc) {
        Py_ssize_t n = s->chunks_alloc ? 2 * s->chunks_alloc : 16;
        rstore_chunk *a;
        if ((size_t)n > SIZE_MAX / sizeof(rstore_chunk))
            return NULL;
        a = PyMem_RawRealloc(s->chunks, (size_t)n * sizeof(rstore_chunk));
        if (a == NULL)
            return NULL;
        s->chunks = a;
        s->chunks_alloc = n;
    }
    if ((p = rstore_chunk_mem(&want, &mapped)) == NULL)
        return NULL;
    c = &s->chunks[s->nchunks++];
    c->base = p;
    c->size = want;
    c->mapped = mapped;
    c->first_row = row;
    c->nrows = 1;
    c->nreleased = 0;
    s->next_size = want < RSTORE_MAX_CHUNK / 2 ? 2 * want : RSTORE_MAX_CHUNK;
    *cur = p + size;
    *end = p + want;
    return p;
}

#define RSTORE_STACK_COLS 64

int
rstore_fill(rstore *s, const PGresult *res)
{
    Py_ssize_t nrows = PQntuples(res), r;
    int ncols = PQnfields(res), c;
    int lens_stack[RSTORE_STACK_COLS], *lens = lens_stack;
    const char *vals_stack[RSTORE_STACK_COLS], **vals = vals_stack;
    char *cur = NULL, *end = NULL;

    memset(s, 0, sizeof(*s));
    s->nrows = nrows;
    s->ncols = ncols;
    if (nrows <= 0 || ncols <= 0)
        return 0;
    if ((size_t)nrows > SIZE_MAX / sizeof(rstore_row))
        return -1;
    if (!(s->rows = PyMem_RawMalloc((size_t)nrows * sizeof(rstore_row))))
        return -1;
    if (ncols > RSTORE_STACK_COLS
        && (!(lens = PyMem_RawMalloc((size_t)ncols * sizeof(int)))
            || !(vals = PyMem_RawMalloc((size_t)ncols * sizeof(char *)))))
        goto error;

    for (r = 0; r < nrows; r++) {
        size_t need = 0, hdr;
        uint32_t off = 0;
        int wide;
        char *p, *d;
        const char *run = NULL, *run_end = NULL;

        for (c = 0; c < ncols; c++) {
            int n = PQgetlength(res, (int)r, c);
            if (n == 0 && PQgetisnull(res, (int)r, c))
                n = -1;
            else {
                need += (size_t)n + 1;
                vals[c] = PQgetvalue(res, (int)r, c);
            }
            lens[c] = n;
        }
        /* a DataRow message is under 2 GB: this is only a guard */
        if (need >= RSTORE_NULL32)
            goto error;
        wide = need >= RSTORE_NULL16;
        hdr = (size_t)ncols * (wide ? 4 : 2);
        if (!(p = rstore_alloc(s, hdr + need, r, nrows - r, &cur, &end)))
            goto error;
        if (wide) {
            if (s->wide == NULL
                && !(s->wide = PyMem_RawCalloc((size_t)nrows, 1)))
                goto error;
            s->wide[r] = 1;
        }
        s->rows[r].data = p;
        d = p + hdr;
        for (c = 0; c < ncols; c++) {
            uint32_t e;
            if (lens[c] < 0)
                e = off | (wide ? RSTORE_NULL32 : RSTORE_NULL16);
            else {
                /* with libpq's NUL; libpq lays the values of a row out
                 * back to back as a rule: one copy per run of them */
                if (vals[c] != run_end) {
                    if (run != NULL)
                        memcpy(d + (off - (uint32_t)(run_end - run)), run,
                               (size_t)(run_end - run));
                    run = vals[c];
                }
                run_end = vals[c] + lens[c] + 1;
                off += (uint32_t)lens[c] + 1;
                e = off;
            }
            if (wide)
                memcpy(p + 4 * (size_t)c, &e, 4);
            else {
                uint16_t e16 = (uint16_t)e;
                memcpy(p + 2 * (size_t)c, &e16, 2);
            }
        }
        if (run != NULL)
            memcpy(d + (off - (uint32_t)(run_end - run)), run,
                   (size_t)(run_end - run));
    }
    if (lens != lens_stack)
        PyMem_RawFree(lens);
    if (vals != vals_stack)
        PyMem_RawFree((void *)vals);
    return 0;

error:
    if (lens != lens_stack)
        PyMem_RawFree(lens);
    if (vals != vals_stack)
        PyMem_RawFree((void *)vals);
    return -1;
}

void
rstore_free(rstore *s)
{
    Py_ssize_t i;
    for (i = 0; i < s->nchunks; i++)
        rstore_chunk_drop(&s->chunks[i]);
    PyMem_RawFree(s->chunks);
    PyMem_RawFree(s->rows);
    PyMem_RawFree(s->wide);
    PyMem_RawFree(s->released);
    memset(s, 0, sizeof(*s));
}

int
rstore_to_pgresult(const rstore *s, PGresult *res)
{
    Py_ssize_t r, len;
    int c;
    if (s->nreleased > 0)
        return -1;
    for (r = 0; r < s->nrows && s->rows != NULL; r++) {
        for (c = 0; c < s->ncols; c++) {
            const char *v = rstore_cell(s, r, c, &len);
            if (!PQsetvalue(res, (int)r, c, (char *)v,
                            v ? (int)len : -1))
                return -1;
        }
    }
    return 0;
}

void
rstore_trim(rstore *s)
{
    Py_ssize_t i;
    for (i = 0; s->pending > 0 && i < s->nchunks; i++) {
        rstore_chunk *c = &s->chunks[i];
        if (c->nreleased == c->nrows && c->base != NULL) {
            rstore_chunk_drop(c);
            s->pending--;
        }
    }
}

int
rstore_release(rstore *s, Py_ssize_t r, void *kept, int may_free)
{
    rstore_chunk *c;
    Py_ssize_t h = s->hint;

    if (s->released == NULL
        && !(s->released = PyMem_RawCalloc(((size_t)s->nrows + 7) / 8, 1)))
        return -1;
    /* rows are usually released in order: start from the last chunk */
    if (h < 0 || h >= s->nchunks)
        h = 0;
    while (h + 1 < s->nchunks && r >= s->chunks[h + 1].first_row)
        h++;
    while (h > 0 && r < s->chunks[h].first_row)
        h--;
    s->hint = h;
    c = &s->chunks[h];
    s->released[r >> 3] |= (unsigned char)(1u << (r & 7));
    s->rows[r].kept = kept;
    s->nreleased++;
    if (++c->nreleased == c->nrows)
        s->pending++;
    if (may_free && s->pending > 0) {
        if (c->nreleased == c->nrows && c->base != NULL) {
            /* the usual case: only this chunk */
            rstore_chunk_drop(c);
            s->pending--;
        }
        rstore_trim(s);
    }
    return 0;
}
