from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_document_common import EduDocumentCommon


# at_install: these rights are edu_crm's own, checked before a later module
# (cmr_portal) grants portal users access to their own records.
@tagged("at_install", "-post_install")
class TestDocumentSecurity(EduDocumentCommon):
    def test_user_reads_creates_issues_but_does_not_delete(self):
        document = self._issue(self.user_a)
        self.assertEqual(document.with_user(self.user_a).state, "issued")
        draft = (
            self.env["edu.document"]
            .with_user(self.user_a)
            .create({"type_id": self.type_certificate.id, "partner_id": self.person.id})
        )
        with self.assertRaises(AccessError):
            draft.unlink()
        self.assertTrue(draft.exists())

    def test_only_manager_configures_types(self):
        Type = self.env["edu.document.type"]
        self.assertTrue(
            Type.with_user(self.user_a).search([("code", "=", "application")])
        )
        with self.assertRaises(AccessError):
            Type.with_user(self.user_a).create(
                {"name": "Diploma", "code": "diploma", "prefix": "DIP/"}
            )
        with self.assertRaises(AccessError):
            self.type_certificate.with_user(self.user_a).write({"prefix": "X/"})
        diploma = Type.with_user(self.manager_a).create(
            {
                "name": "Diploma",
                "code": "diploma",
                "prefix": "DIP/",
                "report_id": self.type_certificate.report_id.id,
            }
        )
        document = self._issue(self.user_a, "diploma")
        self.assertEqual(document.type_id, diploma)
        self.assertTrue(document.name.startswith("DIP/"))

    def test_documents_stay_in_their_company(self):
        document_a = self._issue(self.user_a)
        document_b = self._issue(self.user_b, partner=self.person_2)
        Document = self.env["edu.document"]
        self.assertEqual(Document.with_user(self.user_a).search([]), document_a)
        self.assertEqual(Document.with_user(self.user_b).search([]), document_b)
        with self.assertRaises(AccessError):
            document_a.with_user(self.user_b).read(["name"])
        with self.assertRaises(AccessError):
            document_b.with_user(self.user_a).write({"body": "<p>x</p>"})

    def test_no_access_without_education_group(self):
        document = self._issue(self.user_a)
        for user in (self.internal_user, self.portal_user):
            Document = self.env["edu.document"].with_user(user)
            self.assertFalse(Document.has_access("read"))
            with self.assertRaises(AccessError):
                Document.search([])
            with self.assertRaises(AccessError):
                document.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                Document._edu_issue("enrolment_certificate", self.person, None)
        self.assertFalse(
            self.env["edu.document.type"].with_user(self.portal_user).has_access("read")
        )
