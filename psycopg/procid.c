/* The cached process id (procid.h).  A process-wide fact, so a C global:
 * the one module state per interpreter would not do for the fork handler. */
#include "psycopg.h"
#include "procid.h"

#include <pthread.h>

pid_t procid_cached;

/* In the child of fork(): before any Python code runs there again. */
static void
procid_after_fork(void)
{
    procid_cached = getpid();
}

void
procid_init(void)
{
    static int registered;
    if (!registered && pthread_atfork(NULL, NULL, procid_after_fork) == 0)
        registered = 1;
    procid_cached = registered ? getpid() : 0;
}
