from datetime import datetime

from freezegun import freeze_time
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .test_document_common import EduDocumentCommon


@tagged("post_install", "-at_install")
class TestDocumentWorkflow(EduDocumentCommon):
    @freeze_time("2026-03-02 10:00:00")
    def test_issue_records_who_and_when(self):
        document = self._issue(self.user_a)
        self.assertEqual(document.state, "issued")
        self.assertEqual(document.issued_by_id, self.user_a)
        self.assertEqual(document.date_issued, datetime(2026, 3, 2, 10, 0))
        self.assertEqual(document.partner_id, self.person)
        self.assertIn("Olena Kovalenko", document.body)
        self.assertEqual(document.display_name, "CE/2026/00001")

    def test_draft_through_form_then_issue(self):
        with Form(self.env["edu.document"].with_user(self.user_a)) as form:
            form.type_id = self.type_application
            form.partner_id = self.person_2
        document = form.record
        self.assertEqual(document.state, "draft")
        self.assertIn("Draft", document.display_name)
        self.assertIn(
            "Георги Петров", document.body, "the content is prepared from the person"
        )
        document.write({"body": "<p>Application for the Bachelor of Nursing</p>"})
        document.action_issue()
        self.assertEqual(document.state, "issued")
        self.assertTrue(document.name.startswith("APP/"))
        self.assertIn("Bachelor of Nursing", document.body)

    def test_issued_document_is_immutable(self):
        document = self._issue(self.user_a)
        name, body = document.name, document.body
        for vals in (
            {"partner_id": self.person_2.id},
            {"body": "<p>forged</p>"},
            {"type_id": self.type_application.id},
        ):
            with self.assertRaisesRegex(UserError, "cannot be changed"):
                document.write(vals)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            document.with_user(self.manager_a).write({"partner_id": self.person_2.id})
        document.invalidate_recordset()
        self.assertEqual(document.partner_id, self.person)
        self.assertEqual((document.name, document.body), (name, body))
        # the chatter stays usable on an issued document
        document.message_post(body="Sent to the student by post")
        self.assertIn("Sent to the student by post", document.message_ids[0].body)

    def test_number_and_state_only_through_buttons(self):
        document = self._issue(self.user_a)
        with self.assertRaisesRegex(UserError, "Issue and Cancel buttons"):
            document.write({"state": "cancelled"})
        draft = (
            self.env["edu.document"]
            .with_user(self.user_a)
            .create({"type_id": self.type_certificate.id, "partner_id": self.person.id})
        )
        with self.assertRaisesRegex(UserError, "Issue and Cancel buttons"):
            draft.write({"name": "CE/1999/00001"})
        Document = self.env["edu.document"].with_user(self.user_a)
        count = Document.search_count([])
        with self.assertRaisesRegex(UserError, "created as a draft"):
            Document.with_context(default_state="issued").create(
                {"type_id": self.type_certificate.id, "partner_id": self.person.id}
            )
        self.assertEqual(Document.search_count([]), count, "nothing half-written")

    def test_issue_only_drafts(self):
        document = self._issue(self.user_a)
        with self.assertRaisesRegex(UserError, "Only draft documents"):
            document.action_issue()

    def test_only_drafts_can_be_deleted(self):
        Document = self.env["edu.document"].with_user(self.manager_a)
        draft = Document.create(
            {"type_id": self.type_certificate.id, "partner_id": self.person.id}
        )
        issued = self._issue(self.manager_a)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            issued.unlink()
        self.assertTrue(issued.exists())
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_user_cannot_cancel(self):
        document = self._issue(self.user_a)
        with self.assertRaises(AccessError):
            document.action_cancel()
        with self.assertRaises(AccessError):
            document.action_cancel_and_reissue()
        self.assertEqual(document.state, "issued")

    @freeze_time("2026-03-02 10:00:00")
    def test_cancel_and_reissue(self):
        draft = (
            self.env["edu.document"]
            .with_user(self.user_a)
            .create(
                {
                    "type_id": self.type_certificate.id,
                    "partner_id": self.person.id,
                    "body": "<p>Typed by the registrar</p>",
                }
            )
        )
        draft.action_issue()
        document = draft
        old_body = document.body
        action = document.with_user(self.manager_a).action_cancel_and_reissue()

        self.assertEqual(document.state, "cancelled")
        self.assertEqual(document.cancelled_by_id, self.manager_a)
        self.assertTrue(document.date_cancelled)
        copy = document.replacement_id
        self.assertEqual(action["res_id"], copy.id)
        self.assertEqual(copy.state, "draft")
        self.assertEqual(copy.origin_id, document)
        self.assertFalse(copy.name)
        self.assertEqual(
            copy.body,
            old_body,
            "the text typed before issuing is kept for the correction",
        )
        self.assertIn("Typed by the registrar", copy.body)
        self.assertEqual(
            (copy.partner_id, copy.type_id), (document.partner_id, document.type_id)
        )

        copy.with_user(self.user_a).write({"body": "<p>Corrected text</p>"})
        copy.with_user(self.user_a).action_issue()
        self.assertEqual(copy.name, "CE/2026/00002", "the correction gets a new number")
        self.assertEqual(
            document.name, "CE/2026/00001", "the cancelled number stays in the registry"
        )
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            document.with_user(self.manager_a).write({"body": "<p>again</p>"})
        with self.assertRaisesRegex(UserError, "Only issued documents"):
            document.with_user(self.manager_a).action_cancel()

    def test_issue_bad_input(self):
        Document = self.env["edu.document"].with_user(self.user_a)
        count = Document.search_count([])
        with self.assertRaisesRegex(UserError, "exactly one person"):
            Document._edu_issue("enrolment_certificate", self.env["res.partner"], None)
        with self.assertRaisesRegex(UserError, "exactly one person"):
            Document._edu_issue(
                "enrolment_certificate", self.person | self.person_2, None
            )
        with self.assertRaisesRegex(UserError, "exactly one person"):
            Document._edu_issue("enrolment_certificate", self.user_a, None)
        with self.assertRaisesRegex(UserError, "no active document type"):
            Document._edu_issue("diploma_of_magic", self.person, None)
        with self.assertRaisesRegex(UserError, "single source record"):
            Document._edu_issue(
                "enrolment_certificate", self.person, self.person | self.person_2
            )
        self.type_application.with_user(self.manager_a).report_id = False
        with self.assertRaisesRegex(UserError, "Set a report"):
            Document._edu_issue("application", self.person, None)
        self.assertEqual(Document.search_count([]), count, "nothing half-written")

    def test_archived_type_cannot_be_issued(self):
        self.type_application.with_user(self.manager_a).active = False
        with self.assertRaisesRegex(UserError, "no active document type"):
            self._issue(self.user_a, "application")

    def test_type_code_is_checked(self):
        Type = self.env["edu.document.type"].with_user(self.manager_a)
        with self.assertRaisesRegex(ValidationError, "lowercase letters"):
            Type.create({"name": "Bad", "code": "Bad Code!", "prefix": "B/"})
        self._issue(self.user_a)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            self.type_certificate.with_user(self.manager_a).code = "certificate"
        # its own code written again (the data file reloaded by -i) is no change
        same = self.type_certificate.code
        self.type_certificate.with_user(self.manager_a).write({"code": same})
        self.assertEqual(self.type_certificate.code, same)
