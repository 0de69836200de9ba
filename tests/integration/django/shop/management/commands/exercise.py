"""``manage.py exercise [NAME...]``: run the integration scenarios.

Each scenario is a function below that raises on a wrong result. The command
prints one JSON object mapping each scenario name to ``"ok"`` or to the
traceback of its failure, so the test suite can report them one by one.
Every scenario leaves the database as it found it.
"""
import datetime
import decimal
import json
import threading
import traceback
import uuid

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.management.base import BaseCommand
from django.db import (
    DatabaseError, IntegrityError, OperationalError, connection, connections,
    transaction)
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Lower

import psycopg2
from psycopg2.extras import DateTimeTZRange, NumericRange

from shop.models import Author, Book

SCENARIOS = {}


def scenario(func):
    SCENARIOS[func.__name__] = func
    return func


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def _book(author, title="A book", **kwargs):
    kwargs.setdefault("price", decimal.Decimal("10.00"))
    return Book.objects.create(author=author, title=title, **kwargs)


class Rollback(Exception):
    """Raised at the end of a scenario to undo what it wrote."""


def undo(func):
    """Run the scenario inside atomic() and roll it back at the end."""
    def wrapper():
        try:
            with transaction.atomic():
                func()
                raise Rollback
        except Rollback:
            pass
    wrapper.__name__ = func.__name__
    return wrapper


@scenario
def backend():
    import django.db.backends.postgresql.base as base

    check(base.Database is psycopg2, "backend uses %r" % base.Database)
    check(not getattr(base, "is_psycopg3", False), "psycopg 3 in use")
    with connection.cursor() as cur:
        cur.execute("SELECT current_database(), %s::int + 1", [41])
        db, n = cur.fetchone()
    check(n == 42, n)
    check(db == connection.settings_dict["NAME"], db)
    check(connection.pg_version >= 90600, connection.pg_version)
    check(connection.connection.autocommit, "Django runs in autocommit")
    check(connection.is_usable(), "is_usable")


@scenario
def migrated():
    names = list(Author.objects.order_by("name").values_list("name", flat=True))
    check(names == ["Italo Calvino", "Umberto Eco"], names)
    with connection.cursor() as cur:
        cur.execute("SELECT extname FROM pg_extension WHERE extname = 'hstore'")
        check(cur.fetchone() == ("hstore",), "hstore extension")
        tables = connection.introspection.table_names(cur)
    check({"shop_author", "shop_book"} <= set(tables), tables)


@scenario
@undo
def crud():
    a = Author.objects.create(name="Primo Levi", born=datetime.date(1919, 7, 31))
    check(a.pk is not None, "pk set by RETURNING")
    pub = datetime.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.timezone.utc)
    b = _book(a, "La tregua", price=decimal.Decimal("12.50"), stock=3,
              published=pub, cover=b"\x00\x01\xff")
    b2 = Book.objects.get(pk=b.pk)
    check(b2.title == "La tregua", b2.title)
    check(b2.price == decimal.Decimal("12.50") and isinstance(b2.price, decimal.Decimal), b2.price)
    check(b2.published == pub, b2.published)
    check(b2.published.utcoffset() == datetime.timedelta(0), b2.published.tzinfo)
    check(isinstance(b2.uid, uuid.UUID) and b2.uid == b.uid, b2.uid)
    check(bytes(b2.cover) == b"\x00\x01\xff", b2.cover)
    check(b2.author.born == datetime.date(1919, 7, 31), b2.author.born)

    n = Book.objects.filter(pk=b.pk).update(stock=F("stock") + 2)
    check(n == 1, n)
    check(Book.objects.get(pk=b.pk).stock == 5, "F() update")
    b2.title = "La tregua (2nd ed.)"
    b2.save(update_fields=["title"])
    check(Book.objects.filter(title__icontains="2ND").count() == 1, "icontains")
    check(Book.objects.filter(title__regex=r"^La t.*\)$").exists(), "regex")

    _book(a, "Se questo è un uomo", price=decimal.Decimal("9.99"), stock=1)
    agg = Book.objects.filter(author=a).aggregate(total=Sum("stock"), n=Count("id"))
    check(agg == {"total": 6, "n": 2}, agg)
    titles = list(Book.objects.filter(author__name="Primo Levi")
                  .order_by(Lower("title")).values_list("title", flat=True))
    check(titles == ["La tregua (2nd ed.)", "Se questo è un uomo"], titles)
    check(Book.objects.filter(Q(stock__gt=4) | Q(price__lt=10)).count() == 2, "Q")
    deleted, per_model = a.delete()
    check(deleted == 3 and per_model["shop.Book"] == 2, per_model)
    check(not Book.objects.filter(title__startswith="La tregua").exists(), "cascade")


