/* Debug tracing: compiled in only with -DPSYCOPG_DEBUG, printed only when the
 * PSYCOPG_DEBUG environment variable was set at import time. */
#ifndef PSYCOPG_DEBUG_H
#define PSYCOPG_DEBUG_H

#ifdef PSYCOPG_DEBUG
#include <stdio.h>
#include <unistd.h>
extern int psycopg_debug_enabled;
#define Dprintf(fmt, ...)                                                   \
    do {                                                                    \
        if (psycopg_debug_enabled)                                          \
            fprintf(stderr, "[%d] %s: " fmt "\n", (int)getpid(), __func__, \
                    ##__VA_ARGS__);                                         \
    } while (0)
#else
#define Dprintf(fmt, ...) ((void)0)
#endif

#endif /* PSYCOPG_DEBUG_H */
