/* Streaming replication: ReplicationConnection, ReplicationCursor and
 * ReplicationMessage (replication_connection.c, replication_cursor.c,
 * replication_message.c). */
#ifndef PSYCOPG_REPLICATION_H
#define PSYCOPG_REPLICATION_H

#include "psycopg.h"
#include "connection.h"
#include "cursor.h"

#include <stdint.h>

typedef struct {
    connectionObject conn;
    long type;                 /* REPLICATION_PHYSICAL / _LOGICAL */
} replConnObject;

typedef struct {
    cursorObject cur;
    int decode;                /* payloads decoded with the conn encoding */
    double status_interval;    /* seconds between status updates */
    uint64_t write_lsn;        /* positions reported to the server */
    uint64_t flush_lsn;
    uint64_t apply_lsn;
    uint64_t wal_end;          /* from the last message or keepalive */
    uint64_t last_msg_start;   /* data_start of the last XLogData */
    int got_msg;               /* an XLogData was received */
    double last_io;            /* epoch seconds: last message received */
    double last_feedback;      /* epoch seconds: last status update sent */
} replCursObject;

typedef struct {
    PyObject_HEAD
    PyObject *cursor;
    PyObject *payload;         /* bytes, or str when decoding */
    Py_ssize_t data_size;      /* raw size of the payload */
    uint64_t data_start;
    uint64_t wal_end;
    int64_t send_time;         /* microseconds since 2000-01-01 UTC */
} replMsgObject;

/* A new message (the cursor and payload are referenced). */
PyObject *repl_msg_new(module_state *st, PyObject *cursor, PyObject *payload,
                       Py_ssize_t data_size, uint64_t data_start,
                       uint64_t wal_end, int64_t send_time);

/* PostgreSQL epoch (2000-01-01) in Unix seconds. */
#define REPL_PG_EPOCH_OFFSET 946684800.0

#endif /* PSYCOPG_REPLICATION_H */
