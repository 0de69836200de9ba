"""Re-entrancy stress: Python code called from the C core changes the state
the core is using.

Every hook point where the C code calls back into Python (a text caster,
an array element caster, an adapter's ``__conform__``/``getquoted``,
``tzinfo_factory``, a row factory, a notice handler (``conn.notices`` as a
custom list), the wait callback, a COPY file's ``read``/``write``, and
``__del__`` run by the garbage collector with ``gc.set_threshold(1)``,
and the same ``__del__`` while: ``executemany`` builds its pipeline
(``h_batch``, with adapters whose ``getquoted`` acts), a big result (100k
values: the compact store, released as ``fetchall`` builds the rows) is
fetched (``h_big``), a server error is built (``h_error``)) runs random
actions from one menu: close the cursor, close the connection, re-execute,
scroll, fetch all, change the client encoding, commit, re-``__init__`` the
cursor, drop references, swap ``tzinfo_factory``, register adapters that
run Python code for ``int`` and ``str``, change the ``decimal`` context,
swap ``sys.modules['decimal']``, mutate the parameter list being sent,
raise... A second thread runs the same menu on the shared connection,
woken from the hooks (threading events, no sleeps).

Any outcome is fine (a value, or any Python exception) except a crash, a
sanitizer report, a hang, or a wrong value: every row the query makes is
self-checking, so a row that comes back is verified.

Each seed runs in its own subprocess under a watchdog timeout; a failure
names the seed, and ``PSYCOPG_STRESS_SEED=N`` replays just that one (the
child also runs alone: ``python tests/test_reentrancy_stress.py SEED
STEPS``). ``PSYCOPG_STRESS_ITERATIONS`` sets how many seeds run (default
6; ``make fuzz`` runs 60), ``PSYCOPG_STRESS_HOOKS`` which hook points
(``all``, or a comma list; the default leaves out ``KNOWN_UNSAFE``),
``PSYCOPG_STRESS_WATCHDOG`` the seconds one seed may take.
"""

import _pydecimal
import datetime
import decimal
import gc
import io
import os
import random
import subprocess
import sys
import threading

DECIMAL = decimal
STEPS = 40              # scenarios per seed
WATCHDOG = int(os.environ.get("PSYCOPG_STRESS_WATCHDOG", "240"))  # s per seed

ENCODINGS = ["UTF8", "LATIN1", "LATIN9", "WIN1252"]  # all can spell 'é'
TZ = datetime.timezone(datetime.timedelta(hours=2))
BASE = datetime.datetime(2020, 1, 1, tzinfo=TZ)

QUERY = ("select i, 'vé' || i, array['é' || i, 'x'], "
         "timestamptz '2020-01-01 00:00+02' + i * interval '1 hour', "
         "i::numeric / 4 "
         "from generate_series(1, %s) i")
# 20000 rows x 5 columns of immutable builtin types: >= 100k values, so the
# result is kept in the compact store and fetchall() releases it as it
# builds the rows (result.c); equal dates are shared within the column
BIG_ROWS = 20000
BIG_QUERY = ("select i, 'vé' || i, date '2020-01-01' + i %% 7, "
             "i::numeric / 4, i * 0.5::float8 "
             "from generate_series(1, %s) i")
DAY = datetime.timedelta(days=1)


def quarter(i):
    """Decimal(i) / 4 whatever the decimal context (the menu changes it):
    made exactly from the float, which is exact.  No localcontext(): that
    sets a context variable, and CPython 3.11 crashes when a __del__ run by
    the collector sets one while another is being set (hamt.c)."""
    return decimal.Decimal(i / 4)


def _say(msg):
    # straight to the fd: still there if the process dies the next moment
    os.write(1, (msg + "\n").encode())


class Bad(Exception):
    """A wrong value came back: the only failure the child reports."""


