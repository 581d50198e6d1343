from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.edu_tuition_money import split_total
from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestSplitTotal(TransactionCase):
    """The split every tuition amount goes through: payment plan schedules,
    payer shares, rescheduled remainders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cents = cls.env["res.currency"].create(
            {"name": "XC2", "symbol": "c", "rounding": 0.01}
        )
        cls.whole = cls.env["res.currency"].create(
            {"name": "XC0", "symbol": "w", "rounding": 1.0}
        )

    def assertSplit(self, total, shares, currency, expected, **kwargs):  # noqa: N802
        amounts = split_total(total, shares, currency, **kwargs)
        self.assertEqual(amounts, expected)
        self.assertTrue(currency.is_zero(sum(amounts) - currency.round(total)))

    def test_the_last_line_absorbs_the_rounding(self):
        self.assertSplit(100.0, [100 / 3] * 3, self.cents, [33.33, 33.33, 33.34])
        self.assertSplit(100.0, [100 / 3] * 3, self.whole, [33.0, 33.0, 34.0])
        self.assertSplit(1000.0, [25.0, 25.0, 50.0], self.cents, [250, 250, 500])

    def test_equal_parts_of_a_count(self):
        self.assertSplit(1000.0, [1] * 7, self.cents, [142.86] * 6 + [142.84], base=7)

    def test_many_lines_sum_exactly(self):
        shares = [100 / 24] * 24
        amounts = split_total(999.99, shares, self.cents)
        self.assertEqual(len(amounts), 24)
        self.assertEqual(amounts[:23], [41.67] * 23)
        self.assertAlmostEqual(amounts[-1], 999.99 - 41.67 * 23, places=6)
        self.assertTrue(self.cents.is_zero(sum(amounts) - 999.99))

    def test_total_rounded_first(self):
        # 10.01 split: 5.005 rounds up, the last takes 5.00
        self.assertSplit(10.006, [50.0, 50.0], self.cents, [5.01, 5.0])

    def test_one_line_zero_and_negative(self):
        self.assertSplit(123.456, [100.0], self.cents, [123.46])
        self.assertSplit(0.0, [60.0, 40.0], self.cents, [0.0, 0.0])
        self.assertSplit(-100.0, [100 / 3] * 3, self.cents, [-33.33, -33.33, -33.34])
        self.assertEqual(split_total(100.0, [], self.cents), [])


@tagged("post_install", "-at_install")
class TestOpenTuitionInvoice(TuitionCommon):
    """One rule for "an open tuition invoice", read by Python through the
    domain and by the SQL reports through the condition made from it."""

    def test_domain_and_sql_select_the_same_invoices(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        contract = self._contract(plan=self.plan_monthly_3)
        contract.with_user(self.bursar).action_activate()
        paid, partial, open_ = contract.instalment_ids.sorted("sequence").invoice_ids
        self._pay(paid, paid.amount_total)
        self._pay(partial, 100.0)
        # not tuition: a customer invoice of the same payer
        other = self.init_invoice("out_invoice", partner=self.student, amounts=[50])
        other.action_post()
        Move = self.env["account.move"]
        mine = contract.invoice_ids | other
        found = Move.search(Move._edu_open_tuition_domain() + [("id", "in", mine.ids)])
        self.assertEqual(found, partial | open_)
        Move.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT m.id FROM account_move m WHERE %s AND m.id = ANY(%s)",
                Move._edu_open_tuition_sql("m"),
                mine.ids,
            )
        )
        self.assertEqual(Move.browse(r[0] for r in self.env.cr.fetchall()), found)
        # the deferral's variant also sees an invoice reset to draft
        open_.button_draft()
        self.assertEqual(contract.instalment_ids._edu_open_invoices(), partial | open_)
        self.assertEqual(
            contract.invoice_ids.filtered_domain(Move._edu_open_tuition_domain()),
            partial,
        )
