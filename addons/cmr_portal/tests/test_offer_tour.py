from odoo.tests import tagged

from .test_offer import OfferCommon


@tagged("post_install", "-at_install")
class TestOfferTour(OfferCommon):
    """The applicant's whole way in Chromium: a visitor of the catalogue
    signs up (Odoo's auth_signup, open to anyone here) and applies with an
    upload, accepts the offer and signs the contract, pays the first
    instalment with the demo provider. The office's steps (the registrar's
    offer, the bursar's activation) are taken here between the tours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's demo provider (payment_demo, installed beside the addons by
        # the test command, never a dependency), published in test mode
        # (of the company of the test's programme; a copy in the same company
        # would give its journal a second "Demo" payment method line)
        provider = cls.env.ref("payment.payment_provider_demo").sudo()
        assert provider.company_id == cls.env.company, provider.company_id
        provider.write({"state": "test", "is_published": True})
        cls.env["ir.config_parameter"].sudo().set_param(
            "auth_signup.invitation_scope", "b2c"
        )

    def test_tour_apply_offer_sign_pay(self):
        self.start_tour(
            f"/programmes/intake/{self.intake.id}", "cmr_portal_apply_online"
        )
        login = "nina.newcomer@example.com"
        applicant = self.env["res.users"].search([("login", "=", login)])
        self.assertEqual(len(applicant), 1)
        self.assertTrue(applicant._is_portal())
        lead = self._leads(applicant)
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, applicant.partner_id)
        self.assertEqual(lead.partner_id.email, login)
        self.assertTrue(lead.edu_is_online)
        self.assertEqual(lead.edu_application_document_ids.requirement_id, self.req_id)
        # the registrar offers a place
        lead.with_user(self.user_staff).action_edu_issue_offer()
        self.start_tour(
            f"/my/applications/{lead.id}",
            "cmr_portal_offer_accept_sign",
            login=login,
        )
        contract = self._contract(lead)
        self.assertEqual(lead.edu_offer_state, "accepted")
        self.assertEqual(contract.signed_by, "Nina Newcomer")
        self.assertEqual(contract.document_id.state, "issued")
        # the bursar activates the contract: its instalments are invoiced
        contract.with_user(self.user_bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        self.assertEqual(first.payment_state, "not_paid")
        self.start_tour(
            f"/my/applications/{lead.id}/contract",
            "cmr_portal_offer_pay_first",
            login=login,
        )
        first.invalidate_recordset()
        self.assertEqual(first.payment_state, "paid")
        self.assertTrue(
            all(
                inst.payment_state == "not_paid"
                for inst in contract.instalment_ids - first
            )
        )
