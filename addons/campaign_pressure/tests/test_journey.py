from datetime import datetime

from freezegun import freeze_time
from odoo.exceptions import ValidationError
from odoo.tests import tagged, users

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
