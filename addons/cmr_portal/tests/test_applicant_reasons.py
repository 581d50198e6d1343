import re

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_offer import OfferCommon


@tagged("post_install", "-at_install")
class TestApplicantReasons(OfferCommon):
    """The reasons an applicant gives to decline an offer or withdraw
    (issue 16): only CRM lost reasons flagged for applicants, active, of
    the application's company (or of every company), never Sales' own;
    another reason id posted or passed to the model is refused with a clear
    message and nothing changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Reason = cls.env["crm.lost.reason"]
        other_company = cls.env["res.company"].create({"name": "Other Academy"})
        cls.sales_reason = Reason.create({"name": "Not enough stock"})
        cls.office_reason = cls.env.ref("edu_crm.crm_lost_reason_no_response")
        cls.elsewhere_reason = Reason.create(
            {
                "name": "Moved to the other town",
                "edu_applicant_reason": True,
                "company_id": other_company.id,
            }
        )
        cls.archived_reason = Reason.create(
            {"name": "Archived applicant reason", "edu_applicant_reason": True}
        )
        cls.archived_reason.active = False
        cls.own_company_reason = Reason.create(
            {
                "name": "Found a job nearby",
                "edu_applicant_reason": True,
                "company_id": cls.intake.company_id.id,
            }
        )
        cls.refused = (
            cls.sales_reason,
            cls.office_reason,
            cls.elsewhere_reason,
            cls.archived_reason,
        )

    def _options(self, page, select_id):
        select = re.search(rf'id="{select_id}".*?</select>', page, re.S).group(0)
        return set(re.findall(r"<option[^>]*>([^<]+)</option>", select)) - {
            "Choose a reason"
        }

    def test_the_lists_offer_applicant_reasons_only(self):
        offered = self._offered_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        page = self._get(f"/my/applications/{offered.id}").text
        expected = {
            "Chose another institution",
            "Cannot afford the tuition",
            "Deferred to a later intake",
            "Personal reasons",
            "Found a job nearby",
        }
        for select_id in ("cmr_decline_reason", "cmr_lost_reason"):
            with self.subTest(select=select_id):
                self.assertEqual(self._options(page, select_id), expected)
        for reason in self.refused:
            self.assertNotIn(reason.name, page)

    def test_decline_refuses_another_reason(self):
        lead = self._offered_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        for reason in self.refused:
            with self.subTest(reason=reason.name):
                response = self._post(
                    f"/my/applications/{lead.id}/offer/decline",
                    lost_reason_id=str(reason.id),
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("Choose one of the reasons offered", response.text)
                # the form is shown again, ready for another choice
                self.assertIn('id="cmr_decline_reason"', response.text)
                self.assertEqual(lead.edu_offer_state, "pending")
                self.assertTrue(lead.active)
                with self.assertRaisesRegex(UserError, "reasons offered"):
                    lead.with_user(self.user_applicant).action_edu_decline_offer(
                        reason.id
                    )
        for forged in ("x", [self.reason.id], 0):
            with self.subTest(forged=forged), self.assertRaises(UserError):
                lead.with_user(self.user_applicant).action_edu_decline_offer(forged)
        self.assertEqual(lead.edu_offer_state, "pending")
        lead.with_user(self.user_applicant).action_edu_decline_offer(
            self.own_company_reason.id
        )
        self.assertEqual(lead.lost_reason_id, self.own_company_reason)

    def test_withdraw_refuses_another_reason(self):
        lead = self._online_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        for reason in self.refused:
            with self.subTest(reason=reason.name):
                response = self._post(
                    f"/my/applications/{lead.id}/withdraw",
                    lost_reason_id=str(reason.id),
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("Choose one of the reasons offered", response.text)
                self.assertIn('id="cmr_lost_reason"', response.text)
                self.assertTrue(lead.active)
                with self.assertRaisesRegex(UserError, "reasons offered"):
                    lead.with_user(self.user_applicant).action_edu_withdraw(reason.id)
        self.assertFalse(lead.lost_reason_id)
        # the office closes an application with its own reason
        lead.with_user(self.user_staff).action_edu_withdraw(self.office_reason.id)
        self.assertEqual(lead.lost_reason_id, self.office_reason)
        self.assertFalse(lead.active)
