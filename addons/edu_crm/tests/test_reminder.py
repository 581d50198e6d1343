from unittest.mock import patch

from freezegun import freeze_time
from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from .test_tuition_common import TuitionCommon


@tagged("post_install", "-at_install")
class TestReminderLadder(TuitionCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
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
        cls.stage_15 = Stage.create(
            {
                "name": "Email and SMS",
                "days_overdue": 15,
                "mail_template_id": cls.env.ref(
                    "edu_crm.mail_template_tuition_reminder_firm"
                ).id,
                "sms_template_id": cls.env.ref(
                    "edu_crm.sms_template_tuition_reminder"
                ).id,
            }
        )
        cls.stage_30 = Stage.create(
            {"name": "Call", "days_overdue": 30, "create_activity": True}
        )
        cls.stage_60 = Stage.create(
            {"name": "Suspend", "days_overdue": 60, "propose_suspension": True}
        )
        cls.Log = cls.env["edu.reminder.log"]

    def _active_contract(self, payers=None, student=None):
        with freeze_time("2026-01-05"):
            contract = self._contract(
                plan=self.plan_monthly_3,
                payers=payers,
                student_id=(student or self.student).id,
            )
            contract.with_user(self.bursar).action_activate()
        return contract

    def _queued_mails(self, invoices):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "in", invoices.ids)])
        )

    def _sms(self, invoices):
        # mass SMS are not linked to a message: match the payer and the invoice
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("partner_id", "in", invoices.partner_id.ids)])
        )
        return sms.filtered(lambda s: any(m.name in s.body for m in invoices))

    def _run(self, day, **kwargs):
        with freeze_time(day):
            # as the cron does: ir.cron runs it as the superuser
            return self.Log.sudo()._cron_process_reminders(**kwargs)

    def test_ladder_with_frozen_time_runs_each_stage_once(self):
        contract = self._active_contract(
            payers=[(self.student, 40.0), (self.sponsor, 60.0)]
        )
        first, second, third = contract.instalment_ids.sorted("sequence")
        invoices_1 = first.invoice_ids
        self.assertEqual(len(invoices_1), 2)

        # day 2 after due: nothing yet
        self.assertEqual(self._run("2026-01-12"), 0)
        self.assertFalse(first.reminder_log_ids)
        self._check_friendly_mail_to_both_payers(first, invoices_1)
        self._check_only_the_sponsor_reminded_further(first, invoices_1)
        self._check_activity_then_suspension(contract, first, second, third)

    def _check_friendly_mail_to_both_payers(self, first, invoices_1):
        # day 4: friendly email to both payers, once, even if run twice
        with self.mock_mail_gateway():
            self._run("2026-01-14")
            self._run("2026-01-14")
            self._queued_mails(invoices_1).send()
        self.assertEqual(self._queued_mails(invoices_1).mapped("state"), ["sent"] * 2)
        self.assertEqual(
            sorted(m["email_to"][0] for m in self._mails),
            sorted([self.student.email_formatted, self.sponsor.email_formatted]),
        )
        self.assertRecordValues(
            first.reminder_log_ids,
            [{"stage_id": self.stage_3.id, "state": "done", "mail_count": 2}],
        )
        self.assertEqual(first.last_stage_id, self.stage_3)

    def _check_only_the_sponsor_reminded_further(self, first, invoices_1):
        # the student pays his share: only the sponsor is reminded further
        self._pay(
            first.invoice_ids.filtered(lambda m: m.partner_id == self.student), 400.0
        )
        self.assertEqual(first.payment_state, "partial")
        self._run("2026-01-26")
        self._run("2026-01-27")
        sponsor_invoice = invoices_1.filtered(lambda m: m.partner_id == self.sponsor)
        # one more mail for the sponsor (stage 15), none for the student
        self.assertEqual(len(self._queued_mails(sponsor_invoice)), 2)
        self.assertEqual(len(self._queued_mails(invoices_1)), 3)
        sms = self._sms(invoices_1)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.partner_id, self.sponsor)
        self.assertEqual(sms.state, "outgoing")
        self.assertTrue("".join(filter(str.isdigit, sms.number)).endswith("470998877"))
        self.assertIn(sponsor_invoice.name, sms.body)
        self.assertEqual(first.last_stage_id, self.stage_15)

    def _check_activity_then_suspension(self, contract, first, second, third):
        # day 31: an activity for the bursar of the contract
        self._run("2026-02-10")
        activities = contract.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.bursar)
        self.assertFalse(second.reminder_log_ids, "second is due today, not late")

        # day 61 for the first, 30 for the second: suspension proposal for the
        # first; the second jumps straight to the activity (no late catch-up
        # of the email stages it overtook)
        self._run("2026-03-12")
        self._run("2026-03-12")
        self.assertTrue(contract.suspension_proposed)
        self.assertEqual(
            first.reminder_log_ids.filtered(lambda log: log.state == "done").stage_id,
            self.stage_3 | self.stage_15 | self.stage_30 | self.stage_60,
        )
        self.assertRecordValues(
            second.reminder_log_ids,
            [{"stage_id": self.stage_30.id, "state": "done", "days_overdue": 30}],
        )
        self.assertEqual(second.last_stage_id, self.stage_30)
        self.assertEqual(first.last_stage_id, self.stage_60)
        self.assertEqual(len(contract.activity_ids), 3)
        self._run("2026-03-13")  # the third instalment is now 3 days late
        self.assertEqual(third.reminder_log_ids.stage_id, self.stage_3)
        # 4 stages for the first, 1 for the second, 1 for the third, no more
        self.assertEqual(self.Log.search_count([("contract_id", "=", contract.id)]), 6)

    def test_paid_or_inactive_instalments_are_not_reminded(self):
        contract = self._active_contract()
        first = contract.instalment_ids.sorted("sequence")[0]
        self._pay(first.invoice_ids, first.invoice_ids.amount_total)
        draft = self._contract(plan=self.plan_monthly_3, student_id=self.student_2.id)
        self._run("2026-01-20")
        self.assertFalse(first.reminder_log_ids)
        self.assertFalse(draft.instalment_ids.reminder_log_ids)

    def test_unique_key_per_instalment_and_stage(self):
        contract = self._active_contract()
        first = contract.instalment_ids.sorted("sequence")[0]
        self._run("2026-01-14")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Log.sudo().create(
                {
                    "instalment_id": first.id,
                    "stage_id": self.stage_3.id,
                    "contract_id": contract.id,
                }
            )
            self.env.flush_all()
        self.assertEqual(len(first.reminder_log_ids), 1)

    def _five_first_invoices(self):
        """The first invoices of five active contracts, one payer each."""
        students = [self.student, self.student_2] + [
            self.env["res.partner"].create(
                {"name": f"Student {i}", "email": f"s{i}@example.com"}
            )
            for i in range(3)
        ]
        contracts = self.env["edu.tuition.contract"]
        for student in students:
            contracts |= self._active_contract(
                payers=[(student, 100.0)], student=student
            )
        firsts = contracts.instalment_ids.filtered(lambda i: i.sequence == 1)
        invoices = firsts.invoice_ids
        self.assertEqual(len(invoices), 5)
        return invoices

    def test_crash_midway_then_rerun_sends_nothing_twice_and_misses_nothing(self):
        invoices = self._five_first_invoices()
        Log = type(self.Log)
        dispatch = Log._edu_dispatch
        calls = []

        def commit_progress(log_model, done, remaining):
            # what cr.commit() does for the cron: make the batch durable
            log_model.env.flush_all()
            log_model.env.cr.execute("SAVEPOINT edu_test_progress")

        def dispatch_then_crash(logs):
            calls.append(len(logs))
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return dispatch(logs)

        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT edu_test_progress")
        crashed = False
        with (
            patch.object(Log, "_edu_commit_progress", commit_progress),
            patch.object(Log, "_edu_dispatch", dispatch_then_crash),
        ):
            try:
                self._run("2026-01-14", batch_size=2)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(calls, [2, 2])
        # the crashed transaction is rolled back to the last commit
        self.env.cr.execute("ROLLBACK TO SAVEPOINT edu_test_progress")
        self.env.invalidate_all()
        done = self.Log.search([("state", "=", "done")])
        self.assertEqual(len(done), 2, "the first batch was committed")
        self.assertEqual(len(self._queued_mails(invoices)), 2)
        self.assertEqual(self.Log.search_count([("state", "=", "pending")]), 3)

        # the rerun finishes the work: every payer reminded exactly once
        with patch.object(Log, "_edu_commit_progress", commit_progress):
            self._run("2026-01-14", batch_size=2)
            self._run("2026-01-15", batch_size=2)
        mails = self._queued_mails(invoices)
        self.assertEqual(len(mails), 5)
        self.assertEqual(sorted(mails.mapped("res_id")), sorted(invoices.ids))
        self.assertEqual(
            self.Log.search_count(
                [("state", "=", "done"), ("stage_id", "=", self.stage_3.id)]
            ),
            5,
        )
        self.assertFalse(self.Log.search([("state", "=", "pending")]))

    def test_planning_query_count_does_not_grow(self):
        self._active_contract()
        self.env.flush_all()
        # one INSERT ... SELECT, plus reading the user's time zone for "today"
        with freeze_time("2026-01-14"), self.assertQueryCount(2):
            self.Log._edu_plan_reminders()
        for _i in range(4):
            self._active_contract(student=self.student_2)
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time("2026-01-14"), self.assertQueryCount(2):
            inserted = self.Log._edu_plan_reminders()
        self.assertEqual(inserted, 4)
