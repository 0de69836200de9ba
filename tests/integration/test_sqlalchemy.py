"""SQLAlchemy 2.x with the ``postgresql+psycopg2`` dialect on this module.

Runs in-process: the dialect registers its types (uuid, hstore) per
connection only. The tests get a database of their own.
"""
import datetime
import decimal
import uuid

import pytest

from .conftest import need

sa = need("sqlalchemy")

if int(sa.__version__.split(".")[0]) < 2:  # pragma: no cover
    pytest.skip("SQLAlchemy 2.x needed, found %s" % sa.__version__,
                allow_module_level=True)

from sqlalchemy import (  # noqa: E402
    BigInteger, Boolean, Column, Date, DateTime, Enum, Float, ForeignKey,
    Index, Integer, Interval, LargeBinary, MetaData, Numeric, String, Table,
    Text, UniqueConstraint, bindparam, create_engine, event, func, insert,
    inspect, select, text, update)
from sqlalchemy.dialects import postgresql as pg  # noqa: E402
from sqlalchemy.exc import DBAPIError, IntegrityError  # noqa: E402
from sqlalchemy.orm import (  # noqa: E402
    DeclarativeBase, Mapped, Session, mapped_column, relationship,
    selectinload)

DBNAME = "psycopg2_sqlalchemy_it"


@pytest.fixture(scope="module")
def url(scratch_db):
    from psycopg2.extensions import parse_dsn

    params = parse_dsn(scratch_db(DBNAME))
    # the DSN goes through query args; SQLAlchemy passes them to connect()
    u = sa.engine.URL.create(
        "postgresql+psycopg2", username=params.pop("user", None),
        password=params.pop("password", None), host=params.pop("host", None),
        port=int(params.pop("port")) if "port" in params else None,
        database=params.pop("dbname"), query=params)
    eng = create_engine(u)
    with eng.begin() as c:
        c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS hstore")
    eng.dispose()
    return u


@pytest.fixture
def engine(url):
    eng = create_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def metadata(engine):
    md = MetaData()
    yield md
    md.drop_all(engine)


def test_dialect_uses_this_module(engine):
    import psycopg2

    assert engine.dialect.driver == "psycopg2"
    assert engine.dialect.dbapi is psycopg2
    assert engine.dialect.psycopg2_version >= (2, 9)
    with engine.connect() as c:
        assert c.scalar(text("select 1 + :x"), {"x": 41}) == 42
        assert engine.dialect.server_version_info >= (9, 6)
        raw = c.connection.dbapi_connection
        assert type(raw).__module__.startswith("psycopg2")
        assert not raw.autocommit


def _all_types_table(md):
    mood = Enum("sad", "ok", "happy", name="mood")
    return Table(
        "all_types", md,
        Column("id", Integer, primary_key=True),
        Column("big", BigInteger),
        Column("name", String(50)),
        Column("body", Text),
        Column("amount", Numeric(10, 3)),
        Column("ratio", Float),
        Column("flag", Boolean),
        Column("day", Date),
        Column("at", DateTime(timezone=True)),
        Column("naive", DateTime),
        Column("span", Interval),
        Column("blob", LargeBinary),
        Column("uid", pg.UUID(as_uuid=True)),
        Column("doc", pg.JSONB),
        Column("doc_json", pg.JSON),
        Column("ints", pg.ARRAY(Integer)),
        Column("grid", pg.ARRAY(Text, dimensions=2)),
        Column("r_int", pg.INT4RANGE),
        Column("r_ts", pg.TSTZRANGE),
        Column("kv", pg.HSTORE),
        Column("mood", mood),
        Column("addr", pg.INET),
    )


