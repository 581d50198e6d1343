import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestEnquiry(HttpCase):
    """The public web enquiry form: an Admissions lead with the UTM of the
    visit, on the existing person (never rewriting their contact), on the
    person's timeline; bad input, the honeypot, the rate limit and CSRF."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.programme = cls._programme("ENQ", "Enquiry Studies")
        cls.person = env["res.partner"].create(
            {
                "name": "Erin Existing",
                "email": "erin.existing@example.com",
                "phone": "+380 44 111 2222",
            }
        )
        cls.team = env.ref("edu_crm.crm_team_admissions")

    @classmethod
    def _programme(cls, code, name, company=None, open_intake=True):
        """A programme of ``company`` (the main one), in the catalogue when
        it has an intake open for application."""
        env = cls.env
        programme = env["edu.programme"].create(
            {"code": code, "name": name, "company_id": (company or env.company).id}
        )
        if open_intake:
            today = fields.Date.today()
            env["edu.intake"].create(
                {
                    "programme_id": programme.id,
                    "name": f"{name} intake",
                    "date_start": today + timedelta(days=120),
                    "date_end": today + timedelta(days=1200),
                    "state": "open",
                }
            )
        return programme

    def _csrf(self, url="/enquiry"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, page.text[:300])
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _send(self, token, **values):
        data = {
            "contact_name": "Erin E.",
            "email": "Erin.Existing@example.com",
            "phone": "+380 99 999 9999",
            "programme_id": str(self.programme.id),
            "message": "Is there an evening course?",
            "consent": "1",
            "csrf_token": token,
        }
        data.update(values)
        data = {key: value for key, value in data.items() if value is not None}
        return self.url_open("/enquiry", data=data, allow_redirects=False)

    def _sent(self, response):
        """The send was taken: redirected to the thanks page (else the
        page's messages say why)."""
        errors = re.search(r'id="cmr_errors".*?</ul>', response.text, re.S)
        self.assertEqual(response.status_code, 303, errors and errors.group(0))
        self.assertIn("/enquiry?sent=1", response.headers["Location"])

    def _leads(self, email="erin.existing@example.com"):
        self.env.invalidate_all()
        return self.env["crm.lead"].search([("email_normalized", "=", email)])

    def test_enquiry_lands_on_the_existing_person_with_utm(self):
        token = self._csrf("/enquiry?utm_source=Open+day+flyer&utm_campaign=Autumn+26")
        self._sent(self._send(token))
        lead = self.env["crm.lead"].search([("partner_id", "=", self.person.id)])
        self.assertEqual(len(lead), 1)
        self.assertEqual(
            (lead.team_id, lead.stage_id, lead.edu_programme_id, lead.type),
            (
                self.team,
                self.env.ref("edu_crm.crm_stage_inquiry"),
                self.programme,
                "opportunity",
            ),
        )
        self.assertEqual(lead.source_id.name, "Open day flyer")
        self.assertEqual(lead.campaign_id.name, "Autumn 26")
        self.assertIn("Is there an evening course?", lead.description)
        self.assertIn("+380 99 999 9999", lead.description, "what was typed")
        # what a visitor types never rewrites the person's contact
        self.assertEqual(
            (self.person.email, self.person.phone),
            ("erin.existing@example.com", "+380 44 111 2222"),
        )
        # on the person's timeline, opening the lead
        self.env.flush_all()
        rows = self.env["edu.timeline"].search(
            [("partner_id", "=", self.person.id), ("kind", "=", "application")]
        )
        self.assertEqual(rows.record_ref, lead)
        self.assertIn("Enquiry", rows.summary)

    def test_new_person_gets_a_file(self):
        self._sent(
            self._send(
                self._csrf(), email="nina.new@example.com", phone="", programme_id=""
            )
        )
        lead = self._leads("nina.new@example.com")
        self.assertEqual(len(lead), 1)
        self.assertTrue(lead.partner_id)
        self.assertNotEqual(lead.partner_id, self.person)
        self.assertEqual(lead.partner_id.email_normalized, "nina.new@example.com")
        self.assertFalse(lead.edu_programme_id)

    def test_bad_fields_redisplay_with_the_message_and_what_was_typed(self):
        token = self._csrf()
        # an empty message box is a box (a self-closed textarea hides the form)
        self.assertIn(
            'name="message" rows="5" maxlength="4000"></textarea>',
            self.url_open("/enquiry").text,
        )
        cases = [
            ({"email": "erin@nowhere"}, "Give a valid email address"),
            ({"contact_name": ""}, "Give your name."),
            ({"consent": None}, "Agree to be contacted"),
            ({"programme_id": "999999999"}, "Choose one of the programmes"),
            ({"message": "x" * 4001}, "limited to 4000 characters"),
        ]
        for values, words in cases:
            with self.subTest(values=list(values)):
                response = self._send(token, **values)
                self.assertEqual(response.status_code, 400)
                self.assertIn(words, response.text)
                self.assertIn("Nothing was saved", response.text)
                self.assertIn("+380 99 999 9999", response.text, "kept as typed")
                if "message" not in values:
                    self.assertIn(
                        "Is there an evening course?</textarea>", response.text
                    )
        self.assertIn(
            'value="erin@nowhere"', self._send(token, email="erin@nowhere").text
        )
        self.assertFalse(
            self.env["crm.lead"].search([("partner_id", "=", self.person.id)])
        )

    def test_abuse_controls(self):
        token = self._csrf()
        with mute_logger("odoo.http"):
            response = self._send("forged")
        self.assertEqual(response.status_code, 400)
        response = self._send(token, website_url="http://spam.example.com")
        self.assertEqual(response.status_code, 400)
        self.assertIn("could not be sent", response.text)
        self.assertFalse(self._leads())
        # per email: the sixth send within the hour is refused (the honeypot's
        # counted too)
        for _i in range(4):
            self._sent(self._send(token))
        response = self._send(token)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Too many enquiries", response.text)
        self.assertEqual(len(self._leads()), 4)

    def test_only_the_catalogue_is_offered(self):
        """The programmes of the catalogue (an intake open for application)
        of the company the form is for, not every programme of every
        company; another one posted is refused with the form's message,
        and the model refuses it too (review finding)."""
        closed = self._programme("CLO", "Closed Studies", open_intake=False)
        other_company = self.env["res.company"].create({"name": "Other School"})
        elsewhere = self._programme("ELS", "Elsewhere Studies", other_company)
        page = self.url_open("/enquiry").text
        self.assertIn("Enquiry Studies", page)
        self.assertNotIn("Closed Studies", page)
        self.assertNotIn("Elsewhere Studies", page)
        token = self._csrf()
        for programme in (closed, elsewhere):
            with self.subTest(programme=programme.name):
                response = self._send(token, programme_id=str(programme.id))
                self.assertEqual(response.status_code, 400)
                self.assertIn("Choose one of the programmes offered", response.text)
                self.assertIn("+380 99 999 9999", response.text, "kept as typed")
                values = {
                    "contact_name": "Erin E.",
                    "email_from": "erin.existing@example.com",
                    "edu_programme_id": programme.id,
                }
                with self.assertRaisesRegex(UserError, "programmes offered"):
                    self.env["crm.lead"]._edu_create_enquiry(values, "Hello")
        self.assertFalse(self._leads())

    def test_logged_in_person_is_prefilled_and_linked(self):
        """A person logged in finds their name, email and phone filled in,
        and their enquiry is theirs even with another email typed; their
        file keeps its contact."""
        user = new_test_user(
            self.env,
            login="enq_student",
            groups="base.group_portal",
            name="Stella Student",
            email="stella@example.com",
        )
        user.partner_id.phone = "+380 67 123 4567"
        self.authenticate("enq_student", "enq_student")
        page = self.url_open("/enquiry").text
        for value in ("Stella Student", "stella@example.com", "+380 67 123 4567"):
            self.assertIn(f'value="{value}"', page)
        # a visitor's form is empty
        self.authenticate(None, None)
        self.assertNotIn('value="Stella Student"', self.url_open("/enquiry").text)
        self.authenticate("enq_student", "enq_student")
        self._sent(
            self._send(
                self._csrf(),
                contact_name="Stella Student",
                email="stella.work@example.com",
            )
        )
        lead = self.env["crm.lead"].search(
            [("description", "ilike", "stella.work@example.com")]
        )
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, user.partner_id)
        self.assertEqual(user.partner_id.email, "stella@example.com")
        self.assertFalse(
            self.env["res.partner"].search(
                [("email", "=ilike", "stella.work@example.com")]
            )
        )
