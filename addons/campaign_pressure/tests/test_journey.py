from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools.safe_eval import safe_eval
from odoo_test_helper import FakeModelLoader

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestJourneyEntry(JourneyCommon):
    @users("user_marketing")
    def test_launch_enters_everyone_matching_and_sends_first_email(self):
        journey, (welcome,) = self._journey([self._email_step()])
        outsider = self.env["res.partner"].create(
            {"name": "Not an applicant", "email": "other@journey.test"}
        )
        journey.action_launch()
        participants = self._participants(journey)
        self.assertEqual(set(participants.mapped("res_id")), set(self.partners.ids))
        self.assertNotIn(outsider.id, participants.mapped("res_id"))
        self.assertEqual(
            set(participants.mapped("person_key")), {f"p:{p.id}" for p in self.partners}
        )
        self.assertEqual(len(self._items(journey, welcome, state="scheduled")), 5)
        self._tick()
        items = self._items(journey, welcome)
        self.assertEqual(set(items.mapped("state")), {"done"})
        # a real mailing send: traces of the step's mailing, one per person
        self.assertEqual(items.trace_id.mass_mailing_id, welcome.mailing_id)
        self.assertEqual(set(items.trace_id.mapped("res_id")), set(self.partners.ids))
        self.assertSentEmail(self.env.user.partner_id, [self.partner_a])
        # nothing left to do: completed
        self.assertEqual(set(participants.mapped("state")), {"completed"})
        self.assertEqual(journey.completed_count, 5)
        self.assertEqual(welcome.done_count, 5)
        # launching again does not enter anyone twice
        journey.action_stop()
        journey.action_launch()
        self.assertEqual(len(self._participants(journey)), 5)

    @users("user_marketing")
    def test_unique_key_email_one_participant_per_address(self):
        contacts = self.env["mailing.contact"].create(
            [
                {"name": "Twice A", "email": "same@journey.test"},
                {"name": "Twice B", "email": "SAME@journey.test"},
                {"name": "Once", "email": "once@journey.test"},
            ]
        )
        journey, _steps = self._journey(
            [{"kind": "wait"}],
            model_id=self.env["ir.model"]._get("mailing.contact").id,
            domain=repr([("id", "in", contacts.ids)]),
            unique_key="email",
        )
        journey.action_launch()
        participants = self._participants(journey)
        self.assertEqual(len(participants), 2)
        self.assertEqual(
            set(participants.mapped("person_key")),
            {"e:same@journey.test", "e:once@journey.test"},
        )

    @users("user_marketing")
    def test_event_entry_within_a_tick_and_once_per_write(self):
        with freeze_time("2026-03-01 09:00:00"):
            journey, (welcome,) = self._journey(
                [{"kind": "wait"}],
                entry_mode="event",
                domain=repr([("function", "=", "Enquirer")]),
            )
            journey.action_launch()
            # no one entered at launch: nobody started matching yet
            self.assertFalse(self._participants(journey))
        with freeze_time("2026-03-01 09:03:00"):
            self.partner_a.sudo().write({"function": "Enquirer"})
            self.env.flush_all()
            self._tick()
            participant = self._participants(journey)
            self.assertEqual(participant.res_id, self.partner_a.id)
            self.assertEqual(participant.state, "completed")
        with freeze_time("2026-03-01 09:06:00"):
            # the same write seen again in the overlap: no second entry
            self._tick()
            self.assertEqual(len(self._participants(journey)), 1)

    @users("user_marketing")
    def test_reentry_policies(self):
        domain = repr([("function", "=", "Enquirer"), ("id", "=", self.partner_a.id)])
        journeys = {}
        with freeze_time("2026-03-01 09:00:00"):
            for policy in ("never", "after_leaving", "period"):
                journeys[policy], _steps = self._journey(
                    [{"kind": "wait"}],
                    name=policy,
                    entry_mode="event",
                    domain=domain,
                    reentry=policy,
                    reentry_days=30,
                )
                journeys[policy].action_launch()
        for moment in (
            "2026-03-01 10:00:00",
            "2026-03-10 10:00:00",
            "2026-04-05 10:00",
        ):
            with freeze_time(moment):
                self.partner_a.sudo().write({"function": "Enquirer", "comment": moment})
                self.env.flush_all()
                self._tick()
        counts = {p: len(self._participants(j)) for p, j in journeys.items()}
        # never: once; after leaving: each write after completing; period:
        # not again within 30 days
        self.assertEqual(counts, {"never": 1, "after_leaving": 3, "period": 2})

    def _reentry_journey(self, **values):
        domain = repr([("function", "=", "Enquirer"), ("id", "=", self.partner_a.id)])
        journey, _steps = self._journey(
            [{"kind": "wait"}], entry_mode="event", domain=domain, **values
        )
        journey.action_launch()
        return journey

    def _write_and_tick(self, moment, **values):
        with freeze_time(moment):
            self.partner_a.sudo().write(dict(values, function="Enquirer"))
            self.env.flush_all()
            self._tick()

    @users("user_marketing")
    def test_reentry_once_per_field_value(self):
        with freeze_time("2026-03-01 09:00:00"):
            journey = self._reentry_journey(reentry="field", reentry_field="city")
        for moment, city in (
            ("2026-03-01 10:00:00", "Kyiv"),
            ("2026-03-02 10:00:00", "Kyiv"),  # the same value: not again
            ("2026-03-03 10:00:00", "Sofia"),  # a new value: again
            ("2026-03-04 10:00:00", "Kyiv"),  # entered for it already
        ):
            self._write_and_tick(moment, city=city)
        participants = self._participants(journey)
        self.assertEqual(sorted(participants.mapped("period_key")), ["Kyiv", "Sofia"])

    @users("user_marketing")
    def test_reentry_once_per_academic_year(self):
        with freeze_time("2026-03-01 09:00:00"):
            journey = self._reentry_journey(
                reentry="academic_year", reentry_year_start="9"
            )
        for moment in (
            "2026-03-01 10:00:00",  # 2025-2026
            "2026-08-31 10:00:00",  # still 2025-2026
            "2026-09-01 10:00:00",  # 2026-2027 starts
            "2027-01-10 10:00:00",
        ):
            self._write_and_tick(moment, comment=moment)
        participants = self._participants(journey)
        self.assertEqual(
            sorted(participants.mapped("period_key")), ["2025-2026", "2026-2027"]
        )

    def test_academic_year_key(self):
        journey, _steps = self._journey([], reentry="academic_year")
        for start, moment, key in (
            ("9", datetime(2026, 8, 31), "2025-2026"),
            ("9", datetime(2026, 9, 1), "2026-2027"),
            ("2", datetime(2026, 1, 31), "2025-2026"),
            ("1", datetime(2026, 12, 31), "2026"),
        ):
            journey.reentry_year_start = start
            self.assertEqual(journey._journey_period_key(moment), key)

    @users("user_marketing")
    def test_reentry_field_must_have_one_value(self):
        for fname in ("child_ids", "no_such_field", "comment", False):
            with self.subTest(field=fname), self.assertRaises(ValidationError):
                self._journey([], reentry="field", reentry_field=fname)


