import psycopg2.errors
from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from .common import PressureCommon


class BudgetCommon(PressureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.usd = cls.company.currency_id
        cls.eur = env.ref("base.EUR")
        if cls.usd == cls.eur:  # a database whose main currency is the euro
            cls.eur = env.ref("base.USD")
        cls.eur.active = True
        cls.company_eur = env["res.company"].create(
            {"name": "Econ Europe", "currency_id": cls.eur.id}
        )
        # in the euro company, one euro is worth two of the main currency
        env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.company_eur.id,
                "name": "2020-01-01",
                "rate": 2.0,
            }
        )
        Cost = env["campaign.pressure.channel.cost"]
        Cost.search([]).unlink()  # the demo's costs must not interfere
        cls.cost_email = Cost.create({"channel_id": cls.channel_email.id, "cost": 1.0})
        cls.cost_sms = Cost.create({"channel_id": cls.channel_sms.id, "cost": 0.05})
        cls.cost_sms_eur = Cost.create(
            {
                "channel_id": cls.channel_sms.id,
                "company_id": cls.company_eur.id,
                "cost": 0.04,
            }
        )
        cls.campaign = env["utm.campaign"].create(
            {"title": "Autumn intake", "budget_planned": 3.0}
        )
        cls.user_marketing.company_ids |= cls.company_eur
        cls.user_pressure_manager.company_ids |= cls.company_eur

    def _log_campaign(self, partners, channel, state="confirmed", company=None, **kw):
        return self._log_contacts(
            partners,
            channel=channel,
            state=state,
            campaign_id=self.campaign.id,
            company_id=(company or self.company).id,
            **kw,
        )


