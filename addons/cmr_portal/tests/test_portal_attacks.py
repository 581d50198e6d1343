"""Attacks of the trust review (issue 11) on the portal routes, as the portal
owner, another portal user and the public visitor."""

from unittest.mock import patch

from odoo import Command, fields
from odoo.http import Request
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, tagged

from .common import CmrPortalDataMixin
from .test_tuition_portal import TuitionPortalCommon

NUL = "\x00"
FORGED = "Your account is blocked: pay to IBAN XX00"


class PortalRequestsMixin:
    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data):
        if not getattr(self, "session", None):
            self.authenticate(None, None)
        return self.url_open(
            url,
            data=dict(data, csrf_token=Request.csrf_token(self)),
            allow_redirects=False,
        )


@tagged("post_install", "-at_install")
class TestCmrPortalAttacks(PortalRequestsMixin, HttpCase, CmrPortalDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()

    def _preference_form(self, **values):
        data = {
            "channel_email": "on",
            "channel_sms": "on",
            "channel_phone": "on",
            "channel_letter": "on",
            "max_contacts": "1",
            "period": "week",
            "quiet_from": "",
            "quiet_to": "",
            "lang": "en_US",
        }
        data.update(values)
        return data

    # ------------------------------------------------------------------
    # Finding 2: preference takeover by email
    # ------------------------------------------------------------------
    def test_mailing_page_logged_in_acts_on_own_partner_only(self):
        """Otto sets Stella's email on his account (as /my/account allows):
        the token-less mailing page still shows and changes Otto only."""
        victim = self.student.sudo()
        victim._cmr_apply_preferences(
            {"pressure_max_contacts": 7, "pressure_quiet_thu": True},
            set(),
            False,
            "portal",
        )
        victim_logs = victim.cmr_consent_log_ids
        victim_settings = victim.read(
            ["pressure_max_contacts", "pressure_period", "pressure_quiet_thu"]
        )
        self.other.sudo().email = "stella@example.com"  # the attacker's own email
        self.authenticate("cmr_other", "cmr_other")
        response = self._get("/mailing/my")
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="cmr_mailing_preferences"', response.text)
        self.assertNotRegex(response.text, r'id="cmr_max_contacts"[^>]*value="7"')
        self.assertNotIn("<td>Quiet days</td>", response.text)  # the victim's log line
        response = self._post(
            "/mailing/cmr/preferences",
            self._preference_form(mailing_id="", document_id="", hash_token=""),
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn('id="cmr_saved"', response.text)
        self.env.invalidate_all()
        self.assertEqual(
            victim.read(
                ["pressure_max_contacts", "pressure_period", "pressure_quiet_thu"]
            ),
            victim_settings,
        )
        self.assertEqual(victim.cmr_consent_log_ids, victim_logs)
        attacker = self.other.sudo()
        self.assertEqual(
            (attacker.pressure_max_contacts, attacker.pressure_period), (1, "week")
        )
        self.assertEqual(
            set(attacker.cmr_consent_log_ids.mapped("user_id")), {self.user_other}
        )

    def test_communications_follow_the_recipient_not_the_email(self):
        mailing = self.env["mailing.mailing"].create(
            {"name": "Grades", "subject": "Stella's grades", "body_html": "<p>x</p>"}
        )
        self.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": self.student.id,
                "email": "stella@example.com",
                "mass_mailing_id": mailing.id,
                "trace_status": "sent",
            }
        )
        self.other.sudo().email = "stella@example.com"
        self.authenticate("cmr_other", "cmr_other")
        response = self._get("/my/communications")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Stella&#39;s grades", response.text)
        self.assertNotIn("Stella's grades", response.text)
        self.authenticate("cmr_student", "cmr_student")
        self.assertIn("grades", self._get("/my/communications").text)

    # ------------------------------------------------------------------
    # Finding 9
    # ------------------------------------------------------------------
    def test_preferences_save_does_not_flush_caches(self):
        self.authenticate("cmr_student", "cmr_student")
        with patch.object(
            Registry, "clear_cache", autospec=True, side_effect=Registry.clear_cache
        ) as clear_cache:
            for day in ("quiet_day_5", "quiet_day_6"):
                response = self._post(
                    "/my/preferences", self._preference_form(**{day: "on"})
                )
                self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(clear_cache.call_count, 0)
        self.assertEqual(self.student.sudo()._pressure_quiet_weekdays(), {6})

    def test_error_text_never_comes_from_the_query_string(self):
        self.authenticate("cmr_student", "cmr_student")
        for url in ("/my/education", "/my/requests", "/my/tuition"):
            for key in ("cmr_errors", "cmr_pay_errors"):
                with self.subTest(url=url, key=key):
                    response = self._get(f"{url}?{key}={FORGED}")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn('id="cmr_errors"', response.text)
                    self.assertNotIn('id="cmr_pay_errors"', response.text)

    def test_nul_character_is_a_form_error(self):
        """PostgreSQL cannot store NUL: each form answers 400 with its
        message and what was typed, never 500."""
        self.authenticate("cmr_student", "cmr_student")
        before = self.env["cmr.request"].search_count([])
        cases = [
            ("/my/requests/new", {"description": f"When{NUL} is the exam?"}),
            (
                "/my/education/request",
                {
                    "document_type_id": str(self.doc_type.id),
                    "description": f"When{NUL} is the exam?",
                },
            ),
            ("/my/feedback", {"rating": "3", "comment": f"When{NUL} is the exam?"}),
        ]
        for url, data in cases:
            with self.subTest(url=url):
                response = self._post(url, data)
                self.assertEqual(response.status_code, 400, response.text[:300])
                self.assertIn('id="cmr_errors"', response.text)
                self.assertIn("When is the exam?", response.text)
                self.assertNotIn(NUL, response.text)
        response = self._post(
            "/my/preferences", self._preference_form(max_contacts=f"2{NUL}")
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(NUL, response.text)
        self.assertEqual(self.env["cmr.request"].search_count([]), before)
        self.assertFalse(
            self.env["cmr.feedback"].search([("partner_id", "=", self.student.id)])
        )

    def test_request_form_keeps_what_was_typed(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post("/my/requests/new", {"description": "x" * 4001})
        self.assertEqual(response.status_code, 400)
        self.assertIn('id="cmr_errors"', response.text)
        self.assertIn("x" * 4001, response.text)


@tagged("post_install", "-at_install")
class TestTuitionPortalAttacks(PortalRequestsMixin, TuitionPortalCommon):
    def test_tuition_page_without_payment_provider(self):
        """No provider enabled (a database without demo data): the page says
        so and offers no payment button, it does not crash."""
        self.env["payment.provider"].sudo().search([]).write({"state": "disabled"})
        self.authenticate("tu_student", "tu_student")
        response = self._get("/my/tuition")
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="cmr_no_payment_provider"', response.text)
        self.assertIn(self.invoice.name, response.text)
        self.assertNotIn("cmr_pay", response.text.replace("cmr_pay_errors", ""))
        # the payment page of Odoo says it too
        response = self._get(f"/my/tuition/pay?instalment_ids={self.first.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("No payment method available", response.text)

    def test_tuition_page_with_payment_provider(self):
        self.authenticate("tu_student", "tu_student")
        response = self._get("/my/tuition")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('id="cmr_no_payment_provider"', response.text)
        self.assertIn("cmr_pay", response.text)

    def test_nul_in_tuition_request_is_a_form_error(self):
        self.authenticate("tu_student", "tu_student")
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(self.second.id),
                "requested_date": fields.Date.to_string(self.second.due_date),
                "reason": f"Late{NUL} scholarship",
            },
        )
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertIn('id="cmr_errors"', response.text)
        self.assertIn("Late scholarship", response.text)
        self.assertFalse(
            self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        )

    def test_draft_contracts_are_not_the_portals(self):
        plan = self.contract.plan_id
        draft = (
            self.env["edu.tuition.contract"]
            .with_company(self.company)
            .create(
                {
                    "student_id": self.student.id,
                    "programme_id": self.programme.id,
                    "company_id": self.company.id,
                    "plan_id": plan.id,
                    "date_start": fields.Date.today(),
                    "payer_ids": [
                        Command.create({"partner_id": self.student.id, "share": 100.0})
                    ],
                }
            )
        )
        draft.action_generate_schedule()
        self.assertTrue(draft.instalment_ids)
        self.student.cmr_sponsor_consent = True
        for user in (self.user_student, self.user_sponsor):
            with self.subTest(user=user.login):
                Contract = self.env["edu.tuition.contract"].with_user(user)
                self.assertEqual(Contract.search([]), self.contract)
                Instalment = self.env["edu.tuition.instalment"].with_user(user)
                self.assertEqual(Instalment.search([]), self.contract.instalment_ids)
        # another student's contract stays out of reach
        Contract = self.env["edu.tuition.contract"].with_user(self.user_other)
        self.assertEqual(Contract.search([]), self.contract_other)
