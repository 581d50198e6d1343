"""Issue 12, finding 7: the new-document form and documents that follow what
they state."""

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import format_date

from .test_document_common import EduDocumentCommon
from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestDocumentSource(EduDocumentCommon):
    """The Source of a new document listed about 100 technical models."""

    def test_source_offers_the_records_documents_come_from(self):
        selection = (
            self.env["edu.document"]
            .with_user(self.user_a)
            .fields_get(["source_ref"], ["selection"])["source_ref"]["selection"]
        )
        self.assertEqual(
            [model for model, _label in selection],
            ["edu.enrollment", "crm.lead", "survey.user_input", "edu.tuition.contract"],
        )

    def test_no_document_from_another_record(self):
        with self.assertRaisesRegex(UserError, "cannot be issued from a record of"):
            self._issue(self.user_a, source=self.person_2)


@tagged("post_install", "-at_install")
class TestContractDocumentVersions(TuitionCommon):
    """The contract PDF kept the due dates from before a deferral."""

    def _active_contract(self):
        start = fields.Date.today() + relativedelta(days=40)
        contract = self._contract(plan=self.plan_monthly_3, date_start=start)
        contract.with_user(self.bursar).action_activate()
        return contract.with_user(self.bursar)

    def test_new_schedule_issues_a_new_version(self):
        contract = self._active_contract()
        first = contract.document_id
        self.assertEqual(first.name, contract.name)
        last = contract.instalment_ids.sorted("sequence")[-1]
        # the same schedule written again: the PDF still says it
        contract._edu_replace_open_instalments(
            last,
            [
                {
                    "sequence": last.sequence,
                    "due_date": last.due_date,
                    "amount": last.amount,
                }
            ],
        )
        self.assertEqual(contract.document_id, first)
        self.assertEqual(first.state, "issued")
        last = contract.instalment_ids.sorted("sequence")[-1]
        old_due = format_date(self.env, last.due_date)
        new_due = last.due_date + relativedelta(months=2)
        # an approved deferral of the last instalment (cmr_portal's requests)
        contract._edu_replace_open_instalments(
            last,
            [{"sequence": last.sequence, "due_date": new_due, "amount": last.amount}],
        )
        second = contract.document_id
        self.assertNotEqual(second, first, "the contract points to the new version")
        self.assertRecordValues(
            first, [{"state": "cancelled", "replacement_id": second.id}]
        )
        self.assertRecordValues(
            second,
            [
                {
                    "state": "issued",
                    "name": f"{contract.name}-2",
                    "origin_id": first.id,
                    "issued_by_id": self.bursar.id,
                }
            ],
        )
        new_due = format_date(self.env, new_due)
        self.assertIn(new_due, second.body)
        self.assertIn(old_due, first.body, "the first version keeps what it said")
        self.assertNotIn(new_due, first.body)
        self.assertTrue(second.attachment_id)
        self.assertNotEqual(second.attachment_id, first.attachment_id)
        self.assertNotEqual(second.checksum, first.checksum)
        self.assertIn(new_due, second.attachment_id.raw.decode())


@tagged("post_install", "-at_install")
class TestDocumentFormTour(HttpCase):
    """The new-document form as an Education User fills it in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, login="doc_tour_officer", groups="edu_crm.group_edu_user"
        )
        cls.student = cls.env["res.partner"].create({"name": "Tour Student Ярина"})
        programme = cls.env["edu.programme"].create(
            {"code": "DOC", "name": "Document Tour Programme"}
        )
        intake = cls.env["edu.intake"].create(
            {
                "programme_id": programme.id,
                "name": "Doc Intake",
                "date_start": fields.Date.to_date("2026-09-01"),
                "date_end": fields.Date.to_date("2027-06-30"),
            }
        )
        cls.enrollment = cls.env["edu.enrollment"].create(
            {
                "partner_id": cls.student.id,
                "programme_id": programme.id,
                "intake_id": intake.id,
                "state": "enrolled",
            }
        )

    def test_officer_issues_a_document_from_an_enrolment(self):
        self.start_tour("/odoo", "edu_document_form_tour", login="doc_tour_officer")
        document = self.env["edu.document"].search(
            [("partner_id", "=", self.student.id)]
        )
        self.assertEqual(document.state, "issued")
        self.assertEqual(document.source_ref, self.enrollment)
