"""Issue 12 ("truth on every screen"), portal parts: what the person reads on
the pages, read off the rendered HTML as the student, an applicant who is
not enrolled and another user; the consent history in the reader's
language."""

import importlib.util
from pathlib import Path

from lxml import html as lxml_html
from odoo.exceptions import ValidationError
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .common import CmrPortalDataMixin

UK = "uk_UA"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "18.0.1.2.0"


def shown(page, element_id):
    """The text a person reads in the element ``element_id`` of ``page``."""
    found = lxml_html.fromstring(page).get_element_by_id(element_id, None)
    return " ".join(found.text_content().split()) if found is not None else None


def load_migration(name):
    spec = importlib.util.spec_from_file_location(
        f"cmr_portal_migration_{name.replace('-', '_')}", MIGRATIONS / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PortalTruthCommon(CmrPortalDataMixin):
    @classmethod
    def _cmr_setup_truth(cls):
        cls._cmr_setup_data()
        env = cls.env
        env["res.lang"]._activate_lang(UK)
        env["ir.module.module"]._load_module_terms(
            ["portal", "campaign_pressure", "edu_crm", "cmr_portal"], [UK]
        )
        # Otto Other applied and is not enrolled (common data): an applicant
        cls.user_applicant = cls.user_other
        cls.applicant = cls.other

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data):
        data = dict(data, csrf_token=Request.csrf_token(self))
        return self.url_open(url, data=data, allow_redirects=False)

    def _preference_form(self, **values):
        data = {
            "channel_email": "on",
            "channel_sms": "on",
            "channel_phone": "on",
            "channel_letter": "on",
            "max_contacts": "2",
            "period": "month",
            "lang": "en_US",
        }
        data.update(values)
        return data


