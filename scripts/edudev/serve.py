"""`run`: the demo database with the three addons, then Odoo serving it."""

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from .common import (
    DEMO_LOGINS,
    DEV_ADDONS,
    LOCAL,
    RUN_PG_PORT,
    UserError,
    ident,
    port_in_use,
    say,
    with_test_modules,
)
from .mailsink import outgoing_mail, stop_sink
from .odoo_src import addons_hash, odoo_base_cmd, odoo_env, run_odoo
from .postgres import embedded_postgres, external_postgres
from .prepare import prepare


def cmd_run(args):
    started = time.monotonic()
    odoo, python = prepare("run", external_db=args.external_db)
    http_port = int(os.environ.get("HTTP_PORT", "8069"))
    if port_in_use(http_port, "0.0.0.0"):
        raise UserError(
            f"port {http_port} is taken (another Odoo running?); "
            "stop it or use HTTP_PORT=<port>"
        )
    pg = external_postgres(args.external_db) or embedded_postgres(
        "run", RUN_PG_PORT, fast=False
    )
    db = ident(os.environ.get("DB", "edu_crm_demo"))
    data_dir = LOCAL / "filestore"
    data_dir.mkdir(parents=True, exist_ok=True)
    mail_args, sink, mail_line = outgoing_mail(python)
    try:
        base = odoo_base_cmd(python, odoo, pg, db, data_dir) + mail_args
        env = odoo_env(odoo)
        _ensure_demo_db(pg, db, base, env)
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
        forward = _forward_signals(proc)
        _wait_ready(proc, http_port)
        _print_banner(pg, db, http_port, time.monotonic() - started, mail_line)
        if args.exit_when_ready:
            forward(signal.SIGTERM, None)
            proc.wait(timeout=60)
            return 0
        return proc.wait()
    finally:
        stop_sink(sink)


def _forward_signals(proc):
    """Ctrl-C and SIGTERM go to Odoo's process group; returns the handler."""

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    return forward


def _ensure_demo_db(pg, db, base, env):
    """Create ``db`` with the addons and demo data, or update them when changed."""
    modules = ",".join(DEV_ADDONS)
    # the demo database only: a test-mode payment provider (payment_demo)
    demo_modules = ",".join(with_test_modules(DEV_ADDONS))
    hash_file = LOCAL / f"{db}.addons-hash"
    existed = pg.db_exists(db)
    installed = (
        existed
        and pg.psql(
            "SELECT name FROM ir_module_module WHERE state = 'installed' AND name IN "
            f"({','.join(repr(name) for name in DEV_ADDONS)})",
            db=db,
        ).split()
    )
    current = addons_hash()
    if not installed:
        say(f"creating database {db} with {demo_modules} and demo data (a few minutes)")
        try:
            run_odoo(base + ["-i", demo_modules, "--stop-after-init"], env)
        except UserError:
            if not existed:  # leave no half-made database behind
                pg.drop_db(db)
            raise
        hash_file.write_text(current)
        return
    # a module missing (e.g. a glue module added since): -i installs it alone;
    # -i on the installed ones would reload their noupdate data over the
    # user's (Odoo's install mode writes it again)
    missing = [name for name in DEV_ADDONS if name not in installed]
    changed = not hash_file.exists() or hash_file.read_text() != current
    if missing or changed:
        cmd = base + ["--stop-after-init"]
        if missing:
            say(f"installing {','.join(missing)} in {db}")
            cmd += ["-i", ",".join(missing)]
        if changed:
            say(f"addons changed since the last run: updating {modules} in {db}")
            cmd += ["-u", modules]
        run_odoo(cmd, env)
        hash_file.write_text(current)


def _wait_ready(proc, http_port, timeout=120):
    deadline = time.monotonic() + timeout
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


def _print_banner(pg, db, http_port, elapsed, mail_line):
    url = f"http://localhost:{http_port}"
    lines = [
        "",
        f"Odoo 18.0 with the education CRM is serving at {url}"
        f"  (ready in {elapsed:.0f} s)",
        f"database {db} on PostgreSQL {pg.host}:{pg.port}; Ctrl-C stops Odoo",
        mail_line,
        "demo logins (login / password):",
    ]
    logins = set(pg.psql("SELECT login FROM res_users WHERE active", db=db).split())
    lines += [
        f"  {role:<20} {login} / {pw}"
        for role, login, pw in DEMO_LOGINS
        if login in logins
    ]
    say("\n".join(lines) + "\n")
