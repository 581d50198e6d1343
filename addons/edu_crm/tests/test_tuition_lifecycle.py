"""Issue 12, tuition: the life of a contract after its figures (split from
test_tuition_truth.py, the same hand-computed contract): a late activation
and its grace, closing when settled, invoicing an instalment now, the list of
drafts, the outcome of reminder SMS."""

from datetime import date

from freezegun import freeze_time
from lxml import html as lxml_html
from odoo import Command
from odoo.addons.sms.tests.common import MockSMS
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .test_tuition_common import TuitionCommon
from .test_tuition_truth import TaxedTuitionCommon


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
