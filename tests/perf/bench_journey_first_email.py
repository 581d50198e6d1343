"""Journeys benchmark (issue 14): N participants enter a journey and get its
first email step, beside the same recipients sent as one plain mailing.

Run: python3 scripts/devtool.py perf tests/perf/bench_journey_first_email.py
(JOURNEY_PERF_N recipients, default 10,000; the issue's target is 100,000:
about ten times as long on this class of machine).

Both sends go through Odoo's mass-mail composer with the pressure rules on
(the same two rules as the pressure benchmark), each in its own transaction
rolled back afterwards, with the touched tables vacuumed between them. The
journey side is measured as the cron does it: the entry statement, then the
runner's tick claiming 500 work items a batch, one mailing send per batch.
Target: the journey's step at most 1.10x the plain mailing.

Peer in the same run: OCA ``automation_oca`` (pinned in ``ocalib.py``,
installed from PyPI into ``.local/perf-addons/`` by the benchmark itself)
doing the same entry and first email step for JOURNEY_PERF_OCA_N records
(2,000), in its own rolled-back transaction; per participant, the journey's
entry and step must be at least 10x faster than the peer's.
"""

import os
import threading

from benchlib import report, timer
from ocalib import OCA_REQUIREMENT, measure_oca, oca_registry
from odoo.tools import SQL
from test_perf_pressure import _rules, _vacuum

N = int(os.environ.get("JOURNEY_PERF_N", "10000"))
N_OCA = int(os.environ.get("JOURNEY_PERF_OCA_N", "2000"))
BATCH = 500
TABLES = (
    "mail_mail",
    "mail_message",
    "mailing_trace",
    "mailing_mailing",
    "campaign_pressure_contact",
    "campaign_pressure_person",
    "campaign_journey_participant",
    "campaign_journey_participant_step",
    "automation_record",
    "automation_record_step",
)


class _Testing:
    """Odoo's test mode for the thread: the composer does not commit per
    batch (the measured transaction is rolled back)."""

    def __enter__(self):
        self.thread = threading.current_thread()
        self.previous = getattr(self.thread, "testing", None)
        self.thread.testing = True

    def __exit__(self, *exc):
        if self.previous is None:
            del self.thread.testing
        else:
            self.thread.testing = self.previous


def _plain(env, tag):
    mailing = env["mailing.mailing"].create(
        {
            "name": "Plain",
            "subject": "Welcome",
            "body_html": "<p>Welcome {{ object.name }}</p>",
            "mailing_model_id": env["ir.model"]._get("res.partner").id,
            "mailing_domain": repr([("function", "=", tag)]),
        }
    )
    env.flush_all()
    env.invalidate_all()
    start = env.cr.sql_log_count
    with _Testing(), timer() as t:
        mailing.action_send_mail()
        env.flush_all()
    return {"send": t.seconds, "queries": env.cr.sql_log_count - start}


def _journey(env, tag):
    journey = env["campaign.journey"].create(
        {
            "name": "Perf journey",
            "model_id": env["ir.model"]._get("res.partner").id,
            "domain": repr([("function", "=", tag)]),
        }
    )
    env["campaign.journey.step"].create(
        {
            "journey_id": journey.id,
            "name": "Welcome",
            "kind": "email",
            "subject": "Welcome",
            "body_html": "<p>Welcome {{ object.name }}</p>",
        }
    )
    env.flush_all()
    env.invalidate_all()
    cr = env.cr
    start = cr.sql_log_count
    with timer() as entry:
        journey.action_launch()
        env.flush_all()
    entry_queries = cr.sql_log_count - start
    runner = env["campaign.journey.runner"]
    batches = []
    original = type(runner)._journey_run_claimed

    def timed(self, claimed, **kwargs):
        before = cr.sql_log_count
        with timer() as t:
            result = original(self, claimed, **kwargs)
        batches.append((len(claimed), t.seconds, cr.sql_log_count - before))
        return result

    type(runner)._journey_run_claimed = timed
    start = cr.sql_log_count
    try:
        with _Testing(), timer() as step:
            runner._cron_run_journeys(batch_size=BATCH, max_seconds=3600)
            env.flush_all()
    finally:
        type(runner)._journey_run_claimed = original
    done = env["campaign.journey.participant.step"].search_count(
        [("journey_id", "=", journey.id), ("state", "in", ("done", "held"))]
    )
    return {
        "entry": entry.seconds,
        "entry_queries": entry_queries,
        "send": step.seconds,
        "queries": cr.sql_log_count - start,
        "batches": batches,
        "done": done,
    }