def test_core_round_trip_all_types(engine, metadata):
    t = _all_types_table(metadata)
    metadata.create_all(engine)
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
    row = dict(
        id=1, big=2**62, name="it's", body="multi\nline \u20ac", amount=decimal.Decimal("-12.345"),
        ratio=0.25, flag=True, day=datetime.date(2024, 2, 29), at=at,
        naive=datetime.datetime(2000, 1, 1, 0, 0, 0, 1),
        span=datetime.timedelta(days=3, seconds=7, microseconds=9),
        blob=b"\x00\xffbin", uid=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        doc={"a": [1, 2, {"b": None}], "c": "d"}, doc_json=[1, "x"],
        ints=[1, None, 3], grid=[["a", "b"], ["c", "it's"]],
        r_int=pg.Range(1, 10), r_ts=pg.Range(at, None, bounds="[)"),
        kv={"k": "v", "n": None}, mood="happy", addr="192.168.0.1/24",
    )
    with engine.begin() as c:
        c.execute(t.insert(), row)
        c.execute(t.insert(), {"id": 2})
    with engine.connect() as c:
        got = c.execute(select(t).where(t.c.id == 1)).mappings().one()
        empty = c.execute(select(t).where(t.c.id == 2)).mappings().one()
    for k, v in row.items():
        if k in ("r_int", "r_ts"):
            continue
        assert got[k] == v, k
    assert got["r_int"] == pg.Range(1, 10, bounds="[)")
    assert got["r_ts"].lower == at and got["r_ts"].upper is None
    assert all(v is None for k, v in empty.items() if k != "id")

    with engine.connect() as c:
        # server-side operators on the types
        assert c.scalar(select(t.c.doc["a"][2]["b"].astext.is_(None)).where(t.c.id == 1))
        assert c.scalar(select(t.c.id).where(t.c.doc.contains({"c": "d"}))) == 1
        assert c.scalar(select(t.c.id).where(sa.literal(3) == sa.any_(t.c.ints))) == 1
        assert c.scalar(select(t.c.id).where(t.c.r_int.contains(5))) == 1
        assert c.scalar(select(t.c.id).where(t.c.kv.has_key("k"))) == 1  # noqa: W601
        assert c.scalar(select(t.c.kv["k"]).where(t.c.id == 1)) == "v"
        assert c.scalar(select(func.array_length(t.c.ints, 1))) == 3


@pytest.mark.parametrize("mode", ["values_only", "values_plus_batch"])
def test_executemany_modes(url, mode):
    eng = create_engine(url, executemany_mode=mode, insertmanyvalues_page_size=100,
                        executemany_batch_page_size=50)
    md = MetaData()
    t = Table("many_%s" % mode, md,
              Column("id", Integer, primary_key=True),
              Column("v", String(20)), Column("n", Integer))
    statements = []

    @event.listens_for(eng, "before_cursor_execute")
    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, executemany))

    try:
        md.create_all(eng)
        with eng.begin() as c:
            c.execute(t.insert(), [{"v": "v%d" % i, "n": i} for i in range(1000)])
            ids = c.execute(t.insert().returning(t.c.id, t.c.v, sort_by_parameter_order=True),
                            [{"v": "r%d" % i, "n": -i} for i in range(250)]).all()
            assert [v for _, v in ids] == ["r%d" % i for i in range(250)]
            assert len({i for i, _ in ids}) == 250
            res = c.execute(update(t).where(t.c.v == bindparam("key")).values(n=bindparam("nn")),
                            [{"key": "v%d" % i, "nn": i * 10} for i in range(300)])
            if mode == "values_only":
                assert res.rowcount == 300
            assert c.scalar(select(func.count()).where(t.c.n >= 0, t.c.n == t.c.id * 10 - 10)) \
                == 300
            assert c.scalar(select(func.count()).select_from(t)) == 1250
        inserts = [s for s in statements if s[0].startswith("INSERT")]
        # insertmanyvalues: one multi-row INSERT per page, not one per row
        assert len(inserts) < 30, len(inserts)
        updates = [s for s in statements if s[0].startswith("UPDATE")]
        assert len(updates) == 1 and updates[0][1] is True
    finally:
        md.drop_all(eng)
        eng.dispose()


