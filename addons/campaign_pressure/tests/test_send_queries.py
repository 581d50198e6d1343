import re

from odoo.tests import tagged

from .common import PressureCommon

CONTACT_LOG = re.compile(r"\bcampaign_pressure_contact\b")


@tagged("post_install", "-at_install")
class TestSendQueriesAgainstStock(PressureCommon):
    """A mailing that no rule, budget nor capacity concerns costs what Odoo's
    own send costs, plus the contact log (issue 18: Odoo's query budgets of
    a 50-mail send in test_mass_mailing). Measured against the stock send
    path in the same database (the system user's
    ``campaign_pressure_disable``), for 5 and for 40 recipients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crowd = cls._create_crowd(40, "queries.test")

    def _send(self, partners, stock):
        """(queries of the send, queries on the contact log)"""
        mailing = self._create_partner_mailing(partners)
        if stock:
            mailing = mailing.with_context(campaign_pressure_disable=True)
        count, contact_log = self._send_counting_queries(mailing, CONTACT_LOG)
        self.assertEqual(mailing.sent, len(partners))
        return count, contact_log

    def test_no_rule_no_budget_costs_the_contact_log_only(self):
        # warm-up: the caches a first send fills, on both paths
        self._send(self.partner_a, stock=True)
        self._send(self.partner_b, stock=False)
        extra = {}
        for size in (5, 40):
            stock, stock_log = self._send(self.crowd[:size], stock=True)
            ours, ours_log = self._send(self.crowd[:size], stock=False)
            extra[size] = ours - stock
            # no query more than Odoo's but the contact log's: one statement
            # counts and reserves (reusing what an interrupted send left), one
            # confirms the batch; the budget screen reads nothing when no
            # budget nor capacity applies
            self.assertLessEqual(
                extra[size], len(ours_log) - len(stock_log), "\n\n".join(ours_log)
            )
            self.assertLessEqual(len(ours_log) - len(stock_log), 2, ours_log)
            self.assertLessEqual(extra[size], 0, "\n\n".join(ours_log))
        # bounded for 5 and for 40 recipients alike: nothing per mail
        self.assertLessEqual(max(extra.values()), 0, extra)
        logged = self.env["campaign.pressure.contact"].search(
            [("partner_id", "in", self.crowd.ids)]
        )
        self.assertEqual(len(logged), 45, "the pressure path logged its contacts")

    def test_a_capacity_limit_still_screens_the_send(self):
        cost = self.env["campaign.pressure.channel.cost"].search(
            [
                ("channel_id", "=", self.channel_email.id),
                ("company_id", "=", self.env.company.id),
            ]
        ) or self.env["campaign.pressure.channel.cost"].create(
            {"channel_id": self.channel_email.id, "company_id": self.env.company.id}
        )
        # warm the cache of "no limit", then limit: the next send sees it
        self._send(self.partner_a, stock=False)
        used = cost._used_today().get((self.env.company.id, "email"), 0)
        cost.write({"capacity_limited": True, "daily_capacity": used + 1})
        mailing = self._create_partner_mailing(self.crowd[:3])
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(len(held), 2, "one message left in the day's capacity")
        self.assertEqual(set(held.mapped("pressure_reason")), {"capacity"})
        self.assertEqual(mailing.sent, 1)
