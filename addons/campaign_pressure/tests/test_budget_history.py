import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged, users
from odoo.tools import SQL

from .test_budget import BudgetCommon

MIGRATION = (
    Path(__file__).parent.parent
    / "migrations"
    / "18.0.1.3.0"
    / "post-migrate-contact-unit-cost.py"
)


@tagged("post_install", "-at_install")
class TestBudgetHistory(BudgetCommon):
    """Spent at the price of the day each message was sent."""

    def _rate(self, currency, company, rate, days_ago):
        self.env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "company_id": company.id,
                "name": fields.Date.today() - timedelta(days=days_ago),
                "rate": rate,
            }
        )

    def _spent(self, campaign=None):
        campaign = campaign or self.campaign
        campaign.invalidate_recordset()
        return campaign.budget_spent

    @users("user_marketing")
    def test_cost_change_after_sending_leaves_spent(self):
        partners = self.partners.with_env(self.env)
        mailing = self._create_partner_mailing(
            partners[:2], campaign_id=self.campaign.id
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        logged = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("mailing_id", "=", mailing.id)])
        )
        self.assertEqual(logged.mapped("unit_cost"), [1.0, 1.0])
        self.assertEqual(logged.cost_currency_id, self.usd)
        self.assertAlmostEqual(self._spent(), 2.0)
        self.cost_email.sudo().cost = 0.5
        self.assertAlmostEqual(self._spent(), 2.0)
        # what is scheduled is committed at the current cost
        queued = self._create_partner_mailing(
            partners[2:], campaign_id=self.campaign.id
        )
        queued.action_put_in_queue()
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_committed, 1.5)
        self.assertAlmostEqual(self.campaign.budget_remaining, 3.0 - 2.0 - 1.5)

    def test_mailing_own_cost_is_kept(self):
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        mailing.write({"budget_cost_override": True, "budget_message_cost": 0.25})
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertAlmostEqual(self._spent(), 5 * 0.25)
        mailing.write({"budget_message_cost": 0.5})
        self.assertAlmostEqual(self._spent(), 5 * 0.25)

    def test_two_currencies_at_the_rate_of_the_send_date(self):
        """A campaign of the euro company: its SMS in euros, an email sent
        by the main company in its currency, converted at the rate of the
        day each was sent; a new rate and a new cost change neither."""
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Euro campaign",
                "company_id": self.company_eur.id,
                "budget_planned": 10.0,
            }
        )
        self.campaign = campaign
        # 1 EUR = 2 USD until five days ago, then 1 EUR = 4 USD
        self._rate(self.usd, self.company_eur, 4.0, days_ago=5)
        self._log_campaign(self.partners[:2], "email", days_ago=10)  # 2 x 0.5 EUR
        self._log_campaign(self.partners[2:], "email", days_ago=1)  # 3 x 0.25 EUR
        self._log_campaign(self.partners, "sms", company=self.company_eur)
        expected = 2 * 0.5 + 3 * 0.25 + 5 * 0.04
        self.assertAlmostEqual(self._spent(campaign), expected)
        self.cost_email.cost = 3.0
        self.cost_sms_eur.cost = 1.0
        self._rate(self.usd, self.company_eur, 8.0, days_ago=0)
        self.assertAlmostEqual(self._spent(campaign), expected)
        self.assertAlmostEqual(campaign.budget_remaining, 10.0 - expected)

    def test_engine_insert_stores_the_cost(self):
        """The engine's own INSERT (not the ORM) stores the price too."""
        self.cost_sms_eur.cost = 0.07
        decisions = {
            partner.id: {
                "allowed": True,
                "key": f"p:{partner.id}",
                "partner_id": partner.id,
            }
            for partner in self.partners[:2]
        }
        self.engine._pressure_log(
            decisions,
            "sms",
            "sms",
            {"campaign_id": self.campaign.id, "company_id": self.company_eur.id},
        )
        rows = self.env["campaign.pressure.contact"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(rows.mapped("unit_cost"), [0.07, 0.07])
        self.assertEqual(rows.cost_currency_id, self.eur)

    def test_migration_prices_rows_at_the_upgrade_costs(self):
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        mailing.write({"budget_cost_override": True, "budget_message_cost": 0.3})
        plain = self._log_campaign(self.partners[:2], "email")
        own = self._log_campaign(self.partners[2:], "email", mailing_id=mailing.id)
        euro = self._log_contacts(
            self.partners[:1], channel="sms", company_id=self.company_eur.id
        )
        rows = plain | own | euro
        self.env.flush_all()  # the migration reads the mailing's cost in SQL
        self.env.cr.execute(
            SQL(
                "UPDATE campaign_pressure_contact SET unit_cost = NULL,"
                " cost_currency_id = NULL WHERE id = ANY(%s)",
                rows.ids,
            )
        )
        rows.invalidate_recordset()
        spec = importlib.util.spec_from_file_location("cost_migration", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.2.0")
        self.assertEqual(plain.mapped("unit_cost"), [1.0, 1.0])
        self.assertEqual(plain.cost_currency_id, self.usd)
        self.assertEqual(own.mapped("unit_cost"), [0.3] * 3)
        self.assertEqual(euro.unit_cost, 0.04)
        self.assertEqual(euro.cost_currency_id, self.eur)
        self.assertAlmostEqual(self._spent(), 2.0 + 0.9)
