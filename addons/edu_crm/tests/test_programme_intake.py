import psycopg2
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import EduRecordsCommon


@tagged("post_install", "-at_install")
class TestProgrammeIntake(EduRecordsCommon):
    def test_programme_display_and_tuition_product(self):
        self.assertEqual(self.programme.display_name, "[CS] Computer Science")
        self.assertEqual(self.programme.list_price, 3000)
        self.assertEqual(self.programme.intake_count, 1)

    def test_negative_capacity_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["edu.programme"].with_user(self.edu_manager).create(
                {"code": "NEG", "name": "Negative", "capacity": -1}
            )
        self.assertIn("cannot be negative", str(caught.exception))
        self.assertFalse(self.env["edu.programme"].search([("code", "=", "NEG")]))

    def test_programme_code_unique_per_company(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.cr.savepoint():
                self.env["edu.programme"].create(
                    {"code": "CS", "name": "Other CS", "company_id": self.company_a.id}
                )
        other = self.env["edu.programme"].create(
            {"code": "CS", "name": "CS elsewhere", "company_id": self.company_b.id}
        )
        self.assertEqual(other.company_id, self.company_b)

    def test_intake_end_before_start_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["edu.intake"].with_user(self.edu_manager).create(
                {
                    "programme_id": self.programme.id,
                    "name": "Backwards",
                    "date_start": fields.Date.to_date("2026-09-01"),
                    "date_end": fields.Date.to_date("2026-01-01"),
                }
            )
        self.assertIn("cannot end", str(caught.exception))
        self.assertFalse(self.env["edu.intake"].search([("name", "=", "Backwards")]))

    def test_intake_negative_seats_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.intake.with_user(self.edu_manager).seats = -5

    def test_intake_seats_default_from_programme_form(self):
        form = Form(self.env["edu.intake"].with_user(self.edu_manager))
        form.name = "Spring 2027"
        form.date_start = fields.Date.to_date("2027-02-01")
        form.date_end = fields.Date.to_date("2030-01-31")
        form.programme_id = self.programme
        self.assertEqual(form.seats, 3, "seats come from the programme capacity")
        form.seats = 5
        intake = form.save()
        self.assertEqual(intake.seats, 5)
        self.assertEqual(intake.seats_available, 5)
        self.assertEqual(intake.company_id, self.company_a)
        self.assertEqual(intake.state, "draft")
        intake.action_open()
        self.assertEqual(intake.state, "open")
        intake.action_close()
        self.assertEqual(intake.state, "closed")

    def test_seats_taken_follow_enrolments(self):
        self.assertEqual(self.intake.seats_taken, 0)
        enrollment = self._new_enrollment(state="enrolled")
        self.assertEqual(self.intake.seats_taken, 1)
        self.assertEqual(self.intake.seats_available, 2)
        self._new_enrollment(state="applied")
        self.assertEqual(self.intake.seats_taken, 1, "applicants take no seat")
        enrollment._edu_set_state("withdrawn", reason="Moved abroad")
        self.assertEqual(self.intake.seats_taken, 0, "a withdrawal frees the seat")
