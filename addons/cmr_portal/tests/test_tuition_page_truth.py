"""Issue 12, portal findings: the student's and the sponsor's tuition pages
tell the truth, read off the rendered HTML.

1. The deferral/new schedule form is offered only where a request can be
   granted, and the model refuses the others (at creation and approval).
2. A bad "Pay the selected instalments" answers the tuition page with the
   message by the form and what the person ticked.
4. One word for "paid" on a page, in uk, ru and bg.
5. Every figure: per row paid + due = amount, the invoices of the payers
   (the student's and the sponsor's share) add up to the row, the summary
   is the sum of the rows, taxes included, in a second currency.

By hand for (5): a 900.00 price in three monthly instalments of 300.00 in
the company's currency is 600.00 in euros (rate 2), 720.00 with 20 % tax;
the student pays 60 % (432.00), the sponsor 40 % (288.00) of each."""

import re

from dateutil.relativedelta import relativedelta
from lxml import html
from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_tuition_amounts import _numbers
from .test_tuition_portal import NON_EXISTENT, TuitionPortalCommon

LANGS = {"uk": "uk_UA", "ru": "ru_RU", "bg": "bg_BG"}


class TuitionTruthCommon(TuitionPortalCommon):
    def _pay_in_full(self, invoices):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": False})._create_payments()

    def _settle(self, contract):
        """Invoice and pay every instalment of ``contract``: it closes."""
        for instalment in contract.instalment_ids:
            if not instalment.invoice_ids:
                instalment._edu_create_invoices()
        self._pay_in_full(contract.instalment_ids.invoice_ids)
        self.assertEqual(contract.state, "closed")

    def _tree(self, url, status=200):
        response = self._get(url)
        self.assertEqual(response.status_code, status, response.text[:300])
        return html.fromstring(response.text)


@tagged("post_install", "-at_install")
class TestScheduleRequestOffered(TuitionTruthCommon):
    """Finding 1: the request form only where a request can be granted."""

    def _request_values(self, contract, **values):
        return dict(
            {
                "partner_id": self.student.id,
                "request_type": "deferral",
                "contract_id": contract.id,
                "instalment_id": contract.instalment_ids.sorted("sequence")[-1].id,
                "requested_date": self.today + relativedelta(months=6),
                "description": "Scholarship paid late",
            },
            **values,
        )

    def test_closed_paid_contract_offers_no_request(self):
        self._settle(self.contract)
        self.authenticate("tu_student", "tu_student")
        tree = self._tree("/my/tuition")
        self.assertEqual(len(tree.xpath("//tr[hasclass('cmr_instalment_row')]")), 3)
        self.assertFalse(tree.xpath("//form[@id='cmr_schedule_request_form']"))
        self.assertTrue(tree.xpath("//*[@id='cmr_no_schedule_change']"))
        # a crafted post: refused by the model, the message on the page
        last = self.contract.instalment_ids.sorted("sequence")[-1]
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(last.id),
                "requested_date": fields.Date.to_string(
                    last.due_date + relativedelta(days=10)
                ),
                "reason": "Because",
            },
        )
        self.assertEqual(response.status_code, 400)
        errors = html.fromstring(response.text).get_element_by_id("cmr_errors")
        self.assertIn(f"Contract {self.contract.name} is closed", errors.text_content())
        self.assertFalse(
            self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        )

    def test_model_refuses_a_request_on_a_closed_contract(self):
        self._settle(self.contract)
        for request_type in ("deferral", "reschedule"):
            values = self._request_values(
                self.contract, request_type=request_type, requested_count=2
            )
            with self.subTest(request_type=request_type):
                # whoever creates it: the server for the portal, or the staff
                with self.assertRaisesRegex(
                    ValidationError, "only the schedule of an active contract"
                ):
                    self.env["cmr.request"].sudo().create(dict(values))
                with self.assertRaisesRegex(ValidationError, "is closed"):
                    self.env["cmr.request"].with_user(self.clerk).create(dict(values))

    def test_approval_refused_once_the_contract_is_paid(self):
        request = (
            self.env["cmr.request"]
            .sudo()
            .create(self._request_values(self.contract, instalment_id=self.third.id))
        )
        self._settle(self.contract)
        with self.assertRaisesRegex(ValidationError, "is closed"):
            request.with_user(self.bursar).action_approve()
        self.assertEqual(request.state, "new")
        self.assertEqual(
            self.contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [self.first.due_date, self.second.due_date, self.third.due_date],
        )

    def test_only_instalments_that_can_move_are_offered(self):
        """The paid first instalment is not offered for a deferral; once
        every instalment is invoiced, no new schedule is offered and the
        model refuses one."""
        self._pay_in_full(self.invoice)
        self.assertEqual(self.contract.state, "active")
        self.authenticate("tu_student", "tu_student")
        tree = self._tree("/my/tuition")
        offered = tree.xpath("//select[@id='cmr_instalment']/option/@value")
        self.assertEqual(offered, [str(self.second.id), str(self.third.id)])
        self.assertEqual(
            tree.xpath("//select[@id='cmr_contract']/option/@value"),
            [str(self.contract.id)],
        )
        self.assertTrue(tree.xpath("//input[@id='cmr_type_reschedule']"))
        (self.second | self.third)._edu_create_invoices()
        tree = self._tree("/my/tuition")
        self.assertTrue(tree.xpath("//form[@id='cmr_schedule_request_form']"))
        self.assertFalse(tree.xpath("//input[@id='cmr_type_reschedule']"))
        self.assertFalse(tree.xpath("//input[@id='cmr_requested_count']"))
        with self.assertRaisesRegex(ValidationError, "already invoiced"):
            self.env["cmr.request"].sudo().create(
                self._request_values(
                    self.contract, request_type="reschedule", requested_count=2
                )
            )
        # and a deferral of the paid instalment is refused
        with self.assertRaisesRegex(ValidationError, "paid or cancelled"):
            self.env["cmr.request"].sudo().create(
                self._request_values(self.contract, instalment_id=self.first.id)
            )

    def test_refused_request_keeps_what_was_typed(self):
        self.authenticate("tu_student", "tu_student")
        date = self.third.due_date + relativedelta(days=400)  # too far
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(self.third.id),
                "requested_date": fields.Date.to_string(date),
                "reason": "My bank is late",
            },
        )
        self.assertEqual(response.status_code, 400)
        tree = html.fromstring(response.text)
        self.assertTrue(tree.xpath("//*[@id='cmr_errors']"))
        self.assertEqual(
            tree.xpath("//select[@id='cmr_instalment']/option[@selected]/@value"),
            [str(self.third.id)],
        )
        self.assertEqual(
            tree.xpath("//input[@id='cmr_requested_date']/@value"),
            [fields.Date.to_string(date)],
        )
        self.assertEqual(
            tree.xpath("//textarea[@id='cmr_reason']")[0].text, "My bank is late"
        )


