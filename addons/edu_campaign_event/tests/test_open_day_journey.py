from odoo.addons.campaign_pressure.tests.test_journey_common import JourneyCommon
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestOpenDayJourney(JourneyCommon):
    """Event registrations are a journey target as they are: who registers
    enters at the next tick and gets the step's email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls.env["event.event"].create(
            {
                "name": "Open day",
                "date_begin": "2030-03-02 09:00:00",
                "date_end": "2030-03-02 16:00:00",
            }
        )

    def test_registered_people_enter_and_get_the_email(self):
        journey, (info,) = self._journey(
            [self._email_step(subject="How to find us")],
            model_id=self.env["ir.model"]._get("event.registration").id,
            domain=repr([("event_id", "=", self.event.id), ("state", "=", "open")]),
            entry_mode="event",
        )
        journey.action_launch()
        registrations = self.env["event.registration"].create(
            [
                {"event_id": self.event.id, "partner_id": partner.id}
                for partner in self.partners[:2]
            ]
        )
        self._tick()
        participants = self._participants(journey)
        self.assertEqual(set(participants.mapped("res_id")), set(registrations.ids))
        self.assertEqual(participants.partner_id, self.partners[:2])
        items = self._items(journey, info)
        self.assertEqual(set(items.mapped("state")), {"done"})
        self.assertEqual(set(items.trace_id.mapped("model")), {"event.registration"})
        # a registration is mailed at its own email (the attendee's)
        for partner in self.partners[:2]:
            self.assertSentEmail(self.env.user.partner_id, [partner.email])


@tagged("post_install", "-at_install")
class TestOpenDayDemo(TransactionCase):
    """The demo's open day: everyone registered got the information or is
    held by the weekly email cap (retried, the reason said)."""

    def test_open_day_demo_story(self):
        journey = self.env.ref(
            "edu_campaign_event.journey_open_day_demo", raise_if_not_found=False
        )
        if not journey:
            self.skipTest("installed without demo data")
        items = journey.participant_ids.item_ids
        states = set(items.mapped("state"))
        self.assertIn("done", states)
        self.assertIn("held", states)
        self.assertIn("scheduled", states)
        for item in items.filtered(lambda i: i.state == "held"):
            self.assertTrue(item.reason)
