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
import statistics
import threading
import time

import pytest
import serverlib
from benchlib import report

USERS = 20
REQUESTS_PER_USER = 15
WORKERS = 4
TARGET_P95_MS = 150.0
LOGIN_PREFIX = "perf_portal_"


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


@pytest.fixture()
def odoo_server(registry):
    """An Odoo server with workers on a free port, stopped afterwards."""
    with serverlib.odoo_server(WORKERS, "perf-portal") as (base, _proc, _log):
        yield base


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
    logins = serverlib.setup_portal_users(registry, LOGIN_PREFIX, USERS)
    ours = ["/my/tuition", "/my/preferences"]
    paths = ours + ["/my/invoices"]
    try:
        sessions = [serverlib.login(odoo_server, db, login) for login in logins]
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
        serverlib.cleanup_portal_users(registry, LOGIN_PREFIX)
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
