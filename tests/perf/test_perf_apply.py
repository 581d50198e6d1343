"""Latency of the public catalogue and of the application submit under load.

An Odoo server with workers is started against the benchmark database (as
in ``test_perf_portal.py``); 20 visitors with a portal account, each
from an address of their own (the server runs in proxy mode and every
visitor sends its own ``X-Forwarded-For``, as 20 people behind a proxy
do, so the form's rate limit per IP address does not stop them), at the
same time and without waiting between two pages, in each of ``ROUNDS``
rounds:

- read the catalogue ``/programmes`` and the intake page of that round;
- open the application form of that intake and submit it with the
  required document (a small PDF): one application per visitor and intake;
- read Odoo's own ``/my/invoices`` (stock Odoo), the baseline of the same
  run under the same load.

The issue's target: the catalogue and the submit's p95 at most 1.5x the
stock page's p95. The submit's query count not growing with the number of
programmes, intakes and applications is an Odoo test
(``cmr_portal/tests/test_apply.py``, ``test_submit_query_count_constant``).

Run: python3 scripts/devtool.py perf tests/perf/test_perf_apply.py
"""

import os
import re
import statistics
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
import serverlib
from benchlib import report

USERS = 20
ROUNDS = 5
WORKERS = 4
TARGET_RATIO = 1.5
PREFIX = "perf_apply_"
PDF = b"%PDF-1.4\n% perf\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


@pytest.fixture()
def odoo_server(registry):
    """The benchmark server, in proxy mode (one address per visitor)."""
    server_cmd = serverlib._server_cmd

    def proxied(port, workers):
        return server_cmd(port, workers) + ["--proxy-mode"]

    with (
        mock.patch.object(serverlib, "_server_cmd", proxied),
        serverlib.odoo_server(WORKERS, "perf-apply") as (base, _proc, _log),
    ):
        yield base


def _setup_intakes(registry):
    """A programme with one required document and ``ROUNDS`` intakes open
    for application, committed; returns (intake ids, requirement id)."""
    from odoo import SUPERUSER_ID, Command, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        _cleanup_env(env)
        product = env["product.product"].create(
            {"name": "Perf apply tuition", "type": "service", "lst_price": 3000.0}
        )
        programme = env["edu.programme"].create(
            {
                "code": "PERF-APPLY",
                "name": "Perf apply programme",
                "capacity": USERS,
                "product_id": product.id,
                "requirement_ids": [
                    Command.create({"name": "Identity document", "is_required": True})
                ],
            }
        )
        today = fields.Date.today()
        intakes = env["edu.intake"].create(
            [
                {
                    "programme_id": programme.id,
                    "name": f"Perf round {index}",
                    "date_start": today + timedelta(days=60 + index),
                    "date_end": today + timedelta(days=400),
                    "application_deadline": today + timedelta(days=30),
                }
                for index in range(ROUNDS)
            ]
        )
        intakes.action_open()
        cr.commit()
        return intakes.ids, programme.requirement_ids.id


def _cleanup_env(env):
    programmes = (
        env["edu.programme"]
        .with_context(active_test=False)
        .search([("code", "=", "PERF-APPLY")])
    )
    if not programmes:
        return
    leads = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("edu_programme_id", "in", programmes.ids)])
    )
    env["edu.application.document"].search([("lead_id", "in", leads.ids)]).unlink()
    leads.unlink()
    env["cmr.form.attempt"].search([("form", "=", "application")]).unlink()
    intakes = env["edu.intake"].search([("programme_id", "in", programmes.ids)])
    intakes.write({"state": "draft"})
    intakes.unlink()
    products = programmes.product_id
    programmes.unlink()
    products.unlink()


def _cleanup(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        _cleanup_env(api.Environment(cr, SUPERUSER_ID, {}))
        cr.commit()


def _visit(session, base, intake_id, requirement_id, latencies, errors):
    """One visitor's round: the catalogue, the intake, the submit, the
    stock page; each timed under its name."""

    def timed(name, method, path, expect, **kwargs):
        begin = time.perf_counter()
        response = session.request(
            method, f"{base}{path}", timeout=120, allow_redirects=False, **kwargs
        )
        latencies[name].append((time.perf_counter() - begin) * 1000)
        if response.status_code not in expect:
            errors.append((name, response.status_code, response.text[-300:]))
        return response

    timed("/programmes", "GET", "/programmes", (200,))
    timed("intake page", "GET", f"/programmes/intake/{intake_id}", (200,))
    form = session.get(f"{base}/apply/{intake_id}", timeout=120)
    token = CSRF_RE.search(form.text)
    if not token:
        errors.append(("apply form", form.status_code, form.text[-300:]))
        return
    login = session.headers["X-Perf-Login"]
    timed(
        "submit",
        "POST",
        f"/apply/{intake_id}",
        (302, 303),
        data={
            "csrf_token": token.group(1),
            "contact_name": login,
            "email": f"{login}@example.com",
            "funding": "self_paid",
        },
        files={f"doc_{requirement_id}": ("id.pdf", PDF, "application/pdf")},
    )
    timed("/my/invoices", "GET", "/my/invoices", (200,))


def _load(sessions, base, intake_ids, requirement_id):
    latencies = {
        name: [] for name in ("/programmes", "intake page", "submit", "/my/invoices")
    }
    errors = []
    for intake_id in intake_ids:
        start = threading.Barrier(len(sessions))

        def run(session, intake_id=intake_id, start=start):
            start.wait()
            _visit(session, base, intake_id, requirement_id, latencies, errors)

        threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors[:3]
    return latencies


def test_catalogue_and_submit_p95_under_load(registry, odoo_server):
    db = os.environ["EDU_PERF_DB"]
    logins = serverlib.setup_portal_users(registry, PREFIX, USERS)
    try:
        intake_ids, requirement_id = _setup_intakes(registry)
        sessions = []
        for index, login in enumerate(logins):
            session = serverlib.login(odoo_server, db, login)
            # Odoo applies the forwarded headers when a forwarded host is given
            session.headers["X-Forwarded-For"] = f"10.0.0.{index + 1}"
            session.headers["X-Forwarded-Host"] = odoo_server.split("//")[1]
            session.headers["X-Perf-Login"] = login
            sessions.append(session)
        # warm-up: every worker loads the pages (the catalogue only: an
        # application is made once per visitor and intake)
        for session in sessions[:WORKERS]:
            session.get(f"{odoo_server}/programmes", timeout=120)
            session.get(f"{odoo_server}/my/invoices", timeout=120)
        measured = _load(sessions, odoo_server, intake_ids, requirement_id)
    finally:
        _cleanup(registry)
        serverlib.cleanup_portal_users(registry, PREFIX)
    p95 = {name: _p95(values) for name, values in measured.items()}
    stock = p95["/my/invoices"]
    rows = [
        (
            name,
            f"p50 {statistics.median(values):.0f} ms, p95 {p95[name]:.0f} ms, "
            f"max {max(values):.0f} ms, n={len(values)}",
        )
        for name, values in measured.items()
    ]
    rows += [
        (f"{name} vs stock", f"{p95[name] / stock:.2f}x stock p95")
        for name in ("/programmes", "intake page", "submit")
    ]
    rows.append(("load average", " ".join(f"{x:.2f}" for x in os.getloadavg())))
    report(
        f"Catalogue and submit, {USERS} visitors x {ROUNDS} rounds, "
        f"{WORKERS} workers, {os.cpu_count()} CPUs",
        rows,
    )
    for name in ("/programmes", "intake page", "submit"):
        assert p95[name] <= TARGET_RATIO * stock, (name, p95)
