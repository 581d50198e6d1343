"""Marketing pressure benchmarks (issue 5).

Run: python3 scripts/devtool.py perf tests/perf/test_perf_pressure.py

(a) Sending a 10,000-recipient email mailing through Odoo's own path
    (mailing.mailing.action_send_mail -> mail.compose.message in mass mode,
    batches of 50) with pressure rules on, versus the same send with the addon
    switched off (context ``campaign_pressure_disable``: the stock code path).
    Target: at most 5 % slower, at most 2 extra queries per batch of 50.
(b) The simulation's counting for 100,000 recipients over a 10,000,000-row
    contact log, versus plain PostgreSQL counting the same window with the
    same index (the baseline). Target: under 1 s.

All data is created inside the fixture's transaction and rolled back.
"""

import datetime
import threading

from benchlib import report, timer
from odoo import Command
from odoo.tools import SQL

N_RECIPIENTS = 10_000
BATCH = 50
LOG_ROWS = 10_000_000
LOG_PERSONS = 1_000_000
SIM_RECIPIENTS = 100_000


class _TestingThread:
    """Odoo's test mode for the current thread: no per-batch commit of the
    composer, no real SMTP (mails stay queued anyway above 100 recipients)."""

    def __enter__(self):
        self.thread = threading.current_thread()
        self.previous = getattr(self.thread, "testing", None)
        self.thread.testing = True

    def __exit__(self, *exc):
        if self.previous is None:
            del self.thread.testing
        else:
            self.thread.testing = self.previous


def _rules(env):
    channels = env["campaign.pressure.channel"].search([])
    env["campaign.pressure.rule"].search([]).active = False
    return env["campaign.pressure.rule"].create(
        [
            {
                "name": "Perf 4 per 30 days",
                "channel_ids": [Command.set(channels.ids)],
                "window_days": 30,
                "max_contacts": 4,
            },
            {
                "name": "Perf 1 email per week",
                "channel_ids": [
                    Command.set(channels.filtered(lambda c: c.code == "email").ids)
                ],
                "window_type": "calendar",
                "period": "week",
                "max_contacts": 1,
            },
        ]
    )


def _send(env, partners, disable):
    mailing = env["mailing.mailing"].create(
        {
            "name": f"Perf mailing {'off' if disable else 'on'}",
            "subject": "Perf",
            "body_html": "<p>Hello {{ object.name }}</p>",
            "mailing_model_id": env["ir.model"]._get("res.partner").id,
            "mailing_domain": repr([("id", "in", partners.ids)]),
        }
    )
    env.flush_all()
    env.invalidate_all()
    cr = env.cr
    start = cr.sql_log_count
    with _TestingThread(), timer() as t:
        mailing.with_context(campaign_pressure_disable=disable).action_send_mail()
        env.flush_all()
    queries = cr.sql_log_count - start
    held_back = env["mailing.trace"].search_count(
        [("mass_mailing_id", "=", mailing.id), ("failure_type", "=", "pressure")]
    )
    return t.seconds, queries, held_back


def _send_and_undo(env, partners, disable):
    """One measured send, then back to the same state for the next one (each
    run sees the same history, so rules-on runs are alike)."""
    with env.cr.savepoint(flush=False) as savepoint:
        result = _send(env, partners, disable)
        savepoint.rollback()
    env.invalidate_all()
    return result


