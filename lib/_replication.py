"""Replication connections and cursors, over the C replication objects.

Imported by extras only if psycopg2._psycopg provides ReplicationConnection
and ReplicationCursor.
"""

from psycopg2 import ProgrammingError
from psycopg2.extensions import QuotedString, quote_ident
from psycopg2._psycopg import (
    ReplicationConnection as _ReplicationConnection,
    ReplicationCursor as _ReplicationCursor,
)

try:
    from psycopg2._psycopg import REPLICATION_LOGICAL, REPLICATION_PHYSICAL
except ImportError:
    REPLICATION_PHYSICAL = 12345678
    REPLICATION_LOGICAL = 87654321

__all__ = [
    "REPLICATION_PHYSICAL", "REPLICATION_LOGICAL", "StopReplication",
    "ReplicationConnectionBase", "LogicalReplicationConnection",
    "PhysicalReplicationConnection", "ReplicationCursor",
]


class StopReplication(Exception):
    """Raise it from a consume_stream() callback to stop replicating.

    ``cursor.consume_stream(consumer)`` calls *consumer* for every message
    and only returns when the consumer raises this exception (which it then
    swallows) or another one (which propagates)::

        def consume(msg):
            process(msg.payload)
            msg.cursor.send_feedback(flush_lsn=msg.data_start)
            if done():
                raise StopReplication()
    """


def _masked(name):
    def fail(self, *args):
        raise AttributeError(
            "%s not available on replication connections" % name)
    return property(fail, fail)


class ReplicationConnectionBase(_ReplicationConnection):
    """Base class for the replication connections (always autocommit)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = ReplicationCursor

    autocommit = _masked("autocommit")
    isolation_level = _masked("isolation_level")
    set_session = _masked("set_session")
    set_isolation_level = _masked("set_isolation_level")
    reset = _masked("reset")


class LogicalReplicationConnection(ReplicationConnectionBase):
    """A connection for logical replication (``replication=database``)."""

    def __init__(self, *args, **kwargs):
        kwargs["replication_type"] = REPLICATION_LOGICAL
        super().__init__(*args, **kwargs)


class PhysicalReplicationConnection(ReplicationConnectionBase):
    """A connection for physical replication (``replication=true``)."""

    def __init__(self, *args, **kwargs):
        kwargs["replication_type"] = REPLICATION_PHYSICAL
        super().__init__(*args, **kwargs)


class ReplicationCursor(_ReplicationCursor):
    """A cursor for the replication protocol commands."""

    def create_replication_slot(self, slot_name, slot_type=None,
                                output_plugin=None):
        """Create a replication slot named *slot_name*.

        *slot_type* is ``REPLICATION_LOGICAL`` or ``REPLICATION_PHYSICAL``
        (default: the type of the connection). A logical slot needs
        *output_plugin*, the name of the decoding plugin (e.g. ``test_decoding``
        or ``pgoutput``); a physical slot takes none. Misuse raises
        ``ProgrammingError``.
        """
        command = "CREATE_REPLICATION_SLOT %s " % quote_ident(slot_name, self)

        if slot_type is None:
            slot_type = self.connection.replication_type

        if slot_type == REPLICATION_LOGICAL:
            if output_plugin is None:
                raise ProgrammingError(
                    "output plugin name is required to create "
                    "logical replication slot")
            command += "LOGICAL %s" % quote_ident(output_plugin, self)

        elif slot_type == REPLICATION_PHYSICAL:
            if output_plugin is not None:
                raise ProgrammingError(
                    "cannot specify output plugin name when creating "
                    "physical replication slot")
            command += "PHYSICAL"

        else:
            raise ProgrammingError(
                "unrecognized replication type: %r" % (slot_type,))

        self.execute(command)

    def drop_replication_slot(self, slot_name):
        """Drop the replication slot *slot_name*."""
        self.execute("DROP_REPLICATION_SLOT %s" % quote_ident(slot_name, self))

    def start_replication(self, slot_name=None, slot_type=None, start_lsn=0,
                          timeline=0, options=None, decode=False,
                          status_interval=10):
        """Start replicating (START_REPLICATION); read with consume_stream() or read_message().

        *slot_name* is the slot to use (required for logical replication,
        optional for physical); *slot_type* defaults to the connection's type.
        *start_lsn* is where to start, as an int or a ``'XXX/XXX'`` string (0:
        where the slot is). *timeline* (physical only) asks for a given
        timeline. *options* (logical only) is a dict of options passed to the
        output plugin. With *decode* true, the payloads of a logical stream are
        decoded to str with the connection encoding. *status_interval* is the
        number of seconds between the feedback messages sent to the server.
        """
        command = "START_REPLICATION "

        if slot_type is None:
            slot_type = self.connection.replication_type

        if slot_type == REPLICATION_LOGICAL:
            if not slot_name:
                raise ProgrammingError(
                    "slot name is required for logical replication")
            command += "SLOT %s LOGICAL " % quote_ident(slot_name, self)

        elif slot_type == REPLICATION_PHYSICAL:
            if slot_name:
                command += "SLOT %s " % quote_ident(slot_name, self)
            # don't add "PHYSICAL", before 9.5 the server would choke on it

        else:
            raise ProgrammingError(
                "unrecognized replication type: %r" % (slot_type,))

        if isinstance(start_lsn, str):
            try:
                hi, lo = start_lsn.split("/")
                lsn = "%X/%08X" % (int(hi, 16), int(lo, 16))
            except ValueError:
                raise ProgrammingError(
                    "invalid LSN: %r" % (start_lsn,)) from None
        else:
            lsn = "%X/%08X" % ((start_lsn >> 32) & 0xFFFFFFFF,
                               start_lsn & 0xFFFFFFFF)
        command += lsn

        if timeline != 0:
            if slot_type == REPLICATION_LOGICAL:
                raise ProgrammingError(
                    "cannot specify timeline for logical replication")
            command += " TIMELINE %d" % timeline

        if options:
            if slot_type == REPLICATION_PHYSICAL:
                raise ProgrammingError(
                    "cannot specify output plugin options for physical "
                    "replication")
            items = []
            for k, v in options.items():
                qv = QuotedString(str(v))
                qv.prepare(self.connection)
                items.append("%s %s" % (
                    quote_ident(k, self), qv.getquoted().decode("utf8")))
            command += " (%s)" % ", ".join(items)

        self.start_replication_expert(
            command, decode=decode, status_interval=status_interval)

    def fileno(self):
        """The file descriptor of the connection, usable with select()."""
        return self.connection.fileno()
