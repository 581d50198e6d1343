from datetime import date

from dateutil.relativedelta import relativedelta
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestTuitionAccess(TuitionCommon):
    def test_clerk_prepares_bursar_decides(self):
        contract = self._contract(user=self.clerk)
        self.assertEqual(contract.create_uid, self.clerk)
        self.assertEqual(len(contract.instalment_ids), 1)
        with self.assertRaises(AccessError):
            contract.with_user(self.clerk).action_open_cancel_wizard()
        with self.assertRaises(AccessError):
            contract.with_user(self.clerk).unlink()
        with self.assertRaises(AccessError):
            self.env["edu.reminder.stage"].with_user(self.clerk).create(
                {"name": "Mine", "days_overdue": 5}
            )
        with self.assertRaises(AccessError):
            self.env["edu.payment.plan"].with_user(self.clerk).create(
                {"name": "Mine", "plan_type": "upfront"}
            )
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(contract.state, "active")
        # the clerk still reads the money side
        self.assertEqual(
            contract.with_user(self.clerk).instalment_ids.payment_state, "not_paid"
        )

    def test_reminder_history_is_read_only(self):
        log_model = self.env["edu.reminder.log"]
        for user in (self.clerk, self.bursar):
            self.assertTrue(log_model.with_user(user).has_access("read"))
            self.assertFalse(log_model.with_user(user).has_access("create"))
            self.assertFalse(log_model.with_user(user).has_access("write"))

    def test_portal_and_plain_users_see_nothing(self):
        portal = new_test_user(
            self.env, login="tuition_portal", groups="base.group_portal"
        )
        employee = new_test_user(
            self.env, login="tuition_employee", groups="base.group_user"
        )
        contract = self._contract()
        for user in (portal, employee):
            with self.assertRaises(AccessError):
                contract.with_user(user).read(["amount_total"])
            with self.assertRaises(AccessError):
                self.env["edu.cashin.forecast"].with_user(user).search([])

    def test_multi_company_rule(self):
        other = self.env["res.company"].create({"name": "Other School"})
        contract = self._contract()
        foreign = (
            self.env["edu.tuition.contract"]
            .sudo()
            .create(
                {
                    "student_id": self.student_2.id,
                    "company_id": other.id,
                    "currency_id": other.currency_id.id,
                    "list_price": 10.0,
                }
            )
        )
        visible = (
            self.env["edu.tuition.contract"]
            .with_user(self.clerk)
            .search([("id", "in", (contract | foreign).ids)])
        )
        self.assertEqual(visible, contract)


@tagged("post_install", "-at_install")
class TestTuitionHandover(TuitionCommon):
    def _sponsored_and_self_paid(self, intake):
        """Two enrolments in ``intake``: the student's (sponsored), student_2's."""
        return self.env["edu.enrollment"].create(
            [
                {
                    "partner_id": self.student.id,
                    "programme_id": self.programme.id,
                    "intake_id": intake.id,
                    "sponsor_id": self.sponsor.id,
                    "company_id": self.company.id,
                },
                {
                    "partner_id": self.student_2.id,
                    "programme_id": self.programme.id,
                    "intake_id": intake.id,
                    "company_id": self.company.id,
                },
            ]
        )

    def test_enrolment_proposes_draft_contract(self):
        intake = self.env["edu.intake"].create(
            {
                "programme_id": self.programme.id,
                "name": "Autumn",
                "date_start": date(2026, 9, 1),
                "date_end": date(2027, 6, 30),
            }
        )
        plan = self.env["edu.payment.plan"].create(
            {
                "name": "First plan",
                "plan_type": "semester",
                "instalment_count": 2,
                "sequence": -1,
            }
        )
        sponsored, self_paid = self._sponsored_and_self_paid(intake)
        (sponsored | self_paid).with_user(self.clerk)._edu_handover_tuition()
        contract = sponsored.tuition_contract_ids
        self.assertRecordValues(
            contract,
            [
                {
                    "state": "draft",
                    "student_id": self.student.id,
                    "programme_id": self.programme.id,
                    "plan_id": plan.id,
                    "amount_total": 1000.0,
                    "date_start": date(2026, 9, 1),
                }
            ],
        )
        self.assertEqual(contract.payer_ids.partner_id, self.sponsor)
        self.assertTrue(contract.payer_ids.is_sponsor)
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [date(2026, 9, 1), date(2027, 3, 1)],
        )
        self.assertEqual(
            self_paid.tuition_contract_ids.payer_ids.partner_id, self.student_2
        )
        # calling the hook again does not duplicate the proposals
        (sponsored | self_paid)._edu_handover_tuition()
        self.assertEqual(len(sponsored.tuition_contract_ids), 1)


