"""PostgreSQL: an external server named by PG* variables, or an embedded cluster in
.local/pg-<name> run as the unprivileged ``postgres`` user when we are root."""

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import (
    LOCAL,
    PG_SUPERUSER,
    ROOT,
    UserError,
    free_port,
    ident,
    port_in_use,
    say,
)


class Postgres:
    def __init__(self, host, port, user, password=None, bindir=None, datadir=None):
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.bindir = bindir
        self.datadir = datadir

    def env(self):
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def tool(self, name):
        if self.bindir and (self.bindir / name).exists():
            return str(self.bindir / name)
        path = shutil.which(name)
        if not path:
            raise UserError(f"'{name}' not found; install PostgreSQL client binaries")
        return path

    def psql(self, sql, db="postgres"):
        cmd = [self.tool("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        proc = subprocess.run(
            [*cmd, "-d", db, "-c", sql], capture_output=True, text=True, env=self.env()
        )
        if proc.returncode:
            raise UserError(f"psql on {db}: {proc.stderr.strip().splitlines()[-1:]}")
        return proc.stdout.strip()

    def db_exists(self, db):
        return bool(
            self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{ident(db)}'")
        )

    def drop_db(self, db):
        subprocess.run(
            [self.tool("dropdb"), "--if-exists", "--force", db],
            env=self.env(),
            capture_output=True,
        )

    def odoo_args(self):
        args = ["--db_host", self.host, "--db_port", str(self.port)]
        args += ["--db_user", self.user]
        if self.password:
            args += ["--db_password", self.password]
        return args


def find_pg_bindir(required=True):
    """The directory holding initdb and pg_ctl (None when absent and not required)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)
    for cand in candidates:
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    if not required:
        return None
    raise UserError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: "
        "apt-get install postgresql (or set PG_BINDIR, or PGHOST for an external one)"
    )


def wants_external(flag):
    return bool(flag or os.environ.get("PGHOST") or os.environ.get("EDU_EXTERNAL_DB"))


def external_postgres(flag):
    """The external server named by PG* variables (or --external-db)."""
    if not wants_external(flag):
        return None
    host = os.environ.get("PGHOST", "localhost")
    port = int(os.environ.get("PGPORT", "5432"))
    user = os.environ.get("PGUSER") or os.environ.get("USER") or "odoo"
    if user == "postgres":
        raise UserError(
            "Odoo refuses the 'postgres' superuser: set PGUSER to a role with CREATEDB"
        )
    pg = Postgres(host, port, user, os.environ.get("PGPASSWORD"))
    try:
        pg.psql("SELECT 1")
    except UserError as exc:
        raise UserError(
            f"cannot reach PostgreSQL at {host}:{port} as {user}: {exc}"
        ) from None
    return pg


def _as_owner_cmd(cmd, owner):
    if owner is None:
        return cmd
    return ["runuser", "-u", owner, "--"] + cmd


def _ensure_system_user(name):
    with contextlib.suppress(KeyError):
        import pwd  # noqa: PLC0415

        pwd.getpwnam(name)
        return
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        check=True,
    )


def _accessible_by(path, owner):
    return (
        subprocess.run(
            ["runuser", "-u", owner, "--", "test", "-w", str(path)],
            capture_output=True,
        ).returncode
        == 0
    )


def _cluster_owner():
    """The OS user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    owner = os.environ.get("EDU_PG_OS_USER", "postgres")
    _ensure_system_user(owner)
    return owner


def _cluster_datadir(name, owner):
    """.local/pg-<name>, or a directory under /var/lib/edu-crm when the checkout
    lives below a directory the server's user cannot enter."""
    LOCAL.mkdir(exist_ok=True)
    # The real path: a worktree whose .local links to another checkout's must
    # name the same data directory (and so the same socket directory) as that
    # checkout, and a server started through it must not depend on the link.
    datadir = LOCAL.resolve() / f"pg-{name}"
    if owner and not _accessible_by(LOCAL, owner):
        os.chmod(LOCAL, 0o777)
        if not _accessible_by(LOCAL, owner):
            alt = (
                Path("/var/lib/edu-crm")
                / hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
            )
            alt.mkdir(parents=True, exist_ok=True)
            shutil.chown(alt, owner)
            datadir = alt / f"pg-{name}"
            say(f"{LOCAL} is not reachable by user {owner}: cluster kept in {datadir}")
    return datadir


def _socket_dir(datadir, owner):
    sockdir = Path(tempfile.gettempdir()) / (
        "edu-pg-" + hashlib.sha1(str(datadir).encode()).hexdigest()[:10]
    )
    sockdir.mkdir(exist_ok=True)
    if owner:
        shutil.chown(sockdir, owner)
    return sockdir


def _initdb(bindir, datadir, log, owner):
    say(f"initialising PostgreSQL cluster {datadir}")
    datadir.mkdir(parents=True, exist_ok=True)
    if owner:
        shutil.chown(datadir, owner)
        log.touch()
        shutil.chown(log, owner)
    cmd = [str(bindir / "initdb"), "-D", str(datadir), "-U", PG_SUPERUSER]
    cmd += ["--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
    proc = subprocess.run(_as_owner_cmd(cmd, owner), capture_output=True, text=True)
    if proc.returncode:
        shutil.rmtree(datadir, ignore_errors=True)
        raise UserError(f"initdb failed: {proc.stderr.strip().splitlines()[-1:]}")


def _running_port(bindir, datadir, owner):
    """The port of the cluster's running server, False when it is not running
    (None when it runs on a port postmaster.pid does not tell)."""
    status = subprocess.run(
        _as_owner_cmd([str(bindir / "pg_ctl"), "status", "-D", str(datadir)], owner),
        capture_output=True,
        text=True,
    )
    if status.returncode:
        return False
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int((datadir / "postmaster.pid").read_text().splitlines()[3])
    return None


def _choose_port(port, fast):
    if port_in_use(port) and fast:
        # a throwaway cluster can live anywhere: another checkout may hold the default
        taken, port = port, free_port()
        say(f"port {taken} is taken: test cluster on port {port}")
    if port_in_use(port):
        raise UserError(
            f"port {port} is taken by another program; free it or choose another with "
            f"{'EDU_TEST_PG_PORT' if fast else 'EDU_PG_PORT'}=<port>"
        )
    return port


def _pg_start(bindir, datadir, log, owner, opts):
    if owner and log.exists():
        shutil.chown(log, owner)
    cmd = [str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(datadir)]
    cmd += ["-l", str(log), "-o", " ".join(opts)]
    proc = subprocess.run(_as_owner_cmd(cmd, owner), capture_output=True, text=True)
    if not proc.returncode:
        return
    tail = ""
    with contextlib.suppress(OSError):
        tail = log.read_text(errors="replace").strip().splitlines()[-1]
    if "lock file" in tail or "already running" in tail:
        raise UserError(
            f"cluster {datadir} is locked by another postmaster ({tail}); "
            "stop it with 'make stop' or remove a stale postmaster.pid"
        )
    raise UserError(
        f"PostgreSQL did not start ({tail or proc.stderr.strip()}); see {log}"
    )


def embedded_postgres(name, port, fast):
    """Start (or reuse) the cluster .local/pg-<name>, return a Postgres."""
    bindir = find_pg_bindir()
    owner = _cluster_owner()
    datadir = _cluster_datadir(name, owner)
    sockdir = _socket_dir(datadir, owner)
    pg = Postgres("127.0.0.1", port, PG_SUPERUSER, bindir=bindir, datadir=datadir)
    log = datadir.parent / f"pg-{name}.log"
    if not (datadir / "PG_VERSION").exists():
        _initdb(bindir, datadir, log, owner)
    running = _running_port(bindir, datadir, owner)
    if running is not False:  # already running: reuse it, on the port it has
        pg.port = running or port
        return pg
    pg.port = port = _choose_port(port, fast)
    opts = [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-k {sockdir}"]
    opts += ["-c max_connections=200", "-c shared_buffers=256MB"]
    if fast:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    _pg_start(bindir, datadir, log, owner, opts)
    return pg


def stop_clusters():
    bindir = find_pg_bindir()
    owner = "postgres" if os.geteuid() == 0 else None
    for datadir in sorted(LOCAL.glob("pg-*")) + sorted(
        Path("/var/lib/edu-crm").glob("*/pg-*")
    ):
        if (datadir / "PG_VERSION").exists():
            subprocess.run(
                _as_owner_cmd(
                    [str(bindir / "pg_ctl"), "stop", "-m", "fast", "-D", str(datadir)],
                    owner,
                ),
                capture_output=True,
            )
            say(f"stopped {datadir}")
