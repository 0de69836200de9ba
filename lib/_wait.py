"""wait_select: the reference wait callback for green/async support."""

import select

from psycopg2 import OperationalError
from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE

__all__ = ["wait_select"]


def wait_select(conn):
    """Wait until *conn* is done, polling it and select()ing its socket.

    Install it with ``extensions.set_wait_callback(wait_select)``.  On
    Ctrl-C the running query is cancelled and polling goes on, so the
    interrupted call raises QueryCanceledError and the connection stays
    usable (after a rollback).
    """
    while True:
        try:
            state = conn.poll()
            if state == POLL_OK:
                break
            elif state == POLL_READ:
                select.select([conn.fileno()], [], [])
            elif state == POLL_WRITE:
                select.select([], [conn.fileno()], [])
            else:
                raise OperationalError("bad state from poll: %s" % state)
        except KeyboardInterrupt:
            conn.cancel()
            # the loop will be broken by a server error
            continue