@tagged("post_install", "-at_install")
class TestJourneySteps(JourneyCommon):
    @users("user_marketing")
    def test_goal_and_exit_cancel_pending_steps(self):
        journey, (welcome, later) = self._journey(
            [
                {"kind": "wait"},
                self._email_step(parent=0, interval_number=3),
            ],
            goal_domain=repr([("function", "=", "Enrolled")]),
            exit_domain=repr([("function", "=", "Withdrawn")]),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
            self.assertEqual(len(self._items(journey, later, state="scheduled")), 5)
        self.partner_a.sudo().function = "Enrolled"
        self.partner_b.sudo().function = "Withdrawn"
        with freeze_time("2026-03-02 09:00:00"):
            self._tick()
        by_res = {p.res_id: p for p in self._participants(journey)}
        self.assertEqual(by_res[self.partner_a.id].state, "goal")
        self.assertEqual(by_res[self.partner_b.id].state, "exited")
        self.assertEqual(journey.goal_count, 1)
        self.assertEqual(journey.exited_count, 1)
        for partner in (self.partner_a, self.partner_b):
            item = by_res[partner.id].item_ids.filtered(lambda i: i.step_id == later)
            self.assertEqual(item.state, "cancelled")
            self.assertTrue(item.reason)
        with freeze_time("2026-03-05 09:00:00"):
            self._tick()
        sent = self._items(journey, later, state="done")
        self.assertEqual(len(sent), 3)
        self.assertNotIn(self.partner_a.id, sent.trace_id.mapped("res_id"))

    @users("user_marketing")
    def test_opened_and_not_opened_triggers(self):
        journey, (welcome, opened, not_opened) = self._journey(
            [
                self._email_step(),
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "email_opened",
                    "interval_number": 3,
                },
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "email_not_opened",
                    "interval_number": 3,
                },
            ],
            domain=repr([("id", "in", (self.partner_a | self.partner_b).ids)]),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        trace_a = self._items(journey, welcome).trace_id.filtered(
            lambda t: t.res_id == self.partner_a.id
        )
        with freeze_time("2026-03-02 09:00:00"):
            trace_a.set_opened()
            self._tick()
            # the opened branch runs as soon as the open is seen
            ran = self._items(journey, opened, state="done")
            self.assertEqual(ran.participant_id.res_id, self.partner_a.id)
            self.assertFalse(
                self._items(journey, not_opened).filtered(
                    lambda i: i.state != "scheduled"
                )
            )
        with freeze_time("2026-03-04 10:00:00"):
            self._tick()
        items = {(i.step_id, i.participant_id.res_id): i for i in self._items(journey)}
        self.assertEqual(items[opened, self.partner_b.id].state, "skipped")
        self.assertEqual(items[not_opened, self.partner_a.id].state, "skipped")
        self.assertEqual(items[not_opened, self.partner_b.id].state, "done")
        self.assertEqual(welcome.opened_count, 1)

    @users("user_marketing")
    def test_clicked_trigger(self):
        journey, (welcome, clicked) = self._journey(
            [
                self._email_step(),
                self._email_step(parent=0, trigger="email_clicked", interval_number=2),
            ],
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        with freeze_time("2026-03-01 12:00:00"):
            self._tick()
            self.assertEqual(self._items(journey, clicked).state, "scheduled")
            self._items(journey, welcome).trace_id.set_clicked()
            self._tick()
            self.assertEqual(self._items(journey, clicked).state, "done")
            self.assertEqual(welcome.clicked_count, 1)

    @users("user_marketing")
    def test_step_filter_and_expiry(self):
        journey, (first, filtered, late) = self._journey(
            [
                {"kind": "wait"},
                {
                    "kind": "wait",
                    "parent": 0,
                    "filter_domain": repr([("id", "=", self.partner_a.id)]),
                },
                {"kind": "wait", "parent": 0, "interval_number": 1, "expiry_hours": 2},
            ],
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        items = self._items(journey, filtered)
        self.assertEqual(
            items.filtered(lambda i: i.state == "done").participant_id.res_id,
            self.partner_a.id,
        )
        self.assertEqual(len(items.filtered(lambda i: i.state == "rejected")), 4)
        self.assertEqual(filtered.rejected_count, 4)
        # the cron did not run for a day and a half: the late step expired
        with freeze_time("2026-03-02 21:00:00"):
            self._tick()
        self.assertEqual(set(self._items(journey, late).mapped("state")), {"expired"})
        self.assertEqual(late.expired_count, 5)

    @users("user_marketing")
    def test_stop_cancels_pending_at_once(self):
        journey, (first, later) = self._journey(
            [{"kind": "wait"}, {"kind": "wait", "parent": 0, "interval_number": 2}]
        )
        journey.action_launch()
        self._tick()
        journey.action_stop()
        self.assertEqual(journey.state, "stopped")
        self.assertEqual(
            set(self._items(journey, later).mapped("state")), {"cancelled"}
        )
        # nothing is claimed for a stopped journey
        self.assertFalse(self.runner.sudo()._journey_claim(100))

    @users("user_marketing")
    def test_archived_step_cancels_its_pending_items(self):
        journey, (first, later) = self._journey(
            [{"kind": "wait"}, {"kind": "wait", "parent": 0, "interval_number": 2}]
        )
        journey.action_launch()
        self._tick()
        later.active = False
        self.assertEqual(
            set(self._items(journey, later).mapped("state")), {"cancelled"}
        )

    @users("user_marketing")
    def test_activity_step_and_done_trigger(self):
        call = self.env.ref("mail.mail_activity_data_call")
        journey, (task, done, not_done) = self._journey(
            [
                {
                    "kind": "activity",
                    "activity_type_id": call.id,
                    "activity_user_mode": "user",
                    "activity_user_id": self.env.uid,
                },
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "activity_done",
                    "interval_number": 2,
                },
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "activity_not_done",
                    "interval_number": 2,
                },
            ],
            domain=repr([("id", "in", (self.partner_a | self.partner_b).ids)]),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        activities = self._items(journey, task).activity_id
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.user_id, self.env.user)
        with freeze_time("2026-03-01 12:00:00"):
            activities.filtered(lambda a: a.res_id == self.partner_a.id).action_done()
            self._tick()
            self.assertEqual(
                self._items(journey, done, state="done").participant_id.res_id,
                self.partner_a.id,
            )
        with freeze_time("2026-03-03 12:00:00"):
            self._tick()
        self.assertEqual(
            self._items(journey, not_done, state="done").participant_id.res_id,
            self.partner_b.id,
        )

    @users("user_marketing")
    def test_letter_step_logs_a_contact(self):
        journey, (letter,) = self._journey(
            [{"kind": "letter"}], domain=repr([("id", "=", self.partner_a.id)])
        )
        journey.action_launch()
        self._tick()
        self.assertEqual(self._items(journey, letter).state, "done")
        logged = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search(
                [("partner_id", "=", self.partner_a.id), ("channel", "=", "letter")]
            )
        )
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged.state, "confirmed")

    @users("user_marketing")
    def test_sms_step_sends_through_its_mailing(self):
        journey, (sms,) = self._journey(
            [{"kind": "sms", "body_plaintext": "Open day on Saturday"}],
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        self.assertEqual(sms.mailing_id.mailing_type, "sms")
        journey.action_launch()
        with self.mockSMSGateway():
            self._tick()
        item = self._items(journey, sms)
        self.assertEqual(item.state, "done")
        self.assertEqual(item.trace_id.trace_type, "sms")

    @users("user_marketing")
    def test_reentered_person_receives_the_step_again(self):
        journey, (welcome,) = self._journey(
            [self._email_step()],
            entry_mode="event",
            reentry="after_leaving",
            domain=repr(
                [("function", "=", "Enquirer"), ("id", "=", self.partner_a.id)]
            ),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
        for moment in ("2026-03-01 10:00:00", "2026-03-02 10:00:00"):
            with freeze_time(moment):
                self.partner_a.sudo().write({"function": "Enquirer", "comment": moment})
                self.env.flush_all()
                self._tick()
        items = self._items(journey, welcome)
        self.assertEqual(len(items), 2)
        self.assertEqual(set(items.mapped("state")), {"done"})
        self.assertEqual(set(items.trace_id.mapped("trace_status")), {"sent"})


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


@tagged("post_install", "-at_install")
class TestJourneyAnyModel(JourneyCommon):
    """A journey on a model registered by the test only: any mail.thread
    model works (entry on its date field, an email through its mailing, a
    call task for the record's owner)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .test_journey_fake_models import JourneyFakeInstalment

        cls.loader.update_registry((JourneyFakeInstalment,))
        cls.Instalment = cls.env["campaign.journey.fake.instalment"]
        cls.owner = cls.env["res.users"].create(
            {
                "name": "Bursar",
                "login": "journey_bursar",
                "email": "bursar@journey.test",
            }
        )
        cls.instalments = cls.Instalment.create(
            [
                {
                    "name": f"Instalment {i}",
                    "partner_id": partner.id,
                    "user_id": cls.owner.id,
                    "due_date": due,
                }
                for i, (partner, due) in enumerate(
                    zip(
                        cls.partners[:3],
                        ["2026-05-20", "2026-05-28", "2026-04-01"],
                        strict=True,
                    )
                )
            ]
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _instalment_journey(self, steps, **values):
        return self._journey(
            steps,
            **dict(
                {
                    "name": "Instalment due",
                    "model_id": self.env["ir.model"]._get(self.Instalment._name).id,
                    "domain": repr([("paid", "=", False)]),
                    "entry_mode": "date",
                    "date_field": "due_date",
                    "date_offset_days": -7,
                },
                **values,
            ),
        )

    def test_date_entry_seven_days_before_and_email(self):
        with freeze_time("2026-05-01 00:00:00"):
            journey, (notice, call) = self._instalment_journey(
                [
                    self._email_step(subject="Your instalment is due"),
                    {
                        "kind": "activity",
                        "parent": 0,
                        "activity_type_id": self.env.ref(
                            "mail.mail_activity_data_call"
                        ).id,
                    },
                ]
            )
            journey.action_launch()
        self.assertEqual(notice.mailing_id.mailing_model_real, self.Instalment._name)
        with freeze_time("2026-05-12 12:00:00"):
            self._tick()
            self.assertFalse(self._participants(journey))
        with freeze_time("2026-05-13 00:30:00"):
            self._tick()
            participant = self._participants(journey)
            self.assertEqual(participant.res_id, self.instalments[0].id)
            self.assertEqual(participant.partner_id, self.partner_a)
        item = self._items(journey, notice)
        self.assertEqual(item.state, "done")
        self.assertEqual(item.trace_id.model, self.Instalment._name)
        self.assertSentEmail(self.env.user.partner_id, [self.partner_a])
        # the call task goes to the record's owner
        task = self._items(journey, call)
        self.assertEqual(task.activity_id.user_id, self.owner)
        self.assertEqual(task.activity_id.res_model, self.Instalment._name)
        with freeze_time("2026-05-21 01:00:00"):
            self._tick()
        # the instalment whose moment had passed before the launch never enters
        self.assertEqual(
            set(self._participants(journey).mapped("res_id")),
            set(self.instalments[:2].ids),
        )

    def test_goal_on_the_model_cancels_pending(self):
        with freeze_time("2026-05-13 00:30:00"):
            journey, (wait, reminder) = self._instalment_journey(
                [{"kind": "wait"}, self._email_step(parent=0, interval_number=6)],
                entry_mode="launch",
                goal_domain=repr([("paid", "=", True)]),
            )
            journey.action_launch()
            self._tick()
        self.instalments[0].paid = True
        with freeze_time("2026-05-19 01:00:00"):
            self._tick()
        items = self._items(journey, reminder)
        paid = items.filtered(
            lambda i: i.participant_id.res_id == self.instalments[0].id
        )
        self.assertEqual(paid.state, "cancelled")
        self.assertEqual(paid.participant_id.state, "goal")
        self.assertEqual(set((items - paid).mapped("state")), {"done"})


@tagged("post_install", "-at_install")
class TestJourneyMailings(JourneyCommon):
    """A journey's per-step mailings are reached from their step, not listed
    among Email Marketing's (or SMS Marketing's) mailings."""

    def _listed(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        domain = safe_eval(action["domain"])
        return self.env["mailing.mailing"].search(domain)

    @users("user_marketing")
    def test_step_mailings_are_not_listed(self):
        _journey, (email, sms) = self._journey(
            [self._email_step(), {"kind": "sms", "body_plaintext": "Hello"}]
        )
        plain = self._create_partner_mailing(self.partners)
        self.assertTrue(email.mailing_id.is_journey_mailing)
        self.assertFalse(plain.is_journey_mailing)
        listed = self._listed("mass_mailing.mailing_mailing_action_mail")
        self.assertIn(plain, listed)
        self.assertNotIn(email.mailing_id, listed)
        listed_sms = self._listed("mass_mailing_sms.mailing_mailing_action_sms")
        self.assertNotIn(sms.mailing_id, listed_sms)
        # a removed step's mailing stays out too
        email.active = False
        self.assertNotIn(
            email.mailing_id, self._listed("mass_mailing.mailing_mailing_action_mail")
        )
        self.assertEqual(
            self.env["mailing.mailing"].search(
                [("is_journey_mailing", "=", True), ("id", "=", email.mailing_id.id)]
            ),
            email.mailing_id,
        )

    def test_search_refuses_other_operators(self):
        with self.assertRaises(UserError):
            self.env["mailing.mailing"].search([("is_journey_mailing", "in", [1])])


@tagged("post_install", "-at_install")
class TestJourneyCriteria(JourneyCommon):
    """An empty goal or exit domain is none (never "every record"), and the
    form says so with a toggle."""

    @users("user_marketing")
    def test_empty_goal_reads_none_and_nobody_leaves(self):
        journey, (wait, _email) = self._journey(
            [{"kind": "wait"}, self._email_step(parent=0, interval_number=2)],
            goal_domain="[]",
            exit_domain=" [ ] ",
        )
        self.assertFalse(journey.has_goal)
        self.assertFalse(journey.has_exit)
        journey.action_launch()
        self._tick()
        self.assertEqual(set(self._participants(journey).mapped("state")), {"running"})

    @users("user_marketing")
    def test_goal_toggle_off_clears_the_domain(self):
        journey, _steps = self._journey(
            [{"kind": "wait"}],
            goal_domain=repr([("email", "=", "nobody@example.com")]),
        )
        self.assertTrue(journey.has_goal)
        self.assertFalse(journey.has_exit)
        with Form(journey) as form:
            form.has_goal = False
        self.assertFalse(journey.goal_domain)
        self.assertFalse(journey.has_goal)


@tagged("post_install", "-at_install")
class TestJourneyPerson(JourneyCommon):
    """The person's journeys from the contact form: their participants, the
    path of each (done, pending, held with the reason)."""

    @users("user_marketing")
    def test_journeys_button_opens_the_persons_participants(self):
        journey, (_wait,) = self._journey([{"kind": "wait", "interval_number": 2}])
        other, (_email,) = self._journey([self._email_step()])
        (journey | other).action_launch()
        partner = self.partner_a.with_user(self.env.user)
        self.assertEqual(partner.journey_participant_count, 2)
        action = partner.action_view_journey_participants()
        participants = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(participants.journey_id, journey | other)
        self.assertEqual(participants.partner_id, self.partner_a)
        # the path: the pending wait of the first journey
        path = participants.filtered(lambda p: p.journey_id == journey).item_ids
        self.assertEqual(path.mapped("state"), ["scheduled"])
        # a partner in no journey: no button
        self.assertEqual(
            self.env["res.partner"]
            .create({"name": "Nobody"})
            .journey_participant_count,
            0,
        )
