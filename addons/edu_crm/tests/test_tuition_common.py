from contextlib import contextmanager

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


class TuitionCommon(AccountTestInvoicingCommon):
    """Accounting company, tuition product, programme, people and two users:
    ``clerk`` (Education User) and ``bursar`` (Education Manager)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        # the accountant user of AccountTestInvoicingCommon prepares the data
        cls.env.user.groups_id += cls.env.ref("edu_crm.group_edu_manager")
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_days_before", "14"
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "cron"
        )
        # the reminder ladder of the tests is built by the tests themselves
        cls.env["edu.reminder.stage"].search([]).active = False
        cls.product_tuition = cls.env["product.product"].create(
            {
                "name": "Tuition BSc",
                "type": "service",
                "lst_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.programme = cls.env["edu.programme"].create(
            {
                "code": "BSC-T",
                "name": "BSc Tuition Test",
                "product_id": cls.product_tuition.id,
                "company_id": cls.company.id,
            }
        )
        cls._setup_tuition_people()
        cls._setup_tuition_users_and_plans()

    @classmethod
    def _setup_tuition_people(cls):
        cls.student = cls.env["res.partner"].create(
            {
                "name": "Stella Student",
                "email": "stella@example.com",
                "mobile": "+32 470 12 34 56",
            }
        )
        cls.student_2 = cls.env["res.partner"].create(
            {"name": "Sam Second", "email": "sam@example.com"}
        )
        cls.sponsor = cls.env["res.partner"].create(
            {
                "name": "Acme Sponsor Ltd",
                "is_company": True,
                "email": "ap@acme.example.com",
                "mobile": "+32 470 99 88 77",
            }
        )

    @classmethod
    def _setup_tuition_users_and_plans(cls):
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.clerk = new_test_user(
            cls.env, login="tuition_clerk", groups="edu_crm.group_edu_user", **common
        )
        cls.bursar = new_test_user(
            cls.env,
            login="tuition_bursar",
            groups="edu_crm.group_edu_manager",
            **common,
        )
        cls.plan_upfront = cls.env["edu.payment.plan"].create(
            {"name": "Upfront", "plan_type": "upfront"}
        )
        cls.plan_monthly_3 = cls.env["edu.payment.plan"].create(
            {"name": "3 months", "plan_type": "monthly", "instalment_count": 3}
        )

    @classmethod
    def _contract(
        cls, payers=None, plan=None, date_start="2026-01-10", user=None, **vals
    ):
        """Draft contract created as ``user`` (the bursar by default)."""
        payers = payers or [(cls.student, 100.0)]
        values = {
            "student_id": cls.student.id,
            "programme_id": cls.programme.id,
            "company_id": cls.company.id,
            "plan_id": (plan or cls.plan_upfront).id,
            "date_start": date_start,
            "payer_ids": [
                Command.create({"partner_id": partner.id, "share": share})
                for partner, share in payers
            ],
        }
        values.update(vals)
        contract = (
            cls.env["edu.tuition.contract"]
            .with_user(user or cls.bursar)
            .with_company(cls.company)
            .create(values)
        )
        contract.action_generate_schedule()
        return contract

    @contextmanager
    def assertRaisesRegex(self, exception, regex):  # noqa: N802
        """Odoo's assertRaises (savepoint + rollback, so that "changes
        nothing" can be checked afterwards) plus a check of the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)
        self.env.invalidate_all()

    def _pay(self, invoice, amount, date="2026-01-15"):
        """Register a payment on ``invoice`` as accounting does."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": date})
            ._create_payments()
        )
