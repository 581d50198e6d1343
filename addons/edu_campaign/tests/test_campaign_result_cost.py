from datetime import timedelta

from odoo import fields
from odoo.addons.campaign_pressure.tests.test_budget import BudgetCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestCampaignResultCost(BudgetCommon):
    """The results report prices a contact as the campaign's budget does:
    the price stored on the contact log when it was sent, converted at the
    rate of its day; a later change of a channel's cost, of a mailing's own
    cost or of a rate re-prices neither (review finding: the report read
    today's costs)."""

    def _report_cost(self):
        self.env["edu.campaign.result"]._edu_refresh()
        self.env.invalidate_all()
        (group,) = self.env["edu.campaign.result"].read_group(
            [("campaign_id", "=", self.campaign.id)],
            ["cost:sum", "contacted:sum"],
            ["campaign_id"],
            lazy=False,
        )
        return group["cost"]

    def _spent(self):
        self.campaign.invalidate_recordset()
        return self.campaign.budget_spent

    def test_report_and_budget_keep_the_price_at_send_time(self):
        mailing = self._create_partner_mailing(
            self.partners[:2], campaign_id=self.campaign.id
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertAlmostEqual(self._spent(), 2.0)
        self.assertAlmostEqual(self._report_cost(), 2.0)
        # the channel costs more now, and the mailing has its own cost
        self.cost_email.cost = 5.0
        mailing.write({"budget_cost_override": True, "budget_message_cost": 0.25})
        self.assertAlmostEqual(self._spent(), 2.0)
        self.assertAlmostEqual(self._report_cost(), 2.0)

    def test_report_converts_at_the_rate_of_the_contact_day(self):
        """A message priced in euros, sent ten days ago by the main
        company: the report and the budget convert it at that day's rate;
        a new rate today changes neither."""
        Rate = self.env["res.currency.rate"]
        today = fields.Date.today()
        Rate.create(
            {
                "currency_id": self.eur.id,
                "company_id": self.company.id,
                "name": today - timedelta(days=20),
                "rate": 1.25,
            }
        )
        currencies = self.usd | self.eur
        rates = currencies._get_rates(self.company, today - timedelta(days=10))
        self._log_campaign(
            self.partners[:2],
            "email",
            days_ago=10,
            unit_cost=1.0,
            cost_currency_id=self.eur.id,
        )
        # 2 x 1 EUR at the rate of ten days ago
        expected = 2 * rates[self.usd.id] / rates[self.eur.id]
        self.assertAlmostEqual(self._spent(), self.usd.round(expected))
        self.assertAlmostEqual(self._report_cost(), expected)
        Rate.create(
            {
                "currency_id": self.eur.id,
                "company_id": self.company.id,
                "name": today,
                "rate": 4.0,
            }
        )
        self.assertAlmostEqual(self._spent(), self.usd.round(expected))
        self.assertAlmostEqual(self._report_cost(), expected)
