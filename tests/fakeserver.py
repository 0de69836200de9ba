"""A scripted PostgreSQL server (protocol 3.0) for hostile-server tests.

Written from the protocol documentation ("Frontend/Backend Protocol",
"Message Formats"): it answers the startup of any client with trust
authentication, then hands each simple query to a Python callable chosen by
the test, which answers with whatever bytes it likes: row descriptions with
any OID and name, data rows with garbage, floods of notices or
notifications, errors with arbitrary fields, a message cut in the middle,
or silence.

    def reply(s, sql):                # s: Session, sql: bytes
        s.row_description([(b"x", 23)])
        s.data_row([b"not a number"])
        s.command_complete(b"SELECT 1")
        # ReadyForQuery is sent after the reply unless it returns False

    with FakeServer(reply) as srv:
        conn = psycopg2.connect(srv.dsn)

The server runs in a daemon thread of the test process, listening on a free
port of 127.0.0.1. One thread per client connection; each session ends when
the client sends Terminate or closes its socket, or when the reply returns
``Session.HANGUP``. Cancel requests are accepted and ignored. SSL and GSS
encryption requests are refused ('N'), as a server built without them does.
The extended protocol (Parse/Bind/Describe/Execute/Sync) is answered just
enough for the client to get along: Execute runs the same reply callable
with the text of the parsed statement.

Module importable by both this project and the original psycopg2 (the
tests run the same script against each to compare their behaviour).
"""

import socket
import struct
import threading

PROTOCOL_3 = 196608
SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
CANCEL_REQUEST = 80877102

DEFAULT_PARAMS = {
    "client_encoding": "UTF8",
    "server_encoding": "UTF8",
    "server_version": "15.20",
    "standard_conforming_strings": "on",
    "DateStyle": "ISO, MDY",
    "integer_datetimes": "on",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "is_superuser": "on",
    "session_authorization": "fake",
    "application_name": "",
}


