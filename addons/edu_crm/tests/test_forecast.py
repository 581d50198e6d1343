from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from odoo import Command, api, fields
from odoo.tests import tagged

from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestCashinForecast(TuitionCommon):
    """A small dataset around the real current month (the SQL view works
    with CURRENT_DATE), every expected number computed by hand below."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("edu_crm.forecast_default_probability", "0.8")
        cls.m0 = date.today().replace(day=1)
        cls.m = {i: cls.m0 + relativedelta(months=i) for i in range(-3, 4)}
        cls._setup_sponsor_contract(ICP)
        cls._setup_new_payer_contract(ICP)
        cls._setup_pipeline()
        cls.env["res.partner"]._cron_compute_segments()

    @classmethod
    def _setup_sponsor_contract(cls, ICP):
        # C1: the sponsor pays 1000: 250 (3 months ago, paid on time),
        # 250 (2 months ago, paid 10 days late), 500 (next month, open)
        ICP.set_param("edu_crm.tuition_invoice_mode", "activation")
        plan = cls.env["edu.payment.plan"].create(
            {
                "name": "25/25/50",
                "plan_type": "custom",
                "line_ids": [
                    Command.create({"percentage": 25.0}),
                    Command.create({"percentage": 25.0, "delay_months": 1}),
                    Command.create({"percentage": 50.0, "delay_months": 4}),
                ],
            }
        )
        # activated today with the dates of three months ago: a history, so
        # the bursar keeps the dates (they would move to the grace date)
        cls.c1 = cls._contract(
            plan=plan,
            payers=[(cls.sponsor, 100.0)],
            date_start=cls.m[-3],
            past_due_policy="keep",
        )
        cls.c1.with_user(cls.bursar).action_activate()
        inv1, inv2, inv3 = cls.c1.instalment_ids.sorted("sequence").invoice_ids
        cls.inv3 = inv3
        for invoice, paid_on in (
            (inv1, cls.m[-3]),
            (inv2, cls.m[-2] + relativedelta(days=10)),
        ):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": 250.0, "payment_date": paid_on})._create_payments()

    @classmethod
    def _setup_new_payer_contract(cls, ICP):
        # C2: a new payer, 2 x 500 next month and the month after, not invoiced
        ICP.set_param("edu_crm.tuition_invoice_mode", "cron")
        ICP.set_param("edu_crm.tuition_invoice_days_before", "0")
        plan_2 = cls.env["edu.payment.plan"].create(
            {"name": "2 months", "plan_type": "monthly", "instalment_count": 2}
        )
        cls.c2 = cls._contract(
            plan=plan_2,
            payers=[(cls.student_2, 100.0)],
            student_id=cls.student_2.id,
            date_start=cls.m[1],
        )
        cls.c2.with_user(cls.bursar).action_activate()

    @classmethod
    def _setup_pipeline(cls):
        # the plan contracts of the company get (the first by sequence): the
        # pipeline is spread over it
        cls.plan_pipeline = cls.env["edu.payment.plan"].create(
            {
                "name": "Pipeline 2 months",
                "plan_type": "monthly",
                "instalment_count": 2,
                "sequence": -100,
                "company_id": cls.company.id,
            }
        )
        # pipeline: 2000 expected at 25 % for an intake starting in 2 months
        # and an accepted (won) application of 3000 at 100 %, not enrolled
        # yet; a lead without programme does not count
        cls.intake = intake = cls.env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Intake +2",
                "date_start": cls.m[2],
                "date_end": cls.m[2] + relativedelta(years=1),
            }
        )
        Lead = cls.env["crm.lead"]
        common = {"type": "opportunity", "company_id": cls.company.id}
        Lead.create(
            {
                **common,
                "name": "Applicant A",
                "edu_programme_id": cls.programme.id,
                "edu_intake_id": intake.id,
                "expected_revenue": 2000.0,
                "probability": 25.0,
            }
        )
        cls.won = won = Lead.create(
            {
                **common,
                "name": "Applicant W",
                "edu_programme_id": cls.programme.id,
                "edu_intake_id": intake.id,
                "expected_revenue": 3000.0,
            }
        )
        won.action_set_won()
        Lead.create(
            {**common, "name": "Other", "expected_revenue": 999.0, "probability": 50.0}
        )

    def _grid(self, measure):
        self.env["edu.cashin.forecast"]._edu_refresh()
        rows = (
            self.env["edu.cashin.forecast"]
            .with_user(self.clerk)
            ._read_group(
                [("company_id", "=", self.company.id)],
                ["date:month", "kind"],
                [f"{measure}:sum"],
            )
        )
        return {(month, kind): round(value, 2) for month, kind, value in rows if value}

    def test_payer_history_learned(self):
        self.assertRecordValues(
            self.sponsor,
            [
                {
                    "edu_payment_history_count": 2,
                    "edu_ontime_rate": 0.5,
                    "edu_payment_segment": "late",
                }
            ],
        )
        self.assertEqual(self.student_2.edu_payment_history_count, 0)

    def test_forecast_numbers(self):
        m = self.m
        # next month: 500 x 0.5 (sponsor's history) + 500 x 0.8 (new payer)
        # the month after: 500 x 0.8; the pipeline's 2000 x 25 % and the
        # accepted 3000 x 100 % are paid as the default plan says, half in
        # the intake's month, half the next: 250 + 1500 each month
        self.assertEqual(
            {k: v for k, v in self._grid("amount_expected").items()},
            {
                (m[1], "open"): 650.0,
                (m[2], "open"): 400.0,
                (m[2], "pipeline"): 1750.0,
                (m[3], "pipeline"): 1750.0,
            },
        )
        self.assertEqual(
            self._grid("amount_open"),
            {
                (m[1], "open"): 1000.0,
                (m[2], "open"): 500.0,
                (m[2], "pipeline"): 2500.0,
                (m[3], "pipeline"): 2500.0,
            },
        )
        # past months: due beside received
        self.assertEqual(
            self._grid("amount_due"),
            {(m[-3], "due"): 250.0, (m[-2], "due"): 250.0},
        )
        self.assertEqual(
            self._grid("amount_received"),
            {(m[-3], "receipt"): 250.0, (m[-2], "receipt"): 250.0},
        )

    def test_open_action_refreshes_stale_forecast(self):
        # the menu's action is the bursar's (a clerk gets an AccessError)
        Forecast = self.env["edu.cashin.forecast"].with_user(self.bursar)
        refreshed_at = Forecast._edu_refreshed_at()
        with freeze_time(fields.Datetime.now() + timedelta(hours=2)):
            action = Forecast.action_open_forecast()
        self.assertEqual(action["res_model"], "edu.cashin.forecast")
        self.assertGreater(Forecast._edu_refreshed_at(), refreshed_at)

    def test_one_refresh_at_a_time_across_workers(self):
        """A worker (another connection, as another Odoo server would have)
        that finds the forecast being refreshed does not refresh it again,
        and neither waits for nor blocks on the one that does."""
        Forecast = self.env["edu.cashin.forecast"]
        Forecast._edu_refresh()  # this transaction refreshes, holding the lock
        with self.registry.cursor() as other_cr:
            # a regression would queue behind this transaction's view locks:
            # fail after 2 s instead of hanging the suite
            other_cr.execute("SET LOCAL lock_timeout = '2s'")
            other = api.Environment(other_cr, self.bursar.id, {})
            self.assertFalse(other["edu.cashin.forecast"]._edu_refresh())
            other_cr.rollback()
        # the same transaction may refresh again (the lock is its own)
        self.assertTrue(Forecast._edu_refresh())

    def test_readers_do_not_wait_for_a_refresh(self):
        """While a refresh runs (the daily job, a bursar opening the menu),
        a reader on another connection reads the forecast as it was: a
        plain refresh locked it out until the refresh committed."""
        Forecast = self.env["edu.cashin.forecast"]
        Forecast._edu_refresh()
        with self.registry.cursor() as other_cr:
            # a regression would queue behind this transaction's view locks
            other_cr.execute("SET LOCAL lock_timeout = '2s'")
            # (this test's users are not committed: the other connection
            # reads as the superuser)
            other = api.Environment(other_cr, api.SUPERUSER_ID, {})
            self.assertIsInstance(other["edu.cashin.forecast"].search_count([]), int)
            self.assertTrue(other["edu.cashin.forecast"]._edu_refreshed_at())
            other_cr.rollback()

    def test_a_row_keeps_its_id(self):
        """A row of the forecast (a pivot's cell opened as a list, then one
        of its rows) is the same month, kind and programme after a refresh:
        numbered in order of month, a payment today (a new row this month)
        moved every later month's rows."""
        Forecast = self.env["edu.cashin.forecast"].with_user(self.clerk)
        Forecast._edu_refresh()
        rows = Forecast.search([("company_id", "=", self.company.id)])
        key = ["date", "kind", "programme_id", "company_id"]
        before = {row["id"]: row for row in rows.read(key)}
        self._pay(self.inv3, 200.0, date=date.today())
        Forecast._edu_refresh()
        after = {row["id"]: row for row in Forecast.browse(list(before)).read(key)}
        self.assertEqual(after, before)
        self.assertEqual(
            len(Forecast.search([("company_id", "=", self.company.id)])),
            len(rows) + 1,
            "this month's receipt",
        )

    def test_payment_moves_money_from_expected_to_received(self):
        self._pay(self.inv3, 200.0, date=date.today())
        grid = self._grid("amount_expected")
        # 300 still open at 0.5, plus the new payer's 400
        self.assertEqual(grid[(self.m[1], "open")], 550.0)
        received = self._grid("amount_received")
        self.assertEqual(received[(self.m0, "receipt")], 200.0)

    def test_pipeline_follows_the_contracts_schedule_code(self):
        """The forecast's pipeline months are the due dates contracts of the
        intake would get (``_edu_schedule_parts``), whatever the plan."""
        plans = self.env["edu.payment.plan"]._edu_default_plans(self.company)
        self.assertEqual(plans[self.company], self.plan_pipeline)
        self.plan_pipeline.write({"plan_type": "semester", "instalment_count": 2})
        grid = self._grid("amount_expected")
        pipeline = {month: v for (month, kind), v in grid.items() if kind == "pipeline"}
        due = [
            d.replace(day=1)
            for d, _share in self.plan_pipeline._edu_schedule_parts(self.m[2])
        ]
        self.assertEqual(due, [self.m[2], self.m0 + relativedelta(months=8)])
        self.assertEqual(pipeline, {due[0]: 1750.0, due[1]: 1750.0})

    def test_overdue_debt_with_expected_recovery(self):
        """Overdue debt is shown this month, weighted by the payer's history
        (the sponsor paid one of its two past invoices on time: 0.5)."""
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("edu_crm.tuition_invoice_mode", "activation")
        contract = self._contract(
            plan=self.plan_upfront,
            payers=[(self.sponsor, 100.0)],
            date_start=date.today() - timedelta(days=5),
            past_due_policy="keep",
        )
        contract.with_user(self.bursar).action_activate()
        self._pay(contract.invoice_ids, 400.0, date=date.today())
        self.assertEqual(self._grid("amount_open")[(self.m0, "overdue")], 600.0)
        self.assertEqual(self._grid("amount_expected")[(self.m0, "overdue")], 300.0)
        # not counted twice as an open instalment
        self.assertNotIn((self.m0, "open"), self._grid("amount_open"))

    def test_accepted_application_then_its_draft_contract(self):
        """An accepted application is expected cash at 100 %; once enrolled,
        its draft contract (awaiting activation) counts by its planned
        instalments instead, weighted by the payer's history, and the
        application no longer counts: nothing twice."""
        m = self.m
        self.assertEqual(self.won.probability, 100.0)
        grid = self._grid("amount_expected")
        self.assertEqual(grid[(m[2], "pipeline")], 1750.0)
        self.assertEqual(grid[(m[3], "pipeline")], 1750.0)
        self.intake.with_user(self.bursar).write({"seats": 5})
        self.intake.with_user(self.bursar).action_open()
        enrollment = self.won.with_user(self.bursar)._edu_enrol()
        contract = enrollment.tuition_contract_ids
        # the default plan of the company (2 months from the intake's start)
        # on the programme's price, 1000
        self.assertRecordValues(contract, [{"state": "draft", "amount_total": 1000}])
        self.assertEqual(
            contract.instalment_ids.mapped("due_date"),
            [m[2], m[2] + relativedelta(months=1)],
        )
        # the new student has no payment history: 500 x 0.8 each month, on top
        # of C2's 500 x 0.8 in the intake's month; only A's 2000 x 25 % left
        # in the pipeline
        self.assertEqual(
            {k: v for k, v in self._grid("amount_expected").items() if k[0] >= m[2]},
            {
                (m[2], "open"): 800.0,
                (m[3], "open"): 400.0,
                (m[2], "pipeline"): 250.0,
                (m[3], "pipeline"): 250.0,
            },
        )
        # a draft without payers yet: as if the student paid it all
        contract.payer_ids.unlink()
        self.assertEqual(self._grid("amount_open")[(m[3], "open")], 500.0)
        # a draft without schedule: the application counts again
        contract.instalment_ids.unlink()
        grid = self._grid("amount_expected")
        self.assertEqual(grid[(m[3], "pipeline")], 1750.0)
        self.assertNotIn((m[3], "open"), grid)
