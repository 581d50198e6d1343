"""Journeys on any model, their mailings, criteria and the person's button."""

from freezegun import freeze_time
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools.safe_eval import safe_eval
from odoo_test_helper import FakeModelLoader

from .test_journey_common import JourneyCommon


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

    def _respond(self, partner, reason, date="2026-05-02 10:00:00"):
        return self.env["campaign.response"].create(
            {
                "partner_id": partner.id,
                "polarity": reason.polarity,
                "reason_id": reason.id,
                "date": date,
            }
        )

    def test_positive_response_starts_a_journey_on_any_model(self):
        """A journey entered on a date of its records (not "everyone at
        launch", not on contacts): a positive response enters the person's
        records that match its entry domain at once; the re-entry policy
        holds on a second response; a stopped journey is not entered."""
        reason = self.env["campaign.response.reason"].create(
            {"name": "Wants a payment plan (test)", "polarity": "positive"}
        )
        with freeze_time("2026-05-01 00:00:00"):
            journey, (notice,) = self._instalment_journey([self._email_step()])
            journey.action_launch()
            reason.start_journey_id = journey
            self.instalments[1].paid = True
        with freeze_time("2026-05-02 10:00:00"):
            # none is due within 7 days: only responses make them enter
            self.runner._cron_run_journeys()
            self.assertFalse(self._participants(journey))
            self._respond(self.partner_a, reason)
            self._respond(self.partner_b, reason)  # paid: not in the domain
            entered = self._participants(journey)
            self.assertEqual(entered.mapped("res_id"), self.instalments[0].ids)
            self.assertEqual(entered.partner_id, self.partner_a)
            self.assertEqual(entered.state, "running")
            self.assertEqual(self._items(journey, notice).state, "scheduled")
            self._tick()
            self.assertEqual(self._items(journey, notice).state, "done")
            # re-entry "never": a second response changes nothing
            self._respond(self.partner_a, reason)
            self.assertEqual(self._participants(journey), entered)
        with freeze_time("2026-05-03 10:00:00"):
            journey.action_stop()
            self._respond(self.partner_c, reason, date="2026-05-03 09:00:00")
            self.assertEqual(self._participants(journey), entered)

    def test_only_a_positive_reason_starts_a_journey_with_a_person(self):
        journey, _steps = self._instalment_journey([self._email_step()])
        negative = self.env["campaign.response.reason"].create(
            {"name": "Not this intake (test)", "polarity": "negative"}
        )
        with self.assertRaisesRegex(ValidationError, "Only a positive response"):
            negative.start_journey_id = journey
        positive = self.env["campaign.response.reason"].create(
            {"name": "Interested in loans (test)", "polarity": "positive"}
        )
        contacts = self.env["ir.model"]._get("mailing.contact")
        no_person, _steps = self._journey(
            [self._email_step()], model_id=contacts.id, domain="[]"
        )
        with self.assertRaisesRegex(ValidationError, "no contact to find them by"):
            positive.start_journey_id = no_person
        positive.start_journey_id = journey
        with self.assertRaisesRegex(ValidationError, "Only a positive response"):
            positive.polarity = "negative"


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
