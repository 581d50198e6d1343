from datetime import timedelta

from odoo.http import Request
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .apply_common import ApplyOnlineCommon


@tagged("post_install", "-at_install")
class TestCatalogueCompany(ApplyOnlineCommon):
    """The public catalogue, its intake pages and the application form are
    those of the company the page is served for (``env.company``: the
    website's with Odoo's ``website``, else the visitor's), by the one rule
    the enquiry form's programmes use too (issue 16)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.main_company = cls.intake.company_id
        cls.other_company = env["res.company"].create({"name": "Other Academy"})
        cls.other_programme = env["edu.programme"].create(
            {
                "code": "ELS",
                "name": "Elsewhere Studies",
                "company_id": cls.other_company.id,
            }
        )
        cls.other_intake = env["edu.intake"].create(
            {
                "programme_id": cls.other_programme.id,
                "name": "Elsewhere Autumn",
                "date_start": cls.today + timedelta(days=60),
                "date_end": cls.today + timedelta(days=400),
            }
        )
        cls.other_intake.action_open()
        cls.user_elsewhere = new_test_user(
            env,
            login="apl_elsewhere",
            groups="base.group_portal",
            name="Eli Elsewhere",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )

    def test_catalogue_shows_the_served_company_only(self):
        page = self._get("/programmes").text
        self.assertIn("Applied Astronomy", page)
        self.assertIn("Autumn Apply", page)
        self.assertNotIn("Elsewhere Studies", page)
        self.assertNotIn("Elsewhere Autumn", page)
        self.assertEqual(
            self._get(f"/programmes/intake/{self.other_intake.id}").status_code, 404
        )
        self.assertEqual(
            self._get(f"/programmes/intake/{self.intake.id}").status_code, 200
        )
        # served for the other company: its catalogue, not the main one's
        self.authenticate("apl_elsewhere", "apl_elsewhere")
        page = self._get("/programmes").text
        self.assertIn("Elsewhere Autumn", page)
        self.assertNotIn("Applied Astronomy", page)
        self.assertEqual(
            self._get(f"/programmes/intake/{self.intake.id}").status_code, 404
        )

    @mute_logger("odoo.http")
    def test_application_form_of_another_company_is_not_found(self):
        self.authenticate("apl_applicant", "apl_applicant")
        self.assertEqual(self._get(f"/apply/{self.other_intake.id}").status_code, 404)
        self._get(f"/apply/{self.intake.id}")  # a session with a CSRF token
        response = self.url_open(
            f"/apply/{self.other_intake.id}",
            data=dict(self._form(), csrf_token=Request.csrf_token(self)),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._leads())

    def test_enquiry_programmes_follow_the_same_rule(self):
        Lead = self.env["crm.lead"]
        main = Lead.with_company(self.main_company)._edu_enquiry_programmes()
        other = Lead.with_company(self.other_company)._edu_enquiry_programmes()
        self.assertIn(self.programme, main)
        self.assertNotIn(self.other_programme, main)
        self.assertEqual(other, self.other_programme)
        Intake = self.env["edu.intake"].with_company(self.other_company)
        self.assertEqual(
            Intake.search(Intake._edu_catalogue_domain()), self.other_intake
        )
