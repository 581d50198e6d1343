"""Issue 12, tuition: the figures people read add up.

Every expected number below is computed by hand: a 1,000.00 price split in
three monthly instalments of 333.33, 333.33 and 333.34, taxed at 20 % (each
invoice rounds its own tax: 400.00, 400.00 and 400.01)."""

import re
from datetime import date

from freezegun import freeze_time
from lxml import html as lxml_html
from odoo import Command
from odoo.addons.sms.tests.common import MockSMS
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .test_tuition_common import TuitionCommon


def _numbers(text):
    """The amounts written in ``text`` ("1,200.01" -> 1200.01), in order."""
    return [
        float(value.replace(",", ""))
        for value in re.findall(r"\d{1,3}(?:,\d{3})*\.\d{2}", text)
    ]


class TaxedTuitionCommon(TuitionCommon):
    """The tuition product of the company is taxed at 20 % (excluded from its
    price); a fiscal position exempts the sponsor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.vat_20 = Tax.create(
            {
                "name": "VAT 20 %",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.vat_exempt = Tax.create(
            {
                "name": "VAT exempt",
                "amount": 0.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product_tuition.taxes_id = cls.vat_20
        cls.fpos_exempt = cls.env["account.fiscal.position"].create(
            {
                "name": "Exempt education sponsor",
                "company_id": cls.company.id,
                "tax_ids": [
                    Command.create(
                        {
                            "tax_src_id": cls.vat_20.id,
                            "tax_dest_id": cls.vat_exempt.id,
                        }
                    )
                ],
            }
        )

    def _rows(self, contract):
        return [
            (inst.amount_total, inst.amount_paid, inst.amount_residual)
            for inst in contract.instalment_ids.sorted("sequence")
        ]

    def assertRowsAddUp(self, contract):  # noqa: N802
        currency = contract.currency_id
        for amount, paid, due in self._rows(contract):
            self.assertFalse(currency.compare_amounts(paid + due, amount))
        self.assertFalse(
            currency.compare_amounts(
                contract.amount_paid + contract.amount_residual, contract.amount_total
            )
        )
        self.assertFalse(
            currency.compare_amounts(
                sum(contract.instalment_ids.mapped("amount_total")),
                contract.amount_total,
            )
        )


@tagged("post_install", "-at_install")
class TestTuitionAmounts(TaxedTuitionCommon):
    """One basis everywhere a payer looks: what they owe, taxes included;
    the untaxed part beside it for Accounting; paid + due = amount."""

    @freeze_time("2026-01-05")
    def test_taxed_contract_before_and_after_invoicing(self):
        contract = self._contract(plan=self.plan_monthly_3)
        self.assertRecordValues(
            contract,
            [
                {
                    "amount_price": 1000.0,
                    "amount_untaxed": 1000.0,
                    "amount_tax": 200.01,
                    "amount_total": 1200.01,
                    "amount_paid": 0.0,
                    "amount_residual": 1200.01,
                }
            ],
        )
        self.assertEqual(
            self._rows(contract),
            [(400.0, 0.0, 400.0), (400.0, 0.0, 400.0), (400.01, 0.0, 400.01)],
        )
        contract.with_user(self.bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        invoice = first.invoice_ids
        # what the page said before invoicing is what the invoice says
        self.assertRecordValues(
            invoice, [{"amount_untaxed": 333.33, "amount_total": 400.0}]
        )
        self.assertEqual(invoice.invoice_line_ids.tax_ids, self.vat_20)
        self._pay(invoice, 150.0)
        self.assertEqual(
            self._rows(contract),
            [(400.0, 150.0, 250.0), (400.0, 0.0, 400.0), (400.01, 0.0, 400.01)],
        )
        self.assertRecordValues(
            contract,
            [
                {
                    "amount_total": 1200.01,
                    "amount_invoiced": 400.0,
                    "amount_paid": 150.0,
                    "amount_residual": 1050.01,
                }
            ],
        )
        self.assertRowsAddUp(contract)

    @freeze_time("2026-01-05")
    def test_fully_paid_taxed_contract_adds_up(self):
        """The list of the issue: "Total 1,500, Paid 1,725, Due 0"."""
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        for invoice in contract.invoice_ids:
            self._pay(invoice, invoice.amount_total)
        self.assertRecordValues(
            contract,
            [
                {
                    "amount_total": 1200.01,
                    "amount_paid": 1200.01,
                    "amount_residual": 0.0,
                    "amount_untaxed": 1000.0,
                }
            ],
        )
        self.assertRowsAddUp(contract)

    @freeze_time("2026-01-05")
    def test_payers_split_with_a_fiscal_position(self):
        """The sponsor's fiscal position exempts its share, as on its invoice."""
        self.sponsor.with_company(
            self.company
        ).property_account_position_id = self.fpos_exempt
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(
            plan=self.plan_upfront,
            payers=[(self.student, 30.0), (self.sponsor, 70.0)],
        )
        # student 300 + 20 % = 360, sponsor 700 exempt
        self.assertRecordValues(
            contract,
            [{"amount_untaxed": 1000.0, "amount_tax": 60.0, "amount_total": 1060.0}],
        )
        contract.with_user(self.bursar).action_activate()
        invoices = contract.invoice_ids
        self.assertEqual(sum(invoices.mapped("amount_total")), 1060.0)
        sponsor_invoice = invoices.filtered(lambda m: m.partner_id == self.sponsor)
        self.assertEqual(sponsor_invoice.fiscal_position_id, self.fpos_exempt)
        self.assertEqual(sponsor_invoice.amount_total, 700.0)
        self.assertEqual(contract.amount_total, 1060.0)

    def test_price_including_the_tax(self):
        included = self.vat_20.copy(
            {"name": "VAT 20 % incl.", "price_include_override": "tax_included"}
        )
        self.product_tuition.taxes_id = included
        contract = self._contract(plan=self.plan_upfront)
        self.assertRecordValues(
            contract,
            [
                {
                    "amount_price": 1000.0,
                    "amount_untaxed": 833.33,
                    "amount_tax": 166.67,
                    "amount_total": 1000.0,
                }
            ],
        )

    def test_untaxed_company(self):
        """A second company whose tuition carries no tax: every figure is the
        price."""
        other = self.setup_other_company(name="Untaxed College")["company"]
        product = self.env["product.product"].create(
            {
                "name": "Tuition untaxed",
                "type": "service",
                "lst_price": 900.0,
                "taxes_id": [Command.clear()],
                "company_id": other.id,
            }
        )
        programme = self.env["edu.programme"].create(
            {
                "code": "UNT",
                "name": "Untaxed Studies",
                "product_id": product.id,
                "company_id": other.id,
            }
        )
        contract = (
            self.env["edu.tuition.contract"]
            .with_company(other)
            .create(
                {
                    "student_id": self.student.id,
                    "programme_id": programme.id,
                    "company_id": other.id,
                    "plan_id": self.plan_monthly_3.id,
                    "date_start": "2026-01-10",
                    "payer_ids": [Command.create({"partner_id": self.student.id})],
                }
            )
        )
        contract.action_generate_schedule()
        self.assertRecordValues(
            contract,
            [
                {
                    "amount_price": 900.0,
                    "amount_untaxed": 900.0,
                    "amount_tax": 0.0,
                    "amount_total": 900.0,
                    "amount_residual": 900.0,
                }
            ],
        )
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("amount_total"),
            [300.0, 300.0, 300.0],
        )

    @freeze_time("2026-01-05")
    def test_second_currency(self):
        """A contract in another currency: its figures are in that currency,
        as its invoices are (not in the company's)."""
        other_currency = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(
            plan=self.plan_monthly_3, currency_id=other_currency.id
        )
        # 1,000 in the company currency is 2,000 in the contract's
        self.assertEqual(contract.amount_price, 2000.0)
        # 666.67 + 20 % = 800.00, twice, 666.66 + 20 % = 799.99
        self.assertEqual(contract.amount_total, 2399.99)
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(contract.invoice_ids.currency_id, other_currency)
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("amount_total"),
            contract.instalment_ids.sorted("sequence").invoice_ids.mapped(
                "amount_total"
            ),
        )
        invoice = contract.instalment_ids.sorted("sequence")[0].invoice_ids
        self._pay(invoice, 300.0)
        self.assertEqual(self._rows(contract)[0], (800.0, 300.0, 500.0))
        self.assertEqual(contract.amount_residual, 2099.99)
        self.assertRowsAddUp(contract)

    @freeze_time("2026-01-05")
    def test_contract_form_reads_what_adds_up(self):
        """The contract form as the bursar sees it."""
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        self._pay(contract.instalment_ids.sorted("sequence")[0].invoice_ids, 150.0)
        form = Form(contract.with_user(self.bursar))
        self.assertEqual(
            (form.amount_untaxed, form.amount_tax, form.amount_total),
            (1000.0, 200.01, 1200.01),
        )
        self.assertEqual((form.amount_paid, form.amount_residual), (150.0, 1050.01))
        rows = [
            (row["amount_total"], row["amount_paid"], row["amount_residual"])
            for row in form.instalment_ids._records
        ]
        self.assertEqual(
            rows, [(400.0, 150.0, 250.0), (400.0, 0.0, 400.0), (400.01, 0.0, 400.01)]
        )

    @freeze_time("2026-01-05")
    def test_contract_pdf_reads_what_the_invoices_say(self):
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        document = contract.document_id
        html = (
            self.env["ir.actions.report"]
            .with_user(self.bursar)
            ._render_qweb_html(document.type_id.report_id, document.ids)[0]
        )
        tree = lxml_html.fromstring(html)
        rows = [
            _numbers(row.text_content())
            for row in tree.xpath("//tr[contains(@class, 'edu_instalment')]")
        ]
        # untaxed, amount (taxes included): the invoices' figures
        self.assertEqual(
            rows,
            [
                [333.33, 400.0],
                [333.33, 400.0],
                [333.34, 400.01],
                [1000.0, 1200.01],
            ],
        )
        text = tree.text_content()
        self.assertIn("1,200.01", text)
        self.assertIn("200.01", text)

    def test_tax_amounts_query_count_flat(self):
        """Taxing 5 or 40 instalments of the same payers costs the same."""
        schedules = []
        for count in (5, 40):
            plan = self.env["edu.payment.plan"].create(
                {"name": f"{count}", "plan_type": "monthly", "instalment_count": count}
            )
            contract = self._contract(
                plan=plan, payers=[(self.student, 40.0), (self.sponsor, 60.0)]
            )
            self.assertEqual(len(contract.instalment_ids), count)
            schedules.append(contract.instalment_ids)
        self.env.flush_all()
        counts = []
        for instalments in schedules:
            # warm the ormcaches (record rules, taxes) up, read from the database
            self.env.invalidate_all()
            instalments.browse(instalments.ids)._edu_tax_amounts()
            self.env.invalidate_all()
            # a fresh recordset: prefetching as a recomputation does
            instalments = instalments.browse(instalments.ids)
            start = self.env.cr.sql_log_count
            amounts = instalments._edu_tax_amounts()
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(len(amounts), len(instalments))
        self.assertEqual(counts[0], counts[1], counts)


