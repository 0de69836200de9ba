"""Security: TLS with a generated CA, SCRAM-SHA-256 authentication,
encrypt_password, passwords never shown, and the SQL-injection corpus
under every client encoding the server offers and Python can encode.

TLS and SCRAM run against a throwaway cluster of their own
(scripts/cluster.py with ssl=True and a pg_hba requiring scram for one
role), so the shared test server keeps its trust-everything setup.
"""

import hashlib
import subprocess

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext

import test_injection as inj
from pgsync import load_cluster

SECRET = "s3cr3t-P4ss'word"
ROLE = "scram_user"

HBA = """\
local   all     all                             trust
host    all     %(role)s    127.0.0.1/32        scram-sha-256
hostssl all     all         127.0.0.1/32        trust
host    all     all         127.0.0.1/32        trust
""" % {"role": ROLE}


@pytest.fixture(scope="module")
def tls_cluster():
    if not subprocess.run(["which", "openssl"], capture_output=True).returncode == 0:
        pytest.skip("openssl command not found")
    c = load_cluster().Cluster(
        ssl=True, hba=HBA, settings={"password_encryption": "'scram-sha-256'"})
    c.start()
    conn = psycopg2.connect(c.unix_dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE ROLE %s LOGIN PASSWORD %%s" % ROLE, (SECRET,))
    cur.execute("GRANT ALL ON DATABASE %s TO %s" % (c.dbname, ROLE))
    conn.close()
    yield c
    c.stop()


def tcp_dsn(c, **kw):
    params = {"host": "127.0.0.1", "port": str(c.port), "dbname": c.dbname,
              "user": "postgres"}
    params.update(kw)
    return ext.make_dsn(**params)


# -- TLS -----------------------------------------------------------------------


def test_sslmode_require(tls_cluster):
    conn = psycopg2.connect(tcp_dsn(tls_cluster, sslmode="require"))
    try:
        assert conn.info.ssl_in_use is True
        assert conn.info.ssl_attribute("protocol").startswith("TLS")
        assert conn.info.ssl_attribute("cipher")
        assert "protocol" in conn.info.ssl_attribute_names
        assert conn.info.ssl_attribute("no-such-attribute") is None
        cur = conn.cursor()
        cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert cur.fetchone() == (True,)
    finally:
        conn.close()


def test_sslmode_disable(tls_cluster):
    conn = psycopg2.connect(tcp_dsn(tls_cluster, sslmode="disable"))
    try:
        assert conn.info.ssl_in_use is False
        assert conn.info.ssl_attribute("protocol") is None
    finally:
        conn.close()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_verify_full(tls_cluster, host):
    conn = psycopg2.connect(tcp_dsn(tls_cluster, host=host,
                                    sslmode="verify-full",
                                    sslrootcert=tls_cluster.ca_file))
    try:
        assert conn.info.ssl_in_use
        conn.cursor().execute("SELECT 1")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def wrong_ca(tls_cluster, tmp_path_factory):
    d = tmp_path_factory.mktemp("wrongca")
    key, crt = str(d / "ca.key"), str(d / "ca.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "1", "-subj", "/CN=not the right CA",
                    "-keyout", key, "-out", crt], check=True,
                   capture_output=True)
    return crt


@pytest.mark.parametrize("mode", ["verify-ca", "verify-full"])
def test_verify_with_wrong_ca_fails(tls_cluster, wrong_ca, mode):
    with pytest.raises(psycopg2.OperationalError) as ei:
        psycopg2.connect(tcp_dsn(tls_cluster, sslmode=mode,
                                 sslrootcert=wrong_ca))
    assert "certificate" in str(ei.value)


def test_verify_full_wrong_host_name(tls_cluster):
    """The certificate is for localhost/127.0.0.1: another name fails."""
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(tcp_dsn(tls_cluster, sslmode="verify-full",
                                 sslrootcert=tls_cluster.ca_file,
                                 host="127.0.0.1", hostaddr="127.0.0.1")
                         .replace("host=127.0.0.1", "host=not-the-cert-name"))


