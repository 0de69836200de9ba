"""Follow the changes of a database with logical replication.

    PSYCOPG2_TESTDSN="dbname=test" python replication_consumer.py [SLOT] [--demo]

Needs a server with ``wal_level = logical``, a user with the REPLICATION
attribute and the ``test_decoding`` output plugin (shipped with PostgreSQL).

The consumer opens a *replication* connection
(``LogicalReplicationConnection``), creates the slot SLOT (default
``example_slot``) if missing, and streams the decoded changes. After
handling each message it confirms its position with ``send_feedback``, so
the server can recycle WAL and a restarted consumer resumes after the last
confirmed change. The payload ``stop`` (``SELECT pg_logical_emit_message(
false, 'example', 'stop')``) ends it; the slot is dropped on the way out if
``--drop`` is given.

``--demo`` makes some changes itself from a second, normal connection
(create a table, insert, update, delete, then the stop message), so the
script shows something on an idle database.
"""
from __future__ import annotations

import os
import sys
import threading
import time

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras


class Consumer:
    def __init__(self) -> None:
        self.changes = 0

    def __call__(self, msg: psycopg2.extras.ReplicationMessage) -> None:
        payload = msg.payload
        if payload.startswith("table "):
            self.changes += 1
            print("change:", payload, flush=True)
        elif payload.startswith("BEGIN"):
            print("begin", flush=True)
        elif payload.startswith("COMMIT"):
            lsn = msg.data_start
            print("commit at %X/%X" % (lsn >> 32, lsn & 0xFFFFFFFF), flush=True)
        elif payload.startswith("message:") and payload.endswith("content:stop"):
            msg.cursor.send_feedback(flush_lsn=msg.data_start, force=True)
            raise psycopg2.extras.StopReplication()
        # confirm: everything up to here can be forgotten by the server
        msg.cursor.send_feedback(flush_lsn=msg.data_start)


def make_changes(dsn: str) -> None:
    time.sleep(0.5)  # let the consumer start streaming
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS example_accounts")
    cur.execute("CREATE TABLE example_accounts (id int PRIMARY KEY, owner text, balance int)")
    with conn:
        cur.execute("INSERT INTO example_accounts VALUES (1, 'ann', 100), (2, 'bob', 50)")
    with conn:
        cur.execute("UPDATE example_accounts SET balance = balance - 30 WHERE id = 1")
        cur.execute("UPDATE example_accounts SET balance = balance + 30 WHERE id = 2")
    cur.execute("DELETE FROM example_accounts WHERE owner = 'bob'")
    cur.execute("SELECT pg_logical_emit_message(false, 'example', 'stop')")
    cur.execute("DROP TABLE example_accounts")
    conn.close()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    slot = args[0] if args else "example_slot"
    dsn = os.environ.get("PSYCOPG2_TESTDSN", "")
    conn = psycopg2.connect(dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    cur = conn.cursor()
    assert isinstance(cur, psycopg2.extras.ReplicationCursor)
    try:
        cur.create_replication_slot(slot, output_plugin="test_decoding")
        print("created slot", slot)
    except psycopg2.errors.DuplicateObject:
        print("resuming from slot", slot)

    cur.start_replication(slot_name=slot, decode=True,
                          options={"include-xids": "0", "skip-empty-xacts": "1"})
    writer = None
    if "--demo" in sys.argv:
        writer = threading.Thread(target=make_changes, args=(dsn,))
        writer.start()
    consumer = Consumer()
    try:
        cur.consume_stream(consumer, keepalive_interval=5)
    except psycopg2.extras.StopReplication:
        print("stopped after %d changes" % consumer.changes)
    except KeyboardInterrupt:
        print("interrupted after %d changes" % consumer.changes)
    finally:
        if writer is not None:
            writer.join()
        if "--drop" in sys.argv:
            conn.close()  # the slot can't be dropped while this connection uses it
            conn = psycopg2.connect(
                dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
            dropper = conn.cursor()
            assert isinstance(dropper, psycopg2.extras.ReplicationCursor)
            # the closed connection's server process may still hold the
            # slot for a moment: WAIT makes the server wait for it to let
            # go (drop_replication_slot() would fail with ObjectInUse)
            dropper.execute("DROP_REPLICATION_SLOT %s WAIT"
                            % psycopg2.extensions.quote_ident(slot, dropper))
            print("dropped slot", slot)
        conn.close()


if __name__ == "__main__":
    main()
