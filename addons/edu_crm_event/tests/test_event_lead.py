from odoo.addons.edu_crm.tests.common import EduRecordsCommon
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEventLead(EduRecordsCommon):
    """A lead rule on an open day about an intake: each registration makes
    an admissions lead for that intake, on the registrant's person (found by
    the duplicate check), shown on their timeline as an event."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.desk = new_test_user(
            cls.env,
            login="event_desk",
            groups="event.group_event_registration_desk",
            company_id=cls.company_a.id,
        )
        cls.open_day = cls.env["event.event"].create(
            {
                "name": "Open day: Computer Science",
                "date_begin": "2030-03-02 09:00:00",
                "date_end": "2030-03-02 14:00:00",
                "company_id": cls.company_a.id,
                "edu_intake_id": cls.intake.id,
            }
        )
        cls.fair = cls.env["event.event"].create(
            {
                "name": "Job fair",
                "date_begin": "2030-04-02 09:00:00",
                "date_end": "2030-04-02 14:00:00",
            }
        )
        # a rule as Odoo's form makes it: every registration, no team named
        cls.rule = cls.env["event.lead.rule"].create(
            {
                "name": "Every registration",
                "lead_creation_trigger": "create",
                "lead_type": "lead",
            }
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Iryna Bondar", "email": "iryna.bondar@example.com"}
        )
        cls.phone_person = cls.env["res.partner"].create(
            {"name": "Marko Horvat", "phone": "+385 91 555 0101"}
        )

    def _register(self, event, **values):
        """A registration made at the desk (a desk user, as Odoo's
        registration desk and the website's sudo do); its leads."""
        registration = (
            self.env["event.registration"]
            .with_user(self.desk)
            .create({"event_id": event.id, **values})
        )
        return registration.sudo().lead_ids

    def _timeline_row(self, person, lead):
        self.env.flush_all()
        return self.env["edu.timeline"].search(
            [
                ("partner_id", "=", person.id),
                ("kind", "=", "application"),
                ("res_id", "=", lead.id),
            ]
        )

    def test_known_registrant_gets_an_admissions_lead_for_the_intake(self):
        lead = self._register(self.open_day, partner_id=self.person.id)
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, self.person)
        self.assertEqual(
            (lead.team_id, lead.type, lead.stage_id),
            (self.team, "opportunity", self.stage_inquiry),
        )
        self.assertEqual(
            (lead.edu_programme_id, lead.edu_intake_id, lead.company_id),
            (self.programme, self.intake, self.company_a),
        )
        self.assertEqual(lead.source_id, self.env.ref("edu_crm_event.utm_source_event"))
        row = self._timeline_row(self.person, lead)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.channel, "event")
        channels = dict(row._fields["channel"]._description_selection(self.env))
        self.assertEqual(channels[row.channel], "Event")

    def test_visitor_typing_a_known_email_lands_on_that_person(self):
        """A website registration (no partner, or the public one) with the
        email of an existing person: onto that person, no new partner."""
        partners_before = self.env["res.partner"].search_count([])
        lead = self._register(
            self.open_day, name="Iryna B.", email="Iryna.Bondar@Example.com"
        )
        self.assertEqual(lead.partner_id, self.person)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        self.assertEqual(self._timeline_row(self.person, lead).channel, "event")

    def test_phone_only_finds_the_one_person_with_that_phone(self):
        lead = self._register(self.open_day, name="Marko", phone="+385 91 555-0101")
        self.assertEqual(lead.partner_id, self.phone_person)

    def test_somebody_new_becomes_a_person(self):
        lead = self._register(self.open_day, name="Nina New", email="nina@example.com")
        self.assertTrue(lead.partner_id)
        self.assertEqual(
            (lead.partner_id.name, lead.partner_id.email),
            ("Nina New", "nina@example.com"),
        )

    def test_registration_utm_source_is_kept(self):
        facebook = self.env.ref("utm.utm_source_facebook")
        lead = self._register(
            self.open_day, partner_id=self.person.id, utm_source_id=facebook.id
        )
        self.assertEqual(lead.source_id, facebook)
        self.assertEqual((lead.team_id, lead.partner_id), (self.team, self.person))

    def test_event_without_programme_keeps_odoos_lead(self):
        """Another event's leads are Odoo's: no team, a visitor unlinked."""
        lead = self._register(self.fair, name="Iryna", email="iryna.bondar@example.com")
        self.assertEqual(len(lead), 1)
        self.assertFalse(lead.team_id.edu_is_admissions)
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.edu_programme_id)

    def test_intake_of_another_programme_is_refused(self):
        other = self.env["edu.programme"].create(
            {"code": "MATH", "name": "Mathematics", "company_id": self.company_a.id}
        )
        with self.assertRaises(ValidationError):
            self.open_day.write(
                {"edu_programme_id": other.id, "edu_intake_id": self.intake.id}
            )

    def test_portal_user_cannot_register_somebody(self):
        """A portal user cannot make a registration (and so a lead) for
        another person, nor read or set an event's programme."""
        before = self.env["crm.lead"].search_count([])
        with self.assertRaises(AccessError):
            self.env["event.registration"].with_user(self.portal_user).create(
                {"event_id": self.open_day.id, "partner_id": self.person.id}
            )
        with self.assertRaises(AccessError):
            self.open_day.with_user(self.portal_user).write(
                {"edu_intake_id": self.intake_b.id}
            )
        self.assertEqual(self.env["crm.lead"].search_count([]), before)

    def test_visitor_editing_the_registration_keeps_the_person(self):
        """A visitor's registration (no partner) is the person the duplicate
        check found; when they edit it later, Odoo's lead update keeps the
        lead on that person and in the programme's company (before: the
        lead lost both, "Incompatible companies")."""
        lead = self._register(self.open_day, name="Nina New", email="nina@example.com")
        person = lead.partner_id
        registration = lead.registration_ids
        self.assertEqual(registration.partner_id, person)
        self.assertEqual(registration.name, "Nina New")
        registration.with_user(self.desk).write({"phone": "+380 67 555 0199"})
        self.assertEqual((lead.partner_id, lead.company_id), (person, self.company_a))
        # a new email is another person's: the duplicate check finds them
        registration.with_user(self.desk).write({"email": "iryna.bondar@example.com"})
        self.assertEqual(lead.partner_id, self.person)
        self.assertEqual(lead.company_id, self.company_a)
        self.assertEqual(lead.edu_intake_id, self.intake)

    def test_admissions_lead_keeps_its_programmes_company(self):
        """CRM drops the company of a lead on the shared Admissions team
        with nobody assigned when its person changes; a lead for a
        programme stays in the programme's company."""
        lead = self._register(self.open_day, partner_id=self.person.id)
        self.assertFalse(lead.user_id)
        lead.write({"partner_id": self.phone_person.id})
        self.assertEqual(lead.company_id, self.company_a)

    def test_registration_on_the_timeline(self):
        """The registration is on the person's timeline, dated when the
        event begins: planned, then attended once marked so; it opens the
        registration."""
        lead = self._register(self.open_day, partner_id=self.person.id)
        registration = lead.registration_ids
        self.env.flush_all()
        Timeline = self.env["edu.timeline"]
        row = Timeline.search(
            [("partner_id", "=", self.person.id), ("kind", "=", "event")]
        )
        self.assertEqual(len(row), 1)
        self.assertEqual(
            (row.date, row.channel, row.state, row.record_ref),
            (self.open_day.date_begin, "event", "planned", registration),
        )
        self.assertEqual(row.description, "Open day: Computer Science · Registered")
        registration.action_set_done()
        self.env.flush_all()
        self.env.invalidate_all()
        row = Timeline.search(
            [("partner_id", "=", self.person.id), ("kind", "=", "event")]
        )
        self.assertEqual(row.state, "done")
        self.assertEqual(row.description, "Open day: Computer Science · Attended")
        # another person's timeline does not show it
        self.assertFalse(
            Timeline.search(
                [("partner_id", "=", self.phone_person.id), ("kind", "=", "event")]
            )
        )