@scenario
def atomic_savepoints():
    a = Author.objects.create(name="Savepoint author")
    try:
        with transaction.atomic():
            _book(a, "outer")
            try:
                with transaction.atomic():
                    _book(a, "inner")
                    raise ValueError("undo the inner block")
            except ValueError:
                pass
            with transaction.atomic():
                _book(a, "inner kept")
            sid = transaction.savepoint()
            _book(a, "to be rolled back")
            transaction.savepoint_rollback(sid)
            check(connection.in_atomic_block, "in atomic block")
        titles = sorted(a.books.values_list("title", flat=True))
        check(titles == ["inner kept", "outer"], titles)

        # the outer block rolls back everything
        try:
            with transaction.atomic():
                _book(a, "never")
                raise ValueError
        except ValueError:
            pass
        check(not a.books.filter(title="never").exists(), "outer rollback")

        # a database error inside a savepoint leaves the outer block usable
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Author.objects.create(name="Savepoint author")
            except IntegrityError as ex:
                cause = ex.__cause__
                check(isinstance(cause, psycopg2.errors.UniqueViolation), repr(cause))
                check(cause.pgcode == "23505", cause.pgcode)
                check(cause.diag.constraint_name == "shop_author_name_key",
                      cause.diag.constraint_name)
            else:
                raise AssertionError("no IntegrityError")
            check(Author.objects.filter(name="Savepoint author").count() == 1, "usable")

        # on_commit runs after the outermost commit only
        ran = []
        with transaction.atomic():
            transaction.on_commit(lambda: ran.append(1))
            with transaction.atomic():
                transaction.on_commit(lambda: ran.append(2))
            check(ran == [], ran)
        check(ran == [1, 2], ran)

        # a non-atomic error does not poison the autocommit connection
        try:
            Author.objects.create(name="Savepoint author")
        except IntegrityError:
            pass
        check(Author.objects.filter(name="Savepoint author").exists(), "after error")
        check(connection.connection.get_transaction_status() ==
              psycopg2.extensions.TRANSACTION_STATUS_IDLE, "idle")
    finally:
        a.delete()


@scenario
@undo
def json_field():
    a = Author.objects.create(name="JSON")
    meta = {"isbn": "88-06", "ratings": [5, 4, 3], "extra": {"hard": True, "n": None},
            "price": 1.5, "text": "caffè \u2603 \"quoted\""}
    b = _book(a, "json", meta=meta)
    check(Book.objects.get(pk=b.pk).meta == meta, "round trip")
    q = Book.objects.filter(author=a)
    check(q.filter(meta__isbn="88-06").count() == 1, "key lookup")
    check(q.filter(meta__extra__hard=True).count() == 1, "nested key")
    check(q.filter(meta__ratings__1=4).count() == 1, "index")
    check(q.filter(meta__has_key="price").count() == 1, "has_key")
    check(q.filter(meta__contains={"extra": {"hard": True}}).count() == 1, "contains")
    check(q.filter(meta__ratings__contains=[5]).count() == 1, "array contains")
    check(q.filter(meta__extra__n__isnull=False).count() == 1, "json null is not SQL NULL")
    check(list(q.values_list("meta__text", flat=True)) == [meta["text"]], "values_list")
    _book(a, "json list", meta=[1, "two", None])
    check(Book.objects.get(title="json list").meta == [1, "two", None], "top-level list")


