from datetime import date

from freezegun import freeze_time
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestTuitionSchedule(TuitionCommon):
    def test_schedule_monthly_rounding_last_absorbs(self):
        contract = self._contract(plan=self.plan_monthly_3, list_price=1000.0)
        amounts = contract.instalment_ids.sorted("sequence").mapped("amount")
        self.assertEqual(amounts, [333.33, 333.33, 333.34])
        self.assertAlmostEqual(sum(amounts), 1000.0, places=6)
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)],
        )

    def test_schedule_semester_custom_and_discounts(self):
        semester = self.env["edu.payment.plan"].create(
            {"name": "Sem", "plan_type": "semester", "instalment_count": 2}
        )
        contract = self._contract(
            plan=semester, discount=10.0, scholarship_amount=100.01
        )
        # 1000 - 10 % - 100.01 = 799.99 -> 400.00 + 399.99
        self.assertEqual(contract.amount_total, 799.99)
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("amount"),
            [400.0, 399.99],
        )
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [date(2026, 1, 10), date(2026, 7, 10)],
        )
        custom = self.env["edu.payment.plan"].create(
            {
                "name": "Custom",
                "plan_type": "custom",
                "line_ids": [
                    Command.create({"percentage": 33.3333, "delay_days": 0}),
                    Command.create({"percentage": 33.3333, "delay_days": 45}),
                    Command.create({"percentage": 33.3334, "delay_months": 4}),
                ],
            }
        )
        contract = self._contract(plan=custom, list_price=100.0)
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("amount"),
            [33.33, 33.33, 33.34],
        )
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [date(2026, 1, 10), date(2026, 2, 24), date(2026, 5, 10)],
        )

    def test_schedule_zero_decimal_currency(self):
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        self.assertEqual(jpy.rounding, 1.0)
        contract = self._contract(
            plan=self.plan_monthly_3, currency_id=jpy.id, list_price=100000.0
        )
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("amount"),
            [33333.0, 33333.0, 33334.0],
        )

    def test_schedule_sums_exactly_for_many_totals(self):
        plan = self.env["edu.payment.plan"].create(
            {"name": "7 months", "plan_type": "monthly", "instalment_count": 7}
        )
        for total in (0.01, 0.07, 99.99, 1234.56, 10000.0):
            schedule = plan._edu_schedule(total, self.currency, date(2026, 1, 1))
            self.assertEqual(len(schedule), 7)
            self.assertTrue(
                self.currency.is_zero(sum(a for _d, a in schedule) - total), total
            )

    def test_form_takes_price_from_programme_product(self):
        with Form(self.env["edu.tuition.contract"].with_user(self.clerk)) as form:
            form.student_id = self.student
            form.programme_id = self.programme
            self.assertEqual(form.product_id, self.product_tuition)
            self.assertEqual(form.list_price, 1000.0)
            form.discount = 25.0
            self.assertEqual(form.amount_total, 750.0)
            with form.payer_ids.new() as payer:
                payer.partner_id = self.student
                payer.share = 100.0
        self.assertEqual(form.record.amount_total, 750.0)
        self.assertTrue(form.record.name.startswith("TC/"))


@tagged("post_install", "-at_install")
class TestTuitionBadInput(TuitionCommon):
    def test_shares_must_sum_to_100(self):
        with self.assertRaisesRegex(ValidationError, "add up to 90"):
            self._contract(payers=[(self.student, 40.0), (self.sponsor, 50.0)])
        self.assertFalse(
            self.env["edu.tuition.contract"].search(
                [("student_id", "=", self.student.id)]
            )
        )

    def test_contract_without_payer_cannot_activate(self):
        contract = self._contract()
        contract.payer_ids = [Command.clear()]
        with self.assertRaisesRegex(UserError, "has no payer"):
            contract.with_user(self.bursar).action_activate()
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.invoice_ids)

    def test_due_dates_out_of_order(self):
        contract = self._contract(plan=self.plan_monthly_3)
        first = contract.instalment_ids.sorted("sequence")[0]
        with self.assertRaisesRegex(ValidationError, "out of order"):
            first.due_date = date(2026, 6, 1)
        self.assertEqual(first.due_date, date(2026, 1, 10))

    def test_schedule_must_match_total(self):
        contract = self._contract(plan=self.plan_monthly_3)
        contract.instalment_ids.sorted("sequence")[0].amount = 300.0
        with self.assertRaisesRegex(UserError, "add up to"):
            contract.with_user(self.bursar).action_activate()
        self.assertEqual(contract.state, "draft")

    def test_bad_plan_and_price(self):
        with self.assertRaisesRegex(ValidationError, "not 100"):
            self.env["edu.payment.plan"].create(
                {
                    "name": "Bad",
                    "plan_type": "custom",
                    "line_ids": [Command.create({"percentage": 60.0})],
                }
            )
        with self.assertRaisesRegex(ValidationError, "exceed"):
            self._contract(scholarship_amount=1500.0)

    def test_clerk_cannot_activate(self):
        contract = self._contract(user=self.clerk)
        with self.assertRaises(AccessError):
            contract.with_user(self.clerk).action_activate()
        self.assertEqual(contract.state, "draft")


