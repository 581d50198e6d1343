"""RFM scoring at scale against a plain GROUP BY (issue 15, Speed).

Run: python3 scripts/devtool.py perf tests/perf/test_perf_rfm.py
(``EDU_RFM_PERSONS``, 100,000 by default, and ``EDU_RFM_ROWS``, the
contact-log rows, 10,000,000 by default; ``PERF_DB`` a database of your own).

Seeded in SQL (generate_series): the persons, the contact-log rows spread
over two years (one in 47 released, never sent) and one response per
twenty persons. The seed is committed and kept in ``PERF_DB`` (seeding 10
million rows takes minutes): the next run with the same sizes reuses it,
other sizes replace it. The tables are vacuumed before measuring, as
autovacuum keeps a log that only grows (PostgreSQL reads an index alone only
on vacuumed pages). Measured in the same run:

- the baseline: a plain GROUP BY over the same contact-log rows (per
  person, the last contact and the contacts of the last 12 months);
- the scoring: the daily job's one statement (every source, quintiles,
  segments, the persons written and the history), first on persons never
  scored (every person written, a history row each: reported), then again
  with nothing changed, then after one person in ten was contacted again
  (the daily case: only what changed is written).

Target: the daily scoring within 2x the baseline. The scoring writes, and
PostgreSQL never runs a statement that writes with parallel workers: the
baseline is measured with and without them (and without JIT, which the
scoring switches off), the assertion is against the one without (the ratio
to both is printed). Everything measured is rolled
back.
"""

import os
from datetime import timedelta

from benchlib import report, timer
from odoo import fields
from odoo.tools import SQL

PERSONS = int(os.environ.get("EDU_RFM_PERSONS", "100000"))
ROWS = int(os.environ.get("EDU_RFM_ROWS", "10000000"))
RUNS = 2
SEED_PARAM = "edu_campaign.perf_rfm_seed"
SEED_NAME = "Perf RFM %"
TABLES = ("res_partner", "campaign_pressure_contact", "campaign_response")


