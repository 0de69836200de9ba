"""COPY: cursor.copy_from, copy_to, copy_expert."""

import io

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
from psycopg2 import sql


@pytest.fixture
def table(conn):
    cur = conn.cursor()
    cur.execute(
        "CREATE TEMP TABLE tcopy (id int, data text, num numeric)")
    conn.commit()  # temp table lives as long as the session
    return "tcopy"


def rows(conn, table="tcopy"):
    cur = conn.cursor()
    cur.execute("SELECT * FROM %s ORDER BY id" % table)
    return [(r[0], r[1], None if r[2] is None else str(r[2]))
            for r in cur.fetchall()]


class ReadCounter:
    """A file-like object recording the sizes asked to read()."""

    def __init__(self, data):
        self.f = io.StringIO(data) if isinstance(data, str) else io.BytesIO(
            data)
        self.sizes = []

    def read(self, size=-1):
        self.sizes.append(size)
        return self.f.read(size)


class Sink:
    """Discards what is written, remembering chunk count and types."""

    def __init__(self):
        self.chunks = 0
        self.total = 0
        self.types = set()

    def write(self, data):
        self.chunks += 1
        self.total += len(data)
        self.types.add(type(data))


# ---- copy_from ----

def test_copy_from_text(conn, table):
    cur = conn.cursor()
    f = io.StringIO("1\tone\t1.5\n2\ttwo\t\\N\n3\t\\N\t3\n")
    cur.copy_from(f, table)
    assert cur.rowcount == 3
    assert rows(conn) == [(1, "one", "1.5"), (2, "two", None),
                          (3, None, "3")]


def test_copy_from_bytes(conn, table):
    cur = conn.cursor()
    f = io.BytesIO("1\tcaf\u00e9\t1\n".encode("utf8"))
    cur.copy_from(f, table)
    assert rows(conn) == [(1, "caf\u00e9", "1")]


def test_copy_from_unicode_other_encoding(conn, table):
    conn.set_client_encoding("LATIN1")
    cur = conn.cursor()
    cur.copy_from(io.StringIO("1\tcaf\u00e9\t1\n"), table)
    conn.commit()  # changing encoding rolls back
    conn.set_client_encoding("UTF8")
    assert rows(conn) == [(1, "caf\u00e9", "1")]


def test_copy_from_real_files(conn, table, tmp_path):
    p = tmp_path / "data.txt"
    p.write_text("1\ta\t1\n2\tb\t2\n", encoding="utf8")
    cur = conn.cursor()
    with open(p, "r", encoding="utf8") as f:
        cur.copy_from(f, table)
    with open(p, "rb") as f:
        cur.copy_from(f, table)
    assert len(rows(conn)) == 4


def test_copy_from_columns(conn, table):
    cur = conn.cursor()
    cur.copy_from(io.StringIO("x\t10\ny\t20\n"), table,
                  columns=("data", "id"))
    assert rows(conn) == [(10, "x", None), (20, "y", None)]
    # any iterable of names
    cur.copy_from(io.StringIO("30\n"), table, columns=iter(["id"]))
    assert rows(conn)[-1] == (30, None, None)


def test_copy_from_sep_null(conn, table):
    cur = conn.cursor()
    cur.copy_from(io.StringIO("1|a|NULL\n2|NULL|2\n"), table, sep="|",
                  null="NULL")
    assert rows(conn) == [(1, "a", None), (2, None, "2")]
    cur.copy_from(io.StringIO("3,,3\n"), table, sep=",", null="")
    assert rows(conn)[-1] == (3, None, "3")


def test_copy_from_size_chunks(conn, table):
    data = "".join("%d\tvalue %d\t%d\n" % (i, i, i) for i in range(1000))
    f = ReadCounter(data)
    cur = conn.cursor()
    cur.copy_from(f, table, size=100)
    assert cur.rowcount == 1000
    assert set(f.sizes) == {100}
    # read until an empty chunk
    assert len(f.sizes) == len(data) // 100 + (1 if len(data) % 100 else 0) + 1
    assert len(rows(conn)) == 1000


def test_copy_from_default_size(conn, table):
    f = ReadCounter("1\ta\t1\n")
    conn.cursor().copy_from(f, table)
    assert f.sizes[0] == 8192


