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

    def _assert_reasons_refused(self, url, select_id, answer):
        """Each refused reason posted to ``url`` and given to ``answer``
        (the model's method, as the applicant): refused with the message,
        the form shown again for another choice."""
        for reason in self.refused:
            with self.subTest(reason=reason.name):
                response = self._post(url, lost_reason_id=str(reason.id))
                self.assertEqual(response.status_code, 400)
                self.assertIn("Choose one of the reasons offered", response.text)
                self.assertIn(f'id="{select_id}"', response.text)
                with self.assertRaisesRegex(UserError, "reasons offered"):
                    answer(reason.id)

    def test_decline_refuses_another_reason(self):
        lead = self._offered_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        as_applicant = lead.with_user(self.user_applicant)
        self._assert_reasons_refused(
            f"/my/applications/{lead.id}/offer/decline",
            "cmr_decline_reason",
            as_applicant.action_edu_decline_offer,
        )
        for forged in ("x", [self.reason.id], 0):
            with self.subTest(forged=forged), self.assertRaises(UserError):
                as_applicant.action_edu_decline_offer(forged)
        self.assertEqual(lead.edu_offer_state, "pending")
        self.assertTrue(lead.active)
        as_applicant.action_edu_decline_offer(self.own_company_reason.id)
        self.assertEqual(lead.lost_reason_id, self.own_company_reason)

    def test_withdraw_refuses_another_reason(self):
        lead = self._online_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        self._assert_reasons_refused(
            f"/my/applications/{lead.id}/withdraw",
            "cmr_lost_reason",
            lead.with_user(self.user_applicant).action_edu_withdraw,
        )
        self.assertTrue(lead.active)
        self.assertFalse(lead.lost_reason_id)
        # the office closes an application with its own reason
        lead.with_user(self.user_staff).action_edu_withdraw(self.office_reason.id)
        self.assertEqual(lead.lost_reason_id, self.office_reason)
        self.assertFalse(lead.active)