def test_stream_results_uses_named_cursor(engine, metadata):
    t = Table("stream", metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(t.insert(), [{"id": i} for i in range(5000)])
    with engine.connect() as c:
        res = c.execution_options(stream_results=True, max_row_buffer=200) \
               .execute(select(t.c.id).order_by(t.c.id))
        first = res.fetchmany(10)
        assert [r.id for r in first] == list(range(10))
        raw = res.cursor
        assert raw.name is not None
        # the DECLAREd cursor is open on the server
        declared = c.exec_driver_sql(
            "SELECT statement FROM pg_cursors WHERE name = %(n)s", {"n": raw.name}).scalar()
        assert declared.startswith("DECLARE")
        assert sum(1 for _ in res) == 4990
        # yield_per partitions
        total = 0
        for part in c.execution_options(yield_per=1000).execute(select(t.c.id)).partitions():
            assert len(part) <= 1000
            total += len(part)
        assert total == 5000


def test_server_side_cursors_engine_flag(url, metadata):
    with pytest.warns(sa.exc.SADeprecationWarning):
        eng = create_engine(url, server_side_cursors=True)
    try:
        with eng.connect() as c:
            res = c.execute(text("SELECT generate_series(1, 3000) AS n"))
            assert res.cursor.name is not None
            assert [r.n for r in res][-1] == 3000
    finally:
        eng.dispose()


def test_transactions_savepoints_isolation(engine, metadata):
    t = Table("tx", metadata, Column("id", Integer, primary_key=True),
              Column("v", String(10), unique=True))
    metadata.create_all(engine)
    with engine.connect() as c:
        with c.begin():
            c.execute(t.insert(), {"id": 1, "v": "a"})
            sp = c.begin_nested()
            c.execute(t.insert(), {"id": 2, "v": "b"})
            sp.rollback()
            with pytest.raises(IntegrityError) as ei:
                with c.begin_nested():
                    c.execute(t.insert(), {"id": 3, "v": "a"})
            assert ei.value.orig.pgcode == "23505"
            assert type(ei.value.orig).__name__ == "UniqueViolation"
            c.execute(t.insert(), {"id": 4, "v": "d"})
        assert c.execute(select(t.c.id).order_by(t.c.id)).scalars().all() == [1, 4]
        c.rollback()

        for level in ("SERIALIZABLE", "REPEATABLE READ", "READ COMMITTED", "AUTOCOMMIT"):
            cc = c.execution_options(isolation_level=level)
            got = cc.exec_driver_sql("SHOW transaction_isolation").scalar()
            if level != "AUTOCOMMIT":
                assert got == level.lower()
            else:
                assert cc.connection.dbapi_connection.autocommit
            c.rollback()
        assert c.get_isolation_level() == "READ COMMITTED"


def _terminate(url, pid):
    killer = create_engine(url, poolclass=sa.pool.NullPool)
    with killer.connect() as k:
        assert k.exec_driver_sql("SELECT pg_terminate_backend(%d)" % pid).scalar()
    killer.dispose()


def test_disconnect_is_detected_and_pool_recovers(url, engine):
    with engine.connect() as c:
        pid = c.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        _terminate(url, pid)
        with pytest.raises(DBAPIError) as ei:
            c.exec_driver_sql("SELECT 1")
        # the dialect recognised the message as a disconnection
        assert ei.value.connection_invalidated
        assert isinstance(ei.value.orig, psycopg2_mod().OperationalError)
    with engine.connect() as c:  # the pool made a new connection
        assert c.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


def psycopg2_mod():
    import psycopg2

    return psycopg2


def test_pre_ping(url):
    eng = create_engine(url, pool_pre_ping=True, pool_size=1)
    try:
        with eng.connect() as c:
            pid = c.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with eng.connect() as c:
            assert c.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid
        _terminate(url, pid)
        with eng.connect() as c:  # pre-ping noticed, reconnected silently
            assert c.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        eng.dispose()


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "orm_author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author",
                                               cascade="all, delete-orphan")


class Book(Base):
    __tablename__ = "orm_book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("orm_author.id"), index=True)
    price: Mapped[decimal.Decimal] = mapped_column(Numeric(8, 2))
    tags: Mapped[list[str]] = mapped_column(pg.ARRAY(Text), default=list)
    meta: Mapped[dict] = mapped_column(pg.JSONB, default=dict)
    uid: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    created: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    author: Mapped[Author] = relationship(back_populates="books")


@pytest.fixture
def orm(engine):
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)


def test_orm_round_trip(orm):
    with Session(orm) as s, s.begin():
        a = Author(name="Calvino", books=[
            Book(title="Le città invisibili", price=decimal.Decimal("11.00"),
                 tags=["novel"], meta={"year": 1972}),
            Book(title="Palomar", price=decimal.Decimal("9.50")),
        ])
        s.add(a)
    with Session(orm) as s:
        a = s.scalars(select(Author).options(selectinload(Author.books))).one()
        titles = sorted(b.title for b in a.books)
        assert titles == ["Le città invisibili", "Palomar"]
        b = s.scalars(select(Book).where(Book.meta["year"].as_integer() == 1972)).one()
        assert b.tags == ["novel"] and isinstance(b.uid, uuid.UUID)
        assert b.created.tzinfo is not None
        b.meta = dict(b.meta, year=1973)
        b.tags = b.tags + ["classic"]
        s.commit()
        assert s.get(Book, b.id).meta == {"year": 1973}
        total = s.scalar(select(func.sum(Book.price)))
        assert total == decimal.Decimal("20.50")
        # savepoint inside the session
        with pytest.raises(IntegrityError):
            with s.begin_nested():
                s.add(Author(name="Calvino"))
        assert s.scalar(select(func.count()).select_from(Author)) == 1
        s.delete(a)
        s.commit()
        assert s.scalar(select(func.count()).select_from(Book)) == 0


def test_orm_bulk_insert_and_upsert(orm):
    with Session(orm) as s:
        s.execute(insert(Author), [{"name": "a%d" % i} for i in range(500)])
        ids = s.scalars(insert(Author).returning(Author.id),
                        [{"name": "b%d" % i} for i in range(10)]).all()
        assert len(ids) == 10
        stmt = pg.insert(Author).values(name="a1")
        stmt = stmt.on_conflict_do_update(index_elements=[Author.name],
                                          set_={"name": stmt.excluded.name + "!"})
        s.execute(stmt)
        s.execute(pg.insert(Author).values(name="a2").on_conflict_do_nothing())
        s.commit()
        assert s.scalar(select(func.count()).select_from(Author)) == 510
        assert s.scalar(select(Author.id).where(Author.name == "a1!")) is not None


