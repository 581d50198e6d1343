from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EduRecordsCommon


# at_install: these rights are edu_crm's own, checked before a later module
# (cmr_portal) grants portal users access to their own records.
@tagged("at_install", "-post_install")
class TestRecordsSecurity(EduRecordsCommon):
    def test_education_user_groups(self):
        self.assertTrue(
            self.edu_user.has_group("sales_team.group_sale_salesman"),
            self.edu_user.groups_id.mapped("full_name"),
        )

    def test_acl_per_group(self):
        Programme = self.env["edu.programme"]
        self.assertTrue(Programme.with_user(self.edu_user).has_access("read"))
        self.assertFalse(Programme.with_user(self.edu_user).has_access("create"))
        self.assertTrue(Programme.with_user(self.edu_manager).has_access("create"))
        Enrollment = self.env["edu.enrollment"]
        self.assertTrue(Enrollment.with_user(self.edu_user).has_access("create"))
        self.assertFalse(Enrollment.with_user(self.edu_user).has_access("unlink"))
        self.assertTrue(Enrollment.with_user(self.edu_manager).has_access("unlink"))
        for model in (
            "edu.programme",
            "edu.intake",
            "edu.enrollment",
            "edu.lead.stage.history",
            "edu.admission.report",
        ):
            self.assertFalse(
                self.env[model].with_user(self.salesman).has_access("read"),
                f"a CRM user outside education cannot read {model}",
            )
            self.assertFalse(
                self.env[model].with_user(self.portal_user).has_access("read"),
                f"no portal access to {model}",
            )

    def test_edu_user_cannot_create_programme(self):
        with self.assertRaises(AccessError):
            self.env["edu.programme"].with_user(self.edu_user).create(
                {"code": "X", "name": "X"}
            )
        with self.assertRaises(AccessError):
            self.intake.with_user(self.edu_user).seats = 100

    def test_portal_cannot_read_enrolment(self):
        enrollment = self._new_enrollment(state="enrolled")
        with self.assertRaises(AccessError):
            enrollment.with_user(self.portal_user).read(["state"])
        partner = enrollment.partner_id.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            partner.read(["edu_national_id"])

    def test_multi_company_isolation(self):
        enrollment_a = self._new_enrollment(state="enrolled")
        enrollment_b = self._new_enrollment(state="enrolled", intake=self.intake_b)
        self.assertEqual(enrollment_b.company_id, self.company_b)
        Enrollment_b = self.env["edu.enrollment"].with_user(self.edu_user_b)
        visible = Enrollment_b.search([("id", "in", (enrollment_a | enrollment_b).ids)])
        self.assertEqual(visible, enrollment_b)
        self.assertEqual(
            self.env["edu.programme"].with_user(self.edu_user_b).search([]),
            self.programme_b,
        )
        self.assertEqual(
            self.env["edu.intake"]
            .with_user(self.edu_user)
            .search([("id", "in", (self.intake | self.intake_b).ids)]),
            self.intake,
        )
        with self.assertRaises(AccessError):
            enrollment_a.with_user(self.edu_user_b).read(["state"])
        with self.assertRaises(AccessError):
            enrollment_a.with_user(self.edu_user_b).write({"funding": "state_funded"})
