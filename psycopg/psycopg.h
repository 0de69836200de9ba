/* Umbrella header: included first by every C file of psycopg2._psycopg. */
#ifndef PSYCOPG_PSYCOPG_H
#define PSYCOPG_PSYCOPG_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <libpq-fe.h>

#if PY_VERSION_HEX < 0x03090000
#error "psycopg2 needs Python 3.9 or newer"
#endif

#ifndef PSYCOPG_VERSION
#define PSYCOPG_VERSION "2.10.0.dev0"
#endif

/* Forward declarations shared by every file. */
typedef struct module_state module_state;
typedef struct connectionObject connectionObject;
typedef struct cursorObject cursorObject;

#include "compat.h"
#include "debug.h"

/* Connection status (psycopg2's own, not libpq's). */
#define CONN_STATUS_SETUP 0
#define CONN_STATUS_READY 1
#define CONN_STATUS_BEGIN 2
#define CONN_STATUS_SYNC 3
#define CONN_STATUS_ASYNC 4
#define CONN_STATUS_PREPARED 5

/* Isolation levels as exposed to Python; DEFAULT is None in Python. */
#define ISOLATION_LEVEL_AUTOCOMMIT 0
#define ISOLATION_LEVEL_READ_COMMITTED 1
#define ISOLATION_LEVEL_REPEATABLE_READ 2
#define ISOLATION_LEVEL_SERIALIZABLE 3
#define ISOLATION_LEVEL_READ_UNCOMMITTED 4
#define ISOLATION_LEVEL_DEFAULT 5

/* Tri-state session characteristics (readonly, deferrable). */
#define STATE_OFF 0
#define STATE_ON 1
#define STATE_DEFAULT 2

#define POLL_OK 0
#define POLL_READ 1
#define POLL_WRITE 2
#define POLL_ERROR 3

/* Replication connection types (replication_connection.c). */
#define REPLICATION_PHYSICAL 12345678
#define REPLICATION_LOGICAL 87654321

#endif /* PSYCOPG_PSYCOPG_H */
