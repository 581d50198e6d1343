"""Fixtures for benchmarks: a real Odoo registry on a real PostgreSQL database.

`make perf` (scripts/devtool.py perf) creates or reuses the database named by
EDU_PERF_DB with the three addons installed *without* demo data, then runs
pytest on tests/perf with the connection in EDU_DB_HOST/PORT/USER and Odoo's
addons path in EDU_ODOO_ADDONS_PATH.

Every benchmark gets ``env`` (superuser environment) on a cursor that is rolled
back at the end, so a benchmark never leaves data behind unless it commits on
purpose (concurrency benchmarks) and cleans up itself.
"""

import contextlib
import os

import pytest

odoo = pytest.importorskip("odoo")


def _configure():
    from odoo.tools import config
    from serverlib import odoo_db_args

    args = [*odoo_db_args(), "--log-level", "warn"]
    config.parse_config(args, setup_logging=True)


@pytest.fixture(scope="session")
def registry():
    _configure()
    from odoo.modules.registry import Registry

    return Registry(os.environ["EDU_PERF_DB"])


@pytest.fixture()
def env(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        cr.rollback()


class QueryCounter:
    """Counts SQL queries run on a cursor (the same counter Odoo's
    assertQueryCount uses: cr.sql_log_count)."""

    def __init__(self, cr):
        self.cr = cr
        self.count = 0

    @contextlib.contextmanager
    def measure(self):
        self.cr.flush()
        start = self.cr.sql_log_count
        yield self
        self.cr.flush()
        self.count = self.cr.sql_log_count - start


@pytest.fixture()
def count_queries(env):
    """``with count_queries() as q: ...; q.count`` (includes the final flush)."""

    def factory():
        return QueryCounter(env.cr).measure()

    return factory
