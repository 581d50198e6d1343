#!/usr/bin/env python3
"""Run and test the education CRM addons on a real Odoo 18.0 Community.

Stdlib only: this script runs before the virtual environment exists.

    python3 scripts/devtool.py run      # Odoo with demo data on http://localhost:8069
    python3 scripts/devtool.py test     # all tests on a throwaway database
    python3 scripts/devtool.py lint     # pre-commit hooks on every file
    python3 scripts/devtool.py stop     # stop the embedded PostgreSQL clusters

Every failure that a user can fix ends in one line starting with "error:".
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS_DIR = ROOT / "addons"
LOCAL = ROOT / ".local"
VENV = ROOT / ".venv"
OUR_ADDONS = ("edu_crm", "campaign_pressure", "cmr_portal")
# Odoo modules our tests and the demo database need, never a dependency of an
# addon: payment_demo publishes a test-mode provider whose public route marks a
# payment as done without money (cmr_portal's tests and tours enable it).
TEST_MODULES = {"cmr_portal": ("payment_demo",)}
ODOO_GIT_URL = os.environ.get("ODOO_GIT_URL", "https://github.com/odoo/odoo.git")
RUN_PG_PORT = int(os.environ.get("EDU_PG_PORT", "54329"))
TEST_PG_PORT = int(os.environ.get("EDU_TEST_PG_PORT", "54339"))
PG_SUPERUSER = "odoo"
# unique logins: Odoo's own tests create users such as "marketing"
DEMO_LOGINS = (
    ("Education manager", "edu.registrar", "edu.registrar"),
    ("Marketing user", "edu.marketing", "edu.marketing"),
    ("Marketing manager", "edu.marketing.manager", "edu.marketing.manager"),
    ("Student (portal)", "edu.student", "edu.student"),
    ("Sponsor (portal)", "edu.sponsor", "edu.sponsor"),
    ("Applicant (portal)", "edu.applicant", "edu.applicant"),
    ("Administrator", "admin", "admin"),
)


class UserError(Exception):
    """A failure the user can fix; printed as one line."""


def say(msg):
    print(f"[edu] {msg}", flush=True)


def with_test_modules(addons):
    """``addons`` and the Odoo modules their tests install beside them."""
    extra = [m for a in addons for m in TEST_MODULES.get(a, ()) if m not in addons]
    return [*addons, *dict.fromkeys(extra)]


# --------------------------------------------------------------------------
# Odoo source
# --------------------------------------------------------------------------
class OdooSource:
    """Where Odoo lives: 'nightly' (everything under odoo/addons), 'git'
    (odoo-bin + addons/) or 'package' (an importable odoo package)."""

    def __init__(self, layout, root, addons_paths, pythonpath):
        self.layout = layout
        self.root = root
        self.addons_paths = addons_paths
        self.pythonpath = pythonpath

    @property
    def requirements(self):
        if self.root and (self.root / "requirements.txt").is_file():
            return self.root / "requirements.txt"
        return None


def _release_version(release_py):
    text = release_py.read_text(encoding="utf-8")
    match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", text, re.M)
    if not match:
        raise UserError(f"cannot read Odoo's version from {release_py}")
    return int(match.group(1)), int(match.group(2))


def detect_odoo_source(src):
    """Return an OdooSource for directory ``src`` or None when it holds no Odoo."""
    src = Path(src)
    release = src / "odoo" / "release.py"
    if not release.is_file():
        return None
    version = _release_version(release)
    if version != (18, 0):
        raise UserError(
            f"ODOO_SRC={src} holds Odoo {version[0]}.{version[1]}, "
            "these addons need Odoo 18.0 Community"
        )
    paths = []
    if (src / "addons").is_dir() and (src / "odoo-bin").is_file():
        layout = "git"
        paths.append(src / "addons")
    else:
        layout = "nightly"
    paths.append(src / "odoo" / "addons")
    if not (src / "odoo" / "addons" / "base").is_dir() and not any(
        (p / "base").is_dir() for p in paths
    ):
        raise UserError(f"ODOO_SRC={src} has no 'base' addon; is the tree complete?")
    return OdooSource(layout, src, paths, str(src))


def detect_odoo_package(python):
    """An importable odoo package in ``python``'s environment, or None."""
    code = (
        "import json, odoo, odoo.release as r, os;"
        "print(json.dumps([r.version_info[0], r.version_info[1],"
        " os.path.dirname(odoo.__file__)]))"
    )
    try:
        out = subprocess.run(
            [str(python), "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired):
        return None
    major, minor, pkg = json.loads(out.strip().splitlines()[-1])
    if (major, minor) != (18, 0):
        raise UserError(
            f"the importable odoo package is {major}.{minor}, these addons need 18.0"
        )
    pkg = Path(pkg)
    return OdooSource("package", None, [pkg / "addons"], None)


def resolve_odoo(allow_clone=True):
    src = Path(os.environ.get("ODOO_SRC", "/opt/odoo"))
    found = detect_odoo_source(src)
    if found:
        return found
    # An odoo package importable by the venv or by this Python (official image).
    for python in (VENV / "bin" / "python", Path(sys.executable)):
        if python.exists():
            found = detect_odoo_package(python)
            if found:
                return found
    how = (
        f"Odoo 18.0 Community source not found at ODOO_SRC={src}. Provide it with "
        f"'git clone --depth 1 --branch 18.0 {ODOO_GIT_URL} {src}' on a machine with "
        "internet access (or unpack Odoo's 18.0 nightly source there), or set "
        "ODOO_SRC=/path/to/odoo-18.0, or install an 'odoo' 18.0 package in .venv"
    )
    if not allow_clone:
        raise UserError(how)
    if src.exists() and any(src.iterdir()):
        raise UserError(how + f" ({src} exists and is not empty, so it was not cloned)")
    say(f"no Odoo at {src}: trying a shallow clone of Odoo 18.0 from {ODOO_GIT_URL}")
    try:
        src.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "git",
                "clone",
                "--depth",
                "1",
                "--branch",
                "18.0",
                ODOO_GIT_URL,
                str(src),
            ],
            check=True,
            timeout=int(os.environ.get("ODOO_CLONE_TIMEOUT", "900")),
            env=dict(os.environ, GIT_TERMINAL_PROMPT="0"),
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(src, ignore_errors=True)
        raise UserError(f"the clone failed ({exc.__class__.__name__}). {how}") from None
    found = detect_odoo_source(src)
    if not found:
        raise UserError(how)
    return found


# --------------------------------------------------------------------------
# Virtual environment
# --------------------------------------------------------------------------
def find_base_python():
    if (3, 10) <= sys.version_info[:2] <= (3, 12):
        return sys.executable
    for name in ("python3.11", "python3.12", "python3.10"):
        path = shutil.which(name)
        if path:
            return path
    raise UserError(
        "Python 3.10-3.12 is needed (Odoo 18.0 supports these); 3.11 is best"
    )


def _venv_stamp(odoo):
    digest = hashlib.sha256()
    for req in (odoo.requirements, ROOT / "requirements.txt"):
        if req and req.is_file():
            digest.update(req.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_venv(odoo):
    python = VENV / "bin" / "python"
    stamp_file = VENV / ".edu-stamp"
    stamp = _venv_stamp(odoo)
    if python.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return python
    say("creating .venv and installing Odoo's requirements (minutes, first time only)")
    if not python.exists():
        subprocess.run([find_base_python(), "-m", "venv", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    _pip(pip + ["install", "-q", "-U", "pip"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraint:
        # cbor2==5.4.2 (Odoo's pin) imports pkg_resources in setup.py.
        constraint.write("setuptools<81\n")
    reqs = []
    if odoo.requirements:
        reqs += ["-r", str(odoo.requirements)]
    reqs += ["-r", str(ROOT / "requirements.txt")]
    try:
        _pip(pip + ["install", "-q", "--build-constraint", constraint.name] + reqs)
    finally:
        os.unlink(constraint.name)
    stamp_file.write_text(stamp)
    return python


def _pip(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        hint = ""
        if "ldap" in proc.stderr + proc.stdout:
            hint = " (python-ldap needs: apt-get install libldap2-dev libsasl2-dev)"
        if "pg_config" in proc.stderr + proc.stdout:
            hint = " (psycopg2 needs: apt-get install libpq-dev)"
        raise UserError(f"pip failed: {' '.join(cmd[3:6])} ...{hint}")


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------
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
        proc = subprocess.run(
            [
                self.tool("psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                db,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            env=self.env(),
        )
        if proc.returncode:
            raise UserError(f"psql on {db}: {proc.stderr.strip().splitlines()[-1:]}")
        return proc.stdout.strip()

    def db_exists(self, db):
        return bool(
            self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{_ident(db)}'")
        )

    def drop_db(self, db):
        subprocess.run(
            [self.tool("dropdb"), "--if-exists", "--force", db],
            env=self.env(),
            capture_output=True,
        )

    def odoo_args(self):
        args = [
            "--db_host",
            self.host,
            "--db_port",
            str(self.port),
            "--db_user",
            self.user,
        ]
        if self.password:
            args += ["--db_password", self.password]
        return args


def _ident(name):
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise UserError(f"invalid database name {name!r}: use letters, digits, _ . -")
    return name


def find_pg_bindir():
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
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        candidates.append(base)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)
    for cand in candidates:
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    raise UserError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: "
        "apt-get install postgresql (or set PG_BINDIR, or PGHOST for an external one)"
    )


def external_postgres(flag):
    """The external server named by PG* variables (or --external-db)."""
    if not (flag or os.environ.get("PGHOST") or os.environ.get("EDU_EXTERNAL_DB")):
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


def _port_in_use(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def embedded_postgres(name, port, fast):
    """Start (or reuse) the cluster .local/pg-<name>, return a Postgres."""
    bindir = find_pg_bindir()
    datadir = LOCAL / f"pg-{name}"
    owner = None
    if os.geteuid() == 0:
        owner = os.environ.get("EDU_PG_OS_USER", "postgres")
        _ensure_system_user(owner)
    LOCAL.mkdir(exist_ok=True)
    if owner and not _accessible_by(LOCAL, owner):
        os.chmod(LOCAL, 0o777)
        if not _accessible_by(LOCAL, owner):
            # The checkout lives below a directory the server's user cannot enter.
            alt = (
                Path("/var/lib/edu-crm")
                / hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
            )
            alt.mkdir(parents=True, exist_ok=True)
            shutil.chown(alt, owner)
            datadir = alt / f"pg-{name}"
            say(f"{LOCAL} is not reachable by user {owner}: cluster kept in {datadir}")
    sockdir = Path(tempfile.gettempdir()) / (
        "edu-pg-" + hashlib.sha1(str(datadir).encode()).hexdigest()[:10]
    )
    sockdir.mkdir(exist_ok=True)
    if owner:
        shutil.chown(sockdir, owner)
    pg = Postgres("127.0.0.1", port, PG_SUPERUSER, bindir=bindir, datadir=datadir)
    log = datadir.parent / f"pg-{name}.log"
    if not (datadir / "PG_VERSION").exists():
        say(f"initialising PostgreSQL cluster {datadir}")
        datadir.mkdir(parents=True, exist_ok=True)
        if owner:
            shutil.chown(datadir, owner)
            log.touch()
            shutil.chown(log, owner)
        proc = subprocess.run(
            _as_owner_cmd(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    PG_SUPERUSER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                owner,
            ),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            shutil.rmtree(datadir, ignore_errors=True)
            raise UserError(f"initdb failed: {proc.stderr.strip().splitlines()[-1:]}")
    status = subprocess.run(
        _as_owner_cmd([str(bindir / "pg_ctl"), "status", "-D", str(datadir)], owner),
        capture_output=True,
        text=True,
    )
    if status.returncode == 0:  # already running: reuse it, on the port it has
        with contextlib.suppress(OSError, IndexError, ValueError):
            pg.port = int((datadir / "postmaster.pid").read_text().splitlines()[3])
        return pg
    if _port_in_use(port) and fast:
        # a throwaway cluster can live anywhere: another checkout may hold the default
        taken, port = port, free_port()
        pg.port = port
        say(f"port {taken} is taken: test cluster on port {port}")
    if _port_in_use(port):
        raise UserError(
            f"port {port} is taken by another program; free it or choose another with "
            f"{'EDU_TEST_PG_PORT' if fast else 'EDU_PG_PORT'}=<port>"
        )
    opts = [
        f"-p {port}",
        "-c listen_addresses=127.0.0.1",
        f"-k {sockdir}",
        "-c max_connections=200",
        "-c shared_buffers=256MB",
    ]
    if fast:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    if owner and log.exists():
        shutil.chown(log, owner)
    proc = subprocess.run(
        _as_owner_cmd(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(datadir),
                "-l",
                str(log),
                "-o",
                " ".join(opts),
            ],
            owner,
        ),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
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


# --------------------------------------------------------------------------
# Odoo processes
# --------------------------------------------------------------------------
def odoo_cmd(python, odoo):
    if odoo.layout == "git":
        return [str(python), str(odoo.root / "odoo-bin")]
    return [str(python), "-m", "odoo"]


def odoo_base_cmd(python, odoo, pg, db, data_dir):
    """Odoo's command line for ``db`` on ``pg`` with our addons path."""
    return (
        odoo_cmd(python, odoo)
        + pg.odoo_args()
        + ["--addons-path", addons_path(odoo), "--data-dir", str(data_dir), "-d", db]
    )


def odoo_env(odoo):
    env = dict(os.environ)
    if odoo.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (odoo.pythonpath, env.get("PYTHONPATH")) if p
        )
    # Odoo reads PG* variables too; the command line says everything.
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        env.pop(var, None)
    return env


def addons_path(odoo):
    return ",".join(str(p) for p in [ADDONS_DIR, *odoo.addons_paths])


def addons_hash():
    digest = hashlib.sha256()
    for path in sorted(ADDONS_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ADDONS_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cmd_run(args):
    started = time.monotonic()
    odoo = resolve_odoo()
    python = ensure_venv(odoo)
    http_port = int(os.environ.get("HTTP_PORT", "8069"))
    if _port_in_use(http_port, "0.0.0.0"):
        raise UserError(
            f"port {http_port} is taken (another Odoo running?); "
            "stop it or use HTTP_PORT=<port>"
        )
    pg = external_postgres(args.external_db) or embedded_postgres(
        "run", RUN_PG_PORT, fast=False
    )
    db = _ident(os.environ.get("DB", "edu_crm_demo"))
    data_dir = LOCAL / "filestore"
    data_dir.mkdir(parents=True, exist_ok=True)
    base = odoo_base_cmd(python, odoo, pg, db, data_dir)
    env = odoo_env(odoo)
    modules = ",".join(OUR_ADDONS)
    # the demo database only: a test-mode payment provider (payment_demo)
    demo_modules = ",".join(with_test_modules(OUR_ADDONS))
    hash_file = LOCAL / f"{db}.addons-hash"
    installed = pg.db_exists(db) and pg.psql(
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN "
        "('edu_crm','campaign_pressure','cmr_portal')",
        db=db,
    ) == str(len(OUR_ADDONS))
    current = addons_hash()
    if not installed:
        say(f"creating database {db} with {demo_modules} and demo data (a few minutes)")
        existed = pg.db_exists(db)
        try:
            _run_odoo(base + ["-i", demo_modules, "--stop-after-init"], env)
        except UserError:
            if not existed:  # leave no half-made database behind
                pg.drop_db(db)
            raise
        hash_file.write_text(current)
    elif not hash_file.exists() or hash_file.read_text() != current:
        say(f"addons changed since the last run: updating {modules} in {db}")
        _run_odoo(base + ["-u", modules, "--stop-after-init"], env)
        hash_file.write_text(current)
    serve = base + [
        "--http-port",
        str(http_port),
        "--http-interface",
        os.environ.get("HTTP_INTERFACE", "127.0.0.1"),
        "--db-filter",
        f"^{re.escape(db)}$",
    ]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    proc = subprocess.Popen(serve, env=env, start_new_session=True)

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    url = f"http://localhost:{http_port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{http_port}/web/login", timeout=5
            ) as r:
                if r.status == 200:
                    break
        time.sleep(0.5)
    if proc.poll() is not None:
        raise UserError(
            f"Odoo stopped with exit code {proc.returncode}; see the log above"
        )
    elapsed = time.monotonic() - started
    lines = [
        "",
        f"Odoo 18.0 with the education CRM is serving at {url}"
        f"  (ready in {elapsed:.0f} s)",
        f"database {db} on PostgreSQL {pg.host}:{pg.port}; Ctrl-C stops Odoo",
        "demo logins (login / password):",
    ]
    logins = set(pg.psql("SELECT login FROM res_users WHERE active", db=db).split())
    lines += [
        f"  {role:<20} {login} / {pw}"
        for role, login, pw in DEMO_LOGINS
        if login in logins
    ]
    say("\n".join(lines) + "\n")
    if args.exit_when_ready:
        forward(signal.SIGTERM, None)
        proc.wait(timeout=60)
        return 0
    return proc.wait()


def _run_odoo(cmd, env):
    proc = subprocess.run(cmd, env=env)
    if proc.returncode:
        raise UserError(f"Odoo exited with code {proc.returncode}; see the log above")


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LOG_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)


def browser_preflight(python):
    problems = []
    chrome = next(
        (
            b
            for b in (
                "google-chrome",
                "chromium",
                "chromium-browser",
                "google-chrome-stable",
            )
            if shutil.which(b)
        ),
        None,
    )
    if not chrome:
        problems.append("Chromium is missing (apt-get install chromium)")
    ok = subprocess.run(
        [str(python), "-c", "import websocket"], capture_output=True
    ).returncode
    if ok:
        problems.append(
            "websocket-client is missing (pip install websocket-client in .venv)"
        )
    if problems:
        raise UserError("browser tests cannot run: " + "; ".join(problems))


def analyse_log(lines, addons):
    """Counts and problems from an Odoo test log (list of str)."""
    ours = tuple(addons)
    report = {
        "run": 0,
        "failed": 0,
        "errors": 0,
        "skipped": 0,
        "problems": [],
        "found": False,
    }
    skip_re = re.compile(r"skipped (.*) : (.*)")
    for line in lines:
        match = LOG_RE.match(line)
        if match:
            level, logger, msg = match["level"], match["logger"], match["msg"]
            if logger == "odoo.tests.stats":
                continue
            result = RESULT_RE.search(msg)
            if result:
                report["found"] = True
                report["failed"] += int(result.group(1))
                report["errors"] += int(result.group(2))
                report["run"] += int(result.group(3))
                continue
            skip = skip_re.match(msg)
            if level == "INFO" and skip and logger.startswith("odoo.addons."):
                report["skipped"] += 1
                reason = skip.group(2)
                if re.search(r"chrom|browser|websocket", reason, re.I):
                    report["problems"].append(
                        f"browser test skipped: {skip.group(1)}: {reason}"
                    )
                continue
            if level in ("ERROR", "CRITICAL"):
                report["problems"].append(line)
            elif level == "WARNING" and _is_ours(logger, msg, ours):
                report["problems"].append(line)
    return report


def _is_ours(logger, msg, addons):
    for addon in addons:
        if logger.startswith(f"odoo.addons.{addon}"):
            return True
        if re.search(rf"\b{addon}\b", msg):
            return True
    return bool(
        re.search(r"\b(edu\.[a-z_.]+|campaign\.pressure[a-z_.]*|cmr\.[a-z_.]+)\b", msg)
    )


def cmd_test(args):
    started = time.monotonic()
    odoo = resolve_odoo()
    python = ensure_venv(odoo)
    addons = [
        a.strip() for a in (args.addons or ",".join(OUR_ADDONS)).split(",") if a.strip()
    ]
    unknown = [a for a in addons if not (ADDONS_DIR / a / "__manifest__.py").exists()]
    if unknown:
        raise UserError(f"unknown addon(s): {', '.join(unknown)}")
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    problems = []
    if not args.pytest_only:
        browser_preflight(python)
        pg = external_postgres(args.external_db) or embedded_postgres(
            "test", TEST_PG_PORT, fast=True
        )
        db = _ident(args.db or f"edu_test_{os.getpid()}")
        pg.drop_db(db)
        tags = args.tags or ",".join(f"/{a}" for a in addons)
        logs = LOCAL / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_file = logs / f"test-{db}.log"
        data_dir = LOCAL / "test-data"
        cmd = odoo_base_cmd(python, odoo, pg, db, data_dir) + (
            [
                "-i",
                ",".join(with_test_modules(addons)),
                "--test-enable",
                "--test-tags",
                tags,
                "--stop-after-init",
                "--http-port",
                str(args.http_port or free_port()),
                "--http-interface",
                "127.0.0.1",
                "--log-level",
                "test" if args.verbose else "info",
                "--max-cron-threads",
                "0",
            ]
        )
        if args.without_demo:
            cmd += ["--without-demo", "all"]
        say(
            f"installing {', '.join(addons)} on throwaway database {db}, "
            f"test tags {tags}"
        )
        lines = []
        with open(log_file, "w", encoding="utf-8") as out:
            proc = subprocess.Popen(
                cmd,
                env=odoo_env(odoo),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
            for line in proc.stdout:
                out.write(line)
                lines.append(line.rstrip("\n"))
                if args.verbose or _worth_echo(line):
                    sys.stdout.write(line)
                    sys.stdout.flush()
            rc = proc.wait()
        report = analyse_log(lines, addons)
        if not args.keep_db:
            pg.drop_db(db)
        if rc:
            problems.append(f"Odoo exited with code {rc} (log: {log_file})")
        if not report["found"]:
            problems.append(f"Odoo printed no test result line (log: {log_file})")
        bad = report["failed"] + report["errors"]
        totals["passed"] += report["run"] - bad - report["skipped"]
        totals["failed"] += bad
        totals["skipped"] += report["skipped"]
        problems += report["problems"]
        say(
            f"Odoo: {report['run']} tests, {report['failed']} failed,"
            f" {report['errors']} errors,"
            f" {report['skipped']} skipped, {len(report['problems'])} logged problems"
            f" (log: {log_file})"
        )
        if not report["run"] and not args.tags:
            problems.append("Odoo ran no test")
    if not args.odoo_only:
        junit = LOCAL / "logs" / f"pytest-{os.getpid()}.xml"
        junit.parent.mkdir(parents=True, exist_ok=True)
        pytest_args = args.pytest_args or ["tests"]
        env = odoo_env(odoo)
        env["EDU_ODOO_ADDONS_PATH"] = addons_path(odoo)
        proc = subprocess.run(
            [str(python), "-m", "pytest", "-q", f"--junitxml={junit}", *pytest_args],
            cwd=ROOT,
            env=env,
        )
        counts = _junit_counts(junit) if junit.exists() else None
        if proc.returncode not in (0, 1, 5) or counts is None:
            problems.append(f"pytest exited with code {proc.returncode}")
        if counts:
            totals["passed"] += counts["passed"]
            totals["failed"] += counts["failed"]
            totals["skipped"] += counts["skipped"]
    for problem in problems:
        print(f"PROBLEM: {problem}")
    elapsed = time.monotonic() - started
    failed = totals["failed"] + (1 if problems and not totals["failed"] else 0)
    say(f"total time {elapsed:.0f} s")
    line = f"{totals['passed']} passed, {failed} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(line, flush=True)
    return 1 if (failed or problems) else 0


def _worth_echo(line):
    return bool(
        re.search(
            r" (ERROR|CRITICAL|WARNING) | FAIL: | ERROR: |tests when loading|Traceback",
            line,
        )
        or re.search(r"odoo\.modules\.loading: \d+ modules loaded", line)
        or "Starting post tests" in line
    )


def _junit_counts(path):
    import xml.etree.ElementTree as ET  # noqa: PLC0415

    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts["failed"] += failed
        counts["skipped"] += skipped
        counts["passed"] += tests - failed - skipped
    return counts


# --------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------
def cmd_perf(args):
    odoo = resolve_odoo()
    python = ensure_venv(odoo)
    pg = external_postgres(args.external_db) or embedded_postgres(
        "test", TEST_PG_PORT, fast=True
    )
    db = _ident(os.environ.get("PERF_DB", "edu_perf"))
    hash_file = LOCAL / f"{db}.addons-hash"
    current = addons_hash()
    if (
        not pg.db_exists(db)
        or not hash_file.exists()
        or hash_file.read_text() != current
    ):
        pg.drop_db(db)
        say(f"creating benchmark database {db} (addons without demo data)")
        cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data") + (
            [
                "-i",
                ",".join(OUR_ADDONS),
                "--without-demo",
                "all",
                "--stop-after-init",
                "--log-level",
                "warn",
                "--max-cron-threads",
                "0",
            ]
        )
        _run_odoo(cmd, odoo_env(odoo))
        hash_file.write_text(current)
    env = odoo_env(odoo)
    env.update(
        EDU_PERF_DB=db,
        EDU_DB_HOST=pg.host,
        EDU_DB_PORT=str(pg.port),
        EDU_DB_USER=pg.user,
        EDU_ODOO_ADDONS_PATH=addons_path(odoo),
    )
    if pg.password:
        env["EDU_DB_PASSWORD"] = pg.password
    targets = args.pytest_args or ["tests/perf"]
    proc = subprocess.run(
        [str(python), "-m", "pytest", "-s", "-p", "no:cacheprovider", *targets],
        cwd=ROOT,
        env=env,
    )
    return proc.returncode


# --------------------------------------------------------------------------
# Lint
# --------------------------------------------------------------------------
def cmd_lint(args):
    odoo = resolve_odoo()
    python = ensure_venv(odoo)
    cmd = [
        str(python),
        "-m",
        "pre_commit",
        "run",
        "--show-diff-on-failure",
        "--color",
        "never",
    ]
    cmd += args.files and ["--files", *args.files] or ["--all-files"]
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode:
        raise UserError(
            "lint found problems (see above; most were fixed in place, re-run)"
        )
    say("lint passed")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve Odoo with the addons and demo data")
    run.add_argument("--external-db", action="store_true", help="use PG* variables")
    run.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "0")))
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    test = sub.add_parser("test", help="run all tests on a throwaway database")
    test.add_argument("--addons", default=os.environ.get("ADDONS"), help="comma list")
    test.add_argument("--tags", default=os.environ.get("TAGS"), help="Odoo --test-tags")
    test.add_argument("--db", default=os.environ.get("TEST_DB"))
    test.add_argument(
        "--keep-db", action="store_true", default=bool(os.environ.get("KEEP_DB"))
    )
    test.add_argument("--external-db", action="store_true")
    test.add_argument(
        "--http-port", type=int, default=int(os.environ.get("TEST_HTTP_PORT", 0))
    )
    test.add_argument("--without-demo", action="store_true")
    test.add_argument(
        "--odoo-only", action="store_true", default=bool(os.environ.get("ODOO_ONLY"))
    )
    test.add_argument(
        "--pytest-only",
        action="store_true",
        default=bool(os.environ.get("PYTEST_ONLY")),
    )
    test.add_argument("--verbose", "-v", action="store_true")
    test.add_argument(
        "pytest_args", nargs="*", help="arguments for pytest (default: tests)"
    )
    perf = sub.add_parser("perf", help="run the benchmarks in tests/perf")
    perf.add_argument("--external-db", action="store_true")
    perf.add_argument(
        "pytest_args", nargs="*", help="benchmark files (default: tests/perf)"
    )
    lint = sub.add_parser("lint", help="run the pre-commit hooks")
    lint.add_argument("files", nargs="*")
    sub.add_parser("stop", help="stop the embedded PostgreSQL clusters")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "test":
            return cmd_test(args)
        if args.command == "lint":
            return cmd_lint(args)
        if args.command == "perf":
            return cmd_perf(args)
        stop_clusters()
        return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