def test_perf_send_10k_rules_on_vs_off(env):
    env["ir.config_parameter"].sudo().set_param("mail.batch_size", BATCH)
    partners = env["res.partner"].create(
        [
            {"name": f"Perf recipient {i}", "email": f"perf{i}@pressure.perf"}
            for i in range(N_RECIPIENTS)
        ]
    )
    _rules(env)
    # history: every 3rd person had a marketing email an hour ago, so the
    # "1 email per week" rule holds about a third of the recipients back
    env.flush_all()
    env.cr.execute(
        SQL(
            """INSERT INTO campaign_pressure_contact (person_key, partner_id, channel,
                      contact_date,
                      weight, source, state, is_transactional)
               SELECT 'p:' || id, id, 'email',
                      now() at time zone 'utc' - interval '1 hour', 1,
                      'mailing', 'confirmed', false
                 FROM res_partner WHERE id = ANY(%s) AND mod(id, 3) = 0""",
            partners.ids,
        )
    )
    runs = {"off": [], "on": []}
    for _i in range(2):
        for mode in ("off", "on"):
            runs[mode].append(_send_and_undo(env, partners, disable=(mode == "off")))
    best = {mode: min(runs[mode], key=lambda r: r[0]) for mode in runs}
    batches = N_RECIPIENTS / BATCH
    extra_per_batch = (best["on"][1] - best["off"][1]) / batches
    ratio = best["on"][0] / best["off"][0]
    traces_on = best["on"][2]
    report(
        f"(a) send a {N_RECIPIENTS:,}-recipient mailing, batches of {BATCH}"
        " (best of 2)",
        [
            (
                "stock path (addon off)",
                f"{best['off'][0]:.2f} s, {best['off'][1]} queries",
            ),
            ("rules on", f"{best['on'][0]:.2f} s, {best['on'][1]} queries"),
            ("time ratio on/off", f"{ratio:.3f}"),
            ("extra queries per batch", f"{extra_per_batch:.2f}"),
            ("held back by pressure (rules on)", traces_on),
        ],
    )
    assert traces_on > 0
    assert extra_per_batch <= 2
    assert ratio <= 1.05


def test_perf_simulation_100k_over_10m(env):
    cr = env.cr
    rules = _rules(env)
    assert rules
    with timer() as seed:
        cr.execute(
            SQL(
                """INSERT INTO campaign_pressure_contact (person_key, partner_id,
                          channel, contact_date, weight, source, state,
                          is_transactional)
                   SELECT 'p:' || mod(g, %(persons)s), NULL,
                          (ARRAY['email','sms','phone','letter'])[1 + mod(g, 4)],
                          now() at time zone 'utc' - mod(g, 365) * interval '1 day'
                              - mod(g, 1440) * interval '1 minute',
                          1, 'mailing', 'confirmed', false
                     FROM generate_series(1, %(rows)s) g""",
                persons=LOG_PERSONS,
                rows=LOG_ROWS,
            )
        )
        cr.execute(SQL("ANALYZE campaign_pressure_contact"))
    keys = [f"p:{i}" for i in range(0, LOG_PERSONS, LOG_PERSONS // SIM_RECIPIENTS)][
        :SIM_RECIPIENTS
    ]
    since = datetime.datetime.utcnow() - datetime.timedelta(days=30)
    # baseline: PostgreSQL counting the window of every recipient, same index
    with timer() as base:
        cr.execute(
            SQL(
                """SELECT c.person_key, sum(c.weight)
                     FROM unnest(%s::varchar[]) k(key)
                     JOIN campaign_pressure_contact c ON c.person_key = k.key
                    WHERE c.contact_date >= %s AND c.state != 'released'
                 GROUP BY c.person_key""",
                keys,
                since,
            )
        )
        base_rows = cr.fetchall()
    engine = env["campaign.pressure.engine"]
    requests = [
        {"ref": i, "partner_id": int(key[2:]) or None, "email": None, "phone": None}
        for i, key in enumerate(keys)
    ]
    requests[0]["email"] = "zero@pressure.perf"  # partner id 0 does not exist
    with timer() as sim:
        decisions = engine._pressure_evaluate(requests, "email", lock=False)
    held = sum(1 for d in decisions.values() if not d["allowed"])
    report(
        f"(b) simulation, {SIM_RECIPIENTS:,} recipients over a {LOG_ROWS:,}-row"
        " contact log",
        [
            ("seeding the log (not measured)", f"{seed.seconds:.1f} s"),
            (
                "baseline: plain GROUP BY count",
                f"{base.seconds:.3f} s ({len(base_rows):,} people with contacts)",
            ),
            ("engine (2 rules + own caps, decisions)", f"{sim.seconds:.3f} s"),
            ("ratio engine/baseline", f"{sim.seconds / base.seconds:.2f}"),
            ("held back", f"{held:,}"),
        ],
    )
    assert len(decisions) == SIM_RECIPIENTS
    assert held > 0
    assert sim.seconds < 1.0
