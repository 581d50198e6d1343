import uuid

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

N_PARTNERS = 10


@tagged("post_install", "-at_install")
class TestJourneyConcurrency(TransactionCase):
    """Two cron workers (two cursors, as two Odoo servers sharing the
    database) never claim the same work item. The data is committed for
    the other cursor to see it, and removed at the end."""

    def _setup_committed(self, tag):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].create(
                [
                    {"name": f"Worker {i} {tag}", "email": f"w{i}.{tag}@journey.test"}
                    for i in range(N_PARTNERS)
                ]
            )
            journey = env["campaign.journey"].create(
                {
                    "name": f"Two workers {tag}",
                    "model_id": env["ir.model"]._get("res.partner").id,
                    "domain": repr([("id", "in", partners.ids)]),
                }
            )
            env["campaign.journey.step"].create(
                {"journey_id": journey.id, "name": "Wait", "kind": "wait"}
            )
            journey.action_launch()
            cr.commit()  # pylint: disable=invalid-commit
            return journey.id, partners.ids

    def _cleanup(self, journey_id, partner_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            journey = env["campaign.journey"].browse(journey_id)
            journey.sudo().write({"state": "stopped"})
            journey.unlink()
            env["res.partner"].browse(partner_ids).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_claim_disjoint_items_exactly_once(self):
        tag = uuid.uuid4().hex[:8]
        journey_id, partner_ids = self._setup_committed(tag)
        try:
            with (
                self.registry.cursor() as cr_a,
                self.registry.cursor() as cr_b,
            ):
                env_a = api.Environment(cr_a, SUPERUSER_ID, {})
                env_b = api.Environment(cr_b, SUPERUSER_ID, {})
                runner_a = env_a["campaign.journey.runner"]
                runner_b = env_b["campaign.journey.runner"]
                # worker A claims (and locks) part of the due items
                claimed_a = runner_a._journey_claim(6)
                ours = self._ours(env_a, journey_id)
                self.assertEqual(len(set(claimed_a) & ours), 6)
                # worker B, at the same moment, skips A's locked items
                claimed_b = runner_b._journey_claim(100)
                self.assertFalse(set(claimed_a) & set(claimed_b))
                self.assertEqual(len(set(claimed_b) & ours), N_PARTNERS - 6)
                runner_a._journey_run_claimed(claimed_a)
                runner_b._journey_run_claimed(claimed_b)
                cr_a.commit()  # pylint: disable=invalid-commit
                cr_b.commit()  # pylint: disable=invalid-commit
                # and then nothing is left for either of them
                self.assertFalse(set(runner_a._journey_claim(100)) & ours)
                cr_a.rollback()
            with self.registry.cursor() as cr:
                cr.execute(
                    SQL(
                        "SELECT state, count(*) FROM campaign_journey_participant_step"
                        " WHERE journey_id = %s GROUP BY state",
                        journey_id,
                    )
                )
                self.assertEqual(dict(cr.fetchall()), {"done": N_PARTNERS})
        finally:
            self._cleanup(journey_id, partner_ids)

    def _ours(self, env, journey_id):
        env.cr.execute(
            SQL(
                "SELECT id FROM campaign_journey_participant_step WHERE journey_id = %s"
                " AND scheduled_date <= %s",
                journey_id,
                fields.Datetime.now(),
            )
        )
        return {row[0] for row in env.cr.fetchall()}