@scenario
@undo
def array_field():
    a = Author.objects.create(name="Arrays")
    _book(a, "t1", tags=["red", "green"])
    _book(a, "t2", tags=["blue", "green", "it's"])
    _book(a, "t3", tags=[])
    q = Book.objects.filter(author=a)
    check(q.get(title="t2").tags == ["blue", "green", "it's"], "round trip")
    check(q.get(title="t3").tags == [], "empty")
    check(q.filter(tags__contains=["green"]).count() == 2, "contains")
    check(q.filter(tags__contained_by=["red", "green", "x"]).count() == 2, "contained_by")
    check(q.filter(tags__overlap=["red", "blue"]).count() == 2, "overlap")
    check(q.filter(tags__len=3).count() == 1, "len")
    check(q.filter(tags__0="blue").count() == 1, "index")
    check(list(q.filter(tags__0_1=["red"]).values_list("title", flat=True)) == ["t1"], "slice")
    check(q.filter(tags__contains=["it's"]).count() == 1, "quote in item")


@scenario
@undo
def hstore_field():
    a = Author.objects.create(name="Hstore")
    _book(a, "h1", attrs={"colour": "red", "size": "L", "note": None})
    _book(a, "h2", attrs={"colour": "blue", "odd key": "a=>b, \"c\""})
    q = Book.objects.filter(author=a)
    check(q.get(title="h1").attrs == {"colour": "red", "size": "L", "note": None}, "round trip")
    check(q.get(title="h2").attrs["odd key"] == "a=>b, \"c\"", "escaping")
    check(q.filter(attrs__colour="blue").count() == 1, "key")
    check(q.filter(attrs__has_key="size").count() == 1, "has_key")
    check(q.filter(attrs__has_any_keys=["size", "odd key"]).count() == 2, "has_any_keys")
    check(q.filter(attrs__contains={"colour": "red"}).count() == 1, "contains")
    check(sorted(q.get(title="h1").attrs.keys()) == ["colour", "note", "size"], "keys")
    check(sorted(q.values_list("attrs__colour", flat=True)) == ["blue", "red"], "values")


@scenario
@undo
def range_fields():
    a = Author.objects.create(name="Ranges")
    utc = datetime.timezone.utc
    t0 = datetime.datetime(2024, 1, 1, tzinfo=utc)
    t1 = datetime.datetime(2024, 2, 1, tzinfo=utc)
    _book(a, "r1", pages=NumericRange(1, 100), on_sale=DateTimeTZRange(t0, t1))
    _book(a, "r2", pages=NumericRange(50, None), on_sale=DateTimeTZRange(t1, None, "[]"))
    _book(a, "r3", pages=NumericRange(empty=True))
    q = Book.objects.filter(author=a)
    r1 = q.get(title="r1")
    check(r1.pages == NumericRange(1, 100, "[)"), r1.pages)
    check(r1.on_sale.lower == t0 and r1.on_sale.upper == t1, r1.on_sale)
    check(q.get(title="r2").pages.upper_inf, "unbounded")
    check(q.get(title="r3").pages.isempty, "empty")
    check(q.filter(pages__contains=75).count() == 2, "contains int")
    check(q.filter(pages__overlap=NumericRange(200, 300)).count() == 1, "overlap")
    check(q.filter(pages__fully_lt=NumericRange(100, 200)).count() == 1, "fully_lt")
    check(q.filter(on_sale__contains=datetime.datetime(2024, 1, 15, tzinfo=utc)).count() == 1,
          "contains timestamp")
    check(q.filter(pages__startswith=50).count() == 1, "lower bound")


