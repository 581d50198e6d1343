"""The person's own timeline is the default of /my/communications: what the
institution sent, planned and held back (in the person's words), their own
requests, invoices and payments, each opening its portal page; the lists by
channel stay reachable."""

from datetime import timedelta

import lxml.html
from odoo import fields
from odoo.tests import tagged

from .test_tuition_portal import TuitionPortalCommon


@tagged("post_install", "-at_install")
class TestTimelinePortalPage(TuitionPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        mailing = env["mailing.mailing"].create(
            {"name": "Open day", "subject": "Open day soon", "body_html": "<p>x</p>"}
        )
        trace = {
            "model": "res.partner",
            "res_id": cls.student.id,
            "email": cls.student.email_normalized,
            "mass_mailing_id": mailing.id,
        }
        # only the pressure engine records holds (or the superuser)
        env["mailing.trace"].sudo().create(
            [
                dict(
                    trace,
                    trace_status="cancel",
                    failure_type="pressure",
                    pressure_reason="quiet_day",
                    pressure_reason_args={},
                ),
                dict(
                    trace,
                    trace_status="outgoing",
                    pressure_postponed_until=fields.Datetime.now() + timedelta(hours=3),
                ),
            ]
        )
        cls.payment = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=cls.invoice.ids)
            .create({"amount": 40.0})
            ._create_payments()
        )
        cls.request = env["cmr.request"].create(
            {
                "partner_id": cls.student.id,
                "request_type": "other",
                "description": "When is the exam?",
            }
        )
        env.flush_all()

    def _page(self, login, url="/my/communications"):
        self.authenticate(login, login)
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_default_is_the_persons_timeline(self):
        text = self._page("tu_student")
        # what was sent, planned and held back, in the person's words
        self.assertIn("Open day soon", text)
        self.assertIn(
            "Not sent: it would have reached you on one of your quiet days.", text
        )
        self.assertNotIn("Quiet day of the person", text, "not the staff's words")
        self.assertIn("Waiting for the end of your quiet hours", text)
        # their own request, invoice and payment, each opening its page
        self.assertIn(f'href="/my/requests/{self.request.id}"', text)
        self.assertIn(self.request.name, text)
        self.assertIn(f'href="/my/invoices/{self.invoice.id}"', text)
        self.assertIn(self.invoice.name, text)
        self.assertIn(self.payment.name, text)
        self.assertIn('href="/my/education"', text)  # the contract's document
        # an unknown filter is the timeline too
        self.assertEqual(
            self._page("tu_student", "/my/communications?filterby=nope").count(
                "cmr_timeline_link"
            ),
            text.count("cmr_timeline_link"),
        )
        # the lists by channel stay reachable
        listed = self._page("tu_student", "/my/communications?filterby=marketing")
        self.assertIn("Open day soon", listed)
        self.assertNotIn(self.invoice.name, listed)

    def test_a_day_reads_as_a_day(self):
        """An invoice or a payment is dated by a day: its row shows that day,
        not a midnight ("00:00:00"); a mailing keeps its time."""
        html = lxml.html.fromstring(self._page("tu_student"))
        dates = {
            row.xpath("string(td[3])").strip(): row.xpath("string(td[1])").strip()
            for row in html.xpath("//tbody/tr")
        }
        payment = next(d for s, d in dates.items() if self.payment.name in s)
        lang = self.env["res.lang"]._lang_get("en_US")
        self.assertEqual(payment, self.payment.date.strftime(lang.date_format))
        mailing = next(d for s, d in dates.items() if "Open day soon" in s)
        self.assertRegex(mailing, r"\d\d:\d\d:\d\d$")

    def test_requests_and_enrolments_in_their_own_words(self):
        """A request reads its own state ("Submitted"), not the timeline's
        "Planned"; an enrolment's entry says what happened (enrolled...)."""
        intake = self.env["edu.intake"].create(
            {
                "programme_id": self.programme.id,
                "name": "Autumn 2026",
                "date_start": "2026-09-01",
                "date_end": "2029-06-30",
            }
        )
        self.env["edu.enrollment"].create(
            {
                "partner_id": self.student.id,
                "programme_id": self.programme.id,
                "intake_id": intake.id,
                "company_id": self.company.id,
            }
        )
        self.env.flush_all()
        Timeline = self.env["edu.timeline"]
        rows = Timeline.sudo().search(Timeline._cmr_portal_domain(self.student))
        words = Timeline.with_user(self.user_student)._cmr_portal_rows(
            rows, self.student
        )
        by_kind = {}
        for row, shown in zip(rows, words, strict=True):
            by_kind.setdefault(row.kind, []).append(shown)
        [request] = by_kind["request"]
        self.assertEqual(request["status"], "Submitted")
        self.request.sudo().state = "in_progress"
        self.env.flush_all()
        self.env.invalidate_all()  # the next page reads the rows again
        rows = Timeline.sudo().search(Timeline._cmr_portal_domain(self.student))
        [request] = [
            shown
            for row, shown in zip(
                rows,
                Timeline.with_user(self.user_student)._cmr_portal_rows(
                    rows, self.student
                ),
                strict=True,
            )
            if row.kind == "request"
        ]
        self.assertEqual(request["status"], "In Progress")
        self.assertTrue(
            any(
                shown["subject"].endswith("Applied") for shown in by_kind["enrollment"]
            ),
            by_kind["enrollment"],
        )

    def test_a_sponsors_contact_reads_the_organisations_money(self):
        """A sponsor's portal contact reads the organisation's invoices and
        payments on their timeline (Odoo's invoices portal shows them the
        same), nothing else of the organisation's, and nobody else reads
        them."""
        invoice = self.init_invoice(
            "out_invoice", partner=self.sponsor_org, amounts=[250.0], post=True
        )
        self.env["mail.message"].create(
            {
                "model": "res.partner",
                "res_id": self.sponsor_org.id,
                "message_type": "comment",
                "body": "Organisation's own chatter",
            }
        )
        self.env.flush_all()
        text = self._page("tu_sponsor")
        self.assertIn(invoice.name, text)
        self.assertIn(f'href="/my/invoices/{invoice.id}"', text)
        self.assertNotIn("Organisation&#39;s own chatter", text)
        for login in ("tu_student", "tu_other"):
            self.assertNotIn(invoice.name, self._page(login), login)

    def test_nobody_else_sees_it(self):
        self.env["cmr.feedback"].sudo().create(
            {
                "partner_id": self.user_sponsor.partner_id.id,
                "rating": "4",
                "comment": "Sponsor's own word",
            }
        )
        self.env.flush_all()
        self.assertIn("Sponsor&#39;s own word", self._page("tu_sponsor"))
        self.assertNotIn("Sponsor&#39;s own word", self._page("tu_student"))
        for login in ("tu_other", "tu_sponsor"):
            text = self._page(login)
            self.assertNotIn("Open day soon", text, login)
            self.assertNotIn(self.request.name, text, login)
            self.assertNotIn(self.invoice.name, text, login)
            self.assertNotIn(self.payment.name, text, login)
        # the other student's own invoice is on their timeline
        other_invoice = self.contract_other.instalment_ids.invoice_ids[:1]
        self.assertIn(other_invoice.name, self._page("tu_other"))
        self.authenticate(None, None)
        response = self._get("/my/communications")
        self.assertRedirectsTo(response, "/web/login")
