"""Issue 12, tuition: the figures people read add up.

Every expected number below is computed by hand: a 1,000.00 price split in
three monthly instalments of 333.33, 333.33 and 333.34, taxed at 20 % (each
invoice rounds its own tax: 400.00, 400.00 and 400.01)."""

import re

from freezegun import freeze_time
from lxml import html as lxml_html
from odoo import Command
from odoo.tests import Form, tagged

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