# -- SCRAM ---------------------------------------------------------------------


def test_scram_auth(tls_cluster):
    conn = psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE, password=SECRET,
                                    sslmode="disable"))
    try:
        cur = conn.cursor()
        cur.execute("SELECT current_user")
        assert cur.fetchone() == (ROLE,)
        assert conn.info.used_password is True
        assert conn.info.password == SECRET  # asked for: given
        assert SECRET not in conn.dsn
        assert SECRET not in repr(conn)
        assert SECRET not in str(conn.get_dsn_parameters())
        assert "password" not in conn.get_dsn_parameters()
        assert SECRET not in str(conn.info.dsn_parameters)
    finally:
        conn.close()


def test_scram_over_tls(tls_cluster):
    conn = psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE, password=SECRET,
                                    sslmode="require"))
    try:
        assert conn.info.ssl_in_use
    finally:
        conn.close()


@pytest.mark.parametrize("password", ["wrong", "", SECRET + "x"])
def test_scram_wrong_password(tls_cluster, password):
    dsn = tcp_dsn(tls_cluster, user=ROLE, password=password, sslmode="disable")
    with pytest.raises(psycopg2.OperationalError) as ei:
        psycopg2.connect(dsn)
    msg = str(ei.value)
    assert "password" in msg or "authentication" in msg
    if password:
        assert password not in msg
    assert SECRET not in msg


def test_scram_no_password(tls_cluster):
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE, sslmode="disable",
                                 passfile="/nonexistent"))


def test_password_hidden_in_kwargs_connect(tls_cluster):
    conn = psycopg2.connect(host="127.0.0.1", port=tls_cluster.port,
                            dbname=tls_cluster.dbname, user=ROLE,
                            password=SECRET, sslmode="disable")
    try:
        assert SECRET not in conn.dsn
        assert SECRET not in repr(conn)
        assert "password=xxx" in conn.dsn
    finally:
        conn.close()


def test_password_hidden_in_errors(tls_cluster):
    """A failing query or a broken connection never echoes the password."""
    conn = psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE, password=SECRET,
                                    sslmode="disable"))
    try:
        with pytest.raises(psycopg2.Error) as ei:
            conn.cursor().execute("SELECT * FROM nope")
        assert SECRET not in str(ei.value)
        assert SECRET not in repr(ei.value)
    finally:
        conn.close()
    with pytest.raises(psycopg2.OperationalError) as ei:
        psycopg2.connect("host=127.0.0.1 port=1 password=%s" % "hunter2x")
    assert "hunter2x" not in str(ei.value)


# -- encrypt_password ----------------------------------------------------------


def test_encrypt_password_md5(tls_cluster):
    conn = psycopg2.connect(tls_cluster.unix_dsn)
    try:
        enc = ext.encrypt_password(SECRET, ROLE, conn, "md5")
        assert enc == "md5" + hashlib.md5(
            (SECRET + ROLE).encode()).hexdigest()
        assert ext.encrypt_password(SECRET, ROLE, None, "md5") == enc
    finally:
        conn.close()


def test_encrypt_password_scram_and_login(tls_cluster):
    conn = psycopg2.connect(tls_cluster.unix_dsn)
    conn.autocommit = True
    try:
        new = "n3w-" + SECRET
        enc = ext.encrypt_password(new, ROLE, conn, "scram-sha-256")
        assert enc.startswith("SCRAM-SHA-256$")
        assert new not in enc
        # the server's default algorithm, asked through the connection
        assert ext.encrypt_password(new, ROLE, conn).startswith("SCRAM-SHA-256$")
        cur = conn.cursor()
        cur.execute("ALTER ROLE %s PASSWORD %%s" % ROLE, (enc,))
        try:
            c2 = psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE, password=new,
                                          sslmode="disable"))
            c2.close()
            with pytest.raises(psycopg2.OperationalError):
                psycopg2.connect(tcp_dsn(tls_cluster, user=ROLE,
                                         password=SECRET, sslmode="disable"))
        finally:
            cur.execute("ALTER ROLE %s PASSWORD %%s" % ROLE, (SECRET,))
    finally:
        conn.close()