@tagged("post_install", "-at_install")
class TestPayFormMessages(TuitionTruthCommon):
    """Finding 2: a bad payment selection answers the tuition page, HTTP 400,
    the message in the payment form, the person's ticks kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second._edu_create_invoices()

    def _pay(self, *values):
        query = "&".join(f"instalment_ids={value}" for value in values)
        return self._tree(f"/my/tuition/pay?{query}", status=400)

    def _ticked(self, tree):
        return tree.xpath("//input[hasclass('cmr_pay_select')][@checked]/@value")

    def _message(self, tree):
        found = tree.xpath("//form[@id='cmr_pay_form']//*[@id='cmr_pay_errors']")
        self.assertEqual(len(found), 1, "the message is in the payment form")
        return " ".join(found[0].text_content().split())

    def test_nothing_ticked(self):
        self.authenticate("tu_student", "tu_student")
        for values in ((), ("",)):
            with self.subTest(values=values):
                tree = self._pay(*values)
                self.assertIn(
                    "Tick at least one instalment to pay.", self._message(tree)
                )
                # the whole tuition page, not a bare one
                self.assertEqual(
                    len(tree.xpath("//tr[hasclass('cmr_instalment_row')]")), 3
                )
                self.assertTrue(tree.xpath("//button[@id='cmr_pay_selected']"))
                self.assertEqual(self._ticked(tree), [])
        # the form opens the answer at itself (a GET keeps the fragment)
        tree = self._tree("/my/tuition")
        self.assertEqual(
            tree.xpath("//form[@id='cmr_pay_form']/@action"),
            ["/my/tuition/pay#cmr_pay_form"],
        )
        self.assertFalse(tree.xpath("//*[@id='cmr_pay_errors']"))

    def test_ticks_are_kept(self):
        other = self.contract_other.instalment_ids.sorted("sequence")[0]
        other_invoice = other.invoice_ids
        self.assertTrue(other_invoice)
        self.authenticate("tu_student", "tu_student")
        for values, message in (
            ((self.second.id, other.id), "Choose among the instalments shown"),
            ((self.first.id, NON_EXISTENT), "Choose among the instalments shown"),
            ((self.first.id, "abc"), "Choose among the instalments shown"),
            ((self.first.id, self.third.id), "not invoiced yet"),
        ):
            with self.subTest(values=values):
                tree = self._pay(*values)
                self.assertIn(message, self._message(tree))
                # what the person ticked and the page offers is ticked again
                own = [str(v) for v in values if v in (self.first.id, self.second.id)]
                self.assertEqual(self._ticked(tree), own)
                self.assertNotIn(other_invoice.name, tree.text_content())
        # paid in the meantime: the other one stays ticked
        self._pay_in_full(self.invoice)
        tree = self._pay(self.first.id, self.second.id)
        self.assertIn("already paid", self._message(tree))
        self.assertEqual(self._ticked(tree), [str(self.second.id)])

    def test_message_without_the_form(self):
        """Nothing to pay online any more: the message is on the page."""
        self._pay_in_full(self.invoice | self.second.invoice_ids)
        self.authenticate("tu_student", "tu_student")
        tree = self._pay(self.first.id)
        self.assertFalse(tree.xpath("//form[@id='cmr_pay_form']"))
        self.assertIn(
            "already paid",
            tree.get_element_by_id("cmr_pay_errors").text_content(),
        )

    def test_tour_pay_with_nothing_ticked(self):
        self.start_tour(
            "/my/tuition", "cmr_portal_pay_nothing_ticked", login="tu_student"
        )


class SplitTaxedCommon(TuitionTruthCommon):
    """A taxed contract in euros, paid 60 % by the student and 40 % by the
    sponsor (see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
        programme = env["edu.programme"].create(
            {
                "code": "TRUTH-P",
                "name": "Split Studies",
                "product_id": product.id,
                "company_id": cls.company.id,
            }
        )
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