def _garbled(text, depth=2):
    """`text` after up to `depth` wrong re-readings between ENCODINGS."""
    seen = {text}
    frontier = {text}
    codecs = ["utf_8", "latin_1", "iso8859_15", "cp1252"]
    for _ in range(depth):
        nxt = set()
        for t in frontier:
            for a in codecs:
                for b in codecs:
                    try:
                        nxt.add(t.encode(a).decode(b))
                    except UnicodeError:
                        pass
        frontier = nxt - seen
        seen |= nxt
    return seen


# A client encoding change made while a query is being built or sent (from
# an adapter callback, or from another thread between encoding the query
# and sending it) used to make the server read the query in the new
# encoding; now the query is built again or not sent, so garbled text is a
# failure.  PSYCOPG_STRESS_STRICT=0 accepts it again when an encoding change
# happened during the scenario (to tell such a regression from others).
TOLERATE_ENCODING_SWITCH = os.environ.get("PSYCOPG_STRESS_STRICT") == "0"
# executemany's pipeline used to miss a change and a change back to the
# same codec while it was built (an adapter, or the thread), sending the
# texts encoded in between as if in the first one; the connection's
# enc_gen now catches it, so h_batch is strict too unless
# PSYCOPG_STRESS_STRICT=0.
BATCH_ENCODING_ABA = TOLERATE_ENCODING_SWITCH
# the step of the last encoding change (a change from the other thread may
# land just after a scenario ends: the next one is covered too)
_state = {"step": 0, "switched": -10}


def _text_ok(got, want):
    if got == want:
        return True
    return (TOLERATE_ENCODING_SWITCH
            and _state["step"] - _state["switched"] <= 1
            and isinstance(got, str) and got in _garbled(want))


def check_row(row):
    """Rows of QUERY carry their own expected values."""
    if row is None:
        return
    if isinstance(row, dict):
        row = [row[k] for k in list(row)[:5]]
    try:
        vals = [row[j] for j in range(5)]
    except (KeyError, IndexError, TypeError):
        return   # a foreign row class: nothing to compare
    i, text, arr, ts, num = vals
    if not isinstance(i, int):
        raise Bad("column 0: %r" % (row,))
    want_num = quarter(i)
    if isinstance(arr, datetime.date):
        # a row of BIG_QUERY: i, text, date, numeric, float
        if not (_text_ok(text, "vé%d" % i)
                and arr == datetime.date(2020, 1, 1) + (i % 7) * DAY
                and ts == want_num and num == i * 0.5):
            raise Bad("big row: %r" % (row,))
        return
    if not _text_ok(text, "vé%d" % i):
        raise Bad("text: %r" % (row,))
    if not (isinstance(arr, list) and len(arr) == 2 and arr[1] == "x"
            and _text_ok(arr[0], "é%d" % i)):
        raise Bad("array: %r" % (row,))
    if isinstance(ts, datetime.datetime) and ts.tzinfo is not None:
        if ts != BASE + datetime.timedelta(hours=i):
            raise Bad("timestamptz: %r" % (row,))
    if num != want_num:
        raise Bad("numeric: %r" % (row,))


_big = []


def check_big(rows):
    """check_row() for each row, through one comparison when they are the
    consecutive rows of BIG_QUERY they should be."""
    if not _big:
        _big.extend(
            (i, "vé%d" % i, datetime.date(2020, 1, 1) + (i % 7) * DAY,
             quarter(i), i * 0.5)
            for i in range(1, BIG_ROWS + 1))
    if rows and isinstance(rows[0], tuple) and isinstance(rows[0][0], int):
        k = rows[0][0] - 1
        if rows == _big[k:k + len(rows)]:
            return
    for row in rows:
        check_row(row)


ALL_HOOKS = ["h_caster", "h_array", "h_adapter", "h_tzinfo", "h_row_factory",
             "h_notice", "h_wait", "h_copy", "h_del", "h_batch", "h_big",
             "h_error"]
