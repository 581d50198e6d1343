from odoo.tests import tagged

from .test_offer import OfferCommon


@tagged("post_install", "-at_install")
class TestOfferTour(OfferCommon):
    """The applicant's whole way in Chromium: apply with an upload, accept
    the offer and sign the contract, pay the first instalment with the demo
    provider. The office's steps (the registrar's offer, the bursar's
    activation) are taken here between the tours."""

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

    def test_tour_apply_offer_sign_pay(self):
        self.start_tour(
            f"/programmes/intake/{self.intake.id}",
            "cmr_portal_apply_online",
            login="apl_applicant",
        )
        lead = self._leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.edu_application_document_ids.requirement_id, self.req_id)
        # the registrar offers a place
        lead.with_user(self.user_staff).action_edu_issue_offer()
        self.start_tour(
            f"/my/applications/{lead.id}",
            "cmr_portal_offer_accept_sign",
            login="apl_applicant",
        )
        contract = self._contract(lead)
        self.assertEqual(lead.edu_offer_state, "accepted")
        self.assertEqual(contract.signed_by, self.user_applicant.name)
        self.assertEqual(contract.document_id.state, "issued")
        # the bursar activates the contract: its instalments are invoiced
        contract.with_user(self.user_bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        self.assertEqual(first.payment_state, "not_paid")
        self.start_tour(
            f"/my/applications/{lead.id}/contract",
            "cmr_portal_offer_pay_first",
            login="apl_applicant",
        )
        first.invalidate_recordset()
        self.assertEqual(first.payment_state, "paid")
        self.assertTrue(
            all(
                inst.payment_state == "not_paid"
                for inst in contract.instalment_ids - first
            )
        )
