from datetime import timedelta

from odoo import fields
from odoo.addons.edu_crm.tests.test_tuition_common import TuitionCommon
from odoo.tests import tagged

from .rfm_common import RfmCommon


@tagged("post_install", "-at_install")
class TestRfmTuition(TuitionCommon, RfmCommon):
    """Monetary and punctuality scores from tuition: Stella paid 1,000 and
    needed a reminder, Sam paid 400 of his and needed none. Monetary is a
    quintile among the people who paid, punctuality among the people with
    tuition due (fewer reminders per invoice due: higher); a payment is an
    interaction."""

    def _now(self):
        return fields.Datetime.now()

    def test_monetary_and_punctuality(self):
        stella, sam = self.student, self.student_2
        stage = self.env["edu.reminder.stage"].create(
            {"name": "Call", "days_overdue": 3, "create_activity": True}
        )
        invoices = {}
        for person, paid in ((stella, 1000.0), (sam, 400.0)):
            contract = self._contract(
                payers=[(person, 100.0)],
                student_id=person.id,
                date_start=fields.Date.today(),
            )
            contract.with_user(self.bursar).action_activate()
            invoices[person] = contract.invoice_ids
            self._pay(contract.invoice_ids, paid, date=fields.Date.today())
        self.env["edu.reminder.log"].sudo().create(
            {
                "instalment_id": invoices[stella].edu_instalment_id.id,
                "contract_id": invoices[stella].edu_instalment_id.contract_id.id,
                "stage_id": stage.id,
                "date_done": fields.Datetime.now(),
            }
        )
        # both invoices fell due ten days ago
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = ANY(%s)",
            [
                fields.Date.today() - timedelta(days=10),
                [inv.id for inv in invoices.values()],
            ],
        )
        nobody = self.env["res.partner"].create({"name": "No tuition"})
        self._interactions(nobody, 3, 2)
        self._only(stella | sam | nobody)
        self._score()
        self.assertAlmostEqual(stella.edu_rfm_paid, 1000.0)
        self.assertAlmostEqual(sam.edu_rfm_paid, 400.0)
        self.assertEqual(
            [
                (p.edu_rfm_monetary, p.edu_rfm_punctuality)
                for p in (stella, sam, nobody)
            ],
            # of two people, nobody paid more than Stella (5) and one paid
            # more than Sam: 5 - floor(5 * 1 / 2); Sam was the more punctual
            # (NTILE read 2 and 1 for the best of two: the second fifth)
            [(5, 3), (3, 5), (0, 0)],
        )
        self.assertTrue(stella.edu_rfm_last_interaction, "the payment")
