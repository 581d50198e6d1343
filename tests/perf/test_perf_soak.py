"""Soak: the portal and the backend under a steady load for minutes, Odoo in
worker mode (issue 18, item 6).

``EDU_SOAK_USERS`` users (20) browse for ``EDU_SOAK_SECONDS`` (600) against a
server with ``EDU_SOAK_WORKERS`` HTTP workers (4): a quarter of them staff in
the backend (JSON-RPC calls the web client makes: the contacts list, a
person's file, the admissions list), the others portal users with a tuition
contract (their home, tuition, preferences, communications and education
pages, and Odoo's own /my/invoices, the stock baseline measured in the same
run). Each user waits 0.2-1.0 s between two pages.

Figures and verdict (``scripts/edudev/soak.py``): errors (any answer that is
not a 200, or a JSON-RPC error; must be 0), p50/p95/max per page and the p95
against stock /my/invoices, the HTTP workers' resident memory after the
warm-up and at the end (growth at most 10 %), and the load average.

Run: python3 scripts/devtool.py perf --soak --soak-seconds 120
"""

import os
import random
import sys
import threading
import time

import pytest
import serverlib
from benchlib import report

sys.path.insert(0, str(serverlib.ROOT / "scripts"))
from edudev import soak  # noqa: E402

PORTAL_PREFIX = "perf_soak_"
STAFF_PREFIX = "perf_soak_staff_"
PORTAL_PAGES = (
    "/my",
    "/my/tuition",
    "/my/preferences",
    "/my/communications",
    "/my/education",
    soak.BASELINE,
)
THINK = (0.2, 1.0)
PARTNER_FILE = {
    "display_name": {},
    "email": {},
    "edu_file_roles": {},
    "edu_file_programme_id": {"fields": {"display_name": {}}},
    "cmr_file_pressure": {},
    "cmr_file_contacts_month": {},
}


def _backend_calls(student_ids):
    """(page name, model, method, args, kwargs) the backend users call in
    turn."""
    return (
        (
            "backend: contacts list",
            "res.partner",
            "web_search_read",
            [],
            {
                "domain": [],
                "specification": {"display_name": {}, "email": {}, "phone": {}},
                "limit": 80,
            },
        ),
        (
            "backend: person's file",
            "res.partner",
            "web_read",
            [student_ids],
            {"specification": PARTNER_FILE},
        ),
        (
            "backend: admissions list",
            "crm.lead",
            "web_search_read",
            [],
            {
                "domain": [],
                "specification": {"name": {}, "stage_id": {}, "partner_id": {}},
                "limit": 80,
            },
        ),
    )


def _setup_staff(registry, count):
    from odoo import SUPERUSER_ID, Command, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"no_reset_password": True})
        _cleanup_staff_env(env)
        group = env.ref("edu_crm.group_edu_user")
        env["res.users"].create(
            [
                {
                    "name": f"Perf Staff {i}",
                    "login": f"{STAFF_PREFIX}{i}",
                    "password": f"{STAFF_PREFIX}{i}",
                    "groups_id": [Command.set(group.ids)],
                }
                for i in range(count)
            ]
        )
        cr.commit()
    return [f"{STAFF_PREFIX}{i}" for i in range(count)]


def _cleanup_staff_env(env):
    users = (
        env["res.users"]
        .with_context(active_test=False)
        .search([("login", "=like", f"{STAFF_PREFIX}%")])
    )
    partners = users.partner_id
    users.unlink()
    partners.unlink()


def _cleanup(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        _cleanup_staff_env(api.Environment(cr, SUPERUSER_ID, {}))
        cr.commit()
    serverlib.cleanup_portal_users(registry, PORTAL_PREFIX)


class Load:
    """The users' threads: latencies per page and errors, until ``until``."""

    def __init__(self, base, backend_calls):
        self.base = base
        self.backend_calls = backend_calls
        self.latencies = {page: [] for page in PORTAL_PAGES}
        self.latencies.update({call[0]: [] for call in backend_calls})
        self.errors = []
        self.lock = threading.Lock()

    def _record(self, page, begin, error):
        elapsed = (time.perf_counter() - begin) * 1000
        with self.lock:
            self.latencies[page].append(elapsed)
            if error:
                self.errors.append((page, error))

    def _portal_step(self, session, page):
        begin = time.perf_counter()
        try:
            response = session.get(
                f"{self.base}{page}", timeout=60, allow_redirects=False
            )
            error = None if response.status_code == 200 else response.status_code
        except Exception as exc:  # a timeout or a reset connection is an error
            error = type(exc).__name__
        self._record(page, begin, error)

    def _backend_step(self, session, call):
        page, model, method, args, kwargs = call
        begin = time.perf_counter()
        try:
            response = session.post(
                f"{self.base}/web/dataset/call_kw/{model}/{method}",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs,
                    },
                },
                timeout=60,
            )
            error = response.status_code if response.status_code != 200 else None
            if not error and "error" in response.json():
                error = response.json()["error"].get("message", "JSON-RPC error")
        except Exception as exc:
            error = type(exc).__name__
        self._record(page, begin, error)

    def run(self, sessions, until, think=THINK):
        """``sessions``: ``[(kind, session)]``; every user cycles through
        its pages until the monotonic time ``until``."""

        def user(kind, session, seed):
            rand = random.Random(seed)
            steps = PORTAL_PAGES if kind == "portal" else self.backend_calls
            step = self._portal_step if kind == "portal" else self._backend_step
            while time.monotonic() < until:
                for item in steps:
                    if time.monotonic() >= until:
                        return
                    if think:
                        time.sleep(rand.uniform(*think))
                    step(session, item)

        threads = [
            threading.Thread(target=user, args=(kind, session, seed))
            for seed, (kind, session) in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _sessions(base, db, portal_logins, staff_logins):
    return [("portal", serverlib.login(base, db, name)) for name in portal_logins] + [
        ("backend", serverlib.login(base, db, name)) for name in staff_logins
    ]


def test_soak_portal_and_backend(registry):
    config = soak.soak_config()
    db = os.environ["EDU_PERF_DB"]
    portal_logins = serverlib.setup_portal_users(
        registry, PORTAL_PREFIX, config.portal_users
    )
    staff_logins = _setup_staff(registry, config.backend_users)
    try:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT partner_id FROM res_users WHERE login = ANY(%s)",
                [portal_logins[:3]],
            )
            students = [row[0] for row in cr.fetchall()]
        with serverlib.odoo_server(config.workers, "perf-soak") as (base, proc, log):
            sessions = _sessions(base, db, portal_logins, staff_logins)
            # warm-up: every worker loads the registry, views and templates
            warm = Load(base, _backend_calls(students))
            warm.run(sessions, time.monotonic() + 20, think=None)
            assert not warm.errors, warm.errors[:5]
            rss_start = soak.http_workers(proc.pid)
            load = Load(base, _backend_calls(students))
            load.run(sessions, time.monotonic() + config.seconds)
            rss_end = soak.http_workers(proc.pid)
            summary = soak.summarize(
                config,
                load.latencies,
                load.errors,
                rss_start,
                rss_end,
                os.getloadavg(),
            )
    finally:
        _cleanup(registry)
    report(
        f"Soak, {os.cpu_count()} CPUs (server log {log})",
        [(line, "") for line in soak.format_report(summary)],
    )
    problems = soak.failures(summary)
    if problems:
        pytest.fail("; ".join(problems))