@tagged("post_install", "-at_install")
class TestLateActivation(TaxedTuitionCommon):
    """A student enrolled after the start of the intake: activating the
    contract does not bill in the past, the reminders wait for the invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_tuition.taxes_id = [Command.clear()]
        Stage = cls.env["edu.reminder.stage"]
        cls.stage_3 = Stage.create(
            {
                "name": "Email",
                "days_overdue": 3,
                "mail_template_id": cls.env.ref(
                    "edu_crm.mail_template_tuition_reminder_friendly"
                ).id,
            }
        )
        cls.stage_60 = Stage.create(
            {"name": "Suspend", "days_overdue": 60, "propose_suspension": True}
        )

    def _late_contract(self, **vals):
        # the intake started on 10 January, the student enrols on 10 April
        return self._contract(plan=self.plan_monthly_3, date_start="2026-01-10", **vals)

    def _run(self, day):
        with freeze_time(day):
            self.env["edu.reminder.log"].sudo()._cron_process_reminders()

    @freeze_time("2026-04-10")
    def test_past_instalments_move_to_the_grace_date(self):
        contract = self._late_contract()
        form = Form(contract.with_user(self.bursar))
        self.assertIn("3 instalment(s)", form.activation_warning)
        self.assertIn("04/24/2026", form.activation_warning)
        self.assertIn("14 days", form.activation_warning)
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(
            contract.instalment_ids.mapped("due_date"), [date(2026, 4, 24)] * 3
        )
        invoices = contract.invoice_ids
        self.assertEqual(len(invoices), 3, "all due within the invoicing lead time")
        self.assertEqual(set(invoices.mapped("invoice_date_due")), {date(2026, 4, 24)})
        self.assertFalse(contract.activation_warning)
        self.assertTrue(
            any("04/24/2026" in (m.body or "") for m in contract.message_ids)
        )
        self._run("2026-04-26")
        self.assertFalse(contract.instalment_ids.reminder_log_ids)
        self._run("2026-04-27")
        self.assertEqual(
            contract.instalment_ids.reminder_log_ids.stage_id, self.stage_3
        )
        self.assertFalse(contract.suspension_proposed)

    @freeze_time("2026-02-05")
    def test_later_instalments_within_the_grace_move_with_them(self):
        contract = self._late_contract()
        # due 10 Jan (past), 10 Feb (within the grace: 19 Feb), 10 Mar
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(
            contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [date(2026, 2, 19), date(2026, 2, 19), date(2026, 3, 10)],
        )

    @freeze_time("2026-04-10")
    def test_grace_from_the_settings(self):
        # Accounting's test taxes are cash basis: the settings say so
        self.company.tax_exigibility = True
        settings = Form(self.env["res.config.settings"])
        settings.edu_tuition_grace_days = 30
        settings.save().execute()
        self.assertEqual(self.company.edu_tuition_grace_days, 30)
        contract = self._late_contract()
        contract.with_user(self.bursar).action_activate()
        self.assertEqual(
            set(contract.instalment_ids.mapped("due_date")), {date(2026, 5, 10)}
        )

    @freeze_time("2026-04-10")
    def test_bursar_keeps_the_dates_and_reminders_wait_for_the_invoice(self):
        contract = self._late_contract()
        with Form(contract.with_user(self.bursar)) as form:
            form.past_due_policy = "keep"
            self.assertIn("keep their due dates", form.activation_warning)
        contract.with_user(self.bursar).action_activate()
        first = contract.instalment_ids.sorted("sequence")[0]
        self.assertEqual(first.due_date, date(2026, 1, 10))
        self.assertEqual(first.invoice_ids.invoice_date, date(2026, 4, 10))
        # 90 days past the due date, but the invoice is 2 days old
        self._run("2026-04-12")
        self.assertFalse(contract.instalment_ids.reminder_log_ids)
        self.assertFalse(contract.suspension_proposed)
        # the invoice is 3 days old: the first stage, not the suspension
        self._run("2026-04-13")
        self.assertEqual(
            contract.instalment_ids.reminder_log_ids.stage_id, self.stage_3
        )
        self.assertFalse(contract.suspension_proposed)
        self._run("2026-06-09")
        self.assertTrue(contract.suspension_proposed)

    @freeze_time("2026-04-10")
    def test_the_choice_is_a_term_of_the_draft(self):
        contract = self._late_contract()
        contract.with_user(self.bursar).action_activate()
        with self.assertRaisesRegex(UserError, "not a draft"):
            contract.with_user(self.bursar).past_due_policy = "keep"
        self.assertEqual(contract.past_due_policy, "grace")


@tagged("post_install", "-at_install")
class TestContractClosesWhenSettled(TaxedTuitionCommon):
    def _active(self, **vals):
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        with freeze_time("2026-01-05"):
            contract = self._contract(plan=self.plan_monthly_3, **vals)
            contract.with_user(self.bursar).action_activate()
        return contract

    def test_last_payment_closes_the_contract(self):
        contract = self._active()
        invoices = contract.instalment_ids.sorted("sequence").invoice_ids
        self._pay(invoices[0], invoices[0].amount_total)
        self._pay(invoices[1], invoices[1].amount_total)
        self._pay(invoices[2], 100.0)
        self.assertEqual(contract.state, "active", "one instalment is partly paid")
        # an accountant registers the last payment
        accountant = new_test_user(
            self.env,
            login="tuition_accountant",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.env["account.payment.register"].with_user(accountant).with_context(
            active_model="account.move", active_ids=invoices[2].ids
        ).create({"amount": invoices[2].amount_residual})._create_payments()
        self.assertEqual(contract.state, "closed")
        self.env.flush_all()
        self.env.cr.precommit.run()  # the chatter's tracking
        tracked = contract.sudo().message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "state" and v.new_value_char == "Closed"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(
            tracked.mail_message_id.author_id, self.env.ref("base.partner_root")
        )

    def test_credit_note_of_the_last_open_instalment_closes(self):
        contract = self._active(plan_id=self.plan_upfront.id)
        invoice = contract.invoice_ids
        self._pay(invoice, 500.0)
        invoice._edu_credit_residual()
        # what was paid stays paid, the rest is credited: settled
        self.assertEqual(contract.instalment_ids.payment_state, "paid")
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.amount_total, 500.0)
        self.assertEqual(contract.amount_paid, 500.0)

    def test_cancelling_a_contract_does_not_close_it(self):
        contract = self._active()
        first = contract.instalment_ids.sorted("sequence")[0]
        self._pay(first.invoice_ids, first.invoice_ids.amount_total)
        contract.with_user(self.bursar)._edu_cancel("credit")
        self.assertEqual(contract.state, "cancelled")
        # never closed on the way (crediting the unpaid instalments settles
        # them all before the contract is cancelled)
        self.assertFalse(
            contract.message_ids.filtered(
                lambda m: "Closed automatically" in (m.body or "")
            )
        )


@tagged("post_install", "-at_install")
class TestInvoiceInstalmentNow(TaxedTuitionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-05"):
            cls.contract = cls._contract(plan=cls.plan_monthly_3)
            cls.contract.with_user(cls.bursar).action_activate()
        cls.first, cls.second, cls.third = cls.contract.instalment_ids.sorted(
            "sequence"
        )
        cls.portal = new_test_user(
            cls.env, login="tuition_portal", groups="base.group_portal"
        )

    @freeze_time("2026-01-06")
    def test_bursar_invoices_an_instalment_now(self):
        self.assertEqual(self.third.payment_state, "to_invoice")
        self.third.with_user(self.bursar).action_invoice_now()
        self.assertEqual(self.third.payment_state, "not_paid")
        self.assertRecordValues(
            self.third.invoice_ids,
            [
                {
                    "invoice_date": date(2026, 1, 6),
                    "invoice_date_due": date(2026, 3, 10),
                    "amount_total": 400.01,
                    "state": "posted",
                }
            ],
        )
        self.assertEqual(self.second.payment_state, "to_invoice")

    def test_refused_to_others_and_to_what_cannot_be_invoiced(self):
        for user in (self.clerk, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.third.with_user(user).action_invoice_now()
        with self.assertRaisesRegex(UserError, "cannot be invoiced now"):
            self.first.with_user(self.bursar).action_invoice_now()
        draft = self._contract(plan=self.plan_monthly_3, student_id=self.student_2.id)
        with self.assertRaisesRegex(UserError, "cannot be invoiced now"):
            draft.instalment_ids.with_user(self.bursar).action_invoice_now()
        # all or nothing
        with self.assertRaisesRegex(UserError, "cannot be invoiced now"):
            (self.third | self.first).with_user(self.bursar).action_invoice_now()
        self.assertFalse(self.third.invoice_ids)
        self.assertFalse(draft.invoice_ids)

    def test_button_on_the_instalments(self):
        arch = self.env["edu.tuition.contract"].get_view(
            self.env.ref("edu_crm.edu_tuition_contract_view_form").id
        )["arch"]
        self.assertIn('name="action_invoice_now"', arch)
        arch = self.env["edu.tuition.instalment"].get_view(view_type="form")["arch"]
        self.assertIn('name="action_invoice_now"', arch)


@tagged("post_install", "-at_install")
class TestContractsListShowsDrafts(TuitionCommon):
    def test_menu_lists_drafts_to_activate(self):
        draft = self._contract()
        active = self._contract(student_id=self.student_2.id)
        active.with_user(self.bursar).action_activate()
        action = self.env.ref("edu_crm.edu_tuition_contract_action")
        context = safe_eval(action.context)
        Contract = self.env["edu.tuition.contract"].with_user(self.bursar)
        arch = lxml_html.fromstring(Contract.get_view(view_type="search")["arch"])
        filters = {node.get("name"): node for node in arch.iter("filter")}
        self.assertEqual(filters["to_activate"].get("string"), "To activate")
        defaults = [
            safe_eval(filters[key[len("search_default_") :]].get("domain"))
            for key, value in context.items()
            if key.startswith("search_default_") and value
        ]
        # filters of one group are alternatives
        domain = ["|"] * (len(defaults) - 1) + [leaf for d in defaults for leaf in d]
        shown = Contract.search(domain + [("id", "in", (draft | active).ids)])
        self.assertEqual(shown, draft | active)
        self.assertEqual(
            Contract.search(
                safe_eval(filters["to_activate"].get("domain"))
                + [("id", "in", (draft | active).ids)]
            ),
            draft,
        )


@tagged("post_install", "-at_install")
class TestReminderSmsOutcome(TuitionCommon, MockSMS):
    """The reminder history says when an SMS of a stage did not go out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        cls.stage_sms = cls.env["edu.reminder.stage"].create(
            {
                "name": "SMS",
                "days_overdue": 3,
                "sms_template_id": cls.env.ref(
                    "edu_crm.sms_template_tuition_reminder"
                ).id,
            }
        )
        with freeze_time("2026-01-05"):
            # the student has a mobile number, the second student none
            cls.with_number = cls._contract(plan=cls.plan_upfront)
            cls.without_number = cls._contract(
                plan=cls.plan_upfront,
                student_id=cls.student_2.id,
                payers=[(cls.student_2, 100.0)],
            )
            (cls.with_number | cls.without_number).with_user(
                cls.bursar
            ).action_activate()

    def _log(self, contract):
        return contract.instalment_ids.reminder_log_ids

    def _run(self):
        with freeze_time("2026-01-14"):
            self.env["edu.reminder.log"].sudo()._cron_process_reminders()

    def test_no_number_is_a_failure_at_once(self):
        self._run()
        self.assertRecordValues(
            self._log(self.without_number),
            [{"stage_id": self.stage_sms.id, "state": "failed", "sms_count": 1}],
        )
        sms = self._log(self.without_number).sudo().sms_ids
        self.assertEqual(sms.failure_type, "sms_number_missing")
        self.assertRecordValues(
            self._log(self.with_number), [{"state": "done", "sms_count": 1}]
        )

    def test_provider_refusal_marks_the_log_failed(self):
        self._run()
        log = self._log(self.with_number)
        self.assertEqual(log.state, "done")
        with self.mockSMSGateway(sim_error="credit"):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(log.sudo().sms_ids.state, "error")
        self.assertEqual(log.state, "failed")
        list_view = self.env["edu.reminder.log"].get_view(view_type="list")["arch"]
        self.assertIn("decoration-danger", list_view)
        self.assertEqual(
            dict(self.env["edu.reminder.log"]._fields["state"].selection)["failed"],
            "SMS Failed",
        )
        # the stage was applied: not planned again
        self._run()
        self.assertEqual(len(self._log(self.with_number)), 1)

    def test_sent_sms_keeps_the_log_done(self):
        self._run()
        log = self._log(self.with_number)
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(log.state, "done")
        # the queue may hold other SMS of the database: this log's went out once
        sent = [sms["number"] for sms in self._sms]
        self.assertEqual(sent.count(log.sudo().sms_ids.number), 1)