def test_copy_from_bad_size(conn, table):
    with pytest.raises(ValueError):
        conn.cursor().copy_from(io.StringIO(""), table, size=0)


def test_copy_from_empty(conn, table):
    cur = conn.cursor()
    cur.copy_from(io.StringIO(""), table)
    assert cur.rowcount == 0


def test_copy_from_quoted_names(conn):
    cur = conn.cursor()
    cur.execute('CREATE TEMP TABLE "Weird Name" ("Some Col" int)')
    cur.copy_from(io.StringIO("1\n2\n"), "Weird Name", columns=["Some Col"])
    cur.execute('SELECT sum("Some Col") FROM "Weird Name"')
    assert cur.fetchone()[0] == 3


def test_copy_from_schema_table_needs_expert(conn, table):
    # 2.9: the name is quoted as one identifier
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.copy_from(io.StringIO("1\n"), "public.tcopy")
    conn.rollback()


def test_copy_from_no_read(conn, table):
    cur = conn.cursor()
    with pytest.raises(TypeError):
        cur.copy_from(object(), table)
    with pytest.raises(TypeError):
        cur.copy_from(Sink(), table)
    # nothing was sent: the connection is fine
    cur.execute("SELECT 1")


def test_copy_from_read_raises(conn, table):
    class Boom(Exception):
        pass

    class BadFile:
        def __init__(self):
            self.n = 0

        def read(self, size):
            self.n += 1
            if self.n > 2:
                raise Boom("disk on fire")
            return "%d\tx\t1\n" % self.n

    cur = conn.cursor()
    # as psycopg2: the COPY is aborted with a message naming the file's
    # error, and the server's answer is raised
    with pytest.raises(psycopg2.errors.QueryCanceled) as exc:
        cur.copy_from(BadFile(), table)
    assert exc.value.pgcode == "57014"
    assert str(exc.value).startswith(
        "COPY from stdin failed: error in .read() call: Boom disk on fire\n")
    assert exc.value.pgerror.startswith(
        "ERROR:  COPY from stdin failed: error in .read() call: Boom disk "
        "on fire\n")
    assert exc.value.__context__ is None
    # the COPY was aborted on the server: the transaction failed
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()
    assert rows(conn) == []
    cur.execute("SELECT 42")
    assert cur.fetchone() == (42,)


def test_copy_from_read_returns_bad_type(conn, table):
    class F:
        def read(self, size):
            return 42

    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.QueryCanceled) as exc:
        cur.copy_from(F(), table)
    assert str(exc.value).startswith(
        "COPY from stdin failed: error in .read() call\n")
    conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_copy_from_bad_data(conn, table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.DataError) as exc:
        cur.copy_from(io.StringIO("1\tx\t1\nnotanumber\ty\t2\n"), table)
    assert isinstance(exc.value, psycopg2.errors.InvalidTextRepresentation)
    assert exc.value.pgcode == "22P02"
    assert exc.value.cursor is cur
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()
    assert rows(conn) == []
    cur.copy_from(io.StringIO("1\tx\t1\n"), table)
    assert rows(conn) == [(1, "x", "1")]


def test_copy_from_too_many_columns(conn, table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.BadCopyFileFormat):
        cur.copy_from(io.StringIO("1\ta\t1\textra\n"), table)
    conn.rollback()


