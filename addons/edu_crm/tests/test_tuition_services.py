"""Tuition guards (split from test_tuition_guards.py, the same contracts):
the deferral and reschedule services, the reminder history written by the
job only, what the portal reads, the forecast kept to the bursars."""

from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import tagged

from .test_tuition_guards import TuitionGuardsCommon

# what the portal pages show of a contract and an instalment (cmr_portal's
# /my/tuition, plus the start date that orders the contracts), and what they
# do not
CONTRACT_SHOWN = (
    "name state student_id programme_id company_id currency_id amount_untaxed "
    "amount_tax amount_total amount_paid amount_residual instalment_ids "
    "invoice_ids date_start"
).split()
CONTRACT_INTERNAL = (
    "enrollment_id document_id user_id product_id list_price discount "
    "scholarship_amount amount_price plan_id past_due_policy activation_warning "
    "payer_ids invoice_count amount_invoiced suspension_proposed note"
).split()
# every row of the tuition page reads amount = paid + due (issue 12)
INSTALMENT_SHOWN = (
    "contract_id sequence due_date amount amount_untaxed amount_total currency_id "
    "company_id student_id programme_id contract_state invoice_ids amount_paid "
    "amount_residual payment_state"
).split()
INSTALMENT_INTERNAL = (
    "amount_invoiced days_overdue reminder_log_ids last_stage_id"
).split()


