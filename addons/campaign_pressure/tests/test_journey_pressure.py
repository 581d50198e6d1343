"""Journeys under the pressure engine: held steps, retries, fallbacks, test runs."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.tests import tagged, users

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestJourneyPressure(JourneyCommon):
    def _held_setup(self, **step_values):
        self._email_rule(name="One email a month", max_contacts=1)
        self._log_contacts(self.partner_a, days_ago=3)
        return self._journey(
            [self._email_step(**step_values), {"kind": "wait", "parent": 0}],
            domain=repr([("id", "in", (self.partner_a | self.partner_b).ids)]),
        )

    @users("user_marketing")
    def test_hold_skip_records_reason(self):
        journey, (welcome, after) = self._held_setup()
        journey.action_launch()
        self._tick()
        item_a = self._items(journey, welcome).filtered(
            lambda i: i.participant_id.res_id == self.partner_a.id
        )
        self.assertEqual(item_a.state, "held")
        self.assertIn("One email a month", item_a.reason)
        self.assertEqual(item_a.trace_id.failure_type, "pressure")
        self.assertEqual(welcome.held_count, 1)
        # no next step for a held one; the other went on
        self.assertEqual(
            self._items(journey, after).participant_id.res_id, self.partner_b.id
        )
        self.assertNotSentEmail([self.partner_a])

    @users("user_marketing")
    def test_hold_retry_within_max_days(self):
        journey, (welcome, after) = self._held_setup(
            hold_action="retry", retry_hours=24, retry_max_days=2
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        retry = self._items(journey, welcome, state="scheduled")
        self.assertEqual(retry.participant_id.res_id, self.partner_a.id)
        self.assertEqual(retry.scheduled_date, datetime(2026, 3, 2, 9, 0))
        with freeze_time("2026-03-02 09:05:00"):
            self._tick()  # still saturated: held again, one more retry
        with freeze_time("2026-03-03 09:10:00"):
            self._tick()  # held, and the retry period is over
        items_a = self._items(journey, welcome).filtered(
            lambda i: i.participant_id.res_id == self.partner_a.id
        )
        # held at once and after a day; the next retry would fall after the
        # two days of retries: given up, nothing left scheduled
        self.assertEqual(items_a.mapped("state"), ["held"] * 2)
        self.assertIn("No more retries", items_a.sorted("id")[-1].reason)
        self.assertNotIn("No more retries", items_a.sorted("id")[0].reason)

    @users("user_marketing")
    def test_hold_retry_sends_once_room_is_back(self):
        journey, (welcome, after) = self._held_setup(
            hold_action="retry", retry_hours=24, retry_max_days=40
        )
        with freeze_time(fields.Datetime.now()):
            journey.action_launch()
            self._tick()
        with freeze_time(fields.Datetime.now() + timedelta(days=31)):
            self._tick()
            done = self._items(journey, welcome, state="done")
            self.assertEqual(
                set(done.participant_id.mapped("res_id")),
                {self.partner_a.id, self.partner_b.id},
            )

    @users("user_marketing")
    def test_hold_falls_back_to_sms(self):
        self._email_rule(name="One email a month", max_contacts=1)
        self._log_contacts(self.partner_a, days_ago=3)
        # the SMS follows an opened email; it is also the email's fallback
        journey, (welcome, sms) = self._journey(
            [
                self._email_step(),
                {
                    "kind": "sms",
                    "body_plaintext": "We wrote to you",
                    "parent": 0,
                    "trigger": "email_opened",
                    "interval_number": 1,
                },
            ],
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        welcome.write({"hold_action": "fallback", "fallback_step_id": sms.id})
        journey.action_launch()
        with self.mockSMSGateway():
            self._tick()
        items = self._items(journey)
        held = items.filtered(lambda i: i.step_id == welcome)
        fallback = items.filtered(lambda i: i.step_id == sms)
        self.assertEqual(held.state, "held")
        self.assertTrue(fallback.is_fallback)
        self.assertEqual(fallback.state, "done")
        self.assertEqual(fallback.trace_id.trace_type, "sms")

    @users("user_marketing")
    def test_priority_and_campaign_on_the_step_mailing(self):
        campaign = self.env["utm.campaign"].create({"name": "Intake 2026"})
        journey, (welcome,) = self._journey(
            [self._email_step()], priority=30, campaign_id=campaign.id
        )
        self.assertEqual(welcome.mailing_id.pressure_priority, 30)
        self.assertEqual(welcome.mailing_id.campaign_id, campaign)
        journey.priority = 5
        self.assertEqual(welcome.mailing_id.pressure_priority, 5)

    def test_transactional_journey_counted_not_capped(self):
        self._email_rule(name="One email a month", max_contacts=1)
        self._log_contacts(self.partner_a, days_ago=3)
        journey, (notice,) = self._journey(
            [self._email_step()], domain=repr([("id", "=", self.partner_a.id)])
        )
        journey.with_user(self.user_pressure_manager).is_transactional = True
        self.assertTrue(notice.mailing_id.pressure_exempt)
        journey.action_launch()
        self._tick()
        self.assertEqual(self._items(journey, notice).state, "done")


@tagged("post_install", "-at_install")
class TestJourneyTestMode(JourneyCommon):
    @users("user_marketing")
    def test_test_run_sends_to_the_test_address_and_counts_nothing(self):
        self._email_rule(name="One email a month", max_contacts=1)
        journey, (welcome, later) = self._journey(
            [
                self._email_step(),
                self._email_step(parent=0, interval_number=5, trigger="email_opened"),
            ]
        )
        wizard = self.env["campaign.journey.test"].create(
            {
                "journey_id": journey.id,
                "res_id": self.partner_a.id,
                "email_to": "tester@journey.test",
            }
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            wizard.action_run()
        participant = wizard.participant_id
        self.assertTrue(participant.is_test)
        self.assertEqual(participant.item_ids.mapped("state"), ["done", "done"])
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "=", "tester@journey.test")])
        )
        self.assertEqual(len(mails), 2)
        self.assertTrue(all(m.subject.startswith("[TEST]") for m in mails))
        self.assertFalse(
            self.env["mailing.trace"]
            .sudo()
            .search([("mass_mailing_id", "in", (welcome | later).mailing_id.ids)])
        )
        self.assertFalse(
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("partner_id", "=", self.partner_a.id)])
        )
        # a test is not a participant of the journey
        self.assertEqual(journey.participant_count, 0)
        self.assertEqual(welcome.done_count, 0)
