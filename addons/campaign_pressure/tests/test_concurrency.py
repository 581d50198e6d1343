import threading
import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

N_SENDERS = 3
N_PARTNERS = 12


@tagged("post_install", "-at_install")
class TestPressureConcurrency(TransactionCase):
    """Mailings sent at the same moment from separate database cursors (as
    separate Odoo workers would) never push anyone over a cap.

    The data must be committed for the other cursors to see it: it is created
    in its own transaction and removed at the end, whatever happens.
    """

    def _setup_committed(self, tag):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            campaign = env["utm.campaign"].create({"name": f"Concurrency {tag}"})
            partners = env["res.partner"].create(
                [
                    {"name": f"Concurrent {i}", "email": f"c{i}.{tag}@pressure.test"}
                    for i in range(N_PARTNERS)
                ]
            )
            rule = env["campaign.pressure.rule"].create(
                {
                    "name": f"One email {tag}",
                    "channel_ids": [
                        Command.set(env.ref("campaign_pressure.channel_email").ids)
                    ],
                    "window_days": 30,
                    "max_contacts": 1,
                    "scope": "campaign",
                    "campaign_ids": [Command.set(campaign.ids)],
                }
            )
            mailings = env["mailing.mailing"].create(
                [
                    {
                        "name": f"Concurrent mailing {i} {tag}",
                        "subject": f"Concurrent {i}",
                        "body_html": "<p>Hello</p>",
                        "campaign_id": campaign.id,
                        "mailing_model_id": env["ir.model"]._get("res.partner").id,
                        "mailing_domain": repr([("id", "in", partners.ids)]),
                    }
                    for i in range(N_SENDERS)
                ]
            )
            cr.commit()  # pylint: disable=invalid-commit
            return campaign.id, partners.ids, rule.id, mailings.ids

    def _cleanup(self, campaign_id, partner_ids, rule_id, mailing_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            keys = [f"p:{pid}" for pid in partner_ids]
            cr.execute(
                SQL(
                    "DELETE FROM campaign_pressure_contact WHERE person_key = ANY(%s)",
                    keys,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM campaign_pressure_person WHERE person_key = ANY(%s)",
                    keys,
                )
            )
            env["mail.mail"].search([("mailing_id", "in", mailing_ids)]).unlink()
            env["mailing.mailing"].browse(mailing_ids).unlink()
            env["campaign.pressure.rule"].browse(rule_id).unlink()
            env["utm.campaign"].browse(campaign_id).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "in", partner_ids)]
            ).unlink()
            env["res.partner"].browse(partner_ids).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _send_at_once(self, mailing_ids):
        """Send each mailing from its own thread and cursor, all at the same
        moment; returns the errors, the attempts and the threads."""
        barrier = threading.Barrier(N_SENDERS)
        errors = []
        attempts = []

        def send(mailing_id):
            # a test thread: Odoo skips real SMTP and does not commit per batch
            threading.current_thread().testing = True
            try:
                with self.registry.cursor() as cr:
                    # the loading thread holds the registry lock while tests
                    # run: give the cursor its transaction directly
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    engine = env["campaign.pressure.engine"]
                    # every sender takes its REPEATABLE READ snapshot
                    # before any of them commits: all but the first to
                    # commit must clash on the persons and retry
                    cr.execute(SQL("SELECT 1"))
                    barrier.wait(timeout=60)

                    def run():
                        attempts.append(mailing_id)
                        env["mailing.mailing"].browse(mailing_id).action_send_mail()

                    engine._pressure_retry(run, tries=20)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                errors.append(repr(e))

        threads = [threading.Thread(target=send, args=(mid,)) for mid in mailing_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        return errors, attempts, threads

    def _sent_and_logged(self, mailing_ids, partner_ids):
        """Per partner: (traces not cancelled, traces cancelled by pressure);
        per person key: the weight of the contacts not released."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT res_id,
                              count(*) FILTER (WHERE trace_status != 'cancel'),
                              count(*) FILTER (WHERE failure_type = 'pressure')
                         FROM mailing_trace WHERE mass_mailing_id = ANY(%s)
                     GROUP BY res_id""",
                    mailing_ids,
                )
            )
            per_partner = {row[0]: row[1:] for row in cr.fetchall()}
            cr.execute(
                SQL(
                    """SELECT person_key, sum(weight) FROM campaign_pressure_contact
                        WHERE person_key = ANY(%s) AND state != 'released'
                     GROUP BY person_key""",
                    [f"p:{pid}" for pid in partner_ids],
                )
            )
            logged = dict(cr.fetchall())
        return per_partner, logged

    def test_concurrent_senders_respect_cap(self):
        tag = uuid.uuid4().hex[:8]
        campaign_id, partner_ids, rule_id, mailing_ids = self._setup_committed(tag)
        try:
            errors, attempts, threads = self._send_at_once(mailing_ids)
            self.assertFalse(errors)
            self.assertFalse(any(thread.is_alive() for thread in threads))

            per_partner, logged = self._sent_and_logged(mailing_ids, partner_ids)
            self.assertEqual(set(per_partner), set(partner_ids))
            for pid in partner_ids:
                self.assertEqual(
                    per_partner[pid],
                    (1, N_SENDERS - 1),
                    f"partner {pid}: exactly one sent",
                )
                self.assertEqual(logged[f"p:{pid}"], 1)
            # the N - 1 senders that did not commit first saw a serialization
            # failure and retried at least once
            self.assertGreaterEqual(len(attempts), 2 * N_SENDERS - 1)
        finally:
            self._cleanup(campaign_id, partner_ids, rule_id, mailing_ids)
