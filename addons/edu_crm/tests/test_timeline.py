from datetime import datetime

from freezegun import freeze_time
from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_tuition_common import TuitionCommon


class TimelineCommon(TuitionCommon):
    """One person with something in every source of edu_crm's timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.intake = cls.env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Timeline Autumn 2026",
                "date_start": fields.Date.to_date("2026-09-01"),
                "date_end": fields.Date.to_date("2029-06-30"),
            }
        )
        cls.intake.action_open()
        cls.person = cls.student
        cls.other = cls.student_2
        cls.team = cls.env.ref("edu_crm.crm_team_admissions")
        cls.phonecall = cls.env.ref("mail.mail_activity_data_call")
        # a registrar who also sends the mailings: reads every source
        cls.marketer = new_test_user(
            cls.env,
            login="timeline_marketer",
            groups="edu_crm.group_edu_user,mass_mailing.group_mass_mailing_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _env_of(self, user):
        """The environment of ``user``, kept for the whole test. Odoo reads
        the user's companies once per environment object (``env.company``),
        and an environment that did is freed only when the garbage collector
        runs: a new one, and one more query, came and went at random between
        two counted reads (10 != 11 once in the header's count)."""
        envs = self.__dict__.setdefault("_user_envs", {})
        return envs.setdefault(user, self.env(user=user))

    def _rows(self, user=None, domain=None):
        Timeline = self.env["edu.timeline"].with_user(user or self.clerk)
        Timeline.env.flush_all()
        return Timeline.search([("partner_id", "=", self.person.id)] + (domain or []))

    def _only(self, rows, **values):
        """The one row of ``rows`` with ``values``."""
        found = rows.filtered(
            lambda row: all(row[name] == value for name, value in values.items())
        )
        self.assertEqual(len(found), 1, f"one row with {values}, got {len(found)}")
        return found


@tagged("post_install", "-at_install")
class TestTimeline(TimelineCommon):
    def _admission_sources(self):
        """An application, a mail and a note on it, an enrolment."""
        with freeze_time("2026-01-05 09:00:00"):
            lead = self.env["crm.lead"].create(
                {
                    "name": "Stella applies",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "partner_id": self.person.id,
                    "company_id": self.company.id,
                }
            )
        with freeze_time("2026-01-06 10:00:00"):
            self.person.message_post(
                body="Welcome",
                subject="Welcome to the school",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            lead.message_post(
                body="Internal: called the school",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        with freeze_time("2026-01-07 11:00:00"):
            enrollment = self.env["edu.enrollment"].create(
                {
                    "partner_id": self.person.id,
                    "programme_id": self.programme.id,
                    "intake_id": self.intake.id,
                    "company_id": self.company.id,
                }
            )
        return lead, enrollment

    def _money_and_mailing_sources(self, lead):
        """An invoice and its payment, a planned call on ``lead``, a mailing sent."""
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.person,
            invoice_date="2026-01-08",
            amounts=[300.0],
            post=True,
        )
        payment = self._pay(invoice, 300.0, date="2026-01-09")
        activity = lead.activity_schedule(
            activity_type_id=self.phonecall.id,
            summary="Call about the interview",
            date_deadline=fields.Date.to_date("2026-02-01"),
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Open day",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        trace = (
            self.env["mailing.trace"]
            .sudo()
            .create(
                {
                    "model": "res.partner",
                    "res_id": self.person.id,
                    "mass_mailing_id": mailing.id,
                    "trace_status": "sent",
                    "sent_datetime": datetime(2026, 1, 10, 8, 0),
                }
            )
        )
        return invoice, payment, activity, mailing, trace

    def _check_admission_rows(self, rows, lead, enrollment):
        welcome = self._only(rows, kind="message", res_model="res.partner")
        self.assertEqual(welcome.channel, "email")
        self.assertEqual(welcome.direction, "out")
        self.assertEqual(welcome.summary, "Welcome to the school")
        self.assertEqual(welcome.date, datetime(2026, 1, 6, 10, 0))
        self.assertEqual(welcome.record_ref, self.person)
        note = self._only(rows, kind="message", res_model="crm.lead")
        self.assertEqual(note.channel, "note")
        self.assertFalse(note.direction)
        application = self._only(rows, kind="application")
        self.assertEqual(
            (application.res_model, application.res_id, application.date),
            ("crm.lead", lead.id, lead.create_date),
        )
        stage = self._only(rows, kind="stage")
        self.assertEqual(stage.summary, lead.stage_id.name)
        enrolled = self._only(rows, kind="enrollment")
        self.assertEqual(enrolled.enrollment_state, "applied")
        self.assertEqual(enrolled.record_ref, enrollment)
        self.assertEqual(enrolled.date, datetime(2026, 1, 7, 0, 0))

    def _check_money_and_mailing_rows(self, rows, lead, sources):
        """The rows of ``_money_and_mailing_sources``; returns the planned call."""
        invoice, payment, _activity, mailing, trace = sources
        inv = self._only(rows, kind="invoice")
        self.assertEqual((inv.record_ref, inv.direction), (invoice, "out"))
        self.assertEqual(inv.date, datetime(2026, 1, 8, 0, 0))
        pay = self._only(rows, kind="payment")
        self.assertEqual((pay.record_ref, pay.direction), (payment, "in"))
        call = self._only(rows, kind="activity", state="planned")
        self.assertEqual(
            (call.channel, call.summary, call.activity_type_id, call.record_ref),
            ("phone", "Call about the interview", self.phonecall, lead),
        )
        self._only(rows, summary="Open day")
        sent = self._only(rows, kind="mailing")
        self.assertEqual(
            (sent.channel, sent.state, sent.summary), ("email", "done", "Open day")
        )
        self.assertEqual(sent.record_ref, mailing)
        self.assertEqual(sent.date, trace.sent_datetime)
        return call

    def _check_done_call_and_filters(self, activity, lead):
        # planned moves to past when done, with the outcome written as feedback
        activity.action_feedback(feedback="Reached, interview on Monday")
        rows = self._rows(user=self.marketer)
        self.assertFalse(
            rows.filtered(lambda r: r.kind == "activity" and r.state == "planned")
        )
        done = self._only(rows, kind="activity", state="done")
        self.assertEqual((done.channel, done.record_ref), ("phone", lead))

        # filters by channel and kind
        self.assertEqual(self._rows(domain=[("channel", "=", "phone")]), done)
        self.assertEqual(
            set(
                self._rows(domain=[("kind", "in", ("invoice", "payment"))]).mapped(
                    "kind"
                )
            ),
            {"invoice", "payment"},
        )

    def test_every_source_once_with_date_channel_and_link(self):
        lead, enrollment = self._admission_sources()
        sources = self._money_and_mailing_sources(lead)
        # the copy a mass send logs on the record is not a second entry
        self.env["mail.message"].create(
            {
                "model": "res.partner",
                "res_id": self.person.id,
                "message_type": "email_outgoing",
                "subject": "Open day",
                "body": "Open day",
            }
        )
        # a record of somebody else never shows
        self.other.message_post(body="Not Stella's", message_type="comment")

        rows = self._rows(user=self.marketer)
        self._check_admission_rows(rows, lead, enrollment)
        call = self._check_money_and_mailing_rows(rows, lead, sources)
        self.assertNotIn("Not Stella's", rows.mapped("summary"))
        # each entry opens its record
        action = call.action_open_record()
        self.assertEqual((action["res_model"], action["res_id"]), ("crm.lead", lead.id))

        self._check_done_call_and_filters(sources[2], lead)

    def _first_page_queries(self, person, count):
        """Queries of the first timeline page of ``person`` after ``count``
        more messages, activities and mailing traces."""
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Page",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        for i in range(count):
            person.message_post(body=f"Note {i}", message_type="comment")
            person.activity_schedule(
                "mail.mail_activity_data_todo", summary=f"To do {i}"
            )
        self.env["mailing.trace"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": person.id,
                    "mass_mailing_id": mailing.id,
                }
                for _i in range(count)
            ]
        )
        Timeline = self.env["edu.timeline"].with_user(self.marketer)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        rows = Timeline.search_fetch(
            [("partner_id", "=", person.id)],
            ["date", "kind", "channel", "direction", "state", "summary", "reason"],
            limit=80,
        )
        rows.mapped("reason")
        queries = self.cr.sql_log_count - start
        self.assertEqual(len(rows), min(80, 3 * count))
        return queries

    def test_first_page_queries_do_not_grow_with_entries(self):
        """The first page of a timeline of 120 entries takes exactly as many
        queries as that of 15 (one read over every source)."""
        self._first_page_queries(self.other, 2)  # warm the caches
        few = self._first_page_queries(self.person, 5)
        many = self._first_page_queries(
            self.env["res.partner"].create({"name": "Busy person"}), 40
        )
        self.assertEqual(few, many)
        self.assertLessEqual(many, 3)

    def test_staff_only_and_own_companies(self):
        self.person.message_post(body="Hello", message_type="comment")
        lead = self.env["crm.lead"].create(
            {
                "name": "Company lead",
                "type": "opportunity",
                "team_id": self.team.id,
                "partner_id": self.person.id,
                "company_id": self.company.id,
            }
        )
        self.assertTrue(self._rows(domain=[("res_model", "=", "crm.lead")]))
        other_company = self.env["res.company"].create({"name": "Other Campus"})
        outsider = new_test_user(
            self.env,
            login="timeline_outsider",
            groups="edu_crm.group_edu_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        outsider_rows = self._rows(user=outsider)
        self.assertTrue(outsider_rows, "the person's own (company-less) messages show")
        self.assertFalse(
            outsider_rows.filtered(lambda r: r.company_id == self.company),
            "nothing of another company",
        )
        self.assertNotIn(
            lead.id,
            outsider_rows.filtered(lambda r: r.res_model == "crm.lead").mapped(
                "res_id"
            ),
        )
        portal = new_test_user(
            self.env, login="timeline_portal", groups="base.group_portal"
        )
        salesman = new_test_user(
            self.env, login="timeline_salesman", groups="sales_team.group_sale_salesman"
        )
        for user in (portal, salesman):
            with self.assertRaises(AccessError):
                self._rows(user=user)

    def test_open_record_refuses_what_the_user_may_not_read(self):
        """An entry whose record the user may not read (a sales lead of
        somebody else, outside the admissions teams): not on their timeline,
        and opening it by its id is refused too."""
        salesman = new_test_user(
            self.env, login="timeline_seller", groups="sales_team.group_sale_salesman"
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Someone else's deal",
                "type": "opportunity",
                "team_id": False,
                "user_id": salesman.id,
                "partner_id": self.person.id,
                "company_id": False,
            }
        )
        lead.message_post(
            body="Deal notes", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.env.flush_all()
        row = self._only(
            self.env["edu.timeline"].search(
                [("partner_id", "=", self.person.id), ("kind", "=", "message")]
            ),
            res_id=lead.id,
        )
        self.assertFalse(lead.with_user(self.clerk).has_access("read"))
        self.assertNotIn(row, self._rows(domain=[("kind", "=", "message")]))
        with self.assertRaises(AccessError):
            row.with_user(self.clerk).action_open_record()


@tagged("post_install", "-at_install")
class TestPersonFile(TimelineCommon):
    def test_header_answers_the_registrars_questions(self):
        self.person.write({"edu_is_student": True, "edu_is_applicant": True})
        self.sponsor.edu_is_sponsor = True
        self.person.edu_sponsor_ids = self.sponsor
        self.env["edu.enrollment"].create(
            {
                "partner_id": self.person.id,
                "programme_id": self.programme.id,
                "intake_id": self.intake.id,
                "company_id": self.company.id,
            }
        )
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        first = contract.instalment_ids.sorted("due_date")[0]
        self.init_invoice(
            "out_invoice", partner=self.person, amounts=[250.0], post=True
        )
        person = self.person.with_user(self.clerk)
        self.assertEqual(person.edu_file_roles, "Applicant · Student")
        self.assertEqual(person.edu_file_programme_id, self.programme)
        self.assertEqual(person.edu_file_intake_id, self.intake)
        self.assertEqual(person.edu_file_enrollment_state, "applied")
        self.assertEqual(person.edu_file_next_due_date, first.due_date)
        self.assertEqual(person.edu_file_next_due_amount, first.amount_residual)
        invoiced = sum(
            contract.invoice_ids.filtered(lambda m: m.state == "posted").mapped(
                "amount_residual"
            )
        )
        self.assertAlmostEqual(person.edu_file_balance_due, 250.0 + invoiced)
        # an addon that records more consent adds its phrases after these
        self.assertTrue(
            person.edu_file_consent.startswith("Email allowed · SMS allowed")
        )
        self.env["mail.blacklist"].sudo()._add(self.person.email)
        self.env.invalidate_all()
        self.assertIn("Email blocked", person.edu_file_consent)
        self.assertEqual(
            person.edu_timeline_count,
            self.env["edu.timeline"].search_count(
                [("partner_id", "=", self.person.id)]
            ),
        )
        self.assertGreater(person.edu_timeline_count, 0)
        action = person.action_edu_open_timeline()
        self.assertEqual(action["domain"], [("partner_id", "=", self.person.id)])
        portal = new_test_user(
            self.env, login="file_portal", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            self.person.with_user(portal).action_edu_open_timeline()

    def _people(self, count):
        people = self.env["res.partner"].create(
            [{"name": f"File person {i}", "edu_is_student": True} for i in range(count)]
        )
        self.env["edu.enrollment"].create(
            [
                {
                    "partner_id": person.id,
                    "programme_id": self.programme.id,
                    "intake_id": self.intake.id,
                    "company_id": self.company.id,
                }
                for person in people
            ]
        )
        for person in people:
            person.message_post(body="Hello", message_type="comment")
        return people

    def _count_queries(self, people):
        people = people.with_env(self._env_of(self.clerk))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        people.mapped("edu_file_roles")
        people.mapped("edu_file_consent")
        count = self.cr.sql_log_count - start
        self.assertTrue(all(people.mapped("edu_file_programme_id")))
        self.assertTrue(all(people.mapped("edu_timeline_count")))
        return count

    def test_header_queries_do_not_grow_with_people(self):
        """The header of 40 people takes exactly as many queries as that of 5."""
        self._count_queries(self._people(2))  # warm the caches
        few = self._count_queries(self._people(5))
        many = self._count_queries(self._people(40))
        self.assertEqual(few, many)
        self.assertLessEqual(many, 8)