@tagged("post_install", "-at_install")
class TestPaymentsDashboard(TuitionCommon):
    def test_overdue_by_age_bucket_programme_and_sponsor(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        today = date.today()
        # a history: activated with the dates of 75 days ago kept (they would
        # move to the grace date otherwise, issue 12)
        contract = self._contract(
            plan=self.plan_monthly_3,
            payers=[(self.sponsor, 50.0), (self.student, 50.0)],
            date_start=today - relativedelta(days=75),
            past_due_policy="keep",
        )
        contract.with_user(self.bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        student_inv = first.invoice_ids.filtered(lambda m: m.partner_id == self.student)
        self._pay(student_inv, student_inv.amount_total, date=today)
        sponsor_invoices = contract.invoice_ids.filtered(
            lambda m: m.partner_id == self.sponsor
        )
        self.env.flush_all()
        Report = self.env["edu.payment.report"].with_user(self.clerk)
        domain = [("contract_id", "=", contract.id)]
        rows = dict(Report._read_group(domain, ["age_bucket"], ["amount_residual:sum"]))
        # 75 days: only the sponsor's half is left; about 45 and 15 days: both halves
        due_2 = (today - contract.instalment_ids.sorted("sequence")[1].due_date).days
        self.assertAlmostEqual(
            rows["3_90"], (first.invoice_ids - student_inv).amount_total, places=2
        )
        bucket_2 = "2_60" if due_2 > 30 else "1_30"
        self.assertAlmostEqual(rows[bucket_2], 333.33, places=2)
        by_sponsor = dict(
            Report._read_group(domain, ["sponsor_id"], ["amount_residual:sum"])
        )
        self.assertAlmostEqual(
            by_sponsor[self.sponsor],
            sum(sponsor_invoices.mapped("amount_total")),
            places=2,
        )
        debtors = Report.search(domain + [("days_overdue", ">", 0)])
        self.assertEqual(max(debtors.mapped("days_overdue")), 75)
        self.assertEqual(debtors.programme_id, self.programme)


@tagged("post_install", "-at_install")
class TestTuitionSettings(TuitionCommon):
    def test_settings_write_config_parameters(self):
        admin = new_test_user(
            self.env,
            login="tuition_admin",
            groups="base.group_system,edu_crm.group_edu_manager",
        )
        settings = (
            self.env["res.config.settings"]
            .with_user(admin)
            .create(
                {
                    "edu_tuition_invoice_mode": "activation",
                    "edu_tuition_invoice_days_before": 21,
                    "edu_forecast_default_probability": 0.65,
                }
            )
        )
        settings.execute()
        ICP = self.env["ir.config_parameter"].sudo()
        self.assertEqual(ICP.get_param("edu_crm.tuition_invoice_mode"), "activation")
        self.assertEqual(ICP.get_param("edu_crm.tuition_invoice_days_before"), "21")
        self.assertEqual(ICP.get_param("edu_crm.forecast_default_probability"), "0.65")
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].with_user(admin).create(
                {"edu_forecast_default_probability": 1.5}
            )