@scenario
@undo
def full_text_search():
    a = Author.objects.create(name="FTS")
    _book(a, "Cats", body="The quick brown fox jumps over the lazy dog")
    _book(a, "Dogs", body="Dogs are running in the park with other dogs")
    _book(a, "Fish", body="Fish swim")
    q = Book.objects.filter(author=a)
    found = q.annotate(sv=SearchVector("title", "body", config="english")) \
             .filter(sv=SearchQuery("run & dog", config="english"))
    check([b.title for b in found] == ["Dogs"], found)
    check(q.filter(body__search="jumping").count() == 1, "__search")
    q.update(search=SearchVector("title", weight="A", config="english")
             + SearchVector("body", weight="B", config="english"))
    query = SearchQuery("dog", config="english")
    ranked = list(q.filter(search=query)
                  .annotate(rank=SearchRank(F("search"), query))
                  .order_by("-rank").values_list("title", "rank"))
    check([t for t, r in ranked] == ["Dogs", "Cats"], ranked)
    check(all(isinstance(r, float) for t, r in ranked), ranked)
    check(q.filter(search=SearchQuery("'quick fox'", search_type="phrase", config="english"))
          .count() == 0, "phrase")
    check(q.filter(search=SearchQuery("quick brown", search_type="phrase",
                                      config="english")).count() == 1, "phrase")
    check(q.filter(search=SearchQuery("fish OR nothing", search_type="websearch",
                                      config="english")).count() == 1, "websearch")


@scenario
@undo
def bulk_operations():
    a = Author.objects.create(name="Bulk")
    books = [Book(author=a, title="bulk %04d" % i, price=decimal.Decimal(i) / 4,
                  stock=i, tags=["n%d" % (i % 3)], meta={"i": i})
             for i in range(1000)]
    made = Book.objects.bulk_create(books, batch_size=300)
    check(len(made) == 1000 and all(b.pk for b in made), "pks returned")
    check(a.books.count() == 1000, "count")
    check(a.books.aggregate(s=Sum("stock"))["s"] == sum(range(1000)), "sum")
    for b in made[:100]:
        b.stock = -b.stock
    Book.objects.bulk_update(made[:100], ["stock"], batch_size=40)
    check(a.books.filter(stock__lt=0).count() == 99, "bulk_update")
    # upsert (ON CONFLICT DO UPDATE) on the unique uid
    upd = [Book(uid=made[0].uid, author=a, title="upserted", price=1),
           Book(author=a, title="new one", price=2)]
    Book.objects.bulk_create(upd, update_conflicts=True, unique_fields=["uid"],
                             update_fields=["title"])
    check(a.books.filter(title="upserted").count() == 1, "upsert")
    check(a.books.count() == 1001, "upsert count")
    Author.objects.bulk_create([Author(name="Bulk")], ignore_conflicts=True)
    check(list(a.books.filter(title__in=["bulk 0005", "bulk 0999"])
               .order_by("title").values_list("stock", flat=True)) == [-5, 999], "in")
    # iterator(): a server-side cursor in chunks
    seen = sum(1 for _ in a.books.order_by("id").iterator(chunk_size=128))
    check(seen == 1001, seen)
    deleted, _ = a.books.filter(stock__gte=500).delete()
    check(deleted == 500, deleted)


@scenario
def server_side_iterator_autocommit():
    # outside atomic(): Django declares the cursor WITH HOLD
    a = Author.objects.create(name="Iter")
    try:
        Book.objects.bulk_create([Book(author=a, title="i%d" % i, price=1)
                                  for i in range(300)])
        it = a.books.order_by("id").values_list("title", flat=True).iterator(chunk_size=50)
        first = [next(it) for _ in range(3)]
        check(first == ["i0", "i1", "i2"], first)
        check(sum(1 for _ in it) == 297, "rest")
    finally:
        a.delete()