def test_reflection(engine, metadata):
    parent = Table("refl_parent", metadata,
                   Column("id", Integer, primary_key=True),
                   Column("code", String(10), nullable=False),
                   UniqueConstraint("code", name="refl_parent_code_uq"))
    Table("refl_child", metadata,
          Column("id", BigInteger, primary_key=True),
          Column("parent_id", Integer, ForeignKey(parent.c.id, ondelete="CASCADE")),
          Column("doc", pg.JSONB, server_default=text("'{}'::jsonb")),
          Column("vals", pg.ARRAY(Numeric(6, 2))),
          Column("mood", Enum("x", "y", name="refl_mood")),
          Index("refl_child_doc_gin", "doc", postgresql_using="gin"),
          Index("refl_child_parent_idx", "parent_id", unique=False),
          comment="child table")
    metadata.create_all(engine)
    with engine.connect() as c:
        c.exec_driver_sql("CREATE VIEW refl_view AS SELECT id FROM refl_parent")
        c.commit()
    try:
        insp = inspect(engine)
        assert {"refl_parent", "refl_child"} <= set(insp.get_table_names())
        assert "refl_view" in insp.get_view_names()
        cols = {col["name"]: col for col in insp.get_columns("refl_child")}
        assert isinstance(cols["id"]["type"], BigInteger)
        assert isinstance(cols["doc"]["type"], pg.JSONB)
        assert "'{}'::jsonb" in cols["doc"]["default"]
        assert isinstance(cols["vals"]["type"], pg.ARRAY)
        assert cols["vals"]["type"].item_type.precision == 6
        assert cols["mood"]["type"].enums == ["x", "y"]
        fks = insp.get_foreign_keys("refl_child")
        assert fks[0]["referred_table"] == "refl_parent"
        assert fks[0]["options"]["ondelete"] == "CASCADE"
        idx = {i["name"]: i for i in insp.get_indexes("refl_child")}
        assert idx["refl_child_doc_gin"]["dialect_options"]["postgresql_using"] == "gin"
        assert idx["refl_child_parent_idx"]["column_names"] == ["parent_id"]
        assert insp.get_pk_constraint("refl_parent")["constrained_columns"] == ["id"]
        uqs = insp.get_unique_constraints("refl_parent")
        assert uqs[0]["name"] == "refl_parent_code_uq"
        assert insp.get_table_comment("refl_child")["text"] == "child table"
        assert any(e["name"] == "refl_mood" for e in insp.get_enums())
        md2 = MetaData()
        md2.reflect(engine, only=["refl_parent", "refl_child"])
        assert md2.tables["refl_child"].c.parent_id.references(md2.tables["refl_parent"].c.id)
    finally:
        with engine.connect() as c:
            c.exec_driver_sql("DROP VIEW refl_view")
            c.commit()


def test_pandas_read_sql_to_sql(engine):
    pd = need("pandas")
    df = pd.DataFrame({
        "id": range(1, 301),
        "name": ["n%d" % i for i in range(300)],
        "value": [i / 8 for i in range(300)],
        "flag": [i % 2 == 0 for i in range(300)],
        "ts": pd.date_range("2024-01-01", periods=300, freq="h", tz="UTC"),
    })
    try:
        n = df.to_sql("pd_frame", engine, index=False, if_exists="replace")
        assert n in (300, None, -1)
        df.iloc[:50].to_sql("pd_frame", engine, index=False, if_exists="append",
                            method="multi", chunksize=20)
        got = pd.read_sql("SELECT * FROM pd_frame WHERE id <= %(top)s ORDER BY id",
                          engine, params={"top": 10})
        assert len(got) == 20
        assert list(got.columns) == ["id", "name", "value", "flag", "ts"]
        assert got["value"].sum() == 2 * df["value"][:10].sum()
        assert got["flag"].dtype == bool
        assert str(got["ts"].dt.tz) == "UTC" and got["ts"].iloc[-1] == df["ts"].iloc[9]
        with engine.connect() as c:
            parts = list(pd.read_sql_query(text("SELECT * FROM pd_frame ORDER BY id"),
                                           c, chunksize=100))
        assert [len(p) for p in parts] == [100, 100, 100, 50]
        t = pd.read_sql_table("pd_frame", engine)
        assert len(t) == 350
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("DROP TABLE IF EXISTS pd_frame")