def cstr(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return b + b"\0"


def message(kind, body=b""):
    """One backend message: type byte, int32 length (itself included), body."""
    return kind + struct.pack("!i", len(body) + 4) + body


def fields_body(fields):
    """Body of ErrorResponse/NoticeResponse: (code byte, string) pairs."""
    out = b""
    for code, value in fields.items():
        if isinstance(code, str):
            code = code.encode("ascii")
        out += code + cstr(value)
    return out + b"\0"


class Hangup(Exception):
    """Raised inside a session to drop the connection at once."""


class Session:
    """One client connection, seen from the server side."""

    HANGUP = "hangup"

    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.txstatus = b"I"
        self.startup = {}
        self.statements = {}   # prepared statement name -> query text
        self.portal_sql = b""
        self.queries = []
        self.copy_in = []      # CopyData received

    # ---- low level ----
    def send(self, data):
        self.sock.sendall(data)

    def send_message(self, kind, body=b""):
        self.send(message(kind, body))

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise Hangup()
            buf += chunk
        return buf

    def read_message(self):
        kind = self._recv_exact(1)
        (length,) = struct.unpack("!i", self._recv_exact(4))
        return kind, self._recv_exact(length - 4)

    # ---- backend messages ----
    def parameter_status(self, name, value):
        self.send_message(b"S", cstr(name) + cstr(value))

    def ready(self, status=None):
        self.send_message(b"Z", status or self.txstatus)

    def row_description(self, columns):
        """columns: (name, type oid[, typmod[, typlen]]) tuples; name bytes."""
        body = struct.pack("!h", len(columns))
        for col in columns:
            name, oid = col[0], col[1]
            typmod = col[2] if len(col) > 2 else -1
            typlen = col[3] if len(col) > 3 else -1
            body += cstr(name) + struct.pack("!ihihih", 0, 0, oid, typlen,
                                             typmod, 0)
        self.send_message(b"T", body)

    def data_row(self, values):
        body = struct.pack("!h", len(values))
        for v in values:
            if v is None:
                body += struct.pack("!i", -1)
            else:
                if isinstance(v, str):
                    v = v.encode("utf-8")
                body += struct.pack("!i", len(v)) + v
        self.send_message(b"D", body)

    def command_complete(self, tag=b"SELECT 0"):
        self.send_message(b"C", cstr(tag))

    def empty_query(self):
        self.send_message(b"I")

    def error(self, fields=None, **kw):
        """ErrorResponse; fields maps code ('S', 'C', 'M', ...) to bytes."""
        f = {"S": b"ERROR", "V": b"ERROR", "C": b"XX000", "M": b"fake error"}
        f.update(fields or {})
        f.update(kw)
        self.send_message(b"E", fields_body(f))
        if self.txstatus == b"T":
            self.txstatus = b"E"

    def notice(self, message=b"fake notice", fields=None):
        f = {"S": b"NOTICE", "V": b"NOTICE", "C": b"00000", "M": message}
        f.update(fields or {})
        self.send_message(b"N", fields_body(f))

    def notification(self, channel, payload=b"", pid=4242):
        self.send_message(b"A", struct.pack("!i", pid) + cstr(channel)
                          + cstr(payload))

    # ---- conversation ----
    def handshake(self):
        while True:
            (length,) = struct.unpack("!i", self._recv_exact(4))
            body = self._recv_exact(length - 4)
            (code,) = struct.unpack("!i", body[:4])
            if code in (SSL_REQUEST, GSS_REQUEST):
                self.send(b"N")
                continue
            if code == CANCEL_REQUEST:
                self.server.cancels += 1
                raise Hangup()
            if code != PROTOCOL_3:
                raise Hangup()
            parts = body[4:].split(b"\0")
            for k, v in zip(parts[0::2], parts[1::2]):
                if k:
                    self.startup[k.decode()] = v.decode()
            break
        self.send_message(b"R", struct.pack("!i", 0))   # AuthenticationOk
        for name, value in self.server.params.items():
            self.parameter_status(name, value)
        self.send_message(b"K", struct.pack("!ii", 4242, 1234))
        self.ready()

    def _track(self, sql):
        word = sql.strip().split(None, 1)[:1]
        word = word[0].upper() if word else b""
        if word in (b"BEGIN", b"START"):
            self.txstatus = b"T"
        elif word in (b"COMMIT", b"ROLLBACK", b"END", b"ABORT"):
            self.txstatus = b"I"
        return word

    def run_query(self, sql):
        """Answer one statement; False if the reply asked for silence."""
        self.queries.append(sql)
        word = self._track(sql)
        if word in (b"BEGIN", b"START", b"COMMIT", b"ROLLBACK", b"END",
                    b"ABORT", b"SET", b"RESET", b"DISCARD") \
                and not self.server.script_control:
            self.command_complete(word)
            return True
        if not sql.strip():
            self.empty_query()
            return True
        rv = self.server.reply(self, sql)
        if rv == self.HANGUP:
            raise Hangup()
        return rv is not False

    def serve(self):
        self.handshake()
        while True:
            kind, body = self.read_message()
            if kind == b"X":
                return
            if kind == b"Q":
                sql = body.rstrip(b"\0")
                # this project sends "BEGIN;<query>" in one message
                if sql[:5].upper() == b"BEGIN" and b";" in sql \
                        and not self.server.script_control:
                    begin, sql = sql.split(b";", 1)
                    self.run_query(begin)
                if self.run_query(sql):
                    self.ready()
            elif kind == b"P":
                name, rest = body.split(b"\0", 1)
                self.statements[name] = rest.split(b"\0", 1)[0]
                self.send_message(b"1")
            elif kind == b"B":
                portal, rest = body.split(b"\0", 1)
                stmt = rest.split(b"\0", 1)[0]
                self.portal_sql = self.statements.get(stmt, b"")
                self.send_message(b"2")
            elif kind == b"D":
                self.send_message(b"n")
            elif kind == b"E":
                self.run_query(self.portal_sql)
            elif kind == b"C":
                self.send_message(b"3")
            elif kind == b"S":
                self.ready()
            elif kind == b"H":
                pass
            elif kind == b"d":
                self.copy_in.append(body)
            elif kind == b"c":   # CopyDone
                self.command_complete(b"COPY %d" % len(self.copy_in))
                self.ready()
            elif kind == b"f":   # CopyFail
                self.error(C=b"57014", M=b"COPY from stdin failed: "
                           + body.rstrip(b"\0"))
                self.ready()
            else:
                self.error(C=b"08P01", M=b"fake server: unexpected message")
                self.ready()


class FakeServer:
    """Listen on 127.0.0.1:<free port>; *reply(session, sql)* answers queries.

    *params* overrides the ParameterStatus values sent at startup.
    *script_control*: send BEGIN/COMMIT/ROLLBACK/SET to *reply* too.
    """

    def __init__(self, reply=None, params=None, script_control=False):
        self.reply = reply or (lambda s, sql: s.command_complete(b"SELECT 0"))
        self.params = dict(DEFAULT_PARAMS)
        self.params.update(params or {})
        self.script_control = script_control
        self.sessions = []
        self.errors = []
        self.cancels = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def dsn(self):
        return ("host=127.0.0.1 port=%d user=fake dbname=fake sslmode=disable"
                " gssencmode=disable connect_timeout=10" % self.port)

    def _accept(self):
        while not self._closing:
            try:
                sock, _ = self._sock.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = threading.Thread(target=self._session, args=(sock,),
                                 daemon=True)
            t.start()

    def _session(self, sock):
        s = Session(self, sock)
        self.sessions.append(s)
        try:
            s.serve()
        except (Hangup, ConnectionError):
            pass
        except Exception as e:   # a bug in a test's reply: report it
            self.errors.append(e)
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def close(self):
        self._closing = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)   # wakes accept()
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass
        for s in self.sessions:
            try:
                s.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- value parsers: one column of any type OID, any bytes ----

def cast_outcomes(psycopg2, cases, report=None):
    """Fetch each (oid, value bytes) case as a one-column row.

    Returns one outcome per case: ("value", type name) or ("error", class
    name, is a psycopg2.Error); *report(outcome)* is called after each case.
    Runs its own FakeServer; a case that breaks the connection gets a new
    one for the next case.
    """
    pending = {}

    def reply(s, sql):
        oid, value = pending["case"]
        s.row_description([(b"v", oid)])
        s.data_row([value])
        s.command_complete(b"SELECT 1")

    out = []
    with FakeServer(reply) as srv:
        conn = psycopg2.connect(srv.dsn)
        conn.autocommit = True
        for oid, value in cases:
            pending["case"] = (oid, value)
            cur = conn.cursor()
            try:
                cur.execute("select")
                v = cur.fetchone()[0]
                res = ("value", type(v).__name__)
            except Exception as e:
                res = ("error", type(e).__name__,
                       isinstance(e, psycopg2.Error))
            out.append(res)
            if report:
                report(res)
            if conn.closed:
                conn = psycopg2.connect(srv.dsn)
                conn.autocommit = True
        conn.close()
    return out


if __name__ == "__main__":
    # Used by the tests to run the same cases with the original psycopg2:
    # JSON [[oid, latin-1 text of the bytes or null], ...] on stdin, one
    # JSON outcome per line on stdout (flushed: if the process crashes, the
    # caller knows which case did it).
    import json
    import sys

    import psycopg2

    def report(res):
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()

    cases = [(oid, None if v is None else v.encode("latin-1"))
             for oid, v in json.load(sys.stdin)]
    cast_outcomes(psycopg2, cases, report)
