from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import EduRecordsCommon


@tagged("post_install", "-at_install")
class TestEnrollmentStateMachine(EduRecordsCommon):
    def test_full_path_with_dates(self):
        Enrollment = self.env["edu.enrollment"].with_user(self.edu_user)
        partner = self.env["res.partner"].create({"name": "Taras Melnyk"})
        with freeze_time("2026-05-02"):
            enrollment = Enrollment.create(
                {
                    "partner_id": partner.id,
                    "programme_id": self.programme.id,
                    "intake_id": self.intake.id,
                }
            )
            self.assertEqual(enrollment.state, "applied")
            self.assertEqual(enrollment.date_applied, fields.Date.to_date("2026-05-02"))
        with freeze_time("2026-06-10"):
            enrollment.action_admit()
        self.assertEqual(enrollment.state, "admitted")
        self.assertEqual(enrollment.date_admitted, fields.Date.to_date("2026-06-10"))
        self.assertTrue(partner.edu_is_student)
        self.assertTrue(partner.edu_student_number)
        with freeze_time("2026-09-01"):
            enrollment.action_enrol()
        self.assertEqual(enrollment.date_enrolled, fields.Date.to_date("2026-09-01"))
        with freeze_time("2027-01-15"):
            action = enrollment.action_leave()
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.edu_user)
                .with_context(**action["context"])
            )
            wizard.reason = "Medical leave"
            wizard.save().action_confirm()
        self.assertEqual(enrollment.state, "on_leave")
        self.assertEqual(enrollment.reason, "Medical leave")
        self.assertEqual(enrollment.date_leave, fields.Date.to_date("2027-01-15"))
        enrollment.action_return_from_leave()
        self.assertEqual(enrollment.state, "enrolled")
        with freeze_time("2029-06-30"):
            enrollment.action_graduate()
        self.assertEqual(enrollment.state, "graduated")
        self.assertEqual(enrollment.date_graduated, fields.Date.to_date("2029-06-30"))
        self.assertTrue(partner.edu_is_alumnus)

    def test_invalid_transitions_refused(self):
        enrollment = self._new_enrollment()
        with self.assertRaisesRegex(UserError, "cannot go from Applied to Graduated"):
            enrollment.action_graduate()
        with self.assertRaisesRegex(UserError, "cannot go from Applied to Enrolled"):
            enrollment.action_enrol()
        with self.assertRaisesRegex(UserError, "cannot go from"):
            enrollment.action_expel()
        # a direct write is checked as well
        with self.assertRaisesRegex(UserError, "cannot go from"):
            enrollment.with_user(self.edu_user).write({"state": "graduated"})
        with self.assertRaisesRegex(UserError, "Unknown enrolment state"):
            enrollment._edu_set_state("teleported")
        self.assertEqual(enrollment.state, "applied")
        enrollment._edu_set_state("withdrawn", reason="Changed mind")
        with self.assertRaisesRegex(UserError, "cannot go from Withdrawn"):
            enrollment.action_admit()

    def test_reason_required(self):
        enrollment = self._new_enrollment(state="enrolled")
        with self.assertRaisesRegex(UserError, "reason"):
            enrollment._edu_set_state("expelled", reason="   ")
        self.assertEqual(enrollment.state, "enrolled")
        enrollment._edu_set_state("expelled", reason="Academic misconduct")
        self.assertEqual(enrollment.state, "expelled")
        self.assertTrue(enrollment.date_end)

    def test_new_enrolment_cannot_start_graduated(self):
        with self.assertRaisesRegex(UserError, "starts as applied"):
            self._new_enrollment(state="graduated")

    def test_full_intake_refused_and_nothing_written(self):
        for _i in range(3):
            self._new_enrollment(state="enrolled")
        self.assertEqual(self.intake.seats_available, 0)
        late = self._new_enrollment(state="applied")
        with self.assertRaises(ValidationError) as caught:
            late.with_user(self.edu_user).action_admit()
        self.assertIn("is full", str(caught.exception))
        self.assertEqual(late.state, "applied")
        count = self.env["edu.enrollment"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._new_enrollment(state="enrolled")
        self.assertIn("is full", str(caught.exception))
        self.assertEqual(self.env["edu.enrollment"].search_count([]), count)
        self.assertEqual(self.intake.seats_taken, 3)

    def test_intake_must_match_programme(self):
        other = self.env["edu.programme"].create({"code": "MED", "name": "Medicine"})
        with self.assertRaisesRegex(ValidationError, "does not belong"):
            self.env["edu.enrollment"].create(
                {
                    "partner_id": self.sponsor.id,
                    "programme_id": other.id,
                    "intake_id": self.intake.id,
                }
            )

    def test_form_onchanges(self):
        form = Form(self.env["edu.enrollment"].with_user(self.edu_user))
        form.partner_id = self.env["res.partner"].create({"name": "Oksana"})
        form.intake_id = self.intake
        self.assertEqual(
            form.programme_id, self.programme, "the intake sets the programme"
        )
        other = self.env["edu.programme"].create({"code": "ART", "name": "Arts"})
        form.programme_id = other
        self.assertFalse(form.intake_id, "an intake of another programme is cleared")
        form.programme_id = self.programme
        form.intake_id = self.intake
        form.sponsor_id = self.sponsor
        self.assertEqual(form.funding, "sponsored")
        enrollment = form.save()
        self.assertEqual(enrollment.company_id, self.company_a)
        self.assertEqual(enrollment.name, "Oksana / CS / Autumn 2026")

    def test_state_changes_are_tracked(self):
        enrollment = self._new_enrollment()
        # end of the creating transaction: its own tracking is logged
        self.env.flush_all()
        self.env.cr.precommit.run()
        enrollment.action_admit()
        self.env.flush_all()
        self.env.cr.precommit.run()
        enrollment.invalidate_recordset(["message_ids"])
        tracked = enrollment.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(tracked[:1].new_value_char, "Admitted")
