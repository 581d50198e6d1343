"""Issue 12: the figures of the tuition pages, read off the rendered HTML.

By hand: a 900.00 price in three monthly instalments of 300.00; taxed at
20 % each instalment is 360.00, the contract 1,080.00 of which 180.00 taxes."""

import re

from lxml import html
from odoo import Command
from odoo.tests import tagged

from .test_tuition_portal import TuitionPortalCommon


def _numbers(text):
    return [
        float(value.replace(",", ""))
        for value in re.findall(r"\d{1,3}(?:,\d{3})*\.\d{2}", text)
    ]


@tagged("post_install", "-at_install")
class TestTuitionPortalAmounts(TuitionPortalCommon):
    """The student's and the sponsor's tuition pages: one basis (what the
    payer owes, taxes included), paid + due = amount on every row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.vat_20 = env["account.tax"].create(
            {
                "name": "VAT 20 %",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        product = env["product.product"].create(
            {
                "name": "Tuition taxed",
                "type": "service",
                "lst_price": 900.0,
                "taxes_id": [Command.set(cls.vat_20.ids)],
            }
        )
        cls.programme_taxed = env["edu.programme"].create(
            {
                "code": "TAX-P",
                "name": "Taxed Portal Studies",
                "product_id": product.id,
                "company_id": cls.company.id,
            }
        )
        cls.plan_3 = env["edu.payment.plan"].create(
            {"name": "3 months", "plan_type": "monthly", "instalment_count": 3}
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

    def _taxed_contract(self, payer=None, **vals):
        payer = payer or self.student
        contract = (
            self.env["edu.tuition.contract"]
            .with_company(self.company)
            .create(
                {
                    "student_id": self.student.id,
                    "programme_id": self.programme_taxed.id,
                    "company_id": self.company.id,
                    "plan_id": self.plan_3.id,
                    "date_start": self.today,
                    "payer_ids": [Command.create({"partner_id": payer.id})],
                    **vals,
                }
            )
        )
        contract.action_generate_schedule()
        contract.action_activate()
        return contract

    def _page(self, url, contract):
        """``(summary numbers, [(amount, paid, due), ...])`` of ``contract``
        on the page at ``url``."""
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.text)
        section = tree.xpath(
            f"//section[@aria-labelledby='cmr_contract_{contract.id}']"
        )
        self.assertEqual(len(section), 1, contract.name)
        summary = section[0].xpath(".//p[contains(@class, 'cmr_contract_amounts')]")
        rows = []
        for row in section[0].xpath(".//tr[contains(@class, 'cmr_instalment_row')]"):
            cells = [
                _numbers(
                    row.xpath(f".//td[contains(@class, '{name}')]")[0].text_content()
                )
                for name in (
                    "cmr_instalment_amount",
                    "cmr_instalment_paid",
                    "cmr_instalment_due",
                )
            ]
            rows.append(tuple(cell[0] for cell in cells))
        return _numbers(summary[0].text_content()), rows

    def assertRowsAddUp(self, rows):  # noqa: N802
        for amount, paid, due in rows:
            self.assertAlmostEqual(paid + due, amount, places=2)

    def test_taxed_tuition_page_adds_up(self):
        contract = self._taxed_contract()
        invoice = contract.instalment_ids.sorted("sequence")[0].invoice_ids
        self.assertEqual(invoice.amount_total, 360.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 100.0})._create_payments()
        self.authenticate("tu_student", "tu_student")
        summary, rows = self._page("/my/tuition", contract)
        # total, of which taxes, paid, due
        self.assertEqual(summary, [1080.0, 180.0, 100.0, 980.0])
        self.assertEqual(
            rows, [(360.0, 100.0, 260.0), (360.0, 0.0, 360.0), (360.0, 0.0, 360.0)]
        )
        self.assertRowsAddUp(rows)
        self.assertEqual(sum(row[0] for row in rows), summary[0])

    def test_untaxed_tuition_page_adds_up(self):
        """The contract of the common setup: a product without taxes."""
        self.authenticate("tu_student", "tu_student")
        summary, rows = self._page("/my/tuition", self.contract)
        # no tax: no "of which taxes" figure
        self.assertEqual(summary, [900.0, 0.0, 900.0])
        self.assertEqual(
            rows, [(300.0, 0.0, 300.0), (300.0, 0.0, 300.0), (300.0, 0.0, 300.0)]
        )

    def test_second_currency_page_adds_up(self):
        """900 in the company's currency is 1,800 in euros: 600 + 20 % a
        month, in euros on the page as on the invoices."""
        contract = self._taxed_contract(currency_id=self.eur.id)
        invoice = contract.instalment_ids.sorted("sequence")[0].invoice_ids
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.amount_total, 720.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 20.0, "currency_id": self.eur.id})._create_payments()
        self.authenticate("tu_student", "tu_student")
        response = self._get("/my/tuition")
        summary, rows = self._page("/my/tuition", contract)
        self.assertEqual(summary, [2160.0, 360.0, 20.0, 2140.0])
        self.assertEqual(
            rows, [(720.0, 20.0, 700.0), (720.0, 0.0, 720.0), (720.0, 0.0, 720.0)]
        )
        self.assertIn("€", response.text)

    def test_sponsor_page_reads_the_same_figures(self):
        contract = self._taxed_contract(payer=self.sponsor_org)
        self.student.cmr_sponsor_consent = True
        self.authenticate("tu_sponsor", "tu_sponsor")
        summary, rows = self._page(f"/my/sponsored/{self.student.id}", contract)
        self.assertEqual(summary, [1080.0, 180.0, 0.0, 1080.0])
        self.assertEqual(rows, [(360.0, 0.0, 360.0)] * 3)
        # and the student reads what the sponsor reads
        self.authenticate("tu_student", "tu_student")
        self.assertEqual(self._page("/my/tuition", contract), (summary, rows))