# how often each hook is drawn (h_big fetches 100k values: rarer)
HOOK_WEIGHT = {"h_big": 0.3}
# Hook points left out by default, each for a reason that a fix will
# remove (empty: main survives them all since the re-entrancy core landed);
# PSYCOPG_STRESS_HOOKS=all (or a comma list) runs exactly those chosen.
KNOWN_UNSAFE = set()
ENABLED_HOOKS = (
    set(ALL_HOOKS) - KNOWN_UNSAFE
    if not os.environ.get("PSYCOPG_STRESS_HOOKS")
    else set(ALL_HOOKS) if os.environ["PSYCOPG_STRESS_HOOKS"] == "all"
    else set(os.environ["PSYCOPG_STRESS_HOOKS"].split(",")))


class Stress:
    def __init__(self, seed, dsn):
        import psycopg2
        import psycopg2.extensions as ext
        import psycopg2.extras as extras

        self.pg, self.ext, self.extras = psycopg2, ext, extras
        self.rng = random.Random(seed)
        self.dsn = dsn
        self.conn = self.conn2 = self.cur = None
        self.params = None       # the parameter list of executemany
        self.bomb_skip = 0
        self.budget = 0          # actions left in the current scenario
        # a raw lock as the wake-up signal: unlike threading.Event it takes
        # no Python-level lock, so a __del__ run by the collector in the
        # middle of a kick can kick again without deadlocking the harness
        self.kick = threading.Lock()
        self.kick.acquire()
        self.stop = False
        self.thread_rng = random.Random(seed + 1)
        self.adapters = dict(ext.adapters)
        decimal.getcontext()     # made now, not by a __del__ (quarter())

    # ---- the objects the actions work on --------------------------------

    def connect(self):
        if self.conn is None or self.conn.closed:
            self.conn = self.pg.connect(self.dsn)
        if self.conn2 is None or self.conn2.closed:
            self.conn2 = self.pg.connect(self.dsn)
        return self.conn

    # ---- the menu ---------------------------------------------------------

    def actions(self):
        return [
            ("close_cursor", lambda r: self.cur and self.cur.close()),
            ("close_conn", lambda r: self.conn and self.conn.close()),
            ("reexecute", lambda r: self.cur and self.cur.execute(
                QUERY, (r.randint(0, 5),))),
            ("fetch", lambda r: self.cur and check_row(self.cur.fetchone())),
            ("encoding", lambda r: self.conn and (
                _state.__setitem__("switched", _state["step"]),
                self.conn.set_client_encoding(r.choice(ENCODINGS)))),
            ("commit", lambda r: self.conn and self.conn.commit()),
            ("rollback", lambda r: self.conn and self.conn.rollback()),
            ("reinit", lambda r: self.cur and self.cur.__init__(
                r.choice([self.conn, self.conn2]))),
            ("reinit_named", lambda r: self.cur and self.cur.__init__(
                self.conn, "stress_%d" % r.randint(0, 3))),
            ("drop_refs", lambda r: self.drop_refs()),
            ("tzinfo", lambda r: self.cur and setattr(
                self.cur, "tzinfo_factory",
                r.choice([None, datetime.timezone, self.tz_hook]))),
            ("row_factory", lambda r: self.cur and setattr(
                self.cur, "row_factory", r.choice([None, Row]))),
            ("gc", lambda r: gc.collect()),
            ("noop", lambda r: None),
            ("scroll", lambda r: self.cur and self.cur.scroll(
                r.randint(-3, 3) if r.random() < 0.5 else r.randint(0, 5),
                r.choice(["relative", "absolute"]))),
            ("fetchall", lambda r: self.cur and [
                check_row(row) for row in self.cur.fetchall()]),
            ("error", lambda r: self.cur and self.cur.execute(
                "select 1 / (%s - %s)", (1, 1))),
            ("raise", lambda r: 1 / 0),
            ("adapter_int", lambda r: self.ext.register_adapter(
                int, lambda v: SameInt(v, self))),
            ("adapter_str", lambda r: self.ext.register_adapter(
                str, lambda v: (self.act("adapter_str"),
                                self.ext.QuotedString(v))[1])),
            ("decimal_ctx", lambda r: setattr(
                decimal.getcontext(), "prec", r.choice([1, 3, 28]))),
            ("decimal_trap", lambda r: decimal.getcontext().traps.__setitem__(
                decimal.Inexact, r.random() < 0.5)),
            ("decimal_module", lambda r: sys.modules.__setitem__(
                "decimal", r.choice([_pydecimal, DECIMAL, None]))),
            ("mutate_params", lambda r: self.mutate_params(r)),
        ]

    def mutate_params(self, r):
        """Change the parameter list executemany() is reading."""
        rows = self.params
        if not rows:
            return
        what = r.random()
        if what < 0.3:
            del rows[r.randint(0, len(rows)):]
        elif what < 0.6:
            rows.extend(rows[:r.randint(0, 3)])
        else:
            row = rows[r.randrange(len(rows))]
            if isinstance(row, list) and row:
                k = row[0] if isinstance(row[0], int) else row[0].k
                if r.random() < 0.5:
                    del row[r.randint(0, len(row) - 1):]   # too short
                else:
                    # new objects, equal values: the old ones may be freed
                    # while they are being adapted
                    row[:] = self.batch_row(k)

    def restore_globals(self):
        """Undo what the menu changes process-wide."""
        self.ext.adapters.clear()
        self.ext.adapters.update(self.adapters)
        # attributes only: no context variable set (see quarter())
        ctx = decimal.getcontext()
        ctx.prec = 28
        ctx.traps[decimal.Inexact] = False
        sys.modules["decimal"] = DECIMAL

    def drop_refs(self):
        self.cur = None
        if self.rng.random() < 0.3:
            self.conn = None
        gc.collect()

    def act(self, where):
        """Maybe run one action here; maybe wake the other thread."""
        rng = self.rng
        if self.budget <= 0:
            return
        if rng.random() < 0.2:
            self.wake()
        if rng.random() < 0.5:
            return
        self.budget -= 1
        name, func = rng.choice(self.actions())
        _say("  %s: %s" % (where, name))
        try:
            func(rng)
        except Bad:
            raise
        except Exception:
            if rng.random() < 0.3:
                raise       # let the error travel back through the C code

    # ---- the second thread --------------------------------------------------

    def wake(self):
        try:
            self.kick.release()
        except RuntimeError:
            pass        # already woken

    def thread_main(self):
        r = self.thread_rng
        acts = self.actions()
        decimal.getcontext()     # made now, not by a __del__ (quarter())
        while True:
            self.kick.acquire()
            if self.stop:
                return
            # a green wait in the main thread may be select()ing the socket
            # that this thread closes: close() only shuts it down then
            name, func = r.choice(acts)
            _say("  thread: %s" % name)
            try:
                func(r)
            except Bad:
                self.thread_bad = sys.exc_info()[1]
            except Exception:
                pass

    # ---- hook points ----------------------------------------------------------

    def tz_hook(self, offset):
        self.act("tzinfo")
        return datetime.timezone(offset)

    def text_caster(self, s, cur):
        self.act("caster")
        return s

    def elem_caster(self, s, cur):
        self.act("array_elem")
        return s

    def new_cursor(self):
        conn = self.connect()
        self.cur = cur = conn.cursor()
        return cur

    def run_query(self, cur, n):
        cur.execute(QUERY, (n,))
        how = self.rng.choice(["one", "many", "all", "iter"])
        if how == "one":
            for _ in range(n + 1):
                check_row(cur.fetchone())
        elif how == "many":
            for row in cur.fetchmany(self.rng.randint(1, n + 1)):
                check_row(row)
        elif how == "all":
            for row in cur.fetchall():
                check_row(row)
        else:
            for row in cur:
                check_row(row)

    def h_caster(self, n):
        cur = self.new_cursor()
        T = self.ext.new_type((25,), "STRESS_TEXT", self.text_caster)
        self.ext.register_type(T, cur)
        self.run_query(cur, n)

    def h_array(self, n):
        cur = self.new_cursor()
        E = self.ext.new_type((25,), "STRESS_ELEM", self.elem_caster)
        A = self.ext.new_array_type((1009,), "STRESS_ARR", E)
        self.ext.register_type(A, cur)
        self.run_query(cur, n)

    def h_adapter(self, n):
        stress = self

        class Param:
            def __conform__(self, proto):
                stress.act("conform")
                return self

            def prepare(self, conn):
                stress.act("prepare")

            def getquoted(self):
                stress.act("getquoted")
                return b"%d" % n

        cur = self.new_cursor()
        cur.execute(QUERY, (Param(),))
        for row in cur.fetchall():
            check_row(row)

    def h_tzinfo(self, n):
        cur = self.new_cursor()
        cur.tzinfo_factory = self.tz_hook
        self.run_query(cur, n)

    def h_row_factory(self, n):
        conn = self.connect()
        factory = self.rng.choice([
            Row, self.extras.DictCursor, self.extras.RealDictCursor,
            self.extras.NamedTupleCursor])
        if factory is Row:
            self.cur = cur = conn.cursor()
            stress = self

            def make(c):
                stress.act("row_factory")
                return Row(c, stress)
            cur.row_factory = make
        else:
            self.cur = cur = conn.cursor(cursor_factory=factory)
        self.run_query(cur, n)

    def h_notice(self, n):
        conn = self.connect()
        conn.notices = Notices(self)
        cur = self.new_cursor()
        cur.execute("do $$ begin raise notice 'one'; raise notice 'two'; "
                    "end $$; " + QUERY, (n,))
        for row in cur.fetchall():
            check_row(row)

    def h_wait(self, n):
        stress = self

        def wait(conn):
            stress.act("wait")
            stress.extras.wait_select(conn)

        self.ext.set_wait_callback(wait)
        try:
            cur = self.new_cursor()
            self.run_query(cur, n)
        finally:
            self.ext.set_wait_callback(None)

    def h_copy(self, n):
        cur = self.new_cursor()
        stress = self
        if self.rng.random() < 0.5:
            class Out(io.StringIO):
                def write(self, data):
                    stress.act("copy_write")
                    return super().write(data)
            cur.copy_expert("copy (%s) to stdout" % (QUERY % n), Out())
        else:
            cur.execute("create temp table if not exists stress_copy "
                        "(i int, t text)")

            class In(io.StringIO):
                def read(self, size=-1):
                    stress.act("copy_read")
                    return super().read(size)

                def readline(self, size=-1):
                    stress.act("copy_readline")
                    return super().readline(size)
            data = "".join("%d\tvé%d\n" % (i, i) for i in range(n))
            cur.copy_from(In(data), "stress_copy", size=7)
            cur.execute("select count(*) from stress_copy")
            cur.fetchone()

    def h_del(self, n):
        stress = self

        class Bomb:
            def __del__(self):
                stress.act("__del__")

        def plant():
            # garbage in a cycle: the next collection runs __del__, and with
            # threshold 1 that is inside the next allocation in C
            for _ in range(3):
                b = Bomb()
                b.me = b

        cur = self.new_cursor()
        T = self.ext.new_type((25,), "STRESS_DEL", lambda s, c: (plant(), s)[1])
        self.ext.register_type(T, cur)
        old = gc.get_threshold()
        gc.set_threshold(1)
        try:
            plant()
            self.run_query(cur, n)
        finally:
            gc.set_threshold(*old)

    def batch_row(self, k):
        return [k, "vé%d" % k, k * 0.5, quarter(k)]

    def h_batch(self, n):
        """executemany in a transaction (the pipeline) with adapters that
        act, rows that are lists (mutable), __del__ during the build."""
        stress = self

        class Param:
            def __init__(self, k):
                self.k = k

            def __conform__(self, proto):
                stress.act("batch_conform")
                return self

            def getquoted(self):
                stress.act("batch_getquoted")
                return b"%d" % self.k

        conn = self.connect()
        self.cur = cur = conn.cursor()
        cur.execute("create temp table if not exists stress_batch "
                    "(k int, t text, f float8, d numeric)")
        conn.commit()
        rows = []
        for k in range(n * 40):
            row = self.batch_row(k)
            if self.rng.random() < 0.1:
                row[0] = Param(k)
            rows.append(row if self.rng.random() < 0.7 else tuple(row))
        self.params = rows
        old = gc.get_threshold()
        if self.rng.random() < 0.5:
            Bomb.plant(self)
            gc.set_threshold(1)
        try:
            cur.executemany("insert into stress_batch values (%s, %s, %s, %s)",
                            iter(rows) if self.rng.random() < 0.5 else rows)
        finally:
            gc.set_threshold(*old)
            self.params = None
        cur = self.conn.cursor()
        cur.execute("select k, t, f, d from stress_batch")
        switched = _state["step"] - _state["switched"] <= 1
        for k, t, f, d in cur.fetchall():
            want = quarter(k)
            if not (f == k * 0.5 and d == want and (
                    _text_ok(t, "vé%d" % k)
                    or (BATCH_ENCODING_ABA and switched
                        and t in _garbled("vé%d" % k)))):
                raise Bad("batch row: %r" % ((k, t, f, d),))
        cur.execute("truncate stress_batch")
        self.conn.commit()

    def h_big(self, n):
        """fetchall (or fetchmany, iteration) of 100k values while __del__
        acts: scrolls, re-executes, closes, fetches from the thread."""
        cur = self.new_cursor()
        cur.execute(BIG_QUERY, (BIG_ROWS,))
        old = gc.get_threshold()
        Bomb.plant(self)
        gc.set_threshold(1)
        try:
            how = self.rng.choice(["all", "all", "many", "iter"])
            if how == "all":
                rows = cur.fetchall()
            elif how == "many":
                rows = cur.fetchmany(BIG_ROWS)
            else:
                rows = list(cur)
        finally:
            gc.set_threshold(*old)
        check_big(rows)
        # the rows kept for the released ones are served again
        if self.cur is cur and not cur.closed:
            cur.scroll(0, "absolute")
            check_big(cur.fetchmany(self.rng.randint(1, BIG_ROWS)))

    def h_error(self, n):
        """A server error, built after the lock is released, while
        __del__ (run by the allocations of that) uses the connection."""
        cur = self.new_cursor()
        old = gc.get_threshold()
        Bomb.plant(self)
        gc.set_threshold(1)
        try:
            cur.execute(self.rng.choice([
                "select 1 / (i - %s) from generate_series(1, 3) i",
                "select no_such_column, %s",
                "do $$ begin raise notice 'n'; "
                "raise exception 'stress %%', 1; end $$; select %s"]),
                (n,))
        finally:
            gc.set_threshold(*old)

    HOOKS = [h for h in ALL_HOOKS if h in ENABLED_HOOKS]

    # ---- driver -----------------------------------------------------------

    def run(self, steps):
        self.thread_bad = None
        t = threading.Thread(target=self.thread_main, daemon=True)
        t.start()
        try:
            weights = [HOOK_WEIGHT.get(h, 1) for h in self.HOOKS]
            for step in range(steps):
                hook = self.rng.choices(self.HOOKS, weights)[0]
                self.budget = self.rng.randint(1, 4)
                _state["step"] = step
                _say("step %d %s" % (step, hook))
                try:
                    getattr(self, hook)(self.rng.randint(0, 6))
                except Bad:
                    raise
                except Exception:
                    pass
                finally:
                    self.restore_globals()
                if self.thread_bad is not None:
                    raise self.thread_bad
                # a clean slate for the next scenario, most of the time
                if self.conn is not None and not self.conn.closed:
                    try:
                        self.conn.rollback()
                    except Exception:
                        pass
        finally:
            self.budget = 0     # late __del__ calls do nothing now
            self.stop = True
            self.wake()
            t.join()
        for c in (self.conn, self.conn2):
            if c is not None:
                c.close()
        _say("seed done")


