"""The first page of a person's timeline, in the person file and in the
portal, takes as many queries for a person with a few entries in a few
sources as for one with more than 1,000 in 14, and shows the rows of the general view
(the benchmark with 10,000 is ``tests/perf/test_perf_timeline.py``)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.addons.edu_crm.tests.test_timeline_queries import create_messages
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .test_tuition_portal import TuitionPortalCommon

LIST_FIELDS = ["date", "kind", "channel", "direction", "state", "summary", "reason"]


@tagged("post_install", "-at_install")
class TestTimelineFirstPageQueries(TuitionPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.marketer = new_test_user(
            env,
            login="tlq_marketer",
            groups="edu_crm.group_edu_user,mass_mailing.group_mass_mailing_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.mailing = env["mailing.mailing"].create(
            {"name": "Open day", "subject": "Open day", "body_html": "<p>x</p>"}
        )
        cls.few = cls.user_other.partner_id
        cls._messages(cls.few, 4)
        cls._portal_sources(cls.few, request=False)
        cls.many = cls.student
        cls._messages(cls.many, 1000)
        cls._portal_sources(cls.many)
        cls._education_sources(cls.many)
        env.flush_all()

    @classmethod
    def _messages(cls, person, count):
        """``count`` messages on the person, older than everything else."""
        start = fields.Datetime.now() - timedelta(days=400)
        create_messages(person, count, start)

    @classmethod
    def _portal_sources(cls, person, request=True):
        """A mailing sent, a consent change, a request (and the invoice of
        the fixture's contract)."""
        env = cls.env
        env["mailing.trace"].sudo().create(
            {
                "model": "res.partner",
                "res_id": person.id,
                "email": person.email_normalized,
                "mass_mailing_id": cls.mailing.id,
                "trace_status": "sent",
                "sent_datetime": fields.Datetime.now(),
            }
        )
        if request:
            env["cmr.request"].sudo().create(
                {
                    "partner_id": person.id,
                    "request_type": "other",
                    "description": "When?",
                }
            )
        person.write({"cmr_preferred_channel": "sms"})

    @classmethod
    def _education_sources(cls, person):
        """Feedback, a marketing letter, a planned call and the sources of
        ``_admission_sources``."""
        env = cls.env
        env["cmr.feedback"].sudo().create({"partner_id": person.id, "rating": "4"})
        env["campaign.pressure.contact"].sudo().create(
            {
                "person_key": f"p:{person.id}",
                "partner_id": person.id,
                "channel": "letter",
                "source": "letter",
                "state": "confirmed",
            }
        )
        person.activity_schedule(
            activity_type_id=env.ref("mail.mail_activity_data_call").id,
            summary="Call back",
            date_deadline=fields.Date.today(),
        )
        cls._admission_sources(person)

    @classmethod
    def _admission_sources(cls, person):
        """An application (and its stage), an enrolment, a document, a
        payment and a reminder of the ladder."""
        env = cls.env
        env["crm.lead"].create(
            {
                "name": "Tess applies",
                "type": "opportunity",
                "team_id": env.ref("edu_crm.crm_team_admissions").id,
                "partner_id": person.id,
                "company_id": cls.company.id,
            }
        )
        intake = env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Queries intake",
                "date_start": cls.today,
                "date_end": fields.Date.add(cls.today, years=2),
            }
        )
        env["edu.enrollment"].create(
            {
                "partner_id": person.id,
                "programme_id": cls.programme.id,
                "intake_id": intake.id,
                "company_id": cls.company.id,
            }
        )
        env["edu.document"].with_context(edu_document_skip_pdf=True)._edu_issue(
            "enrolment_certificate", person, None
        )
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({"amount": 10.0})._create_payments()
        env.flush_all()
        env.cr.execute(
            SQL(
                "INSERT INTO edu_reminder_log (contract_id, instalment_id, stage_id, "
                "state, company_id, create_uid, write_uid, create_date, write_date) "
                "VALUES (%s, %s, %s, 'done', %s, 1, 1, NOW(), NOW())",
                cls.contract.id,
                cls.first.id,
                env["edu.reminder.stage"].search([], limit=1).id,
                cls.company.id,
            )
        )

    def _env_of(self, user):
        """The environment of ``user``, kept for the whole test (a new one
        reads the user's companies again: see edu_crm's ``TimelineCommon``)."""
        envs = self.__dict__.setdefault("_user_envs", {})
        return envs.setdefault(user, self.env(user=user))

    def _count(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        result = func()
        return self.cr.sql_log_count - start, result

    def _file_page(self, person):
        def read():
            rows = person.with_env(self._env_of(self.marketer)).edu_timeline_ids
            rows.fetch(LIST_FIELDS)
            rows.mapped("reason")
            rows.mapped("description")
            return rows

        return self._count(read)

    def _portal_domain(self, person, pinned=True):
        domain = self.env["edu.timeline"].sudo()._cmr_portal_domain(person)
        if pinned:
            return domain
        # the same entries read from the general view: the person not pinned
        return [
            ("partner_id.id", "=", person.id)
            if isinstance(leaf, list | tuple) and leaf[0] == "partner_id"
            else leaf
            for leaf in domain
        ]

    def _portal_page(self, user, offset=0, pinned=True):
        """The reads of /my/communications: count, page, rows in words."""
        person = user.partner_id

        def read():
            Timeline = self._env_of(user)["edu.timeline"]
            domain = self._portal_domain(person, pinned)
            Timeline.sudo().search_count(domain)
            rows = Timeline.sudo().search(domain, offset=offset, limit=20)
            return Timeline._cmr_portal_rows(rows, person.sudo())

        return self._count(read)

    def test_first_pages_do_not_grow_with_entries_or_sources(self):
        Timeline = self.env["edu.timeline"]
        kinds = {
            person: set(
                Timeline.search([("partner_id", "=", person.id)]).mapped("kind")
            )
            for person in (self.few, self.many)
        }
        self.assertLessEqual(len(kinds[self.few]), 5)
        self.assertEqual(len(kinds[self.many]), 14)
        few_count = Timeline.search_count([("partner_id", "=", self.few.id)])
        self.assertLess(few_count, 20)
        self.assertGreater(
            Timeline.search_count([("partner_id", "=", self.many.id)]), 1000
        )
        self._file_page(self.few)  # warm the caches
        self._portal_page(self.user_other)
        few_file, few_rows = self._file_page(self.few)
        many_file, many_rows = self._file_page(self.many)
        self.assertEqual(many_file, few_file)
        self.assertEqual(len(few_rows), few_count)
        self.assertEqual(len(many_rows), 20)
        view = Timeline.with_user(self.marketer).search(
            [("partner_id.id", "=", self.many.id)], limit=20
        )
        self.assertEqual(many_rows.ids, view.ids)
        few_portal, _rows = self._portal_page(self.user_other)
        many_portal, rows = self._portal_page(self.user_student)
        self.assertEqual(many_portal, few_portal)
        self.assertEqual(len(rows), 20)

    def test_portal_pages_are_the_views_pages(self):
        Timeline = self.env["edu.timeline"].sudo()
        for offset in (0, 20, 1000):
            pinned = Timeline.search(
                self._portal_domain(self.many), offset=offset, limit=20
            )
            view = Timeline.search(
                self._portal_domain(self.many, pinned=False), offset=offset, limit=20
            )
            self.assertEqual(pinned.ids, view.ids, offset)
            self.assertTrue(pinned)
            _queries, rows = self._portal_page(self.user_student, offset)
            _queries, expected = self._portal_page(
                self.user_student, offset, pinned=False
            )
            self.assertEqual(rows, expected, offset)
