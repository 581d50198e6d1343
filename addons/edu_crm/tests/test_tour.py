from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAdmissionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="tour_officer",
            groups="edu_crm.group_edu_user",
            name="Admissions Officer",
        )
        programme = cls.env["edu.programme"].create(
            {"code": "TOUR", "name": "Tour Programme", "capacity": 5}
        )
        cls.intake = cls.env["edu.intake"].create(
            {
                "programme_id": programme.id,
                "name": "Tour Intake",
                "date_start": fields.Date.to_date("2026-09-01"),
                "date_end": fields.Date.to_date("2027-06-30"),
                "state": "open",
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tour Applicant Оля Гнатюк",
                "contact_name": "Tour Applicant Оля Гнатюк",
                "email_from": "olia.tour@example.com",
                "type": "opportunity",
                "team_id": cls.env.ref("edu_crm.crm_team_admissions").id,
                "user_id": cls.officer.id,
                "edu_programme_id": programme.id,
                "edu_intake_id": cls.intake.id,
            }
        )

    def test_admissions_officer_enrols_applicant(self):
        self.assertEqual(self.lead.stage_id, self.env.ref("edu_crm.crm_stage_inquiry"))
        self.start_tour("/odoo", "edu_admission_tour", login="tour_officer")
        self.lead.invalidate_recordset()
        # won is the accepted offer; the Enrol button took it on to Enrolled
        self.assertEqual(self.lead.stage_id, self.env.ref("edu_crm.crm_stage_enrolled"))
        enrollment = self.lead.edu_enrollment_ids
        self.assertEqual(len(enrollment), 1)
        self.assertEqual(enrollment.state, "enrolled")
        self.assertEqual(enrollment.intake_id, self.intake)
        self.assertEqual(enrollment.partner_id.name, "Tour Applicant Оля Гнатюк")
        self.assertTrue(enrollment.partner_id.edu_student_number)
        self.assertEqual(
            self.lead.edu_stage_history_ids.stage_id.mapped("name"),
            [
                "Enrolled",
                "Accepted",
                "Offer",
                "Interview",
                "Documents",
                "Application",
                "Inquiry",
            ],
        )
        certificate = self.env["edu.document"].search(
            [("partner_id", "=", enrollment.partner_id.id)]
        )
        self.assertEqual(certificate.state, "issued")
        self.assertTrue(certificate.name)
