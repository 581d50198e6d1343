import base64
import io
import re

from odoo.exceptions import AccessError, UserError
from odoo.http import Request
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from PIL import Image

from .apply_common import NON_EXISTENT, ApplyOnlineCommon


def _drawn_signature():
    """A small PNG, as the portal's signature pad sends it (base64)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 20, 120)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


SIGNATURE = _drawn_signature()


class OfferCommon(ApplyOnlineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_bursar = new_test_user(
            cls.env,
            login="apl_bursar",
            groups="edu_crm.group_edu_manager",
            name="Boris Bursar",
        )
        # the bursar's activation invoices every instalment at once
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        cls.reason = cls.env.ref("edu_crm.crm_lost_reason_other_institution")

    def _offered_lead(self, user=None):
        lead = self._online_lead(user)
        lead.with_user(self.user_staff).action_edu_issue_offer()
        return lead

    def _post(self, url, **data):
        data["csrf_token"] = Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def _sign(self, lead, name="Ada Applicant", signature=SIGNATURE):
        return self.make_jsonrpc_request(
            f"/my/applications/{lead.id}/contract/sign",
            {"name": name, "signature": signature},
        )

    def _contract(self, lead):
        return lead.edu_enrollment_ids.tuition_contract_ids


@tagged("post_install", "-at_install")
class TestOffer(OfferCommon):
    """The offer of a place, its answer online, the contract signed online."""

    def test_issue_offer(self):
        lead = self._offered_lead()
        self.assertEqual(lead.edu_offer_state, "pending")
        self.assertEqual(lead.stage_id, self.env.ref("edu_crm.crm_stage_offer"))
        document = lead.edu_offer_document_id
        self.assertEqual(document.state, "issued")
        self.assertEqual(document.type_id.code, "admission_offer")
        self.assertTrue(document.name.startswith("OFR/"), document.name)
        self.assertEqual(document.partner_id, self.user_applicant.partner_id)
        self.assertIn("Applied Astronomy", document.body)
        # the staff filter "Offer pending"
        self.assertEqual(
            self.env["crm.lead"].search(
                [("edu_offer_state", "=", "pending"), ("id", "=", lead.id)]
            ),
            lead,
        )
        with self.assertRaisesRegex(UserError, "offer was issued already"):
            lead.with_user(self.user_staff).action_edu_issue_offer()
        for user in (self.user_applicant, self.user_employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                lead.with_user(user).action_edu_issue_offer()
        # the offer's fields are the buttons'
        with self.assertRaises(AccessError):
            lead.with_user(self.user_staff).write({"edu_offer_state": "accepted"})

    def test_accept_sign_and_pay(self):
        lead = self._offered_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        page = self._get(f"/my/applications/{lead.id}").text
        self.assertIn('id="cmr_offer_accept"', page)
        self.assertIn(lead.edu_offer_document_id.name, page)
        response = self._post(f"/my/applications/{lead.id}/offer/accept")
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertTrue(
            response.headers["Location"].endswith(
                f"/my/applications/{lead.id}/contract"
            )
        )
        self.assertEqual(lead.edu_offer_state, "accepted")
        self.assertTrue(lead.stage_id.is_won)
        contract = self._contract(lead)
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.student_id, self.user_applicant.partner_id)
        self.assertTrue(contract.instalment_ids)
        # the contract and its schedule, with the signature form
        page = self._get(f"/my/applications/{lead.id}/contract").text
        self.assertIn('id="cmr_contract_schedule"', page)
        self.assertEqual(
            len(re.findall(r"<tr>\s*<td>", page)), len(contract.instalment_ids)
        )
        self.assertIn("portal.signature_form", page)
        self.assertNotIn('id="cmr_contract_pay"', page)
        # a second acceptance is refused, nothing changes
        response = self._post(f"/my/applications/{lead.id}/offer/accept")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not waiting for your answer", response.text)
        self.assertEqual(len(self._contract(lead)), 1)
        # sign
        result = self._sign(lead)
        self.assertEqual(
            result.get("redirect_url"), f"/my/applications/{lead.id}/contract"
        )
        self.assertEqual(contract.signed_by, "Ada Applicant")
        self.assertTrue(contract.signed_on)
        self.assertTrue(contract.signature)
        self.assertEqual(contract.document_id.state, "issued")
        self.assertIn("Signed online by Ada Applicant", contract.document_id.body)
        self.assertEqual(contract.state, "draft")  # the bursar activates
        self.assertIn("signed already", self._sign(lead)["error"])
        # the bursar activates: the first instalment can be paid online
        contract.with_user(self.user_bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        self.assertEqual(first.payment_state, "not_paid")
        page = self._get(f"/my/applications/{lead.id}/contract").text
        self.assertIn(f"/my/tuition/pay?instalment_ids={first.id}", page)
        pay = self._get(f"/my/tuition/pay?instalment_ids={first.id}")
        self.assertEqual(pay.status_code, 200)
        self.assertIn('id="o_payment_form"', pay.text)

    def test_decline_with_a_reason(self):
        lead = self._offered_lead()
        self.authenticate("apl_applicant", "apl_applicant")
        response = self._post(f"/my/applications/{lead.id}/offer/decline")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose why you decline the offer.", response.text)
        self.assertEqual(lead.edu_offer_state, "pending")
        self.assertTrue(lead.active)
        response = self._post(
            f"/my/applications/{lead.id}/offer/decline",
            lost_reason_id=str(self.reason.id),
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(lead.edu_offer_state, "declined")
        self.assertFalse(lead.active)
        self.assertEqual(lead.lost_reason_id, self.reason)
        self.assertFalse(lead.edu_enrollment_ids)
        with self.assertRaises(UserError):
            lead.with_user(self.user_applicant).action_edu_accept_offer()

    def test_answer_guards_in_the_model(self):
        lead = self._offered_lead()
        for user in (self.user_other, self.user_employee, self.user_staff):
            for answer in ("accept", "decline"):
                with self.subTest(user=user.login, answer=answer):
                    with self.assertRaises(AccessError):
                        if answer == "accept":
                            lead.with_user(user).action_edu_accept_offer()
                        else:
                            lead.with_user(user).action_edu_decline_offer(
                                self.reason.id
                            )
        self.assertEqual(lead.edu_offer_state, "pending")
        # no offer yet: nothing to answer
        other = self._online_lead(self.user_other)
        with self.assertRaisesRegex(UserError, "not waiting"):
            other.with_user(self.user_other).action_edu_accept_offer()
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        contract = self._contract(lead)
        for partner in (self.user_other.partner_id, self.user_staff.partner_id):
            with self.subTest(partner=partner.name), self.assertRaises(AccessError):
                contract._edu_sign_online(partner, "Someone", SIGNATURE)
        for name, signature, message in (
            ("", SIGNATURE, "full name"),
            ("x" * 121, SIGNATURE, "full name"),
            ("Ada", "", "Draw your signature"),
            ("Ada", "not base64!", "Draw your signature"),
            ("Ada", base64.b64encode(b"GIF89a....").decode(), "drawn image"),
        ):
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(UserError, message),
            ):
                contract._edu_sign_online(
                    self.user_applicant.partner_id, name, signature
                )
        self.assertFalse(contract.signed_on)
        with self.assertRaises(AccessError):
            contract.with_user(self.user_staff).write({"signed_by": "Forged"})

    @mute_logger("odoo.http")
    def test_routes_matrix(self):
        lead = self._offered_lead()
        routes = ("offer/accept", "offer/decline")
        # public: to the login page
        self.authenticate(None, None)
        for route in routes:
            with self.subTest(user="public", route=route):
                response = self._post(f"/my/applications/{lead.id}/{route}")
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])
        response = self._get(f"/my/applications/{lead.id}/contract?access_token=x")
        self.assertIn("/web/login", response.headers["Location"])
        # another applicant, and ids that do not exist: back to the list
        self.authenticate("apl_other", "apl_other")
        for lead_id in (lead.id, NON_EXISTENT):
            for route in routes:
                with self.subTest(user="other", lead=lead_id, route=route):
                    response = self._post(
                        f"/my/applications/{lead_id}/{route}",
                        lost_reason_id=str(self.reason.id),
                    )
                    self.assertIn(response.status_code, (302, 303))
                    self.assertTrue(
                        response.headers["Location"].endswith("/my/applications")
                    )
        self.assertEqual(lead.edu_offer_state, "pending")
        self.assertTrue(lead.active)
        # the owner accepts; the other still cannot see or sign the contract
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        page = self._get(f"/my/applications/{lead.id}/contract")
        self.assertIn(page.status_code, (302, 303))
        self.assertNotIn(self._contract(lead).name, page.text)
        self.assertIn("not yours", self._sign(lead)["error"])
        self.assertFalse(self._contract(lead).signed_on)
        # the owner's contract page and signature
        self.authenticate("apl_applicant", "apl_applicant")
        self.assertEqual(
            self._get(f"/my/applications/{lead.id}/contract").status_code, 200
        )
        self.assertIn("error", self._sign(lead, signature="garbage"))
        self.assertIn("redirect_url", self._sign(lead))
