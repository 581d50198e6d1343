from freezegun import freeze_time
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestJourneyResponse(JourneyCommon):
    """Steps triggered by a response registered on the person
    (campaign.response), of a kind and reason, within the step's window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Response = cls.env["campaign.response"]
        cls.not_this_intake = cls.env["campaign.response.reason"].create(
            {"name": "Not this intake (test)", "polarity": "negative"}
        )
        cls.other_reason = cls.env["campaign.response.reason"].create(
            {"name": "Chose another institution (test)", "polarity": "negative"}
        )

    def _respond(self, partner, polarity, reason=None, date=None):
        return self.Response.create(
            {
                "partner_id": partner.id,
                "polarity": polarity,
                "reason_id": reason.id if reason else False,
                "date": date or "2026-03-02 10:00:00",
            }
        )

    def _response_journey(self):
        return self._journey(
            [
                self._email_step(),
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "response",
                    "response_polarity": "negative",
                    "response_reason_id": self.not_this_intake.id,
                    "interval_number": 3,
                },
                {
                    "kind": "wait",
                    "parent": 0,
                    "trigger": "response_none",
                    "interval_number": 3,
                },
            ],
            domain=repr([("id", "in", self.partners[:4].ids)]),
        )

    def test_response_of_the_kind_and_reason_within_the_window(self):
        partner_d = self.partners[3]
        journey, (welcome, answered, silent) = self._response_journey()
        # before the journey: not in any step's window
        self._respond(self.partner_c, "negative", self.not_this_intake, "2026-02-20")
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        self.assertEqual(len(self._items(journey, welcome, state="done")), 4)
        with freeze_time("2026-03-02 10:00:00"):
            self._respond(self.partner_a, "negative", self.not_this_intake)
            # another kind and another reason do not fire the step
            self._respond(self.partner_b, "positive")
            self._respond(partner_d, "negative", self.other_reason)
            self._tick()
            # the response branch runs as soon as the response is seen
            ran = self._items(journey, answered, state="done")
            self.assertEqual(ran.participant_id.mapped("res_id"), self.partner_a.ids)
            self.assertEqual(len(self._items(journey, answered, state="scheduled")), 3)
            self.assertEqual(len(self._items(journey, silent, state="scheduled")), 4)
        with freeze_time("2026-03-04 10:00:00"):
            # after the window: too late for the step
            self._respond(
                self.partner_c, "negative", self.not_this_intake, "2026-03-04 10:00"
            )
            self._tick()
        state = {
            (i.step_id, i.participant_id.res_id): i.state for i in self._items(journey)
        }
        for partner in (self.partner_b, self.partner_c, partner_d):
            self.assertEqual(state[answered, partner.id], "skipped")
        # no response at all within the window: only partner_c (before and
        # after it)
        self.assertEqual(state[silent, self.partner_c.id], "done")
        for partner in (self.partner_a, self.partner_b, partner_d):
            self.assertEqual(state[silent, partner.id], "skipped")

    def test_first_step_waits_for_a_response_from_the_entry(self):
        journey, (answered,) = self._journey(
            [{"kind": "wait", "trigger": "response", "interval_number": 2}],
            domain=repr([("id", "in", (self.partner_a | self.partner_b).ids)]),
        )
        with freeze_time("2026-03-01 09:00:00"):
            journey.action_launch()
            self._tick()
        with freeze_time("2026-03-01 15:00:00"):
            self._respond(self.partner_b, "positive", date="2026-03-01 14:00:00")
            self._tick()
            self.assertEqual(
                self._items(journey, answered, state="done").participant_id.res_id,
                self.partner_b.id,
            )
        with freeze_time("2026-03-03 10:00:00"):
            self._tick()
        self.assertEqual(
            self._items(journey, answered, state="skipped").participant_id.res_id,
            self.partner_a.id,
        )

    def test_response_filter_refuses_bad_input(self):
        journey, (welcome,) = self._journey([self._email_step()])
        for message, values in (
            (
                "not a reason of the response",
                {"trigger": "response", "response_polarity": "positive"},
            ),
            ("trigger is not on responses", {"trigger": "email_opened"}),
        ):
            with self.assertRaisesRegex(ValidationError, message):
                self.env["campaign.journey.step"].create(
                    dict(
                        values,
                        journey_id=journey.id,
                        name="Answered",
                        kind="wait",
                        parent_id=welcome.id,
                        response_reason_id=self.not_this_intake.id,
                    )
                )
