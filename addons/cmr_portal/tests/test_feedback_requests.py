from odoo.addons.mass_mailing.tests.common import MassMailCommon
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CmrPortalDataMixin


@tagged("post_install", "-at_install")
class TestFeedbackRequests(MassMailCommon, CmrPortalDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()

    def test_negative_feedback_cools_down(self):
        Feedback = self.env["cmr.feedback"].sudo()
        Feedback.create({"partner_id": self.other.id, "rating": "4", "comment": "Fine"})
        self.assertFalse(self.other.pressure_cooldown_until)
        feedback = Feedback.create(
            {"partner_id": self.student.id, "rating": "1", "comment": "Too many emails"}
        )
        self.assertTrue(feedback.is_negative)
        self.assertTrue(self.student.pressure_cooldown_until)
        self.assertEqual(self.student.pressure_cooldown_reason, "feedback")
        # staff see and handle it
        staff_feedback = feedback.with_user(self.user_staff)
        self.assertEqual(staff_feedback.comment, "Too many emails")
        staff_feedback.action_done()
        self.assertEqual(feedback.state, "done")

    def test_feedback_too_long(self):
        with self.assertRaises(ValidationError):
            self.env["cmr.feedback"].sudo().create(
                {"partner_id": self.student.id, "rating": "3", "comment": "x" * 4001}
            )

    def test_document_request_issue_notifies(self):
        request = (
            self.env["cmr.request"]
            .sudo()
            .create(
                {
                    "partner_id": self.student.id,
                    "request_type": "document",
                    "document_type_id": self.doc_type.id,
                }
            )
        )
        self.assertTrue(request.name.startswith("REQ/"))
        self.assertEqual(request.access_url, f"/my/requests/{request.id}")
        request_staff = request.with_user(self.user_staff)
        with self.mock_mail_gateway():
            request_staff.action_issue_document()
        self.assertEqual(request.state, "done")
        document = request.document_id
        self.assertEqual(
            (document.state, document.partner_id), ("issued", self.student)
        )
        self.assertTrue(document.attachment_id)
        self.assertEqual(document.source_ref, self.enrollment)
        self.assertSentEmail(self.user_staff.partner_id, [self.student])
        # the person sees the issued document through the portal rules
        visible = self.env["edu.document"].with_user(self.user_student).search([])
        self.assertIn(document, visible)
        self.assertNotIn(self.document_other, visible)
        # a done request cannot be handled again
        with self.assertRaises(UserError):
            request_staff.action_refuse()

    def test_request_validation(self):
        Request = self.env["cmr.request"].sudo()
        with self.assertRaises(ValidationError):
            Request.create({"partner_id": self.student.id, "request_type": "document"})
        not_requestable = self.env.ref("edu_crm.edu_document_type_tuition_contract")
        with self.assertRaises(ValidationError):
            Request.create(
                {
                    "partner_id": self.student.id,
                    "request_type": "document",
                    "document_type_id": not_requestable.id,
                }
            )

    def test_portal_rules(self):
        """Each portal user reads their own records only."""
        for model, own, foreign in (
            ("cmr.request", self.request, self.request_other),
            ("edu.enrollment", self.enrollment, self.enrollment_other),
            ("edu.document", self.document, self.document_other),
        ):
            records = (
                self.env[model]
                .with_user(self.user_student)
                .search([("id", "in", (own | foreign).ids)])
            )
            self.assertEqual(records, own, model)
        # the sponsor sees the enrolment only with the student's consent
        Enrollment = self.env["edu.enrollment"].with_user(self.user_sponsor)
        self.assertFalse(Enrollment.search([]))
        self.student.sudo().cmr_sponsor_consent = True
        self.assertEqual(Enrollment.search([]), self.enrollment)

    def test_multi_company_rules(self):
        """Staff read the requests and feedback of their own companies only."""
        company_b = self.env["res.company"].create({"name": "Other Campus"})
        request_b = self.env["cmr.request"].create(
            {
                "partner_id": self.student.id,
                "request_type": "other",
                "description": "Asked at the other campus",
                "company_id": company_b.id,
            }
        )
        Feedback = self.env["cmr.feedback"]
        feedback = Feedback.create({"partner_id": self.student.id, "rating": "4"})
        feedback_b = Feedback.with_company(company_b).create(
            {"partner_id": self.student.id, "rating": "4"}
        )
        self.assertEqual(feedback_b.company_id, company_b)
        for model, own, foreign in (
            ("cmr.request", self.request, request_b),
            ("cmr.feedback", feedback, feedback_b),
        ):
            records = (
                self.env[model]
                .with_user(self.user_staff)
                .search([("id", "in", (own | foreign).ids)])
            )
            self.assertEqual(records, own, model)
