"""The portal over HTTP (split from test_portal_http.py, the same data and
helpers): the token-protected mailing preferences page and the
communications page."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_portal_http import NON_EXISTENT, PortalHttpCommon


@tagged("post_install", "-at_install")
class TestPortalHttpMailing(PortalHttpCommon):
    # mailing page ----------------------------------------------------
    def _mailing(self):
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
        return mailing, contact, token

    def test_mailing_page_preferences(self):
        mailing, contact, token = self._mailing()
        url = (
            f"/mailing/{mailing.id}/unsubscribe?document_id={contact.id}"
            f"&email=stella@example.com&hash_token={token}"
        )
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="cmr_mailing_preferences"', response.text)
        data = self._preference_form(
            mailing_id=str(mailing.id),
            document_id=str(contact.id),
            email="stella@example.com",
            hash_token=token,
            max_contacts="3",
            period="week",
        )
        response = self._post("/mailing/cmr/preferences", data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="cmr_saved"', response.text)
        student = self.student.sudo()
        self.assertEqual(
            (student.pressure_max_contacts, student.pressure_period), (3, "week")
        )
        self.assertEqual(set(student.cmr_consent_log_ids.mapped("source")), {"mailing"})

    def _partner_mailing(self):
        """A mailing on contacts (res.partner) and a second contact sharing the
        student's email."""
        twin = self.env["res.partner"].create(
            {"name": "Stella Twin", "email": "Stella@Example.com"}
        )
        twin.write({"pressure_max_contacts": 7, "pressure_period": "week"})
        mailing = self.env["mailing.mailing"].create(
            {
                "name": "Open day",
                "subject": "Open day",
                "body_html": "<p>Come</p>",
                "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                "mailing_domain": repr([("id", "in", (self.student | twin).ids)]),
            }
        )
        return mailing, twin

    def _mailing_post(self, mailing, document_id, **values):
        email = "stella@example.com"
        token = mailing._generate_mailing_recipient_token(document_id, email)
        data = self._preference_form(
            mailing_id=str(mailing.id),
            document_id=str(document_id),
            email=email,
            hash_token=token,
            **values,
        )
        return self._post("/mailing/cmr/preferences", data)

    def test_mailing_page_uses_document_id(self):
        """The link names the recipient: only that contact is changed and
        shown, not every contact sharing the email."""
        mailing, twin = self._partner_mailing()
        token = mailing._generate_mailing_recipient_token(twin.id, "stella@example.com")
        response = self._get(
            f"/mailing/{mailing.id}/unsubscribe?document_id={twin.id}"
            f"&email=stella@example.com&hash_token={token}"
        )
        self.assertEqual(response.status_code, 200)
        # the twin's own settings are shown (the student, first by id, has none)
        self.assertRegex(response.text, r'id="cmr_max_contacts"[^>]*value="7"')
        response = self._mailing_post(mailing, twin.id, max_contacts="3", period="week")
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn('id="cmr_saved"', response.text)
        self.assertEqual(
            (twin.pressure_max_contacts, twin.pressure_period), (3, "week")
        )
        student = self.student.sudo()
        self.assertEqual(student.pressure_max_contacts, 0)
        self.assertFalse(student.cmr_consent_log_ids)
        self.assertIn("mailing", twin.cmr_consent_log_ids.mapped("source"))

    def test_mailing_page_falls_back_to_email(self):
        """A document id that is no recipient of the mailing's model with this
        email: every contact of the email is changed, as before."""
        mailing, twin = self._partner_mailing()
        stranger = self.env["res.partner"].create(
            {"name": "Stranger", "email": "stranger@example.com"}
        )
        for document_id in (stranger.id, NON_EXISTENT):
            with self.subTest(document_id=document_id):
                response = self._mailing_post(
                    mailing, document_id, max_contacts="4", period="month"
                )
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertEqual(
                    (
                        self.student.sudo().pressure_max_contacts,
                        twin.pressure_max_contacts,
                    ),
                    (4, 4),
                )
                self.assertEqual(stranger.pressure_max_contacts, 0)
                self.student.sudo().pressure_max_contacts = 0
                twin.pressure_max_contacts = 0
        # a mailing on a mailing list: contacts carry no partner, email decides
        list_mailing, contact, _token = self._mailing()
        response = self._mailing_post(
            list_mailing, contact.id, max_contacts="5", period="month"
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(self.student.sudo().pressure_max_contacts, 5)
        self.assertEqual(twin.pressure_max_contacts, 5)

    @mute_logger("odoo.http")
    def test_mailing_page_wrong_token(self):
        mailing, contact, token = self._mailing()
        base = self._preference_form(
            max_contacts="3", email="stella@example.com", document_id=str(contact.id)
        )
        for mailing_id, hash_token in (
            (str(mailing.id), "wrong"),
            (str(mailing.id), ""),
            (str(NON_EXISTENT), token),
            ("abc", token),
        ):
            with self.subTest(mailing_id=mailing_id, hash_token=hash_token):
                response = self._post(
                    "/mailing/cmr/preferences",
                    dict(base, mailing_id=mailing_id, hash_token=hash_token),
                )
                self.assertIn(response.status_code, (400, 403))
        self.assertEqual(self.student.sudo().pressure_max_contacts, 0)
        self.assertFalse(self.student.sudo().cmr_consent_log_ids)


@tagged("post_install", "-at_install")
class TestPortalHttpCommunications(PortalHttpCommon):
    # communications --------------------------------------------------
    def _traces(self, partner, count, **values):
        mailing = self.env["mailing.mailing"].create(
            {"name": "Promo", "subject": "Spring promo", "body_html": "<p>x</p>"}
        )
        return self.env["mailing.trace"].create(
            [
                dict(
                    {
                        "model": "res.partner",
                        "res_id": partner.id,
                        "email": partner.email_normalized,
                        "mass_mailing_id": mailing.id,
                        "trace_status": "sent",
                    },
                    **values,
                )
                for _i in range(count)
            ]
        )

    def test_communications_explained(self):
        self.student.sudo().write(
            {"pressure_max_contacts": 2, "pressure_period": "month"}
        )
        self._traces(self.student, 1)
        self._traces(
            self.student,
            1,
            trace_status="cancel",
            failure_type="pressure",
            pressure_threshold=2,
            pressure_count=2,
        )
        self._traces(self.other, 1, trace_status="cancel", failure_type="mail_bl")
        self.authenticate("cmr_student", "cmr_student")
        # the timeline (the default) and the list of emails and SMS alike
        for url in ("/my/communications", "/my/communications?filterby=marketing"):
            response = self._get(url)
            self.assertEqual(response.status_code, 200)
            self.assertIn("Spring promo", response.text)
            self.assertIn(
                "Not sent: you asked for at most 2 messages a month.", response.text
            )
            # the other person's trace is not shown
            self.assertNotIn("you asked not to receive anything", response.text)
        self.assertEqual(response.text.count("cmr_sent"), 1)
        response = self._get("/my/communications?filterby=<script>")
        self.assertEqual(response.status_code, 200)

    def test_communications_calls_and_messages(self):
        self.env["campaign.pressure.contact"].sudo().create(
            [
                {
                    "person_key": f"p:{partner.id}",
                    "partner_id": partner.id,
                    "channel": "letter",
                    "source": "letter",
                    "state": "confirmed",
                }
                for partner in (self.student, self.other)
            ]
        )
        self.request.message_post(
            body="Your exam is on Monday",
            partner_ids=self.student.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.request_other.message_post(
            body="Secret for Otto",
            subject="Otto only",
            partner_ids=self.other.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.authenticate("cmr_student", "cmr_student")
        response = self._get("/my/communications?filterby=calls")
        self.assertEqual(response.text.count("cmr_sent"), 1)
        self.assertIn("Letter", response.text)
        response = self._get("/my/communications?filterby=messages")
        self.assertIn(self.request.name, response.text)
        self.assertNotIn("Otto only", response.text)

    def test_communications_query_count_constant(self):
        """The timeline (the default) and the list of emails and SMS each
        take as many queries for 1 message held back as for 50."""
        self.authenticate("cmr_student", "cmr_student")
        # newer than all the person's entries (their planned ones too), so
        # that they fill the first page of the timeline
        later = fields.Datetime.now() + timedelta(days=3650)
        held = {
            "trace_status": "cancel",
            "failure_type": "pressure",
            "pressure_threshold": 1,
            "sent_datetime": later,
        }
        self._traces(self.student, 1, **held)
        for url in ("/my/communications", "/my/communications?filterby=marketing"):
            self._get(url)  # warm the caches
            counts = []
            for total in (1, 50):
                self.env["mailing.trace"].search(
                    [("email", "=", self.student.email_normalized)]
                ).unlink()
                self._traces(self.student, total, **held)
                self.env.flush_all()
                start = self.env.cr.sql_log_count
                response = self._get(url)
                counts.append(self.env.cr.sql_log_count - start)
                # one page of at most 20 rows
                self.assertEqual(response.text.count("cmr_held"), min(total, 20), url)
            self.assertEqual(counts[0], counts[1], (url, counts))
