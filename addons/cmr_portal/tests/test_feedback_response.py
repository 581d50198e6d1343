from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestFeedbackResponse(TransactionCase):
    """Portal feedback is a response (issue 15, item 3): unhappy a negative
    one ("Complaint"), happy a positive one, neutral none; once each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls.env["res.partner"].create(
            {"name": "Marko Vovchok", "email": "marko@example.com"}
        )

    def _responses(self, feedbacks):
        refs = [f"cmr.feedback,{feedback.id}" for feedback in feedbacks]
        return self.env["campaign.response"].search(
            [("source_ref", "in", refs)], order="id"
        )

    def test_ratings(self):
        feedbacks = (
            self.env["cmr.feedback"]
            .sudo()
            .create(
                [
                    {"partner_id": self.person.id, "rating": rating}
                    for rating in ("1", "3", "5")
                ]
            )
        )
        responses = self._responses(feedbacks)
        self.assertEqual(
            [(r.source, r.polarity, r.partner_id) for r in responses],
            [
                ("feedback", "negative", self.person),
                ("feedback", "positive", self.person),
            ],
        )
        self.assertEqual(
            responses[0].reason_id,
            self.env.ref("campaign_pressure.response_reason_complaint"),
        )
        self.assertFalse(responses[1].reason_id)
        self.assertEqual(responses[0].source_ref, f"cmr.feedback,{feedbacks[0].id}")
        # recording again is idempotent
        self.assertEqual(feedbacks._response_record(), 0)
