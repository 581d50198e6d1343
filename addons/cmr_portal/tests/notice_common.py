"""A company with a tuition contract paid half by the student (email) and
half by a sponsor who chose SMS, for the account notices' tests."""

from datetime import datetime, time

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user

NOTICE_SETTINGS = (
    "cmr_notice_payment",
    "cmr_notice_due",
    "cmr_notice_document",
    "cmr_notice_request",
    "cmr_notice_offer",
)


class NoticeCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = cls.company_data["company"]
        cls.company.email = "bursar@school.example.com"
        env["campaign.pressure.rule"].sudo().search([]).active = False
        params = env["ir.config_parameter"].sudo()
        params.set_param("edu_crm.tuition_invoice_days_before", "14")
        params.set_param("edu_crm.tuition_invoice_mode", "cron")
        env.user.groups_id += env.ref("edu_crm.group_edu_manager")
        # notices of this company only (not of the database's other data)
        (env["res.company"].search([]) - cls.company).write(
            dict.fromkeys(NOTICE_SETTINGS, False)
        )
        cls._setup_notice_people()
        cls._setup_notice_contract()
        cls.today = fields.Date.today()
        # the job's clock: noon today (UTC), outside anybody's quiet hours
        cls.noon = datetime.combine(cls.today, time(12, 0))

    @classmethod
    def _setup_notice_people(cls):
        env = cls.env
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        # attribute: (login, group, name)
        users = {
            "user_student": ("nt_student", "base.group_portal", "Nina Notice"),
            "user_other": ("nt_other", "base.group_portal", "Oleg Other"),
            "clerk": ("nt_clerk", "edu_crm.group_edu_user", "Carl Clerk"),
        }
        for attr, (login, groups, name) in users.items():
            email = f"{login}@example.com"
            user = new_test_user(
                env,
                login=login,
                groups=groups,
                name=name,
                email=email,
                tz="UTC",
                **common,
            )
            setattr(cls, attr, user)
        cls.student = cls.user_student.partner_id
        cls.other = cls.user_other.partner_id
        cls.sponsor = env["res.partner"].create(
            {
                "name": "Notice Sponsor Ltd",
                "is_company": True,
                "edu_is_sponsor": True,
                "email": "pay@sponsor.example.com",
                "mobile": "+32 470 12 34 56",
                "cmr_preferred_channel": "sms",
                "tz": "UTC",
            }
        )
        cls.student.edu_sponsor_ids = [Command.link(cls.sponsor.id)]

    @classmethod
    def _setup_notice_contract(cls):
        env = cls.env
        product = env["product.product"].create(
            {
                "name": "Tuition Notices",
                "type": "service",
                "lst_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.programme = env["edu.programme"].create(
            {
                "code": "NTC",
                "name": "Notice Studies",
                "product_id": product.id,
                "company_id": cls.company.id,
            }
        )
        plan = env["edu.payment.plan"].create(
            {"name": "3 months", "plan_type": "monthly", "instalment_count": 3}
        )
        contract = (
            env["edu.tuition.contract"]
            .with_company(cls.company)
            .create(
                {
                    "student_id": cls.student.id,
                    "programme_id": cls.programme.id,
                    "company_id": cls.company.id,
                    "plan_id": plan.id,
                    "date_start": fields.Date.today(),
                    "payer_ids": [
                        Command.create({"partner_id": cls.student.id, "share": 50}),
                        Command.create({"partner_id": cls.sponsor.id, "share": 50}),
                    ],
                }
            )
        )
        contract.action_generate_schedule()
        contract.action_activate()
        cls.contract = contract
        cls.first = contract.instalment_ids.sorted("sequence")[0]
        cls.invoice_student = cls.first.invoice_ids.filtered(
            lambda m: m.partner_id == cls.student
        )
        cls.invoice_sponsor = cls.first.invoice_ids - cls.invoice_student

    def _run(self, now=None, **settings):
        """Run the notice job at ``now`` (noon today by default) with the
        company's notice ``settings``; the notices it wrote."""
        if settings:
            self.company.write(settings)
        Notice = self.env["edu.account.notice"]
        before = Notice.sudo().search([]).ids
        Notice._cron_send_notices(now=now or self.noon)
        return Notice.sudo().search([("id", "not in", before)])

    def _mails_to(self, partner):
        return (
            self.env["mail.mail"].sudo().search([("recipient_ids", "in", partner.ids)])
        )

    def _sms_to(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)])