@scenario
def select_for_update():
    a = Author.objects.create(name="Locked")
    try:
        results = {}

        def other():
            try:
                with transaction.atomic():
                    Author.objects.select_for_update(nowait=True).get(pk=a.pk)
                results["nowait"] = "got it"
            except OperationalError as ex:
                results["nowait"] = type(ex.__cause__).__name__
            try:
                with transaction.atomic():
                    results["skip"] = list(Author.objects.select_for_update(skip_locked=True)
                                           .filter(name="Locked"))
            finally:
                connections.close_all()

        with transaction.atomic():
            locked = Author.objects.select_for_update().get(pk=a.pk)
            locked.born = datetime.date(2000, 1, 1)
            locked.save()
            t = threading.Thread(target=other)
            t.start()
            t.join(30)
        check(results.get("nowait") == "LockNotAvailable", results)
        check(results.get("skip") == [], results)
        check(Author.objects.get(pk=a.pk).born == datetime.date(2000, 1, 1), "saved")
        with transaction.atomic():
            list(Book.objects.select_for_update(of=("self",)).select_related("author")
                 .filter(author=a))
    finally:
        a.delete()


@scenario
def raw_sql():
    with connection.cursor() as cur:
        cur.execute("SELECT %s, %s, %s, %s", ["it's", None, [1, 2], decimal.Decimal("1.10")])
        check(cur.fetchone() == ("it's", None, [1, 2], decimal.Decimal("1.10")), "params")
        cur.execute("SELECT 100 %% 7, %s", ["%s"])
        check(cur.fetchone() == (2, "%s"), "percent")
        last = connection.ops.last_executed_query(cur, "SELECT %s", ["x"])
        check("SELECT 100 % 7, '%s'" == last, last)
        cur.execute("SELECT now()")
        now = cur.fetchone()[0]
        check(now.tzinfo is not None and now.utcoffset() == datetime.timedelta(0), now)
    a = Author.objects.raw("SELECT * FROM shop_author WHERE name = %s", ["Umberto Eco"])[0]
    check(a.born == datetime.date(1932, 1, 5), a.born)
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1/0")
    except DatabaseError as ex:
        check(isinstance(ex.__cause__, psycopg2.errors.DivisionByZero), repr(ex.__cause__))
    else:
        raise AssertionError("no error")


@scenario
def reconnect():
    pid = connection.connection.get_backend_pid()
    connection.close()
    check(connection.connection is None, "closed")
    check(Author.objects.count() >= 2, "reconnects on use")
    check(connection.connection.get_backend_pid() != pid, "new backend")
    with connection.cursor() as cur:
        cur.execute("SHOW TimeZone")
        check(cur.fetchone()[0] == "UTC", "Django sets UTC on the session")


@scenario
def timezone_and_dates():
    a = Author.objects.create(name="Dates")
    try:
        rome = datetime.timezone(datetime.timedelta(hours=2))
        when = datetime.datetime(2024, 6, 1, 12, 30, tzinfo=rome)
        b = _book(a, "dated", published=when)
        got = Book.objects.get(pk=b.pk).published
        check(got == when, got)
        check(Book.objects.filter(published__year=2024, published__month=6).count() == 1, "year")
        check(Book.objects.filter(published__date=datetime.date(2024, 6, 1)).count() == 1, "date")
        from django.db.models.functions import TruncDay
        day = Book.objects.filter(pk=b.pk).annotate(d=TruncDay("published")) \
                  .values_list("d", flat=True)[0]
        check(day.isoformat() == "2024-06-01T00:00:00+02:00", day.isoformat())
    finally:
        a.delete()


class Command(BaseCommand):
    help = "Run the integration scenarios and print a JSON report."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*")

    def handle(self, *args, names=(), **options):
        report = {}
        for name in names or SCENARIOS:
            try:
                SCENARIOS[name]()
                report[name] = "ok"
            except Exception:
                report[name] = traceback.format_exc()
            if connection.in_atomic_block:  # a scenario left a block open
                report[name] = "left an atomic block open"
        self.stdout.write(json.dumps(report))