def test_encrypt_password_bad_args(tls_cluster):
    conn = psycopg2.connect(tls_cluster.unix_dsn)
    try:
        with pytest.raises(psycopg2.ProgrammingError):
            ext.encrypt_password(SECRET, ROLE, conn, "rot13")
        with pytest.raises(TypeError):
            ext.encrypt_password(None, ROLE)
        with pytest.raises(TypeError):
            ext.encrypt_password(SECRET, 42)
        with pytest.raises((psycopg2.ProgrammingError, ValueError)):
            ext.encrypt_password(SECRET, ROLE, None, "scram-sha-256")
    finally:
        conn.close()


# -- injection corpus under every client encoding --------------------------------


def server_client_encodings(cur):
    cur.execute("SELECT DISTINCT pg_encoding_to_char(i) FROM "
                "generate_series(0, 60) i WHERE pg_encoding_to_char(i) <> ''")
    names = sorted(r[0] for r in cur.fetchall())
    usable = []
    for name in names:
        try:
            cur.execute("SET client_encoding TO %s", (name,))
        except psycopg2.Error:
            cur.connection.rollback()
            continue  # server-only encodings (MULE_INTERNAL...)
        usable.append(name)
    cur.execute("SET client_encoding TO 'UTF8'")
    return usable


@pytest.mark.slow
def test_injection_corpus_every_encoding(conn, inj_victim):
    cur = inj_victim
    encodings = server_client_encodings(cur)
    assert len(encodings) > 30, encodings
    tested = []
    mismatched = set()
    refused = set()
    for encoding in encodings:
        try:
            conn.set_client_encoding(encoding)
        except psycopg2.Error:
            continue
        codec = ext.encodings.get(conn.encoding)
        if codec is None:
            continue  # no Python codec (e.g. MULE_INTERNAL, EUC_TW)
        for scs in (True, False):
            inj.set_scs(cur, scs)
            for value in inj.corpus_for(codec):
                if inj.rejected_by_libpq(cur, value):
                    continue
                # one statement, one value: nothing injected. The value
                # itself may differ where Python's codec and the server's
                # conversion map a character differently (SHIFT_JIS_2004:
                # backslash <-> yen sign), so equality is only required
                # for what survives encode/decode unchanged.
                try:
                    cur.execute("select %s", (value,))
                except psycopg2.errors.NonstandardUseOfEscapeCharacter:
                    # the server's own guard (backslash_quote =
                    # safe_encoding) refusing \' in a client-only encoding:
                    # refused, not injected
                    refused.add(encoding)
                    assert encoding not in inj.ENCODINGS, (encoding, value)
                    continue
                rows = cur.fetchall()
                assert len(rows) == 1 and len(rows[0]) == 1, (encoding, value)
                if rows[0][0] != value:
                    mismatched.add(encoding)
                    assert encoding not in inj.ENCODINGS, (encoding, value)
            inj.assert_victim_intact(cur)
        tested.append(encoding)
    assert set(inj.ENCODINGS) - {"SQL_ASCII"} <= set(tested)
    print("injection corpus ran under %d encodings: %s (codec mapping "
          "differences: %s)" % (len(tested), " ".join(tested),
                                " ".join(sorted(mismatched)) or "none")
          + "; refused by the server's backslash_quote guard: %s"
          % (" ".join(sorted(refused)) or "none"))


@pytest.fixture
def inj_victim(conn):
    gen = inj.victim.__wrapped__(conn) if hasattr(inj.victim, "__wrapped__") \
        else None
    if gen is None:
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("drop table if exists victim")
        cur.execute("create table victim (id int)")
        cur.execute("insert into victim values (1)")
        yield cur
        conn.autocommit = True
        conn.cursor().execute("drop table if exists victim")
        return
    yield from gen