@tagged("post_install", "-at_install")
class TestBudgetFigures(BudgetCommon):
    """Planned, committed and spent, in the campaign's currency."""

    def test_spent_and_committed_from_the_log(self):
        self._log_campaign(self.partners[:2], "email")
        self._log_campaign(self.partners[2:], "sms", state="reserved")
        self._log_campaign(self.partners[:1], "sms", state="released")
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.budget_currency_id, self.usd)
        self.assertAlmostEqual(self.campaign.budget_spent, 2.0)
        # three SMS reserved at 0.05; the released one costs nothing
        self.assertAlmostEqual(self.campaign.budget_committed, 0.15)
        self.assertAlmostEqual(self.campaign.budget_remaining, 0.85)

    def test_scheduled_mailing_commits_its_recipients(self):
        mailing = self._create_partner_mailing(
            self.partners[:2], campaign_id=self.campaign.id
        )
        mailing.action_put_in_queue()
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_committed, 2.0)
        self.assertAlmostEqual(self.campaign.budget_spent, 0.0)
        self.assertAlmostEqual(self.campaign.budget_remaining, 1.0)

    def test_other_currency(self):
        """A campaign of the euro company is priced in euros: its own SMS
        at its cost, an email sent by the main company converted."""
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Euro campaign",
                "company_id": self.company_eur.id,
                "budget_planned": 10.0,
            }
        )
        self.campaign = campaign
        self._log_campaign(self.partners, "sms", company=self.company_eur)
        self._log_campaign(self.partners[:2], "email")  # 1.0 USD = 0.5 EUR
        campaign.invalidate_recordset()
        self.assertEqual(campaign.budget_currency_id, self.eur)
        self.assertAlmostEqual(campaign.budget_spent, 5 * 0.04 + 2 * 0.5)
        self.assertAlmostEqual(campaign.budget_remaining, 10.0 - 1.2)
        self.assertEqual(campaign.budget_channel_cost_ids, self.cost_sms_eur)

    def test_fraction_of_a_cent(self):
        """An email costs 0.002: kept as such, five of them cost 0.01."""
        self.cost_email.cost = 0.002
        self.assertAlmostEqual(self.cost_email.cost, 0.002)
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        self.assertAlmostEqual(mailing.budget_unit_cost, 0.002)
        self._log_campaign(self.partners, "email")
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 0.01)

    def test_mailing_own_cost(self):
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        self.assertAlmostEqual(mailing.budget_unit_cost, 1.0)
        mailing.write({"budget_cost_override": True, "budget_message_cost": 0.25})
        self.assertAlmostEqual(mailing.budget_unit_cost, 0.25)
        self._log_campaign(self.partners[:2], "email", mailing_id=mailing.id)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 0.5)

    def test_used_today(self):
        before = self.cost_sms.used_today, self.cost_email.used_today
        self._log_contacts(self.partners[:2], channel="sms", days_ago=0)
        self._log_contacts(self.partners[2:], channel="sms", days_ago=2)
        self._log_contacts(
            self.partners[2:], channel="sms", days_ago=0, state="released"
        )
        self._log_contacts(
            self.partners[2:], channel="sms", days_ago=0, company_id=self.company_eur.id
        )
        self.cost_sms.invalidate_recordset()
        self.assertEqual(self.cost_sms.used_today, before[0] + 2)
        self.assertEqual(self.cost_email.used_today, before[1])
        self.assertEqual(self.cost_sms_eur.used_today, 3)

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self.cost_email.cost = -0.01
        with self.assertRaises(ValidationError):
            self.cost_email.write({"capacity_limited": True, "daily_capacity": 0})
        with self.assertRaises(ValidationError):
            self.cost_email.daily_capacity = -3
        with self.assertRaises(ValidationError):
            self.campaign.budget_planned = -1
        mailing = self._create_partner_mailing(self.partners)
        with self.assertRaises(ValidationError):
            mailing.write({"budget_cost_override": True, "budget_message_cost": -1})
        # one line per channel and company
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["campaign.pressure.channel.cost"].create(
                {"channel_id": self.channel_email.id, "cost": 2.0}
            )

    @users("user_marketing")
    def test_marketing_user_reads_but_does_not_set(self):
        campaign = self.campaign.with_env(self.env)
        self.assertAlmostEqual(campaign.budget_planned, 3.0)
        self.assertFalse(campaign.is_budget_manager)
        self.assertEqual(
            campaign.budget_channel_cost_ids.channel_id.ids,
            [self.channel_email.id, self.channel_sms.id],
        )
        with self.assertRaises(AccessError):
            campaign.budget_planned = 100.0
        with self.assertRaises(AccessError):
            campaign.write({"budget_planned": 3.0})  # even the same value
        with self.assertRaises(AccessError):
            campaign.company_id = self.company_eur
        with self.assertRaises(AccessError):
            self.env["utm.campaign"].create({"title": "Mine", "budget_planned": 5})
        with self.assertRaises(AccessError):
            self.env["utm.campaign"].with_context(default_budget_planned=5).create(
                {"title": "By default"}
            )
        # a campaign without a budget is still theirs to create
        self.assertTrue(self.env["utm.campaign"].create({"title": "Free"}))
        cost = self.cost_email.with_env(self.env)
        self.assertAlmostEqual(cost.cost, 1.0)
        with self.assertRaises(AccessError):
            cost.cost = 0.0
        mailing = self._create_partner_mailing(self.partners)
        with self.assertRaises(AccessError):
            mailing.budget_cost_override = True
        with self.assertRaises(AccessError):
            mailing.write({"budget_message_cost": 0.0})

    @users("pressure_manager")
    def test_manager_sets(self):
        campaign = self.campaign.with_env(self.env)
        self.assertTrue(campaign.is_budget_manager)
        campaign.budget_planned = 50.0
        self.assertAlmostEqual(campaign.budget_remaining, 50.0)
        self.cost_email.with_env(self.env).cost = 0.002
        self.assertAlmostEqual(campaign.budget_remaining, 50.0)