@tagged("post_install", "-at_install")
class TestTuitionInvoicing(TuitionCommon):
    @freeze_time("2026-01-05")
    def test_activation_invoices_within_lead_time_then_cron(self):
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(contract.state, "active")
        first, second, third = contract.instalment_ids.sorted("sequence")
        # only the instalment due within 14 days is invoiced at activation
        self.assertEqual(first.payment_state, "not_paid")
        self.assertEqual((second | third).mapped("payment_state"), ["to_invoice"] * 2)
        invoice = first.invoice_ids
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.student.id,
                    "amount_total": 333.33,
                    "invoice_date_due": date(2026, 1, 10),
                    "edu_contract_id": contract.id,
                }
            ],
        )
        self.assertTrue(contract.document_id, "the contract PDF is issued")
        with freeze_time("2026-01-28"):
            self.env["edu.tuition.instalment"]._cron_create_invoices()
            self.assertEqual(second.payment_state, "not_paid")
            self.assertEqual(third.payment_state, "to_invoice")
            # running again creates nothing more
            self.env["edu.tuition.instalment"]._cron_create_invoices()
            self.assertEqual(len(contract.invoice_ids), 2)

    @freeze_time("2026-01-05")
    def test_activation_mode_invoices_everything(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(
            plan=self.plan_monthly_3,
            payers=[(self.student, 30.0), (self.sponsor, 70.0)],
        )
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(len(contract.invoice_ids), 6)
        first = contract.instalment_ids.sorted("sequence")[0]
        self.assertEqual(
            sorted(first.invoice_ids.mapped("amount_total")), [100.0, 233.33]
        )
        self.assertEqual(first.invoice_ids.partner_id, self.student | self.sponsor)
        self.assertAlmostEqual(sum(contract.invoice_ids.mapped("amount_total")), 1000.0)

    @freeze_time("2026-01-05")
    def test_payment_states_follow_accounting(self):
        contract = self._contract()
        contract.with_user(self.bursar).action_activate()
        instalment = contract.instalment_ids
        invoice = instalment.invoice_ids
        self.assertEqual(instalment.payment_state, "not_paid")
        self._pay(invoice, 400.0)
        self.assertRecordValues(
            instalment,
            [
                {
                    "payment_state": "partial",
                    "amount_paid": 400.0,
                    "amount_residual": 600.0,
                }
            ],
        )
        self.assertEqual(contract.amount_paid, 400.0)
        self._pay(invoice, 600.0)
        self.assertEqual(instalment.payment_state, "paid")
        self.assertEqual(instalment.amount_residual, 0.0)
        # paid in full: the contract closes by itself (issue 12), and a
        # closed contract is not closed twice
        self.assertEqual(contract.state, "closed")
        with self.assertRaisesRegex(UserError, "Only active contracts"):
            contract.with_user(self.bursar).action_close()

    @freeze_time("2026-01-05")
    def test_credit_note_updates_instalment(self):
        contract = self._contract()
        contract.with_user(self.bursar).action_activate()
        instalment = contract.instalment_ids
        invoice = instalment.invoice_ids
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "error"})
        )
        reversal.refund_moves()
        refund = instalment.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertTrue(refund, "the credit note is linked to the instalment")
        refund.action_post()  # accounting reconciles it with the invoice
        self.assertEqual(instalment.payment_state, "cancelled")
        self.assertEqual(instalment.amount_residual, 0.0)
        self.assertEqual(instalment.amount_paid, 0.0)


@tagged("post_install", "-at_install")
class TestTuitionCancel(TuitionCommon):
    @freeze_time("2026-01-05")
    def _active_contract(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        return contract

    def test_cancel_with_credit_notes(self):
        contract = self._active_contract()
        first, second, third = contract.instalment_ids.sorted("sequence")
        self._pay(first.invoice_ids, 333.33)
        self._pay(second.invoice_ids, 100.0)
        wizard = (
            self.env["edu.tuition.cancel.wizard"]
            .with_user(self.bursar)
            .create({"contract_id": contract.id, "mode": "credit"})
        )
        self.assertEqual(wizard.unpaid_count, 1)
        self.assertEqual(wizard.partial_count, 1)
        self.assertAlmostEqual(wizard.amount_unpaid, 233.33 + 333.34)
        wizard.action_confirm()
        self.assertEqual(contract.state, "cancelled")
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(second.amount_paid, 100.0)
        self.assertEqual(second.amount_residual, 0.0)
        self.assertEqual(third.payment_state, "cancelled")
        self.assertEqual(
            third.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").state,
            "posted",
        )
        self.assertEqual(
            len(contract.invoice_ids.filtered(lambda m: m.move_type == "out_refund")), 2
        )
        self.assertEqual(contract.amount_residual, 0.0)

    def test_cancel_cancels_unpaid_invoices(self):
        contract = self._active_contract()
        wizard = (
            self.env["edu.tuition.cancel.wizard"]
            .with_user(self.bursar)
            .create({"contract_id": contract.id, "mode": "cancel"})
        )
        wizard.action_confirm()
        self.assertEqual(set(contract.invoice_ids.mapped("state")), {"cancel"})
        self.assertEqual(
            set(contract.instalment_ids.mapped("payment_state")), {"cancelled"}
        )

    def test_cannot_cancel_fully_paid(self):
        # with a sales tax on the product: invoices total more than the price
        self.product_tuition.taxes_id = self.tax_sale_a
        contract = self._active_contract()
        self.assertGreater(
            sum(contract.invoice_ids.mapped("amount_total")), contract.amount_price
        )
        self.assertEqual(
            sum(contract.invoice_ids.mapped("amount_total")), contract.amount_total
        )
        for invoice in contract.invoice_ids:
            self._pay(invoice, invoice.amount_total)
        # paid in full, taxes included: closed by itself (issue 12)
        self.assertEqual(contract.state, "closed")
        with self.assertRaisesRegex(UserError, "already closed"):
            contract.with_user(self.bursar).action_open_cancel_wizard()
        with self.assertRaisesRegex(UserError, "already closed"):
            contract.with_user(self.bursar)._edu_cancel("credit")
        self.assertEqual(contract.state, "closed")
        self.assertFalse(
            contract.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        )
