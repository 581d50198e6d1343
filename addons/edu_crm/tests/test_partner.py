from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import EduRecordsCommon


@tagged("post_install", "-at_install")
class TestPartnerEducationFile(EduRecordsCommon):
    def test_roles_several_at_once_and_student_number(self):
        Partner = self.env["res.partner"].with_user(self.edu_user)
        person = Partner.create(
            {"name": "Олена Коваленко", "edu_is_applicant": True, "edu_is_staff": True}
        )
        self.assertTrue(person.edu_is_applicant and person.edu_is_staff)
        self.assertFalse(person.edu_student_number, "only students get a number")
        person.edu_is_student = True
        self.assertTrue(person.edu_is_applicant, "roles add up, they do not replace")
        self.assertTrue(person.edu_student_number)
        self.assertTrue(person.edu_student_number.startswith("S"))
        other = Partner.create({"name": "Георги Петров", "edu_is_student": True})
        self.assertNotEqual(other.edu_student_number, person.edu_student_number)
        self.assertGreater(other.edu_student_number, person.edu_student_number)
        # becoming a student again keeps the number
        number = person.edu_student_number
        person.write({"edu_is_student": False})
        person.write({"edu_is_student": True})
        self.assertEqual(person.edu_student_number, number)

    def test_student_number_sequence_per_company(self):
        Partner = self.env["res.partner"]
        student_a = Partner.create(
            {"name": "A", "edu_is_student": True, "company_id": self.company_a.id}
        )
        student_b = Partner.create(
            {"name": "B", "edu_is_student": True, "company_id": self.company_b.id}
        )
        seq_a = Partner._edu_student_sequence(self.company_a)
        seq_b = Partner._edu_student_sequence(self.company_b)
        self.assertNotEqual(seq_a, seq_b)
        self.assertEqual(seq_b.company_id, self.company_b)
        self.assertTrue(student_b.edu_student_number.endswith("00001"))
        self.assertTrue(student_a.edu_student_number)

    def test_batch_student_numbers_are_distinct(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Student {i}", "edu_is_student": True} for i in range(20)]
        )
        numbers = partners.mapped("edu_student_number")
        self.assertEqual(len(set(numbers)), 20)
        self.assertTrue(all(numbers))

    def test_student_number_unique(self):
        one = self.env["res.partner"].create({"name": "One", "edu_is_student": True})
        two = self.env["res.partner"].create({"name": "Two"})
        with self.assertRaisesRegex(ValidationError, "student number"):
            two.edu_student_number = one.edu_student_number
            two.flush_recordset()

    def test_national_id_unique_per_company(self):
        Partner = self.env["res.partner"].with_user(self.edu_user)
        first = Partner.create(
            {
                "name": "First",
                "edu_national_id": "ab-123 456",
                "company_id": self.company_a.id,
            }
        )
        self.assertEqual(first.edu_national_id_normalized, "AB123456")
        with self.assertRaises(ValidationError) as caught:
            Partner.create(
                {
                    "name": "Clash",
                    "edu_national_id": "AB123456",
                    "company_id": self.company_a.id,
                }
            )
        self.assertIn("national ID AB123456 is already used", str(caught.exception))
        self.assertFalse(
            self.env["res.partner"].search([("name", "=", "Clash")]),
            "the refused person is not half-written",
        )
        other_company = self.env["res.partner"].create(
            {
                "name": "Elsewhere",
                "edu_national_id": "AB 123 456",
                "company_id": self.company_b.id,
            }
        )
        self.assertEqual(other_company.edu_national_id_normalized, "AB123456")

    def test_guardian_and_sponsor_links(self):
        Partner = self.env["res.partner"].with_user(self.edu_user)
        parent = Partner.create({"name": "Parent"})
        child = Partner.create(
            {
                "name": "Child",
                "edu_guardian_id": parent.id,
                "edu_sponsor_ids": [(4, self.sponsor.id)],
            }
        )
        self.assertEqual(parent.edu_ward_ids, child)
        self.assertIn(child, self.sponsor.edu_sponsored_ids)
        self.assertEqual(self.sponsor.edu_sponsored_count, 1)
        action = self.sponsor.with_user(self.edu_user).action_edu_open_sponsored()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), child)
        with self.assertRaisesRegex(ValidationError, "own guardian"):
            parent.edu_guardian_id = parent

    def test_education_tab_through_form(self):
        form = Form(self.env["res.partner"].with_user(self.edu_user))
        form.name = "Marta Shevchenko"
        form.edu_is_applicant = True
        form.edu_national_id = "ua 99 88"
        partner = form.save()
        self.assertEqual(partner.edu_national_id_normalized, "UA9988")
        self.assertTrue(partner.edu_is_applicant)


@tagged("post_install", "-at_install")
class TestPartnerDuplicates(EduRecordsCommon):
    def test_duplicates_by_email_phone_national_id(self):
        Partner = self.env["res.partner"].with_user(self.edu_user)
        original = Partner.create(
            {
                "name": "Iryna Bondar",
                "email": "Iryna.Bondar@Example.com",
                "phone": "+380 44 123 4567",
                "edu_national_id": "UA-777",
            }
        )
        by_email = Partner.create(
            {"name": "I. Bondar", "email": "iryna.bondar@example.com"}
        )
        by_phone = Partner.create({"name": "Ira", "phone": "+380441234567"})
        stranger = Partner.create({"name": "Stranger", "email": "someone@example.com"})
        self.assertEqual(by_email.edu_duplicate_ids, original)
        self.assertEqual(by_phone.edu_duplicate_ids, original)
        self.assertEqual(original.edu_duplicate_ids, by_email | by_phone)
        self.assertEqual(original.edu_duplicate_count, 2)
        self.assertFalse(stranger.edu_duplicate_ids)
        # the same national ID cannot even be saved twice in one company ...
        with self.assertRaises(ValidationError):
            Partner.create({"name": "Bondar", "edu_national_id": "ua 777"})
        # ... and an applicant with that national ID is matched to the person
        lead = self._new_lead("Iryna B.", edu_national_id="ua 777")
        self.assertEqual(
            lead.with_user(self.edu_user).edu_duplicate_partner_ids, original
        )

    def test_merge_into_existing_partner(self):
        original = self.env["res.partner"].create(
            {
                "name": "Petro Ivanenko",
                "email": "petro@example.com",
                "edu_is_student": True,
            }
        )
        duplicate = self.env["res.partner"].create(
            {
                "name": "Petro I.",
                "email": "PETRO@example.com",
                "edu_national_id": "NID-1",
                "edu_is_student": True,
            }
        )
        enrollment = self._new_enrollment(partner=duplicate, state="enrolled")
        number = original.edu_student_number
        merger = self._new_user(
            "rec_merger",
            "edu_crm.group_edu_manager,base.group_partner_manager",
            self.company_a,
        )
        action = original.with_user(merger).action_edu_merge_duplicates()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(merger)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.dst_partner_id, original)
        self.assertEqual(set(wizard.partner_ids.ids), {original.id, duplicate.id})
        wizard.action_merge()
        self.assertFalse(duplicate.exists())
        self.assertEqual(enrollment.partner_id, original)
        self.assertEqual(original.edu_national_id, "NID-1")
        self.assertEqual(original.edu_student_number, number)

    def test_merge_without_duplicates_is_refused_clearly(self):
        alone = self.env["res.partner"].create({"name": "Alone"})
        with self.assertRaisesRegex(UserError, "no duplicate"):
            alone.with_user(self.edu_user).action_edu_merge_duplicates()