class Bomb:
    """Garbage in a cycle whose __del__ acts and plants another one: with
    gc.set_threshold(1) it runs inside the next allocation in C."""

    def __init__(self, stress):
        self.stress = stress
        self.me = self

    def __del__(self):
        # one collection per allocation: act after a random number of
        # them, so that actions land anywhere in a long fetch
        stress = self.stress
        if stress.budget > 0:
            if stress.bomb_skip > 0:
                stress.bomb_skip -= 1
            else:
                stress.bomb_skip = stress.rng.choice([0, 5, 200, 8000])
                stress.act("__del__")
            Bomb.plant(stress)

    @staticmethod
    def plant(stress):
        Bomb(stress)


class SameInt:
    """A Python adapter for int writing what the default one writes."""

    def __init__(self, v, stress):
        self.v = v
        self.stress = stress

    def getquoted(self):
        self.stress.act("adapter_int")
        return str(self.v).encode()


class Row(list):
    """A row_factory row whose item assignment acts."""

    def __init__(self, cur, stress=None):
        super().__init__([None] * len(cur.description or ()))
        self.stress = stress

    def __setitem__(self, i, v):
        if self.stress is not None:
            self.stress.act("row_setitem")
        super().__setitem__(i, v)


class Notices(list):
    """conn.notices whose append() acts."""

    def __init__(self, stress):
        super().__init__()
        self.stress = stress

    def append(self, item):
        self.stress.act("notice")
        super().append(item)


