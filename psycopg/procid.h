/* The id of this process, without a system call each time. */
#ifndef PSYCOPG_PROCID_H
#define PSYCOPG_PROCID_H

#include <sys/types.h>
#include <unistd.h>

/* getpid() is a system call (about 1 us on a VM), and a connection asks
 * several times per query whether it runs in the process that opened it.
 * Set by procid_init() at module initialisation and again in a forked
 * child by a pthread_atfork handler; 0 when no handler could be registered
 * (then getpid() is called each time). */
extern pid_t procid_cached;

static inline pid_t
procid_get(void)
{
    pid_t p = procid_cached;
    return p != 0 ? p : getpid();
}

void procid_init(void);

#endif /* PSYCOPG_PROCID_H */