def test_copy_from_missing_table(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.copy_from(io.StringIO("1\n"), "no_such_table")
    conn.rollback()


def test_copy_from_autocommit(conn, table):
    conn.autocommit = True
    cur = conn.cursor()
    cur.copy_from(io.StringIO("1\ta\t1\n"), table)
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    assert rows(conn) == [(1, "a", "1")]


def test_copy_from_in_transaction(conn, table):
    cur = conn.cursor()
    cur.copy_from(io.StringIO("1\ta\t1\n"), table)
    assert conn.status == ext.STATUS_BEGIN
    conn.rollback()
    assert rows(conn) == []


# ---- copy_to ----

def fill(conn, n=3):
    cur = conn.cursor()
    cur.execute(
        "INSERT INTO tcopy SELECT i, 'v' || i, i * 1.5 "
        "FROM generate_series(1, %s) i", (n,))
    cur.execute("INSERT INTO tcopy VALUES (%s, NULL, NULL)", (n + 1,))


def test_copy_to_text(conn, table):
    fill(conn)
    f = io.StringIO()
    cur = conn.cursor()
    cur.copy_to(f, table)
    assert cur.rowcount == 4
    assert sorted(f.getvalue().splitlines()) == [
        "1\tv1\t1.5", "2\tv2\t3.0", "3\tv3\t4.5", "4\t\\N\t\\N"]


def test_copy_to_bytes(conn, table):
    cur = conn.cursor()
    cur.execute("INSERT INTO tcopy VALUES (1, 'caf\u00e9', 1)")
    f = io.BytesIO()
    cur.copy_to(f, table)
    assert f.getvalue() == "1\tcaf\u00e9\t1\n".encode("utf8")


def test_copy_to_text_other_encoding(conn, table):
    cur = conn.cursor()
    cur.execute("INSERT INTO tcopy VALUES (1, 'caf\u00e9', 1)")
    conn.commit()
    conn.set_client_encoding("LATIN1")
    f = io.StringIO()
    cur.copy_to(f, table)
    assert f.getvalue() == "1\tcaf\u00e9\t1\n"
    b = io.BytesIO()
    cur.copy_to(b, table)
    assert b.getvalue() == b"1\tcaf\xe9\t1\n"


def test_copy_to_real_files(conn, table, tmp_path):
    fill(conn, 2)
    cur = conn.cursor()
    p = tmp_path / "out.txt"
    with open(p, "w", encoding="utf8") as f:
        cur.copy_to(f, table)
    assert len(p.read_text().splitlines()) == 3
    with open(p, "wb") as f:
        cur.copy_to(f, table)
    assert len(p.read_bytes().splitlines()) == 3


def test_copy_to_writes_bytes_to_non_textio(conn, table):
    fill(conn, 5)
    sink = Sink()
    conn.cursor().copy_to(sink, table)
    assert sink.types == {bytes}
    assert sink.chunks == 6  # streamed: one message per row


def test_copy_to_columns_sep_null(conn, table):
    fill(conn, 2)
    f = io.StringIO()
    conn.cursor().copy_to(f, table, sep="|", null="<null>",
                          columns=["data", "id"])
    assert sorted(f.getvalue().splitlines()) == [
        "<null>|3", "v1|1", "v2|2"]


def test_copy_to_no_write(conn, table):
    cur = conn.cursor()
    with pytest.raises(TypeError):
        cur.copy_to(object(), table)
    with pytest.raises(TypeError):
        cur.copy_to(io.StringIO("x").read, table)
    cur.execute("SELECT 1")


def test_copy_to_write_raises(conn, table):
    fill(conn, 10)

    class Boom(Exception):
        pass

    class BadFile:
        def write(self, data):
            raise Boom("full")

    cur = conn.cursor()
    with pytest.raises(Boom):
        cur.copy_to(BadFile(), table)
    # the copy was drained: the connection is usable right away
    cur.execute("SELECT count(*) FROM tcopy")
    assert cur.fetchone() == (11,)


def test_copy_to_missing_table(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.copy_to(io.StringIO(), "no_such_table")
    conn.rollback()
    cur.execute("SELECT 1")


# ---- copy_expert ----

def test_copy_expert_csv_in_out(conn, table):
    cur = conn.cursor()
    data = 'id,data,num\n1,"a,b",1\n2,"say ""hi""",\n'
    cur.copy_expert(
        "COPY tcopy FROM STDIN WITH (FORMAT csv, HEADER true)",
        io.StringIO(data))
    assert cur.rowcount == 2
    assert rows(conn) == [(1, "a,b", "1"), (2, 'say "hi"', None)]
    out = io.StringIO()
    cur.copy_expert(
        "COPY (SELECT * FROM tcopy ORDER BY id) TO STDOUT "
        "WITH (FORMAT csv, HEADER true)", out)
    assert out.getvalue() == data
    assert cur.rowcount == 2


def test_copy_expert_binary(conn, table):
    fill(conn, 50)
    cur = conn.cursor()
    out = io.BytesIO()
    cur.copy_expert("COPY tcopy TO STDOUT (FORMAT binary)", out)
    blob = out.getvalue()
    assert blob.startswith(b"PGCOPY\n\xff\r\n\x00")
    cur.execute("CREATE TEMP TABLE tcopy2 (LIKE tcopy)")
    cur.copy_expert("COPY tcopy2 FROM STDIN (FORMAT binary)",
                    io.BytesIO(blob), size=64)
    assert cur.rowcount == 51
    assert rows(conn, "tcopy2") == rows(conn, "tcopy")


def test_copy_expert_binary_to_text_file_is_refused_by_codec(conn, table):
    # binary data into a text file: decoding fails, COPY drained
    cur = conn.cursor()
    cur.execute("INSERT INTO tcopy VALUES (1, 'x', 1)")
    with pytest.raises(UnicodeDecodeError):
        cur.copy_expert("COPY tcopy TO STDOUT (FORMAT binary)",
                        io.StringIO())
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_copy_expert_composable(conn, table):
    cur = conn.cursor()
    q = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier("tcopy"), sql.SQL(", ").join(
            [sql.Identifier("id"), sql.Identifier("data")]))
    cur.copy_expert(q, io.StringIO("1\tx\n"))
    assert rows(conn) == [(1, "x", None)]
    out = io.StringIO()
    cur.copy_expert(
        sql.SQL("COPY {} TO STDOUT").format(sql.Identifier("tcopy")), out)
    assert out.getvalue() == "1\tx\t\\N\n"


def test_copy_expert_schema_table(conn, table):
    cur = conn.cursor()
    cur.execute("CREATE TABLE public.tcopy_pub (id int)")
    cur.copy_expert("COPY public.tcopy_pub FROM STDIN", io.StringIO("7\n"))
    cur.execute("SELECT id FROM public.tcopy_pub")
    assert cur.fetchall() == [(7,)]
    conn.rollback()


def test_copy_expert_size(conn, table):
    data = "".join("%d\tx\t1\n" % i for i in range(100))
    f = ReadCounter(data)
    conn.cursor().copy_expert("COPY tcopy FROM STDIN", f, size=37)
    assert set(f.sizes) == {37}


def test_copy_expert_bad_file(conn, table):
    cur = conn.cursor()
    with pytest.raises(TypeError):
        cur.copy_expert("COPY tcopy FROM STDIN", object())
    with pytest.raises(TypeError):
        cur.copy_expert("COPY tcopy TO STDOUT", None)
    cur.execute("SELECT 1")


def test_copy_expert_bad_sql_type(conn, table):
    with pytest.raises(TypeError):
        conn.cursor().copy_expert(42, io.StringIO())


def test_copy_expert_not_copy(conn, table):
    # a statement that is not a COPY just runs
    cur = conn.cursor()
    cur.copy_expert("SELECT 1", io.StringIO())
    assert cur.rowcount == 1


def test_copy_expert_syntax_error(conn, table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.SyntaxError):
        cur.copy_expert("COPY tcopy FROM STDIN WITH (FORMAT nope",
                        io.StringIO(""))
    conn.rollback()


def test_copy_expert_bad_csv_data(conn, table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.DataError):
        cur.copy_expert("COPY tcopy FROM STDIN (FORMAT csv)",
                        io.StringIO("1,a,notnum\n"))
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()
    cur.execute("SELECT 1")


def test_copy_expert_integrity_error(conn):
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE tpk (id int PRIMARY KEY)")
    with pytest.raises(psycopg2.IntegrityError) as exc:
        cur.copy_expert("COPY tpk FROM STDIN", io.StringIO("1\n1\n"))
    assert exc.value.pgcode == "23505"
    conn.rollback()


def test_copy_expert_read_raises(conn, table):
    class F:
        def read(self, size):
            raise ValueError("nope")

    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.QueryCanceled,
                       match="error in .read.. call: ValueError nope"):
        cur.copy_expert("COPY tcopy FROM STDIN", F())
    conn.rollback()
    cur.execute("SELECT count(*) FROM tcopy")
    assert cur.fetchone() == (0,)


