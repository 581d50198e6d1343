"""Issue 12, portal findings 4 and 5 (split from test_tuition_page_truth.py):
one word for "paid" on a page, in uk, ru and bg; every figure adds up (per
row paid + due = amount, the invoices of the payers add up to the row, the
summary is the sum of the rows, taxes included, in a second currency).

By hand for (5): a 900.00 price in three monthly instalments of 300.00 in
the company's currency is 600.00 in euros (rate 2), 720.00 with 20 % tax;
the student pays 60 % (432.00), the sponsor 40 % (288.00) of each."""

import re

from odoo import Command
from odoo.tests import tagged

from .test_tuition_amounts import _numbers
from .test_tuition_page_truth import TuitionTruthCommon

LANGS = {"uk": "uk_UA", "ru": "ru_RU", "bg": "bg_BG"}


class SplitTaxedCommon(TuitionTruthCommon):
    """A taxed contract in euros, paid 60 % by the student and 40 % by the
    sponsor (see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        programme = cls._taxed_programme()
        plan = env["edu.payment.plan"].create(
            {"name": "3 months", "plan_type": "monthly", "instalment_count": 3}
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        cls.split = (
            env["edu.tuition.contract"]
            .with_company(cls.company)
            .create(
                {
                    "student_id": cls.student.id,
                    "programme_id": programme.id,
                    "company_id": cls.company.id,
                    "currency_id": cls.eur.id,
                    "plan_id": plan.id,
                    "date_start": cls.today,
                    "payer_ids": [
                        Command.create(
                            {"partner_id": cls.student.id, "share": 60.0, "sequence": 1}
                        ),
                        Command.create(
                            {
                                "partner_id": cls.sponsor_org.id,
                                "share": 40.0,
                                "sequence": 2,
                            }
                        ),
                    ],
                }
            )
        )
        cls.split.action_generate_schedule()
        cls.split.action_activate()
        cls.split_rows = cls.split.instalment_ids.sorted("sequence")
        cls.split_rows[1]._edu_create_invoices()
        cls.student.cmr_sponsor_consent = True

    @classmethod
    def _taxed_programme(cls):
        """A programme of 900.00 with 20 % VAT."""
        env = cls.env
        vat = env["account.tax"].create(
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
                "taxes_id": [Command.set(vat.ids)],
            }
        )
        return env["edu.programme"].create(
            {
                "code": "TRUTH-P",
                "name": "Split Studies",
                "product_id": product.id,
                "company_id": cls.company.id,
            }
        )

    @staticmethod
    def _invoices(instalment, partner):
        return instalment.invoice_ids.filtered(
            lambda i: i.partner_id.commercial_partner_id == partner
        )


@tagged("post_install", "-at_install")
class TestTuitionFigures(SplitTaxedCommon):
    """Finding 5: every figure of the page, sponsor shares included."""

    def _section(self, tree, contract):
        section = tree.xpath(
            f"//section[@aria-labelledby='cmr_contract_{contract.id}']"
        )
        self.assertEqual(len(section), 1, contract.name)
        return section[0]

    def _figures(self, url, contract):
        """``(summary, rows)``: the summary numbers of ``contract``, and per
        row ``(amount, paid, due, [sponsor share amounts])``."""
        section = self._section(self._tree(url), contract)
        summary = _numbers(
            section.xpath(".//p[hasclass('cmr_contract_amounts')]")[0].text_content()
        )
        rows = []
        for row in section.xpath(".//tr[hasclass('cmr_instalment_row')]"):

            def cell(name, row=row):
                [found] = row.xpath(f".//td[hasclass('{name}')]")
                return _numbers(found.text_content())

            shares = [
                _numbers(span.text_content())[0]
                for span in row.xpath(".//span[hasclass('cmr_share_amount')]")
            ]
            rows.append(
                (
                    cell("cmr_instalment_amount")[0],
                    cell("cmr_instalment_paid")[0],
                    cell("cmr_instalment_due")[0],
                    shares,
                )
            )
        return summary, rows

    def assertPageAddsUp(self, summary, rows):  # noqa: N802
        for amount, paid, due, _shares in rows:
            self.assertAlmostEqual(paid + due, amount, places=2)
        total, tax, paid, due = summary
        self.assertAlmostEqual(total, sum(r[0] for r in rows), places=2)
        self.assertAlmostEqual(paid, sum(r[1] for r in rows), places=2)
        self.assertAlmostEqual(due, sum(r[2] for r in rows), places=2)
        self.assertAlmostEqual(tax, self.split.amount_tax, places=2)

    def test_split_second_currency_page(self):
        first, second, third = self.split_rows
        own_1 = self._invoices(first, self.student)
        sponsor_1 = self._invoices(first, self.sponsor_org)
        self.assertEqual((own_1.currency_id, own_1.amount_total), (self.eur, 432.0))
        self.assertEqual(sponsor_1.amount_total, 288.0)
        # the student pays 100 of their share, the sponsor its whole share
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=own_1.ids
        ).create({"amount": 100.0, "currency_id": self.eur.id})._create_payments()
        self._pay_in_full(sponsor_1)
        self.authenticate("tu_student", "tu_student")
        summary, rows = self._figures("/my/tuition", self.split)
        # total, of which taxes, paid, due (by hand, see the docstring)
        self.assertEqual(summary, [2160.0, 360.0, 388.0, 1772.0])
        self.assertEqual(
            rows,
            [
                (720.0, 388.0, 332.0, [288.0]),
                (720.0, 0.0, 720.0, [288.0]),
                (720.0, 0.0, 720.0, []),  # not invoiced: no share yet
            ],
        )
        self.assertPageAddsUp(summary, rows)
        # the student's invoice and the sponsor's share make the row
        for instalment, (amount, _paid, _due, shares) in zip(
            (first, second), rows, strict=False
        ):
            own = self._invoices(instalment, self.student).amount_total
            self.assertAlmostEqual(own + sum(shares), amount, places=2)
        page = self._get("/my/tuition").text
        self.assertIn("€", page)
        # the sponsor reads the same figures of the same contract
        self.authenticate("tu_sponsor", "tu_sponsor")
        sponsor_summary, sponsor_rows = self._figures(
            f"/my/sponsored/{self.student.id}", self.split
        )
        self.assertEqual(sponsor_summary, summary)
        self.assertEqual([row[:3] for row in sponsor_rows], [row[:3] for row in rows])

    def test_pay_page_total_is_the_sum_of_its_lines(self):
        first, second, _third = self.split_rows
        self.authenticate("tu_student", "tu_student")
        tree = self._tree(
            f"/my/tuition/pay?instalment_ids={first.id}&instalment_ids={second.id}"
        )
        lines = [
            _numbers(row.text_content())[-1]
            for row in tree.xpath("//tr[hasclass('cmr_pay_line')]")
        ]
        self.assertEqual(lines, [432.0, 432.0])
        total = _numbers(tree.get_element_by_id("cmr_pay_total").text_content())
        self.assertEqual(total, [864.0])


@tagged("post_install", "-at_install")
class TestOneWordForPaid(SplitTaxedCommon):
    """Finding 4: in uk, ru and bg the page says "paid" in one word: the
    statuses of the sponsor's shares are the instalments' words, never
    Accounting's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS.values():
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["account", "portal", "edu_crm", "cmr_portal"], list(LANGS.values())
        )
        first, second, _third = cls.split_rows
        # statuses on the page: paid (row 1, both payers), partially paid
        # (the sponsor's share of row 2, and so row 2), to invoice (row 3)
        invoices = cls._invoices(first, cls.student) | cls._invoices(
            first, cls.sponsor_org
        )
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": False})._create_payments()
        sponsor_2 = cls._invoices(second, cls.sponsor_org)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=sponsor_2.ids
        ).create({"amount": 10.0, "currency_id": cls.eur.id})._create_payments()

    def _labels(self, model, lang):
        env = self.env(context=dict(self.env.context, lang=lang))
        return dict(env[model]._fields["payment_state"]._description_selection(env))

    def test_statuses_in_the_instalments_words(self):
        self.authenticate("tu_student", "tu_student")
        for prefix, code in LANGS.items():
            with self.subTest(lang=code):
                ours = self._labels("edu.tuition.instalment", code)
                accounting = self._labels("account.move", code)
                tree = self._tree(f"/{prefix}/my/tuition")
                section = tree.xpath(
                    f"//section[@aria-labelledby='cmr_contract_{self.split.id}']"
                )[0]
                shares = [
                    " ".join(badge.text_content().split())
                    for badge in section.xpath(".//span[hasclass('cmr_share_status')]")
                ]
                self.assertEqual(shares, [ours["paid"], ours["partial"]])
                statuses = {
                    " ".join(badge.text_content().split())
                    for badge in section.xpath(
                        ".//td[hasclass('cmr_instalment_status')]/span"
                    )
                }
                self.assertEqual(
                    statuses, {ours["paid"], ours["partial"], ours["to_invoice"]}
                )
                # none of Accounting's words that differ from ours
                others = set(accounting.values()) - set(ours.values())
                for word in shares + sorted(statuses):
                    self.assertNotIn(word, others)
        # by name: Ukrainian says "Сплачено", never Accounting's "Оплачено"
        page = self._get("/uk/my/tuition").text
        self.assertIn("Сплачено", page)
        self.assertNotRegex(page, re.compile("оплачено", re.IGNORECASE))
        self.assertIn("Частково сплачено", page)
        # Bulgarian: the instalment's "Платена", not Accounting's "Неплатено"
        # nor its untranslated "Partially Paid"
        page = self._get("/bg/my/tuition").text
        self.assertIn("Частично платена", page)
        self.assertNotIn("Неплатено", page)
        self.assertNotIn("Partially Paid", page)
