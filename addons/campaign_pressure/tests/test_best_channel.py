from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .test_budget import BudgetCommon


class BestChannelCommon(BudgetCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Cost = env["campaign.pressure.channel.cost"]
        cls.cost_email.cost = 0.01
        cls.cost_phone = Cost.create(
            {
                "channel_id": cls.channel_phone.id,
                "cost": 2.0,
                "capacity_limited": True,
                "daily_capacity": 2,
            }
        )
        cls.cost_letter = Cost.create(
            {"channel_id": cls.channel_letter.id, "cost": 1.5}
        )
        cls.campaign.write({"budget_planned": 100.0, "channel_policy": "cheapest"})
        p0, p1, p2, p3, p4 = cls.partners
        # p0: email blacklisted -> SMS; p1: has an address; p2: blocked SMS;
        # p3: over an email rule; p4: nothing left
        env["mail.blacklist"].sudo()._add(p0.email)
        env["mail.blacklist"].sudo()._add(p4.email)
        p1.write({"street": "1 Main St", "city": "Kyiv"})
        (p2 | p4).pressure_blocked_channel_ids = [Command.set(cls.channel_sms.ids)]
        p4.write({"mobile": False, "phone": False})
        cls._create_rule(
            name="One email",
            channel_ids=[Command.set(cls.channel_email.ids)],
            max_contacts=1,
        )
        cls._log_contacts(p3, channel="email")
        # the other calls of the day already taken
        cls.calls_today = cls.cost_phone.used_today

    def _best_mailing(self, channels, partners=None, **values):
        return self._create_partner_mailing(
            partners or self.partners,
            campaign_id=self.campaign.id,
            best_channel=True,
            best_channel_ids=[Command.set(channels.ids)],
            body_plaintext="Autumn intake: apply now",
            **values,
        )

    def _channels(self, plan):
        return {a.ref: a.channel for a in plan.assignments}


@tagged("post_install", "-at_install")
class TestBestChannelPlan(BestChannelCommon):
    def test_consent_reachability_and_room(self):
        p0, p1, p2, p3, p4 = self.partners
        mailing = self._best_mailing(self.all_channels)
        plan = mailing._channel_plan()
        # cheapest channel that each person allows, is reached on, has room
        self.assertEqual(
            self._channels(plan),
            {p0.id: "sms", p1.id: "email", p2.id: "email", p3.id: "sms"},
        )
        (excluded,) = plan.exclusions
        self.assertEqual((excluded.ref, excluded.reason), (p4.id, "no_channel"))
        refused = {code: reason for code, reason, _args in excluded.refused}
        self.assertEqual(refused["email"], "blacklist")
        self.assertEqual(refused["sms"], "unreachable")
        self.assertEqual(refused["phone"], "unreachable")
        self.assertEqual(refused["letter"], "unreachable")

    def test_calls_spread_over_the_days(self):
        mailing = self._best_mailing(self.channel_phone, self.partners[:4])
        plan = mailing._channel_plan()
        days = [a.day for a in plan.assignments]
        first = self.calls_today // 2
        self.assertEqual(len(days), 4)
        self.assertEqual(days, sorted(days))
        self.assertEqual(days[-1] - days[0], 1 if self.calls_today % 2 == 0 else 2)
        self.assertGreaterEqual(days[0], first)

    def test_budget_and_threshold(self):
        self.campaign.budget_planned = 0.02  # two emails, no SMS
        mailing = self._best_mailing(self.channel_email | self.channel_sms)
        plan = mailing._channel_plan()
        self.assertEqual(len(plan.assignments), 2)
        self.assertEqual({a.channel for a in plan.assignments}, {"email"})
        self.assertEqual(plan.excluded_by_reason(), {"budget": 2, "no_channel": 1})
        # a threshold above every observed rate: no channel responds enough
        rates = mailing._channel_plan_rates(["email", "sms"])
        threshold = max(rates("email", None), rates("sms", None)) + 0.01
        self.campaign.write(
            {"budget_planned": 0.0, "channel_rate_threshold": threshold}
        )
        plan = mailing._channel_plan()
        self.assertFalse(plan.assignments)
        self.assertEqual(plan.excluded_by_reason(), {"rate": 4, "no_channel": 1})

    def test_rates_from_the_responses(self):
        """In a company of its own (no other data): 25 people contacted by
        SMS and by email, 5 answered the SMS: 20 %, email 0 %."""
        company = self.company_eur
        people = self.env["res.partner"].create(
            [{"name": f"Rate {i}", "email": f"rate{i}@x.test"} for i in range(25)]
        )
        self._log_campaign(people, "sms", company=company)
        self._log_campaign(people, "email", company=company)
        self.env["campaign.response"].create(
            [
                {
                    "partner_id": p.id,
                    "campaign_id": self.campaign.id,
                    "channel": "sms",
                    "polarity": "positive",
                    "company_id": company.id,
                }
                for p in people[:5]
            ]
        )
        mailing = self._best_mailing(self.channel_email | self.channel_sms)
        rates = mailing.with_company(company)._channel_plan_rates(["email", "sms"])
        self.assertAlmostEqual(rates("sms", None), 0.2)
        self.assertAlmostEqual(rates("email", None), 0.0)
        self.campaign.channel_rate_threshold = 0.1
        plan = mailing.with_company(company)._channel_plan()
        # SMS for all but p2, who blocked it (email does not respond enough)
        self.assertEqual({a.channel for a in plan.assignments}, {"sms"})
        self.assertEqual(len(plan.assignments), 3)
        self.assertEqual(plan.excluded_by_reason(), {"rate": 1, "no_channel": 1})

    @users("user_marketing")
    def test_simulation_shows_the_plan(self):
        mailing = self._best_mailing(self.all_channels).with_env(self.env)
        action = mailing.action_check_pressure()
        simulation = self.env["campaign.pressure.simulation"].browse(action["res_id"])
        self.assertEqual(simulation.recipient_count, 5)
        self.assertEqual(simulation.send_count, 4)
        self.assertEqual(simulation.held_count, 1)
        lines = {line.channel or line.reason: line for line in simulation.plan_line_ids}
        self.assertEqual(lines["sms"].count, 2)
        self.assertAlmostEqual(lines["sms"].cost, 0.1)
        self.assertEqual(lines["email"].count, 2)
        self.assertEqual(lines["no_channel"].count, 1)
        self.assertAlmostEqual(simulation.plan_cost, 0.12)
        (excluded,) = simulation.plan_excluded_ids
        self.assertEqual(excluded.name, self.partners[4].name)
        self.assertIn("Email: blacklisted", excluded.detail)
        with self.assertRaises(AccessError):
            simulation.write({"plan_line_ids": [Command.create({"count": 9})]})

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self.campaign.channel_rate_threshold = 1.5
        with self.assertRaises(ValidationError):
            self.campaign.channel_rate_threshold = -0.1
        with self.assertRaises(ValidationError):
            self._best_mailing(self.channel_email.browse())
        with self.assertRaises(ValidationError):
            self._best_mailing(self.channel_sms, mailing_type="sms")
        with self.assertRaises(ValidationError):
            self.env["mailing.mailing"].create(
                {
                    "name": "On lists",
                    "subject": "x",
                    "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                    "best_channel": True,
                    "best_channel_ids": [Command.set(self.channel_email.ids)],
                }
            )


@tagged("post_install", "-at_install")
class TestBestChannelSend(BestChannelCommon):
    @users("user_marketing")
    def test_what_is_sent_is_the_plan(self):
        p0, p1, p2, p3, p4 = self.partners.with_env(self.env)
        # email costs more than a call, p1 blocks SMS: the letter for p1, the
        # call for p2 (SMS blocked), SMS for p0 (blacklisted) and p3 (rule)
        self.cost_email.sudo().cost = 2.5
        self.partners[1].sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_sms.ids)
        ]
        mailing = self._best_mailing(self.all_channels).with_env(self.env)
        plan = mailing._channel_plan()
        planned = self._channels(plan)
        self.assertEqual(
            planned, {p0.id: "sms", p1.id: "letter", p2.id: "phone", p3.id: "sms"}
        )
        with self.mock_mail_gateway(mail_unlink_sent=False), self.mockSMSGateway():
            mailing.action_send_mail()
        contacts = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search(
                [
                    ("campaign_id", "=", self.campaign.id),
                    ("mailing_id", "=", mailing.id),
                ]
            )
        )
        sent = {c.partner_id.id: c.channel for c in contacts}
        self.assertEqual(sent, planned)
        call = (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", "res.partner"), ("res_id", "=", p2.id)])
        )
        self.assertEqual(len(call), 1)
        day = next(a.day for a in plan.assignments if a.ref == p2.id)
        self.assertEqual(
            call.date_deadline, fields.Date.context_today(call) + timedelta(days=day)
        )
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.mapped("res_id"), [p4.id])
        self.assertEqual(held.pressure_reason, "plan_no_channel")
        self.assertIn("No channel", held.pressure_reason_text)
        self.campaign.invalidate_recordset()
        cost = sum(a.cost for a in plan.assignments)
        self.assertAlmostEqual(
            self.campaign.budget_spent + self.campaign.budget_committed, cost
        )
        self.assertEqual(mailing.state, "done")
        # everybody is done: a call or a letter leaves no trace, but counts
        self.assertEqual(mailing._get_remaining_recipients(), [])

    @users("user_marketing")
    def test_own_cost_is_the_mailings_channel_only(self):
        """A best-channel mailing's own cost is the cost of its emails: the
        plan prices its emails at it and its SMS, calls and letters at the
        company's costs, and the contact log stores each at the price the
        plan showed."""
        p0, p1, p2, p3, _p4 = self.partners.with_env(self.env)
        self.partners[1].sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_sms.ids)
        ]
        mailing = self._best_mailing(self.all_channels).with_env(self.env)
        mailing.sudo().write({"budget_cost_override": True, "budget_message_cost": 2.5})
        plan = mailing._channel_plan()
        # emails at 2.5: the letter, the call and SMS are cheaper
        self.assertEqual(
            self._channels(plan),
            {p0.id: "sms", p1.id: "letter", p2.id: "phone", p3.id: "sms"},
        )
        planned = {a.ref: a.cost for a in plan.assignments}
        self.assertEqual(
            planned,
            {
                p0.id: self.cost_sms.cost,
                p1.id: self.cost_letter.cost,
                p2.id: self.cost_phone.cost,
                p3.id: self.cost_sms.cost,
            },
        )
        with self.mock_mail_gateway(mail_unlink_sent=False), self.mockSMSGateway():
            mailing.action_send_mail()
        contacts = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("mailing_id", "=", mailing.id)])
        )
        self.assertEqual({c.partner_id.id: c.unit_cost for c in contacts}, planned)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(
            self.campaign.budget_spent + self.campaign.budget_committed,
            sum(planned.values()),
        )
        # an email of the mailing costs its own price
        email_plan = self._best_mailing(self.channel_email, partners=p1)
        email_plan.sudo().write(
            {"budget_cost_override": True, "budget_message_cost": 2.5}
        )
        self.assertEqual(
            [a.cost for a in email_plan._channel_plan().assignments], [2.5]
        )