@tagged("post_install", "-at_install")
class TestPortalLanguage(HttpCase, PortalTruthCommon):
    """Finding 10: the language saved in the preferences is the portal's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_truth()

    def test_saved_language_is_the_portal_language(self):
        self.authenticate("cmr_student", "cmr_student")
        home = self._get("/my")
        self.assertIn("Contact Preferences", home.text)  # English first
        # an invalid form changes nothing, the language included
        response = self._post(
            "/my/preferences", self._preference_form(lang=UK, max_contacts="abc")
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotEqual(response.cookies.get("frontend_lang"), UK)
        self.assertNotEqual(self.student.sudo().lang, UK)
        response = self._post("/my/preferences", self._preference_form(lang=UK))
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertIn("/uk/my/preferences?saved=1", response.headers["Location"])
        self.assertEqual(response.cookies.get("frontend_lang"), UK)
        self.assertEqual(self.student.sudo().lang, UK)
        # the next pages, without any prefix in the URL, are Ukrainian
        home = self.url_open("/my")
        self.assertEqual(home.status_code, 200)
        self.assertIn("Налаштування зв", home.text)
        self.assertNotIn("Contact Preferences", home.text)
        # and back to English
        response = self._post("/my/preferences", self._preference_form(lang="en_US"))
        self.assertEqual(response.cookies.get("frontend_lang"), "en_US")
        self.assertNotIn("/uk/", response.headers["Location"])
        home = self.url_open("/my")
        self.assertIn("Contact Preferences", home.text)
        self.assertNotIn("Налаштування зв", home.text)

    def test_mailing_page_answers_in_the_chosen_language(self):
        contact = self.env["mailing.contact"].create(
            {
                "name": "Stella",
                "email": "stella@example.com",
                "list_ids": [(4, self.mailing_list_2.id)],
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "name": "News",
                "subject": "News",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get("mailing.list").id,
                "contact_list_ids": [(4, self.mailing_list_2.id)],
            }
        )
        token = mailing._generate_mailing_recipient_token(contact.id, contact.email)
        self.authenticate(None, None)
        response = self._post(
            "/mailing/cmr/preferences",
            self._preference_form(
                lang=UK,
                mailing_id=str(mailing.id),
                document_id=str(contact.id),
                email="stella@example.com",
                hash_token=token,
            ),
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn("Ваші налаштування зв", response.text)
        self.assertEqual(response.cookies.get("frontend_lang"), UK)


@tagged("post_install", "-at_install")
class TestPortalForms(HttpCase, PortalTruthCommon):
    """Finding 10: every form shows its fields; an applicant is offered only
    the documents they can get, and the model refuses the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_truth()

    def test_every_text_field_renders(self):
        self.authenticate("cmr_student", "cmr_student")
        for url, field_id in (
            ("/my/feedback", "cmr_comment"),
            ("/my/education", "cmr_request_description"),
            ("/my/requests", "cmr_new_request"),
        ):
            with self.subTest(url=url):
                response = self._get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn(f'<textarea id="{field_id}"', response.text)

    def test_feedback_labels_in_the_reader_language(self):
        self.authenticate("cmr_student", "cmr_student")
        self.assertIn("Very unhappy", self._get("/my/feedback").text)
        response = self._get("/uk/my/feedback")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Дуже незадоволений", response.text)
        self.assertNotIn("Very unhappy", response.text)

    def test_feedback_refused_keeps_the_rating_and_comment(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post("/my/feedback", {"rating": "4", "comment": "x" * 5000})
        self.assertEqual(response.status_code, 400)
        self.assertRegex(response.text, r'<input[^>]*id="cmr_rating_4"[^>]*checked')
        self.assertNotRegex(response.text, r'<input[^>]*id="cmr_rating_3"[^>]*checked')
        self.assertIn("x" * 4000, response.text)

    def test_applicant_is_not_offered_certificates(self):
        certificate = self.env.ref("edu_crm.edu_document_type_enrolment_certificate")
        academic = self.env.ref("edu_crm.edu_document_type_academic_certificate")
        self.authenticate("cmr_other", "cmr_other")
        response = self._get("/my/education")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('id="cmr_document_request_form"', response.text)
        self.assertNotIn(f'<option value="{certificate.id}"', response.text)
        self.assertNotIn(f'<option value="{academic.id}"', response.text)
        self.assertIn('id="cmr_no_document_type"', response.text)
        # a crafted post is refused with the form, nothing is created
        response = self._post(
            "/my/education/request",
            {"document_type_id": str(certificate.id), "description": "For my bank"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn('id="cmr_errors"', response.text)
        self.assertFalse(
            self.env["cmr.request"].search_count(
                [
                    ("partner_id", "=", self.applicant.id),
                    ("request_type", "=", "document"),
                ]
            )
        )
        # the enrolled student is offered both
        self.authenticate("cmr_student", "cmr_student")
        response = self._get("/my/education")
        self.assertIn(f'<option value="{certificate.id}"', response.text)
        self.assertIn(f'<option value="{academic.id}"', response.text)

    def test_document_request_page_says_what_was_asked(self):
        certificate = self.env.ref("edu_crm.edu_document_type_enrolment_certificate")
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/education/request",
            {"document_type_id": str(certificate.id), "description": "For my bank"},
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        page = self._get(response.headers["Location"]).text
        self.assertEqual(shown(page, "cmr_request_document_type"), certificate.name)
        self.assertIsNone(shown(page, "cmr_request_contract"))

    def test_model_refuses_a_certificate_without_enrolment(self):
        certificate = self.env.ref("edu_crm.edu_document_type_enrolment_certificate")
        values = {
            "partner_id": self.applicant.id,
            "request_type": "document",
            "document_type_id": certificate.id,
        }
        with self.assertRaisesRegex(ValidationError, "Otto Other cannot request"):
            self.env["cmr.request"].sudo().create(values)
        # someone with no enrolment at all is refused too
        nobody = self.env["res.partner"].create({"name": "Nora Nobody"})
        with self.assertRaisesRegex(ValidationError, "only with an enrolment"):
            self.env["cmr.request"].create(dict(values, partner_id=nobody.id))
        # the enrolled student may ask for both certificates
        academic = self.env.ref("edu_crm.edu_document_type_academic_certificate")
        requestable = self.env["cmr.request"]._cmr_requestable_document_types
        certificates = certificate | academic
        self.assertFalse(requestable(self.applicant) & certificates)
        self.assertEqual(requestable(self.student) & certificates, certificates)
        self.env["cmr.request"].create(dict(values, partner_id=self.student.id))


@tagged("post_install", "-at_install")
class TestConsentHistoryLanguage(HttpCase, PortalTruthCommon):
    """Finding 12: the consent history stores codes and reads in the
    reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_truth()

    def _change_everything(self):
        student = self.student.sudo()
        student._cmr_apply_preferences(
            {
                "pressure_period": "week",
                "pressure_max_contacts": 3,
                "pressure_quiet_sat": True,
                "pressure_quiet_sun": True,
                "cmr_preferred_channel": "sms",
                "cmr_sponsor_consent": True,
                "pressure_blocked_channel_ids": [(6, 0, self.channel_sms.ids)],
            },
            {self.mailing_list.id},
            True,
            "portal",
        )
        return student.cmr_consent_log_ids

    def test_codes_are_stored(self):
        # written by a person whose portal is in Ukrainian: still codes
        logs = self._change_everything().with_context(lang=UK)
        stored = {log.field_name: (log.old_code, log.new_code) for log in logs}
        self.assertEqual(
            stored,
            {
                "pressure_period": ("month", "week"),
                "pressure_max_contacts": ("0", "3"),
                "pressure_quiet_days": ("", "5,6"),
                "cmr_preferred_channel": ("", "sms"),
                "cmr_sponsor_consent": ("0", "1"),
                "pressure_blocked_channel_ids": ("", "sms"),
                "topic": ("not_subscribed", "subscribed"),
                "is_blacklisted": ("0", "1"),
            },
        )
        self.assertEqual(
            logs.filtered(lambda log: log.field_name == "topic").topic_name, "Open Days"
        )

    def test_staff_read_in_their_language(self):
        logs = self._change_everything()
        staff_uk = new_test_user(
            self.env, login="cmr_staff_uk", groups="edu_crm.group_edu_user", lang=UK
        )
        as_staff = logs.with_user(staff_uk).with_context(lang=UK)
        rows = {log.field_name: log for log in as_staff}
        self.assertEqual(rows["cmr_sponsor_consent"].new_value, "Так")
        self.assertEqual(rows["pressure_quiet_days"].new_value, "Субота, Неділя")
        self.assertEqual(rows["pressure_period"].new_value, "На тиждень")
        self.assertEqual(rows["topic"].field_label, "Тема: Open Days")
        self.assertEqual(rows["topic"].new_value, "Підписано")
        self.assertEqual(rows["pressure_period"].field_label, "Період власного ліміту")
        # the same lines, in English, for an English reader
        rows = {log.field_name: log for log in logs.with_user(self.user_staff)}
        self.assertEqual(rows["cmr_sponsor_consent"].new_value, "Yes")
        self.assertEqual(rows["pressure_quiet_days"].new_value, "Saturday, Sunday")
        # the search view's "Preference" searches the label in the reader's language
        Log = self.env["cmr.consent.log"].with_user(staff_uk).with_context(lang=UK)
        own = [("partner_id", "=", self.student.id)]
        found = Log.search([*own, ("field_label", "ilike", "ліміт")])
        self.assertEqual(
            set(found.mapped("field_name")),
            {"pressure_period", "pressure_max_contacts"},
        )
        found = Log.search([*own, ("field_label", "ilike", "Open Days")])
        self.assertEqual(found.mapped("field_name"), ["topic"])
        found = Log.search([*own, ("field_label", "not ilike", "ліміт")])
        self.assertEqual(len(found), len(logs) - 2)

    def test_portal_history_in_the_page_language(self):
        self._change_everything()
        self.authenticate("cmr_student", "cmr_student")
        response = self._get("/uk/my/preferences")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Історія ваших виборів", response.text)
        self.assertIn("Субота, Неділя", response.text)
        self.assertIn("Тема: Open Days", response.text)
        self.assertNotIn("Saturday", response.text)
        # /en/ sets the English cookie back and redirects to the page
        response = self.url_open("/en/my/preferences")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Saturday, Sunday", response.text)
        self.assertNotIn("Субота", response.text)

    def test_migration_reads_old_text_back_into_codes(self):
        """Lines written before 18.0.1.2.0 held words in the writer's
        language; the migration turns them into codes."""
        cr = self.env.cr
        for column in ("field_label", "old_value", "new_value"):
            cr.execute(
                SQL(
                    "ALTER TABLE cmr_consent_log ADD COLUMN %s varchar",
                    SQL.identifier(column),
                )
            )
        legacy = [
            ("pressure_period", "Own cap period", "На місяць", "Per week"),
            ("cmr_quiet_weekdays", "Quiet Days", "", "Субота, Неділя"),
            ("cmr_sponsor_consent", "Sponsors", "Ні", "Yes"),
            ("pressure_blocked_channel_ids", "Blocked", "", self.channel_sms.name),
            ("topic", "Тема: Open Days", "Не підписано", "Підписано"),
            ("is_blacklisted", "Nothing at all", "No", "Так"),
            ("pressure_max_contacts", "Cap", "0", "4"),
            ("cmr_preferred_channel", "Preferred", "", "Pigeon"),
        ]
        ids = []
        for field_name, label, old, new in legacy:
            cr.execute(
                """INSERT INTO cmr_consent_log
                       (partner_id, date, source, field_name, field_label,
                        old_value, new_value)
                   VALUES (%s, now(), 'portal', %s, %s, %s, %s) RETURNING id""",
                (self.student.id, field_name, label, old, new),
            )
            ids.append(cr.fetchone()[0])
        load_migration("post-migrate-consent-codes").migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        logs = self.env["cmr.consent.log"].browse(ids)
        self.assertEqual(
            [(log.old_code, log.new_code) for log in logs],
            [
                ("month", "week"),
                ("", "5,6"),
                ("0", "1"),
                ("", "sms"),
                ("not_subscribed", "subscribed"),
                ("0", "1"),
                ("0", "4"),
                ("", "Pigeon"),  # not a value of ours: kept, shown as stored
            ],
        )
        self.assertEqual(logs[4].topic_name, "Open Days")
        self.assertEqual(logs[7].new_value, "Pigeon")
        cr.execute(
            """SELECT count(*) FROM information_schema.columns
                WHERE table_name = 'cmr_consent_log'
                  AND column_name IN ('field_label', 'old_value', 'new_value')"""
        )
        self.assertEqual(cr.fetchone()[0], 0)