def test_copy_expert_autocommit_error_recovers(conn, table):
    conn.autocommit = True
    cur = conn.cursor()
    with pytest.raises(psycopg2.DataError):
        cur.copy_expert("COPY tcopy FROM STDIN", io.StringIO("x\n"))
    # no transaction to roll back in autocommit
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


# ---- COPY through execute, closed cursors, async ----

def test_copy_via_execute_from(conn, table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("COPY tcopy FROM STDIN")
    conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_copy_via_execute_to(conn, table):
    fill(conn, 100)
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("COPY tcopy TO STDOUT")
    # the output was drained
    cur.execute("SELECT count(*) FROM tcopy")
    assert cur.fetchone() == (101,)


def test_copy_closed_cursor(conn, table):
    cur = conn.cursor()
    cur.close()
    with pytest.raises(psycopg2.InterfaceError):
        cur.copy_from(io.StringIO(""), table)
    with pytest.raises(psycopg2.InterfaceError):
        cur.copy_to(io.StringIO(), table)
    with pytest.raises(psycopg2.InterfaceError):
        cur.copy_expert("COPY tcopy TO STDOUT", io.StringIO())


def test_copy_closed_connection(conn_factory):
    c = conn_factory()
    cur = c.cursor()
    c.close()
    with pytest.raises(psycopg2.InterfaceError):
        cur.copy_expert("COPY x TO STDOUT", io.StringIO())


def test_copy_with_wait_callback(conn, table):
    ext.set_wait_callback(lambda c: None)
    try:
        with pytest.raises(psycopg2.ProgrammingError) as exc:
            conn.cursor().copy_from(io.StringIO(""), table)
        assert "copy_from cannot be used with an asynchronous callback" \
            in str(exc.value)
        with pytest.raises(psycopg2.ProgrammingError):
            conn.cursor().copy_to(io.StringIO(), table)
        with pytest.raises(psycopg2.ProgrammingError):
            conn.cursor().copy_expert("COPY tcopy TO STDOUT", io.StringIO())
    finally:
        ext.set_wait_callback(None)


def test_copy_keeps_notices(conn, table):
    cur = conn.cursor()
    cur.execute("""
        CREATE FUNCTION pg_temp.tnotice() RETURNS trigger AS $$
        BEGIN RAISE NOTICE 'row %', NEW.id; RETURN NEW; END
        $$ LANGUAGE plpgsql""")
    cur.execute("CREATE TRIGGER tn BEFORE INSERT ON tcopy "
                "FOR EACH ROW EXECUTE PROCEDURE pg_temp.tnotice()")
    del conn.notices[:]
    cur.copy_from(io.StringIO("1\ta\t1\n2\tb\t2\n"), table)
    assert [n.strip() for n in conn.notices] == [
        "NOTICE:  row 1", "NOTICE:  row 2"]


def test_copy_large_roundtrip(conn, table):
    n = 20000
    cur = conn.cursor()
    data = "".join("%d\t%s\t%d\n" % (i, "x" * 50, i) for i in range(n))
    cur.copy_from(io.StringIO(data), table, size=1000)
    assert cur.rowcount == n
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT * FROM tcopy ORDER BY id) TO STDOUT", out)
    assert out.getvalue() == data
    assert cur.rowcount == n


@pytest.mark.parametrize("method", ["copy_from", "copy_expert"])
@pytest.mark.parametrize("encoding", ["UTF8", "LATIN1"])
def test_copy_read_error_message_is_utf8(conn, table, method, encoding):
    # psycopg2 sends the message as UTF-8 whatever the client encoding
    class F:
        def read(self, size):
            raise ValueError("\u00e9t\u00e9")

    conn.set_client_encoding(encoding)
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.QueryCanceled) as exc:
        if method == "copy_from":
            cur.copy_from(F(), table)
        else:
            cur.copy_expert("COPY %s FROM STDIN" % table, F())
    sent = "error in .read() call: ValueError \u00e9t\u00e9"
    if encoding == "LATIN1":
        sent = sent.encode("utf-8").decode("latin-1")
    assert ("COPY from stdin failed: %s\n" % sent) in str(exc.value)
    conn.rollback()
    assert rows(conn) == []
