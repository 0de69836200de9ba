"""A tiny JSON web backend: WSGI + a ThreadedConnectionPool.

    PSYCOPG2_TESTDSN="dbname=test" python web_app.py serve [PORT]
    PSYCOPG2_TESTDSN="dbname=test" python web_app.py selftest

Routes: ``GET /notes`` lists the notes, ``POST /notes`` (body: the text)
adds one, ``GET /health`` answers ``ok``. Each request borrows a connection
from the pool and gives it back; ``with conn:`` makes the request one
transaction (committed, or rolled back if it raises).

``selftest`` serves on a free local port, runs a few requests (several at
once, from threads), prints what they returned and stops.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import psycopg2
from psycopg2.extras import RealDictCursor
from psycopg2.pool import ThreadedConnectionPool

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class NotesApp:
    def __init__(self, dsn: str, maxconn: int = 5) -> None:
        self.pool = ThreadedConnectionPool(1, maxconn, dsn)
        conn = self.pool.getconn()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("""
                    CREATE TABLE IF NOT EXISTS example_notes (
                        id serial PRIMARY KEY,
                        body text NOT NULL,
                        created timestamptz NOT NULL DEFAULT now())""")
        finally:
            self.pool.putconn(conn)

    def close(self) -> None:
        self.pool.closeall()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        payload: Any
        try:
            if path == "/health":
                status, payload = "200 OK", self.health()
            elif path == "/notes" and method == "GET":
                status, payload = "200 OK", self.list_notes()
            elif path == "/notes" and method == "POST":
                size = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(size).decode("utf-8")
                status, payload = "201 Created", self.add_note(body)
            else:
                status, payload = "404 Not Found", {"error": "no such route"}
        except ValueError as ex:
            status, payload = "400 Bad Request", {"error": str(ex)}
        except psycopg2.Error as ex:
            status, payload = "500 Internal Server Error", {
                "error": type(ex).__name__, "pgcode": ex.pgcode}
        data = json.dumps(payload, default=str).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(data)))])
        return [data]

    def health(self) -> str:
        conn = self.pool.getconn()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                return "ok"
        finally:
            self.pool.putconn(conn)

    def list_notes(self) -> list[dict[str, Any]]:
        conn = self.pool.getconn()
        try:
            with conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
                cur.execute("SELECT id, body, created FROM example_notes ORDER BY id")
                return [dict(row) for row in cur.fetchall()]
        finally:
            self.pool.putconn(conn)

    def add_note(self, body: str) -> dict[str, Any]:
        if not body.strip():
            raise ValueError("empty note")
        conn = self.pool.getconn()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("INSERT INTO example_notes (body) VALUES (%s) RETURNING id",
                            (body,))
                row = cur.fetchone()
                assert row is not None
                return {"id": row[0], "body": body}
        finally:
            self.pool.putconn(conn)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def selftest(app: NotesApp) -> None:
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    base = "http://127.0.0.1:%d" % server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def call(method: str, path: str, body: bytes | None = None) -> Any:
        req = urllib.request.Request(base + path, data=body, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    try:
        conn = app.pool.getconn()  # start from an empty table
        try:
            with conn, conn.cursor() as cur:
                cur.execute("TRUNCATE example_notes RESTART IDENTITY")
        finally:
            app.pool.putconn(conn)
        print("health:", call("GET", "/health"))
        with ThreadPoolExecutor(4) as ex:
            added = list(ex.map(lambda i: call("POST", "/notes", b"note %d" % i), range(8)))
        print("added:", len(added), "notes")
        notes = call("GET", "/notes")
        print("listed:", sorted(n["body"] for n in notes))
        try:
            call("POST", "/notes", b"   ")
        except urllib.error.HTTPError as err:
            print("empty note refused:", err.code, json.loads(err.read())["error"])
    finally:
        server.shutdown()
        server.server_close()
        app.close()
    print("pool closed:", app.pool.closed)


def main() -> None:
    dsn = os.environ.get("PSYCOPG2_TESTDSN", "")
    cmd = sys.argv[1] if len(sys.argv) > 1 else "selftest"
    app = NotesApp(dsn)
    if cmd == "serve":
        port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
        print("serving on http://127.0.0.1:%d" % port)
        with make_server("127.0.0.1", port, app, server_class=ThreadingWSGIServer) as server:
            server.serve_forever()
    else:
        selftest(app)


if __name__ == "__main__":
    main()
