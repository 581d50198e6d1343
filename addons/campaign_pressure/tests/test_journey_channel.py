from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .test_best_channel import BestChannelCommon
from .test_budget import BudgetCommon
from .test_journey_common import JourneyCommon


class JourneyChannelMixin:
    def _campaign_journey(self, partners, step_values):
        """A journey of the campaign on ``partners`` with one email step made
        by a pressure manager (who may set its cost)."""
        journey, _steps = self._journey(
            [],
            campaign_id=self.campaign.id,
            domain=repr([("id", "in", partners.ids)]),
        )
        step = (
            self.env["campaign.journey.step"]
            .with_user(self.user_pressure_manager)
            .create(
                dict(
                    self._email_step(name="Welcome"),
                    journey_id=journey.id,
                    **step_values,
                )
            )
        )
        return journey, step

    def _run(self, journey, batch_size=500):
        journey.action_launch()
        with self.mock_mail_gateway(mail_unlink_sent=False), self.mockSMSGateway():
            self.runner._cron_run_journeys(batch_size=batch_size)
        self.env.invalidate_all()

    def _contacts(self, mailing):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("mailing_id", "=", mailing.id), ("state", "!=", "released")])
        )


@tagged("post_install", "-at_install")
class TestJourneyStepCost(JourneyChannelMixin, JourneyCommon, BudgetCommon):
    """A step's own cost per message is its mailing's: the contact log
    prices each message with it and the campaign's budget stops at it."""

    def test_own_cost_is_what_the_campaign_pays(self):
        # budget 3.0; the company's email costs 1.0: three of five people
        # at that price, all five at the step's own 0.5
        journey, step = self._campaign_journey(
            self.partners, {"budget_cost_override": True, "budget_message_cost": 0.5}
        )
        mailing = step.mailing_id
        self.assertTrue(mailing.budget_cost_override)
        self.assertEqual(mailing.budget_message_cost, 0.5)
        self.assertEqual(step.budget_unit_cost, 0.5)
        self._run(journey)
        self.assertEqual(
            sorted(set(self._items(journey, step).mapped("state"))), ["done"]
        )
        contacts = self._contacts(mailing)
        self.assertEqual(len(contacts), 5)
        self.assertEqual(set(contacts.mapped("unit_cost")), {0.5})
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(
            self.campaign.budget_spent + self.campaign.budget_committed, 2.5
        )

    def test_budget_stops_the_step_across_batches(self):
        # an email costs the budget's third: three of five, in batches of
        # two; the mails wait in Odoo's queue (as they do for batches over
        # its force-send limit): a batch's reservations hold the budget for
        # the next batches
        self.env["ir.config_parameter"].sudo().set_param(
            "mail.mail.force.send.limit", 0
        )
        journey, step = self._campaign_journey(self.partners, {})
        self.assertEqual(step.budget_unit_cost, 1.0)  # the company's email
        self._run(journey, batch_size=2)
        items = self._items(journey, step)
        self.assertEqual(items.mapped("state").count("done"), 3)
        self.assertEqual(items.mapped("state").count("held"), 2)
        self.assertEqual(len(self._contacts(step.mailing_id)), 3)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(
            self.campaign.budget_spent + self.campaign.budget_committed, 3.0
        )

    def test_bad_input(self):
        manager = self.env["campaign.journey.step"].with_user(
            self.user_pressure_manager
        )
        journey, step = self._campaign_journey(self.partners, {})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            manager.create(
                dict(
                    self._email_step(name="Other"),
                    journey_id=journey.id,
                    budget_cost_override=True,
                    budget_message_cost=-0.1,
                )
            )
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            step.with_user(self.user_pressure_manager).budget_message_cost = -1.0
        # a marketing user may build steps, not price them
        as_marketing = step.with_user(self.user_marketing)
        with self.assertRaisesRegex(AccessError, "own cost per message"):
            as_marketing.write({"budget_cost_override": True})
        with self.assertRaisesRegex(AccessError, "own cost per message"):
            as_marketing.create(
                dict(
                    self._email_step(name="Other"),
                    journey_id=journey.id,
                    budget_message_cost=0.0,
                )
            )
        as_marketing.subject = "Still theirs to write"
        # a step without a message has no cost of its own
        wait = manager.create(
            {"name": "Wait", "journey_id": journey.id, "kind": "wait"}
        )
        with self.assertRaisesRegex(ValidationError, "sends no email or SMS"):
            wait.budget_cost_override = True
        self.assertFalse(step.mailing_id.budget_cost_override)


