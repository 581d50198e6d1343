from datetime import date, datetime

from freezegun import freeze_time
from odoo.tests import tagged

from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestSegments(TuitionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        cls.late_payer, cls.risky, cls.defaulter, cls.good = cls.env[
            "res.partner"
        ].create(
            [
                {"name": "Late Payer", "email": "late@example.com"},
                {"name": "Risky Payer", "email": "risky@example.com"},
                {"name": "Defaulter", "email": "defaulter@example.com"},
                {"name": "Good Payer", "email": "good@example.com"},
            ]
        )
        with freeze_time("2026-01-05"):
            cls.contracts = {}
            for partner in (cls.late_payer, cls.risky, cls.defaulter, cls.good):
                contract = cls._contract(
                    payers=[(partner, 100.0)],
                    student_id=partner.id,
                    date_start="2026-01-10",
                )
                contract.with_user(cls.bursar).action_activate()
                cls.contracts[partner] = contract
        good_invoice = cls.contracts[cls.good].invoice_ids
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=good_invoice.ids
        ).create({"amount": 1000.0, "payment_date": "2026-01-08"})._create_payments()

    def test_payment_segments_by_days_overdue(self):
        with freeze_time("2026-01-25"):  # 15 days late for everyone unpaid
            self.env["res.partner"]._cron_compute_segments()
        self.assertEqual(self.late_payer.edu_payment_segment, "late")
        self.assertEqual(self.good.edu_payment_segment, "on_time")
        self.assertEqual(self.good.edu_ontime_rate, 1.0)
        self.assertFalse(self.student_2.edu_payment_segment)
        with freeze_time("2026-03-01"):  # 50 days
            self.env["res.partner"]._cron_compute_segments()
        self.assertEqual(self.risky.edu_payment_segment, "at_risk")
        with freeze_time("2026-04-25"):  # 105 days
            self.env["res.partner"]._cron_compute_segments()
        self.assertEqual(self.defaulter.edu_payment_segment, "defaulted")
        self.assertEqual(self.defaulter.edu_ontime_rate, 0.0)
        # searchable, as mailing and CRM filters do
        Partner = self.env["res.partner"].with_user(self.clerk)
        self.assertEqual(
            Partner.search(
                [
                    ("edu_payment_segment", "=", "defaulted"),
                    ("id", "in", [self.defaulter.id, self.good.id]),
                ]
            ),
            self.defaulter,
        )
        # paying clears the segment back to on time? no: history stays late
        self._pay(self.contracts[self.defaulter].invoice_ids, 1000.0, date="2026-04-25")
        with freeze_time("2026-04-26"):
            self.env["res.partner"]._cron_compute_segments()
        self.assertEqual(self.defaulter.edu_payment_segment, "late")

    def test_engagement_segments_from_mailing_traces(self):
        clicker, opener, old, silent = self.env["res.partner"].create(
            [
                {"name": "Clicker", "email": "clicker@example.com"},
                {"name": "Opener", "email": "Opener <opener@example.com>"},
                {"name": "Old", "email": "old@example.com"},
                {"name": "Silent", "email": "silent@example.com"},
            ]
        )
        lead = self.env["crm.lead"].create({"name": "Lead of the opener"})
        now = datetime(2026, 6, 1, 12, 0)
        Trace = self.env["mailing.trace"].sudo()
        Trace.create(
            [
                {
                    "model": "res.partner",
                    "res_id": clicker.id,
                    "email": "clicker@example.com",
                    "trace_status": "open",
                    "sent_datetime": datetime(2026, 5, 20),
                    "open_datetime": datetime(2026, 5, 21),
                    "links_click_datetime": datetime(2026, 5, 21),
                },
                {
                    "model": "crm.lead",
                    "res_id": lead.id,
                    "email": "opener@example.com",
                    "trace_status": "open",
                    "sent_datetime": datetime(2026, 4, 1),
                    "open_datetime": datetime(2026, 4, 2),
                },
                {
                    "model": "res.partner",
                    "res_id": old.id,
                    "email": "old@example.com",
                    "trace_status": "open",
                    "sent_datetime": datetime(2026, 1, 1),
                    "open_datetime": datetime(2026, 1, 2),
                },
                {
                    "model": "res.partner",
                    "res_id": silent.id,
                    "email": "silent@example.com",
                    "trace_status": "sent",
                    "sent_datetime": datetime(2026, 5, 1),
                },
            ]
        )
        with freeze_time(now):
            self.env["res.partner"]._cron_compute_segments()
        self.assertEqual(clicker.edu_engagement_segment, "clicked")
        self.assertEqual(opener.edu_engagement_segment, "opened")
        self.assertFalse(old.edu_engagement_segment, "older than 90 days")
        self.assertEqual(silent.edu_engagement_segment, "unengaged")

    def test_segment_job_query_count_is_flat(self):
        Partner = self.env["res.partner"]
        today, now = date(2026, 1, 25), datetime(2026, 1, 25, 8, 0)

        def recompute():
            self.env.flush_all()
            with self.assertQueryCount(2):  # two set-based statements
                Partner._edu_compute_payment_segments(today)
                Partner._edu_compute_engagement_segments(now)

        recompute()
        with freeze_time("2026-01-05"):
            for _i in range(5):
                contract = self._contract(
                    payers=[(self.sponsor, 100.0)],
                    date_start="2026-01-12",
                    student_id=self.student.id,
                )
                contract.with_user(self.bursar).action_activate()
        recompute()
        self.assertEqual(self.sponsor.edu_payment_segment, "late")
