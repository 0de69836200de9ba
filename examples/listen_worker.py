"""A LISTEN/NOTIFY worker: wait for notifications without polling the table.

    PSYCOPG2_TESTDSN="dbname=test" python listen_worker.py [CHANNEL]

The worker LISTENs on CHANNEL (default ``jobs``) in autocommit mode and
sleeps in ``select()`` on the connection socket until the server has
something; ``conn.poll()`` then reads the notifications into
``conn.notifies``. Send work from anywhere::

    NOTIFY jobs, 'resize photo 42';
    SELECT pg_notify('jobs', 'stop');   -- the payload 'stop' ends the worker

Every 5 idle seconds it prints a heartbeat. A notification sent while the
worker handles another is not lost: it waits in the socket buffer.
"""
from __future__ import annotations

import os
import select
import sys

import psycopg2
import psycopg2.extensions
from psycopg2 import sql


def handle(pid: int, payload: str) -> None:
    # the real work goes here
    print("job from backend %d: %s" % (pid, payload), flush=True)


def main() -> None:
    channel = sys.argv[1] if len(sys.argv) > 1 else "jobs"
    conn = psycopg2.connect(os.environ.get("PSYCOPG2_TESTDSN", ""))
    conn.autocommit = True  # notifications are delivered outside transactions
    with conn.cursor() as cur:
        cur.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
    print("listening on %r (backend %d)" % (channel, conn.get_backend_pid()), flush=True)

    done = 0
    try:
        while True:
            ready, _, _ = select.select([conn], [], [], 5.0)
            if not ready:
                print("idle...", flush=True)
                continue
            conn.poll()
            while conn.notifies:
                n = conn.notifies.pop(0)
                if n.payload == "stop":
                    print("stopping after %d jobs" % done, flush=True)
                    return
                handle(n.pid, n.payload)
                done += 1
    except KeyboardInterrupt:
        print("interrupted after %d jobs" % done)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
