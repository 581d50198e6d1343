from odoo.tests import HttpCase, new_test_user, tagged

from .common import CmrPortalDataMixin


@tagged("post_install", "-at_install")
class TestPortalTimeline(HttpCase, CmrPortalDataMixin):
    """The portal's sources of the person's timeline, and the person's own
    timeline in the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()
        env = cls.env
        mailing = env["mailing.mailing"].create(
            {"name": "Promo", "subject": "Spring promo", "body_html": "<p>x</p>"}
        )
        cls.held = env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": cls.student.id,
                "email": cls.student.email_normalized,
                "mass_mailing_id": mailing.id,
                "trace_status": "cancel",
                "failure_type": "pressure",
                "pressure_reason": "quiet_hours",
                "pressure_reason_args": {},
            }
        )
        cls.feedback = env["cmr.feedback"].create(
            {"partner_id": cls.student.id, "rating": "5", "comment": "Great open day"}
        )
        cls.letter = (
            env["campaign.pressure.contact"]
            .sudo()
            .create(
                {
                    "person_key": f"p:{cls.student.id}",
                    "partner_id": cls.student.id,
                    "channel": "letter",
                    "source": "letter",
                    "state": "confirmed",
                }
            )
        )
        cls.student.message_post(
            body="Internal: owes the library", subtype_xmlid="mail.mt_note"
        )
        cls.student.with_user(cls.user_staff).cmr_preferred_channel = "sms"
        # mailing traces and the contact log are Email Marketing's
        cls.user_staff_marketing = new_test_user(
            env,
            login="cmr_staff_marketing",
            groups="edu_crm.group_edu_user,mass_mailing.group_mass_mailing_user",
        )

    def _rows(self, partner, user=None):
        Timeline = self.env["edu.timeline"].with_user(user or self.user_staff_marketing)
        Timeline.env.flush_all()
        return Timeline.search([("partner_id", "=", partner.id)])

    def _one(self, rows, **values):
        found = rows.filtered(
            lambda row: all(row[name] == value for name, value in values.items())
        )
        self.assertEqual(len(found), 1, f"one row with {values}")
        return found

    def test_portal_sources_on_the_staff_timeline(self):
        rows = self._rows(self.student)
        held = self._one(rows, kind="mailing")
        self.assertEqual((held.state, held.channel), ("held", "email"))
        self.assertEqual(held.reason, "Quiet hours of the person.")
        request = self._one(rows, kind="request")
        self.assertEqual(
            (request.record_ref, request.channel, request.direction, request.state),
            (self.request, "portal", "in", "planned"),
        )
        feedback = self._one(rows, kind="feedback")
        self.assertEqual(feedback.record_ref, self.feedback)
        self.assertEqual(feedback.summary, "Great open day")
        letter = self._one(rows, kind="contact")
        self.assertEqual((letter.channel, letter.state), ("letter", "done"))
        consent = self._one(rows, kind="consent")
        self.assertIn("cmr_preferred_channel", consent.summary)
        log = consent.record_ref
        self.assertEqual(
            consent.description,
            f"{log.field_label}: {log.old_value or '–'} → {log.new_value}",
        )
        self.assertNotIn("cmr_preferred_channel", consent.description)
        self.assertFalse(
            self._rows(self.other).filtered(lambda r: r.kind == "feedback"),
            "another person's timeline has none of it",
        )
        # a registrar without Email Marketing reads neither of its sources
        registrar = self._rows(self.student, user=self.user_staff)
        self.assertEqual(
            registrar, rows.filtered(lambda r: r.kind not in ("mailing", "contact"))
        )
        # the person's file: consent and the marketing contacts against the cap
        person = self.student.with_user(self.user_staff)
        self.assertIn("Prefers SMS", person.edu_file_consent)
        self.assertIn("Sponsors may not see records", person.edu_file_consent)
        # a channel the person blocked in the portal reads as blocked, not
        # as "allowed" (Odoo's phone blacklist is about SMS marketing only)
        self.assertNotIn("Blocked:", person.edu_file_consent)
        self.student.sudo().pressure_blocked_channel_ids = self.env.ref(
            "campaign_pressure.channel_phone"
        )
        self.env.invalidate_all()
        self.assertIn("Blocked: Phone call", person.edu_file_consent)
        self.student.sudo().pressure_blocked_channel_ids = False
        self.assertEqual(person.cmr_file_contacts_week, 1)
        self.assertEqual(person.cmr_file_contacts_month, 1)
        self.student.sudo().write(
            {"pressure_max_contacts": 3, "pressure_period": "week"}
        )
        self.env.invalidate_all()
        self.assertEqual(person.cmr_file_cap, "3 per week (own cap)")
        self.assertEqual(
            person.cmr_file_pressure,
            "1 in 7 days, 1 in 30 days; cap: 3 per week (own cap)",
        )

    def _page(self, login):
        if login:
            self.authenticate(login, login)
        # the timeline is the page's default
        return self.url_open("/my/communications", allow_redirects=False)

    def test_portal_timeline_shows_only_own_entries(self):
        response = self._page("cmr_student")
        self.assertEqual(response.status_code, 200)
        text = response.text
        self.assertIn(self.request.name, text)
        self.assertIn("Spring promo", text)
        # held back, in the person's words (the staff's: "Quiet hours of
        # the person.")
        self.assertIn(
            "Not sent: it would have reached you during your quiet hours.", text
        )
        self.assertNotIn("Quiet hours of the person.", text)
        self.assertIn("Great open day", text)
        self.assertNotIn("owes the library", text, "never an internal note")
        self.assertNotIn("cmr_preferred_channel", text, "consent in words")
        self.assertNotIn(self.request_other.name, text)
        for login in ("cmr_other", "cmr_sponsor"):
            text = self._page(login).text
            self.assertNotIn(self.request.name, text, login)
            self.assertNotIn("Great open day", text, login)
        self.authenticate(None, None)
        response = self._page(None)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_portal_applications_are_the_persons_own_online_ones(self):
        """A lead somebody else made in the person's name (a public enquiry
        with their email, a lead typed in by staff) is not on their portal
        timeline; their own online application is."""
        team = self.env.ref("edu_crm.crm_team_admissions")
        Lead = self.env["crm.lead"].sudo()
        planted = Lead.create(
            {
                "name": "Your tuition is overdue, pay at evil.example",
                "type": "lead",
                "team_id": team.id,
                "partner_id": self.student.id,
            }
        )
        own = Lead.create(
            {
                "name": "My own application",
                "type": "opportunity",
                "team_id": team.id,
                "partner_id": self.student.id,
            }
        )
        own.write({"edu_is_online": True})
        self.env.flush_all()
        Timeline = self.env["edu.timeline"].sudo()
        rows = Timeline.search(Timeline._cmr_portal_domain(self.student))
        applications = rows.filtered(lambda row: row.kind == "application")
        self.assertEqual(applications.mapped("res_id"), own.ids)
        self.assertNotIn("evil.example", self._page("cmr_student").text)
        self.assertTrue(planted.exists())