@tagged("post_install", "-at_install")
class TestJourneyLetterCallCost(JourneyChannelMixin, JourneyCommon, BudgetCommon):
    """A letter or call step has no mailing: its own cost is the step's,
    logged with each letter and call, and its calls are the campaign's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Cost = cls.env["campaign.pressure.channel.cost"]
        Cost.create({"channel_id": cls.channel_letter.id, "cost": 1.2})
        Cost.create({"channel_id": cls.channel_phone.id, "cost": 2.0})
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )
        cls.campaign.budget_planned = 100.0

    def _steps(self, step_values):
        journey, _steps = self._journey(
            [],
            campaign_id=self.campaign.id,
            domain=repr([("id", "in", self.partners[:2].ids)]),
        )
        steps = (
            self.env["campaign.journey.step"]
            .with_user(self.user_pressure_manager)
            .create(
                [
                    dict(values, name=values["kind"], journey_id=journey.id)
                    for values in step_values
                ]
            )
        )
        return journey, steps

    def _logged(self, channel):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.partners[:2].ids),
                    ("channel", "=", channel),
                    ("state", "!=", "released"),
                ]
            )
        )

    def test_own_cost_of_letters_and_calls(self):
        journey, (letter, call) = self._steps(
            [
                {
                    "kind": "letter",
                    "step_cost_override": True,
                    "step_message_cost": 0.8,
                },
                {
                    "kind": "activity",
                    "activity_type_id": self.call_type.id,
                    "activity_user_mode": "user",
                    "activity_user_id": self.user_marketing.id,
                    "step_cost_override": True,
                    "step_message_cost": 3.5,
                },
            ]
        )
        self.assertEqual(
            letter._journey_log_cost(),
            {"unit_cost": 0.8, "cost_currency_id": self.campaign.budget_currency_id.id},
        )
        self._run(journey)
        letters, calls = self._logged("letter"), self._logged("phone")
        self.assertEqual((len(letters), set(letters.mapped("unit_cost"))), (2, {0.8}))
        self.assertEqual((len(calls), set(calls.mapped("unit_cost"))), (2, {3.5}))
        # the step's calls are the campaign's: committed until done
        self.assertEqual((letters | calls).campaign_id, self.campaign)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 1.6)
        self.assertAlmostEqual(self.campaign.budget_committed, 7.0)

    def test_company_cost_without_an_own_cost(self):
        journey, (letter, call) = self._steps(
            [
                {"kind": "letter"},
                {
                    "kind": "activity",
                    "activity_type_id": self.call_type.id,
                    "activity_user_mode": "user",
                    "activity_user_id": self.user_marketing.id,
                },
            ]
        )
        self.assertIsNone(letter._journey_log_cost())
        self._run(journey)
        self.assertEqual(set(self._logged("letter").mapped("unit_cost")), {1.2})
        calls = self._logged("phone")
        self.assertEqual(set(calls.mapped("unit_cost")), {2.0})
        self.assertEqual(calls.campaign_id, self.campaign)

    def test_letters_stop_at_the_budget(self):
        # 2.0 left pays two letters at 0.8: the other three are held back
        self.campaign.budget_planned = 2.0
        journey, (letter,) = self._steps(
            [{"kind": "letter", "step_cost_override": True, "step_message_cost": 0.8}]
        )
        journey.domain = repr([("id", "in", self.partners.ids)])
        self._run(journey)
        items = self._items(journey, letter)
        self.assertEqual(sorted(items.mapped("state")), ["done"] * 2 + ["held"] * 3)
        held = items.filtered(lambda i: i.state == "held")
        self.assertEqual(len(set(held.mapped("reason"))), 1)
        self.assertIn("The campaign's budget is reached", held[0].reason)
        self.assertIn("0.80", held[0].reason)
        self.assertEqual(
            len(
                self.env["campaign.pressure.contact"]
                .sudo()
                .search(
                    [("campaign_id", "=", self.campaign.id), ("channel", "=", "letter")]
                )
            ),
            2,
        )
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_spent, 1.6)

    def test_calls_stop_at_the_budget(self):
        # 5.0 pays two calls at the company's 2.0: three tasks are not made
        self.campaign.budget_planned = 5.0
        journey, (call,) = self._steps(
            [
                {
                    "kind": "activity",
                    "activity_type_id": self.call_type.id,
                    "activity_user_mode": "user",
                    "activity_user_id": self.user_marketing.id,
                }
            ]
        )
        journey.domain = repr([("id", "in", self.partners.ids)])
        self._run(journey, batch_size=2)
        items = self._items(journey, call)
        self.assertEqual(sorted(items.mapped("state")), ["done"] * 2 + ["held"] * 3)
        self.assertEqual(len(items.activity_id), 2)
        held = items.filtered(lambda i: i.state == "held")
        self.assertIn("The campaign's budget is reached", held[0].reason)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.budget_committed, 4.0)

    def test_bad_input_and_rights(self):
        journey, (letter,) = self._steps([{"kind": "letter"}])
        manager = letter.with_user(self.user_pressure_manager)
        # assertRaises (not ...Regex): Odoo's rolls the savepoint back, as a
        # request's transaction is
        with self.assertRaises(ValidationError) as refused:
            manager.write({"step_cost_override": True, "step_message_cost": -1.0})
        self.assertIn("cannot be negative", str(refused.exception))
        # a letter step has no mailing: the mailing's cost does not apply
        with self.assertRaises(ValidationError) as refused:
            manager.budget_cost_override = True
        self.assertIn("sends no email or SMS", str(refused.exception))
        as_marketing = letter.with_user(self.user_marketing)
        for vals in ({"step_cost_override": True}, {"step_message_cost": 0.0}):
            with self.assertRaisesRegex(AccessError, "own cost per message"):
                as_marketing.write(vals)
        # a task that is not a call logs no contact: no cost of its own
        todo = manager.create(
            {
                "name": "To do",
                "journey_id": journey.id,
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            }
        )
        with self.assertRaises(ValidationError) as refused:
            todo.step_cost_override = True
        self.assertIn("makes no call", str(refused.exception))
        (letter | todo).invalidate_recordset()
        self.assertFalse(letter.step_cost_override)
        self.assertFalse(todo.step_cost_override)


@tagged("post_install", "-at_install")
class TestJourneyStepBestChannel(JourneyChannelMixin, JourneyCommon, BestChannelCommon):
    """A best-channel email step reaches each participant on the channel the
    campaign's policy chooses, through its mailing's plan; calls and letters
    leave no trace, their contact in the log says the step is done."""

    def test_each_participant_on_the_cheapest_channel(self):
        p0, p1, p2, p3, p4 = self.partners
        # p4 has nothing but an address: a letter
        p4.write({"street": "1 Main St", "city": "Kyiv"})
        channels = self.channel_email | self.channel_sms | self.channel_letter
        journey, step = self._campaign_journey(
            self.partners,
            {"best_channel": True, "best_channel_ids": [Command.set(channels.ids)]},
        )
        mailing = step.mailing_id
        self.assertTrue(mailing.best_channel)
        self.assertEqual(mailing.best_channel_ids, channels)
        self._run(journey)
        # cheapest: email 0.01, SMS 0.05, letter 1.5
        sent = {c.partner_id: c.channel for c in self._contacts(mailing)}
        self.assertEqual(
            sent,
            {p0: "sms", p1: "email", p2: "email", p3: "sms", p4: "letter"},
        )
        items = {item.partner_id: item for item in self._items(journey, step)}
        self.assertEqual({i.state for i in items.values()}, {"done"})
        self.assertIn("Letter", items[p4].reason)
        self.assertEqual(items[p0].trace_id.trace_type, "sms")
        self.assertEqual(items[p1].trace_id.trace_type, "mail")

    def test_policy_threshold_holds_the_step(self):
        # no channel answers enough for the campaign: the plan reaches nobody
        # and each item is held with the planner's reason
        channels = self.channel_email | self.channel_sms
        journey, step = self._campaign_journey(
            self.partners[:2],
            {"best_channel": True, "best_channel_ids": [Command.set(channels.ids)]},
        )
        rates = step.mailing_id._channel_plan_rates(["email", "sms"])
        self.campaign.channel_rate_threshold = (
            max(rates("email", None), rates("sms", None)) + 0.01
        )
        self._run(journey)
        items = self._items(journey, step)
        self.assertEqual(items.mapped("state"), ["held", "held"])
        self.assertFalse(self._contacts(step.mailing_id))
        for item in items:
            self.assertEqual(item.trace_id.pressure_reason, "plan_rate")

    def test_bad_input(self):
        journey, step = self._campaign_journey(self.partners, {})
        with self.assertRaisesRegex(ValidationError, "Choose the channels"):
            step.best_channel = True
        sms = self.env["campaign.journey.step"].create(
            {"name": "SMS", "journey_id": journey.id, "kind": "sms"}
        )
        with self.assertRaisesRegex(ValidationError, "Only an email step"):
            sms.write(
                {
                    "best_channel": True,
                    "best_channel_ids": [Command.set(self.channel_sms.ids)],
                }
            )
        self.assertFalse(sms.mailing_id.best_channel)
