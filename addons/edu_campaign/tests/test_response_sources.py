from odoo.addons.edu_crm.tests.common import EduRecordsCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestResponseSources(EduRecordsCommon):
    """Admissions as responses (issue 15, item 3): an application is a
    positive "Applied", a lead lost for a mapped reason a negative response
    with that reason; once each, attributed to the lead's UTM campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Response = cls.env["campaign.response"]
        cls.campaign = cls.env["utm.campaign"].create({"title": "Spring fair"})
        cls.person = cls.env["res.partner"].create(
            {"name": "Olena Pchilka", "email": "olena@example.com"}
        )

    def _responses(self, lead):
        return self.Response.search(
            [("source_ref", "like", f"crm.lead,{lead.id}")], order="id"
        )

    def test_application_is_a_positive_response(self):
        lead = self._new_lead(
            "Olena", partner_id=self.person.id, campaign_id=self.campaign.id
        )
        response = self._responses(lead)
        self.assertEqual(len(response), 1)
        self.assertEqual(
            (response.partner_id, response.polarity, response.source),
            (self.person, "positive", "application"),
        )
        self.assertEqual(response.campaign_id, self.campaign)
        self.assertEqual(
            response.reason_id,
            self.env.ref("campaign_pressure.response_reason_applied"),
        )
        lead.edu_intake_id = self.intake  # the same application: recorded once
        self.assertEqual(len(self._responses(lead)), 1)
        # an enquiry without an intake is no application
        enquiry = self._new_lead(
            "Enquiry", partner_id=self.person.id, edu_intake_id=False
        )
        self.assertFalse(self._responses(enquiry))

    def test_lost_reason_is_a_typed_negative_response(self):
        lead = self._new_lead(
            "Taras", email_from="taras@example.com", campaign_id=self.campaign.id
        )
        deferred = self.env.ref("edu_crm.crm_lost_reason_deferred")
        lead.action_set_lost(lost_reason_id=deferred.id)
        negative = self._responses(lead).filtered(lambda r: r.polarity == "negative")
        self.assertEqual(len(negative), 1)
        self.assertEqual(negative.source, "lost")
        self.assertEqual(
            negative.reason_id,
            self.env.ref("campaign_pressure.response_reason_not_this_intake"),
        )
        self.assertEqual(negative.campaign_id, self.campaign)
        self.assertEqual(negative.email, "taras@example.com")
        # lost again for the same reason: the same response
        lead.action_unarchive()
        lead.action_set_lost(lost_reason_id=deferred.id)
        self.assertEqual(len(self._responses(lead).filtered("reason_id")), 2)
        # "No response" maps to no response reason: nothing recorded
        other = self._new_lead("Lesya", partner_id=self.person.id)
        other.action_set_lost(
            lost_reason_id=self.env.ref("edu_crm.crm_lost_reason_no_response").id
        )
        self.assertEqual(self._responses(other).mapped("source"), ["application"])
