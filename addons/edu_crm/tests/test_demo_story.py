"""The demo database tells a believable story (read as a person would).

Installed with demo data, the database shows enrolments in every state over
three academic years, intakes as long as their programme (the started ones
closed), tuition invoiced and paid in past months (the cash-in forecast has
its history), overdue invoices the reminder ladder acts on at its next run,
issued documents with their files, students in the engagement segments and
the demo names in Ukrainian."""

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.tests import TransactionCase, tagged

UK = "uk_UA"


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.student = cls.env.ref("edu_crm.student_01_demo", raise_if_not_found=False)
        cls.today = fields.Date.context_today(cls.env["edu.enrollment"])

    def setUp(self):
        super().setUp()
        if not self.student:
            self.skipTest("installed without demo data")

    def _demo_records(self, model):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "edu_crm"),
                ("model", "=", model),
                ("name", "like", "%_demo"),
            ]
        )
        return self.env[model].browse(data.mapped("res_id"))

    def test_enrolments_in_every_state_over_three_years(self):
        enrollments = self._demo_records("edu.enrollment")
        by_state = {}
        for enrollment in enrollments:
            by_state.setdefault(enrollment.state, enrollment.browse())
            by_state[enrollment.state] |= enrollment
        for state in (
            "applied",
            "admitted",
            "enrolled",
            "on_leave",
            "withdrawn",
            "graduated",
        ):
            self.assertTrue(by_state.get(state), f"no demo enrolment {state}")
        started = enrollments.filtered(lambda e: e.intake_id.date_start <= self.today)
        self.assertGreaterEqual(
            len(set(started.mapped(lambda e: e.intake_id.date_start.year))),
            3,
            "enrolments of three academic years",
        )
        for enrollment in by_state["graduated"]:
            self.assertLess(enrollment.intake_id.date_end, self.today)
            self.assertEqual(enrollment.date_graduated, enrollment.intake_id.date_end)
            self.assertTrue(enrollment.partner_id.edu_is_alumnus)
        for enrollment in by_state["enrolled"] | by_state["on_leave"]:
            self.assertGreaterEqual(enrollment.intake_id.date_end, self.today)
            self.assertEqual(enrollment.date_enrolled, enrollment.intake_id.date_start)
        for enrollment in by_state["withdrawn"] | by_state["on_leave"]:
            self.assertTrue(enrollment.reason)
            self.assertLessEqual(
                enrollment.date_end or enrollment.date_leave, self.today
            )

    def test_intakes_as_long_as_their_programme(self):
        intakes = self._demo_records("edu.intake")
        self.assertEqual(len(intakes), 12)
        for intake in intakes:
            months = intake.programme_id.duration_months
            self.assertEqual(
                intake.date_end,
                intake.date_start + relativedelta(months=months, days=-1),
                intake.display_name,
            )
            expected = "closed" if intake.date_start <= self.today else "open"
            self.assertEqual(intake.state, expected, intake.display_name)

    def test_payment_history_in_past_months(self):
        this_month = self.today.replace(day=1)
        invoices = self.env["account.move"].search(
            [
                ("edu_instalment_id", "!=", False),
                ("state", "=", "posted"),
                ("move_type", "=", "out_invoice"),
            ]
        )
        past = invoices.filtered(lambda m: m.invoice_date < this_month)
        self.assertTrue(
            past.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        )
        for move in invoices:
            self.assertLessEqual(move.invoice_date, move.invoice_date_due, move.name)
        Forecast = self.env["edu.cashin.forecast"]
        Forecast._edu_refresh()
        rows = Forecast.search([("date", "<", this_month)])
        due_months = {r.date for r in rows if r.kind == "due" and r.amount_due > 0}
        paid_months = {
            r.date for r in rows if r.kind == "receipt" and r.amount_received > 0
        }
        self.assertGreaterEqual(len(due_months), 6, sorted(due_months))
        self.assertGreaterEqual(len(paid_months), 6, sorted(paid_months))
        # payers learned from the history: some on time, some late
        segments = set(self.env["res.partner"].search([]).mapped("edu_payment_segment"))
        self.assertTrue({"on_time", "late"} <= segments, segments)

    def test_contracts_fit_their_intake(self):
        contracts = self._demo_records("edu.tuition.contract")
        self.assertTrue(
            {"draft", "active", "closed", "cancelled"} <= set(contracts.mapped("state"))
        )
        for contract in contracts:
            intake = contract.enrollment_id.intake_id
            last = max(contract.instalment_ids.mapped("due_date"))
            self.assertLessEqual(last, intake.date_end, contract.display_name)
            self.assertLessEqual(
                len(contract.instalment_ids),
                contract.programme_id.duration_months,
                contract.display_name,
            )

    def test_reminder_ladder_fires_on_next_run(self):
        logs = self.env["edu.reminder.log"]
        self.assertTrue(logs.search([]), "the ladder has a history")
        self.assertGreater(logs._edu_plan_reminders(), 0)

    def test_issued_documents_have_their_file(self):
        documents = self._demo_records("edu.document").filtered(
            lambda d: d.state == "issued"
        )
        self.assertGreaterEqual(len(documents), 5)
        self.env["edu.document"]._cron_attach_missing_pdfs()
        for document in documents:
            self.assertTrue(document.attachment_id, document.display_name)
            self.assertTrue(document.checksum)

    def test_engagement_segment_has_students(self):
        Partner = self.env["res.partner"]
        Partner._cron_compute_segments()
        students = Partner.search([("edu_is_student", "=", True)])
        segments = students.mapped("edu_engagement_segment")
        self.assertIn("clicked", segments)
        self.assertIn("opened", segments)
        self.assertIn("unengaged", segments)
        mailing = self.env.ref("edu_crm.mailing_welcome_demo")
        self.assertEqual(mailing.state, "done")
        self.assertGreater(mailing.opened, 0)
        self.assertGreater(mailing.clicked, 0)

    def test_demo_names_in_ukrainian(self):
        self.env["res.lang"]._activate_lang(UK)
        self.env["ir.module.module"]._load_module_terms(["edu_crm"], [UK])
        user = self.env.ref("edu_crm.user_student_demo")
        user.partner_id.lang = UK
        env = self.env(context=dict(self.env.context, lang=user.partner_id.lang))
        ref = env.ref
        self.assertEqual(
            ref("edu_crm.programme_bsc_cs_demo").name, "Бакалавр комп'ютерних наук"
        )
        self.assertEqual(
            ref("edu_crm.product_tuition_mba_demo").name,
            "Навчання: MBA для керівників (рік)",
        )
        self.assertEqual(
            ref("edu_crm.payment_plan_monthly_6_demo").name, "6 щомісячних внесків"
        )
        self.assertEqual(
            ref("edu_crm.utm_campaign_open_day_demo").title, "День відкритих дверей"
        )
        # the open September intakes of the catalogue, translated by XML id
        for intake in ("intake_bsc_cs_next_demo", "intake_mba_next_demo"):
            self.assertEqual(ref(f"edu_crm.{intake}").name, "Осінь")
            self.assertEqual(self.env.ref(f"edu_crm.{intake}").name, "Autumn")
