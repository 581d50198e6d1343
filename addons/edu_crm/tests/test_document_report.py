from freezegun import freeze_time
from odoo.tests import HttpCase, new_test_user, tagged

from .test_document_common import EduDocumentCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestDocumentReport(EduDocumentCommon):
    def test_each_type_has_a_pdf_report(self):
        types = self.env["edu.document.type"].search([])
        self.assertGreaterEqual(
            set(types.mapped("code")),
            {
                "application",
                "tuition_contract",
                "enrolment_order",
                "enrolment_certificate",
                "academic_certificate",
                "questionnaire_result",
            },
        )
        for doc_type in types:
            self.assertEqual(doc_type.report_id.model, "edu.document")
            self.assertEqual(doc_type.report_id.report_type, "qweb-pdf")
            self.assertTrue(doc_type.report_id.attachment_use)
        self.assertEqual(len(types.report_id), len(types), "one report per type")

    def test_html_rendering(self):
        document = self._issue(self.user_a)
        html, report_type = (
            self.env["ir.actions.report"]
            .with_user(self.user_a)
            ._render_qweb_html(self.type_certificate.report_id, document.ids)
        )
        html = html.decode() if isinstance(html, bytes) else html
        self.assertEqual(report_type, "html")
        self.assertIn("CE/2026/00001", html)
        self.assertIn("Certificate of Enrolment", html)
        self.assertIn("Olena Kovalenko", html)
        self.assertNotIn("DRAFT", html)

    def test_draft_and_cancelled_are_marked(self):
        Report = self.env["ir.actions.report"].with_user(self.manager_a)
        draft = (
            self.env["edu.document"]
            .with_user(self.manager_a)
            .create({"type_id": self.type_certificate.id, "partner_id": self.person.id})
        )
        html = Report._render_qweb_html(self.type_certificate.report_id, draft.ids)[0]
        self.assertIn("DRAFT", html.decode() if isinstance(html, bytes) else html)
        issued = self._issue(self.manager_a)
        issued.action_cancel()
        html = Report._render_qweb_html(self.type_certificate.report_id, issued.ids)[0]
        self.assertIn("CANCELLED", html.decode() if isinstance(html, bytes) else html)

    def test_issue_stores_the_rendering_as_attachment(self):
        document = self._issue(self.user_a)
        attachment = document.attachment_id
        self.assertTrue(attachment)
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("edu.document", document.id)
        )
        self.assertIn(b"CE/2026/00001", attachment.raw)
        self.assertTrue(attachment.name.startswith("CE_2026_00001."))

    def test_print_action(self):
        document = self._issue(self.user_a)
        action = document.with_user(self.user_a).action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "edu_crm.report_edu_document_enrolment_certificate"
        )


@tagged("post_install", "-at_install")
class TestDocumentPdf(HttpCase):
    """Real PDF through wkhtmltopdf: an HttpCase, so that wkhtmltopdf can fetch the
    report assets from the test server (as Odoo's own report rendering tests do)."""

    def test_issue_stores_a_real_pdf(self):
        """The report engine itself stores the PDF (attachment / attachment_use)
        and printing again returns that very file."""
        user = new_test_user(
            self.env, login="doc_pdf_user", groups="edu_crm.group_edu_user"
        )
        person = self.env["res.partner"].create({"name": "Ivan Franko"})
        report = self.env.ref(
            "edu_crm.action_report_edu_document_enrolment_certificate"
        )
        document = (
            self.env["edu.document"]
            .with_user(user)
            .with_context(force_report_rendering=True)
            ._edu_issue("enrolment_certificate", person, None)
        )
        attachment = document.attachment_id
        self.assertEqual(attachment.name, document.name.replace("/", "_") + ".pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        reprinted, report_type = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, document.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertEqual(
            reprinted, attachment.raw, "an issued document always prints the stored PDF"
        )
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "edu.document"), ("res_id", "=", document.id)]
            ),
            1,
        )
