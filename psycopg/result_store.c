/* The compact store of a result's values (see result_store.h).
 *
 * libpq keeps 16 bytes of pointer and length per value beside the bytes, in
 * 2 KB blocks; here a value costs 2 bytes (4 in rows over 32 KB) plus its
 * bytes and NUL, and rows are packed in a few big chunks.  The cursor keeps
 * this and frees the PGresult, so a big fetchall() holds the rows and about
 * half of what it held before.  Nothing here touches a Python object: the
 * copy of a big result runs with the GIL released. */
#include "psycopg.h"
#include "result_store.h"

#if defined(__linux__)
#include <sys/mman.h>
#if defined(MAP_ANONYMOUS)
#define RSTORE_MMAP 1
#endif
#endif

struct rstore_chunk {
    rstore_chunk *next;
    size_t size;               /* including this header */
    int mapped;                /* from mmap (else PyMem_RawMalloc) */
};

/* The header rounded up so the bytes after it stay 8-aligned. */
#define RSTORE_HDR ((sizeof(rstore_chunk) + 7) & ~(size_t)7)
#define RSTORE_MIN_CHUNK ((size_t)256)
#define RSTORE_MAX_CHUNK ((size_t)32 << 20)
/* Chunks this big are mapped on their own: freed, they go back to the
 * system at once instead of staying in malloc's heap. */
#define RSTORE_MAP_MIN ((size_t)1 << 20)
/* ... and from this size asked for huge pages, which on VMs saves most of
 * the page-fault time of filling them. */
#define RSTORE_HUGE_MIN ((size_t)4 << 20)

static rstore_chunk *
rstore_chunk_new(size_t size)
{
    rstore_chunk *c = NULL;
    int mapped = 0;

#ifdef RSTORE_MMAP
    if (size >= RSTORE_MAP_MIN) {
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
            /* only advice: ignored where unsupported */
            if (size >= RSTORE_HUGE_MIN)
                (void)madvise(m, size, MADV_HUGEPAGE);
#endif
            c = m;
            mapped = 1;
        }
    }
#endif
    if (c == NULL && (c = PyMem_RawMalloc(size)) == NULL)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->mapped = mapped;
    return c;
}

static void
rstore_chunk_free(rstore_chunk *c)
{
#ifdef RSTORE_MMAP
    if (c->mapped) {
        (void)munmap(c, c->size);
        return;
    }
#endif
    PyMem_RawFree(c);
}

/* `size` bytes for a row, `rows_left` rows (this one included) still to
 * come: the first chunk is sized for all of them as if they were like the
 * first, the next ones double. */
static char *
rstore_alloc(rstore *s, size_t size, Py_ssize_t rows_left, char **cur,
             char **end)
{
    rstore_chunk *c;
    size_t want;
    char *p;

    if (s->chunks != NULL && size <= (size_t)(*end - *cur)) {
        p = *cur;
        *cur += size;
        return p;
    }
    if (s->chunks == NULL)
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
    if (want > SIZE_MAX - RSTORE_HDR)
        return NULL;
    if ((c = rstore_chunk_new(want + RSTORE_HDR)) == NULL)
        return NULL;
    c->next = s->chunks;
    s->chunks = c;
    s->next_size = want < RSTORE_MAX_CHUNK / 2 ? 2 * want : RSTORE_MAX_CHUNK;
    p = (char *)c + RSTORE_HDR;
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
    char *cur = NULL, *end = NULL;

    memset(s, 0, sizeof(*s));
    s->nrows = nrows;
    s->ncols = ncols;
    if (nrows <= 0 || ncols <= 0)
        return 0;
    if ((size_t)nrows > SIZE_MAX / sizeof(char *))
        return -1;
    if (!(s->rows = PyMem_RawMalloc((size_t)nrows * sizeof(char *))))
        return -1;
    if (ncols > RSTORE_STACK_COLS
        && !(lens = PyMem_RawMalloc((size_t)ncols * sizeof(int))))
        return -1;

    for (r = 0; r < nrows; r++) {
        size_t need = 0, hdr;
        uint32_t off = 0;
        int wide;
        char *p, *d;

        for (c = 0; c < ncols; c++) {
            int n = PQgetlength(res, (int)r, c);
            if (n == 0 && PQgetisnull(res, (int)r, c))
                n = -1;
            else
                need += (size_t)n + 1;
            lens[c] = n;
        }
        /* a DataRow message is under 2 GB: this is only a guard */
        if (need >= RSTORE_NULL32)
            goto error;
        wide = need >= RSTORE_NULL16;
        hdr = (size_t)ncols * (wide ? 4 : 2);
        if (!(p = rstore_alloc(s, hdr + need, nrows - r, &cur, &end)))
            goto error;
        if (wide) {
            if (s->wide == NULL
                && !(s->wide = PyMem_RawCalloc((size_t)nrows, 1)))
                goto error;
            s->wide[r] = 1;
        }
        s->rows[r] = p;
        d = p + hdr;
        for (c = 0; c < ncols; c++) {
            uint32_t e;
            if (lens[c] < 0)
                e = off | (wide ? RSTORE_NULL32 : RSTORE_NULL16);
            else {
                /* with libpq's NUL */
                memcpy(d + off, PQgetvalue(res, (int)r, c),
                       (size_t)lens[c] + 1);
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
    }
    if (lens != lens_stack)
        PyMem_RawFree(lens);
    return 0;

error:
    if (lens != lens_stack)
        PyMem_RawFree(lens);
    return -1;
}

void
rstore_free(rstore *s)
{
    rstore_chunk *c = s->chunks, *next;
    while (c != NULL) {
        next = c->next;
        rstore_chunk_free(c);
        c = next;
    }
    PyMem_RawFree(s->rows);
    PyMem_RawFree(s->wide);
    memset(s, 0, sizeof(*s));
}

int
rstore_to_pgresult(const rstore *s, PGresult *res)
{
    Py_ssize_t r, len;
    int c;
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