def child(seed, steps):
    import faulthandler
    # a hang shows every thread's stack before the parent's watchdog fires;
    # a crash shows the Python stack of the crash
    faulthandler.enable()
    faulthandler.dump_traceback_later(WATCHDOG - 20, exit=True)
    sys.setswitchinterval(1e-5)     # let the second thread in often
    Stress(seed, os.environ["PSYCOPG2_TESTDSN"]).run(steps)


if __name__ == "__main__":
    child(int(sys.argv[1]), int(sys.argv[2]))
    sys.exit(0)

# --------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------

import pytest  # noqa: E402


def _seeds():
    if os.environ.get("PSYCOPG_STRESS_SEED"):
        return [int(os.environ["PSYCOPG_STRESS_SEED"])]
    n = int(os.environ.get("PSYCOPG_STRESS_ITERATIONS", "6"))
    return list(range(1, n + 1))


@pytest.mark.parametrize("seed", _seeds())
def test_reentrancy_stress(seed, child_env, tmp_path):
    cmd = [sys.executable, os.path.abspath(__file__), str(seed), str(STEPS)]
    try:
        p = subprocess.run(cmd, env=child_env, cwd=str(tmp_path),
                           capture_output=True, timeout=WATCHDOG)
    except subprocess.TimeoutExpired as ex:
        out = (ex.stdout or b"").decode("utf-8", "replace").splitlines()
        pytest.fail("seed %d hung (no end after %ds); last steps:\n%s\n"
                    "replay: PSYCOPG_STRESS_SEED=%d" % (
                        seed, WATCHDOG, "\n".join(out[-8:]), seed))
    out = p.stdout.decode("utf-8", "replace").splitlines()
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0 and "seed done" in out, (
        "seed %d: exit %s; last steps:\n%s\nstderr:\n%s\n"
        "replay: PSYCOPG_STRESS_SEED=%d" % (
            seed, p.returncode, "\n".join(out[-8:]), err[-5000:], seed))