def _seed(env):
    cr = env.cr
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, email, email_normalized, active, type,
                      lang, create_date, write_date, autopost_bills)
               SELECT 'Perf RFM ' || g, 'rfm' || g || '@perf.test',
                      'rfm' || g || '@perf.test', true, 'contact', 'en_US',
                      now(), now(), 'ask'
                 FROM generate_series(1, %s) g
            RETURNING id""",
            PERSONS,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    # row g goes to person g mod N, on a day spread over two years that
    # depends on both (persons differ in recency and frequency)
    cr.execute(
        SQL(
            """INSERT INTO campaign_pressure_contact (person_key, partner_id,
                      channel, contact_date, weight, source, state,
                      is_transactional, company_id, unit_cost)
               SELECT 'p:' || s.pid, s.pid,
                      (ARRAY['email','sms','phone','letter'])[1 + mod(s.g, 4)],
                      now() at time zone 'utc'
                          - mod(s.g * 7919 + s.n * 104729, 730) * interval '1 day'
                          * (1 + mod(s.n, 3)) / 3,
                      1, 'mailing',
                      CASE WHEN mod(s.g, 47) = 0 THEN 'released' ELSE 'confirmed' END,
                      false, %(company)s, 0
                 FROM (SELECT g, mod(g, %(persons)s) AS n,
                              (%(ids)s::int[])[1 + mod(g, %(persons)s)] AS pid
                         FROM generate_series(0::bigint, %(rows)s - 1) g) s""",
            company=env.company.id,
            rows=ROWS,
            ids=ids,
            persons=PERSONS,
        )
    )
    cr.execute(
        SQL(
            """INSERT INTO campaign_response (partner_id, date, polarity, source,
                      company_id, create_date, write_date)
               SELECT id, now() at time zone 'utc' - mod(id, 300) * interval '1 day',
                      'positive', 'manual', %s, now(), now()
                 FROM unnest(%s::int[]) AS u(id) WHERE mod(id, 20) = 0""",
            env.company.id,
            ids,
        )
    )
    return ids


def _unseed(env):
    """Remove the seed of an earlier run of other sizes."""
    persons = SQL("SELECT id FROM res_partner WHERE name LIKE %s", SEED_NAME)
    for table in ("campaign_pressure_contact", "campaign_response", "edu_rfm_history"):
        env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE partner_id IN (%s)",
                SQL.identifier(table),
                persons,
            )
        )
    env.cr.execute(SQL("DELETE FROM res_partner WHERE name LIKE %s", SEED_NAME))


def _kept_seed(registry):
    """Seed ``PERF_DB`` once per sizes (committed), vacuum; the seconds
    the seeding took, None when the seed was kept from an earlier run."""
    from odoo import SUPERUSER_ID, api
    from odoo.sql_db import db_connect

    seconds = None
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sizes = f"{PERSONS}:{ROWS}"
        params = env["ir.config_parameter"]
        if params.get_param(SEED_PARAM) != sizes:
            with timer() as seed:
                _unseed(env)
                _seed(env)
            params.set_param(SEED_PARAM, sizes)
            cr.commit()
            seconds = seed.seconds
    with db_connect(registry.db_name).cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(
            SQL("VACUUM ANALYZE %s", SQL(", ").join(map(SQL.identifier, TABLES)))
        )
    return seconds


def _baseline(env):
    since = fields.Datetime.now() - timedelta(days=365)
    env.cr.execute(
        SQL(
            """SELECT count(*), sum(n), max(last) FROM (
                   SELECT partner_id, max(contact_date) AS last,
                          count(*) FILTER (WHERE contact_date >= %s) AS n
                     FROM campaign_pressure_contact
                    WHERE partner_id IS NOT NULL AND state <> 'released'
                    GROUP BY partner_id) s""",
            since,
        )
    )
    return env.cr.fetchone()[:2]


def _history_count(env):
    env.cr.execute(SQL("SELECT count(*) FROM edu_rfm_history"))
    return env.cr.fetchone()[0]


def _segments(env):
    env.cr.execute(
        SQL(
            """SELECT s.code, count(*) FROM res_partner p
                 JOIN edu_rfm_segment s ON s.id = p.edu_rfm_segment_id
                WHERE p.name LIKE 'Perf RFM %%' GROUP BY s.code ORDER BY 2 DESC"""
        )
    )
    return ", ".join(f"{code} {n:,}" for code, n in env.cr.fetchall())


def _next_day(env):
    """One person in ten is contacted again today: their recency and
    frequency move, and with them the quintiles of others."""
    env.cr.execute(
        SQL(
            """INSERT INTO campaign_pressure_contact (person_key, partner_id,
                      channel, contact_date, weight, source, state,
                      is_transactional, company_id, unit_cost)
               SELECT 'p:' || id, id, 'email', now() at time zone 'utc', 1,
                      'mailing', 'confirmed', false, %s, 0
                 FROM res_partner
                WHERE name LIKE %s AND mod(id, 10) = 0""",
            env.company.id,
            "Perf RFM %",
        )
    )
    return env.cr.rowcount


def test_perf_rfm_vs_group_by(registry):
    seeded = _kept_seed(registry)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        try:
            _measure(api.Environment(cr, SUPERUSER_ID, {}), seeded)
        finally:
            cr.rollback()


def _measure(env, seeded):
    Partner = env["res.partner"]
    base_times, serial_times = [], []
    for _i in range(RUNS):
        with timer() as base:
            people, _n = _baseline(env)
        base_times.append(base.seconds)
        # a statement that writes never runs in parallel (PostgreSQL): the
        # same GROUP BY without parallel workers
        # nor with JIT, which the scoring switches off (as it does)
        env.cr.execute(SQL("SET LOCAL max_parallel_workers_per_gather = 0"))
        env.cr.execute(SQL("SET LOCAL jit = off"))
        with timer() as serial:
            _baseline(env)
        serial_times.append(serial.seconds)
        env.cr.execute(SQL("RESET max_parallel_workers_per_gather"))
        env.cr.execute(SQL("RESET jit"))
    history_before = _history_count(env)
    with timer() as first:
        Partner._cron_compute_rfm()
    written = _history_count(env) - history_before
    segments = _segments(env)
    with timer() as same:
        Partner._cron_compute_rfm()
    unchanged = _history_count(env) - history_before - written
    contacted = _next_day(env)
    with timer() as again:
        Partner._cron_compute_rfm()
    changed = _history_count(env) - history_before - written - unchanged
    best_base, best_serial = min(base_times), min(serial_times)

    def ratios(seconds):
        return (
            f"ratio {seconds / best_base:.2f}x"
            f" ({seconds / best_serial:.2f}x the serial GROUP BY)"
        )

    report(
        f"RFM, {PERSONS:,} persons over {ROWS:,} contact-log rows",
        [
            (
                "seeding (not measured)",
                "kept from an earlier run" if seeded is None else f"{seeded:.1f} s",
            ),
            (
                "baseline: plain GROUP BY of the contact log",
                f"{best_base:.2f} s (runs: "
                + ", ".join(f"{t:.2f}" for t in base_times)
                + f"; {people:,} persons)",
            ),
            (
                "baseline without parallel workers nor JIT",
                f"{best_serial:.2f} s (runs: "
                + ", ".join(f"{t:.2f}" for t in serial_times)
                + ")",
            ),
            (
                "scoring, persons never scored",
                f"{first.seconds:.2f} s ({written:,} history rows)"
                f", {ratios(first.seconds)}",
            ),
            (
                "scoring again, nothing changed",
                f"{same.seconds:.2f} s ({unchanged:,} history rows)"
                f", {ratios(same.seconds)}",
            ),
            (
                f"next day: {contacted:,} persons contacted again",
                f"{again.seconds:.2f} s ({changed:,} history rows)"
                f", {ratios(again.seconds)}",
            ),
            ("segments", segments),
            ("target", "<= 2x the baseline (asserted: the serial one)"),
        ],
    )
    assert people >= PERSONS
    assert written >= PERSONS, "each person scored enters a segment"
    assert unchanged == 0, "nothing changed: no history row"
    assert 0 < changed < PERSONS
    # the daily runs; the first one writes every person once (reported)
    assert same.seconds <= 2 * best_serial
    assert again.seconds <= 2 * best_serial
