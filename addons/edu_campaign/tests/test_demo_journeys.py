"""The demo journeys tell their story (read as a marketing user would)."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoJourneys(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nurture = cls.env.ref(
            "edu_campaign.journey_applicant_nurture_demo", raise_if_not_found=False
        )
        cls.instalment = cls.env.ref(
            "edu_campaign.journey_instalment_due_demo", raise_if_not_found=False
        )

    def setUp(self):
        super().setUp()
        if not self.nurture:
            self.skipTest("installed without demo data")

    def _states(self, journey):
        return {
            (item.step_id.name, item.state) for item in journey.participant_ids.item_ids
        }

    def test_applicant_nurture_has_people_at_several_steps(self):
        self.assertEqual(self.nurture.state, "running")
        states = self._states(self.nurture)
        self.assertIn(("Welcome", "done"), states)
        # who opened the welcome gets no checklist; who did not is held by
        # the weekly email cap, and gets a call task instead (the fallback)
        self.assertIn(("Application checklist", "held"), states)
        self.assertIn(("Application checklist", "skipped"), states)
        # who clicked gets a call, who did not in three days does not
        self.assertIn(("Call the interested", "done"), states)
        self.assertIn(("Call the interested", "skipped"), states)
        # scholarships come after ten days: still pending
        self.assertIn(("Scholarships and funding", "scheduled"), states)
        self.assertTrue(self.nurture.running_count)
        # who applied reached the goal: what was pending is cancelled
        self.assertEqual(self.nurture.goal_count, 1)
        self.assertIn(("Scholarships and funding", "cancelled"), states)
        calls = self.nurture.participant_ids.item_ids.activity_id
        self.assertTrue(calls)
        self.assertEqual(set(calls.mapped("res_model")), {"crm.lead"})

    def test_held_steps_say_why(self):
        items = self.nurture.participant_ids.item_ids
        held = items.filtered(lambda i: i.state == "held")
        self.assertTrue(held)
        for item in held:
            self.assertIn("At most 1 marketing email per week", item.reason)
        fallbacks = items.filtered(lambda i: i.is_fallback and i.parent_item_id in held)
        self.assertEqual(len(fallbacks), len(held))
        self.assertTrue(all(fallbacks.mapped("activity_id")), "the call tasks")

    def test_instalment_due_is_transactional_and_has_participants(self):
        self.assertTrue(self.instalment.is_transactional)
        items = self.instalment.participant_ids.item_ids
        self.assertIn("done", items.mapped("state"))
        # transactional: counted, never held by a cap
        self.assertNotIn("held", items.mapped("state"))
