"""An Odoo server in worker mode on the benchmark database, portal users with
a tuition contract each, and logged-in sessions: what the portal benchmark
and the soak share (``from serverlib import ...``)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_portal_users(registry, prefix, count):
    """``count`` portal users (login = password = ``prefix`` + n) with a
    contract of 12 instalments each, committed (the server reads them);
    removed again by :func:`cleanup_portal_users`."""
    from odoo import SUPERUSER_ID, Command, api, fields

    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "no_reset_password": True}
        )
        _cleanup_env(env, prefix)
        portal = env.ref("base.group_portal")
        programme = env["edu.programme"].create(
            {"code": _code(prefix), "name": f"Perf programme {prefix}"}
        )
        plan = env["edu.payment.plan"].create(
            {"name": _plan(prefix), "plan_type": "monthly", "instalment_count": 12}
        )
        product = env["product.product"].create(
            {"name": "Perf tuition", "type": "service", "lst_price": 1200.0}
        )
        programme.product_id = product
        users = env["res.users"].create(
            [
                {
                    "name": f"Perf Portal {i}",
                    "login": f"{prefix}{i}",
                    "password": f"{prefix}{i}",
                    "email": f"{prefix}{i}@example.com",
                    "groups_id": [Command.set(portal.ids)],
                }
                for i in range(count)
            ]
        )
        contracts = env["edu.tuition.contract"].create(
            [
                {
                    "student_id": user.partner_id.id,
                    "programme_id": programme.id,
                    "plan_id": plan.id,
                    "date_start": fields.Date.today(),
                    "payer_ids": [
                        Command.create(
                            {"partner_id": user.partner_id.id, "share": 100.0}
                        )
                    ],
                }
                for user in users
            ]
        )
        for contract in contracts:
            contract._edu_generate_schedule()
        # active without invoicing: the page lists the schedule either way
        contracts.write({"state": "active"})
        cr.commit()
    return [f"{prefix}{i}" for i in range(count)]


def _code(prefix):
    return prefix.strip("_").upper().replace("_", "-")


def _plan(prefix):
    return f"Perf 12 months {prefix}"


def _cleanup_env(env, prefix):
    users = (
        env["res.users"]
        .with_context(active_test=False)
        .search([("login", "=like", f"{prefix}%")])
    )
    if users:
        contracts = env["edu.tuition.contract"].search(
            [("student_id", "in", users.partner_id.ids)]
        )
        contracts.write({"state": "cancelled"})
        contracts.unlink()
        partners = users.partner_id
        env["cmr.consent.log"].search([("partner_id", "in", partners.ids)]).unlink()
        users.unlink()
        partners.unlink()
    env["edu.payment.plan"].search([("name", "=", _plan(prefix))]).unlink()
    programmes = (
        env["edu.programme"]
        .with_context(active_test=False)
        .search([("code", "=", _code(prefix))])
    )
    products = programmes.product_id
    programmes.unlink()
    products.unlink()


def cleanup_portal_users(registry, prefix):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        _cleanup_env(api.Environment(cr, SUPERUSER_ID, {}), prefix)
        cr.commit()


def _server_cmd(port, workers):
    import odoo

    odoo_root = Path(odoo.__file__).resolve().parent.parent
    # a launcher script, not ``-m odoo``: in worker mode Odoo starts its
    # long-polling process as ``python <argv[0]> gevent``, which fails for
    # odoo/__main__.py (a relative import) and is started again and again
    launchers = [odoo_root / "odoo-bin", odoo_root / "setup" / "odoo"]
    found = [path for path in launchers if path.exists()]
    cmd = [sys.executable, str(found[0])] if found else [sys.executable, "-m", "odoo"]
    db = os.environ["EDU_PERF_DB"]
    cmd += odoo_db_args()
    cmd += [
        "--db-filter",
        f"^{db}$",
        "--data-dir",
        str(ROOT / ".local" / "test-data"),
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--gevent-port",
        str(free_port()),
        "--workers",
        str(workers),
        "--max-cron-threads",
        "0",
        "--log-level",
        "warn",
        "--no-database-list",
    ]
    return cmd


def odoo_db_args():
    """Odoo's options for the benchmark database (``devtool perf`` passes
    them in the environment)."""
    args = [
        "--addons-path",
        os.environ["EDU_ODOO_ADDONS_PATH"],
        "--db_host",
        os.environ["EDU_DB_HOST"],
        "--db_port",
        os.environ["EDU_DB_PORT"],
        "--db_user",
        os.environ["EDU_DB_USER"],
        "-d",
        os.environ["EDU_PERF_DB"],
    ]
    if os.environ.get("EDU_DB_PASSWORD"):
        args += ["--db_password", os.environ["EDU_DB_PASSWORD"]]
    return args


@contextlib.contextmanager
def odoo_server(workers, name="perf"):
    """An Odoo server with ``workers`` on a free port: yields ``(base url,
    process)``, stopped afterwards."""
    import pytest

    port = free_port()
    log_path = ROOT / ".local" / "logs" / f"{name}-server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            _server_cmd(port, workers),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(
                    f"Odoo server exited with {proc.returncode}, see {log_path}"
                )
            try:
                if (
                    requests.get(
                        f"{base}/web/webclient/version_info", timeout=2
                    ).status_code
                    < 500
                ):
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail(f"Odoo server did not answer in time, see {log_path}")
        yield base, proc, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def login(base, db, user, password=None):
    """A ``requests.Session`` logged in as ``user`` (password = login)."""
    session = requests.Session()
    response = session.post(
        f"{base}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": db, "login": user, "password": password or user},
        },
        timeout=30,
    )
    response.raise_for_status()
    assert response.json().get("result", {}).get("uid"), response.text[:300]
    return session