def _rolled_back(registry, func, *args):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        result = func(env, *args)
        cr.rollback()
    _vacuum(registry, TABLES)
    return result


def test_perf_journey_first_email_vs_plain_mailing(registry):
    from odoo import SUPERUSER_ID, api

    tag = "journey-perf"
    registry = oca_registry(registry)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        active_rules = env["campaign.pressure.rule"].search([])
        rules = _rules(env)
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Journey recipient {i}",
                    "email": f"journey{i}@journey.perf",
                    "function": tag,
                }
                for i in range(N)
            ]
        )
        cr.commit()  # pylint: disable=invalid-commit
        partner_ids, rule_ids, active_ids = partners.ids, rules.ids, active_rules.ids
    try:
        _vacuum(registry, TABLES)
        loads = []  # the machine is shared: its load after each measurement
        plain = _rolled_back(registry, _plain, tag)
        loads.append(("plain", os.getloadavg()))
        journey = _rolled_back(registry, _journey, tag)
        loads.append(("journey", os.getloadavg()))
        oca = _rolled_back(registry, measure_oca, partner_ids[:N_OCA], _Testing)
        loads.append(("OCA", os.getloadavg()))
        plain_again = _rolled_back(registry, _plain, tag)
        loads.append(("plain again", os.getloadavg()))
    finally:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(
                SQL(
                    "DELETE FROM campaign_pressure_contact WHERE partner_id = ANY(%s)",
                    partner_ids,
                )
            )
            env["res.partner"].browse(partner_ids).unlink()
            env["campaign.pressure.rule"].browse(rule_ids).unlink()
            env["campaign.pressure.rule"].browse(active_ids).active = True
            cr.commit()  # pylint: disable=invalid-commit
    best_plain = min(plain["send"], plain_again["send"])
    ratio = journey["send"] / best_plain
    batches = journey["batches"]
    per_batch = [q for _n, _s, q in batches]
    ours_each = (journey["entry"] + journey["send"]) / N
    oca_each = oca["total"] / oca["n"]
    report(
        f"journey: {N:,} participants enter and get the first email "
        f"(batches of {BATCH}) vs one plain mailing",
        [
            (
                "plain mailing send",
                f"{plain['send']:.2f} s / {plain_again['send']:.2f} s"
                f", {plain['queries']} queries",
            ),
            (
                "journey entry (launch)",
                f"{journey['entry']:.2f} s, {journey['entry_queries']} queries",
            ),
            (
                "journey step (cron tick)",
                f"{journey['send']:.2f} s, "
                f"{journey['queries']} queries, {len(batches)} batches",
            ),
            ("queries per batch", f"min {min(per_batch)}, max {max(per_batch)}"),
            (
                "seconds per batch",
                f"{min(s for _n, s, _q in batches):.2f}-"
                f"{max(s for _n, s, _q in batches):.2f}",
            ),
            ("time ratio journey step / plain (best)", f"{ratio:.3f}"),
            (
                "(entry + step) / plain",
                f"{(journey['entry'] + journey['send']) / best_plain:.3f}",
            ),
            ("work items done or held", journey["done"]),
            (
                f"{OCA_REQUIREMENT}, {oca['n']:,} records",
                f"entry {oca['entry']:.2f} s, step {oca['send']:.2f} s, "
                f"{oca['done']:,} steps done, {oca['mails']:,} mails",
            ),
            (
                "per participant: journey (entry + step) / OCA (entry + step)",
                f"{ours_each * 1000:.3f} ms / {oca_each * 1000:.3f} ms"
                f" = {oca_each / ours_each:.1f}x faster",
            ),
            (
                f"OCA extrapolated to {N:,}",
                f"{oca_each * N:.0f} s (journey {ours_each * N:.0f} s)",
            ),
            (
                "load average (1, 5, 15 min) after each",
                "; ".join(
                    f"{name} {' '.join(f'{x:.1f}' for x in load)}"
                    for name, load in loads
                ),
            ),
        ],
    )
    assert journey["done"] == N
    assert oca["done"] == oca["n"]
    assert ratio <= 1.10
    assert oca_each / ours_each >= 10
