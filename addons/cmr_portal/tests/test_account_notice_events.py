from odoo.exceptions import AccessError
from odoo.tests import tagged

from .notice_common import NoticeCommon

ONLY_RECORDS = {"cmr_notice_payment": False, "cmr_notice_due": False}


@tagged("post_install", "-at_install")
class TestAccountNoticeEvents(NoticeCommon):
    """Documents, requests and offers; who may read or write notices; the
    notices on the person's timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the setup did (instalments due, the contract's document) is
        # notified before each test: the tests read what they add
        Notice = cls.env["edu.account.notice"].sudo()
        Notice._cron_send_notices(now=cls.noon)
        cls.setup_notices = Notice.search([("company_id", "=", cls.company.id)])

    def _sms_person(self):
        self.student.write(
            {"mobile": "+32 470 99 88 77", "cmr_preferred_channel": "sms"}
        )

    def test_document_ready(self):
        enrollment = self._enrollment()
        document = self.env["edu.document"]._edu_issue(
            "enrolment_certificate", self.student, source=enrollment
        )
        notices = self._run(**ONLY_RECORDS)
        self.assertEqual(len(notices), 1)
        self.assertEqual(
            (notices.kind, notices.partner_id, notices.channel, notices.res_id),
            ("document", self.student, "email", document.id),
        )
        mail = self._mails_to(self.student).filtered(
            lambda m: (m.model, m.res_id) == ("edu.document", document.id)
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(document.name, mail.subject)
        self.assertFalse(self._run())

    def test_request_status_by_sms_once_per_state(self):
        request = self.env["cmr.request"].create(
            {"partner_id": self.student.id, "request_type": "other", "description": "?"}
        )
        self.assertFalse(self._run(**ONLY_RECORDS), "a new request is not told")
        request.with_user(self.clerk).action_start()
        # the request's own message emails the person: email choosers get
        # no second message
        self.assertFalse(self._run())
        self._sms_person()
        request.with_user(self.clerk).action_done()
        notices = self._run()
        self.assertEqual(
            sorted(notices.mapped("event_key")),
            [f"cmr.request,{request.id},done"],
        )
        self.assertEqual((notices.channel, notices.state), ("sms", "sent"))
        sms = self._sms_to(self.student)
        self.assertEqual(len(sms), 1)
        self.assertIn(request.name, sms.body)
        self.assertFalse(self._run())
        self.assertEqual(len(self._sms_to(self.student)), 1)

    def test_offer_issued_by_sms(self):
        self._sms_person()
        lead = self._lead()
        lead.with_user(self.clerk).action_edu_issue_offer()
        notices = self._run(**ONLY_RECORDS)
        offer = notices.filtered(lambda n: n.kind == "offer")
        self.assertEqual(len(offer), 1)
        self.assertEqual((offer.partner_id, offer.res_id), (self.student, lead.id))
        self.assertIn("offer of a place", self._sms_to(self.student).body)
        # the offer letter is the offer's, not a "document ready"
        self.assertFalse(notices.filtered(lambda n: n.kind == "document"))
        self.assertFalse(self._run())

    def test_nobody_forges_a_notice(self):
        values = {
            "kind": "payment",
            "event_key": "account.payment,1",
            "partner_id": self.student.id,
            "channel": "email",
            "res_model": "res.partner",
            "res_id": self.student.id,
        }
        for user in (self.user_student, self.clerk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["edu.account.notice"].with_user(user).create(values)
        notice = self.setup_notices[:1]
        self.assertTrue(notice)
        for user in (self.user_student, self.clerk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                notice.with_user(user).write({"state": "queued"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                notice.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.env["edu.account.notice"].create(values)  # not the job

    def test_portal_reads_own_notices_only(self):
        notices = self.setup_notices
        mine = notices.filtered(lambda n: n.partner_id == self.student)
        self.assertTrue(mine)
        Notice = self.env["edu.account.notice"]
        self.assertEqual(Notice.with_user(self.user_student).search([]), mine)
        self.assertFalse(Notice.with_user(self.user_other).search([]))
        with self.assertRaises(AccessError):
            mine.with_user(self.user_other).read(["name"])
        self.assertEqual(Notice.with_user(self.clerk).search([]), notices)

    def test_timeline_shows_each_notice_once(self):
        self.student.write({"pressure_quiet_from": 0.0, "pressure_quiet_to": 23.99})
        self.env["edu.document"]._edu_issue(
            "enrolment_certificate", self.student, source=self._enrollment()
        )
        mine = self._run()
        self.assertEqual((mine.partner_id, mine.state), (self.student, "postponed"))
        Timeline = self.env["edu.timeline"]
        domain = [
            ("partner_id", "=", self.student.id),
            ("kind", "=", "notice"),
            ("res_id", "=", mine.id),
        ]
        rows = Timeline.search(domain)
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows.channel, rows.state, rows.res_model, rows.res_id, rows.summary),
            ("email", "planned", "edu.account.notice", mine.id, mine.name),
        )
        self.assertEqual(rows.description, f"Document ready · {mine.name}")
        self.student.write({"pressure_quiet_from": 0.0, "pressure_quiet_to": 0.0})
        mails = [
            ("partner_id", "=", self.student.id),
            ("kind", "in", ("email", "message")),
        ]
        mail_rows = Timeline.search_count(mails)
        self._run(now=mine.scheduled_date)
        self.assertEqual(mine.state, "sent")
        self.assertTrue(self._mails_to(self.student))
        # the view's rows read in this transaction are cached: read again
        Timeline.invalidate_model()
        rows = Timeline.search(domain)
        self.assertEqual((len(rows), rows.state), (1, "done"))
        # the email the notice queued is not a second entry
        self.assertEqual(Timeline.search_count(mails), mail_rows)
        self.assertEqual(Timeline.with_user(self.clerk).search(domain), rows)
        # the portal's timeline (/my/communications) shows it to the person
        portal = Timeline.sudo().search(Timeline._cmr_portal_domain(self.student))
        self.assertIn(rows, portal)
        other = Timeline.sudo().search(Timeline._cmr_portal_domain(self.other))
        self.assertNotIn(rows, other)

    def _intake(self):
        intake = self.env["edu.intake"].create(
            {
                "programme_id": self.programme.id,
                "name": "Notices intake",
                "date_start": self.today,
                "date_end": self.today.replace(year=self.today.year + 1),
                "company_id": self.company.id,
            }
        )
        intake.action_open()
        return intake

    def _enrollment(self):
        intake = self._intake()
        enrollment = self.env["edu.enrollment"].create(
            {
                "partner_id": self.student.id,
                "programme_id": self.programme.id,
                "intake_id": intake.id,
                "company_id": self.company.id,
            }
        )
        enrollment.action_admit()
        enrollment.action_enrol()
        return enrollment

    def _lead(self):
        intake = self._intake()
        return self.env["crm.lead"].create(
            {
                "name": "Nina's application",
                "type": "opportunity",
                "team_id": self.env.ref("edu_crm.crm_team_admissions").id,
                "partner_id": self.student.id,
                "edu_programme_id": self.programme.id,
                "edu_intake_id": intake.id,
                "company_id": self.company.id,
            }
        )
