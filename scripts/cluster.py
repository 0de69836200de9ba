#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster for the tests and the demo.

As a module::

    from cluster import Cluster
    c = Cluster()
    c.start()            # initdb + pg_ctl start + createdb, a few seconds
    c.dsn                # 'host=127.0.0.1 port=NNNNN dbname=psycopg2_test user=postgres'
    c.stop()             # pg_ctl stop -m immediate, remove the directory

``Cluster.start(cleanup=True)`` (the default) also stops the cluster at
interpreter exit and when the process receives SIGTERM or SIGHUP. SIGINT is
left alone on purpose: it becomes KeyboardInterrupt, after which the normal
teardown and the atexit hook run; the tests may also send themselves SIGINT
to exercise query cancellation, and that must not kill the server. The
server runs in its own session so a Ctrl-C typed in the terminal does not
reach it.

As a command::

    python scripts/cluster.py run -- COMMAND...   # start, run with PSYCOPG2_TESTDSN set, stop
    python scripts/cluster.py start               # prints export PSYCOPG2_TESTDSN=... and the dir
    python scripts/cluster.py stop DIR            # stop and remove a cluster made by `start`

When running as root the server runs as the ``postgres`` OS user. The
binaries come from ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``, else ``PATH``; ``PG_BINDIR`` overrides.
"""

import argparse
import atexit
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DBNAME = "psycopg2_test"
SUPERUSER = "postgres"
INFO_FILE = "cluster.json"

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "logical",
    "max_replication_slots": "10",
    "max_wal_senders": "10",
    "max_prepared_transactions": "10",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "logging_collector": "off",
}

HBA = """\
# written by scripts/cluster.py: a throwaway cluster, trust everything local
local   all             all                     trust
host    all             all     127.0.0.1/32    trust
host    all             all     ::1/128         trust
local   replication     all                     trust
host    replication     all     127.0.0.1/32    trust
host    replication     all     ::1/128         trust
"""


class ClusterError(Exception):
    pass


def _version_key(path):
    m = re.search(r"/(\d+)(?:\.(\d+))?/bin$", path)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else (0, 0)


def find_bindir():
    """Return the directory holding initdb, pg_ctl and createdb."""
    env = os.environ.get("PG_BINDIR")
    if env:
        if not os.path.exists(os.path.join(env, "initdb")):
            raise ClusterError("PG_BINDIR=%s holds no initdb" % env)
        return env
    pg_config = os.environ.get("PG_CONFIG") or shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            out = ""
        if out and os.path.exists(os.path.join(out, "initdb")):
            return out
    dirs = [
        d
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if os.path.exists(os.path.join(d, "initdb"))
    ]
    if dirs:
        return max(dirs, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    raise ClusterError(
        "PostgreSQL server binaries (initdb) not found: install postgresql "
        "(apt-get install postgresql), or set PG_BINDIR"
    )


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env():
    """The environment for PostgreSQL programs: without the sanitizer
    runtime that scripts/sanitize.sh preloads into Python."""
    env = dict(os.environ)
    for var in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "PYTHONMALLOC"):
        env.pop(var, None)
    return env


def _as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


class Cluster:
    """A PostgreSQL cluster in a fresh temporary directory."""

    def __init__(self, bindir=None, port=None, dbname=DBNAME, basedir=None,
                 settings=None, hba=None, ssl=False, primary=None):
        """*settings*: extra postgresql.conf settings (values as written in
        the file); *hba*: pg_hba.conf text replacing the trust-all default;
        *ssl*: generate a CA and a server certificate for 127.0.0.1 /
        localhost (``ca_file``, ``ca_key_file``) and turn ssl on; *primary*:
        a running Cluster to clone with pg_basebackup -R, making this one a
        streaming standby."""
        self.bindir = bindir
        self.port = port
        self.dbname = dbname
        self.basedir = basedir
        self.settings = dict(settings or {})
        self.hba = hba
        self.ssl = ssl
        self.primary = primary
        self.dir = None
        self._owner_pid = None
        self._cleanup_registered = False
        self._old_handlers = {}

    # -- paths and commands --------------------------------------------------

    @property
    def datadir(self):
        return os.path.join(self.dir, "data")

    @property
    def sockdir(self):
        return self.dir

    @property
    def logfile(self):
        return os.path.join(self.dir, "postgres.log")

    @property
    def dsn(self):
        return "host=127.0.0.1 port=%d dbname=%s user=%s" % (
            self.port,
            self.dbname,
            SUPERUSER,
        )

    @property
    def unix_dsn(self):
        return "host=%s port=%d dbname=%s user=%s" % (
            self.sockdir,
            self.port,
            self.dbname,
            SUPERUSER,
        )

    def _cmd(self, prog, *args):
        cmd = [os.path.join(self.bindir, prog)] + list(args)
        if not _as_root():
            return cmd
        if shutil.which("runuser"):
            return ["runuser", "-u", SUPERUSER, "--"] + cmd
        return ["su", SUPERUSER, "-s", "/bin/sh", "-c", shlex.join(cmd)]

    def _run(self, prog, *args, **kwargs):
        """Run a PostgreSQL program, output to a file so that a daemon that
        inherits it cannot hold a pipe open; raise ClusterError on failure."""
        out_path = os.path.join(self.dir, "%s.out" % prog)
        with open(out_path, "w") as out:
            if _as_root():
                os.chown(out_path, self._uid, self._gid)
            rc = subprocess.call(
                self._cmd(prog, *args),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                env=_server_env(),
                **kwargs,
            )
        if rc != 0:
            with open(out_path, errors="replace") as f:
                output = f.read()
            raise ClusterError(
                "%s failed (exit %d):\n%s" % (prog, rc, output.rstrip())
            )

    # -- lifecycle -----------------------------------------------------------

    def start(self, cleanup=True):
        """Create, configure and start the cluster; create the test database.

        With *cleanup* the cluster is stopped at exit or on SIGTERM/SIGHUP.
        """
        if self.bindir is None:
            self.bindir = find_bindir()
        if _as_root():
            import pwd

            try:
                pw = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise ClusterError(
                    "running as root but there is no %r OS user to run the "
                    "server: install postgresql or run as another user" % SUPERUSER
                ) from None
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
        self.dir = tempfile.mkdtemp(prefix="psycopg2-cluster-", dir=self.basedir)
        self._owner_pid = os.getpid()
        if cleanup:
            self.register_cleanup()
        try:
            if _as_root():
                os.chown(self.dir, self._uid, self._gid)
            if self.primary is not None:
                self._basebackup()
            else:
                self._initdb()
            if self.ssl:
                self._make_certs()
            self._pg_start()
            if self.primary is None:
                self._run("createdb", "-h", self.sockdir, "-p", str(self.port),
                          "-U", SUPERUSER, self.dbname)
            self._write_info()
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self):
        self._run(
            "initdb", "-D", self.datadir, "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--no-locale", "-N",
        )
        with open(os.path.join(self.datadir, "pg_hba.conf"), "w") as f:
            f.write(self.hba if self.hba is not None else HBA)

    def _basebackup(self):
        p = self.primary
        self._run("pg_basebackup", "-D", self.datadir, "-R", "-X", "stream",
                  "-c", "fast",
                  "-h", p.sockdir, "-p", str(p.port), "-U", SUPERUSER)

    def _make_certs(self):
        """A CA and a server certificate signed by it (openssl CLI)."""
        d = self.dir
        self.ca_file = os.path.join(d, "ca.crt")
        self.ca_key_file = os.path.join(d, "ca.key")
        crt, key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
        csr, ext = os.path.join(d, "server.csr"), os.path.join(d, "san.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")

        def openssl(*args):
            r = subprocess.run(["openssl"] + list(args), capture_output=True,
                               text=True, cwd=d)
            if r.returncode:
                raise ClusterError("openssl %s failed: %s" % (args[0], r.stderr))

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=psycopg2 test CA", "-keyout", self.ca_key_file,
                "-out", self.ca_file)
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj",
                "/CN=localhost", "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey",
                self.ca_key_file, "-CAcreateserial", "-days", "2",
                "-extfile", ext, "-out", crt)
        os.chmod(key, 0o600)
        if _as_root():
            os.chown(key, self._uid, self._gid)
            os.chown(crt, self._uid, self._gid)
        self.settings.update({
            "ssl": "on", "ssl_cert_file": "'%s'" % crt,
            "ssl_key_file": "'%s'" % key, "ssl_ca_file": "'%s'" % self.ca_file,
        })

    # -- operations on a running cluster ---------------------------------------

    def restart(self, mode="fast"):
        """pg_ctl restart: every session is terminated, the port is kept."""
        self._run("pg_ctl", "restart", "-m", mode, "-w", "-t", "60", "-D",
                  self.datadir, "-l", self.logfile, start_new_session=True)

    def stop_server(self, mode="fast"):
        """Stop the server, keeping the directory (start_server() again)."""
        self._run("pg_ctl", "stop", "-m", mode, "-w", "-t", "60", "-D",
                  self.datadir)

    def start_server(self):
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", self.datadir,
                  "-l", self.logfile, start_new_session=True)

    def promote(self):
        """Promote a standby to primary (waits until it accepts writes)."""
        self._run("pg_ctl", "promote", "-w", "-t", "60", "-D", self.datadir)

    def _pg_start(self):
        # The port is chosen free but may be taken before the server binds
        # it: try a few times.
        conf = os.path.join(self.datadir, "postgresql.conf")
        with open(conf) as f:
            base_conf = f.read()
        fixed_port = self.port
        for _attempt in range(5):
            self.port = fixed_port or free_port()
            settings = dict(SETTINGS)
            settings.update(self.settings)
            settings["port"] = str(self.port)
            settings["unix_socket_directories"] = "'%s'" % self.sockdir
            with open(conf, "w") as f:
                f.write(base_conf)
                f.write("\n# added by scripts/cluster.py\n")
                for k, v in settings.items():
                    f.write("%s = %s\n" % (k, v))
            try:
                # A session of its own: a Ctrl-C typed in the terminal goes
                # to the test run, not to the server.
                self._run(
                    "pg_ctl", "start", "-w", "-t", "60", "-D", self.datadir,
                    "-l", self.logfile, start_new_session=True,
                )
                return
            except ClusterError as ex:
                error = ex
                if fixed_port or not self._port_in_use_failure():
                    break
        raise ClusterError("%s\n--- server log:\n%s" % (error, self._log_tail()))

    def _port_in_use_failure(self):
        return "already in use" in self._log_tail()

    def _log_tail(self, lines=30):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def _write_info(self):
        with open(os.path.join(self.dir, INFO_FILE), "w") as f:
            json.dump(
                {"dir": self.dir, "port": self.port, "bindir": self.bindir,
                 "dbname": self.dbname, "dsn": self.dsn},
                f,
            )

    def stop(self):
        """Stop the server (immediate mode) and remove the directory.

        Safe to call more than once, and from the signal/atexit hooks.
        """
        d, self.dir = self.dir, None
        if not d:
            return
        if self._owner_pid is not None and os.getpid() != self._owner_pid:
            # A forked child exiting must not destroy its parent's cluster.
            return
        data = os.path.join(d, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            stop_server(self.bindir, data)
        shutil.rmtree(d, ignore_errors=True)

    # -- cleanup hooks -------------------------------------------------------

    def register_cleanup(self):
        if self._cleanup_registered:
            return
        self._cleanup_registered = True
        atexit.register(self.stop)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
            except (ValueError, OSError):
                pass  # not the main thread: atexit only

    def _on_signal(self, signum, frame):
        self.stop()
        old = self._old_handlers.get(signum)
        if callable(old):
            old(signum, frame)
            return
        # Default action: die by the same signal, so the exit status says so.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def stop_server(bindir, datadir):
    """pg_ctl stop -m immediate; kill the postmaster if that fails."""
    cmd = [os.path.join(bindir, "pg_ctl"), "stop", "-m", "immediate", "-w",
           "-t", "30", "-D", datadir]
    if _as_root():
        cmd = (["runuser", "-u", SUPERUSER, "--"] + cmd if shutil.which("runuser")
               else ["su", SUPERUSER, "-s", "/bin/sh", "-c", shlex.join(cmd)])
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, env=_server_env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if rc == 0:
        return
    try:
        with open(os.path.join(datadir, "postmaster.pid")) as f:
            pid = int(f.readline())
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    except (OSError, ValueError):
        pass


# -- command line --------------------------------------------------------------


def cmd_start(args):
    c = Cluster(basedir=args.basedir)
    c.start(cleanup=False)
    print("export PSYCOPG2_TESTDSN=%s" % shlex.quote(c.dsn))
    print("# stop with: %s %s stop %s" % (
        os.path.basename(sys.executable), shlex.quote(sys.argv[0]), c.dir))
    return 0


def cmd_stop(args):
    info_path = os.path.join(args.dir, INFO_FILE)
    try:
        with open(info_path) as f:
            info = json.load(f)
    except (OSError, ValueError):
        print("%s: not a cluster made by `start` (no %s)" % (args.dir, INFO_FILE),
              file=sys.stderr)
        return 1
    stop_server(info["bindir"], os.path.join(args.dir, "data"))
    shutil.rmtree(args.dir, ignore_errors=True)
    return 0


def cmd_run(args):
    command = args.command
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("run: a command is required: cluster.py run -- COMMAND...",
              file=sys.stderr)
        return 2
    c = Cluster(basedir=args.basedir)
    try:
        c.start()
    except ClusterError as ex:
        print("cluster: %s" % ex, file=sys.stderr)
        return 1
    env = dict(os.environ, PSYCOPG2_TESTDSN=c.dsn)
    child = None

    def forward(signum, frame):
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    # The child shares our terminal and gets Ctrl-C itself; we wait for it
    # and then clean up. SIGTERM/SIGHUP sent to us are passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    try:
        try:
            child = subprocess.Popen(
                command, env=env,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        except OSError as ex:
            print("cluster: cannot run %s: %s" % (command[0], ex), file=sys.stderr)
            return 127
        rc = child.wait()
    finally:
        c.stop()
    return 128 - rc if rc < 0 else rc


def main(argv=None):
    p = argparse.ArgumentParser(description="a throwaway PostgreSQL cluster")
    p.add_argument("--basedir", help="where to create the temporary directory")
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("start", help="start a cluster, print the DSN to export")
    s = sub.add_parser("stop", help="stop and remove a cluster made by start")
    s.add_argument("dir")
    r = sub.add_parser("run", help="run a command against a throwaway cluster")
    r.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    try:
        return {"start": cmd_start, "stop": cmd_stop, "run": cmd_run}[args.action](args)
    except ClusterError as ex:
        print("cluster: %s" % ex, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