@tagged("post_install", "-at_install")
class TestBudgetSend(BudgetCommon):
    """A send stops at the budget and at the channel's capacity."""

    def _names(self, traces):
        return sorted(
            self.env["res.partner"].browse(traces.mapped("res_id")).mapped("name")
        )

    @users("user_marketing")
    def test_send_stops_at_the_budget(self):
        partners = self.partners.with_env(self.env)
        mailing = self._create_partner_mailing(partners, campaign_id=self.campaign.id)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        self.assertEqual(len(traces), 5)
        held = traces.filtered(lambda t: t.failure_type == "pressure")
        # the mailing's order: the first three are paid, the last two held
        order = self.env["res.partner"].search([("id", "in", partners.ids)])
        self.assertEqual(self._names(held), sorted(order[3:].mapped("name")))
        self.assertEqual(set(held.mapped("pressure_reason")), {"budget"})
        self.assertEqual(set(held.mapped("trace_status")), {"cancel"})
        self.assertEqual(set(held.mapped("email")), set(order[3:].mapped("email")))
        self.assertIn("budget", held[0].pressure_reason_text)
        self.assertIn("$", held[0].pressure_reason_text)
        self.assertEqual(set((traces - held).mapped("trace_status")), {"sent"})
        self.assertNotSentEmail(order[3:])
        self.assertEqual(mailing.pressure_held_count, 2)
        self.assertIn("2 recipient(s) held back", mailing.sudo().message_ids[0].body)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 3.0)
        self.assertAlmostEqual(self.campaign.budget_remaining, 0.0)
        # the next mailing cannot be queued, nor sent to anyone
        other = self._create_partner_mailing(partners, campaign_id=self.campaign.id)
        with self.assertRaisesRegex(UserError, "budget of the campaign"):
            other.action_put_in_queue()
        with self.mock_mail_gateway(mail_unlink_sent=False):
            other.action_send_mail()
        self.assertEqual(other.state, "done")
        self.assertEqual(set(self._traces(other).mapped("pressure_reason")), {"budget"})
        self.assertEqual(len(self._traces(other)), 5)

    def test_queue_cron_stops_at_the_budget(self):
        self.campaign.budget_planned = 1.5
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        mailing.action_put_in_queue()
        with self.mock_mail_gateway(mail_unlink_sent=False):
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(mailing.state, "done")
        traces = self._traces(mailing)
        self.assertEqual(len(traces.filtered(lambda t: t.trace_status == "sent")), 1)
        self.assertEqual(
            len(traces.filtered(lambda t: t.pressure_reason == "budget")), 4
        )

    def test_no_budget_no_limit(self):
        self.campaign.budget_planned = 0.0
        mailing = self._create_partner_mailing(
            self.partners, campaign_id=self.campaign.id
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertFalse(mailing.pressure_held_count)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 5.0)

    @users("user_marketing")
    def test_sms_capacity_of_the_day(self):
        # contacts of the day already in the database (demo) count too
        used = self.cost_sms.used_today
        self.cost_sms.write({"capacity_limited": True, "daily_capacity": used + 3})
        self._log_contacts(self.partner_a, channel="sms", days_ago=0)
        partners = self.partners.with_env(self.env)
        mailing = self._create_partner_mailing(
            partners, mailing_type="sms", sms_force_send=True
        )
        with self.mockSMSGateway():
            mailing.action_send_sms()
        traces = self._traces(mailing)
        held = traces.filtered(lambda t: t.pressure_reason == "capacity")
        self.assertEqual(len(held), 3)
        self.assertEqual(set(held.mapped("trace_type")), {"sms"})
        self.assertTrue(all(held.mapped("sms_number")))
        self.assertIn(f"{used + 3} message(s) a day", held[0].pressure_reason_text)
        self.assertEqual(len(traces - held), 2)
        self.cost_sms.invalidate_recordset()
        self.assertEqual(self.cost_sms.used_today, used + 3)

    def test_sms_budget_with_explicit_ids(self):
        """Odoo's public action_send_sms with ids: the same stop."""
        self.campaign.budget_planned = 0.1  # two SMS at 0.05
        mailing = self._create_partner_mailing(
            self.partners,
            mailing_type="sms",
            sms_force_send=True,
            campaign_id=self.campaign.id,
        )
        with self.mockSMSGateway():
            mailing.action_send_sms(res_ids=self.partners.ids)
        traces = self._traces(mailing)
        self.assertEqual(
            set(
                traces.filtered(lambda t: t.pressure_reason == "budget").mapped(
                    "res_id"
                )
            ),
            set(self.partners[2:].ids),
        )
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_remaining, 0.0)

    def test_held_traces_cannot_be_forged(self):
        mailing = self._create_partner_mailing(self.partners)
        with self.assertRaises(AccessError):
            self.env["mailing.trace"].with_user(self.user_marketing).create(
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": self.partner_a.id,
                    "pressure_reason": "budget",
                }
            )

    def test_capacity_day_span(self):
        start, end = self.env["campaign.pressure.channel.cost"]._day_span(
            fields.Datetime.to_datetime("2026-03-04 17:30:00")
        )
        self.assertEqual(str(start), "2026-03-04 00:00:00")
        self.assertEqual(str(end), "2026-03-05 00:00:00")
