from freezegun import freeze_time
from odoo.tests import tagged

from .test_document_common import EduDocumentCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestDocumentNumbering(EduDocumentCommon):
    def test_numbers_per_type_and_company(self):
        first = self._issue(self.user_a)
        second = self._issue(self.user_a, partner=self.person_2)
        application = self._issue(self.user_a, "application")
        other_company = self._issue(self.user_b)

        self.assertEqual(first.name, "CE/2026/00001")
        self.assertEqual(second.name, "CE/2026/00002")
        self.assertEqual(
            application.name, "APP/2026/00001", "each type has its own numbering"
        )
        self.assertEqual(
            other_company.name, "CE/2026/00001", "each company has its own numbering"
        )
        self.assertEqual(first.company_id, self.company_a)
        self.assertEqual(other_company.company_id, self.company_b)

    def test_one_sequence_per_type_and_company(self):
        self._issue(self.user_a)
        self._issue(self.user_a)
        self._issue(self.user_b)
        companies = self.company_a | self.company_b
        sequences = self.type_certificate.sequence_ids.filtered(
            lambda seq: seq.company_id in companies
        )
        self.assertEqual(sequences.company_id, companies)
        self.assertEqual(
            len(sequences), 2, "the sequence of a company is created once, then reused"
        )
        self.assertEqual(
            set(sequences.mapped("code")), {"edu.document.enrolment_certificate"}
        )
        self.assertEqual(set(sequences.mapped("implementation")), {"no_gap"})
        seq_a = sequences.filtered(lambda s: s.company_id == self.company_a)
        self.assertEqual(seq_a.number_next_actual, 3)

    def test_prefix_of_type_used_for_new_company_numbering(self):
        self.type_application.with_user(self.manager_a).write(
            {"prefix": "ADM-%(year)s-", "padding": 3}
        )
        document = self._issue(self.user_a, "application")
        self.assertEqual(document.name, "ADM-2026-001")

    def test_issuing_a_batch_numbers_each_document(self):
        Document = self.env["edu.document"].with_user(self.user_a)
        drafts = Document.create(
            [
                {"type_id": self.type_certificate.id, "partner_id": partner.id}
                for partner in (self.person, self.person_2, self.person)
            ]
        )
        self.assertEqual(set(drafts.mapped("state")), {"draft"})
        self.assertFalse(any(drafts.mapped("name")), "drafts have no number")
        drafts.action_issue()
        self.assertEqual(
            drafts.mapped("name"), ["CE/2026/00001", "CE/2026/00002", "CE/2026/00003"]
        )
        self.assertEqual(set(drafts.mapped("state")), {"issued"})
