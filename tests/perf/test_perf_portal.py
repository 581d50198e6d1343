"""Latency of the portal pages /my/tuition and /my/preferences under load.

An Odoo server with workers (prefork) is started on a free 127.0.0.1 port
against the benchmark database; 20 portal users, each with a tuition contract
of 12 instalments, request the pages (one thread per user) in three
scenarios:

- sequential: one user at a time (the service time of a page);
- 20 users browsing: each user waits 0.5-1.5 s between two pages;
- 20 users saturating: no wait at all (worst case, queueing on 2 cores).

Baseline measured in the same run under the same load: Odoo's own portal
page /my/invoices (stock Odoo). The issue's target is a p95 under 150 ms on
2 cores; the assertion is "within the target, or no slower than twice the
stock page" in each scenario, because the machine is shared.

Run: python3 scripts/devtool.py perf tests/perf/test_perf_portal.py
"""

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from benchlib import report

USERS = 20
REQUESTS_PER_USER = 15
WORKERS = 4
TARGET_P95_MS = 150.0
LOGIN_PREFIX = "perf_portal_"
ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _setup_data(registry):
    """Portal users with a contract each, committed (the server reads them);
    removed again by _cleanup."""
    from odoo import SUPERUSER_ID, Command, api, fields

    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "no_reset_password": True}
        )
        _cleanup_env(env)
        portal = env.ref("base.group_portal")
        programme = env["edu.programme"].create(
            {"code": "PERF-PORTAL", "name": "Perf Portal Programme"}
        )
        plan = env["edu.payment.plan"].create(
            {"name": "Perf 12 months", "plan_type": "monthly", "instalment_count": 12}
        )
        product = env["product.product"].create(
            {"name": "Perf tuition", "type": "service", "lst_price": 1200.0}
        )
        programme.product_id = product
        users = env["res.users"].create(
            [
                {
                    "name": f"Perf Portal {i}",
                    "login": f"{LOGIN_PREFIX}{i}",
                    "password": f"{LOGIN_PREFIX}{i}",
                    "email": f"{LOGIN_PREFIX}{i}@example.com",
                    "groups_id": [Command.set(portal.ids)],
                }
                for i in range(USERS)
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
    return [f"{LOGIN_PREFIX}{i}" for i in range(USERS)]


def _cleanup_env(env):
    users = (
        env["res.users"]
        .with_context(active_test=False)
        .search([("login", "=like", f"{LOGIN_PREFIX}%")])
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
    env["edu.payment.plan"].search([("name", "=", "Perf 12 months")]).unlink()
    programmes = (
        env["edu.programme"]
        .with_context(active_test=False)
        .search([("code", "=", "PERF-PORTAL")])
    )
    products = programmes.product_id
    programmes.unlink()
    products.unlink()


def _cleanup(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        _cleanup_env(api.Environment(cr, SUPERUSER_ID, {}))
        cr.commit()


@pytest.fixture()
def odoo_server(registry):
    """An Odoo server with workers on a free port, stopped afterwards."""
    import odoo

    port = _free_port()
    odoo_root = Path(odoo.__file__).resolve().parent.parent
    odoo_bin = odoo_root / "odoo-bin"
    cmd = (
        [sys.executable, str(odoo_bin)]
        if odoo_bin.exists()
        else [sys.executable, "-m", "odoo"]
    )
    db = os.environ["EDU_PERF_DB"]
    cmd += [
        "--addons-path",
        os.environ["EDU_ODOO_ADDONS_PATH"],
        "--db_host",
        os.environ["EDU_DB_HOST"],
        "--db_port",
        os.environ["EDU_DB_PORT"],
        "--db_user",
        os.environ["EDU_DB_USER"],
        "-d",
        db,
        "--db-filter",
        f"^{db}$",
        "--data-dir",
        str(ROOT / ".local" / "test-data"),
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--gevent-port",
        str(_free_port()),
        "--workers",
        str(WORKERS),
        "--max-cron-threads",
        "0",
        "--log-level",
        "warn",
        "--no-database-list",
    ]
    if os.environ.get("EDU_DB_PASSWORD"):
        cmd += ["--db_password", os.environ["EDU_DB_PASSWORD"]]
    log_path = ROOT / ".local" / "logs" / f"perf-portal-server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _login(base, db, login):
    session = requests.Session()
    response = session.post(
        f"{base}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": db, "login": login, "password": login},
        },
        timeout=30,
    )
    response.raise_for_status()
    assert response.json().get("result", {}).get("uid"), response.text[:300]
    return session


def _load(sessions, base, paths, think=None, rounds=REQUESTS_PER_USER):
    """Every user requests the paths in turn (waiting ``think`` = (min, max)
    seconds between two pages); returns path -> latencies (ms)."""
    latencies = {path: [] for path in paths}
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(len(sessions))

    def run(session):
        start.wait()
        rand = random.Random(id(session))
        for _i in range(rounds):
            for path in paths:
                if think:
                    time.sleep(rand.uniform(*think))
                begin = time.perf_counter()
                response = session.get(
                    f"{base}{path}", timeout=60, allow_redirects=False
                )
                elapsed = (time.perf_counter() - begin) * 1000
                with lock:
                    if response.status_code != 200:
                        errors.append((path, response.status_code))
                    latencies[path].append(elapsed)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    return latencies


def _summary(title, measured, ours, rows):
    p95 = {path: _p95(values) for path, values in measured.items()}
    for path, values in measured.items():
        rows.append(
            (
                f"{title}: {path}",
                f"p50 {statistics.median(values):.0f} ms, p95 {p95[path]:.0f} ms, "
                f"max {max(values):.0f} ms, n={len(values)}",
            )
        )
    base_p95 = p95["/my/invoices"]
    for path in ours:
        met = "met" if p95[path] < TARGET_P95_MS else "NOT met"
        rows.append(
            (
                f"{title}: {path} vs stock",
                f"{p95[path] / base_p95:.2f}x stock p95; target {met}",
            )
        )
    return p95


def test_portal_pages_p95_under_load(registry, odoo_server):
    db = os.environ["EDU_PERF_DB"]
    logins = _setup_data(registry)
    ours = ["/my/tuition", "/my/preferences"]
    paths = ours + ["/my/invoices"]
    try:
        sessions = [_login(odoo_server, db, login) for login in logins]
        # warm-up: every worker loads the registry and the templates
        _load(sessions[:WORKERS], odoo_server, paths)
        scenarios = {
            "sequential": _load(sessions[:1], odoo_server, paths, rounds=20),
            "20 browsing": _load(
                sessions, odoo_server, paths, think=(0.5, 1.5), rounds=8
            ),
            "20 saturating": _load(sessions, odoo_server, paths),
        }
    finally:
        _cleanup(registry)
    rows = []
    results = {
        title: _summary(title, measured, ours, rows)
        for title, measured in scenarios.items()
    }
    report(
        f"Portal latency, {USERS} users, {WORKERS} workers, {os.cpu_count()} CPUs", rows
    )
    for title, p95 in results.items():
        for path in ours:
            limit = max(TARGET_P95_MS, 2 * p95["/my/invoices"])
            assert p95[path] < limit, (title, path, p95)
