from freezegun import freeze_time
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_document_common import EduDocumentCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-09-01 09:00:00")
class TestDocumentEnrollment(EduDocumentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.programmes = cls.env["edu.programme"].create(
            [
                {
                    "code": "NUR",
                    "name": "Bachelor of Nursing",
                    "company_id": cls.company_a.id,
                },
                {
                    "code": "NUR-B",
                    "name": "Nursing (Second Campus)",
                    "company_id": cls.company_b.id,
                },
            ]
        )
        cls.intakes = cls.env["edu.intake"].create(
            [
                {
                    "programme_id": programme.id,
                    "name": "Autumn 2026",
                    "date_start": "2026-09-01",
                    "date_end": "2027-06-30",
                    "seats": 10,
                    "state": "open",
                }
                for programme in cls.programmes
            ]
        )
        Enrollment = cls.env["edu.enrollment"]
        cls.enrolled = Enrollment.create(
            {
                "partner_id": cls.person.id,
                "programme_id": cls.programmes[0].id,
                "intake_id": cls.intakes[0].id,
                "state": "enrolled",
            }
        )
        cls.applied = Enrollment.create(
            {
                "partner_id": cls.person_2.id,
                "programme_id": cls.programmes[0].id,
                "intake_id": cls.intakes[0].id,
            }
        )
        cls.enrolled_b = Enrollment.create(
            {
                "partner_id": cls.person_2.id,
                "programme_id": cls.programmes[1].id,
                "intake_id": cls.intakes[1].id,
                "state": "enrolled",
            }
        )

    def test_issue_enrolment_certificate(self):
        enrollment = self.enrolled.with_user(self.user_a)
        self.assertEqual(enrollment.document_count, 0)
        action = enrollment.action_issue_enrolment_certificate()
        document = self.env["edu.document"].browse(action["res_id"])
        self.assertEqual(document.type_id, self.type_certificate)
        self.assertEqual(document.name, "CE/2026/00001")
        self.assertEqual(document.source_ref, self.enrolled)
        self.assertEqual(document.partner_id, self.person)
        self.assertIn("Bachelor of Nursing", document.body)
        self.assertIn("Autumn 2026", document.body)
        enrollment.invalidate_recordset(["document_count"])
        self.assertEqual(enrollment.document_count, 1)
        documents_action = enrollment.action_view_documents()
        self.assertEqual(
            self.env["edu.document"]
            .with_user(self.user_a)
            .search(documents_action["domain"]),
            document,
        )

    def test_certificate_in_the_company_of_the_enrolment(self):
        action = self.enrolled_b.with_user(
            self.user_b
        ).action_issue_enrolment_certificate()
        document = self.env["edu.document"].browse(action["res_id"])
        self.assertEqual(document.company_id, self.company_b)
        self.assertEqual(document.name, "CE/2026/00001")

    def test_only_enrolled_students_get_a_certificate(self):
        Document = self.env["edu.document"]
        count = Document.search_count([])
        with self.assertRaisesRegex(
            UserError, "only be issued for an enrolled student"
        ):
            self.applied.with_user(self.user_a).action_issue_enrolment_certificate()
        with self.assertRaisesRegex(
            UserError, "only be issued for an enrolled student"
        ):
            (self.enrolled | self.applied).with_user(
                self.user_a
            ).action_issue_enrolment_certificate()
        self.assertEqual(Document.search_count([]), count, "nothing half-written")

    def test_document_count_query_count_does_not_grow(self):
        """The smart-button count is one grouped query, whatever the number of
        enrolments.
        """
        self._issue(self.user_a)
        self._issue(self.user_a, partner=self.person_2)
        Enrollment = self.env["edu.enrollment"].with_user(self.user_a)
        one = Enrollment.browse(self.enrolled.id)
        two = Enrollment.browse((self.enrolled | self.applied).ids)
        one.mapped("document_count")  # warm the access-rights caches
        counts = []
        for enrollments in (one, two):
            enrollments.mapped("partner_id")  # prefetch outside the measure
            self.env.invalidate_all()
            enrollments.mapped("partner_id")
            self.env.flush_all()
            start = self.env.cr.sql_log_count
            values = enrollments.mapped("document_count")
            counts.append(self.env.cr.sql_log_count - start)
        self.assertEqual(values, [1, 1])
        self.assertEqual(counts[0], counts[1])

    def test_other_types_from_an_enrolment(self):
        document = self._issue(
            self.user_a, "enrolment_order", source=self.enrolled.with_user(self.user_a)
        )
        self.assertEqual(document.name, "ORD/2026/00001")
        self.assertEqual(document.source_ref, self.enrolled)
        self.assertIn("Enrolment Order for Olena Kovalenko", document.body)
        self.assertIn(self.enrolled.display_name, document.body)

    def test_batch_certificates_from_the_list(self):
        second = self.env["edu.enrollment"].create(
            {
                "partner_id": self.person_2.id,
                "programme_id": self.programmes[0].id,
                "intake_id": self.intakes[0].id,
                "state": "enrolled",
            }
        )
        enrollments = self.enrolled | second
        server_action = self.env.ref(
            "edu_crm.edu_enrollment_action_issue_enrolment_certificate"
        )
        action = (
            server_action.with_user(self.user_a)
            .with_context(active_model="edu.enrollment", active_ids=enrollments.ids)
            .run()
        )
        documents = self.env["edu.document"].search(action["domain"])
        self.assertEqual(len(documents), 2)
        self.assertEqual(documents.partner_id, self.person | self.person_2)
        self.assertEqual(
            sorted(documents.mapped("name")), ["CE/2026/00001", "CE/2026/00002"]
        )
        self.assertEqual(set(documents.mapped("state")), {"issued"})
