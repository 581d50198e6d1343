from odoo.addons.edu_crm.tests.common import EduRecordsCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAnswerResponse(EduRecordsCommon):
    """Declining the offer or withdrawing an online application with a
    reason is the applicant's negative response (issue 16): typed by the
    reason's mapped response reason, recorded as "Offer declined" or
    "Application withdrawn", once, on the person and the lead's campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Response = cls.env["campaign.response"]
        cls.campaign = cls.env["utm.campaign"].create({"title": "Open day"})
        cls.applicant = cls.portal_user.partner_id
        cls.applicant.email = "rec.portal@example.com"
        cls.other_institution = cls.env.ref("edu_crm.crm_lost_reason_other_institution")
        cls.no_response = cls.env.ref("edu_crm.crm_lost_reason_no_response")
        cls.personal = cls.env.ref("edu_crm.crm_lost_reason_personal")

    def _online_lead(self):
        return self._new_lead(
            "Online application",
            stage=self.stage_application,
            partner_id=self.applicant.id,
            email_from=self.applicant.email,
            campaign_id=self.campaign.id,
            edu_is_online=True,
        )

    def _negative(self, lead):
        return self.Response.search(
            [
                ("source_ref", "like", f"crm.lead,{lead.id},%"),
                ("polarity", "=", "negative"),
            ]
        )

    def test_declined_offer_is_a_typed_negative_response(self):
        lead = self._online_lead()
        lead.with_user(self.edu_user).action_edu_issue_offer()
        lead.with_user(self.portal_user).action_edu_decline_offer(
            self.other_institution.id
        )
        self.assertEqual(lead.edu_offer_state, "declined")
        response = self._negative(lead)
        self.assertEqual(len(response), 1)
        self.assertEqual(
            (response.partner_id, response.source, response.campaign_id),
            (self.applicant, "declined", self.campaign),
        )
        self.assertEqual(
            response.reason_id,
            self.env.ref("campaign_pressure.response_reason_other_institution"),
        )
        self.assertEqual(
            response.source_ref, f"crm.lead,{lead.id},{self.other_institution.id}"
        )

    def test_withdrawal_is_a_negative_response_even_untyped(self):
        lead = self._online_lead()
        lead.with_user(self.portal_user).action_edu_withdraw(self.personal.id)
        self.assertFalse(lead.active)
        response = self._negative(lead)
        self.assertEqual(len(response), 1)
        self.assertEqual(
            (response.partner_id, response.source), (self.applicant, "withdrawn")
        )
        # "Personal reasons" maps to no response reason: the answer stays
        # untyped (an applicant cannot give the office's "No response")
        self.assertFalse(response.reason_id)

    def test_staff_closing_records_the_office_reason(self):
        lead = self._online_lead()
        lead.with_user(self.edu_user).action_edu_withdraw(self.other_institution.id)
        self.assertEqual(self._negative(lead).source, "lost")
        # staff with an unmapped reason: no response, as for any lost lead
        other = self._online_lead()
        other.with_user(self.edu_user).action_edu_withdraw(self.no_response.id)
        self.assertFalse(self._negative(other))