@tagged("post_install", "-at_install")
class TestTuitionServicesGuards(TuitionGuardsCommon):
    """The services behind the bursar's approvals and the jobs: called
    with the caller's rights, they refuse what the caller may not do."""

    def test_defer_and_reschedule_services(self):
        """The deferral and the reschedule a portal approval applies are
        edu_crm's services: bursars only, on the contract's own deferrable
        instalments; the later unpaid instalments move by the same delay,
        invoiced ones with their open invoices."""
        first, second, third = self.upcoming.instalment_ids.sorted("sequence")
        dates = [first.due_date, second.due_date, third.due_date]
        later = second.due_date + timedelta(days=10)
        with self.assertRaisesRegex(AccessError, "Education Manager"):
            self.upcoming.with_user(self.clerk)._edu_defer(second, later)
        with self.assertRaisesRegex(AccessError, "Education Manager"):
            self.upcoming.with_user(self.clerk)._edu_reschedule(later, 2)
        with self.assertRaisesRegex(UserError, "Choose an instalment"):
            self.upcoming.with_user(self.bursar)._edu_defer(
                self.active.instalment_ids[:1], later
            )
        self.upcoming.with_user(self.bursar)._edu_defer(second, later)
        self.assertEqual(
            self.upcoming.instalment_ids.sorted("sequence").mapped("due_date"),
            [dates[0], later, dates[2] + timedelta(days=10)],
        )
        self.upcoming.with_user(self.bursar)._edu_reschedule(later, 3)
        self.assertRecordValues(
            self.upcoming.instalment_ids.sorted("sequence"),
            [
                {"sequence": 1, "due_date": later, "amount": 333.33},
                {
                    "sequence": 2,
                    "due_date": later + relativedelta(months=1),
                    "amount": 333.33,
                },
                {
                    "sequence": 3,
                    "due_date": later + relativedelta(months=2),
                    "amount": 333.34,
                },
            ],
        )
        # invoiced and unpaid: the open invoices follow; paid: refused
        paid, *unpaid = self.active.instalment_ids.sorted("sequence")
        for invoice in paid.invoice_ids:
            self._pay(invoice, invoice.amount_total)
        with self.assertRaisesRegex(UserError, "paid or cancelled"):
            self.active.with_user(self.bursar)._edu_defer(paid, fields.Date.today())
        before = [inst.due_date for inst in unpaid]
        new_date = before[0] + timedelta(days=5)
        self.active.with_user(self.bursar)._edu_defer(unpaid[0], new_date)
        for inst, due in zip(unpaid, before, strict=True):
            self.assertEqual(inst.due_date, due + timedelta(days=5))
            self.assertEqual(
                set(inst.invoice_ids.mapped("invoice_date_due")), {inst.due_date}
            )
        self.assertEqual(paid.invoice_ids.mapped("payment_state"), ["paid"] * 2)

    def test_reschedule_hook(self):
        """The approved schedule change of a request replaces the instalments
        not invoiced yet, for the same total, as a manager only."""
        old = self.upcoming.instalment_ids
        start = old.sorted("sequence")[0].due_date
        new_values = [
            {"sequence": 1, "due_date": start, "amount": 500.0},
            {"sequence": 2, "due_date": start + timedelta(days=60), "amount": 500.0},
        ]
        with self.assertRaisesRegex(AccessError, "Education Manager"):
            self.upcoming.with_user(self.clerk)._edu_replace_open_instalments(
                old, new_values
            )
        with self.assertRaisesRegex(UserError, "same total"):
            self.upcoming.with_user(self.bursar)._edu_replace_open_instalments(
                old, new_values[:1]
            )
        invoiced = self.active.instalment_ids[:1]
        with self.assertRaisesRegex(UserError, "not invoiced yet"):
            self.active.with_user(self.bursar)._edu_replace_open_instalments(
                invoiced, [{"due_date": start, "amount": invoiced.amount}]
            )
        self.assertEqual(self.upcoming.instalment_ids, old)
        self.upcoming.with_user(self.bursar)._edu_replace_open_instalments(
            old, new_values
        )
        self.assertFalse(old.exists())
        self.assertEqual(
            self.upcoming.instalment_ids.sorted("sequence").mapped("amount"),
            [500.0, 500.0],
        )

    def test_reminder_history_written_by_the_job_only(self):
        stage = self.env["edu.reminder.stage"].create(
            {"name": "Guard", "days_overdue": 1}
        )
        instalment = self.active.instalment_ids[0]
        log = (
            self.env["edu.reminder.log"]
            .sudo()
            .create(
                {
                    "instalment_id": instalment.id,
                    "stage_id": stage.id,
                    "contract_id": self.active.id,
                }
            )
        )
        for user in (self.clerk, self.bursar):
            with self.assertRaises(AccessError):
                log.with_user(user).write({"state": "done"})
            with self.assertRaises(AccessError):
                self.env["edu.reminder.log"].with_user(user).create(
                    {
                        "instalment_id": instalment.id,
                        "stage_id": stage.id,
                        "contract_id": self.active.id,
                        "state": "done",
                    }
                )
        self.assertEqual(log.state, "pending")

    # ------------------------------------------------------------------
    # Reading: the portal reads what the portal shows
    # ------------------------------------------------------------------
    def test_portal_reads_only_what_the_portal_shows(self):
        for model, shown, internal in (
            ("edu.tuition.contract", CONTRACT_SHOWN, CONTRACT_INTERNAL),
            ("edu.tuition.instalment", INSTALMENT_SHOWN, INSTALMENT_INTERNAL),
        ):
            as_portal = self.env[model].with_user(self.portal)
            as_portal.check_field_access_rights("read", shown)
            for name in internal:
                with self.subTest(model=model, field=name):
                    with self.assertRaises(AccessError):
                        as_portal.check_field_access_rights("read", [name])
            # the staff reads everything
            self.env[model].with_user(self.clerk).check_field_access_rights(
                "read", shown + internal
            )

    # ------------------------------------------------------------------
    # Cash-in forecast
    # ------------------------------------------------------------------
    def test_forecast_is_the_bursars(self):
        Forecast = self.env["edu.cashin.forecast"]
        for user in (self.clerk, self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Forecast.with_user(user).action_open_forecast()
        # the menu runs its server action for the bursar (Odoo 18 checks
        # write access on the action's model unless the action has groups)
        server_action = self.env.ref("edu_crm.edu_cashin_forecast_action_open")
        action = server_action.with_user(self.bursar).run()
        self.assertEqual(action["res_model"], "edu.cashin.forecast")
        menu = self.env.ref("edu_crm.edu_cashin_forecast_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.bursar)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.clerk)._visible_menu_ids())

    def _received(self):
        self.env.invalidate_all()
        [(total,)] = self.env["edu.cashin.forecast"]._read_group(
            [], [], ["amount_received:sum"]
        )
        return total or 0.0

    def test_forecast_refresh_keeps_the_caches(self):
        """Opening a stale forecast refreshes it without flushing every
        worker's caches (as ir.config_parameter.set_param does)."""
        Forecast = self.env["edu.cashin.forecast"].with_user(self.bursar)
        Forecast.sudo()._edu_refresh()
        received = self._received()
        invoice = self.active.invoice_ids[0]
        self._pay(invoice, invoice.amount_total, date=fields.Date.today())
        with patch.object(Registry, "clear_cache") as clear_cache:
            # fresh: opened as it is
            Forecast.action_open_forecast()
            self.assertEqual(self._received(), received)
            with freeze_time(fields.Datetime.now() + timedelta(hours=2)):
                action = Forecast.action_open_forecast()
        clear_cache.assert_not_called()
        self.assertAlmostEqual(self._received(), received + invoice.amount_total)
        self.assertIn("as of", action["name"])
        # what the web client's breadcrumb shows first
        self.assertEqual(action["display_name"], action["name"])
